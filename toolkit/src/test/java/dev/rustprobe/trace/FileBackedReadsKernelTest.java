// On the real kernel: a probe leaves reads into the binary's read-only segments (string literals) to user space,
// which takes the bytes from the file (ReadOnlyImage), while heap and stack bytes are still copied by the probe; and
// every value decodes the same as when the probes copy everything (RUSTPROBE_FILE_READS=off's plan).
package dev.rustprobe.trace;

import dev.rustprobe.abi.RustValue;
import dev.rustprobe.probe.ReadOnlyImage;
import dev.rustprobe.probe.TracePlan;
import dev.rustprobe.testing.KernelCheck;
import dev.rustprobe.testing.SampleRust;
import dev.rustprobe.testing.SampleRust.Variant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FileBackedReadsKernelTest {
    @BeforeEach
    void bpf() {
        KernelCheck.assumeBpf();
    }

    @ParameterizedTest
    @EnumSource(value = Variant.class, names = {"RELEASE_LEGACY", "DEBUG"})
    void literalsComeFromTheFileHeapStringsFromTheProbeAndEveryValueIsTheSame(Variant v) {
        TracePlan plan = TracedRun.plan(v, TraceSampleRustTest.DEFAULT, "sample_rust::text::*");
        assertFalse(plan.readOnly().isEmpty(), "sample-rust has read-only segments");
        TracePlan probeOnly = new TracePlan(plan.binary(), plan.sites(), plan.functions(), plan.warnings(),
                ReadOnlyImage.NONE);
        List<String> command = List.of(SampleRust.binary(v).toString());
        TracedRun fromFile = TracedRun.run(plan, command);
        TracedRun copied = TracedRun.run(probeOnly, command);
        assertEquals(0, fromFile.exitCode(), fromFile.stderr());
        assertEquals(0, copied.fileBacked(), "without an image every read is the probe's");

        // sorted: count_vowels' worker threads run in any order
        List<String> a = rendered(fromFile).stream().sorted().toList();
        List<String> b = rendered(copied).stream().sorted().toList();
        assertEquals(b, a, "the same calls and values either way");
        // greet, first_word and total_len take literals, count_vowels' callers too: their reads came from the file
        long literalCalls = a.stream().filter(s -> s.startsWith("sample_rust::text::greet(")
                || s.startsWith("sample_rust::text::first_word(") || s.startsWith("sample_rust::text::total_len("))
                .count();
        assertEquals(3, literalCalls, String.join("\n", a));
        assertTrue(fromFile.fileBacked() >= literalCalls, "records with file-backed reads: " + fromFile.fileBacked());
        assertTrue(a.contains("sample_rust::text::greet(name: \"wörld\")"), String.join("\n", a));
        // take_string's String lives on the heap: its bytes can only have come from the probe
        assertTrue(a.contains("sample_rust::text::take_string(s: \"hello, wörld\")"), String.join("\n", a));
    }

    @ParameterizedTest
    @EnumSource(value = Variant.class, names = {"RELEASE_LEGACY", "DEBUG"})
    void valuesWrittenAsTheyDrainShowTheFilesBytesAsDecodedOnesDo(Variant v) {
        TracePlan plan = TracedRun.plan(v, TraceSampleRustTest.DEFAULT, "sample_rust::text::*");
        List<String> command = List.of(SampleRust.binary(v).toString());
        EventFormat format = new EventFormat(false);
        for (TraceSession.Values values : new TraceSession.Values[] {TraceSession.Values.TEXT,
                TraceSession.Values.JSON}) {
            TracedRun rendered = TracedRun.run(plan, command, values);
            TracedRun decoded = TracedRun.run(plan, command);
            assertTrue(rendered.fileBacked() > 0, values + ": file-backed records " + rendered.fileBacked());
            boolean json = values == TraceSession.Values.JSON;
            assertEquals(lines(decoded, format, json), lines(rendered, format, json), values.toString());
        }
    }

    /** Every event as trace prints it, without what differs between runs (times, tids), sorted. */
    private static List<String> lines(TracedRun run, EventFormat format, boolean json) {
        List<String> out = new ArrayList<>();
        for (TraceEvent e : run.events()) {
            String line = json ? format.json(e) : format.text(e);
            out.add(line.replaceAll("\"(tid|pid|time_ns|duration_ns)\": ?[0-9]+", "")
                    .replaceAll("  [0-9][0-9.]*\\S*s(?=  |$)", "").replaceAll("tid [0-9]+", ""));
        }
        out.sort(null);
        return out;
    }

    @ParameterizedTest
    @EnumSource(value = Variant.class, names = {"RELEASE_LEGACY"})
    void aHeapStringIsNeverTakenFromTheFile(Variant v) {
        TracePlan plan = TracedRun.plan(v, TraceSampleRustTest.DEFAULT, "sample_rust::text::take_string");
        TracedRun run = TracedRun.run(plan, List.of(SampleRust.binary(v).toString()));
        assertEquals(List.of("sample_rust::text::take_string(s: \"hello, wörld\")"), rendered(run));
        assertEquals(0, run.fileBacked(), "a String's bytes are on the heap, its header on the stack");
    }

    /** Each call as "function(args)", in order, from its call event. */
    private static List<String> rendered(TracedRun run) {
        List<String> out = new ArrayList<>();
        for (TraceEvent e : run.events()) {
            if (e.kind() != TraceEvent.Kind.CALL) {
                continue;
            }
            StringBuilder s = new StringBuilder(e.site().function()).append('(');
            for (int i = 0; i < e.args().size(); i++) {
                TraceEvent.Arg arg = e.args().get(i);
                s.append(i == 0 ? "" : ", ").append(arg.name()).append(": ").append(render(arg.value()));
            }
            out.add(s.append(')').toString());
        }
        return out;
    }

    private static String render(RustValue v) {
        return RustValue.render(v);
    }
}
