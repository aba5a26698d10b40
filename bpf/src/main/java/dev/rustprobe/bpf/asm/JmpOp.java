// Conditional jump operations (bits 4-7 of a JMP/JMP32 opcode) and how llvm-objdump spells them.
package dev.rustprobe.bpf.asm;

public enum JmpOp {
    JEQ(0x10, "=="),
    JGT(0x20, ">"),
    JGE(0x30, ">="),
    JSET(0x40, "&"),
    JNE(0x50, "!="),
    JSGT(0x60, "s>"),
    JSGE(0x70, "s>="),
    JLT(0xa0, "<"),
    JLE(0xb0, "<="),
    JSLT(0xc0, "s<"),
    JSLE(0xd0, "s<=");

    final int code;
    final String symbol;

    JmpOp(int code, String symbol) {
        this.code = code;
        this.symbol = symbol;
    }

    static JmpOp ofCode(int code) {
        for (JmpOp op : values()) {
            if (op.code == (code & 0xf0)) {
                return op;
            }
        }
        return null;
    }
}
