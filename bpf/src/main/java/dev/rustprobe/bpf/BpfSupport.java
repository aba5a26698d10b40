// Says whether this process can use BPF and uprobes here, and if not, why: tests skip with that reason
// and the tracer prints it.
package dev.rustprobe.bpf;

import java.util.Optional;

public final class BpfSupport {
    private BpfSupport() {
    }

    /** Empty when maps can be created and the uprobe PMU exists; otherwise the reason, as a sentence. */
    public static Optional<String> unavailableReason() {
        try {
            try (BpfMap<Integer, Long> probe = BpfMap.array("rp_support", Codec.U64, 1)) {
                probe.fd();
            }
            UprobePmu.read();
            return Optional.empty();
        } catch (BpfException e) {
            return Optional.of(e.getMessage());
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
            return Optional.of("cannot call into libc through JNA: " + e.getMessage());
        }
    }
}
