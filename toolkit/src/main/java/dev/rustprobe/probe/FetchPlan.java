// What a probe must read at one site, in order, so that the decoder later finds every byte it asks for in the
// capture. The BPF side executes it; tests execute it against gdb captures. Registers are recorded whole, but only
// those the site's values can ask for.
package dev.rustprobe.probe;

import java.util.List;

/**
 * @param reads     memory reads in execution order; a read may take its address or length from an earlier read
 * @param registers the pt_regs words the record keeps, a bit per 8-byte slot (bit k: pt_regs offset 8k); ALL
 *                  keeps every general-purpose register
 */
public record FetchPlan(List<Read> reads, long registers) {
    /** Every general-purpose pt_regs word (21 slots, r15 to ss). */
    public static final long ALL = (1L << 21) - 1;

    public FetchPlan {
        reads = List.copyOf(reads);
        if ((registers & ~ALL) != 0) {
            throw new IllegalArgumentException("pt_regs has 21 general-purpose slots, not mask 0x"
                    + Long.toHexString(registers));
        }
    }

    /** A plan that records every register. */
    public FetchPlan(List<Read> reads) {
        this(reads, ALL);
    }

    /** The most bytes all reads together can produce: what a record must have room for. */
    public int totalMaxBytes() {
        int n = 0;
        for (Read r : reads) {
            n += r.maxBytes();
        }
        return n;
    }

    /** Where an 8-byte word comes from: a register, or bytes [offset, offset+8) of an earlier read's result. */
    public sealed interface Word {
        record Register(String name) implements Word {}

        record FromRead(int read, int offset) implements Word {}
    }

    /**
     * Read bytes at (base + offset). Length: fixedLength when lengthFrom is null; otherwise
     * min(word(lengthFrom) * elementSize, maxLength) with the count unsigned (a garbage count reads maxLength), so
     * strings and slices are clamped to --max-bytes; FetchPlanner makes maxLength a multiple of elementSize.
     * A failed read (null pointer, unmapped page) records nothing and does not stop the others.
     */
    public record Read(Word base, long offset, int fixedLength, Word lengthFrom, int elementSize, int maxLength) {
        public static Read fixed(Word base, long offset, int length) {
            return new Read(base, offset, length, null, 1, length);
        }

        public static Read counted(Word base, long offset, Word count, int elementSize, int maxLength) {
            return new Read(base, offset, 0, count, elementSize, maxLength);
        }

        /** The most bytes this read can produce. */
        public int maxBytes() {
            return lengthFrom == null ? fixedLength : maxLength;
        }
    }
}
