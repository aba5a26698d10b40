// A zeroed native buffer for union bpf_attr (or another kernel struct) written at explicit byte offsets.
// Every offset used by callers is quoted from the kernel UAPI header linux/bpf.h next to the call.
package dev.rustprobe.bpf;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;

final class Attr {
    /** Larger than union bpf_attr on any kernel we target; the kernel requires the unused tail to be zero. */
    static final int BPF_ATTR_SIZE = 160;

    final Memory mem;

    Attr(int size) {
        mem = new Memory(size);
        mem.clear();
    }

    static Attr bpf() {
        return new Attr(BPF_ATTR_SIZE);
    }

    Attr u32(int offset, int value) {
        mem.setInt(offset, value);
        return this;
    }

    Attr u64(int offset, long value) {
        mem.setLong(offset, value);
        return this;
    }

    Attr ptr(int offset, Pointer p) {
        mem.setLong(offset, p == null ? 0 : Pointer.nativeValue(p));
        return this;
    }

    /** A fixed-size NUL-padded name field (BPF_OBJ_NAME_LEN = 16, so at most 15 characters). */
    Attr name(int offset, String name) {
        byte[] b = name.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        mem.write(offset, b, 0, Math.min(b.length, 15));
        return this;
    }

    int u32(int offset) {
        return mem.getInt(offset);
    }

    long u64(int offset) {
        return mem.getLong(offset);
    }

    static Memory cString(String s) {
        byte[] b = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        Memory m = new Memory(b.length + 1L);
        m.write(0, b, 0, b.length);
        m.setByte(b.length, (byte) 0);
        return m;
    }
}
