// A growable byte buffer that output is built in as UTF-8, with no String per piece: ls listings of megabytes, trace
// lines rendered straight from ring-buffer records. Written out whole to a PrintStream, or drained into a stream.
package dev.rustprobe.text;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Both ls and trace run under C1 alone (see the launcher), which inlines a callee of at most 35 bytes of bytecode and
 * divides longs slowly: the methods called per byte or per value stay that small (growth is out of line) and
 * numbers that fit an int are written with int arithmetic.
 */
public final class Utf8Buffer {
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] MIN_LONG = Long.toString(Long.MIN_VALUE).getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NEWLINE = System.lineSeparator().getBytes(StandardCharsets.US_ASCII);

    private byte[] bytes;
    private int length;
    private final OutputStream target;
    private final int drainAt;
    private boolean failed;
    /** False once utf8() was given text beyond ASCII: see writeTo. */
    private boolean asciiText = true;

    /** A buffer of its own (drain() writes nowhere). */
    public Utf8Buffer(int capacity) {
        this(null, capacity, Integer.MAX_VALUE);
    }

    /** A buffer in front of target that drain() empties, and drainIfFull() once it holds at least drainAt bytes. */
    public Utf8Buffer(OutputStream target, int capacity, int drainAt) {
        this.bytes = new byte[Math.max(64, capacity)];
        this.target = target;
        this.drainAt = drainAt;
    }

    /** Room for n more bytes; out of line, so that its callers stay small enough to inline. */
    private void grow(int n) {
        bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + n));
    }

    private void grow1() { // put(char)'s call: passing no argument keeps put within the inlining limit
        grow(1);
    }

    public int length() {
        return length;
    }

    /** Forgets everything from position mark on (a value that must be written another way). */
    public void truncate(int mark) {
        length = mark;
    }

    public void clear() {
        length = 0;
    }

    /** One byte: an ASCII character, or (a char below 0x100) one byte of UTF-8 the caller encoded. */
    public Utf8Buffer put(char asciiChar) {
        int at = length; // a local rather than length++ keeps this within C1's inlining limit
        if (at == bytes.length) {
            grow1();
        }
        bytes[at] = (byte) asciiChar;
        length = at + 1;
        return this;
    }

    /** Bytes of ASCII or of UTF-8 the caller encoded: they are written as they are (see writeTo). */
    public Utf8Buffer put(byte[] b) {
        return put(b, 0, b.length);
    }

    public Utf8Buffer put(byte[] b, int from, int n) {
        if (length + n > bytes.length) {
            grow(n);
        }
        if (n <= 16) {
            // names, separators, short values: a loop beats the arraycopy stub's call under C1
            byte[] to = bytes;
            int at = length;
            for (int i = 0; i < n; i++) {
                to[at + i] = b[from + i];
            }
        } else {
            System.arraycopy(b, from, bytes, length, n);
        }
        length += n;
        return this;
    }

    /** The platform's line end, as println writes it. */
    public Utf8Buffer newline() {
        return put(NEWLINE);
    }

    /** Text known to be ASCII (the program's own literals, names an index found ASCII). */
    public Utf8Buffer ascii(String s) {
        int n = s.length();
        if (length + n > bytes.length) {
            grow(n);
        }
        s.getBytes(0, n, bytes, length); // deprecated for its lossy narrowing, which is exactly right for ASCII
        length += n;
        return this;
    }

    /**
     * Any text, encoded as UTF-8 the way a UTF-8 PrintStream encodes it: an unpaired surrogate becomes '?', as every
     * ASCII-compatible PrintStream prints it, so ASCII-only output is what print(String) would write, byte for byte.
     */
    public Utf8Buffer utf8(String s) {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8); // a plain copy for ASCII text, unlike a charAt loop
        if (utf8.length != s.length()) {
            asciiText = false;
        }
        return put(utf8, 0, utf8.length);
    }

    // decimal, unsignedDecimal and right are small enough for C1 to inline: a number that fits an int (nearly all)
    // costs one call, to rightDigits, which divides as ints (C1 calls into the runtime for each long division).

    /** v in decimal, as Long.toString. */
    public Utf8Buffer decimal(long v) {
        if (v >= 0 && v <= Integer.MAX_VALUE) {
            return rightDigits((int) v, 0);
        }
        return wideDecimal(v);
    }

    /** v read as an unsigned 64-bit number, as Long.toUnsignedString. */
    public Utf8Buffer unsignedDecimal(long v) {
        if (v >= 0 && v <= Integer.MAX_VALUE) {
            return rightDigits((int) v, 0);
        }
        return wideDigits(v);
    }

    /** v in decimal right-aligned in width columns, as String.format("%" + width + "d") (a wider v is not cut). */
    public Utf8Buffer right(long v, int width) {
        if (v >= 0 && v <= Integer.MAX_VALUE) {
            return rightDigits((int) v, width);
        }
        return wideRight(v, width);
    }

    /** v >= 0 in decimal, after as many spaces as make it width bytes wide. */
    private Utf8Buffer rightDigits(int v, int width) {
        int digits = v < 10 ? 1 : v < 100 ? 2 : v < 1000 ? 3 : v < 10_000 ? 4 : v < 100_000 ? 5 : v < 1_000_000 ? 6
                : v < 10_000_000 ? 7 : v < 100_000_000 ? 8 : v < 1_000_000_000 ? 9 : 10;
        int n = Math.max(width, digits);
        if (length + n > bytes.length) {
            grow(n);
        }
        byte[] to = bytes;
        int at = length + n;
        length = at;
        for (int i = at - n; i < at - digits; i++) {
            to[i] = ' ';
        }
        do {
            // v / 10 by a multiply and a shift, exact for every non-negative int
            int q = (int) ((v * 0xCCCCCCCDL) >>> 35);
            to[--at] = (byte) ('0' + (v - q * 10));
            v = q;
        } while (v != 0);
        return this;
    }

    /** v below 0 or beyond Integer.MAX_VALUE. */
    private Utf8Buffer wideDecimal(long v) {
        if (v >= 0) {
            return wideDigits(v);
        }
        if (v == Long.MIN_VALUE) {
            return put(MIN_LONG);
        }
        put('-');
        return unsignedDecimal(-v);
    }

    private Utf8Buffer wideRight(long v, int width) {
        int n = v >= 0 ? decimalLength(v) : v == Long.MIN_VALUE ? MIN_LONG.length : 1 + decimalLength(-v);
        for (int i = n; i < width; i++) {
            put(' ');
        }
        return wideDecimal(v);
    }

    /** How many digits Long.toString writes for v >= 0. */
    private static int decimalLength(long v) {
        int digits = 1;
        for (long rest = v / 10; rest != 0; rest /= 10) {
            digits++;
        }
        return digits;
    }

    /** v read as unsigned, v beyond Integer.MAX_VALUE. */
    private Utf8Buffer wideDigits(long v) {
        long q = Long.divideUnsigned(v, 10); // then the rest is non-negative and divides signed
        int digits = 1 + decimalLength(q);
        if (length + digits > bytes.length) {
            grow(digits);
        }
        int at = length + digits;
        length = at;
        bytes[--at] = (byte) ('0' + (int) (v - q * 10));
        for (v = q; v != 0; v /= 10) {
            bytes[--at] = (byte) ('0' + v % 10);
        }
        return this;
    }

    /** Lower-case hex without leading zeros ("0" for 0), as Long.toHexString. */
    public Utf8Buffer hex(long v) {
        return hexDigits(v, Math.max(1, (67 - Long.numberOfLeadingZeros(v)) / 4));
    }

    /** Sixteen lower-case hex digits, leading zeros included. */
    public Utf8Buffer hex16(long v) {
        return hexDigits(v, 16);
    }

    private Utf8Buffer hexDigits(long v, int digits) {
        if (length + digits > bytes.length) {
            grow(digits);
        }
        for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) {
            bytes[length++] = HEX[(int) (v >>> shift) & 0xf];
        }
        return this;
    }

    /** A copy of bytes [from, length). */
    public byte[] copy(int from) {
        return Arrays.copyOfRange(bytes, from, length);
    }

    @Override
    public String toString() {
        return new String(bytes, 0, length, StandardCharsets.UTF_8);
    }

    /**
     * Writes the buffer as print(String) of its text would: as raw bytes while utf8() was given only ASCII (the same
     * bytes in any charset a terminal uses), else decoded, so that the stream's own charset decides. What put() was
     * given counts as ASCII here: a caller that puts UTF-8 bytes of its own wants them written as they are.
     */
    public void writeTo(PrintStream out) {
        if (asciiText) {
            out.write(bytes, 0, length);
        } else {
            out.print(toString());
        }
    }

    /** Writes what it holds to the target once that is at least drainAt bytes. */
    public void drainIfFull() {
        if (length >= drainAt) {
            drain();
        }
    }

    /**
     * Writes everything to the target and flushes it. A failed write (a closed pipe) drops the output and is
     * remembered, as a PrintStream would: tracing goes on and the summary is still counted.
     */
    public void drain() {
        if (target == null) {
            return;
        }
        try {
            if (!failed && length > 0) {
                target.write(bytes, 0, length);
                target.flush();
            }
        } catch (IOException e) {
            failed = true;
        }
        length = 0;
    }

    /** True once a write to the target failed. */
    public boolean failed() {
        return failed;
    }
}
