// LEB128 and bounds checks against the examples of the DWARF 5 standard (tables 7.6 and 7.7).
package dev.rustprobe.dwarf;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ByteReaderTest {
    private static ByteReader reader(int... bytes) {
        byte[] b = new byte[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            b[i] = (byte) bytes[i];
        }
        return new ByteReader(".debug_test", ByteBuffer.wrap(b));
    }

    @Test
    void unsignedLeb128ExamplesFromTheStandard() {
        assertEquals(2, reader(0x02).uleb());
        assertEquals(127, reader(0x7f).uleb());
        assertEquals(128, reader(0x80, 0x01).uleb());
        assertEquals(129, reader(0x81, 0x01).uleb());
        assertEquals(130, reader(0x82, 0x01).uleb());
        assertEquals(12857, reader(0xb9, 0x64).uleb());
    }

    @Test
    void signedLeb128ExamplesFromTheStandard() {
        assertEquals(2, reader(0x02).sleb());
        assertEquals(-2, reader(0x7e).sleb());
        assertEquals(127, reader(0xff, 0x00).sleb());
        assertEquals(-127, reader(0x81, 0x7f).sleb());
        assertEquals(128, reader(0x80, 0x01).sleb());
        assertEquals(-128, reader(0x80, 0x7f).sleb());
        assertEquals(129, reader(0x81, 0x01).sleb());
        assertEquals(-129, reader(0xff, 0x7e).sleb());
    }

    @Test
    void aHundredByteLeb128FailsAfterTenBytes() {
        int[] b = new int[100];
        java.util.Arrays.fill(b, 0x80);
        ByteReader r = reader(b);
        DwarfException e = assertThrows(DwarfException.class, r::uleb);
        assertTrue(e.getMessage().contains("longer than 10 bytes"), e.getMessage());
        assertEquals(10, r.pos());
        assertThrows(DwarfException.class, reader(b)::sleb);
        assertThrows(DwarfException.class, reader(b)::skipLeb);
    }

    @Test
    void readsPastTheEndNameTheSectionAndOffset() {
        ByteReader r = reader(1, 2, 3);
        r.u16();
        DwarfException e = assertThrows(DwarfException.class, r::u32);
        assertEquals("bad DWARF in .debug_test at offset 0x2: truncated: needs 4 byte(s), 1 remain", e.getMessage());
        assertThrows(DwarfException.class, () -> reader(0x41, 0x42).cstring());
        assertThrows(DwarfException.class, () -> reader(1, 2).slice(1, 5));
        assertThrows(DwarfException.class, () -> reader(1, 2).cstringAt(7));
    }
}
