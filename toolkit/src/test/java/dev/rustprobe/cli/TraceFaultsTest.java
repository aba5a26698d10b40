// Faults while tracing, on the real kernel, with rustprobe as a process of its own: the traced process exits,
// fails, crashes, execs or is killed; the binary is replaced or rewritten on disk; the ring buffer overflows;
// Ctrl-C during attach; rustprobe itself SIGKILLed; no BPF permission. Each ends in bounded time with one line,
// and every program, map and link rustprobe held (read from its /proc/PID/fdinfo, by id) is gone afterwards.
package dev.rustprobe.cli;

import dev.rustprobe.bpf.KernelObjects;
import dev.rustprobe.testing.ExternalTools;
import dev.rustprobe.testing.KernelCheck;
import dev.rustprobe.testing.SampleRust;
import dev.rustprobe.testing.SampleRust.Variant;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

@Timeout(value = 10, unit = TimeUnit.MINUTES)
class TraceFaultsTest {
    /** work() is called N times, then the program ends as its first argument says. */
    static final String CRASH = """
            #include <signal.h>
            #include <stdio.h>
            #include <stdlib.h>
            #include <string.h>
            #include <unistd.h>
            __attribute__((noinline)) int work(int i) { return i * 2 + 1; }
            int main(int argc, char **argv) {
                int n = argc > 2 ? atoi(argv[2]) : 5;
                volatile int s = 0;
                for (int i = 0; i < n; i++) s += work(i);
                printf("ready\\n");
                fflush(stdout);
                const char *m = argc > 1 ? argv[1] : "ok";
                if (!strcmp(m, "segv")) { volatile int *p = 0; *p = s; }
                if (!strcmp(m, "abort")) abort();
                if (!strcmp(m, "exit3")) return 3;
                if (!strcmp(m, "hang")) for (;;) pause();
                if (!strcmp(m, "exec")) { execl("/bin/sleep", "sleep", "30", (char *) 0); return 99; }
                return 0;
            }
            """;
    /** Signals a background shell ignored are ignored by its children, so SIGINT tests start through this. */
    static final String SIGDFL = """
            #include <signal.h>
            #include <unistd.h>
            int main(int c, char **v) {
                sigset_t s; sigemptyset(&s); sigprocmask(SIG_SETMASK, &s, 0);
                signal(SIGINT, SIG_DFL); signal(SIGTERM, SIG_DFL);
                execvp(v[1], v + 1); return 127;
            }
            """;

    @TempDir
    static Path tools;
    static Path crash;
    static Path sigdfl;
    static Path sample;

    @TempDir
    Path dir;

    @BeforeAll
    static void build() {
        KernelCheck.assumeBpf();
        crash = ExternalTools.gcc(tools, "crash", CRASH, "-O1", "-g");
        sigdfl = ExternalTools.gcc(tools, "sigdfl", SIGDFL, "-O1");
        sample = SampleRust.binary(Variant.RELEASE_LEGACY);
    }

    // ---- rustprobe as a process, and what it holds in the kernel ----

    /** A running rustprobe: stdout and stderr go to files, stdin is a pipe the test holds. */
    final class Rp {
        final Process process;
        final Path out;
        final Path err;
        final Set<String> ids = Collections.synchronizedSet(new TreeSet<>());
        private final Thread sampler;

        Rp(List<String> args) throws IOException {
            this(args, Map.of());
        }

