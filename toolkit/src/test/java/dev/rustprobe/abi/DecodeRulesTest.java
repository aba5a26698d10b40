// Edge cases of the decoding rules on hand-built shapes and captures: masking and sign extension of garbage upper
// register bits, u128 pieces, invalid bool/char, niche and tagged enums, clamped strings, Rust's float and string
// Debug forms (checked against rustc 1.95's output), the JSON form, and the fetch plan's clamping.
package dev.rustprobe.abi;

import dev.rustprobe.probe.FetchPlan;
import dev.rustprobe.probe.FetchPlanner;
import dev.rustprobe.probe.RecordedCapture;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

public class DecodeRulesTest {

    /** Registers and memory set by hand. */
    /** A process: registers, and memory at a few addresses (shared with the trace package's tests). */
    public static final class FakeCapture implements Capture {
        final Map<String, Long> regs = new HashMap<>();
        final Map<Long, byte[]> mem = new HashMap<>();
        long bias;

        public FakeCapture reg(String r, long v) {
            regs.put(r, v);
            return this;
        }

        public FakeCapture mem(long at, byte[] b) {
            mem.put(at, b);
            return this;
        }

        @Override
        public long loadBias() {
            return bias;
        }

        @Override
        public OptionalLong register(String name) {
            Long v = regs.get(name);
            return v == null ? OptionalLong.empty() : OptionalLong.of(v);
        }

        @Override
        public byte[] memory(long address, int length) {
            for (Map.Entry<Long, byte[]> e : mem.entrySet()) {
                long from = address - e.getKey();
                if (from >= 0 && from < e.getValue().length) {
                    int n = (int) Math.min(length, e.getValue().length - from);
                    return java.util.Arrays.copyOfRange(e.getValue(), (int) from, (int) from + n);
                }
            }
            return null;
        }
    }

    private static ValueLocation reg(String r, long width) {
        return new ValueLocation.Register(r, width);
    }

    private static String decode(ValueLocation l, Shape s, Capture c) {
        return RustValue.render(Decoder.decode(l, s, c));
    }

    private static byte[] le(long... words) {
        byte[] b = new byte[words.length * 8];
        for (int i = 0; i < words.length; i++) {
            for (int k = 0; k < 8; k++) {
                b[i * 8 + k] = (byte) (words[i] >>> (8 * k));
            }
        }
        return b;
    }

    @Test
    void smallIntegersAreMaskedAndSignExtendedBecauseRustcLeavesTheUpperBitsUndefined() {
        FakeCapture c = new FakeCapture().reg("rdi", 0x555b16ffL).reg("rsi", 0x5555fb2eL);
        assertEquals("-1", decode(reg("rdi", 1), new Shape.Int(1, true), c));
        assertEquals("255", decode(reg("rdi", 1), new Shape.Int(1, false), c));
        assertEquals("-1234", decode(reg("rsi", 2), new Shape.Int(2, true), c));
        assertEquals("64302", decode(reg("rsi", 2), new Shape.Int(2, false), c));
        assertEquals("1431698222", decode(reg("rsi", 4), new Shape.Int(4, true), c));
        c.reg("rdx", -3);
        assertEquals("-3", decode(reg("rdx", 8), new Shape.Int(8, true), c));
        assertEquals("18446744073709551613", decode(reg("rdx", 8), new Shape.Int(8, false), c));
    }

    @Test
    void u128AndI128AreAssembledFromTwoPieces() {
        FakeCapture c = new FakeCapture().reg("rdi", 0x4L).reg("rsi", 0x1L).reg("rax", -1).reg("rdx", -2);
        ValueLocation lohi = new ValueLocation.Pieces(List.of(new ValueLocation.Piece(0, 8, 0, reg("rdi", 8)),
                new ValueLocation.Piece(8, 8, 1, reg("rsi", 8))));
        assertEquals(BigInteger.ONE.shiftLeft(64).add(BigInteger.valueOf(4)).toString(),
                decode(lohi, new Shape.Int(16, false), c));
        ValueLocation ret = new ValueLocation.Pieces(List.of(new ValueLocation.Piece(0, 8, 0, reg("rax", 8)),
                new ValueLocation.Piece(8, 8, 1, reg("rdx", 8))));
        // hi = -2, lo = all ones: -2 * 2^64 + (2^64 - 1) = -(2^64) - 1
        assertEquals(BigInteger.ONE.shiftLeft(64).negate().subtract(BigInteger.ONE).toString(),
                decode(ret, new Shape.Int(16, true), c));
    }

