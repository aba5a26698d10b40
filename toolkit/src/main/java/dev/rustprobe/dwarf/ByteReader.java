// A bounds-checked little-endian cursor over one section: every read past the end, every over-long LEB128,
// becomes a DwarfException naming the section and offset.
package dev.rustprobe.dwarf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

final class ByteReader {
    /** LEB128 values are at most 64 bits, i.e. 10 bytes; anything longer is garbage. */
    private static final int MAX_LEB_BYTES = 10;

    final String section;
    private final ByteBuffer buf;
    private final int limit;
    private int pos;

    ByteReader(String section, ByteBuffer buf) {
        this.section = section;
        this.buf = buf.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        this.buf.position(0);
        this.limit = buf.limit();
    }

    private ByteReader(String section, ByteBuffer buf, int pos, int limit) {
        this.section = section;
        this.buf = buf;
        this.pos = pos;
        this.limit = limit;
    }

    /** A cursor at offset whose reads stop at end (exclusive); both checked against this reader's limit. */
    ByteReader slice(long offset, long end) {
        if (offset < 0 || end < offset || end > limit) {
            throw DwarfException.at(section, offset, "range [0x" + Long.toHexString(offset) + ", 0x"
                    + Long.toHexString(end) + ") lies outside the section (size 0x" + Integer.toHexString(limit) + ")");
        }
        return new ByteReader(section, buf, (int) offset, (int) end);
    }

    /**
     * A length-prefixed DWARF block (a unit, a line program, an address range set): the 32- or 64-bit "initial
     * length" at offset, checked against this reader, and a cursor over exactly the bytes it covers.
     */
    record Block(boolean dwarf64, long end, ByteReader body) {}

    Block block(long offset, String what) {
        ByteReader r = at(offset);
        long length = r.u32();
        boolean dwarf64 = false;
        if (length == 0xffffffffL) {
            dwarf64 = true;
            length = r.u64();
        } else if (length >= 0xfffffff0L) {
            throw fail(offset, what + " length 0x" + Long.toHexString(length) + " is a reserved value");
        }
        long end = r.pos() + length;
        if (length < 0 || end > limit || end < r.pos()) {
            throw fail(offset, what + " length 0x" + Long.toHexString(length) + " runs past the end of the section");
        }
        return new Block(dwarf64, end, slice(r.pos(), end));
    }

    /** A cursor from offset to this reader's limit. */
    ByteReader at(long offset) {
        return slice(offset, limit);
    }

    int pos() { return pos; }
    int limit() { return limit; }
    int size() { return limit; }
    boolean hasMore() { return pos < limit; }
    int remaining() { return limit - pos; }

    void seek(long offset) {
        if (offset < 0 || offset > limit) {
            throw fail(offset, "offset lies outside the section or unit (limit 0x" + Integer.toHexString(limit) + ")");
        }
        pos = (int) offset;
    }

    void skip(long n) {
        if (n < 0 || n > limit - pos) {
            throw fail(pos, "cannot skip " + n + " bytes, only " + (limit - pos) + " remain");
        }
        pos += (int) n;
    }

    DwarfException fail(long offset, String what) {
        return DwarfException.at(section, offset, what);
    }

    private void need(int n) {
        if (n > limit - pos) {
            throw fail(pos, "truncated: needs " + n + " byte(s), " + (limit - pos) + " remain");
        }
    }

    int u8() {
        need(1);
        return buf.get(pos++) & 0xff;
    }

    int s8() {
        need(1);
        return buf.get(pos++);
    }

    int u16() {
        need(2);
        int v = buf.getShort(pos) & 0xffff;
        pos += 2;
        return v;
    }

    int u24() {
        need(3);
        int v = (buf.get(pos) & 0xff) | (buf.get(pos + 1) & 0xff) << 8 | (buf.get(pos + 2) & 0xff) << 16;
        pos += 3;
        return v;
    }

