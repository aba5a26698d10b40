// Every generated-program test of ProbeProgramKernelTest again, attached the way kernels without uprobe_multi links
// attach (RUSTPROBE_ATTACH=perf-event: one perf-event uprobe and BPF link per site), on the real kernel.
package dev.rustprobe.trace;

import dev.rustprobe.bpf.UprobeAttach;
import dev.rustprobe.bpf.UprobeLinks;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class PerfEventProbeProgramKernelTest extends ProbeProgramKernelTest {
    @BeforeAll
    static void forcePerfEvents() {
        System.setProperty(UprobeAttach.ATTACH_PROPERTY, "perf-event");
    }

    @AfterAll
    static void detect() {
        System.clearProperty(UprobeAttach.ATTACH_PROPERTY);
    }

    @AfterEach
    void attachedThroughPerfEvents() {
        assertEquals(List.of(UprobeLinks.Kind.PERF_EVENT), linkKinds, "the forced path was the one taken");
        linkKinds = null;
    }
}
