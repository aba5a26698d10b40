// The pieces of trace output that do not need a kernel: durations, log2 buckets and the histogram rows, and how an
// inlined call's end and an inlined call whose exit was not seen print.
package dev.rustprobe.trace;

import dev.rustprobe.abi.RustValue;
import dev.rustprobe.probe.FetchPlan;
import dev.rustprobe.probe.ProbeProgram;
import dev.rustprobe.probe.ProbeSite;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class EventFormatTest {
    @Test
    void durationsReadLikeHumansWriteThem() {
        assertEquals("0ns", EventFormat.duration(0));
        assertEquals("999ns", EventFormat.duration(999));
        assertEquals("1.0µs", EventFormat.duration(1_000));
        assertEquals("1.8µs", EventFormat.duration(1_849));
        assertEquals("1.9µs", EventFormat.duration(1_850));
        assertEquals("999.9µs", EventFormat.duration(999_949));
        assertEquals("1.0ms", EventFormat.duration(999_950));
        assertEquals("12.3ms", EventFormat.duration(12_345_678));
        assertEquals("1.00s", EventFormat.duration(999_950_000));
        assertEquals("1.25s", EventFormat.duration(1_249_999_999));
        assertEquals("61.05s", EventFormat.duration(61_050_000_000L));
    }

    @Test
    void histogramBucketsArePowersOfTwo() {
        assertEquals(0, Summary.bucket(0));
        assertEquals(0, Summary.bucket(1));
        assertEquals(1, Summary.bucket(2));
        assertEquals(1, Summary.bucket(3));
        assertEquals(10, Summary.bucket(1024));
        assertEquals(10, Summary.bucket(2047));
        assertEquals(62, Summary.bucket(Long.MAX_VALUE));
        assertEquals("1K", Summary.size(1024));
        assertEquals("2M", Summary.size(2L << 20));
        assertEquals("3", Summary.size(3));
        long[] hist = new long[64];
        hist[10] = 4;
        hist[12] = 2;
        StringBuilder b = new StringBuilder();
        Summary.appendHistogram(b, hist);
        assertEquals("""
                  latency (ns):
                    [1K, 2K)                4 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|
                    [2K, 4K)                0 |                                        |
                    [4K, 8K)                2 |@@@@@@@@@@@@@@@@@@@@                    |
                """, b.toString());
    }

    @Test
    void anInlinedCallPrintsItsDurationWithoutAReturnValueAndAnUnseenExitSaysWhy() {
        ProbeSite site = new ProbeSite(3, ProbeSite.Kind.INLINE, "sample_rust::inline::scale", List.of(), 0x1000, 0x1000,
                0x1000, "sample_rust::main", "src/main.rs:159:37", null,
                new ProbeProgram.Spec(ProbeProgram.Role.INLINE_CALL, -1, new FetchPlan(List.of())), false, List.of(),
                true);
        List<TraceEvent.Arg> args = List.of(new TraceEvent.Arg("x", new RustValue.Int(java.math.BigInteger.valueOf(41))));
        TraceEvent call = new TraceEvent(TraceEvent.Kind.CALL, site, 7, 8, 1_000, args, null, -1, null);
        TraceEvent end = new TraceEvent(TraceEvent.Kind.RETURN, site, 7, 8, 2_850, args, TraceSession.INLINE_RET, 1_850,
                call);
        EventFormat f = new EventFormat(false);
        assertEquals("sample_rust::inline::scale(x: 41)  [inlined into sample_rust::main at src/main.rs:159:37]  1.9µs"
                + "  tid 8", f.text(end));
        assertEquals("{\"event\":\"return\",\"function\":\"sample_rust::inline::scale\",\"pid\":7,\"tid\":8,"
                + "\"time_ns\":2850,\"site\":\"inline\",\"caller\":\"sample_rust::main\",\"call_site\":"
                + "\"src/main.rs:159:37\",\"ret\":{\"unavailable\":\"inlined: DWARF gives no location for an inlined"
                + " call's return value\"},\"duration_ns\":1850}", f.json(end));
        TraceEvent unseen = new TraceEvent(TraceEvent.Kind.EXIT_UNSEEN, site, 7, 8, 3_000, args, TraceSession.REENTERED,
                -1, call);
        assertEquals("sample_rust::inline::scale(x: 41)  [inlined into sample_rust::main at src/main.rs:159:37]  tid 8"
                + "  (no exit seen: its copy was entered again at the same stack depth before any exit probe saw it"
                + " left)", f.text(unseen));
        assertEquals("{\"event\":\"exit_unseen\",\"function\":\"sample_rust::inline::scale\",\"pid\":7,\"tid\":8,"
                + "\"time_ns\":3000,\"site\":\"inline\",\"caller\":\"sample_rust::main\",\"call_site\":"
                + "\"src/main.rs:159:37\",\"args\":{\"x\":41},\"reason\":\"its copy was entered again at the same"
                + " stack depth before any exit probe saw it left\",\"duration_ns\":null}", f.json(unseen));
        Summary sum = new Summary(List.of(site), f);
        sum.add(call);
        sum.add(end);
        sum.add(call);
        sum.add(unseen);
        assertEquals(2, sum.calls("sample_rust::inline::scale"));
        assertEquals(1, sum.returns("sample_rust::inline::scale"));
        assertEquals(1, sum.exitsUnseen("sample_rust::inline::scale"));
        assertEquals(java.util.Map.of("inlined into sample_rust::main at src/main.rs:159:37", 1L),
                sum.returnsBySite("sample_rust::inline::scale"));
        String text = sum.render(0, 4);
        assertEquals(true, text.contains("sample_rust::inline::scale: 2 calls, 1 return, 1 inlined call whose exit was"
                + " not seen\n         2  inlined into sample_rust::main at src/main.rs:159:37  (1 ended)\n"), text);
        assertEquals(true, text.contains("[1K, 2K)"), text);
    }
}
