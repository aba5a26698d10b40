// Rust symbol demangling (legacy `_ZN...E` and v0 `_R...`), rendering byte for byte as rustc-demangle 0.1.21
// does (the version Debian's rustfilt is built with), and rustfilt's filter that demangles symbols inside text.
package dev.rustprobe.demangle;

import java.nio.charset.StandardCharsets;

/**
 * Entry points. Every method takes any input: nothing throws, recursion is bounded (nesting deeper than 500
 * prints {@code {recursion limit reached}}) and a rendering stops at 1,000,000 bytes with
 * {@code {size limit reached}}, as rustc-demangle does.
 */
public final class Demangler {
    private static final String LLVM = ".llvm.";

    private Demangler() {
    }

    /**
     * The demangled form of one symbol, or null when it is not a Rust symbol. withHash=true is rustc-demangle's
     * "{}" rendering (legacy hash tail / v0 crate disambiguators kept); false is "{:#}".
     */
    public static String demangle(String symbol, boolean withHash) {
        if (symbol == null) {
            return null;
        }
        byte[] b = asciiBytes(symbol);
        if (b == null) {
            return null;
        }
        Output out = new Output(b.length + 16);
        return render(b, 0, b.length, 0, withHash, out, new int[1]) ? out.result() : null;
    }

    /**
     * rustc-demangle's Display of the symbol: the demangled form, or for a non-Rust symbol the symbol itself
     * (less a {@code .llvm.<hex>} suffix, which rustc-demangle strips from any input). This is what rustfilt
     * prints for each argument.
     */
    public static String display(String symbol, boolean withHash) {
        StringBuilder sb = new StringBuilder(symbol.length() + 16);
        appendDisplay(symbol, withHash, sb);
        return sb.toString();
    }

    /** Appends {@link #display(String, boolean)} of the symbol to out. */
    public static void appendDisplay(String symbol, boolean withHash, StringBuilder out) {
        if (!appendDemangled(symbol, withHash, out)) {
            out.append(symbol, 0, withoutLlvmSuffix(symbol));
        }
    }

    /**
     * Appends the demangled form of the symbol to out and returns true, or appends nothing and returns false
     * when it is not a Rust symbol.
     */
    public static boolean appendDemangled(String symbol, boolean withHash, StringBuilder out) {
        String d = demangle(symbol, withHash);
        if (d == null) {
            return false;
        }
        out.append(d);
        return true;
    }

    /** demangle without its safety net: the fuzz tests call this so that no exception goes unseen. */
    static boolean tryAppendDemangled(String symbol, boolean withHash, StringBuilder out) {
        byte[] b = asciiBytes(symbol);
        if (b == null) {
            return false;
        }
        Output o = new Output(b.length + 16);
        if (!tryRender(b, 0, b.length, 0, withHash, o, new int[1])) {
            return false;
        }
        out.append(o.result());
        return true;
    }

    /**
     * The symbol's bytes when it is all ASCII (one vectorised copy), else null: a Rust symbol is ASCII, as
     * rustc-demangle requires of v0 and of a legacy path, whose suffixes (".llvm.<hex>", ".lto.1") are ASCII too.
     */
    private static byte[] asciiBytes(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (b.length != s.length()) {
            return null;
        }
        // one char, one byte: ASCII, or an unpaired surrogate that the encoder turned into '?'
        return s.indexOf('?') < 0 || s.chars().allMatch(c -> c < 0x80) ? b : null;
    }

    /**
     * Renders the ASCII symbol s[start, to) into out and returns true, or returns false (out then holds a rendering
     * to discard) when it is not a Rust symbol. No ".llvm." starts before firstDot; counts: one int of scratch space.
     */
    static boolean render(byte[] s, int start, int to, int firstDot, boolean withHash, Output out, int[] counts) {
        try {
            return tryRender(s, start, to, firstDot, withHash, out, counts);
        } catch (RuntimeException | StackOverflowError e) {
            // Not expected: the depth limit keeps recursion within the JVM's default 1 MiB thread stack (a test
            // checks it), but a caller's smaller stack must not make demangling throw; the name stays as it is.
            return false;
        }
    }

