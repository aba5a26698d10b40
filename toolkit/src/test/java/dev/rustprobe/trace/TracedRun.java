// Test helper: plans a trace of a sample-rust variant, runs the binary under it (-- COMMAND style: probes live
// before the first instruction), and returns the events, the program's truth lines and the kernel ids used.
package dev.rustprobe.trace;

import dev.rustprobe.index.IndexedBinary;
import dev.rustprobe.index.Pattern;
import dev.rustprobe.probe.ProbePlanner;
import dev.rustprobe.probe.TracePlan;
import dev.rustprobe.testing.SampleRust;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;

record TracedRun(TracePlan plan, List<TraceEvent> events, List<TraceEvent> unreturned,
                 List<SampleRust.TruthLine> truth, int exitCode, String stderr, List<Integer> programIds,
                 long lost, int pid, List<dev.rustprobe.bpf.UprobeLinks.Kind> linkKinds, long fileBacked) {

    static TracePlan plan(SampleRust.Variant v, ProbePlanner.Options options, String... patterns) {
        Path bin = SampleRust.binary(v);
        List<Pattern> ps = new ArrayList<>();
        for (String p : patterns) {
            ps.add(Pattern.parse(p));
        }
        return ProbePlanner.plan(IndexedBinary.open(bin), ps, options);
    }

    static TracedRun run(SampleRust.Variant v, ProbePlanner.Options options, List<String> args, String... patterns) {
        TracePlan plan = plan(v, options, patterns);
        List<String> command = new ArrayList<>(List.of(SampleRust.binary(v).toString()));
        command.addAll(args);
        return run(plan, command);
    }

    /** Traces command (its pid only) with plan; its stdout must be sample-rust's truth lines. */
    static TracedRun run(TracePlan plan, List<String> command) {
        return run(plan, command, TraceSession.Values.DECODED);
    }

    /** As run(plan, command), the events carrying values as values says (TEXT, JSON: already written). */
    static TracedRun run(TracePlan plan, List<String> command, TraceSession.Values values) {
        List<TraceEvent> events = new ArrayList<>();
        try (TracedCommand child = TracedCommand.startStopped(command, false)) {
            Process p = child.process();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            Thread o = pump(p.getInputStream(), out);
            Thread e = pump(p.getErrorStream(), err);
            List<Integer> ids;
            List<dev.rustprobe.bpf.UprobeLinks.Kind> kinds;
            List<TraceEvent> open;
            long lost;
            long fileBacked;
            try (TraceSession s = TraceSession.start(plan, OptionalInt.of(child.pid()), events::add,
                    TraceSession.RING_BYTES, values)) {
                ids = s.live().programIds();
                kinds = s.live().linkKinds();
                child.resume();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
                while (p.isAlive() && System.nanoTime() < deadline) {
                    s.poll(20);
                }
                if (p.isAlive()) {
                    p.destroyForcibly();
                    throw new AssertionError("sample-rust ran over 120 s under trace");
                }
                s.drain();
                open = s.unreturned();
                lost = s.lost();
                fileBacked = s.fileBackedRecords();
            }
            o.join(10_000);
            e.join(10_000);
            List<SampleRust.TruthLine> truth = new ArrayList<>();
            for (String line : out.toString(StandardCharsets.UTF_8).lines().toList()) {
                truth.add(SampleRust.parse(line));
            }
            return new TracedRun(plan, events, open, truth, p.exitValue(), err.toString(StandardCharsets.UTF_8),
                    ids, lost, child.pid(), kinds, fileBacked);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new AssertionError(ex);
        }
    }

    private static Thread pump(InputStream in, ByteArrayOutputStream to) {
        Thread t = new Thread(() -> {
            try {
                in.transferTo(to);
            } catch (IOException ignored) {
                // the process is gone
            }
        });
        t.setDaemon(true);
        t.start();
        return t;
    }
}
