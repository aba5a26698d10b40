// Test helper: skip where BPF is unavailable (with the reason), and prove that programs and links are gone from
// the kernel after a trace (polling, since freeing can trail the last close by an RCU grace period).
package dev.rustprobe.testing;

import dev.rustprobe.bpf.BpfSupport;
import dev.rustprobe.bpf.KernelObjects;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

public final class KernelCheck {
    private static Optional<String> unavailable;

    private KernelCheck() {}

    public static synchronized void assumeBpf() {
        if (unavailable == null) {
            unavailable = BpfSupport.unavailableReason();
        }
        assumeTrue(unavailable.isEmpty(), () -> "BPF is unavailable here: " + unavailable.orElse(""));
    }

    /** Fails unless, within 20 s, no program with one of these ids and no link to one of them is left. */
    public static void assertGone(Collection<Integer> programIds) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            List<Integer> progs = KernelObjects.programs().stream().map(KernelObjects.ProgInfo::id)
                    .filter(programIds::contains).toList();
            List<Integer> links = KernelObjects.links().stream().filter(l -> programIds.contains(l.progId()))
                    .map(KernelObjects.LinkInfo::id).toList();
            if (progs.isEmpty() && links.isEmpty()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                fail("still in the kernel 20 s after close: programs " + progs + ", links " + links);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted");
            }
        }
    }
}
