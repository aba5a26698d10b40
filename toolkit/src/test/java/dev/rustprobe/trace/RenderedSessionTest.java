// A session that writes values as it drains (TEXT, JSON) must print the same lines as one that decodes them
// (DECODED), for the same records: calls paired with returns, returns whose call was lost or began before tracing,
// unwinds, calls left open, records of unknown sites. Fed by hand to detached sessions, so no kernel is needed.
package dev.rustprobe.trace;

import dev.rustprobe.abi.Capture;
import dev.rustprobe.abi.DecodeRulesTest.FakeCapture;
import dev.rustprobe.probe.ProbePlanner;
import dev.rustprobe.probe.ProbeSite;
import dev.rustprobe.probe.RecordLayout;
import dev.rustprobe.probe.TracePlan;
import dev.rustprobe.testing.SampleRust;
import dev.rustprobe.text.Utf8Buffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RenderedSessionTest {
    private static final long NAME = 0x5555_0000L;

    @Test
    void renderedSessionsPrintWhatDecodingSessionsPrint() {
        TracePlan plan = TracedRun.plan(SampleRust.Variant.RELEASE_LEGACY,
                new ProbePlanner.Options(true, ProbePlanner.Returns.RETS, 64), "sample_rust::orders::place");
        ProbeSite entry = plan.sites().stream().filter(s -> s.kind() == ProbeSite.Kind.ENTRY).findFirst().orElseThrow();
        ProbeSite ret = plan.sites().stream().filter(s -> s.kind() == ProbeSite.Kind.RETURN).findFirst().orElseThrow();
        List<ByteBuffer> records = new ArrayList<>();
        // paired: call at 100, return at 1900
        records.add(call(entry, 7, "widget", 3, 100, RecordLayout.FLAG_PUSHED, 11));
        records.add(ret(ret, 21, 1900, 100, entry.id(), RecordLayout.FLAG_MATCHED, 11));
        // a return whose call record was lost, and one whose call began before tracing
        records.add(ret(ret, 5, 5000, 4000, entry.id(), RecordLayout.FLAG_MATCHED, 11));
        records.add(ret(ret, 6, 6000, 0, 0, 0, 11));
        // an unwind of a recorded call (its arguments print with it) and of one that was not
        records.add(call(entry, 13, "boom\t\"x\"", 0, 7000, RecordLayout.FLAG_PUSHED, 12));
        records.add(unwind(entry, 9000, 7000, 12));
        records.add(unwind(entry, 9500, 8000, 12));
        // a call that never returns, one on a full stack, a record of a site the plan does not have
        records.add(call(entry, 99, "open", 1, 10_000, RecordLayout.FLAG_PUSHED, 13));
        records.add(call(entry, 98, "full", 2, 11_000, RecordLayout.FLAG_STACK_FULL, 13));
        ByteBuffer unknown = call(entry, 1, "x", 1, 12_000, 0, 13);
        unknown.putInt(RecordLayout.SITE, 9999);
        records.add(unknown);

        EventFormat format = new EventFormat(true);
        String decodedText = run(plan, records, TraceSession.Values.DECODED, format, false);
        String decodedJson = run(plan, records, TraceSession.Values.DECODED, format, true);
        assertEquals(decodedText, run(plan, records, TraceSession.Values.TEXT, format, false));
        assertEquals(decodedJson, run(plan, records, TraceSession.Values.JSON, format, true));
        // and what they print is the trace it should be
        assertTrue(decodedText.contains("sample_rust::orders::place(id: 7, name: \"widget\", qty: Some(3)) -> Ok(21)"
                + "  1.8µs  pid 4242 tid 11\n"), decodedText);
        assertTrue(decodedText.contains("(…) -> Ok(5)  1.0µs  pid 4242 tid 11  (call record lost)\n"), decodedText);
        assertTrue(decodedText.contains("(id: 13, name: \"boom\\t\\\"x\\\"\", qty: None) unwound"), decodedText);
        assertTrue(decodedText.contains("place(id: 99, name: \"open\", qty: Some(1))  (no return seen before tracing"
                + " stopped)"), decodedText);
        assertTrue(decodedJson.contains("\"args\":{\"id\":13,\"name\":\"boom\\t\\\"x\\\"\",\"qty\":null},"
                + "\"duration_ns\":2000}"), decodedJson);
    }

    /** Every event as the trace command prints it, then (text) the calls left open. */
    private static String run(TracePlan plan, List<ByteBuffer> records, TraceSession.Values values,
                              EventFormat format, boolean json) {
        Utf8Buffer out = new Utf8Buffer(1024);
        TraceSession s = TraceSession.detached(plan, e -> {
            if (json) {
                format.json(e, out);
                out.newline();
            } else if (e.kind() != TraceEvent.Kind.CALL || !e.site().paired()) {
                format.text(e, out);
                out.newline();
            }
        }, values);
        for (ByteBuffer r : records) {
            s.feed(r.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN));
        }
        for (TraceEvent open : s.unreturned()) {
            if (!json) { // as the trace command: JSON has no line for them
                format.unreturned(open, out);
                out.newline();
            }
        }
        assertEquals(1, s.unknownRecords());
        return out.toString();
    }

    private static Capture regs(Map<String, Long> regs, String name) {
        FakeCapture c = new FakeCapture().mem(NAME, name.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        regs.forEach(c::reg);
        return c;
    }

    private static ByteBuffer call(ProbeSite s, long id, String name, long qty, long ktime, int flags, int tid) {
        Capture c = regs(Map.of("rdi", id, "rsi", NAME, "rdx", (long) name.length(), "rcx", qty == 0 ? 0L : 1L,
                "r8", qty, "rip", s.address(), "rsp", 0x7fff_0000L), name);
        return header(RecordBuilder.build(s.spec().plan(), RecordLayout.TYPE_CALL, s.id(), c), ktime, 0, 0, flags, tid);
    }

    private static ByteBuffer ret(ProbeSite s, long value, long ktime, long entryKtime, int entrySite, int flags,
                                  int tid) {
        Capture c = regs(Map.of("rax", 0L, "rdx", value, "rip", s.address(), "rsp", 0x7fff_0000L), "");
        return header(RecordBuilder.build(s.spec().plan(), RecordLayout.TYPE_RETURN, s.id(), c), ktime, entryKtime,
                entrySite, flags, tid);
    }

    private static ByteBuffer unwind(ProbeSite entry, long ktime, long entryKtime, int tid) {
        ByteBuffer b = ByteBuffer.allocate(RecordLayout.UNWIND_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(RecordLayout.TYPE, RecordLayout.TYPE_UNWIND);
        b.putInt(RecordLayout.SITE, entry.id());
        b.putLong(RecordLayout.PID_TGID, 4242L << 32);
        return header(b, ktime, entryKtime, entry.id(), RecordLayout.FLAG_MATCHED, tid);
    }

    private static ByteBuffer header(ByteBuffer b, long ktime, long entryKtime, int entrySite, int flags, int tid) {
        b.putLong(RecordLayout.PID_TGID, (4242L << 32) | tid);
        b.putLong(RecordLayout.KTIME, ktime);
        b.putLong(RecordLayout.ENTRY_KTIME, entryKtime);
        b.putInt(RecordLayout.ENTRY_SITE, entrySite);
        b.putInt(RecordLayout.FLAGS, flags);
        return b;
    }
}