        Rp(List<String> args, Map<String, String> env) throws IOException {
            out = Files.createTempFile(dir, "rp", ".out");
            err = Files.createTempFile(dir, "rp", ".err");
            List<String> argv = new ArrayList<>(List.of(sigdfl.toString(), javaBin(), "-XX:+UseSerialGC", "-cp",
                    System.getProperty("java.class.path"), "dev.rustprobe.cli.Main"));
            argv.addAll(args);
            ProcessBuilder pb = new ProcessBuilder(argv).directory(dir.toFile()).redirectOutput(out.toFile())
                    .redirectError(err.toFile());
            pb.environment().putAll(env);
            process = pb.start();
            // what it holds, sampled while it runs (an object it held when it died is what must go)
            sampler = new Thread(() -> {
                while (process.isAlive()) {
                    ids.addAll(bpfObjects(process.pid()));
                    try {
                        Thread.sleep(5);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            sampler.setDaemon(true);
            sampler.start();
        }

        String err() throws IOException {
            return Files.readString(err);
        }

        List<String> errLines() throws IOException {
            return err().lines().toList();
        }

        String lastErrLine() throws IOException {
            List<String> l = errLines();
            return l.isEmpty() ? "" : l.get(l.size() - 1);
        }

        /** Waits for a line of stderr containing text. */
        void awaitErr(String text) throws Exception {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (!err().contains(text)) {
                assertTrue(process.isAlive(), () -> "rustprobe ended before saying '" + text + "': " + safeErr());
                assertTrue(System.nanoTime() < deadline, () -> "no '" + text + "' within 120 s: " + safeErr());
                Thread.sleep(10);
            }
        }

        String safeErr() {
            try {
                return err();
            } catch (IOException e) {
                return e.toString();
            }
        }

        /** Waits (bounded) for the exit; returns the exit code. */
        int exit(int seconds) throws Exception {
            assertTrue(process.waitFor(seconds, TimeUnit.SECONDS), () -> "rustprobe still running after "
                    + seconds + " s: " + safeErr());
            sampler.join(5_000);
            return process.exitValue();
        }

        /** The wrapper shell rustprobe started for -- COMMAND, once it exists (0 when rustprobe ended first). */
        int awaitWrapper() throws Exception {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (System.nanoTime() < deadline && process.isAlive()) {
                for (ProcessHandle c : process.toHandle().children().toList()) {
                    String cmd = cmdline(c.pid());
                    if (cmd.contains("rustprobe-wrapper")) {
                        return (int) c.pid();
                    }
                }
                Thread.sleep(1);
            }
            return 0;
        }
    }

    static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    static String cmdline(long pid) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline")), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /** The BPF objects a process holds fds of, as "prog:ID", "map:ID", "link:ID" (from /proc/PID/fdinfo). */
    static Set<String> bpfObjects(long pid) {
        Set<String> found = new TreeSet<>();
        File[] fds = new File("/proc/" + pid + "/fdinfo").listFiles();
        if (fds == null) {
            return found;
        }
        for (File f : fds) {
            String info;
            try {
                info = Files.readString(f.toPath());
            } catch (IOException e) {
                continue; // closed meanwhile
            }
            if (info.contains("link_id:")) {
                found.add("link:" + field(info, "link_id:"));
            } else if (info.contains("prog_id:")) {
                found.add("prog:" + field(info, "prog_id:"));
            } else if (info.contains("map_id:")) {
                found.add("map:" + field(info, "map_id:"));
            }
        }
        return found;
    }

    private static String field(String info, String name) {
        Matcher m = java.util.regex.Pattern.compile(name + "\\s*(\\d+)").matcher(info);
        return m.find() ? m.group(1) : "?";
    }

    /** Fails unless, within 20 s, none of these programs, maps and links is in the kernel any more. */
    static void assertFreed(Set<String> ids) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            Set<String> left = new TreeSet<>();
            KernelObjects.programs().forEach(p -> left.add("prog:" + p.id()));
            KernelObjects.maps().forEach(m -> left.add("map:" + m.id()));
            KernelObjects.links().forEach(l -> left.add("link:" + l.id()));
            left.retainAll(ids);
            if (left.isEmpty()) {
                return;
            }
            assertTrue(System.nanoTime() < deadline, "still in the kernel 20 s later: " + left);
            Thread.sleep(50);
        }
    }

    static void assertHeldSome(Set<String> ids) {
        assertTrue(ids.stream().anyMatch(i -> i.startsWith("prog:")) && ids.stream().anyMatch(i -> i.startsWith("map:"))
                && ids.stream().anyMatch(i -> i.startsWith("link:")), "programs, maps and links were held: " + ids);
    }

    /** Whether the process is gone or a zombie (an orphan whose reaper has not run yet). */
    static boolean ended(long pid) {
        try {
            String s = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return s.charAt(s.lastIndexOf(')') + 2) == 'Z';
        } catch (IOException e) {
            return true;
        }
    }

    static void awaitEnded(long pid, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!ended(pid)) {
            assertTrue(System.nanoTime() < deadline, "pid " + pid + " still running after " + seconds + " s");
            Thread.sleep(10);
        }
    }

    // ---- 1. how the traced process ends ----

    record Ending(String mode, String lastLine, int calls) {}

