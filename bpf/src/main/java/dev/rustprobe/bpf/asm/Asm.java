// A fluent eBPF assembler: append instructions, name positions with labels, and build() resolves every
// forward and backward jump to its label. Asm.dump prints a listing in llvm-objdump's syntax.
package dev.rustprobe.bpf.asm;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

public final class Asm {
    private final List<Insn> insns = new ArrayList<>();
    private final Map<String, Integer> labels = new HashMap<>();
    /** Instructions whose offset waits for a label: slot index to label name. */
    private final Map<Integer, String> fixups = new HashMap<>();
    private int uniqueLabels;

    // ---- moves and arithmetic ------------------------------------------------------------------

    public Asm mov64Imm(Reg dst, int imm) {
        return alu64Imm(AluOp.MOV, dst, imm);
    }

    public Asm mov64Reg(Reg dst, Reg src) {
        return alu64Reg(AluOp.MOV, dst, src);
    }

    public Asm mov32Imm(Reg dst, int imm) {
        return alu32Imm(AluOp.MOV, dst, imm);
    }

    public Asm mov32Reg(Reg dst, Reg src) {
        return alu32Reg(AluOp.MOV, dst, src);
    }

    public Asm alu64Imm(AluOp op, Reg dst, int imm) {
        return emit(Op.ALU64 | Op.K | op.code, dst, Reg.R0, 0, imm);
    }

    public Asm alu64Reg(AluOp op, Reg dst, Reg src) {
        return emit(Op.ALU64 | Op.X | op.code, dst, src, 0, 0);
    }

    public Asm alu32Imm(AluOp op, Reg dst, int imm) {
        return emit(Op.ALU | Op.K | op.code, dst, Reg.R0, 0, imm);
    }

    public Asm alu32Reg(AluOp op, Reg dst, Reg src) {
        return emit(Op.ALU | Op.X | op.code, dst, src, 0, 0);
    }

    public Asm add(Reg dst, int imm) {
        return alu64Imm(AluOp.ADD, dst, imm);
    }

    public Asm add(Reg dst, Reg src) {
        return alu64Reg(AluOp.ADD, dst, src);
    }

    public Asm sub(Reg dst, int imm) {
        return alu64Imm(AluOp.SUB, dst, imm);
    }

    public Asm sub(Reg dst, Reg src) {
        return alu64Reg(AluOp.SUB, dst, src);
    }

    public Asm mul(Reg dst, int imm) {
        return alu64Imm(AluOp.MUL, dst, imm);
    }

    public Asm and(Reg dst, int imm) {
        return alu64Imm(AluOp.AND, dst, imm);
    }

    public Asm and(Reg dst, Reg src) {
        return alu64Reg(AluOp.AND, dst, src);
    }

    public Asm or(Reg dst, int imm) {
        return alu64Imm(AluOp.OR, dst, imm);
    }

    public Asm or(Reg dst, Reg src) {
        return alu64Reg(AluOp.OR, dst, src);
    }

    public Asm xor(Reg dst, Reg src) {
        return alu64Reg(AluOp.XOR, dst, src);
    }

    public Asm lsh(Reg dst, int imm) {
        return alu64Imm(AluOp.LSH, dst, imm);
    }

    public Asm rsh(Reg dst, int imm) {
        return alu64Imm(AluOp.RSH, dst, imm);
    }

    public Asm arsh(Reg dst, int imm) {
        return alu64Imm(AluOp.ARSH, dst, imm);
    }

    public Asm neg(Reg dst) {
        return emit(Op.ALU64 | Op.K | AluOp.NEG.code, dst, Reg.R0, 0, 0);
    }

    // ---- 64-bit immediates and map references --------------------------------------------------

    /** dst = imm, a two-slot load of a full 64-bit value. */
    public Asm ld64Imm(Reg dst, long imm) {
        emit(Op.LD | Size.DW.code | Op.IMM, dst, Reg.R0, 0, (int) imm);
        return emitRaw(new Insn(0, 0, 0, (short) 0, (int) (imm >>> 32)));
    }

    /** dst = the map behind fd; the kernel replaces the fd with the map's address when it loads the program. */
    public Asm ldMapFd(Reg dst, int mapFd) {
        emitRaw(new Insn(Op.LD | Size.DW.code | Op.IMM, dst.number(), Op.PSEUDO_MAP_FD, (short) 0, mapFd));
        return emitRaw(new Insn(0, 0, 0, (short) 0, 0));
    }

    // ---- memory ---------------------------------------------------------------------------------

