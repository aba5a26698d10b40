// Measurements for bench/bpf/run.sh (not a test): ring buffer drain rate, attach/detach times, per-hit cost.
// Prints "name value unit" lines with medians over the given number of runs.
package dev.rustprobe.bpf.bench;

import dev.rustprobe.bpf.Probe;
import dev.rustprobe.bpf.Program;
import dev.rustprobe.bpf.ProgramType;
import dev.rustprobe.bpf.PtRegs;
import dev.rustprobe.bpf.RingBuffer;
import dev.rustprobe.bpf.TestSupport;
import dev.rustprobe.bpf.UprobeAttach;
import dev.rustprobe.bpf.UprobeLinks;
import dev.rustprobe.bpf.asm.Asm;
import dev.rustprobe.bpf.asm.Insn;
import dev.rustprobe.bpf.asm.Reg;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

public final class BpfBench {
    public static void main(String[] args) {
        String mode = args[0];
        int runs = Integer.parseInt(args[1]);
        switch (mode) {
            case "drain" -> drain(Long.parseLong(args[2]), runs);
            case "attach" -> attach(runs, Arrays.stream(args, 2, args.length).mapToInt(Integer::parseInt).toArray());
            case "hitcost" -> hitCost(Long.parseLong(args[2]), runs);
            default -> throw new IllegalArgumentException("mode: drain | attach | hitcost");
        }
    }

    static double median(List<Double> xs) {
        List<Double> s = new ArrayList<>(xs);
        s.sort(null);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    static List<Insn> empty() {
        return new Asm().mov64Imm(Reg.R0, 0).exit().build();
    }

    /** Fills a ring buffer with n 64-byte records from a uprobe (nobody reading), then times draining them. */
    static void drain(long n, int runs) {
        Path target = TestSupport.probeTarget();
        long hit = TestSupport.offsetOf(target, "rp_hit");
        List<Double> rates = new ArrayList<>();
        for (int r = 0; r < runs; r++) {
            try (RingBuffer rb = RingBuffer.open("rp_bench", 256 << 20)) {
                Asm a = new Asm();
                a.mov64Reg(Reg.R6, Reg.R1);
                rb.emitReserve(a, 64, Reg.R7, -8, "out");
                a.ldxdw(Reg.R1, Reg.R6, PtRegs.RDI.offset()).stxdw(Reg.R7, 0, Reg.R1);
                RingBuffer.emitSubmit(a, Reg.R7);
                a.label("out").mov64Imm(Reg.R0, 0).exit();
                try (Program p = Program.load(ProgramType.UPROBE_MULTI, a.build(), "GPL", "rp_bench_rb");
                     UprobeLinks l = UprobeAttach.attach(p, target, List.of(Probe.entry(hit, 0)), OptionalInt.empty())) {
                    TestSupport.run(List.of(target.toString(), "count", Long.toString(n), "0"));
                }
                long[] sum = {0};
                long got = 0;
                long t0 = System.nanoTime();
                int k;
                while ((k = rb.poll(0, b -> sum[0] += b.getLong(0))) > 0) {
                    got += k;
                }
                long t1 = System.nanoTime();
                if (got != n || rb.lostCount() != 0 || sum[0] != n * (n - 1) / 2) {
                    throw new IllegalStateException("drained " + got + " of " + n + ", lost " + rb.lostCount());
                }
                rates.add(n / ((t1 - t0) / 1e9));
            }
        }
        System.out.printf("drain_records_per_s %.0f records/s (64-byte records, %d per run, median of %d)%n",
                median(rates), n, runs);
    }

    /** Attach and detach times of the empty program for each probe count, through both kernel paths. */
    static void attach(int runs, int[] counts) {
        int max = Arrays.stream(counts).max().orElse(1);
        Path bin = ManyFunctionsBench.binary(Math.max(max, 1000));
        Map<String, Long> offsets = TestSupport.functionOffsets(bin);
        for (ProgramType type : new ProgramType[] {ProgramType.UPROBE_MULTI, ProgramType.KPROBE}) {
            for (int n : counts) {
                List<Probe> probes = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    probes.add(Probe.entry(offsets.get("rp_f" + i), i));
                }
                List<Double> att = new ArrayList<>();
                List<Double> det = new ArrayList<>();
                try (Program p = Program.load(type, empty(), "GPL", "rp_bench_att")) {
                    for (int r = 0; r < runs; r++) {
                        long t0 = System.nanoTime();
                        UprobeLinks l = UprobeAttach.attach(p, bin, probes, OptionalInt.empty());
                        long t1 = System.nanoTime();
                        l.close();
                        long t2 = System.nanoTime();
                        att.add((t1 - t0) / 1e6);
                        det.add((t2 - t1) / 1e6);
                    }
                }
                String path = type == ProgramType.UPROBE_MULTI ? "multi" : "one_by_one";
                System.out.printf("attach_ms %s %d %.2f%n", path, n, median(att));
                System.out.printf("detach_ms %s %d %.2f%n", path, n, median(det));
                System.out.flush();
            }
        }
    }

    /** Loop time of n calls to rp_empty without a probe and with the empty program attached both ways. */
    static void hitCost(long n, int runs) {
        Path target = TestSupport.probeTarget();
        long off = TestSupport.offsetOf(target, "rp_empty");
        List<String> cmd = List.of(target.toString(), "loop", Long.toString(n));
        System.out.printf("loop_ns none %.0f%n", loop(cmd, runs));
        for (ProgramType type : new ProgramType[] {ProgramType.UPROBE_MULTI, ProgramType.KPROBE}) {
            try (Program p = Program.load(type, empty(), "GPL", "rp_bench_hit");
                 UprobeLinks l = UprobeAttach.attach(p, target, List.of(Probe.entry(off, 0)), OptionalInt.empty())) {
                System.out.printf("loop_ns %s %.0f%n", type == ProgramType.UPROBE_MULTI ? "multi" : "one_by_one",
                        loop(cmd, runs));
            }
        }
    }

    static double loop(List<String> cmd, int runs) {
        List<Double> ns = new ArrayList<>();
        for (int r = 0; r < runs; r++) {
            ns.add(Double.parseDouble(TestSupport.run(cmd).strip()));
        }
        return median(ns);
    }
}
