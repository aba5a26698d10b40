// Punycode (RFC 3492) decoding of v0 identifiers, with rustc-demangle's limits: unsigned 64-bit arithmetic that
// fails on overflow, and a bounded output length beyond which the identifier is shown still encoded.
package dev.rustprobe.demangle;

final class Punycode {
    private static final int BASE = 36;
    private static final int T_MIN = 1;
    private static final int T_MAX = 26;
    private static final int SKEW = 38;

    private Punycode() {
    }

    /**
     * Decodes the identifier whose basic (ASCII) part is {@code s[asciiFrom, asciiTo)} and whose encoded part
     * is {@code s[punyFrom, punyTo)}.
     *
     * @return the code points in {@code [0, n)} and n at index {@code max}, or null when the encoded part is
     *         empty or invalid, or the result would have more than {@code max} characters
     */
    static int[] decode(String s, int asciiFrom, int asciiTo, int punyFrom, int punyTo, int max) {
        if (punyFrom >= punyTo) {
            return null;
        }
        int[] out = new int[max + 1];
        int len = 0;
        for (int i = asciiFrom; i < asciiTo; i++) {
            if (len >= max) {
                return null;
            }
            out[len++] = s.charAt(i);
        }
        long damp = 700;
        long bias = 72;
        long i = 0;
        long n = 0x80;
        int p = punyFrom;
        while (true) {
            long delta = 0;
            long w = 1;
            long k = 0;
            while (true) {
                k += BASE;
                long t = Math.min(Math.max(k > bias ? k - bias : 0, T_MIN), T_MAX);
                if (p >= punyTo) {
                    return null;
                }
                char c = s.charAt(p++);
                long d;
                if (c >= 'a' && c <= 'z') {
                    d = c - 'a';
                } else if (c >= '0' && c <= '9') {
                    d = 26 + (c - '0');
                } else {
                    return null;
                }
                long dw = mul(d, w);
                if (dw == -1L) {
                    return null;
                }
                long sum = delta + dw;
                if (Long.compareUnsigned(sum, delta) < 0) {
                    return null;
                }
                delta = sum;
                if (d < t) {
                    break;
                }
                long nw = mul(w, BASE - t);
                if (nw == -1L) {
                    return null;
                }
                w = nw;
            }
            long newLen = len + 1;
            long ni = i + delta;
            if (Long.compareUnsigned(ni, i) < 0) {
                return null;
            }
            i = ni;
            long nn = n + Long.divideUnsigned(i, newLen);
            if (Long.compareUnsigned(nn, n) < 0) {
                return null;
            }
            n = nn;
            i = Long.remainderUnsigned(i, newLen);
            if (Long.compareUnsigned(n, 0x10FFFF) > 0 || (n >= 0xD800 && n <= 0xDFFF)) {
                return null;
            }
            if (len >= max) {
                return null;
            }
            int at = (int) i;
            System.arraycopy(out, at, out, at + 1, len - at);
            out[at] = (int) n;
            len++;
            i++;
            if (p >= punyTo) {
                out[max] = len;
                return out;
            }
            delta = Long.divideUnsigned(delta, damp);
            damp = 2;
            delta += delta / len;
            k = 0;
            while (delta > ((BASE - T_MIN) * T_MAX) / 2) {
                delta /= BASE - T_MIN;
                k += BASE;
            }
            bias = k + ((BASE - T_MIN + 1) * delta) / (delta + SKEW);
        }
    }

    /** Unsigned a*b with b small, or -1 (all ones) on overflow; the exact product -1 cannot occur here. */
    private static long mul(long a, long b) {
        if (a == 0 || b == 0) {
            return 0;
        }
        if (Long.compareUnsigned(a, Long.divideUnsigned(-1L, b)) > 0) {
            return -1L;
        }
        return a * b;
    }
}
