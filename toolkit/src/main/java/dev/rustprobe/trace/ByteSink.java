// A growable byte buffer that trace output is written into as UTF-8, with no String per piece: event lines, values
// rendered straight from ring-buffer records. Optionally drains into an OutputStream once it holds enough.
package dev.rustprobe.trace;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

public final class ByteSink {
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] MIN_LONG = Long.toString(Long.MIN_VALUE).getBytes(StandardCharsets.US_ASCII);

    private byte[] bytes;
    private int length;
    private final OutputStream target;
    private final int drainAt;
    private boolean failed;

    /** A buffer of its own (nothing is written anywhere). */
    public ByteSink(int capacity) {
        this(null, capacity, Integer.MAX_VALUE);
    }

    /** A buffer in front of target that drain() empties whenever it holds at least drainAt bytes. */
    public ByteSink(OutputStream target, int capacity, int drainAt) {
        this.bytes = new byte[Math.max(64, capacity)];
        this.target = target;
        this.drainAt = drainAt;
    }

    private void room(int n) {
        if (length + n > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + n));
        }
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
    public ByteSink put(char asciiChar) {
        if (length == bytes.length) {
            room(1);
        }
        bytes[length++] = (byte) asciiChar;
        return this;
    }

    public ByteSink put(byte[] b) {
        return put(b, 0, b.length);
    }

    public ByteSink put(byte[] b, int from, int n) {
        if (length + n > bytes.length) {
            room(n);
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
    public ByteSink newline() {
        return put(NEWLINE);
    }

    private static final byte[] NEWLINE = System.lineSeparator().getBytes(StandardCharsets.US_ASCII);

    /** Text known to be ASCII (the program's own literals). */
    public ByteSink ascii(String s) {
        int n = s.length();
        if (length + n > bytes.length) {
            room(n);
        }
        for (int i = 0; i < n; i++) {
            bytes[length++] = (byte) s.charAt(i);
        }
        return this;
    }

    /** Any text, encoded as UTF-8 the way a UTF-8 PrintStream encodes it (an unpaired surrogate becomes '?'). */
    public ByteSink utf8(String s) {
        return put(s.getBytes(StandardCharsets.UTF_8));
    }

    public ByteSink decimal(long v) {
        if (v >= 0) {
            return unsignedDecimal(v);
        }
        if (v == Long.MIN_VALUE) {
            return put(MIN_LONG);
        }
        put('-');
        return unsignedDecimal(-v);
    }

    /** v read as an unsigned 64-bit number. */
    public ByteSink unsignedDecimal(long v) {
        if (v >= 0 && v <= Integer.MAX_VALUE) {
            return digits((int) v); // int division: C1 calls into the runtime for each long one
        }
        room(20);
        long q = Long.divideUnsigned(v, 10);
        int last = (int) (v - q * 10);
        int digits = 1;
        for (long rest = q; rest != 0; rest /= 10) {
            digits++;
        }
        int at = length + digits;
        length = at;
        bytes[--at] = (byte) ('0' + last);
        for (v = q; v != 0; v /= 10) {
            bytes[--at] = (byte) ('0' + v % 10);
        }
        return this;
    }

    private ByteSink digits(int v) {
        int digits = v < 10 ? 1 : v < 100 ? 2 : v < 1000 ? 3 : v < 10_000 ? 4 : v < 100_000 ? 5 : v < 1_000_000 ? 6
                : v < 10_000_000 ? 7 : v < 100_000_000 ? 8 : v < 1_000_000_000 ? 9 : 10;
        if (length + digits > bytes.length) {
            room(digits);
        }
        int at = length + digits;
        length = at;
        do {
            // v / 10 by a multiply and a shift, exact for every non-negative int (C1 divides slowly)
            int q = (int) ((v * 0xCCCCCCCDL) >>> 35);
            bytes[--at] = (byte) ('0' + (v - q * 10));
            v = q;
        } while (v != 0);
        return this;
    }

    /** Lower-case hex without leading zeros ("0" for 0), as Long.toHexString. */
    public ByteSink hex(long v) {
        int digits = Math.max(1, (67 - Long.numberOfLeadingZeros(v)) / 4);
        room(digits);
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
