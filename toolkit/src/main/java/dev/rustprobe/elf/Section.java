// One section header, as the file states it (sizes are the on-disk sizes, before any decompression).
package dev.rustprobe.elf;

public record Section(int index, String name, int type, long flags, long address, long offset, long size,
                      int link, int info, long addressAlign, long entrySize) {
    public static final int SHT_NULL = 0;
    public static final int SHT_PROGBITS = 1;
    public static final int SHT_SYMTAB = 2;
    public static final int SHT_STRTAB = 3;
    public static final int SHT_NOTE = 7;
    public static final int SHT_NOBITS = 8;
    public static final int SHT_DYNSYM = 11;
    public static final long SHF_ALLOC = 0x2;
    public static final long SHF_EXECINSTR = 0x4;
    public static final long SHF_COMPRESSED = 0x800;

    /** True when the section occupies bytes in the file (not SHT_NOBITS such as .bss or a stripped debug file's .text). */
    public boolean hasFileData() {
        return type != SHT_NOBITS && type != SHT_NULL;
    }

    public boolean isCompressed() {
        return (flags & SHF_COMPRESSED) != 0;
    }

    public boolean isExecutable() {
        return (flags & SHF_EXECINSTR) != 0;
    }
}
