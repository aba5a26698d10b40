#!/usr/bin/env bash
# Regenerates truth-VARIANT.tsv (where each parameter and return value of every traced sample-rust function really
# was at the raw entry address / at the return) and capture-VARIANT.jsonl.gz (the raw registers, stack and memory).
# Truth comes from gdb reading machine state at `break *addr` (no DWARF) and from the program's own truth lines.
# Usage: regenerate-truth.sh [VARIANT...]   (default: release-legacy release-v0 debug release-dwarf5 release-v0-dwarf5)
# Needs gdb (13), nm, python3, llvm-dwarfdump (only to list the inlined sites' code ranges, not their locations).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../../../.." && pwd)"
variants=("$@")
[ ${#variants[@]} -gt 0 ] || variants=(release-legacy release-v0 debug release-dwarf5 release-v0-dwarf5)
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
for v in "${variants[@]}"; do
  bin="$("$root/sample-rust/build.sh" "$v")"
  "$bin" > "$tmp/plain.out" 2>/dev/null
  nm -C --defined-only "$bin" | awk '$2 ~ /^[tT]$/' > "$tmp/nm.txt"
  # map each traced function of the truth lines to its symbol addresses; names at one address form one group
  python3 - "$tmp/plain.out" "$tmp/nm.txt" "$tmp/addrs.tsv" <<'PY'
import re, sys
out, nm, dest = sys.argv[1:4]
fns = {l.split("\t")[2] for l in open(out, encoding="utf-8") if l.split("\t")[0] in ("CALL", "NESTED", "PANIC")}
def legacy(n):  # the legacy demangling of a v0 path (README: no type arguments, {{closure}}, no <> for inherent)
    n = re.sub(r"\{closure#\d+\}", "{{closure}}", n)
    n = re.sub(r"::<[^<>]*(<[^<>]*>)?[^<>]*>$", "", n)
    m = re.match(r"^<([^ ]+)>::(.*)$", n)
    return m.group(1) + "::" + m.group(2) if m else n
syms = {}
for line in open(nm, encoding="utf-8"):
    a, _, name = line.rstrip("\n").split(" ", 2)
    syms.setdefault(name, set()).add(a)
parent = {}
def find(x):
    while parent.setdefault(x, x) != x:
        x = parent[x]
    return x
fn_addrs = {}
for f in fns:
    addrs = syms.get(f) or syms.get(legacy(f)) or set()
    if not addrs:
        sys.exit("no symbol for " + f)
    fn_addrs[f] = addrs
    for a in addrs:
        parent[find("a" + a)] = find("f" + legacy(f))
with open(dest, "w") as o:
    for f in sorted(fns):
        o.write("%s\t%s\n" % (f, find("f" + legacy(f))))
with open(dest + ".symbols", "w") as o:
    for f in sorted(fns):
        o.write("%s\t%s\n" % (f, ",".join(sorted(fn_addrs[f]))))
with open(dest + ".addrs", "w") as o, open(dest + ".list", "w") as l:
    for a in sorted({a for s in fn_addrs.values() for a in s}):
        o.write("%x\t%s\n" % (int(a, 16), find("a" + a)))
        l.write(a + "\n")
PY
  # the first address of every code range of each inlined sample_rust::inline helper, with its call line
  llvm-dwarfdump --debug-info "$bin" | python3 -c '
import re, sys
block, out = None, set()
def flush(b):
    if b and re.search(r"sample_rust6inline|11sample_rust6inline|Cs\w*_11sample_rust6inline", b["origin"]) \
            and b["line"]:
        for a in b["starts"]:
            out.add("%x\t%d" % (a, b["line"]))
for line in sys.stdin:
    if "DW_TAG" in line:
        flush(block)
        block = {"origin": "", "starts": [], "line": 0} if "DW_TAG_inlined_subroutine" in line else None
    elif block is not None:
        m = re.search(r"DW_AT_abstract_origin\s+\(0x[0-9a-f]+ \"([^\"]*)\"", line)
        if m:
            block["origin"] = m.group(1)
        m = re.search(r"DW_AT_low_pc\s+\(0x([0-9a-f]+)\)", line)
        if m:
            block["starts"].append(int(m.group(1), 16))
        m = re.match(r"\s+\[0x([0-9a-f]+), 0x[0-9a-f]+\)", line)
        if m and not block.get("in_loc"):
            block["starts"].append(int(m.group(1), 16))
        if "DW_AT_call_line" in line:
            block["line"] = int(re.search(r"\((\d+)\)", line).group(1))
flush(block)
print("\n".join(sorted(out)))
' > "$tmp/inline.tsv"
  CAPTURE_INLINE="$tmp/inline.tsv" CAPTURE_ADDRS="$tmp/addrs.tsv.list" CAPTURE_OUT="$tmp/cap.jsonl" CAPTURE_STDOUT="$tmp/gdb.out" \
    timeout 300 gdb -batch -nx -x "$here/gdb_capture.py" "$bin" > "$tmp/gdb.log" 2>&1 || { cat "$tmp/gdb.log" >&2; exit 1; }
  python3 "$here/derive_locations.py" "$root/sample-rust/src" "$tmp/cap.jsonl" "$tmp/gdb.out" "$tmp/addrs.tsv" \
    > "$here/truth-$v.tsv"
  cp "$tmp/gdb.out" "$here/stdout-$v.txt"
  { echo "# truth function<TAB>symbol addresses (nm -C), all copies of the name"; cat "$tmp/addrs.tsv.symbols"; } > "$here/symbols-$v.tsv"
  gzip -9n < "$tmp/cap.jsonl" > "$here/capture-$v.jsonl.gz"
  echo "truth-$v.tsv: $(grep -vc '^#' "$here/truth-$v.tsv") rows" >&2
done
