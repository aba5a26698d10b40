#!/usr/bin/env python3
# bench/trace: rustprobe trace side by side with bpftrace, on two hot loops calling place(id: u32, name: &str,
# qty: Option<u32>): sample-rust's orders::place, whose first instruction (`test`) the kernel single-steps, and
# bench/trace/hot.rs's hot::place, whose first instruction (`push`) it emulates. Root only; needs bpftrace, rustc,
# cargo, nm, objdump, bpftool. Usage and the meaning of every row: README.md beside this file.
import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RP = os.path.join(ROOT, "rustprobe")


def out(*cmd):
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


def iwi():
    """IRQ work interrupts so far, all CPUs: what a ring-buffer or perf-buffer wake-up from BPF costs."""
    with open("/proc/interrupts") as f:
        for line in f:
            if line.strip().startswith("IWI:"):
                return sum(int(x) for x in line.split()[1:] if x.isdigit())
    return 0


class Target:
    def __init__(self, key, binary, symbol, path, argv):
        self.key, self.binary, self.symbol, self.path, self.argv = key, binary, symbol, path, argv
        addr = next(l.split()[0] for l in out("nm", binary).splitlines() if l.endswith(" " + symbol))
        dis = out("objdump", "-d", "--no-show-raw-insn", "--start-address=0x" + addr, binary)
        self.first = next(l.split("\t")[1] for l in dis.splitlines() if re.match(r"^ +[0-9a-f]+:\t", l))


def targets(tmp):
    sr = out(os.path.join(ROOT, "sample-rust/build.sh"), "release-legacy").strip()
    sr_sym = next(l.split()[2] for l in out("nm", sr).splitlines() if " _ZN11sample_rust6orders5place17h" in l)
    hot = os.path.join(tmp, "hot")
    subprocess.run(["rustc", "-C", "opt-level=3", "-g", "-o", hot, os.path.join(ROOT, "bench/trace/hot.rs")],
                   check=True)
    hot_sym = next(l.split()[2] for l in out("nm", hot).splitlines() if " _ZN3hot5place17h" in l)
    return [Target("single-stepped entry (sample-rust orders::place)", sr, sr_sym, "sample_rust::orders::place",
                   lambda n: [sr, "--hot", str(n), "--quiet"]),
            Target("emulated entry (bench/trace/hot.rs hot::place)", hot, hot_sym, "hot::place",
                   lambda n: [hot, str(n)])]


def bt(script, argv):
    return ["bpftrace", "-q", "-e", script, "-c", " ".join(argv)]


CONFIGS = {
    "none": lambda t, a: a,
    "bt_count": lambda t, a: bt("uprobe:%s:%s { @c = count(); }" % (t.binary, t.symbol), a),
    "bt_printf": lambda t, a: bt('uprobe:%s:%s { printf("place(id: %%u, name: %%r, qty: %%u/%%u)\\n", (uint32)arg0,'
                                 ' buf(arg1, arg2), (uint8)arg3, (uint32)arg4); }' % (t.binary, t.symbol), a),
    "bt_hist": lambda t, a: bt("uprobe:%s:%s { @s[tid] = nsecs; } uretprobe:%s:%s /@s[tid]/ {"
                               " @h = hist(nsecs - @s[tid]); delete(@s[tid]); }"
                               % (t.binary, t.symbol, t.binary, t.symbol), a),
    "rp_record": lambda t, a: [RP, "trace", "--returns=none", t.binary, t.path, "--"] + a,
    "rp_record_copy": lambda t, a: ["env", "RUSTPROBE_FILE_READS=off", RP, "trace", "--returns=none", t.binary,
                                    t.path, "--"] + a,
    "rp_default": lambda t, a: [RP, "trace", t.binary, t.path, "--"] + a,
    "rp_rets": lambda t, a: [RP, "trace", "--returns=rets", t.binary, t.path, "--"] + a,
    "rp_uret": lambda t, a: [RP, "trace", "--returns=uretprobe", t.binary, t.path, "--"] + a,
}


