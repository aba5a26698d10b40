// `rustprobe trace [options] BINARY PATTERN... [-- COMMAND ARGS...]`: attaches to every match (copies, inlined
// sites, returns), prints one line (or JSON object) per call as it completes, and a summary at the end.
package dev.rustprobe.cli;

import dev.rustprobe.RustprobeException;
import dev.rustprobe.bpf.BpfException;
import dev.rustprobe.bpf.BpfSupport;
import dev.rustprobe.index.IndexedBinary;
import dev.rustprobe.index.Pattern;
import dev.rustprobe.probe.ProbePlanner;
import dev.rustprobe.probe.ProbeSite;
import dev.rustprobe.probe.TracePlan;
import dev.rustprobe.text.Utf8Buffer;
import dev.rustprobe.trace.EventFormat;
import dev.rustprobe.trace.Summary;
import dev.rustprobe.trace.TargetWatch;
import dev.rustprobe.trace.TraceEvent;
import dev.rustprobe.trace.TraceSession;
import dev.rustprobe.trace.TracedCommand;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.function.Consumer;

public final class TraceCommand implements Command {
    /** How long records may wait in the ring buffer before they are printed (the reader's timer). */
    static final int POLL_MILLIS = 50;
    static final int DEFAULT_MAX_BYTES = 64;
    /** Event lines collect in memory and are written in chunks of this size (and on the reader's timer). */
    static final int OUTPUT_BUFFER = 1 << 18;

    @Override
    public String name() {
        return "trace";
    }

    @Override
    public String summary() {
        return "record calls of Rust functions by name: arguments, returns, inlined sites, durations";
    }

    static Options options() {
        return new Options()
                .addOption("p", "pid", true, "trace only this running process (and its threads)")
                .addOption("d", "duration", true, "stop after SECONDS")
                .addOption(null, "json", false, "one JSON object per event (schema in README.md)")
                .addOption(null, "max-bytes", true, "bytes read per string or slice (default 64)")
                .addOption(null, "no-inline", false, "do not probe inlined call sites")
                .addOption(null, "returns", true, "auto (default: a uretprobe where no panic can unwind through, else"
                        + " rets), rets (uprobes on each ret and tail jump), uretprobe, none")
                .addOption(null, "exact-entry", false, "probe each function at its first instruction, even where"
                        + " the kernel single-steps it (by default an entry probe moves to the first instruction the"
                        + " kernel emulates when that provably reads the same values; see explain)")
                .addOption("o", "output", true, "write the trace to FILE instead of stdout")
                .addOption(null, "ring-bytes", true, "ring buffer size, a power of two from 4096 (default 64 MiB)")
                .addOption("h", "help", false, "show this help");
    }

