// A growable UTF-8 byte buffer for long listings: ls of a big library prints megabytes, and building them as bytes
// skips the String and the encoder of PrintStream.print. Written to the stream in one call.
package dev.rustprobe.cli;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

final class Utf8Buffer {
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    private byte[] bytes;
    private int length;
    private boolean onlyAscii = true;

    Utf8Buffer(int capacity) {
        bytes = new byte[Math.max(16, capacity)];
    }

    private void room(int n) { // small enough for C1 to inline; growing is out of line
        if (length + n > bytes.length) {
            grow(n);
        }
    }

    private void grow(int n) {
        bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + n));
    }

    /** Appends text known to be ASCII (the caller's own literals, names the index found ASCII). */
    Utf8Buffer ascii(String s) {
        int n = s.length();
        room(n);
        s.getBytes(0, n, bytes, length); // deprecated for its lossy narrowing, which is exactly right for ASCII
        length += n;
        return this;
    }

    /**
     * Appends any text as UTF-8. An unpaired surrogate becomes '?', as every ASCII-compatible PrintStream would print
     * it, so a buffer that stayed one byte per char is what print(String) would write, byte for byte.
     */
    Utf8Buffer text(String s) {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8); // a plain copy for ASCII text, unlike a charAt loop
        room(utf8.length);
        System.arraycopy(utf8, 0, bytes, length, utf8.length);
        length += utf8.length;
        onlyAscii &= utf8.length == s.length();
        return this;
    }

    /** Sixteen lower-case hex digits. */
    Utf8Buffer hex16(long v) {
        room(16);
        for (int shift = 60; shift >= 0; shift -= 4) {
            bytes[length++] = HEX[(int) (v >>> shift) & 0xf];
        }
        return this;
    }

    /** A decimal number right-aligned in {@code width} columns (wider numbers are not cut). */
    Utf8Buffer right(long v, int width) {
        if (v < 0) {
            String digits = Long.toString(v);
            for (int i = digits.length(); i < width; i++) {
                room(1);
                bytes[length++] = ' ';
            }
            return ascii(digits);
        }
        int digits = 1;
        for (long rest = v / 10; rest != 0; rest /= 10) {
            digits++;
        }
        int n = Math.max(width, digits);
        room(n);
        int end = length + n;
        for (int i = length; i < end - digits; i++) {
            bytes[i] = ' ';
        }
        long rest = v;
        for (int i = end - 1; i >= end - digits; i--) {
            bytes[i] = (byte) ('0' + rest % 10);
            rest /= 10;
        }
        length = end;
        return this;
    }

    /**
     * Writes the buffer: as raw bytes when it is all ASCII (the same bytes in any charset a terminal uses), else as
     * the text it encodes, so that the stream's own charset decides as it would for print(String).
     */
    void writeTo(PrintStream out) {
        if (onlyAscii) {
            out.write(bytes, 0, length);
        } else {
            out.print(new String(bytes, 0, length, StandardCharsets.UTF_8));
        }
    }

    @Override
    public String toString() {
        return new String(bytes, 0, length, StandardCharsets.UTF_8);
    }
}
