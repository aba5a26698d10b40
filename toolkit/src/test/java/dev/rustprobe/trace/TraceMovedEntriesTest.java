// Traces sample-rust with entry probes moved past their single-stepped first instructions (EntryHop), with
// --returns=none and --returns=rets, and requires every call of a moved function to carry exactly the values the
// program printed (and, with rets, its return); then --exact-entry must record the very same calls.
package dev.rustprobe.trace;

import dev.rustprobe.abi.RustValue;
import dev.rustprobe.probe.ProbePlanner;
import dev.rustprobe.probe.ProbeSite;
import dev.rustprobe.testing.KernelCheck;
import dev.rustprobe.testing.SampleRust;
import dev.rustprobe.testing.SampleRust.Kind;
import dev.rustprobe.testing.SampleRust.TruthLine;
import dev.rustprobe.testing.SampleRust.Variant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TraceMovedEntriesTest {
    @BeforeEach
    void bpf() {
        KernelCheck.assumeBpf();
    }

    static ProbePlanner.Options options(ProbePlanner.Returns r, boolean exact) {
        return new ProbePlanner.Options(true, r, 64, exact);
    }

    /** The functions whose entry probe moved in this run's plan. */
    static Set<String> moved(TracedRun run) {
        return run.plan().sites().stream().filter(s -> s.kind() == ProbeSite.Kind.ENTRY
                && s.address() != s.copyAddress()).map(ProbeSite::function).collect(Collectors.toCollection(TreeSet::new));
    }

    @ParameterizedTest
    @EnumSource(value = Variant.class, names = {"RELEASE_LEGACY", "DEBUG"})
    void movedEntriesRecordTheValuesTheProgramPrinted(Variant v) {
        List<String> rendered = null;
        for (ProbePlanner.Returns r : List.of(ProbePlanner.Returns.NONE, ProbePlanner.Returns.RETS)) {
            TracedRun run = TracedRun.run(v, options(r, false), List.of(), "sample_rust::**");
            assertEquals(0, run.exitCode(), run.stderr());
            assertEquals(0, run.lost());
            KernelCheck.assertGone(run.programIds());
            Set<String> moved = moved(run);
            List<TruthLine> truth = run.truth().stream().filter(t -> t.kind() != Kind.START && t.kind() != Kind.DONE
                    && moved.contains(SampleRust.demangledName(t.function(), v))).toList();
            Set<String> withTruth = truth.stream().map(t -> SampleRust.demangledName(t.function(), v))
                    .collect(Collectors.toCollection(TreeSet::new));
            System.out.println(v + " --returns=" + r + ": " + moved.size() + " functions' entries moved, "
                    + withTruth.size() + " of them print truth lines (" + truth.size() + " calls): " + withTruth);
            assertTrue(withTruth.size() >= (v.release() ? 8 : 12), "moved functions with truth lines: " + withTruth);

            List<TraceSampleRustTest.Seen> pool = new ArrayList<>(TraceSampleRustTest.calls(run));
            TraceSampleRustTest.Tally tally = new TraceSampleRustTest.Tally();
            List<String> failures = new ArrayList<>();
            for (TruthLine t : truth) {
                String name = SampleRust.demangledName(t.function(), v);
                TraceSampleRustTest.Seen match = pool.stream().filter(s -> s.site().function().equals(name)
                        && s.tid() == t.tid() && TraceSampleRustTest.mismatches(t, s, null, v).isEmpty()
                        && (r == ProbePlanner.Returns.NONE || t.kind() == Kind.PANIC || s.ret() != null))
                        .findFirst().orElse(null);
                if (match == null) {
                    failures.add(t + " -> " + pool.stream().filter(s -> s.site().function().equals(name))
                            .map(s -> TraceSampleRustTest.mismatches(t, s, null, v) + " ret " + s.ret()).toList());
                    continue;
                }
                pool.remove(match);
                TraceSampleRustTest.mismatches(t, match, tally, v);
                if (t.kind() == Kind.PANIC && r == ProbePlanner.Returns.RETS) {
                    assertTrue(match.unwound(), "the panicking call is reported as an unwind: " + t);
                }
            }
            assertEquals(List.of(), failures, "calls of moved functions whose values differ from the truth");
            assertTrue(tally.compared >= truth.size(), "values compared: " + tally.compared + " for " + truth.size()
                    + " calls; unavailable " + tally.unavailableReasons);
            if (r == ProbePlanner.Returns.NONE) {
                rendered = rendered(run, moved);
            }
        }
        // --exact-entry: the same calls with the same values, probed at the first instructions
        TracedRun exact = TracedRun.run(v, options(ProbePlanner.Returns.NONE, true), List.of(), "sample_rust::**");
        assertEquals(0, exact.exitCode(), exact.stderr());
        assertEquals(Set.of(), moved(exact));
        TracedRun again = TracedRun.run(v, options(ProbePlanner.Returns.NONE, false), List.of(), "sample_rust::**");
        Set<String> moved = moved(again);
        assertEquals(rendered(again, moved), rendered(exact, moved));
        assertEquals(rendered, rendered(again, moved), "two moved runs agree too");
    }

    /**
     * Every call of the given functions as "name(args)", sorted, with addresses (ASLR) masked. sample-rust's own
     * truth-printing helpers are left out: some of their values are stack addresses seen through other types (a
     * Truth::ret instance's f64 is a pointer's bits), which differ from run to run.
     */
    static List<String> rendered(TracedRun run, Set<String> functions) {
        List<String> out = new ArrayList<>();
        for (TraceEvent e : run.events()) {
            if (e.kind() == TraceEvent.Kind.CALL && functions.contains(e.site().function())
                    && !e.site().function().startsWith("sample_rust::truth::")) {
                StringBuilder b = new StringBuilder(e.site().function()).append('(');
                for (TraceEvent.Arg a : e.args()) {
                    b.append(a.name()).append(": ").append(RustValue.render(a.value())).append(", ");
                }
                out.add(b.append(')').toString().replaceAll("0x[0-9a-f]{8,}", "0xADDR"));
            }
        }
        out.sort(null);
        assertTrue(out.size() >= 10, "calls of moved functions: " + out);
        return out;
    }
}
