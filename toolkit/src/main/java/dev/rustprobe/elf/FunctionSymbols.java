// The defined function symbols of a binary as columns of primitive arrays, names as bytes of the string tables:
// indexing a library of 150,000 symbols must not make an object and a String per symbol before it needs them.
package dev.rustprobe.elf;

import java.nio.charset.StandardCharsets;

/**
 * Every defined FUNC and GNU_IFUNC symbol with a non-empty name, of .symtab and then .dynsym, in file order (what
 * {@link ElfFile#forEachSymbol(boolean, java.util.function.Consumer)} gives, less the nameless).
 */
public final class FunctionSymbols {
    private final byte[] names;
    private final int[] nameAt;
    private final long[] value;
    private final long[] size;
    private final byte[] info;
    private final boolean[] dynamic;
    private final int count;

    FunctionSymbols(byte[] names, int[] nameAt, long[] value, long[] size, byte[] info, boolean[] dynamic, int count) {
        this.names = names;
        this.nameAt = nameAt;
        this.value = value;
        this.size = size;
        this.info = info;
        this.dynamic = dynamic;
        this.count = count;
    }

    public int count() {
        return count;
    }

    /**
     * The string tables' bytes, each table followed by a NUL: symbol i's name starts at {@link #nameAt(int)} and
     * ends at the next NUL (a name the table does not terminate ends with its table). Read only.
     */
    public byte[] names() {
        return names;
    }

    public int nameAt(int i) {
        return nameAt[i];
    }

    /** Where symbol i's name ends: the index of its NUL in {@link #names()}. */
    public int nameEnd(int i) {
        int p = nameAt[i];
        while (names[p] != 0) {
            p++;
        }
        return p;
    }

    /** Symbol i's name, decoded as {@link ElfSymbol#name()} is (UTF-8; ASCII, nearly always, one byte a char). */
    public String name(int i) {
        int from = nameAt[i];
        int to = nameEnd(i);
        return new String(names, from, to - from, isAscii(names, from, to) ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_8);
    }

    static boolean isAscii(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] < 0) {
                return false;
            }
        }
        return true;
    }

    /** Whether symbol i's name equals symbol j's. */
    public boolean sameName(int i, int j) {
        int p = nameAt[i];
        int q = nameAt[j];
        while (names[p] == names[q]) {
            if (names[p] == 0) {
                return true;
            }
            p++;
            q++;
        }
        return false;
    }

    public long value(int i) {
        return value[i];
    }

    public long size(int i) {
        return size[i];
    }

    public SymbolBinding binding(int i) {
        return SymbolBinding.of((info[i] & 0xff) >>> 4);
    }

    public boolean fromDynsym(int i) {
        return dynamic[i];
    }
}
