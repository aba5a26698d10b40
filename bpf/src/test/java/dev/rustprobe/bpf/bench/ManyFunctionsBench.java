// Exposes the test's many-function binary to the benchmark package.
package dev.rustprobe.bpf.bench;

import java.nio.file.Path;

final class ManyFunctionsBench {
    private ManyFunctionsBench() {
    }

    static Path binary(int n) {
        return dev.rustprobe.bpf.ManyFunctionsAccess.binary(n);
    }
}