    @Override
    public int run(String[] args, PrintStream out, PrintStream err) {
        int dashes = Arrays.asList(args).indexOf("--");
        String[] own = dashes < 0 ? args : Arrays.copyOfRange(args, 0, dashes);
        List<String> command = dashes < 0 ? List.of() : List.of(args).subList(dashes + 1, args.length);
        CommandLine cl = CliSupport.parse(options(), own);
        if (cl.hasOption("help")) {
            CliSupport.help(out, "trace [options] BINARY PATTERN... [-- COMMAND ARGS...]",
                    "With -- COMMAND, the command starts with the probes live and only it is traced; with -p, one "
                            + "running process; otherwise every process running BINARY. Ctrl-C stops and prints the "
                            + "summary.", options());
            return 0;
        }
        List<String> rest = cl.getArgList();
        if (rest.size() < 2) {
            throw new UsageException("BINARY and at least one PATTERN are required");
        }
        if (dashes >= 0 && command.isEmpty()) {
            throw new UsageException("'--' must be followed by the command to run");
        }
        if (!command.isEmpty() && cl.hasOption("pid")) {
            throw new UsageException("-p and -- COMMAND exclude each other");
        }
        ProbePlanner.Returns returns = returnsMode(cl.getOptionValue("returns", "auto"));
        int maxBytes = intOption(cl, "max-bytes", DEFAULT_MAX_BYTES, 0, 4096);
        long durationMs = cl.hasOption("duration") ? durationMillis(cl.getOptionValue("duration")) : -1;
        OptionalInt pid = cl.hasOption("pid") ? OptionalInt.of(intOption(cl, "pid", 0, 1, Integer.MAX_VALUE))
                : OptionalInt.empty();
        boolean json = cl.hasOption("json");
        int ringBytes = intOption(cl, "ring-bytes", TraceSession.RING_BYTES, 4096, 1 << 30);
        if (Integer.bitCount(ringBytes) != 1) {
            throw new UsageException("--ring-bytes must be a power of two, not " + ringBytes);
        }

        List<Pattern> patterns = new ArrayList<>();
        for (String p : rest.subList(1, rest.size())) {
            patterns.add(CliSupport.pattern(p));
        }
        Interrupt intr = new Interrupt(err);
        Signals.onInterrupt(intr::on);
        Timing timing = Timing.start();
        // Off the path to probes live, while the binary is read and planned: the BPF check (it loads JNA) and the
        // command's wrapper shell, which waits until the probes are attached. Their failures come after the
        // plan's, as they did when they ran after it.
        FutureTask<Optional<String>> bpf = background(BpfSupport::unavailableReason);
        FutureTask<TracedCommand> child = command.isEmpty() ? null
                : background(() -> TracedCommand.startStopped(command, true));
        if (child != null) {
            intr.onEarlyExit = () -> abandon(child);
        }
        testPause("RUSTPROBE_TEST_OPEN_PAUSE_MS", "rustprobe: test: reading", err);
        TracedCommand started = null;
        try (TargetWatch watch = TargetWatch.open(Path.of(rest.get(0)), pid)) {
            // One pattern: only the symbols that could match it are demangled (most of opening a big library).
            IndexedBinary binary = CliSupport.open(rest.get(0), patterns.size() == 1 ? patterns.get(0) : null);
            timing.mark("open", binary.index().buildTimings());
            binary.debugInfo();
            timing.mark("dwarf");
            TracePlan plan = ProbePlanner.plan(binary, patterns,
                    new ProbePlanner.Options(!cl.hasOption("no-inline"), returns, maxBytes,
                            cl.hasOption("exact-entry")));
            timing.mark("plan");
            for (String w : plan.warnings()) {
                err.println("rustprobe: warning: " + w);
            }
            if (returns == ProbePlanner.Returns.URETPROBE) {
                err.println("rustprobe: warning: --returns=uretprobe: a Rust panic that unwinds through a uretprobed"
                        + " frame aborts the traced process (\"failed to initiate panic\"); the default, --returns=rets,"
                        + " probes each ret instead and is safe");
            }
            await(bpf).ifPresent(r -> {
                throw new RustprobeException("tracing needs BPF and uprobes, which this process cannot use: " + r);
            });
            if (pid.isPresent()) {
                checkProcess(pid.getAsInt(), plan.binary(), err);
            }
            started = child == null ? null : await(child);
            timing.mark("bpf check and command");
            String file = cl.getOptionValue("output");
            OutputStream to = output(file, out);
            Utf8Buffer traceOut = new Utf8Buffer(to, OUTPUT_BUFFER + (OUTPUT_BUFFER >> 3), OUTPUT_BUFFER);
            try {
                return trace(plan, watch, intr, started, command, pid, durationMs, json, ringBytes, traceOut, err,
                        timing);
            } finally {
                traceOut.drain();
                if (file != null) {
                    try {
                        to.close();
                    } catch (IOException e) {
                        // as PrintStream.close: nothing more can be done about the file
                    }
                }
            }
        } finally {
            // a command that never got going is killed, not left waiting
            if (started != null) {
                started.close();
            } else if (child != null) {
                abandon(child);
            }
            Signals.restore();
        }
    }

    private static <T> FutureTask<T> background(Callable<T> job) {
        FutureTask<T> task = new FutureTask<>(job);
        Thread t = new Thread(task, "rp-prepare");
        t.setDaemon(true);
        t.start();
        return task;
    }