    private static boolean tryRender(byte[] s, int start, int to, int firstDot, boolean withHash, Output out,
                                     int[] counts) {
        int end = withoutLlvmSuffix(s, Math.max(start, firstDot), to);
        long legacy = Legacy.recognise(s, start, end, counts);
        int suffix;
        if (legacy >= 0) {
            suffix = (int) legacy;
            if (suffix < end && !isSymbolLikeSuffix(s, suffix, end)) {
                return false;
            }
            try {
                Legacy.render(s, (int) (legacy >>> 32), counts[0], withHash, out);
            } catch (Output.LimitReached e) {
                out.limitReached = true;
            }
        } else {
            int inner = V0.bodyStart(s, start, end);
            if (inner < 0) {
                return false;
            }
            suffix = V0.render(s, inner, end, withHash, out);
            if (suffix < 0 || (suffix < end && !isSymbolLikeSuffix(s, suffix, end))) {
                return false;
            }
        }
        if (out.limitReached) {
            out.appendUnlimited(SIZE_LIMIT_REACHED, 0, SIZE_LIMIT_REACHED.length);
        }
        out.appendUnlimited(s, suffix, end);
        return true;
    }

    private static final byte[] SIZE_LIMIT_REACHED = "{size limit reached}".getBytes(StandardCharsets.US_ASCII);

    /**
     * rustfilt's filter: every Rust symbol inside arbitrary text replaced, everything else untouched. A symbol
     * candidate is, as in rustfilt, {@code _ZN} or {@code _R} followed by the longest run of ASCII letters,
     * digits, {@code _}, {@code $} and {@code .}; one that does not demangle is left as it is.
     */
    public static String demangleText(String text, boolean withHash) {
        StringBuilder sb = new StringBuilder(text.length() + (text.length() >> 2));
        appendDemangledText(text, withHash, sb);
        return sb.toString();
    }

    /** Appends {@link #demangleText(String, boolean)} of text to out. */
    public static void appendDemangledText(CharSequence text, boolean withHash, StringBuilder out) {
        int n = text.length();
        int copied = 0;
        int i = 0;
        while (i < n - 1) {
            if (text.charAt(i) == '_') {
                char c = text.charAt(i + 1);
                if (c == 'R' || (c == 'Z' && i + 2 < n && text.charAt(i + 2) == 'N')) {
                    int j = i + 2;
                    while (j < n && isSymbolChar(text.charAt(j))) {
                        j++;
                    }
                    out.append(text, copied, i);
                    appendDisplay(text.subSequence(i, j).toString(), withHash, out);
                    copied = i = j;
                    continue;
                }
            }
            i++;
        }
        out.append(text, copied, n);
    }

    /** The characters rustfilt takes as part of a symbol when it scans text: ASCII alphanumerics, `_ $ .`. */
    public static boolean isSymbolChar(int c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || c == '_' || c == '$' || c == '.';
    }

    /**
     * Where the symbol ends once a ThinLTO {@code .llvm.} suffix is taken off: rustc-demangle strips the first
     * {@code .llvm.} and all after it when the rest is only uppercase hex digits and {@code @}.
     */
    static int withoutLlvmSuffix(String s) {
        int at = s.indexOf(LLVM);
        if (at < 0) {
            return s.length();
        }
        for (int i = at + LLVM.length(); i < s.length(); i++) {
            char c = s.charAt(i);
            if (!((c >= 'A' && c <= 'F') || (c >= '0' && c <= '9') || c == '@')) {
                return s.length();
            }
        }
        return at;
    }

    /** {@link #withoutLlvmSuffix(String)} of the ASCII symbol s[from, to): where it ends, as an index into s. */
    static int withoutLlvmSuffix(byte[] s, int from, int to) {
        for (int at = from; at + LLVM.length() <= to; at++) {
            if (s[at] == '.' && s[at + 1] == 'l' && s[at + 2] == 'l' && s[at + 3] == 'v' && s[at + 4] == 'm'
                    && s[at + 5] == '.') {
                for (int i = at + LLVM.length(); i < to; i++) {
                    byte c = s[i];
                    if (!((c >= 'A' && c <= 'F') || (c >= '0' && c <= '9') || c == '@')) {
                        return to;
                    }
                }
                return at;
            }
        }
        return to;
    }

    /** A suffix kept after the demangled name (LLVM's `.lto.1` and the like): `.` then ASCII punctuation/alnum. */
    private static boolean isSymbolLikeSuffix(byte[] s, int from, int to) {
        if (s[from] != '.') {
            return false;
        }
        for (int i = from; i < to; i++) {
            byte c = s[i];
            if (c <= ' ' || c >= 0x7F) {
                return false;
            }
        }
        return true;
    }
}
