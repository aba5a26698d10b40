// The one oracle every reader fuzz target shares, in Jazzer's fuzzing and regression modes and in the seeded
// mutation loops of the normal suite: only the reader's documented exception may escape, with a one-line message,
// and no input may allocate beyond a fixed budget or run longer than a fixed time.
package dev.rustprobe.testing;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

public final class FuzzOracle {
    /** What one input may allocate: a fixed floor plus a multiple of its size (every reader copies a little). */
    public static final long ALLOCATION_FLOOR = 64L << 20;
    public static final long ALLOCATION_PER_INPUT_BYTE = 64;
    /** Mutations every loop runs even when its time budget is spent first. */
    public static final int MIN_MUTATIONS = 200;
    /** What one input may take on its own; Jazzer's -timeout bounds it preemptively when fuzzing. */
    public static final Duration INPUT_TIME = Duration.ofSeconds(5);

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private FuzzOracle() {
    }

    /** A reader's failure that is a bug: it names the input so the finding can be kept as a regression input. */
    public static final class Finding extends AssertionError {
        Finding(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * Runs body on input; returns true when it ended in one of the allowed exceptions (a rejection), false when
     * it read the input without complaint, and throws a {@link Finding} for anything else.
     */
    @SafeVarargs
    public static boolean check(byte[] input, Consumer<byte[]> body, Class<? extends RuntimeException>... allowed) {
        try {
            return measured(input, body, allowed);
        } catch (OverBudget first) {
            // the first run of a code path loads (and under Jazzer, instruments) classes on this thread, which
            // counts as allocation and time; only an input that is over budget a second time is a finding
            try {
                return measured(input, body, allowed);
            } catch (OverBudget again) {
                throw new Finding(again.getMessage(), null);
            }
        }
    }

    private static final class OverBudget extends RuntimeException {
        OverBudget(String message) {
            super(message, null, false, false);
        }
    }

    @SafeVarargs
    private static boolean measured(byte[] input, Consumer<byte[]> body, Class<? extends RuntimeException>... allowed) {
        long allocatedBefore = THREADS.getCurrentThreadAllocatedBytes();
        long started = System.nanoTime();
        boolean rejected = false;
        try {
            body.accept(input);
        } catch (Finding f) {
            throw f;
        } catch (Throwable t) {
            if (!isAllowed(t, allowed)) {
                throw new Finding(t.getClass().getName() + " escaped on " + describe(input) + ": " + t.getMessage(), t);
            }
            String m = t.getMessage();
            if (m == null || m.isBlank() || m.contains("\n")) {
                throw new Finding("the message of " + t.getClass().getSimpleName() + " is not one line: " + m, t);
            }
            rejected = true;
        }
        long allocated = THREADS.getCurrentThreadAllocatedBytes() - allocatedBefore;
        long budget = ALLOCATION_FLOOR + ALLOCATION_PER_INPUT_BYTE * input.length;
        if (allocated > budget) {
            throw new OverBudget("allocated " + allocated + " bytes (budget " + budget + ") on " + describe(input));
        }
        long took = System.nanoTime() - started;
        if (took > INPUT_TIME.toNanos()) {
            throw new OverBudget("took " + took / 1_000_000 + " ms (limit " + INPUT_TIME.toMillis() + ") on "
                    + describe(input));
        }
        return rejected;
    }

    private static boolean isAllowed(Throwable t, Class<? extends RuntimeException>[] allowed) {
        for (Class<? extends RuntimeException> c : allowed) {
            if (c.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    /** Enough of an input to recreate it by hand when it is small, else its size and head. */
    public static String describe(byte[] input) {
        int shown = Math.min(input.length, 64);
        return input.length + " bytes " + HexFormat.of().formatHex(input, 0, shown) + (shown < input.length ? "…" : "");
    }

    /** What a seeded mutation loop did: inputs run, how many the reader rejected. */
    public record Loop(int inputs, int rejected) {}

    /**
     * The normal suite's stand-in for coverage-guided fuzzing: mutates the seeds with a seeded Random (bit flips,
     * byte sets, interesting integers, block copies, inserts, deletions, truncation, splices of two seeds) for
     * at most {@code budget} and {@code maxInputs}, checking each input with {@link #check}. Deterministic apart
     * from where the time budget cuts it off. -Drustprobe.fuzz.seconds=N runs each loop for N seconds instead.
     */
    @SafeVarargs
    public static Loop mutate(String target, List<byte[]> seeds, long seed, Duration budget, int maxInputs,
                              Consumer<byte[]> body, Class<? extends RuntimeException>... allowed) {
        if (seeds.isEmpty()) {
            throw new IllegalArgumentException("no seeds");
        }
        String longer = System.getProperty("rustprobe.fuzz.seconds");
        Duration time = longer == null ? budget : Duration.ofSeconds(Long.parseLong(longer));
        int most = longer == null ? maxInputs : Integer.MAX_VALUE;
        Loop loop = assertTimeoutPreemptively(time.plus(INPUT_TIME).plusSeconds(30), () -> {
            Random random = new Random(seed);
            long deadline = System.nanoTime() + time.toNanos();
            int n = 0;
            int rejected = 0;
            for (byte[] s : seeds) {
                rejected += check(s, body, allowed) ? 1 : 0;
                n++;
            }
            // at least MIN_MUTATIONS whatever the time budget, so that a loaded machine still tests something
            while (n < most && (System.nanoTime() < deadline || n < seeds.size() + MIN_MUTATIONS)) {
                byte[] input = mutation(seeds, random);
                try {
                    rejected += check(input, body, allowed) ? 1 : 0;
                } catch (Finding f) {
                    throw keep(target, input, f, body, allowed);
                }
                n++;
            }
            return new Loop(n, rejected);
        });
        System.out.println("fuzz loop " + target + ": " + loop.inputs() + " inputs, " + loop.rejected() + " rejected");
        return loop;
    }

    /**
     * Shrinks a finding's input (drops runs of bytes while the same exception escapes from the same place) and
     * writes it under target/fuzz-findings, ready to be kept as a Jazzer regression input of the target.
     */
    @SafeVarargs
    private static Finding keep(String target, byte[] input, Finding f, Consumer<byte[]> body,
                                Class<? extends RuntimeException>... allowed) {
        String signature = signature(f);
        byte[] small = input;
        if (signature != null) {
            for (int chunk = Math.max(1, small.length / 2); chunk >= 1; chunk /= 2) {
                for (int at = 0; at + chunk <= small.length; ) {
                    byte[] shorter = new byte[small.length - chunk];
                    System.arraycopy(small, 0, shorter, 0, at);
                    System.arraycopy(small, at + chunk, shorter, at, small.length - at - chunk);
                    String s;
                    try {
                        check(shorter, body, allowed);
                        s = null;
                    } catch (Finding g) {
                        s = signature(g);
                    }
                    if (signature.equals(s)) {
                        small = shorter;
                    } else {
                        at += chunk;
                    }
                }
            }
        }
        try {
            java.nio.file.Path dir = SampleRust.root().resolve("toolkit/target/fuzz-findings/" + target);
            java.nio.file.Files.createDirectories(dir);
            java.nio.file.Path file = dir.resolve("crash-" + Integer.toHexString(java.util.Arrays.hashCode(small)));
            java.nio.file.Files.write(file, small);
            return new Finding(f.getMessage() + " (minimized to " + small.length + " bytes: " + file + ")", f.getCause());
        } catch (java.io.IOException e) {
            return f;
        }
    }

    /** The escaped exception's class and the first frame of ours that threw it; null for budget findings. */
    private static String signature(Finding f) {
        Throwable t = f.getCause();
        if (t == null) {
            return null;
        }
        for (StackTraceElement e : t.getStackTrace()) {
            if (e.getClassName().startsWith("dev.rustprobe.")) {
                return t.getClass().getName() + "@" + e;
            }
        }
        return t.getClass().getName();
    }

    private static final long[] INTERESTING = {0, 1, 0x7f, 0x80, 0xff, 0x7fff, 0xffff, 0x7fffffffL, 0xffffffffL,
        0xfffffff0L, Long.MAX_VALUE, -1, 0x100000000L, 64, 56, 24};

    static byte[] mutation(List<byte[]> seeds, Random random) {
        byte[] b = seeds.get(random.nextInt(seeds.size())).clone();
        int rounds = 1 + random.nextInt(random.nextBoolean() ? 2 : 8);
        for (int k = 0; k < rounds; k++) {
            if (b.length == 0) {
                b = new byte[1 + random.nextInt(16)];
                random.nextBytes(b);
                continue;
            }
            int at = random.nextInt(b.length);
            switch (random.nextInt(9)) {
                case 0 -> b[at] ^= (byte) (1 << random.nextInt(8));
                case 1 -> b[at] = (byte) random.nextInt(256);
                case 2 -> {
                    long v = INTERESTING[random.nextInt(INTERESTING.length)];
                    int width = 1 << random.nextInt(4);
                    for (int i = 0; i < width && at + i < b.length; i++) {
                        b[at + i] = (byte) (v >>> (8 * i));
                    }
                }
                case 3 -> { // copy a block within the input (repeats structures: DIEs, entries, headers)
                    int from = random.nextInt(b.length);
                    int len = Math.min(1 + random.nextInt(64), Math.min(b.length - from, b.length - at));
                    System.arraycopy(b, from, b, at, len);
                }
                case 4 -> { // insert random bytes
                    int len = 1 + random.nextInt(16);
                    byte[] ins = new byte[len];
                    random.nextBytes(ins);
                    b = splice(b, at, ins, 0);
                }
                case 5 -> { // delete a run
                    int len = Math.min(1 + random.nextInt(32), b.length - at);
                    byte[] out = new byte[b.length - len];
                    System.arraycopy(b, 0, out, 0, at);
                    System.arraycopy(b, at + len, out, at, b.length - at - len);
                    b = out;
                }
                case 6 -> b = java.util.Arrays.copyOf(b, at); // truncate
                case 7 -> { // splice in part of another seed
                    byte[] other = seeds.get(random.nextInt(seeds.size()));
                    if (other.length > 0) {
                        int from = random.nextInt(other.length);
                        int len = Math.min(1 + random.nextInt(256), other.length - from);
                        b = splice(b, at, java.util.Arrays.copyOfRange(other, from, from + len), 0);
                    }
                }
                default -> { // an over-long LEB128: continuation bits on a run of bytes
                    int len = Math.min(1 + random.nextInt(12), b.length - at);
                    for (int i = 0; i < len; i++) {
                        b[at + i] |= (byte) 0x80;
                    }
                }
            }
        }
        return b;
    }

    private static byte[] splice(byte[] b, int at, byte[] ins, int replace) {
        byte[] out = new byte[b.length + ins.length - replace];
        System.arraycopy(b, 0, out, 0, at);
        System.arraycopy(ins, 0, out, at, ins.length);
        System.arraycopy(b, at + replace, out, at + ins.length, b.length - at - replace);
        return out;
    }

    /** Cuts a large seed into pieces of at most max bytes (keeping the head, where headers and first units are). */
    public static List<byte[]> heads(List<byte[]> whole, int max) {
        List<byte[]> out = new ArrayList<>();
        for (byte[] b : whole) {
            out.add(b.length <= max ? b : java.util.Arrays.copyOf(b, max));
        }
        return out;
    }
}
