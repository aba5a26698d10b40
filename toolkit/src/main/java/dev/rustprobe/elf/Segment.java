// One program header: what the loader maps, and where it maps it.
package dev.rustprobe.elf;

public record Segment(int type, int flags, long offset, long virtualAddress, long fileSize, long memorySize, long align) {
    public static final int PT_LOAD = 1;
    public static final int PT_DYNAMIC = 2;
    public static final int PT_NOTE = 4;
    public static final int PF_X = 1;
    public static final int PF_W = 2;
    public static final int PF_R = 4;

    public boolean isLoad() {
        return type == PT_LOAD;
    }

    public boolean isExecutable() {
        return (flags & PF_X) != 0;
    }

    /** True when {@code vaddr} lies in the part of this segment backed by file bytes. */
    public boolean containsInFile(long vaddr) {
        return Long.compareUnsigned(vaddr, virtualAddress) >= 0
                && Long.compareUnsigned(vaddr - virtualAddress, fileSize) < 0;
    }
}
