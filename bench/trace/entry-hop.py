#!/usr/bin/env python3
# bench/trace: a moved entry probe (EntryHop) against --exact-entry, on a function whose first instruction the kernel
# single-steps but whose entry probe moves to an emulated one: sample-rust's debug build, orders::place, in its hot
# loop (`--hot N --quiet`), with bpftrace count() at the symbol as the peer (bpftrace 0.17 here refuses a probe
# inside a function: it was built without the offset check). Root only; needs bpftrace, cargo.
# Usage: entry-hop.sh [RUNS] [--calls N]; README.md beside this file.
import argparse
import json
import os
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench import RP, ROOT, bt, out, run  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("runs", nargs="?", type=int, default=5)
    ap.add_argument("--calls", type=int, default=200000)
    a = ap.parse_args()
    sr = out(os.path.join(ROOT, "sample-rust/build.sh"), "debug").strip()
    path = "sample_rust::orders::place"
    sym = next(l.split()[2] for l in out("nm", sr).splitlines() if " _ZN11sample_rust6orders5place17h" in l)
    copy = json.loads(out(RP, "explain", "--json", sr, path))["matches"][0]["copies"][0]
    hop = copy["entryHopWithoutUretprobe"] or copy["entryHop"]
    if not hop["moved"]:
        sys.exit("entry-hop: the entry probe of %s does not move: %s" % (path, hop["reason"]))
    argv = lambda n: [sr, "--hot", str(n), "--quiet"]
    configs = {
        "none": lambda n: argv(n),
        "bt_count at +0": lambda n: bt("uprobe:%s:%s { @c = count(); }" % (sr, sym), argv(n)),
        "rp --returns=none": lambda n: [RP, "trace", "--returns=none", sr, path, "--"] + argv(n),
        "rp --returns=none --exact-entry": lambda n: [RP, "trace", "--returns=none", "--exact-entry", sr, path,
                                                      "--"] + argv(n),
        "rp --returns=rets": lambda n: [RP, "trace", "--returns=rets", sr, path, "--"] + argv(n),
        "rp --returns=rets --exact-entry": lambda n: [RP, "trace", "--returns=rets", "--exact-entry", sr, path,
                                                      "--"] + argv(n),
    }
    print("# %s, %d CPUs, %s" % (os.uname().release, os.cpu_count(), out("bpftrace", "--version").strip()))
    print("# %s in %s: %s" % (path, sr, hop["sentence"]))
    print("# load before: %s; medians of %d rounds, each round running every configuration in turn"
          % (" ".join(open("/proc/loadavg").read().split()[:3]), a.runs))
    subprocess.run(configs["rp --returns=none"](0), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # warm-up
    res = {}
    for _ in range(a.runs):
        for c, f in configs.items():
            for n in (0, a.calls):
                res.setdefault((c, n), []).append(run(f(n)))
    ns = {}
    for c in configs:
        t0 = statistics.median(r[0] for r in res[(c, 0)])
        tn = statistics.median(r[0] for r in res[(c, a.calls)])
        ns[c] = (tn - t0) * 1e9 / a.calls
    base = ns["none"]
    print("\n%d calls per run; ns per call over the loop without a probe (the loop itself: %.0f ns/call)\n"
          % (a.calls, base))
    print("| configuration | ns/call | lost (median) |")
    print("| --- | ---: | ---: |")
    for c in configs:
        if c != "none":
            print("| %s | %.0f | %d |" % (c, ns[c] - base, statistics.median(r[2] for r in res[(c, a.calls)])))
    for mode in ("none", "rets"):
        moved = ns["rp --returns=%s" % mode] - base
        exact = ns["rp --returns=%s --exact-entry" % mode] - base
        print("\n--returns=%s: moved %.0f ns against --exact-entry %.0f ns per call: %.1fx cheaper"
              % (mode, moved, exact, exact / moved if moved > 0 else float("inf")), end="")
    print("\n\n# load after: %s" % " ".join(open("/proc/loadavg").read().split()[:3]))


if __name__ == "__main__":
    main()
