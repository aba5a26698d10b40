// `rustprobe trace` end to end through perf-event uprobes (rustprobe.attach=perf-event, as RUSTPROBE_ATTACH sets
// it): its text lines against sample-rust's truth lines, with `-- COMMAND` and with `-p PID`, each while another
// sample-rust of the same binary runs untraced. That path opens every uprobe for all processes (a perf event opened
// for a pid would follow one thread only), so the programs' tgid check is all that keeps the other process out.
package dev.rustprobe.cli;

import dev.rustprobe.testing.KernelCheck;
import dev.rustprobe.testing.PerfEventAttach;
import dev.rustprobe.testing.SampleRust;
import dev.rustprobe.testing.SampleRust.Kind;
import dev.rustprobe.testing.SampleRust.TruthLine;
import dev.rustprobe.testing.SampleRust.Variant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(PerfEventAttach.class)
class PerfEventTraceCommandTest {
    /** Functions whose every value decodes exactly in the release build (TraceSampleRustTest checks them all). */
    static final List<String> FUNCTIONS = List.of("sample_rust::orders::place", "sample_rust::scalars::add_u64",
            "sample_rust::text::count_vowels", "sample_rust::recursion::depth_sum", "sample_rust::faults::explode");

    @TempDir
    Path dir;
    Path bin;

    @BeforeEach
    void setUp() {
        KernelCheck.assumeBpf();
        bin = SampleRust.binary(Variant.RELEASE_LEGACY);
    }

    List<String> traceArgs(Path out) {
        List<String> args = new ArrayList<>(List.of("trace", "-o", out.toString(), bin.toString()));
        args.addAll(FUNCTIONS);
        return args;
    }

    /**
     * Every CALL, NESTED (depth_sum's inner levels) and PANIC truth line of the traced functions is one text line, with its values as Rust prints
     * them and its thread; no line is of another thread; the summary counts the calls.
     */
    static void assertLinesMatchTruth(String text, List<TruthLine> truth, Set<Integer> foreignTids) {
        List<String> lines = new ArrayList<>(text.lines().filter(l -> FUNCTIONS.stream()
                .anyMatch(f -> l.startsWith(f + "("))).toList());
        int expected = 0;
        for (TruthLine t : truth) {
            if (!FUNCTIONS.contains(t.function()) || t.kind() == Kind.INLINE) {
                continue;
            }
            expected++;
            String args = t.args().entrySet().stream().map(a -> a.getKey() + ": " + a.getValue())
                    .collect(Collectors.joining(", "));
            String end = t.kind() == Kind.PANIC ? " unwound (no return: a panic left it)" : " -> " + t.ret();
            java.util.regex.Pattern line = java.util.regex.Pattern.compile(java.util.regex.Pattern.quote(
                    t.function() + "(" + args + ")" + end) + "  [0-9.]+(ns|µs|ms|s)  tid " + t.tid());
            String found = lines.stream().filter(l -> line.matcher(l).matches()).findFirst().orElse(null);
            assertTrue(found != null, "no trace line for " + t + " in:\n" + String.join("\n", lines));
            lines.remove(found);
        }
        assertEquals(List.of(), lines, "lines beyond the truth");
        assertEquals(6 + 4 + 4 + 6 + 2, expected, "place 3+3, add_u64 1+3, count_vowels 1+3, depth_sum 6, explode 2");
        for (int tid : foreignTids) {
            assertTrue(!text.contains("tid " + tid + "\n"), "thread " + tid + " of the untraced process:\n" + text);
        }
        assertTrue(text.contains("sample_rust::orders::place: 6 calls, 6 returns"), text);
        assertTrue(text.contains("sample_rust::faults::explode: 2 calls, 1 return, 1 unwind"), text);
    }

