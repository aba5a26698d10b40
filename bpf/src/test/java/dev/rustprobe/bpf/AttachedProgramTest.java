// The tracer's entry point: load in the kernel's preferred form and attach; and the fallback form (one
// perf-event link per probe, as on kernels without uprobe_multi) counting the same calls.
package dev.rustprobe.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AttachedProgramTest {
    private Path target;

    @BeforeEach
    void setUp() {
        TestSupport.assumeBpf();
        target = TestSupport.probeTarget();
    }

    private void countsWith(ProgramType type, UprobeLinks.Kind kind) throws InterruptedException {
        long hit = TestSupport.offsetOf(target, "rp_hit");
        String name = TestSupport.uniqueName("rpt_ap");
        try (BpfMap<Integer, Long> counts = BpfMap.array("rpt_ap", Codec.U64, 2)) {
            AttachedProgram ap = type == null
                    ? AttachedProgram.loadAndAttach(HitCounter.byCookie(counts.fd()), "GPL", name, target,
                            List.of(Probe.entry(hit, 0), Probe.ret(hit, 1)), OptionalInt.empty())
                    : AttachedProgram.loadAndAttach(type, HitCounter.byCookie(counts.fd()), "GPL", name, target,
                            List.of(Probe.entry(hit, 0), Probe.ret(hit, 1)), OptionalInt.empty());
            try (ap) {
                assertEquals(kind, ap.links().kind());
                TestSupport.run(List.of(target.toString(), "count", "77", "3"));
                assertEquals(77L, counts.lookup(0).orElseThrow());
                assertEquals(77L, counts.lookup(1).orElseThrow());
            }
            // A uprobe_multi link lets go of its program after an RCU grace period, so wait for it.
            LifetimeTest.awaitGone(name, List.of());
        }
    }

    @Test
    void preferredFormOnThisKernelIsUprobeMulti() throws InterruptedException {
        countsWith(null, UprobeLinks.Kind.MULTI);
    }

    @Test
    void fallbackFormCountsTheSame() throws InterruptedException {
        countsWith(ProgramType.KPROBE, UprobeLinks.Kind.PERF_EVENT);
    }

    @Test
    void failedAttachUnloadsTheProgram() throws InterruptedException {
        String name = TestSupport.uniqueName("rpt_apf");
        try (BpfMap<Integer, Long> counts = BpfMap.array("rpt_apf", Codec.U64, 1)) {
            assertThrows(BpfException.class, () -> AttachedProgram.loadAndAttach(HitCounter.byCookie(counts.fd()),
                    "GPL", name, target, List.of(Probe.entry(1L << 40, 0)), OptionalInt.empty()));
            LifetimeTest.awaitGone(name, List.of());
        }
    }
}
