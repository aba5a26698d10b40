// Turns one instruction back into text, spelled the way llvm-objdump prints BPF, so a dump of our code can be
// compared with llvm's reading of the same bytes.
package dev.rustprobe.bpf.asm;

final class Disassembler {
    private Disassembler() {
    }

    static String wide(Insn lo, Insn hi) {
        long value = (lo.imm() & 0xffffffffL) | ((long) hi.imm() << 32);
        if (lo.src() == Op.PSEUDO_MAP_FD) {
            return "r" + lo.dst() + " = map_fd(" + lo.imm() + ") ll";
        }
        return "r" + lo.dst() + " = " + value + " ll";
    }

    static String text(Insn i) {
        int code = i.code();
        int cls = Op.classOf(code);
        String dst = "r" + i.dst();
        String src = "r" + i.src();
        switch (cls) {
            case Op.ALU64, Op.ALU -> {
                String d = cls == Op.ALU ? "w" + i.dst() : dst;
                String s = cls == Op.ALU ? "w" + i.src() : src;
                if ((code & 0xf0) == 0xd0) {
                    String kind = (code & Op.X) != 0 ? "be" : "le";
                    return d + " = " + kind + i.imm() + " " + d;
                }
                AluOp op = AluOp.ofCode(code);
                if (op == null) {
                    return unknown(i);
                }
                if (op == AluOp.NEG) {
                    return d + " = -" + d;
                }
                String operand = (code & Op.X) != 0 ? s : Integer.toString(i.imm());
                return d + " " + op.symbol + " " + operand;
            }
            case Op.LDX -> {
                if ((code & 0xe0) != Op.MEM) {
                    return unknown(i);
                }
                return dst + " = *(" + size(code).cType + " *)(" + src + offset(i.off()) + ")";
            }
            case Op.STX -> {
                if ((code & 0xe0) == Op.MEM) {
                    return "*(" + size(code).cType + " *)(" + dst + offset(i.off()) + ") = " + src;
                }
                if ((code & 0xe0) == Op.ATOMIC && i.imm() == AluOp.ADD.code) {
                    return "lock *(" + size(code).cType + " *)(" + dst + offset(i.off()) + ") += " + src;
                }
                return unknown(i);
            }
            case Op.ST -> {
                if ((code & 0xe0) != Op.MEM) {
                    return unknown(i);
                }
                return "*(" + size(code).cType + " *)(" + dst + offset(i.off()) + ") = " + i.imm();
            }
            case Op.JMP, Op.JMP32 -> {
                int op = code & 0xf0;
                if (cls == Op.JMP && op == Op.JA) {
                    return "goto " + jumpOffset(i.off());
                }
                if (cls == Op.JMP && op == Op.CALL) {
                    return "call " + i.imm();
                }
                if (cls == Op.JMP && op == Op.EXIT) {
                    return "exit";
                }
                JmpOp j = JmpOp.ofCode(code);
                if (j == null) {
                    return unknown(i);
                }
                String d = cls == Op.JMP32 ? "w" + i.dst() : dst;
                String s = cls == Op.JMP32 ? "w" + i.src() : src;
                String operand = (code & Op.X) != 0 ? s : Integer.toString(i.imm());
                return "if " + d + " " + j.symbol + " " + operand + " goto " + jumpOffset(i.off());
            }
            default -> {
                return unknown(i);
            }
        }
    }

    private static Size size(int code) {
        for (Size s : Size.values()) {
            if (s.code == (code & 0x18)) {
                return s;
            }
        }
        throw new AssertionError();
    }

    private static String offset(short off) {
        return off < 0 ? " - " + (-off) : " + " + off;
    }

    private static String jumpOffset(short off) {
        return off < 0 ? Integer.toString(off) : "+" + off;
    }

    private static String unknown(Insn i) {
        return String.format("<unknown opcode 0x%02x>", i.code());
    }
}