def run(cmd):
    """Wall seconds, IRQ-work interrupts, and records lost (rustprobe's count; bpftrace's 'Lost N events')."""
    i0 = iwi()
    t0 = time.monotonic()
    p = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    t = time.monotonic() - t0
    i1 = iwi()
    if p.returncode != 0:
        sys.exit("bench/trace: failed (%d): %s\n%s" % (p.returncode, " ".join(cmd), p.stderr))
    m = re.search(r"(\d+) records lost", p.stderr) or re.search(r"Lost (\d+) events", p.stderr)
    return t, i1 - i0, int(m.group(1)) if m else 0


def bpf_cost(cmd, names, seconds=0.5):
    """ns per hit of the BPF programs named names* while cmd runs (kernel.bpf_stats_enabled), sampled with bpftool."""
    old = open("/proc/sys/kernel/bpf_stats_enabled").read().strip()
    subprocess.run(["sysctl", "-qw", "kernel.bpf_stats_enabled=1"], check=True)
    try:
        p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        best = {}
        time.sleep(seconds)
        while p.poll() is None:
            for l in out("bpftool", "prog", "show").splitlines():
                m = re.search(r"name (\S+).*run_time_ns (\d+) run_cnt (\d+)", l)
                # of programs with one name (other processes may load some too), the one this run hits most
                if (m and any(m.group(1).startswith(n) for n in names) and int(m.group(3)) > 0
                        and int(m.group(3)) >= best.get(m.group(1), (0, 0))[1]):
                    best[m.group(1)] = (int(m.group(2)), int(m.group(3)))
            time.sleep(0.2)
        p.wait()
        return {k: v[0] / v[1] for k, v in best.items()}
    finally:
        subprocess.run(["sysctl", "-qw", "kernel.bpf_stats_enabled=" + old], check=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("runs", nargs="?", type=int, default=5)
    ap.add_argument("--calls", type=int, default=200000, help="calls per run, single-stepped target")
    ap.add_argument("--hot-calls", type=int, default=2000000, help="calls per run, emulated target")
    ap.add_argument("--lost-calls", type=int, default=2000000)
    a = ap.parse_args()
    subprocess.run([RP, "--help"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # builds the jar
    with tempfile.TemporaryDirectory() as tmp:
        ts = targets(tmp)
        calls = {ts[0].key: a.calls, ts[1].key: a.hot_calls}
        print("# %s, %d CPUs, %s, %s" % (os.uname().release, os.cpu_count(), out("bpftrace", "--version").strip(),
                                         subprocess.run(["java", "-version"], capture_output=True,
                                                        text=True).stderr.splitlines()[0]))
        print("# load before: %s; medians of %d rounds, each round running every configuration in turn"
              % (" ".join(open("/proc/loadavg").read().split()[:3]), a.runs))
        # warm-up: the first trace of a jar writes its CDS archive
        subprocess.run(CONFIGS["rp_record"](ts[0], ts[0].argv(0)), stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        res = {}
        for _ in range(a.runs):
            for t in ts:
                for c, f in CONFIGS.items():
                    for n in (0, calls[t.key]):
                        res.setdefault((t.key, c, n), []).append(run(f(t, t.argv(n))))
        for t in ts:
            n = calls[t.key]
            print("\n## %s: first instruction `%s`, %d calls per run" % (t.key, t.first, n))
            ns = {}
            for c in CONFIGS:
                t0 = statistics.median(r[0] for r in res[(t.key, c, 0)])
                tn = statistics.median(r[0] for r in res[(t.key, c, n)])
                ns[c] = (tn - t0) * 1e9 / n
            base = ns["none"]
            over = {c: ns[c] - base for c in ns}
            print("| configuration | ns/call over the loop | IRQ-work interrupts per call | lost (median) | ratio |")
            print("| --- | ---: | ---: | ---: | --- |")
            notes = {
                "rp_record": "%.2fx bpftrace count (target <= 1.3), %.2fx bpftrace printf (target <= 0.2);"
                             " what recording adds to the probe hit (over count) is %.2fx what printf adds"
                             % (over["rp_record"] / over["bt_count"], over["rp_record"] / over["bt_printf"],
                                (over["rp_record"] - over["bt_count"]) / (over["bt_printf"] - over["bt_count"])),
                "rp_record_copy": "%.2fx bpftrace count: the same with the probe copying the literal too"
                                  " (RUSTPROBE_FILE_READS=off)" % (over["rp_record_copy"] / over["bt_count"]),
                "rp_default": "%.2fx bpftrace hist (target <= 1.0)" % (over["rp_default"] / over["bt_hist"]),
                "rp_rets": "%.2fx bpftrace hist" % (over["rp_rets"] / over["bt_hist"]),
                "rp_uret": "%.2fx bpftrace hist" % (over["rp_uret"] / over["bt_hist"]),
            }
            for c in CONFIGS:
                if c == "none":
                    print("| the loop itself | %.0f ns/call | | | |" % base)
                    continue
                irq = statistics.median(r[1] for r in res[(t.key, c, n)]) / n
                lost = statistics.median(r[2] for r in res[(t.key, c, n)])
                print("| %s | %.0f | %.3f | %d | %s |" % (c, over[c], irq, lost, notes.get(c, "")))
            costs = bpf_cost(CONFIGS["rp_record"](t, t.argv(a.lost_calls)), ["rp_site"])
            ccost = bpf_cost(CONFIGS["rp_record_copy"](t, t.argv(a.lost_calls)), ["rp_site"])
            bcost = bpf_cost(CONFIGS["bt_count"](t, t.argv(a.lost_calls)), ["_ZN"])
            print("\nBPF program per hit (bpf_stats): rustprobe --returns=none %s (copying the literal: %s);"
                  " bpftrace count() %s" % (", ".join("%.0f ns" % v for v in costs.values()) or "?",
                                            ", ".join("%.0f ns" % v for v in ccost.values()) or "?",
                                            ", ".join("%.0f ns" % v for v in bcost.values()) or "?"))
            _, _, lost = run(CONFIGS["rp_record"](t, t.argv(a.lost_calls)))
            print("records lost at %d calls, rustprobe --returns=none: %d" % (a.lost_calls, lost))
        print("\n# load after: %s" % " ".join(open("/proc/loadavg").read().split()[:3]))
        startup(a.runs)


def startup(runs):
    """Command start to probes live: T(tool running the command) - T(command alone), for two cases."""
    sr = out(os.path.join(ROOT, "sample-rust/build.sh"), "release-legacy").strip()
    sysroot = out("rustc", "--print", "sysroot").strip()
    lib = sorted(f for f in os.listdir(sysroot + "/lib") if f.startswith("librustc_driver-"))[0]
    lib = sysroot + "/lib/" + lib
    libsym = next(l.split()[2] for l in out("nm", "-D", "--defined-only", lib).splitlines()
                  if re.search(r" T _R.*rustc_driver_impl4main$", l))
    sr_sym = next(l.split()[2] for l in out("nm", sr).splitlines() if " _ZN11sample_rust6orders5place17h" in l)
    rustc = out("sh", "-c", "command -v rustc").strip()
    cases = {
        "sr_alone": [sr, "--hot", "0", "--quiet"],
        "sr_bt": bt("uprobe:%s:%s { @c = count(); }" % (sr, sr_sym), [sr, "--hot", "0", "--quiet"]),
        "sr_rp": [RP, "trace", "--returns=none", sr, "sample_rust::orders::place", "--", sr, "--hot", "0", "--quiet"],
        "lib_alone": [rustc, "-V"],
        "lib_bt": bt("uprobe:%s:%s { @c = count(); }" % (lib, libsym), [rustc, "-V"]),
        "lib_rp": [RP, "trace", "--returns=none", lib, "rustc_driver_impl::main", "--", rustc, "-V"],
    }
    t = {k: [] for k in cases}
    for _ in range(runs):
        for k, c in cases.items():
            t[k].append(run(c)[0])
    m = {k: statistics.median(v) for k, v in t.items()}
    print("start-up, sample-rust: bpftrace %.2f s, rustprobe %.2f s (target < 0.5 s)"
          % (m["sr_bt"] - m["sr_alone"], m["sr_rp"] - m["sr_alone"]))
    print("start-up, librustc_driver (rustc_driver_impl::main): bpftrace %.2f s, rustprobe %.2f s (target < 1 s)"
          % (m["lib_bt"] - m["lib_alone"], m["lib_rp"] - m["lib_alone"]))


if __name__ == "__main__":
    main()
