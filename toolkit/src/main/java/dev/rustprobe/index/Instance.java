// One out-of-line copy of a function: a defined FUNC symbol in .symtab or .dynsym.
package dev.rustprobe.index;

import dev.rustprobe.demangle.Demangler;
import dev.rustprobe.elf.FunctionSymbols;
import dev.rustprobe.elf.SymbolBinding;

import java.util.Objects;

/**
 * A value with a record's accessors, equality and text; a class only so that the mangled name can stay bytes in the
 * symbol table until asked for (ls of a big library never asks, and would otherwise make 100,000 strings).
 */
public final class Instance {
    private final long address;
    private final long size;
    private final SymbolBinding binding;
    private final boolean fromDynsym;
    private final FunctionSymbols symbols;
    private final int symbol;
    private volatile String mangledName;

    public Instance(long address, long size, SymbolBinding binding, String mangledName, boolean fromDynsym) {
        this.address = address;
        this.size = size;
        this.binding = binding;
        this.mangledName = Objects.requireNonNull(mangledName);
        this.fromDynsym = fromDynsym;
        this.symbols = null;
        this.symbol = -1;
    }

    /** Symbol {@code symbol} of the columns, its name decoded on first use. */
    Instance(FunctionSymbols symbols, int symbol) {
        this.address = symbols.value(symbol);
        this.size = symbols.size(symbol);
        this.binding = symbols.binding(symbol);
        this.fromDynsym = symbols.fromDynsym(symbol);
        this.symbols = symbols;
        this.symbol = symbol;
    }

    public long address() {
        return address;
    }

    public long size() {
        return size;
    }

    public SymbolBinding binding() {
        return binding;
    }

    public String mangledName() {
        String m = mangledName;
        if (m == null) {
            m = symbols.name(symbol); // a race only decodes twice
            mangledName = m;
        }
        return m;
    }

    public boolean fromDynsym() {
        return fromDynsym;
    }

    public boolean isGlobal() {
        return binding != SymbolBinding.LOCAL;
    }

    /**
     * The hash that tells copies apart: legacy mangling's "h0123456789abcdef" path suffix, or for v0 the crate
     * disambiguator in brackets; null for C symbols. Computed on demand so that listing never demangles twice.
     */
    public String crateHash() {
        String m = mangledName();
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
        String d = Demangler.demangle(mangledName(), true);
        return d == null ? mangledName() : d;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Instance i && address == i.address && size == i.size && binding == i.binding
                && fromDynsym == i.fromDynsym && mangledName().equals(i.mangledName());
    }

    @Override
    public int hashCode() {
        return Objects.hash(address, size, binding, mangledName(), fromDynsym);
    }

    @Override
    public String toString() {
        return "Instance[address=" + address + ", size=" + size + ", binding=" + binding + ", mangledName="
                + mangledName() + ", fromDynsym=" + fromDynsym + "]";
    }
}
