// One ring-buffer record read back through its RecordLayout: the header fields, and the registers and memory it
// holds as a Capture for the decoder. It reads the bytes it was given in place (a copy, or the ring buffer's own
// memory, which is valid only while the ring's handler runs).
package dev.rustprobe.probe;

import dev.rustprobe.abi.Capture;
import dev.rustprobe.bpf.PtRegs;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.OptionalLong;

public final class ProbeRecord implements Capture {
    private final ByteBuffer bytes;
    private final RecordLayout layout;
    /** Header fields read once: the session asks for them several times per record. */
    private final long pidTgid;
    private final long ktime;
    private long loadBias;
    /** Per read, the file's bytes of a READ_FROM_FILE read (empty when the file could not serve it); else null. */
    private byte[][] fileData;

    /** bytes: a copy of the record (little-endian); layout: the layout of the program that wrote it (null for an unwind). */
    public ProbeRecord(byte[] bytes, RecordLayout layout) {
        this(ByteBuffer.wrap(bytes), layout);
    }

    /** record: the record's bytes from index 0 (not copied: the caller keeps them unchanged while this is used). */
    public ProbeRecord(ByteBuffer record, RecordLayout layout) {
        this.bytes = record.order(ByteOrder.LITTLE_ENDIAN);
        this.layout = layout;
        this.pidTgid = bytes.getLong(RecordLayout.PID_TGID);
        this.ktime = bytes.getLong(RecordLayout.KTIME);
    }

    /** The record's bytes (little-endian, from index 0), as given to the constructor. */
    public ByteBuffer bytes() {
        return bytes;
    }

    /** The layout of the program that wrote it; null for an unwind record. */
    public RecordLayout layout() {
        return layout;
    }

    /** The record type and site of any record, read before its layout is known. */
    public static int type(ByteBuffer record) {
        return record.getInt(RecordLayout.TYPE);
    }

    public static int site(ByteBuffer record) {
        return record.getInt(RecordLayout.SITE);
    }

    public int type() {
        return bytes.getInt(RecordLayout.TYPE);
    }

    public int site() {
        return bytes.getInt(RecordLayout.SITE);
    }

    public int pid() {
        return (int) (pidTgid >>> 32);
    }

    public int tid() {
        return (int) pidTgid;
    }

    public long ktime() {
        return ktime;
    }

    public long entryKtime() {
        return bytes.getLong(RecordLayout.ENTRY_KTIME);
    }

    public int entrySite() {
        return bytes.getInt(RecordLayout.ENTRY_SITE);
    }

    public int flags() {
        return bytes.getInt(RecordLayout.FLAGS);
    }

    public boolean has(int flag) {
        return (flags() & flag) != 0;
    }

    /**
     * Runtime minus link-time address of the traced binary in the recording process: the saved rip minus the
     * probed instruction's link-time address (a uprobe fires with rip at the probed instruction).
     */
    public long biasAt(long probedAddress) {
        int rip = layout == null ? -1 : layout.registerOffset(PtRegs.RIP);
        return rip >= 0 ? bytes.getLong(rip) - probedAddress : 0;
    }

    public void setLoadBias(long bias) {
        this.loadBias = bias;
    }

    /**
     * Takes the bytes of the reads the probe left to user space (READ_FROM_FILE) from the binary's read-only image,
     * at their address minus the load bias (set it first). From then on this record reads as if the probe had
     * copied them; one the image cannot serve reads as failed. False when the record has no such read.
     */
    public boolean takeFileReads(ReadOnlyImage image) {
        boolean any = false;
        for (int i = 0; layout != null && i < layout.reads(); i++) {
            if (layout.fromFile(bytes, i)) {
                if (fileData == null) {
                    fileData = new byte[layout.reads()][];
                }
                int count = bytes.getInt(layout.readOffset(i) + RecordLayout.READ_COUNT);
                byte[] d = count < 0 || count > layout.readMax(i) ? null : image.bytes(readAddress(i) - loadBias, count);
                fileData[i] = d == null ? new byte[0] : d;
                any = true;
            }
        }
        return any;
    }

