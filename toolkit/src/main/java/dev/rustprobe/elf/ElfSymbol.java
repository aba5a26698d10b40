// One entry of .symtab or .dynsym.
package dev.rustprobe.elf;

public record ElfSymbol(String name, long value, long size, SymbolType type, SymbolBinding binding,
                        int sectionIndex, boolean fromDynsym) {
    public static final int SHN_UNDEF = 0;
    public static final int SHN_ABS = 0xfff1;

    public boolean isDefined() {
        return sectionIndex != SHN_UNDEF;
    }

    public boolean isFunction() {
        return type == SymbolType.FUNC || type == SymbolType.GNU_IFUNC;
    }
}