    @Test
    void everyWayTheTracedProcessEndsIsOneLineAndNothingIsLeft() throws Exception {
        String shell = "ulimit -c 0; exec \"$0\" \"$@\" >\"" + dir.resolve("app.out") + "\"";
        List<Ending> endings = List.of(
                new Ending("ok", "exited with status 0", 4),
                new Ending("exit3", "exited with status 3", 4),
                new Ending("segv", "exited with status 139 (killed by signal 11, SIGSEGV)", 4),
                new Ending("abort", "exited with status 134 (killed by signal 6, SIGABRT", 4),
                new Ending("hang", "exited with status 137 (killed by signal 9, SIGKILL)", 4),
                new Ending("exec", "no longer runs " + crash + " (it exec'd /usr/bin/sleep", 4));
        for (Ending e : endings) {
            Files.deleteIfExists(dir.resolve("app.out"));
            Rp rp = new Rp(List.of("trace", crash.toString(), "work", "--", "/bin/sh", "-c", shell, crash.toString(),
                    e.mode(), "4"));
            rp.awaitErr("rustprobe: tracing 1 function");
            int pid = Integer.parseInt(rp.err().replaceAll("(?s).*\\(pid (\\d+)\\).*", "$1"));
            if (e.mode().equals("hang")) {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (!Files.exists(dir.resolve("app.out")) || !Files.readString(dir.resolve("app.out")).contains("ready")) {
                    assertTrue(System.nanoTime() < deadline, "the target did not get going");
                    Thread.sleep(10);
                }
                new ProcessBuilder("kill", "-KILL", Integer.toString(pid)).start().waitFor();
            }
            long start = System.nanoTime();
            int code = rp.exit(60);
            assertEquals(0, code, e.mode() + ": " + rp.err());
            String last = rp.lastErrLine();
            assertTrue(last.startsWith("rustprobe: ") && last.contains(e.lastLine()), e.mode() + ": " + rp.err());
            String trace = Files.readString(rp.out);
            assertTrue(trace.contains("work: " + e.calls() + " calls, " + e.calls() + " returns"),
                    e.mode() + ": the summary is printed:\n" + trace);
            assertEquals(e.calls(), trace.lines().filter(l -> l.matches("work\\(i: \\d\\) -> \\d+ .*")).count(), trace);
            assertHeldSome(rp.ids);
            assertFreed(rp.ids);
            if (e.mode().equals("exec")) {
                // it stopped long before sleep 30 ended, and left the process running, untraced
                assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(20));
                assertFalse(ended(pid), "the exec'd program runs on");
                assertTrue(bpfObjects(pid).isEmpty(), "the command holds no BPF object of rustprobe's");
                new ProcessBuilder("kill", "-KILL", Integer.toString(pid)).start().waitFor();
            }
        }
    }

    // ---- 2. the binary replaced on disk ----

