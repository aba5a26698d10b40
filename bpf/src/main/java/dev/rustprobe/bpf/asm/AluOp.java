// Arithmetic operations (bits 4-7 of an ALU/ALU64 opcode) and how llvm-objdump spells them.
package dev.rustprobe.bpf.asm;

public enum AluOp {
    ADD(0x00, "+="),
    SUB(0x10, "-="),
    MUL(0x20, "*="),
    DIV(0x30, "/="),
    OR(0x40, "|="),
    AND(0x50, "&="),
    LSH(0x60, "<<="),
    RSH(0x70, ">>="),
    NEG(0x80, "= -"),
    MOD(0x90, "%="),
    XOR(0xa0, "^="),
    MOV(0xb0, "="),
    ARSH(0xc0, "s>>=");

    final int code;
    final String symbol;

    AluOp(int code, String symbol) {
        this.code = code;
        this.symbol = symbol;
    }

    static AluOp ofCode(int code) {
        for (AluOp op : values()) {
            if (op.code == (code & 0xf0)) {
                return op;
            }
        }
        return null;
    }
}
