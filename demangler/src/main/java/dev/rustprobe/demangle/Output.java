// The demangler's output sink: a StringBuilder that, like rustc-demangle, refuses the write that would take
// the rendering past 1,000,000 UTF-8 bytes, so that no input can make the output grow without bound.
package dev.rustprobe.demangle;

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

    final StringBuilder sb;
    /** Set by a renderer that caught {@link LimitReached} itself. */
    boolean limitReached;
    private int remaining = MAX_SIZE;
    /**
     * ASCII written since the last flush. Renderings are nearly all ASCII and made of many short writes: a byte
     * array takes them for less than StringBuilder.append (whose coder and capacity checks dominate under the C1
     * JIT the short commands run with); it goes to sb in one append, before a non-ASCII character and at the end.
     */
    private byte[] pending;
    private int pendingLength;
    /** The first flush's String when sb was empty before it: the whole result, unless more followed. */
    private String alone;

    /** capacity: the expected rendering length (the symbol's length serves), so that the buffer rarely grows. */
    Output(StringBuilder sb, int capacity) {
        this.sb = sb;
        this.pending = new byte[Math.max(16, capacity)];
    }

    /** One write of ASCII text (every symbol character is ASCII, so its length is its byte count). */
    void ascii(String s) {
        int n = s.length();
        take(n);
        room(n);
        s.getBytes(0, n, pending, pendingLength); // deprecated for its lossy narrowing, exact for ASCII
        pendingLength += n;
    }

    /** One write of the ASCII characters {@code s[from, to)}. */
    void ascii(String s, int from, int to) {
        int n = to - from;
        take(n);
        room(n);
        s.getBytes(from, to, pending, pendingLength);
        pendingLength += n;
    }

    /** One write of the ASCII bytes {@code b[from, to)}. */
    void ascii(byte[] b, int from, int to) {
        int n = to - from;
        take(n);
        room(n);
        System.arraycopy(b, from, pending, pendingLength, n);
        pendingLength += n;
    }

    /** One write of a single character given by its code point. */
    void codePoint(int cp) {
        if (cp < 0x80) {
            asciiChar((char) cp);
            return;
        }
        take(cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4);
        flush();
        sb.appendCodePoint(cp);
    }

    void asciiChar(char c) {
        take(1);
        room(1);
        pending[pendingLength++] = (byte) c;
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

    /** Moves the pending ASCII into sb: every rendering ends with this before sb is read or cut back. */
    void flush() {
        if (pendingLength > 0) {
            String s = new String(pending, 0, pendingLength, java.nio.charset.StandardCharsets.ISO_8859_1);
            if (sb.length() == 0 && alone == null) {
                alone = s;
            }
            sb.append(s);
            pendingLength = 0;
        }
    }

    /** What sb holds, without a copy when that is exactly the first flush (a plain rendering: nearly always). */
    String result() {
        return alone != null && sb.length() == alone.length() ? alone : sb.toString();
    }

    private void room(int n) {
        if (pendingLength + n > pending.length) {
            pending = java.util.Arrays.copyOf(pending, Math.max(pending.length * 2, pendingLength + n));
        }
    }

    private void take(int bytes) {
        if (bytes > remaining) {
            remaining = -1;
            throw LimitReached.INSTANCE;
        }
        remaining -= bytes;
    }
}