    /** The task's result; its failure rethrown as it was thrown. */
    private static <T> T await(FutureTask<T> task) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return task.get();
                } catch (InterruptedException e) {
                    interrupted = true; // the result is needed either way (a started command must be closed)
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof RuntimeException r) {
                        throw r;
                    }
                    if (e.getCause() instanceof Error r) {
                        throw r;
                    }
                    throw new RustprobeException(String.valueOf(e.getCause().getMessage()));
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void abandon(FutureTask<TracedCommand> child) {
        try {
            await(child).close();
        } catch (RuntimeException e) {
            // it did not start: nothing to close, and the failure that got us here is the one to report
        }
    }

    /**
     * What SIGINT/SIGTERM do, by phase: before anything is attached (reading the binary, planning) rustprobe exits
     * at once; while attaching, the attach is cut short, everything detached and the command killed before it ran;
     * while tracing, tracing stops and the summary is printed.
     */
    private static final class Interrupt {
        private final PrintStream err;
        private final Thread main = Thread.currentThread();
        private boolean attaching;
        private boolean tracing;
        private volatile int signal;
        /** Run before an exit in the first phase: kills the wrapper started in the background, quietly. */
        private volatile Runnable onEarlyExit = () -> {};

        Interrupt(PrintStream err) {
            this.err = err;
        }

        void on(int sig) {
            boolean exitNow;
            synchronized (this) {
                if (signal != 0) {
                    return;
                }
                signal = sig;
                exitNow = !attaching && !tracing;
                if (attaching) {
                    main.interrupt(); // cuts the attach short (LiveProbes stops loading programs)
                }
            }
            if (exitNow) {
                onEarlyExit.run();
                err.println("rustprobe: interrupted by " + Signals.name(sig) + " before anything was attached");
                err.flush();
                System.exit(128 + sig);
            }
        }

        synchronized void attaching() {
            attaching = true;
        }

        /** Ends the attach phase; false when a signal came first (the caller then detaches and kills the command). */
        boolean startTracing() {
            synchronized (this) {
                attaching = false;
                tracing = signal == 0;
            }
            Thread.interrupted(); // an interrupt meant for the attach must not reach later I/O
            return tracing;
        }

        boolean stopped() {
            return signal != 0;
        }
    }

    /**
     * Fault injection for TraceFaultsTest: with the environment variable set to a number of ms, says so on stderr
     * and holds the current phase open that long, so that a signal lands inside it whatever the machine's speed.
     */
    private static void testPause(String variable, String announce, PrintStream err) {
        String pause = System.getenv(variable);
        if (pause != null && pause.matches("[0-9]{1,6}")) {
            err.println(announce);
            err.flush();
            try {
                Thread.sleep(Long.parseLong(pause));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // as a signal during the attach leaves it
            }
        }
    }

    private int trace(TracePlan plan, TargetWatch watch, Interrupt intr, TracedCommand child, List<String> command,
                      OptionalInt pid, long durationMs, boolean json, int ringBytes, Utf8Buffer traceOut,
                      PrintStream err, Timing timing) {
        EventFormat format = new EventFormat(command.isEmpty() && pid.isEmpty());
        Summary summary = new Summary(plan.sites(), format);
        Consumer<TraceEvent> listener = e -> {
            summary.add(e);
            if (json) {
                format.json(e, traceOut);
                traceOut.newline().drainIfFull();
            } else if (e.kind() != TraceEvent.Kind.CALL || !e.site().paired()) {
                // a paired call is printed with its return (or unwind), as one line
                format.text(e, traceOut);
                traceOut.newline().drainIfFull();
            }
        };
        intr.attaching();
        testPause("RUSTPROBE_TEST_ATTACH_PAUSE_MS", "rustprobe: test: attaching", err);
        try (child) {
            OptionalInt only = child != null ? OptionalInt.of(child.pid()) : pid;
            only.ifPresent(watch::follow);
            TraceSession started = null;
            try {
                // the values are written as text or JSON while each record is at hand, not decoded into trees
                started = TraceSession.start(plan, only, listener, ringBytes,
                        json ? TraceSession.Values.JSON : TraceSession.Values.TEXT);
            } catch (BpfException e) {
                if (!intr.stopped()) {
                    intr.startTracing();
                    throw new RustprobeException(e.getMessage(), e);
                }
            }
            if (!intr.startTracing()) {
                if (started != null) {
                    started.close();
                }
                String name = Signals.name(intr.signal);
                if (child != null) {
                    child.close();
                    err.println("rustprobe: interrupted by " + name + " while attaching: every probe is detached, and "
                            + command.get(0) + " (pid " + child.pid() + ") was killed before it started");
                } else {
                    err.println("rustprobe: interrupted by " + name + " while attaching: every probe is detached");
                }
                return 128 + intr.signal;
            }
            String why = null;
            try (TraceSession session = started) {
                timing.mark("attach");
                if (!watch.unchanged()) {
                    throw new RustprobeException(plan.binary() + " changed on disk while rustprobe read it: run again");
                }
                err.println("rustprobe: tracing " + plan.functions().size() + " function"
                        + (plan.functions().size() == 1 ? "" : "s") + " at "
                        + count(plan.count(ProbeSite.Kind.ENTRY), "entry", "entries") + ", "
                        + count(plan.count(ProbeSite.Kind.INLINE), "inlined site", "inlined sites") + " (with "
                        + count(plan.count(ProbeSite.Kind.INLINE_EXIT), "exit", "exits") + ") and "
                        + count(plan.count(ProbeSite.Kind.RETURN), "return site", "return sites")
                        + (child != null ? " of " + command.get(0) + " (pid " + child.pid() + ")"
                        : pid.isPresent() ? " of pid " + pid.getAsInt() : " in every process running "
                        + plan.binary()) + (child == null ? "; Ctrl-C stops" : ""));
                if (child != null) {
                    child.resume();
                }
                timing.report(err, "probes live, command released");
                long deadline = durationMs < 0 ? Long.MAX_VALUE : System.nanoTime() + durationMs * 1_000_000;
                boolean lostSaid = false;
                while (!intr.stopped()) {
                    session.poll(POLL_MILLIS);
                    traceOut.drain();
                    if (child != null && !child.process().isAlive()) {
                        why = child.exitNote();
                        break;
                    }
                    if (pid.isPresent() && !TargetWatch.running(pid.getAsInt())) {
                        why = "process " + pid.getAsInt() + " exited; tracing stopped";
                        break;
                    }
                    if (session.records() > 0) {
                        watch.probesFired();
                    }
                    TargetWatch.Change change = watch.check();
                    if (change != null && change.stop()) {
                        why = change.message();
                        break;
                    } else if (change != null) {
                        err.println("rustprobe: warning: " + change.message());
                    }
                    if (!lostSaid && session.lost() > 0) {
                        lostSaid = true;
                        err.println("rustprobe: warning: the ring buffer is full and records are being lost (each"
                                + " one is counted, see the summary); tracing goes on; --ring-bytes gives it more room");
                    }
                    if (System.nanoTime() > deadline) {
                        break;
                    }
                }
                if (intr.stopped()) {
                    why = Signals.name(intr.signal) + ": tracing stopped" + (child != null && child.process().isAlive()
                            ? "; " + command.get(0) + " (pid " + child.pid() + ") runs on, untraced" : "");
                }
                session.drain();
                if (!json) {
                    for (TraceEvent open : session.unreturned()) {
                        format.unreturned(open, traceOut);
                        traceOut.newline();
                    }
                }
                String text = summary.render(session.lost(), session.records());
                if (json) {
                    err.print(text);
                } else {
                    traceOut.utf8(text);
                }
                traceOut.drain();
                if (session.lost() > 0) {
                    err.println("rustprobe: warning: " + session.lost() + " records lost: the ring buffer was full");
                }
            } catch (BpfException e) {
                throw new RustprobeException(e.getMessage(), e);
            }
            if (why != null) {
                err.println("rustprobe: " + why);
            }
        }
        return 0;
    }

    private static String count(long n, String one, String many) {
        return n + " " + (n == 1 ? one : many);
    }

    private static void checkProcess(int pid, Path binary, PrintStream err) {
        Path maps = Path.of("/proc", Integer.toString(pid), "maps");
        if (!Files.exists(maps.getParent())) {
            throw new RustprobeException("no process " + pid);
        }
        try {
            String real = binary.toRealPath().toString();
            if (!Files.readString(maps).contains(real)) {
                err.println("rustprobe: warning: process " + pid + " has not mapped " + real
                        + ": only calls after it loads it are seen");
            }
        } catch (IOException e) {
            // unreadable maps: the trace still runs, the kernel decides
        }
    }

    /** Where the trace goes: FILE, or out. Bytes are UTF-8 (what a UTF-8 PrintStream would write) either way. */
    private static OutputStream output(String file, PrintStream out) {
        if (file == null) {
            return out;
        }
        try {
            return new FileOutputStream(file);
        } catch (IOException e) {
            throw new RustprobeException("cannot write " + file + ": " + e.getMessage());
        }
    }

    static ProbePlanner.Returns returnsMode(String v) {
        return switch (v) {
            case "auto" -> ProbePlanner.Returns.AUTO;
            case "rets" -> ProbePlanner.Returns.RETS;
            case "uretprobe" -> ProbePlanner.Returns.URETPROBE;
            case "none" -> ProbePlanner.Returns.NONE;
            default -> throw new UsageException("--returns takes auto, rets, uretprobe or none, not '" + v + "'");
        };
    }

    private static int intOption(CommandLine cl, String name, int dflt, int min, int max) {
        String v = cl.getOptionValue(name);
        if (v == null) {
            return dflt;
        }
        try {
            int n = Integer.parseInt(v.trim());
            if (n < min || n > max) {
                throw new UsageException("--" + name + " must be between " + min + " and " + max + ", not " + v);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + " needs a number, not '" + v + "'");
        }
    }

    private static long durationMillis(String v) {
        try {
            double s = Double.parseDouble(v.trim());
            if (!(s > 0) || s > 1e7) {
                throw new UsageException("-d needs a positive number of seconds, not '" + v + "'");
            }
            return (long) (s * 1000);
        } catch (NumberFormatException e) {
            throw new UsageException("-d needs a number of seconds, not '" + v + "'");
        }
    }
}
