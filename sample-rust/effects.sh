#!/usr/bin/env bash
# Shows what the optimizer did to sample-rust in one variant (default release-legacy): inlined call sites of the
# #[inline] helpers (from DWARF), alias groups (several names at one address), generic copies and the crate-private
# functions (local symbols). Needs nm (binutils) and llvm-dwarfdump (Debian package llvm). README.md quotes its output.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bin="$("$here/build.sh" "${1:-release-legacy}")"
echo "# $bin"

echo "## inlined call sites of sample_rust::inline::* (DW_TAG_inlined_subroutine: helper, call line, parameters)"
llvm-dwarfdump --debug-info "$bin" | python3 -c '
import re, sys
dies, cur = [], None  # (depth, tag, {attr: text})
for line in sys.stdin:
    m = re.match(r"0x[0-9a-f]+:( +)(DW_TAG_\w+)", line)
    if m:
        cur = (len(m.group(1)), m.group(2), {})
        dies.append(cur)
        continue
    a = re.match(r"\s+(DW_AT_\w+)\s+(.*)", line)
    if cur and a:
        cur[2][a.group(1)] = a.group(2).strip()
        last = a.group(1)
    elif cur and line.strip().startswith("["):
        cur[2][last] += " " + line.strip()
for i, (depth, tag, attrs) in enumerate(dies):
    origin = attrs.get("DW_AT_abstract_origin", "")
    m = re.search(r"11sample_rust6inline(\d+)", origin)  # legacy _ZN...6inline5scale17h.., v0 _R...6inline5scale
    if tag != "DW_TAG_inlined_subroutine" or not m:
        continue
    helper = origin[m.end():m.end() + int(m.group(1))]
    where = attrs.get("DW_AT_low_pc") and "low_pc" or "ranges"
    out = []
    for d2, t2, a2 in dies[i + 1:]:
        if d2 <= depth:
            break
        if d2 == depth + 2 and t2 in ("DW_TAG_formal_parameter", "DW_TAG_variable"):
            name = re.search(r"\"(\w+)\"", a2.get("DW_AT_abstract_origin", "")).group(1)
            loc = a2.get("DW_AT_const_value") and "const_value " + a2["DW_AT_const_value"].strip("()") \
                or re.sub(r"^\((0x[0-9a-f]+: )?|\)$", "", a2.get("DW_AT_location", "no location"))
            loc = re.sub(r"indexed \(0x[0-9a-f]+\) loclist = 0x[0-9a-f]+: ", "", loc)
            loc = re.sub(r"\s*\[0x[0-9a-f]+, 0x[0-9a-f]+\): ", " [range] ", loc).strip()
            out.append(("param " if t2.endswith("parameter") else "var ") + name + " = " + loc)
    print("  %s @ main.rs:%s (%s): %s" % (helper, attrs["DW_AT_call_line"].strip("()"), where, "; ".join(out)))
' | sort -t: -k2 -n

echo "## alias groups in sample_rust (one address, several names)"
nm -C --defined-only "$bin" | awk '$2 ~ /^[tT]$/ { a = $1; $1 = ""; $2 = ""; sub(/^  /, ""); names[a] = names[a] " = " $0; n[a]++ }
  END { for (k in n) if (n[k] > 1 && names[k] ~ /sample_rust::[a-z]+::/) print "  " k names[k] }' | sort

echo "## generic copies and closures (local symbols)"
nm -C --defined-only "$bin" | grep -E ' t sample_rust::(generics|closures)::' | sed 's/^/  /' | sort -k3

echo "## crate-private functions: symbols, and how internals::run calls them (arguments in rdi, rsi, ...)"
nm -C --defined-only "$bin" | grep -E ' [tT] sample_rust::internals::' | sed 's/^/  /'
objdump -d --no-show-raw-insn -C "$bin" | awk '/^[0-9a-f]+ <sample_rust::internals::[a-z_]+>:$/ { on = 1 } on && /^$/ { on = 0 }
  on && !/int3|nop/ { print "  " $0 }'
