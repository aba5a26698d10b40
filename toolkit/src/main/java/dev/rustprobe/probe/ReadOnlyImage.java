// The binary's read-only loaded bytes (its PT_LOAD segments without PF_W: .rodata, .text): a probe that finds a
// pointer into them records only the address and user space takes the bytes from the file, since a
// bpf_probe_read_user costs about 90 ns a call here (a third of what recording a call costs at an emulated entry)
// and string literals, the commonest &str arguments, live there.
package dev.rustprobe.probe;

import dev.rustprobe.elf.ElfFile;
import dev.rustprobe.elf.Segment;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

public final class ReadOnlyImage {
    /** The most ranges a probe program tests a pointer against (the segments of one binary, adjacent ones merged). */
    public static final int MAX_RANGES = 4;

    /** Nothing taken from a file: every read is made in the probe. */
    public static final ReadOnlyImage NONE = new ReadOnlyImage(null, List.of());

    /**
     * The troubleshooting switch: RUSTPROBE_FILE_READS=off (or system property rustprobe.fileReads=off) makes the
     * probes copy every read, read-only bytes included (to compare, or for a program that rewrites its own
     * read-only pages).
     */
    public static final String ENV = "RUSTPROBE_FILE_READS";

    public static boolean enabled() {
        String v = System.getProperty("rustprobe.fileReads", System.getenv(ENV));
        return v == null || !v.trim().equalsIgnoreCase("off");
    }

    /** [vaddr, vaddr + size): file-backed bytes of a read-only segment, at the binary's link-time addresses. */
    public record Range(long vaddr, long size, long fileOffset) {}

    private final ByteBuffer file;
    private final List<Range> ranges;

    private ReadOnlyImage(ByteBuffer file, List<Range> ranges) {
        this.file = file;
        this.ranges = List.copyOf(ranges);
    }

    /**
     * The read-only segments of elf, by their file-backed part (a segment's memory past its file size is zero-filled
     * and may be anything). NONE when there are none or more than MAX_RANGES after merging neighbours.
     */
    public static ReadOnlyImage of(ElfFile elf) {
        List<Segment> ro = new ArrayList<>();
        for (Segment s : elf.segments()) {
            if (s.isLoad() && (s.flags() & Segment.PF_W) == 0 && s.fileSize() > 0
                    && s.offset() >= 0 && s.offset() + s.fileSize() <= elf.fileSize()) {
                ro.add(s);
            }
        }
        ro.sort(Comparator.comparingLong(Segment::virtualAddress));
        List<Range> ranges = new ArrayList<>();
        for (Segment s : ro) {
            Range last = ranges.isEmpty() ? null : ranges.get(ranges.size() - 1);
            // one range when the next segment continues both the addresses and the file bytes of the last
            if (last != null && last.vaddr() + last.size() == s.virtualAddress()
                    && last.fileOffset() + last.size() == s.offset()) {
                ranges.set(ranges.size() - 1, new Range(last.vaddr(), last.size() + s.fileSize(), last.fileOffset()));
            } else {
                ranges.add(new Range(s.virtualAddress(), s.fileSize(), s.offset()));
            }
        }
        if (ranges.isEmpty() || ranges.size() > MAX_RANGES) {
            return NONE;
        }
        return new ReadOnlyImage(elf.contents(), ranges);
    }

    public List<Range> ranges() {
        return ranges;
    }

    public boolean isEmpty() {
        return ranges.isEmpty();
    }

    /** The lowest address of all ranges: a probe site's offset from it travels in the upper half of its cookie. */
    public long base() {
        return ranges.isEmpty() ? 0 : ranges.get(0).vaddr();
    }

    /** The file's bytes of [vaddr, vaddr + length), or null unless they lie in one range. */
    public byte[] bytes(long vaddr, int length) {
        for (int i = 0; i < ranges.size(); i++) {
            Range r = ranges.get(i);
            long off = vaddr - r.vaddr();
            if (off >= 0 && length >= 0 && off + length <= r.size()) {
                byte[] out = new byte[length];
                file.get((int) (r.fileOffset() + off), out);
                return out;
            }
        }
        return null;
    }
}
