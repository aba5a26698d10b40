// Coverage-guided fuzzing of the demangler with Jazzer (stored inputs in the suite, fuzzing in bench/fuzz): legacy
// and v0 bodies behind their prefixes, demangled without appendDemangled's safety net, so that a parser exception,
// a runaway allocation or a slow input is a finding rather than a silent "not a Rust symbol".
package dev.rustprobe.demangle;

import com.code_intelligence.jazzer.junit.FuzzTest;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;

class DemanglerFuzzTest {
    /**
     * Four renderings (two styles, guarded and not) of up to MAX_SIZE characters each take about 9 MB; under
     * Jazzer's instrumentation (string-compare hooks) about ten times that, so the floor leaves room for both.
     */
    private static final long ALLOCATION_FLOOR = 256L << 20;
    private static final long NANOS = 5_000_000_000L;
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    static void check(String symbol) {
        if (!withinBudget(symbol)) {
            // the first run of a code path loads (and under Jazzer, instruments) classes on this thread, which
            // counts as allocation and time; only a symbol over budget a second time is a finding
            if (!withinBudget(symbol)) {
                throw new AssertionError(last);
            }
        }
    }

    private static String last;

    private static boolean withinBudget(String symbol) {
        long allocated = THREADS.getCurrentThreadAllocatedBytes();
        long started = System.nanoTime();
        for (boolean hash : new boolean[] {false, true}) {
            StringBuilder out = new StringBuilder();
            boolean rust = Demangler.tryAppendDemangled(symbol, hash, out);
            if (out.length() > Output.MAX_SIZE + 32 + symbol.length()) {
                throw new AssertionError("output of " + out.length() + " chars for a " + symbol.length() + "-char symbol");
            }
            String guarded = Demangler.demangle(symbol, hash);
            if (rust != (guarded != null) || (rust && !guarded.contentEquals(out))) {
                throw new AssertionError("demangle disagrees with the unguarded rendering of " + symbol);
            }
        }
        long took = System.nanoTime() - started;
        long bytes = THREADS.getCurrentThreadAllocatedBytes() - allocated;
        last = took / 1_000_000 + " ms and " + bytes + " bytes for a " + symbol.length() + "-char symbol";
        return took <= NANOS && bytes <= ALLOCATION_FLOOR + 64L * symbol.length();
    }

    /** Input bytes as chars one to one, so every mutation of a byte is a mutation of a character. */
    private static String body(byte[] data) {
        return new String(data, StandardCharsets.ISO_8859_1);
    }

    @FuzzTest(maxDuration = "30s")
    void legacy(byte[] data) {
        check("_ZN" + body(data));
    }

    @FuzzTest(maxDuration = "30s")
    void v0(byte[] data) {
        check("_R" + body(data));
    }
}
