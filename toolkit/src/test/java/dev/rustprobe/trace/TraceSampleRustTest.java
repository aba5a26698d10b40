// Traces sample-rust (release legacy and v0, debug) on the real kernel with the probes live from the first
// instruction, and checks every call against the truth lines the program printed: exact counts per function,
// values rendered exactly as Rust prints them (strict for the integers the decoder handles today, and for every
// other value once it decodes), inlined calls at their call sites, every generic copy, the panicking call reported
// as an unwind while the program finishes normally, worker threads attributed to their tids, nothing left behind;
// and the panicking function traced alone, so that only the catch point can report its unwind.
package dev.rustprobe.trace;

import dev.rustprobe.abi.RustValue;
import dev.rustprobe.abi.Shape;
import dev.rustprobe.abi.SiteValue;
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
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

class TraceSampleRustTest {
    /** The reasons a value may be unreadable at a probe; any other reason fails the test. Filled from the runs. */
    private static final List<String> EXPECTED_UNREADABLE = List.of("float register", "optimized out", "value folded",
            "left by a tail call", "inlined: DWARF gives no location");
    static final ProbePlanner.Options DEFAULT = new ProbePlanner.Options(true, ProbePlanner.Returns.AUTO, 64);
    /** Probes on every ret, also where the default takes a uretprobe: the v0 build runs with it, so both are traced. */
    static final ProbePlanner.Options RETS = new ProbePlanner.Options(true, ProbePlanner.Returns.RETS, 64);

    @BeforeEach
    void bpf() {
        KernelCheck.assumeBpf();
    }

    /**
     * "sample_rust::**" alone: it takes the crate's methods named "<Type>::f" or "<Type as Trait>::f" too (their
     * self-type form is a crate path), and the test below requires every truth line's function in the plan.
     */
    static String[] patterns(Variant v) {
        return new String[] {"sample_rust::**"};
    }

    /** One call as the trace saw it: where, on which thread, its arguments, and how it ended. */
    record Seen(ProbeSite site, int tid, Map<String, RustValue> args, RustValue ret, boolean unwound) {}

    static List<Seen> calls(TracedRun run) {
        List<Seen> out = new ArrayList<>();
        for (TraceEvent e : run.events()) {
            if (e.kind() == TraceEvent.Kind.CALL && !e.site().paired()) {
                out.add(new Seen(e.site(), e.tid(), args(e), null, false));
            } else if (e.kind() == TraceEvent.Kind.RETURN) {
                assertTrue(e.call() != null, "every return pairs with its recorded call: " + e);
                out.add(new Seen(e.call().site(), e.tid(), args(e), e.ret(), false));
            } else if (e.kind() == TraceEvent.Kind.UNWIND) {
                assertTrue(e.call() != null, "every unwind has its recorded call: " + e);
                out.add(new Seen(e.site(), e.tid(), args(e), null, true));
            } else if (e.kind() == TraceEvent.Kind.EXIT_UNSEEN) {
                out.add(new Seen(e.site(), e.tid(), args(e), null, false));
            }
        }
        for (TraceEvent open : run.unreturned()) {
            out.add(new Seen(open.site(), open.tid(), args(open), null, false));
        }
        return out;
    }

    static Map<String, RustValue> args(TraceEvent e) {
        Map<String, RustValue> m = new LinkedHashMap<>();
        e.args().forEach(a -> m.put(a.name(), a.value()));
        return m;
    }

    /** Tallies of the value comparison, so the assertions can say how much was checked. */
    static final class Tally {
        int compared;
        int integers;
        int unavailable;
        final Map<String, Integer> unavailableReasons = new TreeMap<>();
    }