    long u32() {
        need(4);
        long v = buf.getInt(pos) & 0xffffffffL;
        pos += 4;
        return v;
    }

    long u64() {
        need(8);
        long v = buf.getLong(pos);
        pos += 8;
        return v;
    }

    /** An unsigned integer of 1, 2, 4 or 8 bytes. */
    long unsigned(int size) {
        return switch (size) {
            case 1 -> u8();
            case 2 -> u16();
            case 3 -> u24();
            case 4 -> u32();
            case 8 -> u64();
            default -> throw fail(pos, "unsupported integer size " + size);
        };
    }

    /** A section offset: 4 bytes in 32-bit DWARF, 8 in 64-bit DWARF. */
    long offset(boolean dwarf64) {
        return dwarf64 ? u64() : u32();
    }

    long uleb() {
        int start = pos;
        long result = 0;
        int shift = 0;
        for (int i = 0; i < MAX_LEB_BYTES; i++) {
            int b = u8();
            if (shift < 64) {
                result |= (long) (b & 0x7f) << shift;
            }
            shift += 7;
            if ((b & 0x80) == 0) {
                return result;
            }
        }
        throw fail(start, "LEB128 number longer than " + MAX_LEB_BYTES + " bytes");
    }

    /** A ULEB128 that must fit an int (counts, codes, lengths). */
    int ulebInt(String what) {
        int start = pos;
        long v = uleb();
        if (v < 0 || v > Integer.MAX_VALUE) {
            throw fail(start, what + " " + Long.toUnsignedString(v) + " is too large");
        }
        return (int) v;
    }

    long sleb() {
        int start = pos;
        long result = 0;
        int shift = 0;
        for (int i = 0; i < MAX_LEB_BYTES; i++) {
            int b = u8();
            if (shift < 64) {
                result |= (long) (b & 0x7f) << shift;
            }
            shift += 7;
            if ((b & 0x80) == 0) {
                if (shift < 64 && (b & 0x40) != 0) {
                    result |= -1L << shift;
                }
                return result;
            }
        }
        throw fail(start, "LEB128 number longer than " + MAX_LEB_BYTES + " bytes");
    }

    /** Skips a LEB128 number without decoding it. */
    void skipLeb() {
        int start = pos;
        for (int i = 0; i < MAX_LEB_BYTES; i++) {
            if ((u8() & 0x80) == 0) {
                return;
            }
        }
        throw fail(start, "LEB128 number longer than " + MAX_LEB_BYTES + " bytes");
    }

    byte[] bytes(long n) {
        if (n < 0 || n > limit - pos) {
            throw fail(pos, "truncated: block of " + n + " bytes, " + (limit - pos) + " remain");
        }
        byte[] b = new byte[(int) n];
        buf.get(pos, b);
        pos += (int) n;
        return b;
    }

    /** A NUL-terminated UTF-8 string. */
    String cstring() {
        int start = pos;
        int end = start;
        while (end < limit && buf.get(end) != 0) {
            end++;
        }
        if (end >= limit) {
            throw fail(start, "string runs past the end without a NUL");
        }
        byte[] b = new byte[end - start];
        buf.get(start, b);
        pos = end + 1;
        return new String(b, StandardCharsets.UTF_8);
    }

    void skipCstring() {
        int start = pos;
        int end = start;
        while (end < limit && buf.get(end) != 0) {
            end++;
        }
        if (end >= limit) {
            throw fail(start, "string runs past the end without a NUL");
        }
        pos = end + 1;
    }

    /** The NUL-terminated string at offset in this section (for .debug_str and .debug_line_str). */
    String cstringAt(long offset) {
        if (offset < 0 || offset >= limit) {
            throw fail(offset, "string offset lies outside the section (size 0x" + Integer.toHexString(limit) + ")");
        }
        int save = pos;
        pos = (int) offset;
        try {
            return cstring();
        } finally {
            pos = save;
        }
    }
}
