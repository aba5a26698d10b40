// One 8-byte eBPF instruction slot: opcode, destination and source registers, signed 16-bit offset and
// signed 32-bit immediate. A 64-bit immediate load occupies two consecutive slots.
package dev.rustprobe.bpf.asm;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

public record Insn(int code, int dst, int src, short off, int imm) {

    public Insn {
        if (code < 0 || code > 0xff || dst < 0 || dst > 0xf || src < 0 || src > 0xf) {
            throw new IllegalArgumentException("malformed instruction fields");
        }
    }

    /** Little-endian encoding as the kernel reads struct bpf_insn: code, dst (low nibble) | src (high nibble), off, imm. */
    public void writeTo(ByteBuffer out) {
        out.order(ByteOrder.LITTLE_ENDIAN);
        out.put((byte) code);
        out.put((byte) ((src << 4) | dst));
        out.putShort(off);
        out.putInt(imm);
    }

    public byte[] bytes() {
        ByteBuffer b = ByteBuffer.allocate(8);
        writeTo(b);
        return b.array();
    }

    public static Insn read(ByteBuffer in) {
        in.order(ByteOrder.LITTLE_ENDIAN);
        int code = in.get() & 0xff;
        int regs = in.get() & 0xff;
        short off = in.getShort();
        int imm = in.getInt();
        return new Insn(code, regs & 0xf, regs >>> 4, off, imm);
    }

    /** True for the first slot of a two-slot 64-bit immediate load (LD | DW | IMM). */
    public boolean isWide() {
        return code == (Op.LD | Size.DW.code | Op.IMM);
    }
}