    @ParameterizedTest
    @EnumSource(value = Variant.class, names = {"RELEASE_LEGACY", "RELEASE_V0", "DEBUG"})
    void everyCallOfSampleRustIsRecordedWithItsValuesSitesAndThreads(Variant v) {
        TracedRun run = TracedRun.run(v, v == Variant.RELEASE_V0 ? RETS : DEFAULT, List.of(), patterns(v));
        assertEquals(0, run.exitCode(), "sample-rust finishes normally under trace (a panic is caught): " + run.stderr());
        assertEquals(Kind.DONE, run.truth().get(run.truth().size() - 1).kind());
        assertEquals(0, run.lost(), "no record lost");
        KernelCheck.assertGone(run.programIds());

        // The function groups the trace knows: a name and the aliases that share its code.
        Map<String, String> groupOf = new HashMap<>();
        for (ProbeSite s : run.plan().sites()) {
            groupOf.putIfAbsent(s.function(), s.function());
            for (String a : s.aliases()) {
                groupOf.putIfAbsent(a, s.function());
            }
        }
        List<TruthLine> truth = run.truth().stream()
                .filter(t -> t.kind() != Kind.START && t.kind() != Kind.DONE).toList();
        Map<String, List<TruthLine>> truthByGroup = new TreeMap<>();
        for (TruthLine t : truth) {
            String name = SampleRust.demangledName(t.function(), v);
            String g = groupOf.get(name);
            assertTrue(g != null, "the plan probes " + name + " (truth line " + t + ")");
            truthByGroup.computeIfAbsent(g, k -> new ArrayList<>()).add(t);
        }
        List<Seen> seen = calls(run);
        Map<String, List<Seen>> seenByGroup = seen.stream().collect(Collectors.groupingBy(s -> s.site().function()));

        // Counts: exact per function (aliases counted together: one probe fires for both names).
        for (Map.Entry<String, List<TruthLine>> e : truthByGroup.entrySet()) {
            assertEquals(e.getValue().size(), seenByGroup.getOrDefault(e.getKey(), List.of()).size(),
                    "calls of " + e.getKey());
        }

        // Threads: every worker thread's calls are attributed to that thread's tid.
        int mainTid = run.truth().get(0).tid();
        Set<Integer> truthTids = truth.stream().map(TruthLine::tid).filter(t -> t != mainTid)
                .collect(Collectors.toCollection(TreeSet::new));
        Set<Integer> seenTids = seen.stream().filter(s -> truthByGroup.containsKey(s.site().function()))
                .map(Seen::tid).filter(t -> t != mainTid).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(3, truthTids.size(), "sample-rust runs three worker threads");
        assertEquals(truthTids, seenTids);

        // Values: each truth line is matched to a recorded call of the same function on the same thread whose
        // decoded values all render exactly as the truth prints them.
        Tally tally = new Tally();
        List<String> failures = new ArrayList<>();
        for (Map.Entry<String, List<TruthLine>> e : truthByGroup.entrySet()) {
            List<Seen> pool = new ArrayList<>(seenByGroup.getOrDefault(e.getKey(), List.of()));
            for (TruthLine t : e.getValue()) {
                Seen match = null;
                for (Seen s : pool) {
                    if (s.tid() == t.tid() && mismatches(t, s, null, v).isEmpty()) {
                        match = s;
                        break;
                    }
                }
                if (match == null) {
                    List<String> why = pool.stream().filter(s -> s.tid() == t.tid()).map(s -> mismatches(t, s, null, v))
                            .findFirst().orElse(List.of("no recorded call on tid " + t.tid()));
                    failures.add(t + " -> " + why);
                    continue;
                }
                pool.remove(match);
                mismatches(t, match, tally, v);
                if (t.kind() == Kind.PANIC) {
                    assertTrue(match.unwound(), "the panicking call is reported as an unwind: " + t);
                } else if (match.site().paired()) {
                    assertFalse(match.unwound(), "a call that returned is not an unwind: " + t);
                }
            }
        }
        assertTrue(failures.isEmpty(), failures.size() + " truth lines without a matching recorded call:\n"
                + String.join("\n", failures));
        System.out.println(v + ": " + truth.size() + " truth lines matched; values equal " + tally.compared
                + " (integers/bools " + tally.integers + "), undecoded " + tally.unavailable + " " + tally.unavailableReasons);
        // Every value sample-rust prints decodes exactly, except those a uprobe cannot read, each with its reason
        // (measured: release 324 equal / 28 unreadable, debug 351 / 21).
        assertTrue(tally.compared >= (v.release() ? 320 : 345), "values compared: " + tally.compared
                + "; unavailable " + tally.unavailable + " " + tally.unavailableReasons);
        for (String reason : tally.unavailableReasons.keySet()) {
            assertTrue(EXPECTED_UNREADABLE.stream().anyMatch(reason::startsWith), "an unexpected reason: " + reason
                    + " in " + tally.unavailableReasons);
        }

        // Inlined calls: in release builds each INLINE line is a call recorded at its inlined site's line.
        Map<String, Integer> truthInline = new TreeMap<>();
        Map<String, Integer> seenInline = new TreeMap<>();
        for (TruthLine t : truth) {
            if (t.kind() == Kind.INLINE) {
                truthInline.merge(SampleRust.demangledName(t.function(), v) + " @" + t.callLine(), 1, Integer::sum);
            }
        }
        for (Seen s : seen) {
            if (s.site().kind() == ProbeSite.Kind.INLINE && truthByGroup.containsKey(s.site().function())) {
                String[] parts = s.site().callSite().split(":");
                seenInline.merge(s.site().function() + " @" + parts[parts.length - 2], 1, Integer::sum);
            }
        }
        if (v.release()) {
            assertEquals(7, truthInline.size(), "sample-rust has 7 inline call sites");
            assertEquals(truthInline, seenInline);
        } else {
            assertTrue(seenInline.isEmpty(), "the debug build calls the helpers out of line: " + seenInline);
        }

        assertInlinedCallsEnd(run, v);

        // Generic copies: every monomorphization has its own entry probe, and each one was called.
        Map<String, Integer> copies = Map.of("sample_rust::generics::describe", 4, "sample_rust::generics::largest", 3,
                "sample_rust::generics::double_area", 2);
        for (Map.Entry<String, Integer> c : copies.entrySet()) {
            List<ProbeSite> entries = run.plan().sites().stream().filter(s -> s.kind() == ProbeSite.Kind.ENTRY
                    && SampleRust.stripTypeArguments(s.function()).equals(c.getKey())).toList();
            assertEquals(c.getValue(), entries.size(), "entry probes on the copies of " + c.getKey());
            for (ProbeSite s : entries) {
                assertTrue(seen.stream().anyMatch(x -> x.site().id() == s.id()),
                        "the copy at 0x" + Long.toHexString(s.address()) + " of " + c.getKey() + " was called");
            }
        }

        // The panic: explode(13) unwound, explode(4) returned; the program went on to DONE (checked above).
        List<Seen> explode = seenByGroup.get("sample_rust::faults::explode");
        assertEquals(1, explode.stream().filter(Seen::unwound).count());
        assertEquals(1, explode.stream().filter(s -> s.ret() != null).count());
        if (v.release()) {
            assertEquals("13", RustValue.render(explode.stream().filter(Seen::unwound).findFirst().get().args()
                    .get("code")));
        }
    }

