// A half-open range of code addresses [begin, end).
package dev.rustprobe.dwarf;

public record PcRange(long begin, long end) {
    public boolean contains(long pc) {
        return Long.compareUnsigned(pc, begin) >= 0 && Long.compareUnsigned(pc, end) < 0;
    }

    public long size() {
        return end - begin;
    }

    @Override
    public String toString() {
        return "[0x" + Long.toHexString(begin) + ", 0x" + Long.toHexString(end) + ")";
    }
}
