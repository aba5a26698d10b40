#!/usr/bin/env bash
# Regenerates llvm-objdump.txt: llvm-objdump's disassembly of AsmSamples.program(), the independent reading of
# our encodings that AsmEncodingTest compares against. Needs llvm-objdump (Debian: llvm), python3 and a built
# bpf module (mvn -pl bpf test-compile). Run from the repository root.
set -euo pipefail
here=bpf/src/test/resources/dev/rustprobe/bpf/asm
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mvn -B -q -pl bpf dependency:build-classpath -Dmdep.outputFile="$tmp/cp" -Dmdep.includeScope=test >/dev/null
java -cp "bpf/target/classes:bpf/target/test-classes:$(cat "$tmp/cp")" dev.rustprobe.bpf.asm.AsmSamples "$tmp/code.bin"
# Wrap the raw code in a minimal ELF64 relocatable object for EM_BPF (247) with one executable .text section.
python3 - "$tmp/code.bin" "$tmp/code.o" <<'PY'
import struct, sys
code = open(sys.argv[1], 'rb').read()
shstr = b'\0.text\0.shstrtab\0'
text_off = 64
shstr_off = text_off + len(code)
sh_off = (shstr_off + len(shstr) + 7) & ~7
ehdr = b'\x7fELF' + bytes([2, 1, 1, 0]) + bytes(8)
ehdr += struct.pack('<HHIQQQIHHHHHH', 1, 247, 1, 0, 0, sh_off, 0, 64, 0, 0, 64, 3, 2)
def shdr(name, typ, flags, off, size, align):
    return struct.pack('<IIQQQQIIQQ', name, typ, flags, 0, off, size, 0, 0, align, 0)
out = ehdr + code + shstr
out += bytes(sh_off - len(out))
out += shdr(0, 0, 0, 0, 0, 0)
out += shdr(1, 1, 6, text_off, len(code), 8)        # .text: PROGBITS, ALLOC|EXECINSTR
out += shdr(7, 3, 0, shstr_off, len(shstr), 1)      # .shstrtab
open(sys.argv[2], 'wb').write(out)
PY
{
  echo "# llvm-objdump -d of AsmSamples.program(); regenerate with $here/regen-llvm-listing.sh"
  echo "# $(llvm-objdump --version | grep -m1 -i 'llvm version' | sed 's/^ *//')"
  llvm-objdump -d "$tmp/code.o" | grep -E '^ +[0-9]+:'
} > "$here/llvm-objdump.txt"
echo "wrote $here/llvm-objdump.txt"