    @Test
    void aBinaryRenamedOverKeepsTheOldFileTraced() throws Exception {
        Path bin = dir.resolve("bin");
        Files.copy(sample, bin);
        Rp rp = new Rp(List.of("trace", "-o", "trace.txt", bin.toString(), "sample_rust::orders::place", "--",
                bin.toString(), "--wait-stdin", "--quiet"));
        rp.awaitErr("rustprobe: tracing");
        // a new build moved into place: the path names a new inode, the process runs the old one
        Path fresh = dir.resolve("bin.new");
        Files.copy(SampleRust.binary(Variant.RELEASE_V0), fresh);
        Files.move(fresh, bin, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        rp.awaitErr("now names another file while traced: the probes stay on the old file");
        // cp over the file a process runs is refused by the kernel (ETXTBSY): nothing for rustprobe to do
        Process cp = new ProcessBuilder("cp", crash.toString(), bin.toString()).redirectErrorStream(true).start();
        cp.waitFor(30, TimeUnit.SECONDS);
        try (OutputStream in = rp.process.getOutputStream()) {
            in.write('\n');
        }
        assertEquals(0, rp.exit(60), rp.err());
        String trace = Files.readString(dir.resolve("trace.txt"));
        assertEquals(6, trace.lines().filter(l -> l.startsWith("sample_rust::orders::place(")).count(),
                "the running process is still traced:\n" + trace);
        assertTrue(rp.lastErrLine().contains("(pid ") && rp.lastErrLine().endsWith("exited with status 0"), rp.err());
        assertFreed(rp.ids);
    }

    @Test
    void aBinaryRewrittenInPlaceIsDetachedBeforeTheWriteSoNewProcessesDoNotCrash() throws Exception {
        Path bin = dir.resolve("bin");
        Files.copy(sample, bin);
        Rp rp = new Rp(List.of("trace", "-d", "300", "-o", "trace.txt", bin.toString(), "sample_rust::**"));
        rp.awaitErr("rustprobe: tracing");
        Process first = new ProcessBuilder(bin.toString(), "--quiet").redirectErrorStream(true).start();
        assertTrue(first.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, first.exitValue());
        // Rewriting the file itself (same inode): uprobes sit at file offsets, so a process started from the new
        // content would get breakpoints inside its instructions (here: SIGSEGV). The read lease holds cp's open
        // until rustprobe has detached.
        Process cp = new ProcessBuilder("cp", SampleRust.binary(Variant.DEBUG).toString(), bin.toString())
                .redirectErrorStream(true).start();
        assertTrue(cp.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, cp.exitValue(), new String(cp.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        assertEquals(0, rp.exit(60), rp.err());
        assertTrue(rp.lastErrLine().contains("opened " + bin + " for writing: the probes were detached before it"
                + " could change a byte"), rp.err());
        assertFreed(rp.ids);
        Process second = new ProcessBuilder(bin.toString(), "--quiet").redirectErrorStream(true).start();
        String out = new String(second.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(second.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, second.exitValue(), "the rewritten binary runs unharmed: " + out);
        assertTrue(Files.readString(dir.resolve("trace.txt")).contains("sample_rust::orders::place: 6 calls"),
                "the first run was traced");
    }

    // ---- 3. ring buffer overflow ----

    @Test
    void lostRecordsAreCountedExactlyAndTracingGoesOn() throws Exception {
        int hot = 200_000;
        int calls = hot + 6; // the workload's six calls of place, then the hot loop
        Path out = dir.resolve("trace.txt");
        BadInputTest.Result r = BadInputTest.run("trace", "--ring-bytes", "4096", "--returns=none", "-o",
                out.toString(), sample.toString(), "sample_rust::orders::place", "--", "/bin/sh", "-c",
                "exec \"$0\" --quiet --hot " + hot + " >/dev/null 2>&1", sample.toString());
        assertEquals(0, r.code(), r.err());
        String trace = Files.readString(out);
        Matcher m = java.util.regex.Pattern.compile("--- rustprobe summary: (\\d+) records, (\\d+) lost").matcher(trace);
        assertTrue(m.find(), trace.substring(Math.max(0, trace.length() - 2000)));
        long records = Long.parseLong(m.group(1));
        long lost = Long.parseLong(m.group(2));
        assertTrue(lost > 0, "a 4 KiB ring buffer overflows at " + calls + " calls");
        assertEquals(calls, records + lost, "records seen + lost == calls made");
        assertTrue(records > 100, "tracing went on after the first loss (a 4 KiB buffer holds a few dozen): "
                + records);
        assertEquals(records, trace.lines().filter(l -> l.startsWith("sample_rust::orders::place(")).count());
        assertTrue(trace.contains("sample_rust::orders::place: " + records + " calls"), "the summary counts them");
        assertTrue(r.err().contains("rustprobe: warning: the ring buffer is full and records are being lost"), r.err());
        assertTrue(r.err().contains("rustprobe: warning: " + lost + " records lost: the ring buffer was full"), r.err());

        BadInputTest.Result bad = BadInputTest.run("trace", "--ring-bytes", "5000", sample.toString(), "x");
        assertEquals(2, bad.code());
        assertTrue(bad.err().startsWith("rustprobe trace: --ring-bytes must be a power of two"), bad.err());
    }

    // ---- 4. Ctrl-C during attach ----

    @Test
    void ctrlCWhileAttachingDetachesEverythingAndKillsTheCommandBeforeItRuns() throws Exception {
        Path marker = dir.resolve("ran");
        String shell = "echo ran >\"" + marker + "\"; exec \"$0\" --quiet >/dev/null";
        int whileAttaching = 0;
        // the attach phase held open by the test hook (a signal then lands inside it, whatever the machine's
        // speed), twice; and once after tracing began
        int beforeAttach = 0;
        for (int delayMs : new int[] {0, 100, -1}) {
            Files.deleteIfExists(marker);
            Rp rp = new Rp(List.of("trace", "-o", "trace.txt", sample.toString(), "sample_rust::**", "--", "/bin/sh",
                    "-c", shell, sample.toString()), delayMs >= 0 ? Map.of("RUSTPROBE_TEST_ATTACH_PAUSE_MS", "5000")
                    : Map.of());
            int wrapper;
            if (delayMs >= 0) {
                wrapper = rp.awaitWrapper();
                assertNotEquals(0, wrapper, rp.err());
                rp.awaitErr("rustprobe: test: attaching");
                Thread.sleep(delayMs);
            } else {
                rp.awaitErr("rustprobe: tracing");
                wrapper = 0;
            }
            new ProcessBuilder("kill", "-INT", Long.toString(rp.process.pid())).start().waitFor();
            int code = rp.exit(60);
            String last = rp.lastErrLine();
            if (code == 130 && last.equals("rustprobe: interrupted by SIGINT before anything was attached")) {
                beforeAttach++;
                awaitEnded(wrapper, 10);
                assertFalse(Files.exists(marker), "the command never ran");
            } else if (code == 130) {
                assertTrue(last.startsWith("rustprobe: interrupted by SIGINT while attaching: every probe is detached,"
                        + " and /bin/sh (pid " + wrapper + ") was killed before it started"), rp.err());
                whileAttaching++;
                awaitEnded(wrapper, 10);
                assertFalse(Files.exists(marker), "the command never ran");
            } else {
                assertEquals(0, code, rp.err());
                assertTrue(last.startsWith("rustprobe: SIGINT: tracing stopped")
                        || last.contains("exited with status 0"), rp.err());
            }
            assertFreed(rp.ids);
        }
        assertEquals(2, whileAttaching, "SIGINT landed during the held attach both times (before it: " + beforeAttach
                + ")");

        // before anything is attached (reading the binary): one line, exit 130, no command started
        Files.deleteIfExists(marker);
        // held open by the test hook once the signal handlers are in (a loaded machine may take 400 ms to get there)
        Rp early = new Rp(List.of("trace", sample.toString(), "sample_rust::**", "--", "/bin/sh", "-c", shell,
                sample.toString()), Map.of("RUSTPROBE_TEST_OPEN_PAUSE_MS", "3000"));
        early.awaitErr("rustprobe: test: reading");
        new ProcessBuilder("kill", "-INT", Long.toString(early.process.pid())).start().waitFor();
        assertEquals(130, early.exit(60), early.err());
        assertEquals("rustprobe: interrupted by SIGINT before anything was attached", early.lastErrLine());
        assertFalse(Files.exists(marker));
    }

    // ---- 5. rustprobe SIGKILLed ----

    @Test
    void rustprobeKilledMidTraceLeavesNothingInTheKernelAndTheCommandRunsOn() throws Exception {
        Rp rp = new Rp(List.of("trace", sample.toString(), "sample_rust::**", "--", sample.toString(),
                "--wait-stdin"));
        rp.awaitErr("rustprobe: tracing");
        int pid = Integer.parseInt(rp.err().replaceAll("(?s).*\\(pid (\\d+)\\).*", "$1"));
        Set<String> held = bpfObjects(rp.process.pid());
        assertHeldSome(held);
        Set<String> before = new TreeSet<>();
        KernelObjects.programs().forEach(p -> before.add("prog:" + p.id()));
        KernelObjects.maps().forEach(p -> before.add("map:" + p.id()));
        KernelObjects.links().forEach(p -> before.add("link:" + p.id()));
        assertTrue(before.containsAll(held), "KernelObjects lists what rustprobe holds");
        // SIGKILL, no shutdown hook runs (not destroyForcibly: it would also close the stdin pipe the command reads)
        new ProcessBuilder("kill", "-KILL", Long.toString(rp.process.pid())).start().waitFor();
        assertTrue(rp.process.waitFor(30, TimeUnit.SECONDS));
        assertEquals(137, rp.process.exitValue());
        assertFreed(held);
        assertTrue(bpfObjects(pid).isEmpty(), "the command holds none of them");
        // The command waited on stdin, rustprobe's, a pipe from this JVM, which Java closes once rustprobe has
        // exited: only then can the command go on, so its DONE shows that it ran on after rustprobe was killed.
        awaitEnded(pid, 60);
        assertTrue(Files.readString(rp.out).contains("DONE\t"), "the command finished its work");
    }

    @Test
    void rustprobeKilledBeforeReleasingTheCommandLetsItExitWithoutRunning() throws Exception {
        Path marker = dir.resolve("ran");
        Rp rp = new Rp(List.of("trace", sample.toString(), "sample_rust::**", "--", "/bin/sh", "-c",
                "echo ran >\"" + marker + "\""));
        int wrapper = rp.awaitWrapper();
        assertNotEquals(0, wrapper, rp.err());
        rp.process.destroyForcibly();
        assertTrue(rp.process.waitFor(30, TimeUnit.SECONDS));
        awaitEnded(wrapper, 10); // it reads EOF on the release pipe: not stopped, not waiting
        assertFalse(Files.exists(marker), "the command did not run untraced");
        assertTrue(rp.err().contains("rustprobe: /bin/sh was not started: rustprobe ended before releasing it"),
                rp.err());
        assertFreed(rp.ids);
    }

    // ---- 6. no permission ----

    @Test
    void withoutPrivilegeItIsOneLineAndExit1() throws Exception {
        List<String> as;
        if (Files.isExecutable(Path.of("/usr/bin/setpriv")) || Files.isExecutable(Path.of("/bin/setpriv"))) {
            as = List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups");
        } else if (Files.isExecutable(Path.of("/usr/sbin/runuser")) || Files.isExecutable(Path.of("/sbin/runuser"))) {
            as = List.of("runuser", "-u", "nobody", "--");
        } else {
            assumeTrue(false, "neither setpriv nor runuser is installed: cannot drop to an unprivileged user");
            return;
        }
        // a copy of the classes and the binary that user nobody can read (the Maven repository may be private)
        Path shared = Files.createTempDirectory("rp-nobody");
        try {
            List<String> cp = new ArrayList<>();
            int n = 0;
            for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
                Path from = Path.of(entry);
                if (entry.contains("junit") || entry.contains("jazzer") || entry.contains("test-classes")
                        || !Files.exists(from)) {
                    continue;
                }
                Path to = shared.resolve((n++) + "-" + from.getFileName());
                ExternalTools.run("cp", "-r", from.toString(), to.toString());
                cp.add(to.toString());
            }
            Path bin = shared.resolve("sample-rust");
            Files.copy(sample, bin);
            ExternalTools.run("chmod", "-R", "a+rX", shared.toString());
            List<String> argv = new ArrayList<>(as);
            argv.addAll(List.of(javaBin(), "-XX:+UseSerialGC", "-Djava.io.tmpdir=/tmp", "-cp", String.join(":", cp),
                    "dev.rustprobe.cli.Main", "trace", bin.toString(), "sample_rust::orders::place", "--",
                    bin.toString()));
            Process p = new ProcessBuilder(argv).directory(shared.toFile()).redirectOutput(dir.resolve("o").toFile())
                    .redirectError(dir.resolve("e").toFile()).start();
            assertTrue(p.waitFor(120, TimeUnit.SECONDS));
            String err = Files.readString(dir.resolve("e"));
            assertEquals(1, p.exitValue(), err);
            assertEquals(1, err.lines().count(), err);
            assertTrue(err.startsWith("rustprobe: tracing needs BPF and uprobes, which this process cannot use: ")
                    && err.contains("needs root, or CAP_BPF and CAP_PERFMON"), err);
            assertEquals("", Files.readString(dir.resolve("o")));
        } finally {
            ExternalTools.run("rm", "-rf", shared.toString());
        }
    }

    // ---- 7. -p: a process killed mid-trace ----

    @Test
    void aPidKilledMidTraceEndsTheTrace() throws Exception {
        Process target = new ProcessBuilder(sample.toString(), "--wait-stdin", "--quiet")
                .redirectError(dir.resolve("app.err").toFile()).redirectOutput(dir.resolve("app.out").toFile()).start();
        try {
            Rp rp = new Rp(List.of("trace", "-p", Long.toString(target.pid()), sample.toString(),
                    "sample_rust::orders::place"));
            rp.awaitErr("rustprobe: tracing");
            target.destroyForcibly();
            assertEquals(0, rp.exit(60), rp.err());
            assertEquals("rustprobe: process " + target.pid() + " exited; tracing stopped", rp.lastErrLine());
            assertTrue(Files.readString(rp.out).contains("--- rustprobe summary: 0 records, 0 lost ---"));
            assertFreed(rp.ids);
        } finally {
            target.destroyForcibly();
        }
    }
}
