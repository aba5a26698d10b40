// The byte layout of one ring-buffer record that a probe program writes for a FetchPlan: a fixed header, the
// pt_regs words, then per read its address, the byte count actually read and a data area of the read's maximum.
package dev.rustprobe.probe;

import dev.rustprobe.bpf.PtRegs;

import java.util.List;

public final class RecordLayout {
    /** u32: what the record is (TYPE_*). */
    public static final int TYPE = 0;
    /** u32: the site id the probe was attached with (its cookie). */
    public static final int SITE = 4;
    /** u64: bpf_get_current_pid_tgid(): tgid in the upper half, tid in the lower. */
    public static final int PID_TGID = 8;
    /** u64: bpf_ktime_get_ns() (CLOCK_MONOTONIC) when the probe fired. */
    public static final int KTIME = 16;
    /** u64: for a return or unwind, the ktime of the paired entry (0 when none was paired). */
    public static final int ENTRY_KTIME = 24;
    /** u32: for a return or unwind, the site id of the paired entry. */
    public static final int ENTRY_SITE = 32;
    /** u32: FLAG_* bits. */
    public static final int FLAGS = 36;
    /** The pt_regs words the plan keeps, in pt_regs order, 8 bytes each (registerOffset says where each is). */
    public static final int REGS = 40;
    /** The general-purpose part of pt_regs: 21 words, r15 (offset 0) to ss (offset 160). */
    public static final int REGS_SIZE = 21 * 8;
    /** An unwind record is the header only, without registers. */
    public static final int UNWIND_SIZE = REGS;
    /** So is an inline return: SITE and ENTRY_SITE name the inlined call's entry site, which has no return site. */
    public static final int INLINE_RETURN_SIZE = REGS;

    public static final int TYPE_CALL = 0;
    public static final int TYPE_RETURN = 1;
    public static final int TYPE_UNWIND = 2;
    /** An inlined copy was left (ProbeProgram.Role.INLINE_EXIT): its call's frame was popped. */
    public static final int TYPE_INLINE_RETURN = 3;

    /** A call's frame was pushed on the thread's call stack: a return will pair with it. */
    public static final int FLAG_PUSHED = 1;
    /** A return found its call's frame: ENTRY_KTIME and ENTRY_SITE are valid. */
    public static final int FLAG_MATCHED = 2;
    /** The thread's call stack was full, so this call's frame was not pushed. */
    public static final int FLAG_STACK_FULL = 4;
    /**
     * On an unwind record: the frame was an inlined call's, found dead at a call or return, not at a catch point.
     * Its copy was left by a way no exit probe saw; it is no panic's doing as far as rustprobe can tell.
     */
    public static final int FLAG_EXIT_UNSEEN = 8;
    /** With FLAG_EXIT_UNSEEN: found dead because the same copy was entered again at the same rsp. */
    public static final int FLAG_REENTERED = 16;

    /**
     * Per read: u64 address @0, u32 bytes read @8 (0 when the read failed), u32 READ_* flags @12, data from @16.
     * A read with READ_FROM_FILE set was not made: its bytes are in the binary's read-only segments, and user space
     * fills them in from the file (ReadOnlyImage.fill) before anything decodes the record.
     */
    public static final int READ_ADDRESS = 0;
    public static final int READ_COUNT = 8;
    public static final int READ_FLAGS = 12;
    public static final int READ_DATA = 16;
    public static final int READ_FROM_FILE = 1;

    private final long registers;
    private final boolean[] leaf;
    private final int[] readOffsets;
    private final int[] readMax;
    private final int size;

    public RecordLayout(FetchPlan plan) {
        List<FetchPlan.Read> reads = plan.reads();
        readOffsets = new int[reads.size()];
        readMax = new int[reads.size()];
        registers = plan.registers();
        leaf = new boolean[reads.size()];
        java.util.Arrays.fill(leaf, true);
        for (FetchPlan.Read r : reads) {
            markSource(r.base());
            markSource(r.lengthFrom());
        }
        int at = REGS + 8 * Long.bitCount(registers);
        for (int i = 0; i < reads.size(); i++) {
            readOffsets[i] = at;
            readMax[i] = reads.get(i).maxBytes();
            at += READ_DATA + ((readMax[i] + 7) & ~7);
        }
        size = at;
    }

    public int size() {
        return size;
    }

    public int reads() {
        return readOffsets.length;
    }

    /** Where read i's header starts in the record. */
    public int readOffset(int i) {
        return readOffsets[i];
    }

    public int readMax(int i) {
        return readMax[i];
    }

    private void markSource(FetchPlan.Word w) {
        if (w instanceof FetchPlan.Word.FromRead f && f.read() >= 0 && f.read() < leaf.length) {
            leaf[f.read()] = false;
        }
    }

    /**
     * True when no later read takes its address or length from read i's bytes: only such a read may be left to
     * user space to fill from the file, since the probe never sees its bytes.
     */
    public boolean fileEligible(int i) {
        return leaf[i];
    }

    /** True when some read may be filled from the file. */
    public boolean anyFileEligible() {
        for (boolean b : leaf) {
            if (b) {
                return true;
            }
        }
        return false;
    }

    /** True when read i of this record (positioned at its start) was left to be filled from the file. */
    public boolean fromFile(java.nio.ByteBuffer record, int i) {
        return leaf[i] && (record.getInt(record.position() + readOffsets[i] + READ_FLAGS) & READ_FROM_FILE) != 0;
    }

    /** The pt_regs slots this layout keeps (FetchPlan.registers). */
    public long registers() {
        return registers;
    }

    /**
     * Where register r's 8 bytes are in a record of this layout, or -1 when the record does not hold it. Readers of
     * records ask this, never REGS + offset themselves: which registers a record holds is the layout's business.
     */
    public int registerOffset(PtRegs r) {
        int slot = r.offset() / 8;
        if (r.offset() + 8 > REGS_SIZE || (registers & (1L << slot)) == 0) {
            return -1;
        }
        return REGS + 8 * Long.bitCount(registers & ((1L << slot) - 1));
    }
}
