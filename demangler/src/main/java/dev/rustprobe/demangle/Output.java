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
    private int remaining = MAX_SIZE;

    Output(StringBuilder sb) {
        this.sb = sb;
    }

    /** One write of ASCII text (every symbol character is ASCII, so its length is its byte count). */
    void ascii(String s) {
        take(s.length());
        sb.append(s);
    }

    /** One write of the ASCII characters {@code s[from, to)}. */
    void ascii(CharSequence s, int from, int to) {
        take(to - from);
        sb.append(s, from, to);
    }

    /** One write of a single character given by its code point. */
    void codePoint(int cp) {
        take(cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4);
        sb.appendCodePoint(cp);
    }

    void asciiChar(char c) {
        take(1);
        sb.append(c);
    }

    /** One write of an unsigned decimal number. */
    void decimal(long unsigned) {
        if (unsigned >= 0 && unsigned < 10) {
            take(1);
            sb.append((char) ('0' + unsigned));
        } else {
            ascii(Long.toUnsignedString(unsigned));
        }
    }

    /** One write of an unsigned number in lowercase hexadecimal, without prefix. */
    void hex(long unsigned) {
        ascii(Long.toHexString(unsigned));
    }

    private void take(int bytes) {
        if (bytes > remaining) {
            remaining = -1;
            throw LimitReached.INSTANCE;
        }
        remaining -= bytes;
    }
}
