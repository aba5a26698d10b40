// sample-rust traced through perf-event uprobes (RUSTPROBE_ATTACH=perf-event), the path of kernels without
// uprobe_multi links, on the real kernel: a reduced set of functions (worker threads, an inlined helper, recursion,
// the panic) checked against the truth lines as TraceSampleRustTest checks them, while an untraced sample-rust of
// the same binary runs under the traced shell: that path opens its uprobes for every process, so only the
// programs' tgid check keeps the other process out.
package dev.rustprobe.trace;

import dev.rustprobe.abi.RustValue;
import dev.rustprobe.bpf.UprobeLinks;
import dev.rustprobe.probe.ProbeSite;
import dev.rustprobe.probe.TracePlan;
import dev.rustprobe.testing.KernelCheck;
import dev.rustprobe.testing.PerfEventAttach;
import dev.rustprobe.testing.SampleRust;
import dev.rustprobe.testing.SampleRust.Kind;
import dev.rustprobe.testing.SampleRust.TruthLine;
import dev.rustprobe.testing.SampleRust.Variant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(PerfEventAttach.class)
class PerfEventTraceSampleRustTest {
    static final String[] PATTERNS = {"sample_rust::orders::place", "sample_rust::scalars::add_u64",
        "sample_rust::text::count_vowels", "sample_rust::inline::scale", "sample_rust::recursion::*",
        "sample_rust::faults::explode"};

    @BeforeEach
    void bpf() {
        KernelCheck.assumeBpf();
    }

    @ParameterizedTest
    @EnumSource(value = Variant.class, names = {"RELEASE_LEGACY", "RELEASE_V0", "DEBUG"})
    void theTracedProcessAloneIsRecordedWithItsValuesThreadsAndUnwind(Variant v, @TempDir Path dir) throws Exception {
        TracePlan plan = TracedRun.plan(v, TraceSampleRustTest.DEFAULT, PATTERNS);
        String bin = SampleRust.binary(v).toString();
        Path other = dir.resolve("other.out");
        // the shell (the traced pid) first runs an untraced sample-rust to its end, then becomes the traced one
        TracedRun run = TracedRun.run(plan, List.of("/bin/sh", "-c",
                "\"$0\" >\"$1\" 2>/dev/null || exit 9; exec \"$0\"", bin, other.toString()));
        assertEquals(0, run.exitCode(), run.stderr());
        assertEquals(List.of(UprobeLinks.Kind.PERF_EVENT), run.linkKinds(), "the forced path was the one taken");
        assertEquals(0, run.lost());
        KernelCheck.assertGone(run.programIds());

        int untraced = SampleRust.parse(Files.readAllLines(other).get(0)).tid();
        assertTrue(untraced != run.pid(), "the untraced copy is another process");
        assertEquals(Kind.DONE, SampleRust.parse(Files.readAllLines(other).get(Files.readAllLines(other).size() - 1))
                .kind(), "the untraced copy ran to its end while the probes were live");
        Set<Integer> pids = run.events().stream().map(TraceEvent::pid).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(Set.of(run.pid()), pids, "only the traced process, not pid " + untraced);

        // Counts and values per function, as TraceSampleRustTest checks them, for the traced functions.
        Set<String> traced = new TreeSet<>(plan.functions());
        List<TruthLine> truth = run.truth().stream().filter(t -> t.kind() != Kind.START && t.kind() != Kind.DONE)
                .filter(t -> traced.contains(SampleRust.demangledName(t.function(), v))).toList();
        List<TraceSampleRustTest.Seen> seen = TraceSampleRustTest.calls(run);
        Map<String, List<TruthLine>> truthBy = new TreeMap<>();
        truth.forEach(t -> truthBy.computeIfAbsent(SampleRust.demangledName(t.function(), v),
                k -> new ArrayList<>()).add(t));
        Map<String, List<TraceSampleRustTest.Seen>> seenBy = seen.stream()
                .collect(Collectors.groupingBy(s -> s.site().function(), TreeMap::new, Collectors.toList()));
        assertEquals(6, truthBy.size(), "each pattern's function has truth lines: " + truthBy.keySet());
        List<String> failures = new ArrayList<>();
        for (Map.Entry<String, List<TruthLine>> e : truthBy.entrySet()) {
            List<TraceSampleRustTest.Seen> pool = new ArrayList<>(seenBy.getOrDefault(e.getKey(), List.of()));
            assertEquals(e.getValue().size(), pool.size(), "calls of " + e.getKey());
            for (TruthLine t : e.getValue()) {
                TraceSampleRustTest.Seen match = pool.stream().filter(s -> s.tid() == t.tid()
                        && TraceSampleRustTest.mismatches(t, s, null, v).isEmpty()).findFirst().orElse(null);
                if (match == null) {
                    failures.add(t.toString());
                    continue;
                }
                pool.remove(match);
                assertEquals(t.kind() == Kind.PANIC, match.unwound(), "unwound exactly when it panicked: " + t);
            }
        }
        assertTrue(failures.isEmpty(), "truth lines without a matching call: " + failures);
        // three worker threads, each attributed to its own tid
        int mainTid = run.truth().get(0).tid();
        Set<Integer> workers = truth.stream().map(TruthLine::tid).filter(t -> t != mainTid)
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(3, workers.size());
        assertEquals(workers, seen.stream().map(TraceSampleRustTest.Seen::tid).filter(t -> t != mainTid)
                .collect(Collectors.toCollection(TreeSet::new)));
        if (v.release()) {
            assertTrue(seen.stream().anyMatch(s -> s.site().kind() == ProbeSite.Kind.INLINE), "inlined scale");
            // each of scale's 5 inlined calls ends at an exit of its copy, on this attach path too
            assertEquals(5, run.events().stream().filter(e -> e.kind() == TraceEvent.Kind.RETURN
                    && e.site().kind() == ProbeSite.Kind.INLINE && e.call() != null && e.durationNs() > 0).count());
            assertTrue(run.events().stream().noneMatch(e -> e.kind() == TraceEvent.Kind.EXIT_UNSEEN));
        }
        TraceEvent unwind = run.events().stream().filter(e -> e.kind() == TraceEvent.Kind.UNWIND).findFirst()
                .orElseThrow();
        assertEquals("sample_rust::faults::explode", unwind.site().function());
        assertFalse(RustValue.render(unwind.args().get(0).value()).isEmpty());
        assertTrue(unwind.durationNs() > 0 && unwind.durationNs() == unwind.timeNs() - unwind.call().timeNs());
    }
}