    /** dst = *(size *)(src + off). */
    public Asm ldx(Size size, Reg dst, Reg src, int off) {
        return emit(Op.LDX | Op.MEM | size.code, dst, src, off, 0);
    }

    public Asm ldxdw(Reg dst, Reg src, int off) {
        return ldx(Size.DW, dst, src, off);
    }

    public Asm ldxw(Reg dst, Reg src, int off) {
        return ldx(Size.W, dst, src, off);
    }

    public Asm ldxh(Reg dst, Reg src, int off) {
        return ldx(Size.H, dst, src, off);
    }

    public Asm ldxb(Reg dst, Reg src, int off) {
        return ldx(Size.B, dst, src, off);
    }

    /** *(size *)(dst + off) = src. */
    public Asm stx(Size size, Reg dst, int off, Reg src) {
        return emit(Op.STX | Op.MEM | size.code, dst, src, off, 0);
    }

    public Asm stxdw(Reg dst, int off, Reg src) {
        return stx(Size.DW, dst, off, src);
    }

    public Asm stxw(Reg dst, int off, Reg src) {
        return stx(Size.W, dst, off, src);
    }

    public Asm stxh(Reg dst, int off, Reg src) {
        return stx(Size.H, dst, off, src);
    }

    public Asm stxb(Reg dst, int off, Reg src) {
        return stx(Size.B, dst, off, src);
    }

    /** *(size *)(dst + off) = imm (sign-extended to the width for DW). */
    public Asm stImm(Size size, Reg dst, int off, int imm) {
        return emit(Op.ST | Op.MEM | size.code, dst, Reg.R0, off, imm);
    }

    /** lock *(size *)(dst + off) += src, for W or DW: an atomic add that concurrent programs cannot lose. */
    public Asm atomicAdd(Size size, Reg dst, int off, Reg src) {
        if (size != Size.W && size != Size.DW) {
            throw new IllegalArgumentException("atomic add exists only for 32- and 64-bit words");
        }
        return emit(Op.STX | Op.ATOMIC | size.code, dst, src, off, AluOp.ADD.code);
    }

    // ---- control flow --------------------------------------------------------------------------

    public Asm label(String name) {
        if (labels.putIfAbsent(name, insns.size()) != null) {
            throw new IllegalArgumentException("label '" + name + "' is defined twice");
        }
        return this;
    }

    /** A label name not used before in this program, for code generators that emit the same snippet twice. */
    public String newLabel(String prefix) {
        return prefix + "." + (uniqueLabels++);
    }

    public Asm ja(String label) {
        return jump(Op.JMP | Op.JA, Reg.R0, Reg.R0, 0, label);
    }

    public Asm jmpImm(JmpOp op, Reg dst, int imm, String label) {
        return jump(Op.JMP | Op.K | op.code, dst, Reg.R0, imm, label);
    }

    public Asm jmpReg(JmpOp op, Reg dst, Reg src, String label) {
        return jump(Op.JMP | Op.X | op.code, dst, src, 0, label);
    }

    /** Jumps that compare only the low 32 bits of the registers (the JMP32 class). */
    public Asm jmp32Imm(JmpOp op, Reg dst, int imm, String label) {
        return jump(Op.JMP32 | Op.K | op.code, dst, Reg.R0, imm, label);
    }

    public Asm jmp32Reg(JmpOp op, Reg dst, Reg src, String label) {
        return jump(Op.JMP32 | Op.X | op.code, dst, src, 0, label);
    }

    public Asm jeq(Reg dst, int imm, String label) {
        return jmpImm(JmpOp.JEQ, dst, imm, label);
    }

    public Asm jeq(Reg dst, Reg src, String label) {
        return jmpReg(JmpOp.JEQ, dst, src, label);
    }

    public Asm jne(Reg dst, int imm, String label) {
        return jmpImm(JmpOp.JNE, dst, imm, label);
    }

    public Asm jne(Reg dst, Reg src, String label) {
        return jmpReg(JmpOp.JNE, dst, src, label);
    }

    public Asm jgt(Reg dst, int imm, String label) {
        return jmpImm(JmpOp.JGT, dst, imm, label);
    }

    public Asm jgt(Reg dst, Reg src, String label) {
        return jmpReg(JmpOp.JGT, dst, src, label);
    }

    public Asm jge(Reg dst, int imm, String label) {
        return jmpImm(JmpOp.JGE, dst, imm, label);
    }

    public Asm jge(Reg dst, Reg src, String label) {
        return jmpReg(JmpOp.JGE, dst, src, label);
    }

