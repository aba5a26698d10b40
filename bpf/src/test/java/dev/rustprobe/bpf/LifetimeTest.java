// Nothing outlives its owner: after close (or Lifetime.closeAll, the shutdown hook's work) this process holds
// no BPF, perf or epoll fd it did not hold before, and the kernel lists none of our programs, links or maps;
// a child killed with SIGKILL or interrupted with SIGINT leaves nothing behind either.
package dev.rustprobe.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LifetimeTest {
    private Path target;
    private long hit;

    @BeforeEach
    void setUp() {
        TestSupport.assumeBpf();
        target = TestSupport.probeTarget();
        hit = TestSupport.offsetOf(target, "rp_hit");
    }

    /** This process's fds that point at BPF objects, perf events or epoll instances, as "fd -> target". */
    static Set<String> kernelObjectFds() throws IOException {
        Set<String> out = new TreeSet<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    String link = Files.readSymbolicLink(fd).toString();
                    if (link.contains("bpf") || link.contains("perf_event") || link.contains("eventpoll")) {
                        out.add(fd.getFileName() + " -> " + link);
                    }
                } catch (IOException gone) {
                    // the fd used to list the directory itself
                }
            }
        }
        return out;
    }

    static boolean kernelHasProgramNamed(String name) {
        return KernelObjects.programs().stream().anyMatch(p -> p.name().equals(name));
    }

    static boolean kernelHasLinkFor(List<Integer> progIds) {
        return KernelObjects.links().stream().anyMatch(l -> progIds.contains(l.progId()));
    }

    static boolean kernelHasMapNamed(String name) {
        return KernelObjects.maps().stream().anyMatch(m -> m.name().equals(name));
    }

    /** Polls until the kernel has let go: freeing can trail the closing of the last fd by an RCU grace period. */
    static void awaitGone(String name, List<Integer> progIds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline
                && (kernelHasProgramNamed(name) || kernelHasLinkFor(progIds) || kernelHasMapNamed(name))) {
            Thread.sleep(50);
        }
        assertFalse(kernelHasProgramNamed(name), "no program named " + name + " is left");
        assertFalse(kernelHasLinkFor(progIds), "no link to programs " + progIds + " is left");
        assertFalse(kernelHasMapNamed(name), "no map named " + name + " is left");
    }

    private record Session(RingBuffer rb, BpfMap<Integer, Long> counts, Program multi, Program each,
                           UprobeLinks multiLinks, UprobeLinks eachLinks) {
        List<AutoCloseable> inCloseOrder() {
            return List.of(eachLinks, multiLinks, each, multi, counts, rb);
        }
    }

    private Session open(String name) {
        RingBuffer rb = RingBuffer.open(name, 1 << 16);
        BpfMap<Integer, Long> counts = BpfMap.array(name, Codec.U64, 2);
        Program multi = Program.load(ProgramType.UPROBE_MULTI, HitCounter.byCookie(counts.fd()), "GPL", name);
        Program each = Program.load(ProgramType.KPROBE, HitCounter.byCookie(counts.fd()), "GPL", name);
        UprobeLinks ml = UprobeAttach.attach(multi, target, List.of(Probe.entry(hit, 0), Probe.ret(hit, 1)),
                OptionalInt.empty());
        UprobeLinks el = UprobeAttach.attach(each, target, List.of(Probe.entry(hit, 0), Probe.ret(hit, 1)),
                OptionalInt.empty());
        return new Session(rb, counts, multi, each, ml, el);
    }

    @Test
    void closingEverythingLeavesNoFdAndNoKernelObject() throws Exception {
        Set<String> before = kernelObjectFds();
        int openBefore = Lifetime.openCount();
        String name = TestSupport.uniqueName("rpt_life");
        Session s = open(name);
        List<Integer> ids = List.of(s.multi().id(), s.each().id());
        assertTrue(kernelHasProgramNamed(name));
        assertTrue(kernelHasLinkFor(ids));
        assertTrue(kernelHasMapNamed(name));
        assertTrue(kernelObjectFds().size() > before.size());
        TestSupport.run(List.of(target.toString(), "count", "10", "0"));
        assertEquals(40L, s.counts().lookup(0).orElseThrow() + s.counts().lookup(1).orElseThrow());
        for (AutoCloseable c : s.inCloseOrder()) {
            c.close();
        }
        assertEquals(before, kernelObjectFds());
        assertEquals(openBefore, Lifetime.openCount());
        awaitGone(name, ids);
    }

    @Test
    void programsMayCloseBeforeTheirLinksAndTheLinksStillWork() throws Exception {
        Set<String> before = kernelObjectFds();
        String name = TestSupport.uniqueName("rpt_order");
        Session s = open(name);
        List<Integer> ids = List.of(s.multi().id(), s.each().id());
        s.multi().close();
        s.each().close();
        TestSupport.run(List.of(target.toString(), "count", "5", "0"));
        assertEquals(20L, s.counts().lookup(0).orElseThrow() + s.counts().lookup(1).orElseThrow(),
                "links keep their programs alive");
        s.multiLinks().close();
        s.eachLinks().close();
        s.counts().close();
        s.rb().close();
        assertEquals(before, kernelObjectFds());
        awaitGone(name, ids);
    }

    @Test
    void closeAllReleasesWhatTheCallerForgot() throws Exception {
        Set<String> before = kernelObjectFds();
        String name = TestSupport.uniqueName("rpt_hook");
        Session s = open(name);
        List<Integer> ids = List.of(s.multi().id(), s.each().id());
        Lifetime.closeAll();
        assertEquals(before, kernelObjectFds());
        assertEquals(0, Lifetime.openCount());
        awaitGone(name, ids);
    }

    private Process startChild(String name) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), LifetimeChild.class.getName(),
                target.toString(), name).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    private List<Integer> awaitReady(Process child) throws IOException {
        String line = new BufferedReader(new InputStreamReader(child.getInputStream())).readLine();
        assertTrue(line != null && line.startsWith("READY "), "child said: " + line);
        List<Integer> ids = new ArrayList<>();
        for (String id : line.substring(6).split(" ")) {
            ids.add(Integer.parseInt(id));
        }
        return ids;
    }

    @Test
    void sigkilledProcessLeavesNothingBehind() throws Exception {
        String name = TestSupport.uniqueName("rpt_kill");
        Process child = startChild(name);
        try {
            List<Integer> ids = awaitReady(child);
            assertTrue(kernelHasProgramNamed(name));
            assertTrue(kernelHasLinkFor(ids));
            child.destroyForcibly(); // SIGKILL: no shutdown hook runs, the kernel alone must clean up
            assertTrue(child.waitFor(20, TimeUnit.SECONDS));
            assertEquals(137, child.exitValue(), "killed by SIGKILL");
            awaitGone(name, ids);
        } finally {
            child.destroyForcibly();
        }
    }

    @Test
    void ctrlCRunsTheShutdownHookAndExitsPromptly() throws Exception {
        String name = TestSupport.uniqueName("rpt_int");
        Process child = startChild(name);
        try {
            List<Integer> ids = awaitReady(child);
            assertTrue(kernelHasProgramNamed(name));
            // SIGINT is what Ctrl-C sends; the child is blocked in an endless ring buffer poll meanwhile.
            TestSupport.run(List.of("kill", "-INT", Long.toString(child.pid())));
            assertTrue(child.waitFor(20, TimeUnit.SECONDS), "the shutdown hook does not hang on a blocked reader");
            assertEquals(130, child.exitValue(), "exit status of a JVM stopped by SIGINT");
            awaitGone(name, ids);
        } finally {
            child.destroyForcibly();
        }
    }
}
