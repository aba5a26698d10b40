// Utf8Buffer against the JDK's own formatting (Long.toString, String.format, String.getBytes, PrintStream.print) over
// edge values and random ones, growth from the smallest buffer included, and its draining into a stream.
package dev.rustprobe.text;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Utf8BufferTest {
    private static final String[] TEXTS = {
        "", "a", "sample_rust::orders::place", "λ", "naïve café", "日本語", "emoji 🦀 crab", "\u0000\u007f",
        "unpaired \ud800 high", "unpaired \udc00 low", "x".repeat(17), "y".repeat(300), "é".repeat(100),
    };

    /** Edge values of every width the writers branch on, and random ones of every bit length. */
    static long[] numbers() {
        List<Long> v = new ArrayList<>(List.of(0L, 1L, -1L, Long.MIN_VALUE, Long.MIN_VALUE + 1, Long.MAX_VALUE,
                (long) Integer.MAX_VALUE, Integer.MAX_VALUE + 1L, (long) Integer.MIN_VALUE, Integer.MIN_VALUE - 1L,
                0xffff_ffffL, 0x1_0000_0000L, 1L << 62, -10L, -9L));
        for (long p = 1; ; p *= 10) { // every decimal length, at both of its ends
            for (long d = -1; d <= 1; d++) {
                v.add(p + d);
                v.add(-(p + d));
            }
            if (p > Long.MAX_VALUE / 10) {
                break;
            }
        }
        Random r = new Random(42);
        for (int bits = 1; bits <= 64; bits++) {
            for (int k = 0; k < 40; k++) {
                long x = bits == 64 ? r.nextLong() : r.nextLong() & ((1L << bits) - 1);
                v.add(x);
                v.add(-x);
            }
        }
        return v.stream().mapToLong(Long::longValue).toArray();
    }

    @Test
    void decimalIsLongToString() {
        for (long v : numbers()) {
            assertEquals(Long.toString(v), new Utf8Buffer(0).decimal(v).toString(), "decimal " + v);
        }
    }

    @Test
    void unsignedDecimalIsLongToUnsignedString() {
        for (long v : numbers()) {
            assertEquals(Long.toUnsignedString(v), new Utf8Buffer(0).unsignedDecimal(v).toString(), "unsigned " + v);
        }
        assertEquals("18446744073709551615", new Utf8Buffer(0).unsignedDecimal(-1).toString());
    }

    @Test
    void hexIsLongToHexStringAndHex16IsZeroPadded() {
        for (long v : numbers()) {
            assertEquals(Long.toHexString(v), new Utf8Buffer(0).hex(v).toString(), "hex " + v);
            assertEquals(String.format("%016x", v), new Utf8Buffer(0).hex16(v).toString(), "hex16 " + v);
        }
    }

    @Test
    void rightPadsAsStringFormat() {
        for (long v : numbers()) {
            for (int width = -3; width <= 24; width++) {
                String expected = width >= 1 ? String.format("%" + width + "d", v) : Long.toString(v);
                assertEquals(expected, new Utf8Buffer(0).right(v, width).toString(), "right " + v + " in " + width);
            }
        }
    }

    @Test
    void textIsEncodedAsStringGetBytes() {
        for (String s : TEXTS) {
            assertArrayEquals(s.getBytes(StandardCharsets.UTF_8), new Utf8Buffer(0).utf8(s).copy(0), s);
            if (s.chars().allMatch(c -> c < 0x80)) {
                assertArrayEquals(s.getBytes(StandardCharsets.US_ASCII), new Utf8Buffer(0).ascii(s).copy(0), s);
            }
        }
        // put(char) writes the char's low byte: one byte of UTF-8 a caller encoded
        Utf8Buffer b = new Utf8Buffer(0).put((char) 0xce).put((char) 0xbb);
        assertEquals("λ", b.toString());
        assertEquals(System.lineSeparator(), new Utf8Buffer(0).newline().toString());
    }

    /** Random sequences of every append, from the smallest buffer, against a model: growth in each writer. */
    @Test
    void growsPastItsCapacityInEveryWriter() {
        Random r = new Random(7);
        long[] numbers = numbers();
        for (int round = 0; round < 200; round++) {
            Utf8Buffer b = new Utf8Buffer(r.nextInt(3) == 0 ? 0 : r.nextInt(200));
            ByteArrayOutputStream model = new ByteArrayOutputStream();
            int ops = 1 + r.nextInt(400);
            for (int k = 0; k < ops; k++) {
                long v = numbers[r.nextInt(numbers.length)];
                String s = TEXTS[r.nextInt(TEXTS.length)];
                byte[] piece;
                switch (r.nextInt(10)) {
                    case 0: b.decimal(v); piece = ascii(Long.toString(v)); break;
                    case 1: b.unsignedDecimal(v); piece = ascii(Long.toUnsignedString(v)); break;
                    case 2: b.hex(v); piece = ascii(Long.toHexString(v)); break;
                    case 3: b.hex16(v); piece = ascii(String.format("%016x", v)); break;
                    case 4: {
                        int w = 1 + r.nextInt(30);
                        b.right(v, w);
                        piece = ascii(String.format("%" + w + "d", v));
                        break;
                    }
                    case 5: b.utf8(s); piece = s.getBytes(StandardCharsets.UTF_8); break;
                    case 6: {
                        String a = "abc_".repeat(r.nextInt(40));
                        b.ascii(a);
                        piece = ascii(a);
                        break;
                    }
                    case 7: {
                        byte[] all = s.getBytes(StandardCharsets.UTF_8);
                        int from = all.length == 0 ? 0 : r.nextInt(all.length);
                        int n = all.length - from == 0 ? 0 : r.nextInt(all.length - from + 1);
                        b.put(all, from, n);
                        piece = Arrays.copyOfRange(all, from, from + n);
                        break;
                    }
                    case 8: b.put('#'); piece = new byte[] {'#'}; break;
                    default: {
                        byte[] p = s.getBytes(StandardCharsets.UTF_8);
                        b.put(p);
                        piece = p;
                    }
                }
                model.writeBytes(piece);
                assertEquals(model.size(), b.length(), "length after op " + k + " of round " + round);
            }
            assertArrayEquals(model.toByteArray(), b.copy(0), "round " + round);
            assertEquals(model.toString(StandardCharsets.UTF_8), b.toString());
        }
    }

    @Test
    void truncateCopyAndClear() {
        Utf8Buffer b = new Utf8Buffer(0).ascii("head:");
        int mark = b.length();
        b.utf8("value that must go").decimal(-12);
        b.truncate(mark);
        b.ascii("other");
        assertEquals("head:other", b.toString());
        assertArrayEquals(ascii("other"), b.copy(mark));
        b.clear();
        assertEquals(0, b.length());
        assertEquals("x", b.put('x').toString());
    }

    @Test
    void drainsIntoItsTargetOnlyOnceFull() {
        ByteArrayOutputStream to = new ByteArrayOutputStream();
        Utf8Buffer b = new Utf8Buffer(to, 16, 10);
        b.ascii("12345").drainIfFull();
        assertEquals(0, to.size(), "5 bytes is below drainAt");
        b.utf8("λ678").drainIfFull(); // 5 + 5 bytes
        assertEquals("12345λ678", to.toString(StandardCharsets.UTF_8));
        assertEquals(0, b.length());
        b.decimal(Long.MIN_VALUE);
        b.drain();
        assertEquals("12345λ678" + Long.MIN_VALUE, to.toString(StandardCharsets.UTF_8));
        assertFalse(b.failed());
        new Utf8Buffer(0).ascii("nowhere").drain(); // a buffer of its own: no target, nothing thrown
    }

    @Test
    void aFailedWriteIsRememberedAndLaterOutputDropped() {
        int[] writes = {0};
        OutputStream closed = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                writes[0]++;
                throw new IOException("Broken pipe");
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                writes[0]++;
                throw new IOException("Broken pipe");
            }
        };
        Utf8Buffer b = new Utf8Buffer(closed, 64, 1);
        b.ascii("lost").drainIfFull();
        assertTrue(b.failed());
        assertEquals(0, b.length());
        b.ascii("also lost").drain();
        assertEquals(1, writes[0], "no write after the first failed");
        assertEquals(0, b.length());
    }

    /** writeTo prints what print(String) of the same text prints, in an ASCII-only charset too. */
    @Test
    void writeToPrintsAsPrintStringWould() {
        for (Charset cs : List.of(StandardCharsets.UTF_8, StandardCharsets.US_ASCII, StandardCharsets.ISO_8859_1)) {
            for (String s : TEXTS) {
                Utf8Buffer b = new Utf8Buffer(0).ascii("name ").utf8(s).put(' ').decimal(-5);
                String text = "name " + s + " -5";
                assertArrayEquals(through(cs, p -> p.print(text)), through(cs, b::writeTo), cs + ": " + s);
            }
        }
        // bytes a caller encoded and put are written as they are while no utf8() text was beyond ASCII
        byte[] crab = "🦀".getBytes(StandardCharsets.UTF_8);
        assertArrayEquals(crab, through(StandardCharsets.US_ASCII, new Utf8Buffer(0).put(crab)::writeTo));
    }

    /** What write sends through a PrintStream in charset cs. */
    private static byte[] through(Charset cs, Consumer<PrintStream> write) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream p = new PrintStream(bytes, true, cs);
        write.accept(p);
        p.flush();
        return bytes.toByteArray();
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
