#!/usr/bin/env bash
# Regenerates the demangler's golden files from real symbols, with rustfilt (Debian package `rustfilt`, built on
# rustc-demangle 0.1.21) as the independent source of expected output:
#   corpus.tsv.gz  symbol <TAB> rustfilt SYMBOL (no hashes, rustc-demangle "{:#}") <TAB> rustfilt -h SYMBOL ("{}")
#   cases.tsv      the same for the hand-written inputs of cases.txt (one per line, '#' lines are comments)
#   mutations.tsv.gz  the same for corpus symbols mutated at random (seeded): the differential robustness test
#   filter.tsv.gz  a line of text <TAB> rustfilt's stdin filter output <TAB> with -h, for generated text that mixes
#                  symbols with other words and separators
#   big.tsv.gz     the same for a few huge generated inputs (1 MB and 10 MB names, 100k-deep nesting), which are
#                  too long for a command-line argument and so go through rustfilt's stdin filter, one per line
# Symbols come from:
#   - the Rust toolchain's own shared libraries ($(rustc --print sysroot)/lib/*.so and rustlib/<host>/lib/*.so):
#     librustc_driver (v0, ~101k; a deterministic 1 in 4 sample of its symbols is kept), libstd (v0),
#     libLLVM (C++/C: not Rust, must be left alone; 1 in 20 kept)
#   - the rustup binary the toolchain was installed with (legacy mangling, ~10k symbols), when it has symbols
#   - manglings.rs (beside this script): a generics-heavy throwaway program built twice,
#     RUSTFLAGS='-C symbol-mangling-version=v0' and legacy, with cargo --release --offline (no dependencies)
#   - sample-rust's release-legacy and release-v0 builds, when sample-rust/ is in the tree
# Usage: demangler/src/test/resources/golden/regenerate.sh   (needs rustc, cargo, nm, rustfilt; ~1 minute)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../../../.." && pwd)"
command -v rustfilt >/dev/null || { echo "regenerate.sh: rustfilt is not installed (apt-get install rustfilt)" >&2; exit 1; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

symbols_of() { # every symbol name nm finds (static table, else dynamic), one per line
  { nm "$1" 2>/dev/null || nm -D "$1" 2>/dev/null || true; } | awk 'NF >= 2 { print $NF }'
}

sysroot="$(rustc --print sysroot)"
host="$(rustc -vV | sed -n 's/^host: //p')"
for lib in "$sysroot"/lib/*.so* "$sysroot/lib/rustlib/$host/lib"/*.so; do
  [ -f "$lib" ] || continue
  case "$(basename "$lib")" in
    librustc_driver-*) symbols_of "$lib" | sort -u | awk 'NR % 4 == 1' ;;
    libLLVM*) symbols_of "$lib" | sort -u | awk 'NR % 20 == 1' ;;
    *) symbols_of "$lib" ;;
  esac
done > "$work/all.txt"

rustup_bin="$(readlink -f "$(command -v rustup || echo /nonexistent)")"
[ -f "$rustup_bin" ] && symbols_of "$rustup_bin" >> "$work/all.txt"

# manglings.rs, once per mangling
mkdir -p "$work/manglings/src"
cp "$here/manglings.rs" "$work/manglings/src/main.rs"
printf '[package]\nname = "manglings"\nversion = "0.1.0"\nedition = "2021"\n\n[profile.release]\ndebug = false\n' \
  > "$work/manglings/Cargo.toml"
for mangling in v0 legacy; do
  env -u CARGO_ENCODED_RUSTFLAGS CARGO_TARGET_DIR="$work/target-$mangling" RUSTFLAGS="$([ $mangling = v0 ] && echo "-C symbol-mangling-version=v0")" \
    cargo build --quiet --release --offline --manifest-path "$work/manglings/Cargo.toml" >&2
  symbols_of "$work/target-$mangling/release/manglings" >> "$work/all.txt"
done

if [ -x "$root/sample-rust/build.sh" ]; then
  for variant in release-legacy release-v0; do
    symbols_of "$("$root/sample-rust/build.sh" "$variant")" >> "$work/all.txt"
  done
fi

# one line per distinct symbol; nothing rustfilt would read as an option
LC_ALL=C sort -u "$work/all.txt" | grep -v '^-' | grep -v '^$' > "$work/symbols.txt"

expect() { # $1 = input file of names; writes name TAB no-hash TAB hash
  tr '\n' '\0' < "$1" | xargs -0 rustfilt > "$work/plain.txt"
  tr '\n' '\0' < "$1" | xargs -0 rustfilt -h > "$work/hash.txt"
  [ "$(wc -l < "$1")" = "$(wc -l < "$work/plain.txt")" ] && [ "$(wc -l < "$1")" = "$(wc -l < "$work/hash.txt")" ] \
    || { echo "regenerate.sh: rustfilt printed a different number of lines than it was given names" >&2; exit 1; }
  paste "$1" "$work/plain.txt" "$work/hash.txt"
}

expect "$work/symbols.txt" | gzip -9n > "$here/corpus.tsv.gz"
grep -v '^#' "$here/cases.txt" | grep -v '^$' > "$work/cases.txt" || true
expect "$work/cases.txt" > "$here/cases.tsv"

python3 - > "$work/big.txt" <<'PY'
print("_ZN" + "1a" * 500000 + "E")                         # 1 MB legacy, output over the size limit
print("_ZN" + "3abc" * 2500000 + "E")                      # 10 MB legacy
print("_ZN1000000" + "a" * 1000000 + "E.x")                # output exactly at the size limit
print("_ZN1000001" + "a" * 1000001 + "E.x")                # one byte over
print("_ZN" + "1a" * 499999 + "17h0123456789abcdefE")      # just under, with a hash
print("_RINvC1a1b" + "h" * 1000000 + "E")                 # 1 MB v0, output over the size limit
print("_R" + "I" * 100000 + "NvC1a1b" + "hE" * 100000)     # generics nested 100k deep
print("_R" + "INvNtC1a1b1c" * 100000 + "h" + "E" * 100000) # _RINvNtC... nested 100k deep
print("_RINvC1a1b" + "R" * 100000 + "hE")                  # references nested 100k deep
def b62(i):                                                  # a v0 base-62 number, as a backref takes it
    if i == 0:
        return "_"
    digits, i, out = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", i - 1, ""
    while True:
        out, i = digits[i % 62] + out, i // 62
        if i == 0:
            return out + "_"
for levels in (10, 19, 20, 25):                              # tuples of two backrefs to the previous tuple:
    body, prev = "INvC1a1bThhE", 8                          # the output doubles with each level
    for _ in range(levels):
        start = len(body)
        body += "TB" + b62(prev) + "B" + b62(prev) + "E"
        prev = start
    print("_R" + body + "E")
PY
paste "$work/big.txt" <(rustfilt < "$work/big.txt") <(rustfilt -h < "$work/big.txt") | gzip -9n > "$here/big.tsv.gz"

# mutations of real symbols: characters replaced, inserted, deleted, spans doubled, names cut short
python3 - "$work/symbols.txt" > "$work/mutations.txt" <<'PY'
import random, sys
rng = random.Random(20261201)
syms = [s for s in open(sys.argv[1]).read().split("\n") if s.startswith(("_R", "_ZN")) and len(s) < 3000]
alphabet = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_$.E" + "!#%&()*+,-/:;<=>?@[]^{|}~ "
seen = set()
while len(seen) < 30000:
    s = list(rng.choice(syms))
    for _ in range(rng.randint(1, 3)):
        op, i = rng.randrange(5), rng.randrange(len(s) + 1)
        if op == 0 and i < len(s):
            s[i] = rng.choice(alphabet)
        elif op == 1:
            s.insert(i, rng.choice(alphabet))
        elif op == 2 and i < len(s):
            del s[i]
        elif op == 3:
            j = min(len(s), i + rng.randint(1, 12))
            s[i:i] = s[i:j]
        elif op == 4 and i > 2:
            del s[i:]
    m = "".join(s)
    if m and not m.startswith("-") and m not in seen:
        seen.add(m)
        print(m)
PY
expect "$work/mutations.txt" | gzip -9n > "$here/mutations.tsv.gz"

# text for the filter: symbols (some with prefix variants and suffixes) among words and separators
python3 - "$work/symbols.txt" > "$work/text.txt" <<'PY'
import random, sys
rng = random.Random(7)
syms = [s for s in open(sys.argv[1]).read().split("\n") if s]
rust = [s for s in syms if s.startswith(("_R", "_ZN"))]
glue = [" ", "  ", ":", "(", ")", "$", ".", "-", "_", "__", "x", "é", "日本", ",", "'", "\"", "/", "@", "+", "=", "0x1f "]
words = ["T", "t", "0000000000012345", "call", "_R", "_ZN", "ZN", "_Z", "R", "__", "$", ".llvm.", ".llvm.1A", ".cold",
         "_RNv", "_ZN3foo", "E", "h0123456789abcdef", "at", "in", "·", "ü"]
for n in range(4000):
    parts = []
    for _ in range(rng.randint(0, 8)):
        k = rng.random()
        if k < 0.45:
            s = rng.choice(rust)
            if rng.random() < 0.1:
                s = rng.choice(["_", "__", "x"]) + s
            if rng.random() < 0.1:
                s += rng.choice([".llvm.12AB", ".llvm.xy", ".lto.1", ".cold", "$", "."])
            parts.append(s)
        elif k < 0.55:
            parts.append(rng.choice(syms))
        else:
            parts.append(rng.choice(words))
        parts.append(rng.choice(glue))
    print("".join(parts))
PY
paste "$work/text.txt" <(rustfilt < "$work/text.txt") <(rustfilt -h < "$work/text.txt") | gzip -9n > "$here/filter.tsv.gz"

echo "corpus: $(wc -l < "$work/symbols.txt") symbols ($(grep -c '^_R' "$work/symbols.txt") v0, $(grep -c '^_ZN' "$work/symbols.txt") legacy); cases: $(wc -l < "$work/cases.txt")" >&2
