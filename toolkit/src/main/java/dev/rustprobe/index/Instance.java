// One out-of-line copy of a function: a defined FUNC symbol in .symtab or .dynsym.
package dev.rustprobe.index;

import dev.rustprobe.demangle.Demangler;
import dev.rustprobe.elf.SymbolBinding;

public record Instance(long address, long size, SymbolBinding binding, String mangledName, boolean fromDynsym) {
    public boolean isGlobal() {
        return binding != SymbolBinding.LOCAL;
    }

    /**
     * The hash that tells copies apart: legacy mangling's "h0123456789abcdef" path suffix, or for v0 the crate
     * disambiguator in brackets; null for C symbols. Computed on demand so that listing never demangles twice.
     */
    public String crateHash() {
        String m = mangledName;
        if (m.startsWith("_ZN") && m.length() > 21 && m.endsWith("E") && m.startsWith("17h", m.length() - 20)) {
            return m.substring(m.length() - 18, m.length() - 1);
        }
        if (m.startsWith("_R")) {
            String full = Demangler.demangle(m, true);
            if (full != null) {
                int open = full.indexOf('[');
                int close = open < 0 ? -1 : full.indexOf(']', open);
                if (close > open + 1) {
                    return full.substring(open + 1, close);
                }
            }
        }
        return null;
    }

    /** The demangled name including the hash, as rustfilt -h would print it. */
    public String demangledWithHash() {
        String d = Demangler.demangle(mangledName, true);
        return d == null ? mangledName : d;
    }
}
