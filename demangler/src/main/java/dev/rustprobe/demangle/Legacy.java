// The legacy Rust mangling (`_ZN` length-prefixed path elements `E`, Itanium-like, with `$..$` escapes and a
// trailing `17h<16 hex>` hash element): recognition and rendering, with rustc-demangle's rules.
package dev.rustprobe.demangle;

final class Legacy {
    private Legacy() {
    }

    /**
     * Recognises a legacy symbol in {@code s[start, end)} (ASCII: the caller checked).
     *
     * @return {@code (innerStart << 32) | elementsEnd} packed, where elementsEnd is the index just past the
     *         closing {@code E} (the suffix starts there), and the element count in {@code counts[0]};
     *         or -1 when the text is not a legacy symbol
     */
    static long recognise(byte[] s, int start, int end, int[] counts) {
        int inner;
        int n = end - start;
        if (n > 2 && s[start] == '_' && s[start + 1] == 'Z' && s[start + 2] == 'N') {
            inner = start + 3;
        } else if (n > 1 && s[start] == 'Z' && s[start + 1] == 'N') {
            inner = start + 2; // dbghelp on Windows strips the leading underscore
        } else if (n > 3 && s[start] == '_' && s[start + 1] == '_' && s[start + 2] == 'Z' && s[start + 3] == 'N') {
            inner = start + 4; // macOS adds one
        } else {
            return -1;
        }
        int p = inner;
        if (p >= end) {
            return -1;
        }
        int elements = 0;
        char c = (char) s[p];
        while (c != 'E') {
            if (c < '0' || c > '9') {
                return -1;
            }
            long len = 0;
            while (c >= '0' && c <= '9') {
                len = len * 10 + (c - '0');
                if (len > end) { // cannot be satisfied by the characters left; Rust fails the same way
                    return -1;
                }
                p++;
                if (p >= end) {
                    return -1;
                }
                c = (char) s[p];
            }
            // c is the identifier's first character, at p; the next element starts len characters on
            if (p + len >= end) {
                return -1;
            }
            p += (int) len;
            c = (char) s[p];
            elements++;
        }
        counts[0] = elements;
        return ((long) inner << 32) | (p + 1);
    }

    /** Renders the recognised symbol's path; {@code withHash=false} drops a final hash element. */
    static void render(byte[] s, int inner, int elements, boolean withHash, Output out) {
        int p = inner;
        for (int element = 0; element < elements; element++) {
            int len = 0;
            while (s[p] >= '0' && s[p] <= '9') {
                len = len * 10 + (s[p] - '0');
                p++;
            }
            int from = p;
            int to = p + len;
            p = to;
            if (!withHash && element + 1 == elements && isRustHash(s, from, to)) {
                break;
            }
            if (element != 0) {
                out.ascii("::");
            }
            if (to - from >= 2 && s[from] == '_' && s[from + 1] == '$') {
                from++;
            }
            from = renderElement(s, from, to, out);
            out.ascii(s, from, to);
        }
    }

    /** Renders the escapes and dots of one element; returns where the literal remainder starts. */
    private static int renderElement(byte[] s, int from, int to, Output out) {
        while (from < to) {
            char c = (char) s[from];
            if (c == '.') {
                if (from + 1 < to && s[from + 1] == '.') {
                    out.ascii("::");
                    from += 2;
                } else {
                    out.ascii(".");
                    from += 1;
                }
            } else if (c == '$') {
                int close = -1;
                for (int i = from + 1; i < to; i++) {
                    if (s[i] == '$') {
                        close = i;
                        break;
                    }
                }
                if (close < 0) {
                    return from;
                }
                String unescaped = unescape(s, from + 1, close);
                if (unescaped != null) {
                    out.ascii(unescaped);
                } else {
                    int cp = unicodeEscape(s, from + 1, close);
                    if (cp < 0) {
                        return from;
                    }
                    out.codePoint(cp);
                }
                from = close + 1;
            } else {
                int i = from + 1;
                while (i < to && s[i] != '$' && s[i] != '.') {
                    i++;
                }
                if (i == to) {
                    return from;
                }
                out.ascii(s, from, i);
                from = i;
            }
        }
        return from;
    }

    private static String unescape(byte[] s, int from, int to) {
        int n = to - from;
        if (n == 1) {
            return s[from] == 'C' ? "," : null;
        }
        if (n != 2) {
            return null;
        }
        char a = (char) s[from];
        char b = (char) s[from + 1];
        if (b == 'P') {
            return switch (a) {
                case 'S' -> "@";
                case 'B' -> "*";
                case 'L' -> "(";
                case 'R' -> ")";
                default -> null;
            };
        }
        if (a == 'R' && b == 'F') {
            return "&";
        }
        if (b == 'T') {
            return a == 'L' ? "<" : a == 'G' ? ">" : null;
        }
        return null;
    }

    /** {@code $u<lower hex>$}: the code point, or -1 when it is not one rustc-demangle would print. */
    private static int unicodeEscape(byte[] s, int from, int to) {
        if (from >= to || s[from] != 'u' || from + 1 == to) {
            return -1;
        }
        long v = 0;
        for (int i = from + 1; i < to; i++) {
            char c = (char) s[i];
            int d;
            if (c >= '0' && c <= '9') {
                d = c - '0';
            } else if (c >= 'a' && c <= 'f') {
                d = c - 'a' + 10;
            } else {
                return -1;
            }
            v = v * 16 + d;
            if (v > 0xFFFF_FFFFL) {
                return -1;
            }
        }
        if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) {
            return -1;
        }
        if (v < 0x20 || (v >= 0x7F && v < 0xA0)) {
            return -1; // control characters stay escaped
        }
        return (int) v;
    }

    /** rustc-demangle's test: {@code h} followed by hex digits only (of any case and any count). */
    private static boolean isRustHash(byte[] s, int from, int to) {
        if (from >= to || s[from] != 'h') {
            return false;
        }
        for (int i = from + 1; i < to; i++) {
            char c = (char) s[i];
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
                return false;
            }
        }
        return true;
    }
}
