// The fast path on hand-made records, one case each: what it writes itself, and where it must leave the value to
// the Decoder (and the renderer then prints the Decoder's value, byte for byte).
package dev.rustprobe.trace;

import dev.rustprobe.abi.DecodeRulesTest.FakeCapture;
import dev.rustprobe.abi.RustValue;
import dev.rustprobe.abi.Shape;
import dev.rustprobe.abi.SiteValue;
import dev.rustprobe.abi.ValueLocation;
import dev.rustprobe.probe.FetchPlan;
import dev.rustprobe.probe.FetchPlanner;
import dev.rustprobe.probe.ProbeProgram;
import dev.rustprobe.probe.ProbeRecord;
import dev.rustprobe.probe.ProbeSite;
import dev.rustprobe.probe.RecordLayout;
import dev.rustprobe.text.Utf8Buffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CompiledValueTest {
    private static final long TEXT = 0x7000_0000L;
    private static final Shape STR = new Shape.Str(16, 0, 8);
    private static final ValueLocation RDI_RSI = new ValueLocation.Pieces(List.of(
            new ValueLocation.Piece(0, 8, 0, new ValueLocation.Register("rdi", 8)),
            new ValueLocation.Piece(8, 8, 1, new ValueLocation.Register("rsi", 8))));

    /** What one value comes out as: whether the fast path wrote it, and the text and JSON printed either way. */
    record Out(boolean fastText, boolean fastJson, String text, String json) {}

    static Out run(SiteValue v, FakeCapture p, int maxBytes) {
        FetchPlan plan = FetchPlanner.plan(List.of(v), maxBytes);
        ByteBuffer record = RecordBuilder.build(plan, RecordLayout.TYPE_CALL, 0, p);
        RecordLayout layout = new RecordLayout(plan);
        ProbeRecord r = new ProbeRecord(record, layout);
        CompiledValue c = CompiledValue.compile(v, layout);
        CompiledValue.Scratch scratch = new CompiledValue.Scratch();
        boolean fastText = c.write(r, scratch, new Utf8Buffer(16), false);
        boolean fastJson = c.write(r, scratch, new Utf8Buffer(16), true);
        ProbeSite site = new ProbeSite(0, ProbeSite.Kind.ENTRY, "f", List.of(), 0x1000, 0x1000, 0x1000, null, null,
                null, new ProbeProgram.Spec(ProbeProgram.Role.CALL_UNPAIRED, -1, plan), false, List.of(v), true);
        RecordRenderer text = new RecordRenderer(List.of(site), new RecordLayout[] {layout}, false);
        RecordRenderer json = new RecordRenderer(List.of(site), new RecordLayout[] {layout}, true);
        String t = new String(text.args(site, r), StandardCharsets.UTF_8);
        String j = new String(json.args(site, r), StandardCharsets.UTF_8);
        RustValue want = TraceSession.decode(v, r);
        assertEquals(v.name() + ": " + RustValue.render(want), t, "text as the Decoder's");
        assertEquals(RustValue.jsonString(v.name()) + ":" + RustValue.toJson(want), j, "JSON as the Decoder's");
        assertEquals(fastText ? 1 : 0, text.fastValues());
        assertEquals(fastText ? 0 : 1, text.decodedValues());
        return new Out(fastText, fastJson, RustValue.render(want), RustValue.toJson(want));
    }

    static Out str(byte[] bytes, long len, int maxBytes) {
        SiteValue v = new SiteValue("s", "&str", RDI_RSI, STR, "");
        return run(v, new FakeCapture().reg("rdi", TEXT).reg("rsi", len).mem(TEXT, bytes), maxBytes);
    }

    @Test
    void plainAndEscapedTextIsWrittenByTheFastPath() {
        byte[] text = "tab\there \"q\" \\ é λ 😀\u0007".getBytes(StandardCharsets.UTF_8);
        Out o = str(text, text.length, 64);
        assertTrue(o.fastText() && o.fastJson());
        assertEquals("\"tab\\there \\\"q\\\" \\\\ é λ 😀\\u{7}\"", o.text());
        assertEquals("\"tab\\there \\\"q\\\" \\\\ é λ 😀\\u0007\"", o.json());
        // a combining mark is escaped where the text starts, not inside it
        o = str("\u0301a\u0301".getBytes(StandardCharsets.UTF_8), 5, 64);
        assertTrue(o.fastText());
        assertEquals("\"\\u{301}a\u0301\"", o.text());
    }

    @Test
    void aStringCutAtMaxBytesSaysItsLengthAndDropsAHalfCharacter() {
        Out o = str("ab\u00e9cd".getBytes(StandardCharsets.UTF_8), 6, 3); // é cut in half at byte 3
        assertTrue(o.fastText() && o.fastJson());
        assertEquals("\"ab\"…(6 bytes)", o.text());
        assertEquals("\"ab\"", o.json());
    }

    @Test
    void textThatIsNotWellFormedUtf8IsTheDecoders() {
        byte[][] bad = {
            {'a', (byte) 0xED, (byte) 0xA0, (byte) 0x80}, // an encoded surrogate
            {'a', (byte) 0xC0, (byte) 0x80}, // an overlong NUL
            {'a', (byte) 0xE0, (byte) 0x80, (byte) 0xAF}, // an overlong '/'
            {'a', (byte) 0xF0, (byte) 0x8F, (byte) 0xBF, (byte) 0xBF}, // an overlong U+FFFF
            {'a', (byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, // past U+10FFFF
            {'a', (byte) 0x80}, // a stray continuation byte
            {'a', (byte) 0xE2, (byte) 0x82}, // cut short, and not by --max-bytes
        };
        for (byte[] b : bad) {
            Out o = str(b, b.length, 64);
            assertFalse(o.fastText() || o.fastJson(), o.text());
            assertTrue(o.text().contains("\uFFFD"), o.text());
        }
    }

    @Test
    void aFailedReadANullPointerAndAMissingRegisterAreTheDecoders() {
        Out o = str("never read".getBytes(StandardCharsets.UTF_8), 10, 64);
        assertTrue(o.fastText());
        SiteValue v = new SiteValue("s", "&str", RDI_RSI, STR, "");
        o = run(v, new FakeCapture().reg("rdi", TEXT).reg("rsi", 10), 64); // nothing mapped there: the read fails
        assertFalse(o.fastText());
        assertEquals("<unavailable: string bytes at 0x70000000 were not recorded>", o.text());
        o = run(v, new FakeCapture().reg("rdi", 0).reg("rsi", 10), 64);
        assertFalse(o.fastText());
        assertEquals("<unavailable: null pointer>", o.text());
        SiteValue half = new SiteValue("s", "&str", new ValueLocation.Pieces(List.of(
                new ValueLocation.Piece(8, 8, 1, new ValueLocation.Register("rsi", 8)))), STR, "");
        o = run(half, new FakeCapture().reg("rsi", 10), 64);
        assertFalse(o.fastText());
        assertTrue(o.text().contains("(the pointer; the length is 10)"), o.text());
    }

    @Test
    void integersUpTo64BitsAreFastAndWiderOnesTheDecoders() {
        SiteValue i8 = new SiteValue("a", "i8", new ValueLocation.Register("rdi", 8), new Shape.Int(1, true), "");
        Out o = run(i8, new FakeCapture().reg("rdi", 0x1234_5680L), 64);
        assertTrue(o.fastText());
        assertEquals("-128", o.text());
        SiteValue u64 = new SiteValue("a", "u64", new ValueLocation.Register("rdi", 8), new Shape.Int(8, false), "");
        o = run(u64, new FakeCapture().reg("rdi", -1L), 64);
        assertTrue(o.fastText());
        assertEquals("18446744073709551615", o.text());
        SiteValue i128 = new SiteValue("a", "i128", RDI_RSI, new Shape.Int(16, true), "");
        o = run(i128, new FakeCapture().reg("rdi", -5L).reg("rsi", -1L), 64);
        assertTrue(o.fastText());
        assertEquals("-5", o.text());
        o = run(i128, new FakeCapture().reg("rdi", 0).reg("rsi", 1), 64);
        assertFalse(o.fastText());
        assertEquals("18446744073709551616", o.text());
    }

    @Test
    void badBoolsCharsAndTagsAreTheDecoders() {
        SiteValue b = new SiteValue("b", "bool", new ValueLocation.Register("rdi", 8), new Shape.Bool(), "");
        assertTrue(run(b, new FakeCapture().reg("rdi", 0x101), 64).fastText());
        assertFalse(run(b, new FakeCapture().reg("rdi", 2), 64).fastText());
        SiteValue c = new SiteValue("c", "char", new ValueLocation.Register("rdi", 8), new Shape.Char(), "");
        Out o = run(c, new FakeCapture().reg("rdi", 0x3bb), 64);
        assertTrue(o.fastText());
        assertEquals("'λ'", o.text());
        assertEquals("'\\''", run(c, new FakeCapture().reg("rdi", '\''), 64).text());
        assertFalse(run(c, new FakeCapture().reg("rdi", 0xD800), 64).fastText());
        Shape color = new Shape.CEnum(1, Map.of(0L, "Red", 7L, "Blue", 9L, "None"));
        SiteValue e = new SiteValue("e", "Color", new ValueLocation.Register("rdi", 8), color, "");
        assertEquals("Blue", run(e, new FakeCapture().reg("rdi", 7), 64).text());
        o = run(e, new FakeCapture().reg("rdi", 9), 64);
        assertTrue(o.fastJson());
        assertEquals("null", o.json());
        assertFalse(run(e, new FakeCapture().reg("rdi", 3), 64).fastText());
    }

    @Test
    void enumsPickTheLastAlternativeWithTheTagAndTheDefaultOtherwise() {
        Shape u32 = new Shape.Int(4, false);
        Shape e = new Shape.Enum("E", 8, 0, 4, List.of(
                new Shape.Alternative(1L, "First", List.of(new Shape.Field("__0", 4, u32)), true),
                new Shape.Alternative(1L, "Second", List.of(new Shape.Field("__0", 4, u32)), true),
                new Shape.Alternative(null, "Other", List.of(), false),
                new Shape.Alternative(2L, "Named", List.of(new Shape.Field("x", 4, u32)), false)));
        SiteValue v = new SiteValue("e", "E", new ValueLocation.Register("rdi", 8), e, "");
        Out o = run(v, new FakeCapture().reg("rdi", 5L << 32 | 1), 64);
        assertTrue(o.fastText() && o.fastJson());
        assertEquals("Second(5)", o.text());
        assertEquals("{\"Second\":5}", o.json());
        assertEquals("Other", run(v, new FakeCapture().reg("rdi", 3), 64).text());
        o = run(v, new FakeCapture().reg("rdi", 6L << 32 | 2), 64);
        assertEquals("Named { x: 6 }", o.text());
        assertEquals("{\"Named\":{\"x\":6}}", o.json());
    }

    @Test
    void floatsVtablesAndNullReferencesAreTheDecoders() {
        SiteValue f = new SiteValue("x", "f64", new ValueLocation.Register("rdi", 8), new Shape.Float(8), "");
        Out o = run(f, new FakeCapture().reg("rdi", Double.doubleToLongBits(2.5)), 64);
        assertFalse(o.fastText());
        assertEquals("2.5", o.text());
        SiteValue xmm = new SiteValue("x", "f64", new ValueLocation.Unavailable(
                ValueLocation.Reason.FLOAT_REGISTER, "xmm0"), new Shape.Float(8), "");
        o = run(xmm, new FakeCapture(), 64);
        assertTrue(o.fastText(), "the same words every time: made once");
        assertEquals("<unavailable: float register: uprobes cannot read xmm: xmm0>", o.text());
        Shape dyn = new Shape.Dyn("Show", 16, 0, 8, Map.of());
        SiteValue d = new SiteValue("d", "&dyn Show", RDI_RSI, dyn, "");
        o = run(d, new FakeCapture().reg("rdi", TEXT).reg("rsi", 0x1000), 64);
        assertFalse(o.fastText());
        assertEquals("<dyn Show>", o.text());
        SiteValue ref = new SiteValue("r", "&u32", new ValueLocation.Register("rdi", 8),
                new Shape.Ref(new Shape.Int(4, false)), "");
        assertFalse(run(ref, new FakeCapture().reg("rdi", 0), 64).fastText());
        o = run(ref, new FakeCapture().reg("rdi", TEXT).mem(TEXT, new byte[] {42, 0, 0, 0}), 64);
        assertTrue(o.fastText());
        assertEquals("42", o.text());
    }

    @Test
    void structsTuplesAndSlicesPrintAsRustDoes() {
        Shape u8 = new Shape.Int(1, false);
        Shape point = new Shape.Struct("Point", RustValue.StructStyle.NAMED,
                List.of(new Shape.Field("x", 0, u8), new Shape.Field("y", 1, u8)), 2);
        Shape one = new Shape.Struct("(u8,)", RustValue.StructStyle.TUPLE, List.of(new Shape.Field("__0", 0, u8)), 1);
        Shape meters = new Shape.Struct("Meters", RustValue.StructStyle.TUPLE_STRUCT,
                List.of(new Shape.Field("__0", 0, u8)), 1);
        Out o = run(new SiteValue("p", "Point", new ValueLocation.Register("rdi", 8), point, ""),
                new FakeCapture().reg("rdi", 0x0201), 64);
        assertEquals("Point { x: 1, y: 2 }", o.text());
        assertEquals("{\"x\":1,\"y\":2}", o.json());
        o = run(new SiteValue("t", "(u8,)", new ValueLocation.Register("rdi", 8), one, ""),
                new FakeCapture().reg("rdi", 7), 64);
        assertEquals("(7,)", o.text());
        assertEquals("[7]", o.json());
        o = run(new SiteValue("m", "Meters", new ValueLocation.Register("rdi", 8), meters, ""),
                new FakeCapture().reg("rdi", 9), 64);
        assertEquals("Meters(9)", o.text());
        assertEquals("9", o.json());
        Shape slice = new Shape.Slice(16, 0, 8, u8, 1);
        SiteValue s = new SiteValue("xs", "&[u8]", RDI_RSI, slice, "");
        o = run(s, new FakeCapture().reg("rdi", TEXT).reg("rsi", 6).mem(TEXT, new byte[] {1, 2, 3, 4, 5, 6}), 4);
        assertTrue(o.fastText() && o.fastJson());
        assertEquals("[1, 2, 3, 4, …(6)]", o.text());
        assertEquals("[1,2,3,4]", o.json());
    }
}