    @Test
    void invalidBoolsAndCharsAreUnavailableNeverWrongValues() {
        FakeCapture c = new FakeCapture().reg("rdi", 0x102).reg("rsi", 0xD800).reg("rdx", 0x110000)
                .reg("rcx", 0x3bb);
        assertEquals("<unavailable: not a bool: byte 0x2>", decode(reg("rdi", 1), new Shape.Bool(), c));
        assertEquals("<unavailable: not a char: 0xd800>", decode(reg("rsi", 4), new Shape.Char(), c));
        assertEquals("<unavailable: not a char: 0x110000>", decode(reg("rdx", 4), new Shape.Char(), c));
        assertEquals("'λ'", decode(reg("rcx", 4), new Shape.Char(), c));
    }

    @Test
    void nicheEnumsPickTheDataVariantForAnyTagNoOtherVariantClaims() {
        Shape optChar = new Shape.Enum("Option", 4, 0, 4, List.of(
                new Shape.Alternative(0x110000L, "None", List.of(), false),
                new Shape.Alternative(null, "Some", List.of(new Shape.Field("__0", 0, new Shape.Char())), true)));
        assertEquals("None", decode(reg("rdi", 4), optChar, new FakeCapture().reg("rdi", 0x7f_0011_0000L)));
        assertEquals("Some('q')", decode(reg("rdi", 4), optChar, new FakeCapture().reg("rdi", 0x71)));
        // a tagged enum with no default variant: an unknown tag is unavailable
        Shape result = new Shape.Enum("Result", 8, 0, 4, List.of(
                new Shape.Alternative(0L, "Ok", List.of(new Shape.Field("__0", 4, new Shape.Int(4, false))), true),
                new Shape.Alternative(1L, "Err", List.of(new Shape.Field("__0", 4, new Shape.Int(4, false))), true)));
        ValueLocation pair = new ValueLocation.Pieces(List.of(new ValueLocation.Piece(0, 4, 0, reg("rax", 4)),
                new ValueLocation.Piece(4, 4, 1, reg("rdx", 4))));
        assertEquals("Err(41)", decode(pair, result, new FakeCapture().reg("rax", 0xdead_0000_0001L).reg("rdx", 41)));
        assertEquals("<unavailable: no variant of Result has tag 7>", decode(pair, result,
                new FakeCapture().reg("rax", 7).reg("rdx", 41)));
        // a variant with named fields prints like a struct
        Shape shape = new Shape.Enum("Shape", 12, 0, 4, List.of(
                new Shape.Alternative(0L, "Circle", List.of(new Shape.Field("r", 4, new Shape.Int(4, false))), false),
                new Shape.Alternative(2L, "Dot", List.of(), false)));
        FakeCapture m = new FakeCapture().reg("rdi", 0x1000).mem(0x1000, new byte[]{0, 0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0});
        assertEquals("Circle { r: 5 }", decode(new ValueLocation.Memory(reg("rdi", 8), 0), shape, m));
    }

    @Test
    void stringsClampedToMaxBytesSayHowLongTheyWereAndNeverEndInsideACharacter() {
        byte[] text = "héllo wörld, a long string".getBytes(StandardCharsets.UTF_8);
        Shape str = new Shape.Str(16, 0, 8);
        ValueLocation fat = new ValueLocation.Pieces(List.of(new ValueLocation.Piece(0, 8, 0, reg("rdi", 8)),
                new ValueLocation.Piece(8, 8, 1, reg("rsi", 8))));
        FakeCapture whole = new FakeCapture().reg("rdi", 0x2000).reg("rsi", text.length).mem(0x2000, text);
        assertEquals("\"héllo wörld, a long string\"", decode(fat, str, whole));
        // the probe read only 9 bytes: "héllo w" is 8 bytes, the 9th is half of 'ö'
        FakeCapture clamped = new FakeCapture().reg("rdi", 0x2000).reg("rsi", text.length)
                .mem(0x2000, java.util.Arrays.copyOf(text, 9));
        RustValue v = Decoder.decode(fat, str, clamped);
        assertEquals(new RustValue.Str("héllo w", text.length, true), v);
        assertEquals("\"héllo w\"…(28 bytes)", RustValue.render(v));
        assertEquals("\"\"", decode(fat, str, new FakeCapture().reg("rdi", 1).reg("rsi", 0)));
        assertEquals("<unavailable: null pointer>", decode(fat, str, new FakeCapture().reg("rdi", 0).reg("rsi", 3)));
    }