    /** The link_type of every BPF link fd of this process, from /proc/self/fdinfo ("perf", "uprobe_multi"). */
    static List<String> linkTypes() throws Exception {
        List<String> out = new ArrayList<>();
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : fds.toList()) {
                String target;
                try {
                    target = Files.readSymbolicLink(fd).toString();
                } catch (java.io.IOException gone) {
                    continue; // the listing's own fd, closed by now
                }
                if (target.equals("anon_inode:bpf_link")) {
                    Files.readAllLines(Path.of("/proc/self/fdinfo", fd.getFileName().toString())).stream()
                            .filter(l -> l.startsWith("link_type:")).map(l -> l.substring(10).strip())
                            .forEach(out::add);
                }
            }
        }
        return out;
    }

    static Set<Integer> tids(List<TruthLine> truth) {
        return truth.stream().map(TruthLine::tid).collect(Collectors.toCollection(TreeSet::new));
    }

    static List<TruthLine> truth(Path file) throws Exception {
        return Files.readAllLines(file).stream().map(SampleRust::parse).toList();
    }

    @Test
    void commandIsTracedAloneThroughPerfEvents() throws Exception {
        Path out = dir.resolve("trace.txt");
        Path app = dir.resolve("app.out");
        Path other = dir.resolve("other.out");
        List<String> args = traceArgs(out);
        // the traced shell runs an untraced sample-rust to its end first, then becomes the traced one
        args.addAll(List.of("--", "/bin/sh", "-c", "\"$0\" >\"$1\" 2>/dev/null || exit 9; exec \"$0\" >\"$2\" 2>/dev/null",
                bin.toString(), other.toString(), app.toString()));
        BadInputTest.Result r = BadInputTest.run(args.toArray(String[]::new));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("exited with status 0"), r.err());
        List<TruthLine> untraced = truth(other);
        assertEquals(Kind.DONE, untraced.get(untraced.size() - 1).kind(), "the untraced copy ran while probes were live");
        List<TruthLine> traced = truth(app);
        assertLinesMatchTruth(Files.readString(out), traced, tids(untraced));
    }

    @Test
    void pidIsTracedAloneThroughPerfEvents() throws Exception {
        Process p = new ProcessBuilder(bin.toString(), "--wait-stdin").redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        Process q = new ProcessBuilder(bin.toString(), "--wait-stdin").redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        try {
            BufferedReader pOut = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            BufferedReader qOut = new BufferedReader(new InputStreamReader(q.getInputStream(), StandardCharsets.UTF_8));
            int pid = SampleRust.parse(pOut.readLine()).tid();
            assertEquals(p.pid(), pid);
            String qStart = qOut.readLine();
            Path out = dir.resolve("trace.txt");
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8);
            List<String> args = traceArgs(out);
            args.addAll(1, List.of("-p", Integer.toString(pid)));
            AtomicInteger code = new AtomicInteger(-1);
            Thread t = new Thread(() -> code.set(Main.run(args.toArray(String[]::new), errStream, errStream)));
            TraceCommandTest.startAndAwaitTracing(t, err);
            assertTrue(err.toString(StandardCharsets.UTF_8).contains("of pid " + pid), err.toString());
            // while tracing: every BPF link this process holds (the trace's, as the kernel's fdinfo tells) is a
            // perf-event link, one per site
            List<String> links = linkTypes();
            assertTrue(links.size() > FUNCTIONS.size(), "one link per site: " + links);
            assertTrue(links.stream().allMatch(l -> l.equals("perf")), links.toString());

            // release both: they run at once, one traced
            for (Process x : List.of(q, p)) {
                try (OutputStream in = x.getOutputStream()) {
                    in.write('\n');
                }
            }
            List<TruthLine> traced = new ArrayList<>();
            traced.add(SampleRust.parse("START\t" + pid + "\tsample-rust\tpid=" + pid + "\trepeat=1"));
            for (String l; (l = pOut.readLine()) != null; ) {
                traced.add(SampleRust.parse(l));
            }
            List<TruthLine> untraced = new ArrayList<>(List.of(SampleRust.parse(qStart)));
            for (String l; (l = qOut.readLine()) != null; ) {
                untraced.add(SampleRust.parse(l));
            }
            assertTrue(p.waitFor(60, TimeUnit.SECONDS) && q.waitFor(60, TimeUnit.SECONDS));
            t.join(60_000);
            assertEquals(0, code.get(), err.toString());
            assertEquals(Kind.DONE, untraced.get(untraced.size() - 1).kind());
            assertLinesMatchTruth(Files.readString(out), traced, tids(untraced));
            assertTrue(err.toString(StandardCharsets.UTF_8).contains("process " + pid + " exited"), err.toString());
        } finally {
            p.destroyForcibly();
            q.destroyForcibly();
        }
    }
}
