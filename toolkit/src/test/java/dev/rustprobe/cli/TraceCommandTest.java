// `rustprobe trace` end to end on the real kernel and sample-rust: --json events against the documented schema,
// -p on a process waiting on stdin, tracing every process for -d seconds, --returns=uretprobe warned about (and
// the abort it warns of), and the one-line errors.
package dev.rustprobe.cli;

import dev.rustprobe.testing.KernelCheck;
import dev.rustprobe.testing.SampleRust;
import dev.rustprobe.testing.SampleRust.Variant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TraceCommandTest {
    @TempDir
    Path dir;
    Path bin;

    @BeforeEach
    void setUp() {
        KernelCheck.assumeBpf();
        bin = SampleRust.binary(Variant.RELEASE_LEGACY);
    }

    /** sample-rust under a shell that sends its output to a file, so that the test JVM's own stdout stays clean. */
    List<String> quietly(String... args) {
        List<String> c = new ArrayList<>(List.of("--", "/bin/sh", "-c", "exec \"$0\" \"$@\" >\"" + dir.resolve("app.out")
                + "\" 2>\"" + dir.resolve("app.err") + "\"", bin.toString()));
        c.addAll(List.of(args));
        return c;
    }

    /** Starts a trace running on thread t and waits (up to 60 s) until it says its probes are live. */
    static void startAndAwaitTracing(Thread t, ByteArrayOutputStream err) throws InterruptedException {
        t.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!err.toString(StandardCharsets.UTF_8).contains("rustprobe: tracing") && System.nanoTime() < deadline) {
            assertTrue(t.isAlive(), "trace ended early: " + err);
            Thread.sleep(10);
        }
    }

    static BadInputTest.Result run(List<String> args) {
        return BadInputTest.run(args.toArray(String[]::new));
    }

    @Test
    void jsonPrintsOneObjectPerEventWithTheDocumentedFields() throws Exception {
        Path out = dir.resolve("trace.json");
        List<String> args = new ArrayList<>(List.of("trace", "--json", "-o", out.toString(), bin.toString(),
                "sample_rust::orders::place", "sample_rust::inline::scale", "sample_rust::faults::explode",
                "sample_rust::scalars::not_bool", "sample_rust::internals::run"));
        args.addAll(quietly());
        BadInputTest.Result r = run(args);
        assertEquals(0, r.code(), r.err());
        List<Map<String, Object>> events = new ArrayList<>();
        for (String line : Files.readAllLines(out)) {
            events.add(Json.object(line));
        }
        int calls = 0;
        int returns = 0;
        int unwinds = 0;
        int inline = 0;
        int inlineReturns = 0;
        for (Map<String, Object> e : events) {
            assertTrue(e.get("function") instanceof String && e.get("pid") instanceof BigDecimal
                    && e.get("tid") instanceof BigDecimal && e.get("time_ns") instanceof BigDecimal, e.toString());
            String kind = (String) e.get("event");
            String site = (String) e.get("site");
            switch (kind) {
                case "call" -> {
                    calls++;
                    assertTrue(e.get("args") instanceof Map, e.toString());
                    if (site.equals("inline")) {
                        inline++;
                        assertTrue(e.get("caller") instanceof String && ((String) e.get("call_site")).matches(".*main\\.rs:\\d+:\\d+"),
                                e.toString());
                    } else {
                        assertEquals("entry", site);
                    }
                }
                case "return" -> {
                    returns++;
                    assertTrue(e.containsKey("ret") && e.get("duration_ns") instanceof BigDecimal, e.toString());
                    if (site.equals("inline")) {
                        // an inlined call ends at its copy's exit: duration, caller and call site, no return value
                        inlineReturns++;
                        assertEquals("sample_rust::inline::scale", e.get("function"));
                        assertTrue(e.get("caller") instanceof String && ((String) e.get("call_site")).matches(".*main\\.rs:\\d+:\\d+"),
                                e.toString());
                        assertTrue(((Map<?, ?>) e.get("ret")).get("unavailable").toString().startsWith("inlined"),
                                e.toString());
                        assertTrue(((BigDecimal) e.get("duration_ns")).signum() > 0, e.toString());
                    } else {
                        assertEquals("return", site);
                    }
                }
                case "unwind" -> {
                    unwinds++;
                    assertEquals("sample_rust::faults::explode", e.get("function"));
                    assertEquals(new BigDecimal(13), ((Map<?, ?>) e.get("args")).get("code"), "integers are numbers");
                    assertTrue(e.get("duration_ns") instanceof BigDecimal);
                }
                default -> throw new AssertionError("unknown event " + e);
            }
        }
        // place 6 + explode 2 + not_bool 1 + run 1 at entries, scale at its 5 inlined calls; the unwind of
        // explode(13) is reported when std's catch_unwind catches the panic
        assertEquals(15, calls);
        assertEquals(5, inline);
        assertEquals(14, returns, "place 6, explode(4), not_bool, run, and scale's 5 inlined calls");
        assertEquals(5, inlineReturns, "every inlined call of scale ends at an exit of its copy");
        assertEquals(1, unwinds, "explode(13)");
        Map<String, Object> place = events.stream().filter(e -> e.get("function").equals("sample_rust::orders::place")
                && e.get("event").equals("call")).findFirst().orElseThrow();
        assertEquals(new BigDecimal(7), ((Map<?, ?>) place.get("args")).get("id"));
        Map<String, Object> notBool = events.stream().filter(e -> e.get("function").equals("sample_rust::scalars::not_bool")
                && e.get("event").equals("return")).findFirst().orElseThrow();
        assertEquals(Boolean.FALSE, notBool.get("ret"), "not_bool(true) returns false, a JSON boolean");
        assertTrue(r.err().contains("--- rustprobe summary"), "with --json the summary goes to stderr: " + r.err());
    }

    @Test
    void pidTracesOneRunningProcessUntilItExits() throws Exception {
        Process p = new ProcessBuilder(bin.toString(), "--wait-stdin", "--quiet")
                .redirectError(dir.resolve("app.err").toFile()).start();
        try {
            BufferedReader lines = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String start = lines.readLine();
            int pid = SampleRust.parse(start).tid();
            assertEquals(p.pid(), pid);
            Path out = dir.resolve("trace.txt");
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8);
            AtomicInteger code = new AtomicInteger(-1);
            Thread t = new Thread(() -> code.set(Main.run(new String[] {"trace", "-p", Integer.toString(pid), "-o",
                out.toString(), bin.toString(), "sample_rust::orders::place"}, errStream, errStream)));
            startAndAwaitTracing(t, err);
            assertTrue(err.toString(StandardCharsets.UTF_8).contains("of pid " + pid), err.toString());
            try (OutputStream in = p.getOutputStream()) {
                in.write('\n');
            }
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            t.join(60_000);
            assertEquals(0, code.get(), err.toString());
            List<String> placed = Files.readAllLines(out).stream()
                    .filter(l -> l.startsWith("sample_rust::orders::place(")).toList();
            assertEquals(6, placed.size(), String.join("\n", placed));
            assertTrue(placed.get(0).startsWith("sample_rust::orders::place(id: 7, "), placed.get(0));
            assertTrue(placed.stream().allMatch(l -> l.matches(".* -> .*  [0-9.]+(ns|µs|ms)  tid \\d+")), placed.toString());
            assertTrue(err.toString(StandardCharsets.UTF_8).contains("process " + pid + " exited"), err.toString());
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void withoutPidOrCommandEveryProcessIsTracedForTheDuration() throws Exception {
        Path out = dir.resolve("trace.txt");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8);
        AtomicInteger code = new AtomicInteger(-1);
        Thread t = new Thread(() -> code.set(Main.run(new String[] {"trace", "-d", "4", "-o", out.toString(),
            bin.toString(), "sample_rust::recursion::depth_sum"}, errStream, errStream)));
        t.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!err.toString(StandardCharsets.UTF_8).contains("rustprobe: tracing") && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("in every process running"), err.toString());
        SampleRust.Run a = SampleRust.execute(Variant.RELEASE_LEGACY, "--quiet");
        SampleRust.Run b = SampleRust.execute(Variant.RELEASE_LEGACY, "--quiet");
        t.join(60_000);
        assertEquals(0, code.get(), err.toString());
        String text = Files.readString(out);
        for (SampleRust.Run run : List.of(a, b)) {
            int pid = SampleRust.parse(run.stdout().get(0)).tid();
            long levels = text.lines().filter(l -> l.startsWith("sample_rust::recursion::depth_sum(")
                    && l.endsWith("pid " + pid + " tid " + pid)).count();
            assertEquals(6, levels, "depth_sum(5) is six calls in pid " + pid + ":\n" + text);
        }
        assertTrue(text.contains("sample_rust::recursion::depth_sum: 12 calls, 12 returns"), text);
    }

    @Test
    void uretprobeModeIsWarnedAboutAndAPanicThroughItAbortsTheProcess() throws Exception {
        Path out = dir.resolve("trace.txt");
        List<String> args = new ArrayList<>(List.of("trace", "--returns=uretprobe", "-o", out.toString(),
                bin.toString(), "sample_rust::faults::explode"));
        args.addAll(quietly("--quiet"));
        BadInputTest.Result r = run(args);
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("warning: --returns=uretprobe: a Rust panic that unwinds through a uretprobed frame"
                + " aborts the traced process"), r.err());
        assertTrue(Files.readString(dir.resolve("app.err")).contains("failed to initiate panic"),
                "what the warning is about: the unwinder cannot pass a uretprobe's return address");
        assertTrue(r.err().contains("killed by signal 6, SIGABRT"), r.err());
        assertTrue(Files.readString(out).contains("sample_rust::faults::explode(code: 4) -> 2"));

        // The default mode, on the same program, lets the panic unwind and the program finish.
        BadInputTest.Result safe = run(new ArrayList<>(List.of("trace", "-o", out.toString(), bin.toString(),
                "sample_rust::faults::explode")) {{ addAll(quietly("--quiet")); }});
        assertEquals(0, safe.code(), safe.err());
        assertTrue(!safe.err().contains("SIGABRT") && !safe.err().contains("warning"), safe.err());
        assertTrue(Files.readString(dir.resolve("app.out")).contains("DONE"));
        // explode(13) is the last traced call: its unwind is reported when the panic is caught, not left open
        String text = Files.readString(out);
        assertTrue(text.contains("sample_rust::faults::explode(code: 13) unwound (no return: a panic left it)  "), text);
        assertTrue(!text.contains("no return seen"), text);
        assertTrue(text.contains("sample_rust::faults::explode: 2 calls, 1 return, 1 unwind"), text);
        assertTrue(!text.contains("catch_unwind") && !text.contains("__rust_panic_cleanup"),
                "the catch points are not functions of the summary: " + text);
    }

    @Test
    void theTracedCommandKeepsStdinAndStdoutInAProcessOfItsOwn() throws Exception {
        // rustprobe as its own process (the test JVM's classpath), so that the command inherits real pipes
        Path script = dir.resolve("echo.sh");
        Files.writeString(script, "read line\necho \"got: $line\"\nexec \"$1\" --quiet\n");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), "dev.rustprobe.cli.Main", "trace", bin.toString(),
                "sample_rust::recursion::depth_sum", "--", "/bin/sh", script.toString(), bin.toString())
                .redirectError(dir.resolve("rp.err").toFile()).start();
        try (OutputStream in = p.getOutputStream()) {
            in.write("hello from stdin\n".getBytes(StandardCharsets.UTF_8));
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), Files.readString(dir.resolve("rp.err")));
        assertTrue(out.contains("got: hello from stdin\n"), "the command read rustprobe's stdin and wrote to its stdout:\n" + out);
        assertTrue(out.contains("DONE\t"), out);
        assertEquals(6, out.lines().filter(l -> l.startsWith("sample_rust::recursion::depth_sum(n: ")).count(), out);
        assertTrue(out.contains("sample_rust::recursion::depth_sum: 6 calls, 6 returns"), out);
    }

    @Test
    void exactEntryPrintsTheSameCallsAsTheMovedEntryProbes() throws Exception {
        // token_len, checksum, depth_sum: entry probes that move with --returns=rets (explain says so)
        List<List<String>> lines = new ArrayList<>();
        for (boolean exact : new boolean[] {false, true}) {
            Path out = dir.resolve("trace-" + exact + ".txt");
            List<String> args = new ArrayList<>(List.of("trace", "--returns=rets", "-o", out.toString()));
            if (exact) {
                args.add("--exact-entry");
            }
            args.addAll(List.of(bin.toString(), "sample_rust::shapes::token_len", "sample_rust::text::checksum",
                    "sample_rust::recursion::depth_sum"));
            args.addAll(quietly());
            BadInputTest.Result r = run(args);
            assertEquals(0, r.code(), r.err());
            // durations and tids differ from run to run; the calls, values and returns must not
            lines.add(Files.readAllLines(out).stream().filter(l -> l.startsWith("sample_rust::"))
                    .map(l -> l.replaceAll("  [0-9.]+(ns|µs|ms|s)  tid \\d+$", "").replaceAll("  tid \\d+$", ""))
                    .sorted().toList());
        }
        assertTrue(lines.get(0).size() >= 10, lines.get(0).toString());
        assertTrue(lines.get(0).stream().anyMatch(l -> l.startsWith("sample_rust::recursion::depth_sum(n: 3) -> 6")),
                lines.get(0).toString());
        assertEquals(lines.get(0), lines.get(1));
        BadInputTest.Result help = run(List.of("trace", "--help"));
        assertTrue(help.out().contains("--exact-entry"), help.out());
    }

    @Test
    void failuresAreOneLineEach() {
        BadInputTest.Result none = run(List.of("trace", bin.toString(), "sample_rust::orders::plac", "--", "true"));
        assertEquals(1, none.code());
        assertEquals(1, none.errLines().size(), none.err());
        assertTrue(none.errLines().get(0).startsWith("rustprobe: no function matches 'sample_rust::orders::plac';"
                + " nearest: sample_rust::orders::place"), none.err());

        BadInputTest.Result cmd = run(List.of("trace", bin.toString(), "sample_rust::orders::place", "--",
                "no-such-command-rp"));
        assertEquals(1, cmd.code());
        assertEquals(List.of("rustprobe: command not found: no-such-command-rp (not in PATH)"), cmd.errLines());

        BadInputTest.Result mode = run(List.of("trace", "--returns=sometimes", bin.toString(), "x"));
        assertEquals(2, mode.code());
        assertTrue(mode.err().startsWith("rustprobe trace: --returns takes auto, rets, uretprobe or none"), mode.err());

        BadInputTest.Result pid = run(List.of("trace", "-p", "999999999", bin.toString(), "sample_rust::orders::place"));
        assertEquals(1, pid.code());
        assertEquals(List.of("rustprobe: no process 999999999"), pid.errLines());
    }

    /** A minimal JSON reader for checking the event schema: objects (ordered), arrays, strings, numbers, literals. */
    static final class Json {
        private final String s;
        private int i;

        private Json(String s) {
            this.s = s;
        }

        @SuppressWarnings("unchecked")
        static Map<String, Object> object(String text) {
            Json j = new Json(text);
            Object v = j.value();
            if (j.i != text.length() || !(v instanceof Map)) {
                throw new AssertionError("not one JSON object: " + text);
            }
            return (Map<String, Object>) v;
        }

        private Object value() {
            char c = s.charAt(i);
            if (c == '{') {
                Map<String, Object> m = new LinkedHashMap<>();
                i++;
                while (s.charAt(i) != '}') {
                    String k = string();
                    expect(':');
                    m.put(k, value());
                    if (s.charAt(i) == ',') {
                        i++;
                    }
                }
                i++;
                return m;
            } else if (c == '[') {
                List<Object> l = new ArrayList<>();
                i++;
                while (s.charAt(i) != ']') {
                    l.add(value());
                    if (s.charAt(i) == ',') {
                        i++;
                    }
                }
                i++;
                return l;
            } else if (c == '"') {
                return string();
            } else if (s.startsWith("true", i) || s.startsWith("false", i) || s.startsWith("null", i)) {
                String w = s.startsWith("true", i) ? "true" : s.startsWith("false", i) ? "false" : "null";
                i += w.length();
                return w.equals("null") ? null : Boolean.valueOf(w);
            }
            int start = i;
            while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) {
                i++;
            }
            return new BigDecimal(s.substring(start, i));
        }

        private String string() {
            expect('"');
            StringBuilder b = new StringBuilder();
            while (s.charAt(i) != '"') {
                char c = s.charAt(i++);
                if (c == '\\') {
                    char e = s.charAt(i++);
                    switch (e) {
                        case 'n' -> b.append('\n');
                        case 't' -> b.append('\t');
                        case 'r' -> b.append('\r');
                        case 'u' -> {
                            b.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                            i += 4;
                        }
                        default -> b.append(e);
                    }
                } else {
                    b.append(c);
                }
            }
            i++;
            return b.toString();
        }

        private void expect(char c) {
            if (s.charAt(i) != c) {
                throw new AssertionError("expected '" + c + "' at " + i + " in " + s);
            }
            i++;
        }
    }
}