    @Test
    void floatsAndStringsPrintAsRustsDebugDoes() {
        // each expected string is what rustc 1.95's {:?} printed for the same value
        double[] d = {1e-5, 0.001, 1e16, 1.5e16, 0.1 + 0.2, 2.0, -0.0, 1.2345678901234568e17, 1e-4,
            9999999999999998.0, 5e-324, 1.7976931348623157e308, 0.3, 100.0, 2.5e-7, 123.456};
        String[] want = {"1e-5", "0.001", "1e16", "1.5e16", "0.30000000000000004", "2.0", "-0.0",
            "1.2345678901234568e17", "0.0001", "9999999999999998.0", "5e-324", "1.7976931348623157e308", "0.3",
            "100.0", "2.5e-7", "123.456"};
        for (int i = 0; i < d.length; i++) {
            assertEquals(want[i], RustValue.render(new RustValue.Float(d[i], 8)), "f64 " + d[i]);
        }
        float[] f = {0.1f, 1e-5f, 16777216.0f, 3.4028235e38f, 1.5f, 1e16f};
        String[] wantF = {"0.1", "1e-5", "16777216.0", "3.4028235e38", "1.5", "1e16"};
        for (int i = 0; i < f.length; i++) {
            assertEquals(wantF[i], RustValue.render(new RustValue.Float(f[i], 4)), "f32 " + f[i]);
        }
        assertEquals("\"tab\\t\\\"q\\\" 'a' \\u{7f} é \\0\"",
                RustValue.render(new RustValue.Str("tab\t\"q\" 'a' \u007f é \0", 23, false)));
        assertEquals("'\\''", RustValue.render(new RustValue.Char('\'')));
        assertEquals("'\"'", RustValue.render(new RustValue.Char('"')));
        assertEquals("'\\u{301}'", RustValue.render(new RustValue.Char(0x301)));
    }

    @Test
    void floatBitsDecodeFromMemoryButAFloatInXmmIsUnavailable() {
        FakeCapture c = new FakeCapture().reg("rsp", 0x3000).mem(0x3008, le(Double.doubleToLongBits(0.25)));
        assertEquals("0.25", decode(new ValueLocation.StackSlot(8, 8), new Shape.Float(8), c));
        assertEquals("<unavailable: float register: uprobes cannot read xmm: xmm0>", decode(
                new ValueLocation.Unavailable(ValueLocation.Reason.FLOAT_REGISTER, "xmm0"), new Shape.Float(8), c));
    }

    @Test
    void jsonFormFollowsTheTraceSchema() {
        RustValue some = new RustValue.Variant("Option", "Some", new RustValue.Int(BigInteger.valueOf(3)));
        assertEquals("3", RustValue.toJson(some));
        assertEquals("null", RustValue.toJson(new RustValue.Variant("Option", "None", null)));
        assertEquals("{\"Ok\":21}", RustValue.toJson(new RustValue.Variant("Result", "Ok",
                new RustValue.Int(BigInteger.valueOf(21)))));
        assertEquals("\"Red\"", RustValue.toJson(new RustValue.Variant(null, "Red", null)));
        RustValue point = new RustValue.Struct("Point", List.of(new RustValue.Field("x", new RustValue.Int(
                BigInteger.ONE)), new RustValue.Field("y", new RustValue.Unavailable("float register"))),
                RustValue.StructStyle.NAMED);
        assertEquals("{\"x\":1,\"y\":{\"unavailable\":\"float register\"}}", RustValue.toJson(point));
        RustValue tuple = new RustValue.Struct("(u64, u64)", List.of(new RustValue.Field("__0", new RustValue.Int(
                BigInteger.ONE)), new RustValue.Field("__1", new RustValue.Str("a\"b", 3, false))),
                RustValue.StructStyle.TUPLE);
        assertEquals("[1,\"a\\\"b\"]", RustValue.toJson(tuple));
        assertEquals("(1, \"a\\\"b\")", RustValue.render(tuple));
        assertEquals("21", RustValue.toJson(new RustValue.Struct("Meters", List.of(new RustValue.Field("__0",
                new RustValue.Int(BigInteger.valueOf(21)))), RustValue.StructStyle.TUPLE_STRUCT)));
    }

    @Test
    void fetchPlanFollowsAStringInsideAByReferenceStructAndClampsItToMaxBytes() {
        // struct Named { id: u64 @0, name: String @8 {cap @8, ptr @16, len @24} } passed by pointer in rdi
        Shape named = new Shape.Struct("Named", RustValue.StructStyle.NAMED, List.of(
                new Shape.Field("id", 0, new Shape.Int(8, false)),
                new Shape.Field("name", 8, new Shape.Str(24, 8, 16))), 32);
        SiteValue v = new SiteValue("n", "Named", new ValueLocation.Memory(reg("rdi", 8), 0), named, "");
        FetchPlan plan = FetchPlanner.plan(List.of(v), 16);
        assertEquals(List.of(
                FetchPlan.Read.fixed(new FetchPlan.Word.Register("rdi"), 0, 32),
                FetchPlan.Read.counted(new FetchPlan.Word.FromRead(0, 16), 0, new FetchPlan.Word.FromRead(0, 24), 1,
                        16)), plan.reads());
        byte[] text = "a name longer than sixteen bytes".getBytes(StandardCharsets.UTF_8);
        FakeCapture process = new FakeCapture().reg("rdi", 0x4000).mem(0x4000, le(7, 99, 0x5000, text.length))
                .mem(0x5000, text);
        RecordedCapture recorded = FetchPlanExecutor.run(plan, process);
        assertEquals(32 + 16, recorded.recordedBytes());
        assertEquals("Named { id: 7, name: \"a name longer th\"…(32 bytes) }", RustValue.render(Decoder.decode(v,
                recorded)));
        assertEquals("Named { id: 7, name: \"a name longer than sixteen bytes\" }",
                RustValue.render(Decoder.decode(v, process)));
    }