    /** Read i's bytes when they came from the file (takeFileReads), else null: they are in the record. */
    public byte[] fileData(int i) {
        return fileData == null ? null : fileData[i];
    }

    /** What the decoder uses to match link-time addresses from DWARF (vtables) against the process's memory. */
    public long loadBias() {
        return loadBias;
    }

    @Override
    public OptionalLong register(String name) {
        if (layout == null) {
            return OptionalLong.empty();
        }
        PtRegs r = ptReg(name);
        int at = r == null ? -1 : layout.registerOffset(r);
        return at < 0 ? OptionalLong.empty() : OptionalLong.of(bytes.getLong(at));
    }

    /** Register name ("rdi" or "RDI") -> its pt_regs entry, for every pt_regs register; looked up once per value. */
    private static final java.util.Map<String, PtRegs> REGISTERS = registers();

    private static java.util.Map<String, PtRegs> registers() {
        java.util.Map<String, PtRegs> m = new java.util.HashMap<>();
        for (PtRegs r : PtRegs.values()) {
            m.put(r.name().toLowerCase(java.util.Locale.ROOT), r);
            m.put(r.name(), r);
        }
        return java.util.Map.copyOf(m);
    }

    /** The pt_regs register of an x86_64 register name, or null when there is none. */
    public static PtRegs ptReg(String name) {
        return REGISTERS.get(name);
    }

    /** Read i's address (what the program computed) and how many bytes it read (0: the read failed). */
    public long readAddress(int i) {
        return bytes.getLong(layout.readOffset(i) + RecordLayout.READ_ADDRESS);
    }

    public int readCount(int i) {
        if (fileData != null && fileData[i] != null) {
            return fileData[i].length;
        }
        return Math.min(bytes.getInt(layout.readOffset(i) + RecordLayout.READ_COUNT), layout.readMax(i));
    }

    public byte[] readBytes(int i) {
        if (fileData != null && fileData[i] != null) {
            return fileData[i].clone();
        }
        return copy(layout.readOffset(i) + RecordLayout.READ_DATA, readCount(i));
    }

    private byte[] copy(int at, int n) {
        byte[] out = new byte[n];
        bytes.get(at, out);
        return out;
    }

    /**
     * The bytes at [address, address+length) from the read that holds the longest run of them starting at address;
     * a shorter array when the read ended early (clamped), null when no read covered address.
     */
    @Override
    public byte[] memory(long address, int length) {
        long best = longestRun(address, length);
        if (best < 0) {
            return null;
        }
        int read = (int) (best >>> 32);
        int skip = (int) (address - readAddress(read));
        int n = (int) best;
        if (fileData != null && fileData[read] != null) {
            return java.util.Arrays.copyOfRange(fileData[read], skip, skip + n);
        }
        return copy(layout.readOffset(read) + RecordLayout.READ_DATA + skip, n);
    }

    /**
     * Where the bytes memory(address, length) returns are: their offset in the record in the upper 32 bits, their
     * count in the lower; -1 when no read covered address.
     */
    public long run(long address, int length) {
        long best = longestRun(address, length);
        if (best < 0) {
            return -1;
        }
        int read = (int) (best >>> 32);
        return (long) (layout.readOffset(read) + RecordLayout.READ_DATA + (int) (address - readAddress(read))) << 32
                | (int) best;
    }

    /**
     * The read holding the longest run of [address, address+length) that starts at address: its index in the upper
     * 32 bits, the run's length in the lower; -1 when no read covered address.
     */
    private long longestRun(long address, int length) {
        if (layout == null || length < 0) {
            return -1;
        }
        int best = -1;
        int bestLen = -1;
        for (int i = 0; i < layout.reads(); i++) {
            int n = readCount(i);
            long skip = address - readAddress(i);
            if (skip >= 0 && skip < n) {
                int have = (int) Math.min(length, n - skip);
                if (have > bestLen) {
                    best = i;
                    bestLen = have;
                }
            }
        }
        return best < 0 ? -1 : (long) best << 32 | bestLen;
    }
}