    /**
     * Inlined calls pair with the ends of their copies: per inlined site of sample_rust's inline module, as many ends
     * as calls, each joined to its call on the same thread with a duration above 0 and below the whole run; no call
     * anywhere left with its exit unseen, and no inlined call reported unwound except the closure whose panic
     * fault_calls catches. In the debug build the helpers run out of line and pair at their rets instead.
     */
    static void assertInlinedCallsEnd(TracedRun run, Variant v) {
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        Map<Integer, Integer> calls = new TreeMap<>();
        Map<Integer, Integer> ends = new TreeMap<>();
        Map<Integer, Integer> unwound = new TreeMap<>();
        List<String> unseen = new ArrayList<>();
        for (TraceEvent e : run.events()) {
            first = Math.min(first, e.timeNs());
            last = Math.max(last, e.timeNs());
            if (e.kind() == TraceEvent.Kind.EXIT_UNSEEN) {
                unseen.add(e.site().function() + " at " + e.site().callSite());
            }
            if (e.kind() == TraceEvent.Kind.CALL && e.site().kind() == ProbeSite.Kind.INLINE) {
                calls.merge(e.site().id(), 1, Integer::sum);
            } else if (e.kind() == TraceEvent.Kind.RETURN && e.site().kind() == ProbeSite.Kind.INLINE) {
                assertTrue(e.call() != null && e.call().site() == e.site() && e.call().tid() == e.tid(),
                        "an inline return joins its own call on its thread: " + e);
                ends.merge(e.site().id(), 1, Integer::sum);
            } else if (e.kind() == TraceEvent.Kind.UNWIND && e.site().kind() == ProbeSite.Kind.INLINE) {
                unwound.merge(e.site().id(), 1, Integer::sum);
                assertTrue(e.site().function().startsWith("sample_rust::fault_calls::"), "only the closure that panics"
                        + " is unwound among inlined calls: " + e);
            }
        }
        assertTrue(unseen.isEmpty(), "inlined calls whose exit no probe saw: " + unseen);
        long whole = last - first;
        for (TraceEvent e : run.events()) {
            if (e.kind() == TraceEvent.Kind.RETURN && e.site().kind() == ProbeSite.Kind.INLINE) {
                assertTrue(e.durationNs() > 0 && e.durationNs() < whole, "duration " + e.durationNs() + " of " + e);
            }
        }
        int helpers = 0;
        for (ProbeSite s : run.plan().sites()) {
            if (s.kind() != ProbeSite.Kind.INLINE || !s.paired()) {
                continue;
            }
            int n = calls.getOrDefault(s.id(), 0);
            assertEquals(n, ends.getOrDefault(s.id(), 0) + unwound.getOrDefault(s.id(), 0),
                    "ends of the inlined calls of " + s.function() + " at " + s.callSite());
            if (s.function().startsWith("sample_rust::inline::")) {
                helpers += n;
                assertTrue(n > 0, "the inlined copy at 0x" + Long.toHexString(s.address()) + " ran");
            }
        }
        List<ProbeSite> unpaired = run.plan().sites().stream().filter(s -> s.kind() == ProbeSite.Kind.INLINE
                && s.function().startsWith("sample_rust::inline::") && !s.paired()).toList();
        assertTrue(unpaired.isEmpty(), "every inlined copy of the inline module pairs: " + unpaired);
        if (v.release()) {
            assertEquals(13, helpers, "sample-rust makes 13 inlined calls of its inline module");
        } else {
            long out = run.events().stream().filter(e -> e.kind() == TraceEvent.Kind.RETURN && e.call() != null
                    && e.call().site().function().startsWith("sample_rust::inline::")).count();
            assertEquals(13, out, "in debug the 13 helper calls return out of line");
        }
        System.out.println(v + ": inlined calls paired " + ends.values().stream().mapToInt(Integer::intValue).sum()
                + " at " + ends.size() + " sites, unwound " + unwound + ", helpers " + helpers);
    }