    @Test
    void aGarbageLengthReadsAtMostMaxBytesAndTheReadCountIsBounded() {
        Shape slice = new Shape.Slice(16, 0, 8, new Shape.Int(8, false), 8);
        ValueLocation fat = new ValueLocation.Pieces(List.of(new ValueLocation.Piece(0, 8, 0, reg("rdi", 8)),
                new ValueLocation.Piece(8, 8, 1, reg("rsi", 8))));
        SiteValue v = new SiteValue("xs", "&[u64]", fat, slice, "");
        FetchPlan plan = FetchPlanner.plan(List.of(v), 20);
        assertEquals(1, plan.reads().size());
        assertEquals(16, plan.reads().get(0).maxLength(), "whole elements only");
        FakeCapture process = new FakeCapture().reg("rdi", 0x6000).reg("rsi", -1L).mem(0x6000, le(1, 2, 3, 4));
        RecordedCapture recorded = FetchPlanExecutor.run(plan, process);
        assertEquals(16, recorded.recordedBytes());
        assertEquals("[1, 2, …(18446744073709551615)]", RustValue.render(Decoder.decode(v, recorded)));
        // a &&&&&&u64 chain is followed only MAX_POINTER_DEPTH deep, and one site never plans more than MAX_READS
        Shape deep = new Shape.Int(8, false);
        for (int i = 0; i < 6; i++) {
            deep = new Shape.Ref(deep);
        }
        List<SiteValue> many = new java.util.ArrayList<>();
        for (int i = 0; i < 40; i++) {
            many.add(new SiteValue("p" + i, "&&u64", new ValueLocation.StackSlot(8 + 8 * i, 8),
                    new Shape.Ref(new Shape.Ref(new Shape.Int(8, false))), ""));
        }
        assertTrue(FetchPlanner.plan(many, 64).reads().size() <= FetchPlanner.MAX_READS);
        assertInstanceOf(Shape.Ref.class, deep);
    }

    @Test
    void aDynValueIsDecodedAsTheConcreteTypeItsVtableNamesAfterTheLoadBias() {
        Shape square = new Shape.Struct("Square", RustValue.StructStyle.NAMED,
                List.of(new Shape.Field("side", 0, new Shape.Int(4, false))), 4);
        Shape dyn = new Shape.Dyn("sample_rust::shapes::Area", 16, 0, 8, Map.of(0x7c868L, square));
        ValueLocation fat = new ValueLocation.Pieces(List.of(new ValueLocation.Piece(0, 8, 0, reg("rdi", 8)),
                new ValueLocation.Piece(8, 8, 1, reg("rsi", 8))));
        long bias = 0x555555554000L;
        FakeCapture c = new FakeCapture().reg("rdi", 0x7000).reg("rsi", bias + 0x7c868L).mem(0x7000, new byte[]{6, 0, 0, 0});
        c.bias = bias;
        assertEquals("Square { side: 6 }", decode(fat, dyn, c));
        c.reg("rsi", bias + 0x1234);
        assertEquals("<dyn sample_rust::shapes::Area>", decode(fat, dyn, c));
        // the plan reads the data pointer's pointee once, as large as the largest candidate
        SiteValue v = new SiteValue("s", "&dyn Area", fat, dyn, "");
        assertEquals(List.of(FetchPlan.Read.fixed(new FetchPlan.Word.Register("rdi"), 0, 4)),
                FetchPlanner.plan(List.of(v), 64).reads());
    }

    @Test
    void nestedZeroSizedArraysStopAtTheValueBudget() {
        // [[(); 1_000_000]; 1_000_000] needs no bytes but would be 10^12 values
        Shape inner = new Shape.Array(new Shape.Unit("()"), 0, 1_000_000);
        Shape outer = new Shape.Array(inner, 0, 1_000_000);
        String text = decode(new ValueLocation.Constant(0, 0), outer, new FakeCapture());
        assertTrue(text.contains("the decode budget is spent"), text.substring(0, 200));
        assertTrue(text.length() < 20_000_000, "rendered " + text.length());
    }
}
