// Every generated-program test of ProbeProgramKernelTest again, attached the way kernels without uprobe_multi links
// attach (RUSTPROBE_ATTACH=perf-event: one perf-event uprobe and BPF link per site), on the real kernel.
package dev.rustprobe.trace;

import dev.rustprobe.bpf.UprobeLinks;
import dev.rustprobe.testing.PerfEventAttach;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

@ExtendWith(PerfEventAttach.class)
class PerfEventProbeProgramKernelTest extends ProbeProgramKernelTest {
    @AfterEach
    void attachedThroughPerfEvents() {
        assertEquals(List.of(UprobeLinks.Kind.PERF_EVENT), linkKinds, "the forced path was the one taken");
        linkKinds = null;
    }
}
