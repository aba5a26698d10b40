// The demangler's output sink: UTF-8 bytes in a reusable array that, like rustc-demangle, refuses the write that
// would take the rendering past 1,000,000 bytes, so that no input can make the output grow without bound.
package dev.rustprobe.demangle;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

final class Output {
    /** rustc-demangle's MAX_SIZE: the most UTF-8 bytes one rendering may produce. */
    static final int MAX_SIZE = 1_000_000;

    /** Thrown (once, without a stack trace) when a write would pass the limit; unwinds the whole rendering. */
    static final class LimitReached extends RuntimeException {
        static final LimitReached INSTANCE = new LimitReached();

        private LimitReached() {
            super("size limit reached", null, false, false);
        }
    }

    /** The v0 parser of the last rendering, kept for the next one. */
    V0 parser;
    /** Set by a renderer that caught {@link LimitReached} itself. */
    boolean limitReached;
    private int remaining = MAX_SIZE;
    /**
     * The rendering so far, as UTF-8. Renderings are nearly all ASCII and made of many short writes: a byte array
     * takes them for less than StringBuilder.append (whose coder and capacity checks dominate under the C1 JIT the
     * short commands run with), and a caller that wants bytes (ls of 100,000 symbols) gets them without a String.
     */
    private byte[] bytes;
    private int length;
    private boolean ascii = true;

    /** capacity: the expected rendering length (the symbol's length serves), so that the buffer rarely grows. */
    Output(int capacity) {
        this.bytes = new byte[Math.max(16, capacity)];
    }

    /** Empties the sink for the next rendering, keeping its array. */
    void reset() {
        limitReached = false;
        remaining = MAX_SIZE;
        length = 0;
        ascii = true;
    }

    /** One write of ASCII text (every symbol character is ASCII, so its length is its byte count). */
    void ascii(String s) {
        int n = s.length();
        take(n);
        room(n);
        if (n <= 4) { // "::", ", ", "<", ">" ...: most writes; a call to getBytes costs more than the copy
            for (int i = 0; i < n; i++) {
                bytes[length + i] = (byte) s.charAt(i);
            }
        } else {
            s.getBytes(0, n, bytes, length); // deprecated for its lossy narrowing, exact for ASCII
        }
        length += n;
    }

    /** One write of the ASCII bytes {@code b[from, to)}. */
    void ascii(byte[] b, int from, int to) {
        int n = to - from;
        take(n);
        room(n);
        System.arraycopy(b, from, bytes, length, n);
        length += n;
    }

    /** One write of a single character given by its code point (a Unicode scalar value). */
    void codePoint(int cp) {
        if (cp < 0x80) {
            asciiChar((char) cp);
            return;
        }
        int n = cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
        take(n);
        room(n);
        ascii = false;
        if (n == 2) {
            bytes[length++] = (byte) (0xC0 | (cp >>> 6));
        } else {
            if (n == 3) {
                bytes[length++] = (byte) (0xE0 | (cp >>> 12));
            } else {
                bytes[length++] = (byte) (0xF0 | (cp >>> 18));
                bytes[length++] = (byte) (0x80 | ((cp >>> 12) & 0x3F));
            }
            bytes[length++] = (byte) (0x80 | ((cp >>> 6) & 0x3F));
        }
        bytes[length++] = (byte) (0x80 | (cp & 0x3F));
    }

    void asciiChar(char c) {
        take(1);
        room(1);
        bytes[length++] = (byte) c;
    }

    /** One write of an unsigned decimal number. */
    void decimal(long unsigned) {
        if (unsigned >= 0 && unsigned < 10) {
            asciiChar((char) ('0' + unsigned));
        } else {
            ascii(Long.toUnsignedString(unsigned));
        }
    }

    /** One write of an unsigned number in lowercase hexadecimal, without prefix. */
    void hex(long unsigned) {
        ascii(Long.toHexString(unsigned));
    }

    /** Appends ASCII bytes past the limit's reach: the "{size limit reached}" note and the symbol's kept suffix. */
    void appendUnlimited(byte[] b, int from, int to) {
        room(to - from);
        System.arraycopy(b, from, bytes, length, to - from);
        length += to - from;
    }

    byte[] bytes() {
        return bytes;
    }

    int length() {
        return length;
    }

    /** Whether every byte written is ASCII (one byte per character). */
    boolean isAscii() {
        return ascii;
    }

    /** The rendering as a String. */
    String result() {
        return new String(bytes, 0, length, ascii ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_8);
    }

    // room and take are called on every write: kept small enough for C1 to inline, the rare work out of line

    private void room(int n) {
        if (length + n > bytes.length) {
            grow(n);
        }
    }

    private void grow(int n) {
        bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + n));
    }

    private void take(int n) {
        if (n > remaining) {
            refuse();
        }
        remaining -= n;
    }

    private void refuse() {
        remaining = -1;
        throw LimitReached.INSTANCE;
    }
}
