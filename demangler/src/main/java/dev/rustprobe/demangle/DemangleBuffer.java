// Demangling for callers that hold symbols as bytes (a symbol table read from a file): renders into one reusable
// UTF-8 buffer, so that listing 100,000 symbols makes no String and no scratch array per symbol.
package dev.rustprobe.demangle;

/** Not thread-safe: one per thread. The rendering is the same text as {@link Demangler#demangle}'s, as UTF-8. */
public final class DemangleBuffer {
    private final Output out = new Output(256);
    private final int[] counts = new int[1];

    /**
     * Demangles the symbol {@code symbol[from, to)} (UTF-8, no NUL): true when it is a Rust symbol, its rendering
     * then in {@link #bytes()}{@code [0, }{@link #length()}{@code )} until the next call; false otherwise.
     */
    public boolean demangle(byte[] symbol, int from, int to, boolean withHash) {
        out.reset();
        int n = to - from;
        // the two manglings' prefixes first: most non-Rust names (C, C++) stop here without a scan
        boolean prefix = n > 1 && (symbol[from] == '_' || symbol[from] == 'Z' || symbol[from] == 'R');
        if (!prefix) {
            return false;
        }
        int dot = -1;
        for (int i = to - 1; i >= from; i--) {
            byte b = symbol[i];
            if (b < 0) {
                return false; // a Rust symbol is ASCII
            }
            if (b == '.') {
                dot = i;
            }
        }
        return Demangler.render(symbol, from, to, dot < 0 ? to : dot, withHash, out, counts);
    }

    /**
     * {@link #demangle} of a symbol the caller has already scanned (reading a symbol table, it must find the NUL
     * anyway): {@code symbol[from, to)} is ASCII, and firstDot is the index of its first '.', or to when it has none.
     */
    public boolean demangleAscii(byte[] symbol, int from, int to, int firstDot, boolean withHash) {
        out.reset();
        return Demangler.render(symbol, from, to, firstDot, withHash, out, counts);
    }

    /** The last rendering's bytes (the array is reused: copy what must outlive the next call). */
    public byte[] bytes() {
        return out.bytes();
    }

    public int length() {
        return out.length();
    }

    /** Whether the last rendering is all ASCII (nearly always; punycode identifiers and char constants are not). */
    public boolean isAscii() {
        return out.isAscii();
    }
}
