// Says whether this process can use BPF and uprobes here, and if not, why: tests skip with that reason
// and the tracer prints it.
package dev.rustprobe.bpf;

import dev.rustprobe.bpf.asm.Asm;
import dev.rustprobe.bpf.asm.Insn;
import dev.rustprobe.bpf.asm.Reg;
import java.util.List;
import java.util.Optional;

public final class BpfSupport {
    private BpfSupport() {
    }

    /**
     * Empty when maps can be created, a kprobe-type program loads (which needs CAP_BPF and CAP_PERFMON even where
     * unprivileged BPF is allowed) and the uprobe PMU exists; otherwise the reason, as a sentence.
     */
    public static Optional<String> unavailableReason() {
        try {
            try (BpfMap<Integer, Long> probe = BpfMap.array("rp_support", Codec.U64, 1)) {
                probe.fd();
            }
            List<Insn> trivial = new Asm().mov64Imm(Reg.R0, 0).exit().build();
            Program.load(ProgramType.KPROBE, trivial, "GPL", "rp_support").close();
            UprobePmu.read();
            return Optional.empty();
        } catch (BpfException e) {
            return Optional.of(e.getMessage());
        } catch (UnsatisfiedLinkError | NoClassDefFoundError | ExceptionInInitializerError e) {
            return Optional.of("cannot call into libc through JNA: " + e.getMessage());
        }
    }
}