    /**
     * The values of a recorded call that differ from a truth line: every argument present in both, and the return
     * value when the call returned. A value that could not be decoded is counted (with its reason), not compared.
     */
    static List<String> mismatches(TruthLine t, Seen s, Tally tally, Variant v) {
        List<String> out = new ArrayList<>();
        String name = SampleRust.demangledName(t.function(), v);
        if (!s.site().function().equals(name) && s.site().aliases().contains(name)) {
            // a call through another name of the same code: decoded with the described name's types, which
            // print differently (a tuple for a struct of the same layout); counted, not compared
            return out;
        }
        Map<String, SiteValue> declared = new HashMap<>();
        s.site().values().forEach(x -> declared.put(x.name(), x));
        for (Map.Entry<String, String> a : t.args().entrySet()) {
            RustValue got = s.args().get(a.getKey());
            if (got != null) {
                compare(a.getKey(), a.getValue(), got, declared.get(a.getKey()), out, tally);
            }
        }
        if (s.ret() != null && t.kind() != Kind.PANIC) {
            compare("return", t.ret(), s.ret(), null, out, tally);
        }
        return out;
    }

    private static void compare(String name, String expected, RustValue got, SiteValue declared, List<String> out,
                                Tally tally) {
        String rendered = RustValue.render(got);
        int cut = rendered.indexOf("<unavailable: ");
        if (cut >= 0) {
            // not readable (wholly, or a part such as a float field in xmm): counted with its reason, not compared
            if (tally != null) {
                tally.unavailable++;
                String reason = rendered.substring(cut + 14, Math.max(cut + 14, rendered.indexOf('>', cut)));
                tally.unavailableReasons.merge(reason.replaceAll("[0-9a-fx]{4,}", "N"), 1, Integer::sum);
            }
            return;
        }
        if (got instanceof RustValue.Opaque) {
            return; // closures print as <closure ...> in the truth; nothing to compare
        }
        if (!rendered.equals(expected)) {
            out.add(name + ": recorded " + rendered + ", truth " + expected);
        } else if (tally != null) {
            tally.compared++;
            if (got instanceof RustValue.Int || got instanceof RustValue.Bool
                    || declared != null && declared.shape() instanceof Shape.Int) {
                tally.integers++;
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = Variant.class, names = {"RELEASE_LEGACY", "RELEASE_V0", "DEBUG"})
    void aPanicsUnwindIsReportedWhenItIsCaughtWithNoLaterTracedEvent(Variant v) {
        // explode(13) is the thread's last traced call: nothing after it could find its frame dead.
        long before = System.nanoTime(); // CLOCK_MONOTONIC, as bpf_ktime_get_ns
        TracedRun run = TracedRun.run(v, DEFAULT, List.of(), "sample_rust::faults::*");
        long after = System.nanoTime();
        assertEquals(0, run.exitCode(), run.stderr());
        assertEquals(0, run.lost());
        KernelCheck.assertGone(run.programIds());
        List<ProbeSite> catches = run.plan().sites().stream().filter(s -> s.kind() == ProbeSite.Kind.CATCH).toList();
        // measured: cleanup and __rust_panic_cleanup in every build, and the debug build's 3 do_catch copies
        assertEquals(v.release() ? 2 : 5, catches.size(), "the plan probes std's catch points: " + catches);
        assertTrue(catches.stream().anyMatch(s -> s.function().equals("std::panicking::catch_unwind::cleanup")));
        assertTrue(run.plan().warnings().isEmpty(), run.plan().warnings().toString());

        assertEquals(List.of(), run.unreturned(), "no call is left open at the end");
        List<TraceEvent> unwinds = run.events().stream().filter(e -> e.kind() == TraceEvent.Kind.UNWIND).toList();
        List<TraceEvent> returns = run.events().stream().filter(e -> e.kind() == TraceEvent.Kind.RETURN).toList();
        assertEquals(1, unwinds.size(), "explode(13) unwound: " + run.events());
        assertEquals(1, returns.size(), "explode(4) returned: " + run.events());
        TraceEvent u = unwinds.get(0);
        assertEquals("sample_rust::faults::explode", u.site().function());
        assertTrue(u.call() != null && u.call().kind() == TraceEvent.Kind.CALL, "paired with its call: " + u);
        if (v.release()) {
            assertEquals("13", RustValue.render(args(u).get("code")));
        }
        assertEquals(u.timeNs() - u.call().timeNs(), u.durationNs());
        assertTrue(before < u.call().timeNs() && u.call().timeNs() < u.timeNs() && u.timeNs() < after,
                "the call, then its unwind, inside the run");
        assertTrue(returns.get(0).timeNs() < u.call().timeNs(), "explode(4) ran first");
        int mainTid = run.truth().get(0).tid();
        assertEquals(mainTid, u.tid());
        TruthLine panic = run.truth().stream().filter(t -> t.kind() == Kind.PANIC).findFirst().orElseThrow();
        assertEquals(mainTid, panic.tid());
    }
}
