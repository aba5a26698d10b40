// Start-up phases of a command for RUSTPROBE_TIMING=1: what the user waits for between starting rustprobe and the
// probes being live, split where the time goes.
package dev.rustprobe.cli;

import java.io.PrintStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

final class Timing {
    /** USER_HZ: Linux reports process times in these on every architecture we run on. */
    private static final int CLOCK_TICKS = 100;
    private final boolean on;
    private final long startNanos;
    private final long sinceProcessStartMillis;
    private long last;
    private final List<String> phases = new ArrayList<>();

    private Timing(boolean on) {
        this.on = on;
        this.startNanos = System.nanoTime();
        this.last = startNanos;
        this.sinceProcessStartMillis = on ? sinceProcessStart() : -1;
    }

    /**
     * Milliseconds since this process (the launcher script, which execs the JVM) started, to 10 ms: its start time
     * and the uptime are both counted from boot (ProcessHandle's start instant goes through the boot time in whole
     * seconds, which is too coarse).
     */
    private static long sinceProcessStart() {
        long[] f = stat();
        return f == null ? -1 : Math.round(f[2] - f[1] * 1000.0 / CLOCK_TICKS);
    }

    /** utime+stime and starttime of this process in clock ticks, and the uptime in ms; null if unreadable. */
    private static long[] stat() {
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // f[0] is field 3 of stat: utime and stime are fields 14 and 15, starttime field 22
            long cpu = Long.parseLong(f[11]) + Long.parseLong(f[12]);
            long startTicks = Long.parseLong(f[19]);
            double uptime = Double.parseDouble(Files.readString(Path.of("/proc/uptime")).split(" ")[0]);
            return new long[]{cpu, startTicks, Math.round(uptime * 1000)};
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    static Timing start() {
        return new Timing(System.getenv("RUSTPROBE_TIMING") != null);
    }

    /** Ends the phase called name (it began at the previous mark). */
    void mark(String name) {
        mark(name, null);
    }

    /** The same, with how the phase split its time (shown in parentheses). */
    void mark(String name, String detail) {
        if (on) {
            long now = System.nanoTime();
            phases.add(name + " " + (now - last) / 1_000_000 + " ms" + (detail == null ? "" : " (" + detail + ")"));
            last = now;
        }
    }

    /** One line: the JVM's start before main, each phase, and the total since the process started. */
    void report(PrintStream err, String what) {
        if (on) {
            long total = (System.nanoTime() - startNanos) / 1_000_000;
            long[] f = stat();
            err.println("timing: jvm " + (sinceProcessStartMillis < 0 ? "?" : sinceProcessStartMillis + " ms") + ", "
                    + String.join(", ", phases) + "; " + what + " "
                    + (sinceProcessStartMillis < 0 ? total + " ms after main" : (sinceProcessStartMillis + total)
                    + " ms after the process started") + (f == null ? "" : " (cpu " + f[0] * 1000 / CLOCK_TICKS
                    + " ms, all threads)"));
        }
    }
}
