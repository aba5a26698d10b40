// Test extension: the tests of a class attach through perf-event uprobes (rustprobe.attach=perf-event, what
// RUSTPROBE_ATTACH=perf-event sets for users), the path of kernels without uprobe_multi links.
package dev.rustprobe.testing;

import dev.rustprobe.bpf.UprobeAttach;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

public final class PerfEventAttach implements BeforeAllCallback, AfterAllCallback {
    @Override
    public void beforeAll(ExtensionContext context) {
        System.setProperty(UprobeAttach.ATTACH_PROPERTY, "perf-event");
    }

    @Override
    public void afterAll(ExtensionContext context) {
        System.clearProperty(UprobeAttach.ATTACH_PROPERTY);
    }
}
