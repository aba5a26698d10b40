// STB_* values: whether a symbol is visible outside its object file.
package dev.rustprobe.elf;

public enum SymbolBinding {
    LOCAL, GLOBAL, WEAK, UNIQUE, OTHER;

    static SymbolBinding of(int stb) {
        return switch (stb) {
            case 0 -> LOCAL;
            case 1 -> GLOBAL;
            case 2 -> WEAK;
            case 10 -> UNIQUE;
            default -> OTHER;
        };
    }
}
