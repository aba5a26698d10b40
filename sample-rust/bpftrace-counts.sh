#!/usr/bin/env bash
# Cross-checks the truth lines with the kernel: counts uprobe hits on every library function of the release-legacy
# build with bpftrace, and compares them with the CALL/NESTED/PANIC lines of one run. Prints the differences
# (expected: none, except that each name of an alias group counts the calls of the whole group, and generic
# copies are counted per copy). Needs root, bpftrace and rustfilt.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bin="$("$here/build.sh" release-legacy)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
prog=""
for s in $(nm --defined-only "$bin" | awk '$2 ~ /^[tT]$/ && $3 ~ /^_ZN(11sample_rust|[0-9]+_\$LT\$sample_rust)/ { print $3 }'); do
  case "$(echo "$s" | rustfilt)" in
    sample_rust::main*|sample_rust::truth::*|sample_rust::*_calls*|sample_rust::parse_args*|*sample_rust::truth::*|*Debug*) continue ;;
  esac
  prog="$prog uprobe:$bin:\"$s\" { @[probe] = count(); }"
done
bpftrace -e "$prog" -c "$bin --quiet" 2>/dev/null | sed -nE 's/^@\[uprobe:[^:]*:([^]]*)\]: ([0-9]+)$/\2 \1/p' | rustfilt \
  | awk '{ n = $1; $1 = ""; sub(/^ /, ""); c[$0] += n } END { for (k in c) printf "%d\t%s\n", c[k], k }' | sort -t$'\t' -k2 >"$tmp/kernel"
"$bin" 2>/dev/null | awk -F'\t' '$1 == "CALL" || $1 == "NESTED" || $1 == "PANIC" { print $3 }' \
  | sed -E 's/::<.*>$//; s/\{closure#[0-9]+\}/{{closure}}/; s/^<(sample_rust::[a-z_]+::[A-Za-z]+)>::/\1::/' \
  | sort | uniq -c | awk '{ n = $1; $1 = ""; sub(/^ /, ""); printf "%d\t%s\n", n, $0 }' | sort -t$'\t' -k2 >"$tmp/truth"
echo "# calls per function: truth lines (<) vs uprobe hits (>)"
diff "$tmp/truth" "$tmp/kernel" && echo "no differences"
