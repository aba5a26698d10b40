// Fuzzing the location evaluator over random DWARF expressions: each input becomes the DW_AT_location of a
// parameter (and the DW_AT_frame_base of its function) in a small hand-built unit, is decoded by the DWARF reader
// and evaluated at entry or inside the body. Decoding may reject it (DwarfException); evaluating must not throw.
package dev.rustprobe.abi;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.rustprobe.dwarf.Dwarf;
import dev.rustprobe.dwarf.DwarfException;
import dev.rustprobe.dwarf.DwarfSections;
import dev.rustprobe.dwarf.Subprogram;
import dev.rustprobe.dwarf.Variable;
import dev.rustprobe.testing.FuzzOracle;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LocationEvaluatorFuzzTest {
    private static final long LOW_PC = 0x1000;

    /**
     * The input: byte 0 holds flags (bit 0: evaluate at entry; bit 1: the parameter is a 16-byte pair struct, else
     * a base type whose size is bits 2-7), byte 1 the frame base expression's length (mod 16), then the frame
     * base expression, then the parameter's location expression.
     */
    static void evaluate(byte[] b) {
        int flags = b.length > 0 ? b[0] & 0xff : 0;
        int fbLen = b.length > 1 ? Math.min((b[1] & 0xff) % 16, b.length - 2) : 0;
        byte[] frameBase = b.length > 2 ? java.util.Arrays.copyOfRange(b, 2, 2 + fbLen) : new byte[0];
        byte[] location = b.length > 2 + fbLen ? java.util.Arrays.copyOfRange(b, 2 + fbLen, b.length) : new byte[0];
        boolean atEntry = (flags & 1) != 0;
        Map<String, byte[]> sections = unit(frameBase, location, (flags & 2) != 0, flags >>> 2);
        DwarfSections s = name -> Optional.ofNullable(sections.get(name)).map(ByteBuffer::wrap);
        Dwarf d = Dwarf.open(s);
        for (Subprogram p : d.subprograms()) {
            for (Variable v : p.parameters()) {
                ValueLocation l = LocationEvaluator.evaluate(v, atEntry ? LOW_PC : LOW_PC + 0x10, p.frameBase(), atEntry);
                ValueLocation.render(l);
                ValueLocation.readable(l);
            }
        }
    }

    /** A DWARF 4 unit: a u64-like base type, a pair struct of two of them, and f(x) with the given expressions. */
    static Map<String, byte[]> unit(byte[] frameBase, byte[] location, boolean pair, int baseSize) {
        byte[] abbrev = bytes(
                1, 0x11, 1, 0, 0,                                                 // compile_unit, children
                2, 0x2e, 1, 0x11, 0x01, 0x12, 0x07, 0x40, 0x18, 0x03, 0x08, 0, 0, // subprogram: low, high, fb, name
                3, 0x05, 0, 0x02, 0x18, 0x49, 0x13, 0x03, 0x08, 0, 0,             // formal_parameter: loc, type, name
                4, 0x24, 0, 0x0b, 0x0b, 0x3e, 0x0b, 0x03, 0x08, 0, 0,             // base_type: size, encoding, name
                5, 0x13, 1, 0x0b, 0x0b, 0x03, 0x08, 0, 0,                         // structure_type: size, name
                6, 0x0d, 0, 0x38, 0x0b, 0x49, 0x13, 0x03, 0x08, 0, 0,             // member: offset, type, name
                0);
        ByteArrayOutputStream info = new ByteArrayOutputStream();
        write(info, 0, 0, 0, 0, 4, 0, 0, 0, 0, 0, 8); // length patched below; version 4, abbrev 0, address size 8
        write(info, 1);                                // 0x0b: compile_unit
        int base = info.size();                        // 0x0c: base_type "u64"
        write(info, 4, baseSize, 0x07, 'u', '6', '4', 0);
        int struct = info.size();                      // the pair (u64, u64)
        write(info, 5, 16, 'p', 0);
        write(info, 6, 0, base, 0, 0, 0, 'a', 0);
        write(info, 6, 8, base, 0, 0, 0, 'b', 0);
        write(info, 0);
        write(info, 2);                                // subprogram f
        writeLong(info, LOW_PC);
        writeLong(info, 0x100);
        uleb(info, frameBase.length);
        info.writeBytes(frameBase);
        write(info, 'f', 0);
        write(info, 3);                                // parameter x
        uleb(info, location.length);
        info.writeBytes(location);
        int type = pair ? struct : base;
        write(info, type, type >>> 8, 0, 0, 'x', 0);
        write(info, 0, 0);                             // end of f, end of the unit
        byte[] i = info.toByteArray();
        int len = i.length - 4;
        i[0] = (byte) len;
        i[1] = (byte) (len >>> 8);
        i[2] = (byte) (len >>> 16);
        return Map.of(".debug_abbrev", abbrev, ".debug_info", i);
    }

    private static void write(ByteArrayOutputStream out, int... v) {
        for (int x : v) {
            out.write(x);
        }
    }

    private static void writeLong(ByteArrayOutputStream out, long v) {
        for (int k = 0; k < 8; k++) {
            out.write((int) (v >>> (8 * k)));
        }
    }

    private static void uleb(ByteArrayOutputStream out, long v) {
        do {
            int b = (int) (v & 0x7f);
            v >>>= 7;
            out.write(v == 0 ? b : b | 0x80);
        } while (v != 0);
    }

    private static byte[] bytes(int... v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = (byte) v[i];
        }
        return b;
    }

    @FuzzTest(maxDuration = "30s")
    void expressions(byte[] data) {
        FuzzOracle.check(data, LocationEvaluatorFuzzTest::evaluate, DwarfException.class);
    }

    /** Expressions of the kinds rustc emits (flags, frame base length, frame base, location), as hex. */
    static final List<String> SEEDS = List.of(
            "2101" + "57" + "55",                          // at entry, u64; fb reg7; reg5 (rdi)
            "2001" + "57" + "9108",                        // body; fbreg +8 over reg7
            "2101" + "9c" + "9110",                        // at entry; fb call_frame_cfa; fbreg +16
            "2300" + "5593085493 08",                      // pair in pieces: rdi, rsi
            "2100" + "7708",                               // breg7 +8
            "2000" + "a30155" + "9f",                      // entry_value(rdi), stack_value
            "2100" + "7500100 11a9f",                      // breg5 0, constu 1, and, stack_value (a bool)
            "2000" + "10059f",                             // constu 5, stack_value
            "2000" + "9e0401020304",                       // implicit_value 4 bytes
            "2300" + "93085093 08",                        // an optimized-out first piece, rax second
            "2000" + "3132229f",                           // lit1 lit2 plus stack_value
            "2000" + "f3015593 08" + "5893 08",            // GNU_entry_value(rdi) piece, r8 piece
            "2000" + "9001" + "61");                       // regx 1 (rdx); reg17 (xmm0)

    static List<byte[]> seeds() {
        return SEEDS.stream().map(h -> HexFormat.of().parseHex(h.replace(" ", ""))).toList();
    }

    @Test
    void theSeedsDecodeAndEvaluate() {
        for (byte[] s : seeds()) {
            assertEquals(false, FuzzOracle.check(s, LocationEvaluatorFuzzTest::evaluate, DwarfException.class),
                    () -> "seed " + HexFormat.of().formatHex(s) + " must decode");
        }
    }

    @Test
    void mutatedExpressionsNeverMakeTheEvaluatorThrow() {
        FuzzOracle.Loop l = FuzzOracle.mutate("LocationEvaluatorFuzzTest/expressions", seeds(), 0xe4a1,
                Duration.ofSeconds(3), 200_000, LocationEvaluatorFuzzTest::evaluate, DwarfException.class);
        assertTrue(l.rejected() > 0 && l.rejected() < l.inputs(), l.toString());
    }
}
