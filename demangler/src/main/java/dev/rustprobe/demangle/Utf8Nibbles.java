// A v0 string constant: UTF-8 bytes written as pairs of lowercase hex nibbles; strict decoding as Rust's
// str::from_utf8 (no overlong forms, no surrogates, nothing past U+10FFFF).
package dev.rustprobe.demangle;

final class Utf8Nibbles {
    private Utf8Nibbles() {
    }

    static boolean isValid(String s, int from, int to) {
        if (((to - from) & 1) != 0) {
            return false;
        }
        int p = from;
        while (p < to) {
            long r = next(s, p, to);
            if (r < 0) {
                return false;
            }
            p = (int) r;
        }
        return true;
    }

    /** The character at nibble p as (code point << 32 | next p), or -1 when the bytes are not UTF-8. */
    static long next(String s, int p, int to) {
        int b0 = readByte(s, p, to);
        if (b0 < 0) {
            return -1;
        }
        p += 2;
        int len;
        int cp;
        int min;
        if (b0 < 0x80) {
            return ((long) b0 << 32) | p;
        } else if (b0 < 0xC0) {
            return -1;
        } else if (b0 < 0xE0) {
            len = 2;
            cp = b0 & 0x1F;
            min = 0x80;
        } else if (b0 < 0xF0) {
            len = 3;
            cp = b0 & 0x0F;
            min = 0x800;
        } else if (b0 < 0xF8) {
            len = 4;
            cp = b0 & 0x07;
            min = 0x10000;
        } else {
            return -1;
        }
        for (int k = 1; k < len; k++) {
            int b = readByte(s, p, to);
            if (b < 0 || (b & 0xC0) != 0x80) {
                return -1;
            }
            p += 2;
            cp = (cp << 6) | (b & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
            return -1;
        }
        return ((long) cp << 32) | p;
    }

    private static int readByte(String s, int p, int to) {
        if (p + 1 >= to) {
            return -1;
        }
        return (Character.digit(s.charAt(p), 16) << 4) | Character.digit(s.charAt(p + 1), 16);
    }
}
