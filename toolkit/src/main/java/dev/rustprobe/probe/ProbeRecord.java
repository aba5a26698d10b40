// One ring-buffer record copied out of the buffer, read back through its RecordLayout: the header fields, and the
// registers and memory it holds as a Capture for the decoder.
package dev.rustprobe.probe;

import dev.rustprobe.abi.Capture;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.OptionalLong;

public final class ProbeRecord implements Capture {
    private final ByteBuffer bytes;
    private final RecordLayout layout;
    private long loadBias;

    /** bytes: a copy of the record (little-endian); layout: the layout of the program that wrote it (null for an unwind). */
    public ProbeRecord(byte[] bytes, RecordLayout layout) {
        this.bytes = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        this.layout = layout;
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
        return (int) (bytes.getLong(RecordLayout.PID_TGID) >>> 32);
    }

    public int tid() {
        return (int) bytes.getLong(RecordLayout.PID_TGID);
    }

    public long ktime() {
        return bytes.getLong(RecordLayout.KTIME);
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
        OptionalLong rip = register("rip");
        return rip.isPresent() ? rip.getAsLong() - probedAddress : 0;
    }

    public void setLoadBias(long bias) {
        this.loadBias = bias;
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
        Integer at = REGISTER_OFFSETS.get(name);
        return at == null ? OptionalLong.empty() : OptionalLong.of(bytes.getLong(at));
    }

    /** Register name -> offset in the record, for every register the record holds (looked up once per value). */
    private static final java.util.Map<String, Integer> REGISTER_OFFSETS = registerOffsets();

    private static java.util.Map<String, Integer> registerOffsets() {
        java.util.Map<String, Integer> m = new java.util.HashMap<>();
        for (dev.rustprobe.bpf.PtRegs r : dev.rustprobe.bpf.PtRegs.values()) {
            if (r.offset() < RecordLayout.REGS_SIZE) {
                String lower = r.name().toLowerCase(java.util.Locale.ROOT);
                m.put(lower, RecordLayout.register(r));
                m.put(r.name(), RecordLayout.register(r));
            }
        }
        return java.util.Map.copyOf(m);
    }

    /** Read i's address (what the program computed) and how many bytes it read (0: the read failed). */
    public long readAddress(int i) {
        return bytes.getLong(layout.readOffset(i) + RecordLayout.READ_ADDRESS);
    }

    public int readCount(int i) {
        return Math.min(bytes.getInt(layout.readOffset(i) + RecordLayout.READ_COUNT), layout.readMax(i));
    }

    public byte[] readBytes(int i) {
        int at = layout.readOffset(i) + RecordLayout.READ_DATA;
        return Arrays.copyOfRange(bytes.array(), at, at + readCount(i));
    }

    /**
     * The bytes at [address, address+length) from the read that holds the longest run of them starting at address;
     * a shorter array when the read ended early (clamped), null when no read covered address.
     */
    @Override
    public byte[] memory(long address, int length) {
        if (layout == null || length < 0) {
            return null;
        }
        int best = -1;
        int bestLen = -1;
        for (int i = 0; i < layout.reads(); i++) {
            int n = readCount(i);
            long start = readAddress(i);
            long skip = address - start;
            if (skip >= 0 && skip < n) {
                int have = (int) Math.min(length, n - skip);
                if (have > bestLen) {
                    best = i;
                    bestLen = have;
                }
            }
        }
        if (best < 0) {
            return null;
        }
        int at = layout.readOffset(best) + RecordLayout.READ_DATA + (int) (address - readAddress(best));
        return Arrays.copyOfRange(bytes.array(), at, at + bestLen);
    }
}
