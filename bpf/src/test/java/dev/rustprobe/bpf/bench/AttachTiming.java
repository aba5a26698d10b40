// Quick attach/detach timing for n probes (used by bench/bpf/run.sh; not a test).
package dev.rustprobe.bpf.bench;

import dev.rustprobe.bpf.BpfMap;
import dev.rustprobe.bpf.Codec;
import dev.rustprobe.bpf.Probe;
import dev.rustprobe.bpf.Program;
import dev.rustprobe.bpf.ProgramType;
import dev.rustprobe.bpf.UprobeAttach;
import dev.rustprobe.bpf.UprobeLinks;
import dev.rustprobe.bpf.asm.Asm;
import dev.rustprobe.bpf.asm.Reg;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

public final class AttachTiming {
    public static void main(String[] args) {
        Path bin = Path.of(args[0]);
        int n = Integer.parseInt(args[1]);
        ProgramType type = ProgramType.valueOf(args[2]);
        Map<String, Long> offsets = dev.rustprobe.bpf.TestSupport.functionOffsets(bin);
        List<Probe> probes = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            probes.add(Probe.entry(offsets.get("rp_f" + i), i));
        }
        try (Program p = Program.load(type, new Asm().mov64Imm(Reg.R0, 0).exit().build(), "GPL", "rp_attach_t")) {
            long t0 = System.nanoTime();
            UprobeLinks l = UprobeAttach.attach(p, bin, probes, OptionalInt.empty());
            long t1 = System.nanoTime();
            l.close();
            long t2 = System.nanoTime();
            System.out.printf("%s %d attach_ms=%.1f detach_ms=%.1f%n", type, n, (t1 - t0) / 1e6, (t2 - t1) / 1e6);
        }
    }
}
