// Rust symbol demangling (legacy `_ZN...E` and v0 `_R...`), rendering byte for byte as rustc-demangle 0.1.21
// does (the version Debian's rustfilt is built with), and rustfilt's filter that demangles symbols inside text.
package dev.rustprobe.demangle;

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
        // sb starts empty: the rendering arrives in one flush, whose String is returned as it is when nothing follows
        Output limited = new Output(new StringBuilder(0), symbol.length() + 16);
        return appendDemangled(symbol, withHash, limited) ? limited.result() : null;
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
        return appendDemangled(symbol, withHash, new Output(out, symbol.length() + 16));
    }

    private static boolean appendDemangled(String symbol, boolean withHash, Output limited) {
        StringBuilder out = limited.sb;
        int mark = out.length();
        try {
            return tryAppendDemangled(symbol, withHash, limited);
        } catch (RuntimeException | StackOverflowError e) {
            // Not expected: the depth limit keeps recursion within the JVM's default 1 MiB thread stack (a test
            // checks it), but a caller's smaller stack must not make demangling throw; the name stays as it is.
            out.setLength(mark);
            return false;
        }
    }

    /** appendDemangled without its safety net: the fuzz tests call this so that no exception goes unseen. */
    static boolean tryAppendDemangled(String symbol, boolean withHash, StringBuilder out) {
        return tryAppendDemangled(symbol, withHash, new Output(out, symbol.length() + 16));
    }

    private static boolean tryAppendDemangled(String symbol, boolean withHash, Output limited) {
        StringBuilder out = limited.sb;
        int end = withoutLlvmSuffix(symbol);
        int[] counts = new int[1];
        long legacy = Legacy.recognise(symbol, end, counts);
        int mark = out.length();
        int suffix;
        if (legacy >= 0) {
            suffix = (int) legacy;
            if (suffix < end && !isSymbolLikeSuffix(symbol, suffix, end)) {
                return false;
            }
            try {
                Legacy.render(symbol, (int) (legacy >>> 32), counts[0], withHash, limited);
            } catch (Output.LimitReached e) {
                limited.limitReached = true;
            }
        } else {
            int inner = V0.bodyStart(symbol, end);
            if (inner < 0) {
                return false;
            }
            suffix = V0.render(symbol, inner, end, withHash, limited);
            if (suffix < 0 || (suffix < end && !isSymbolLikeSuffix(symbol, suffix, end))) {
                out.setLength(mark);
                return false;
            }
        }
        limited.flush();
        if (limited.limitReached) {
            out.append("{size limit reached}");
        }
        out.append(symbol, suffix, end);
        return true;
    }

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

    /** A suffix kept after the demangled name (LLVM's `.lto.1` and the like): `.` then ASCII punctuation/alnum. */
    private static boolean isSymbolLikeSuffix(String s, int from, int to) {
        if (s.charAt(from) != '.') {
            return false;
        }
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c <= ' ' || c >= 0x7F) {
                return false;
            }
        }
        return true;
    }
}