    public Asm jlt(Reg dst, int imm, String label) {
        return jmpImm(JmpOp.JLT, dst, imm, label);
    }

    public Asm jlt(Reg dst, Reg src, String label) {
        return jmpReg(JmpOp.JLT, dst, src, label);
    }

    public Asm jle(Reg dst, int imm, String label) {
        return jmpImm(JmpOp.JLE, dst, imm, label);
    }

    public Asm jle(Reg dst, Reg src, String label) {
        return jmpReg(JmpOp.JLE, dst, src, label);
    }

    public Asm jsgt(Reg dst, int imm, String label) {
        return jmpImm(JmpOp.JSGT, dst, imm, label);
    }

    public Asm jsge(Reg dst, int imm, String label) {
        return jmpImm(JmpOp.JSGE, dst, imm, label);
    }

    public Asm jslt(Reg dst, int imm, String label) {
        return jmpImm(JmpOp.JSLT, dst, imm, label);
    }

    public Asm jsle(Reg dst, int imm, String label) {
        return jmpImm(JmpOp.JSLE, dst, imm, label);
    }

    public Asm jset(Reg dst, int imm, String label) {
        return jmpImm(JmpOp.JSET, dst, imm, label);
    }

    public Asm call(Helper helper) {
        return emit(Op.JMP | Op.CALL, Reg.R0, Reg.R0, 0, helper.id());
    }

    public Asm exit() {
        return emit(Op.JMP | Op.EXIT, Reg.R0, Reg.R0, 0, 0);
    }

    // ---- building --------------------------------------------------------------------------------

    /** Number of instruction slots so far (a 64-bit immediate counts two). */
    public int size() {
        return insns.size();
    }

    /** The program with every label resolved; fails on a label that is missing or out of jump range. */
    public List<Insn> build() {
        List<Insn> out = new ArrayList<>(insns);
        for (Map.Entry<Integer, String> f : fixups.entrySet()) {
            Integer target = labels.get(f.getValue());
            if (target == null) {
                throw new IllegalStateException("jump to undefined label '" + f.getValue() + "'");
            }
            int at = f.getKey();
            int delta = target - (at + 1);
            if (delta < Short.MIN_VALUE || delta > Short.MAX_VALUE) {
                throw new IllegalStateException("jump to '" + f.getValue() + "' is out of range (" + delta + ")");
            }
            Insn i = out.get(at);
            out.set(at, new Insn(i.code(), i.dst(), i.src(), (short) delta, i.imm()));
        }
        return List.copyOf(out);
    }

    public static byte[] encode(List<Insn> program) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(program.size() * 8);
        for (Insn i : program) {
            i.writeTo(b);
        }
        return b.array();
    }

    public static List<Insn> decode(byte[] bytes) {
        if (bytes.length % 8 != 0) {
            throw new IllegalArgumentException("eBPF code is a multiple of 8 bytes, not " + bytes.length);
        }
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(bytes);
        List<Insn> out = new ArrayList<>();
        while (b.hasRemaining()) {
            out.add(Insn.read(b));
        }
        return out;
    }

    /** An objdump-like listing: slot number, the eight bytes, and the instruction in llvm-objdump syntax. */
    public static String dump(List<Insn> program) {
        StringBuilder sb = new StringBuilder();
        for (int at = 0; at < program.size(); at++) {
            Insn i = program.get(at);
            boolean wide = i.isWide() && at + 1 < program.size();
            String text = wide ? Disassembler.wide(i, program.get(at + 1)) : Disassembler.text(i);
            sb.append(String.format("%5d: %s %s%n", at, hex(i), text));
            if (wide) {
                at++;
                sb.append(String.format("%5d: %s%n", at, hex(program.get(at)).stripTrailing()));
            }
        }
        return sb.toString();
    }

    private static String hex(Insn i) {
        StringBuilder hex = new StringBuilder();
        for (byte x : i.bytes()) {
            hex.append(String.format("%02x ", x & 0xff));
        }
        return hex.toString();
    }

    private Asm jump(int code, Reg dst, Reg src, int imm, String label) {
        fixups.put(insns.size(), label);
        return emit(code, dst, src, 0, imm);
    }

    private Asm emit(int code, Reg dst, Reg src, int off, int imm) {
        if (off < Short.MIN_VALUE || off > Short.MAX_VALUE) {
            throw new IllegalArgumentException("offset " + off + " does not fit in 16 bits");
        }
        return emitRaw(new Insn(code, dst.number(), src.number(), (short) off, imm));
    }

    private Asm emitRaw(Insn insn) {
        insns.add(insn);
        return this;
    }
}
