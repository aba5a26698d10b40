// Public door to the package-private ManyFunctions generator, for the benchmark main.
package dev.rustprobe.bpf;

import java.nio.file.Path;

public final class ManyFunctionsAccess {
    private ManyFunctionsAccess() {
    }

    public static Path binary(int n) {
        return ManyFunctions.binary(n);
    }
}
