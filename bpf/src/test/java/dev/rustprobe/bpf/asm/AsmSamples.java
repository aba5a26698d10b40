// One instance of every instruction form the assembler emits, each with the text the BPF ISA (RFC 9669) says it
// means, written in llvm-objdump's syntax. main() writes the encoded program for regen-llvm-listing.sh.
package dev.rustprobe.bpf.asm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

public final class AsmSamples {
    private AsmSamples() {
    }

    /**
     * An instruction (one or two slots), its expected disassembly, and for the forms llvm-objdump 14 cannot
     * decode (it prints "<unknown>"), the bytes worked out by hand from the RFC 9669 opcode tables.
     */
    public record Sample(String expected, Consumer<Asm> emit, String specBytes) {
        Sample(String expected, Consumer<Asm> emit) {
            this(expected, emit, null);
        }
    }

    public static List<Sample> samples() {
        List<Sample> s = new ArrayList<>();
        s.add(new Sample("r1 = 42", a -> a.mov64Imm(Reg.R1, 42)));
        s.add(new Sample("r2 = -1", a -> a.mov64Imm(Reg.R2, -1)));
        s.add(new Sample("r6 = r1", a -> a.mov64Reg(Reg.R6, Reg.R1)));
        s.add(new Sample("w3 = 7", a -> a.mov32Imm(Reg.R3, 7)));
        s.add(new Sample("w4 = w5", a -> a.mov32Reg(Reg.R4, Reg.R5)));
        s.add(new Sample("r2 += -8", a -> a.add(Reg.R2, -8)));
        s.add(new Sample("r2 += r3", a -> a.add(Reg.R2, Reg.R3)));
        s.add(new Sample("r4 -= 16", a -> a.sub(Reg.R4, 16)));
        s.add(new Sample("r4 -= r9", a -> a.sub(Reg.R4, Reg.R9)));
        s.add(new Sample("r1 *= 3", a -> a.mul(Reg.R1, 3)));
        s.add(new Sample("r1 /= 10", a -> a.alu64Imm(AluOp.DIV, Reg.R1, 10)));
        // MOD 0x90 | K 0x00 | ALU64 0x07 = 0x97, dst r1, imm 3.
        s.add(new Sample("r1 %= 3", a -> a.alu64Imm(AluOp.MOD, Reg.R1, 3), "97 01 00 00 03 00 00 00"));
        s.add(new Sample("r5 &= 255", a -> a.and(Reg.R5, 255)));
        s.add(new Sample("r5 &= r6", a -> a.and(Reg.R5, Reg.R6)));
        s.add(new Sample("r7 |= 1", a -> a.or(Reg.R7, 1)));
        s.add(new Sample("r7 |= r8", a -> a.or(Reg.R7, Reg.R8)));
        s.add(new Sample("r1 ^= r2", a -> a.xor(Reg.R1, Reg.R2)));
        s.add(new Sample("r1 ^= 24", a -> a.alu64Imm(AluOp.XOR, Reg.R1, 24)));
        s.add(new Sample("r8 <<= 32", a -> a.lsh(Reg.R8, 32)));
        s.add(new Sample("r8 >>= 32", a -> a.rsh(Reg.R8, 32)));
        s.add(new Sample("r8 s>>= 63", a -> a.arsh(Reg.R8, 63)));
        s.add(new Sample("r9 = -r9", a -> a.neg(Reg.R9)));
        s.add(new Sample("w1 += 1", a -> a.alu32Imm(AluOp.ADD, Reg.R1, 1)));
        s.add(new Sample("w1 += w2", a -> a.alu32Reg(AluOp.ADD, Reg.R1, Reg.R2)));
        s.add(new Sample("r1 = 1234605616436508552 ll", a -> a.ld64Imm(Reg.R1, 0x1122334455667788L)));
        s.add(new Sample("r2 = -1 ll", a -> a.ld64Imm(Reg.R2, -1L)));
        s.add(new Sample("r0 = *(u64 *)(r1 + 112)", a -> a.ldxdw(Reg.R0, Reg.R1, 112)));
        s.add(new Sample("r0 = *(u32 *)(r10 - 4)", a -> a.ldxw(Reg.R0, Reg.R10, -4)));
        s.add(new Sample("r3 = *(u16 *)(r2 + 2)", a -> a.ldxh(Reg.R3, Reg.R2, 2)));
        s.add(new Sample("r3 = *(u8 *)(r2 + 0)", a -> a.ldxb(Reg.R3, Reg.R2, 0)));
        s.add(new Sample("*(u64 *)(r10 - 8) = r1", a -> a.stxdw(Reg.R10, -8, Reg.R1)));
        s.add(new Sample("*(u32 *)(r10 - 4) = r0", a -> a.stxw(Reg.R10, -4, Reg.R0)));
        s.add(new Sample("*(u16 *)(r8 + 6) = r2", a -> a.stxh(Reg.R8, 6, Reg.R2)));
        s.add(new Sample("*(u8 *)(r8 + 1) = r2", a -> a.stxb(Reg.R8, 1, Reg.R2)));
        // MEM 0x60 | W 0x00 | ST 0x02 = 0x62, dst r10, off -4 = 0xfffc; and with DW 0x18: 0x7a, off -16 = 0xfff0.
        s.add(new Sample("*(u32 *)(r10 - 4) = 0", a -> a.stImm(Size.W, Reg.R10, -4, 0), "62 0a fc ff 00 00 00 00"));
        s.add(new Sample("*(u64 *)(r10 - 16) = 5", a -> a.stImm(Size.DW, Reg.R10, -16, 5),
                "7a 0a f0 ff 05 00 00 00"));
        s.add(new Sample("lock *(u64 *)(r0 + 0) += r1", a -> a.atomicAdd(Size.DW, Reg.R0, 0, Reg.R1)));
        s.add(new Sample("lock *(u32 *)(r0 + 8) += r1", a -> a.atomicAdd(Size.W, Reg.R0, 8, Reg.R1)));
        s.add(new Sample("call 131", a -> a.call(Helper.RINGBUF_RESERVE)));
        s.add(new Sample("call 174", a -> a.call(Helper.GET_ATTACH_COOKIE)));
        // Jumps: each sample jumps to a label right after itself plus one filler, so the offset is +1.
        s.add(jump("goto +1", (a, l) -> a.ja(l)));
        s.add(jump("if r0 == 0 goto +1", (a, l) -> a.jeq(Reg.R0, 0, l)));
        s.add(jump("if r0 != 0 goto +1", (a, l) -> a.jne(Reg.R0, 0, l)));
        s.add(jump("if r1 > 3 goto +1", (a, l) -> a.jgt(Reg.R1, 3, l)));
        s.add(jump("if r1 >= 3 goto +1", (a, l) -> a.jge(Reg.R1, 3, l)));
        s.add(jump("if r1 < 3 goto +1", (a, l) -> a.jlt(Reg.R1, 3, l)));
        s.add(jump("if r1 <= 3 goto +1", (a, l) -> a.jle(Reg.R1, 3, l)));
        s.add(jump("if r1 s> -3 goto +1", (a, l) -> a.jsgt(Reg.R1, -3, l)));
        s.add(jump("if r1 s>= -3 goto +1", (a, l) -> a.jsge(Reg.R1, -3, l)));
        s.add(jump("if r1 s< -3 goto +1", (a, l) -> a.jslt(Reg.R1, -3, l)));
        s.add(jump("if r1 s<= -3 goto +1", (a, l) -> a.jsle(Reg.R1, -3, l)));
        // JSET 0x40 | K 0x00 | JMP 0x05 = 0x45, dst r1, off +1, imm 4.
        s.add(jump("if r1 & 4 goto +1", (a, l) -> a.jset(Reg.R1, 4, l), "45 01 01 00 04 00 00 00"));
        s.add(jump("if r1 == r2 goto +1", (a, l) -> a.jeq(Reg.R1, Reg.R2, l)));
        s.add(jump("if r1 != r2 goto +1", (a, l) -> a.jne(Reg.R1, Reg.R2, l)));
        s.add(jump("if r1 > r2 goto +1", (a, l) -> a.jgt(Reg.R1, Reg.R2, l)));
        s.add(jump("if r1 >= r2 goto +1", (a, l) -> a.jge(Reg.R1, Reg.R2, l)));
        s.add(jump("if r1 < r2 goto +1", (a, l) -> a.jlt(Reg.R1, Reg.R2, l)));
        s.add(jump("if r1 <= r2 goto +1", (a, l) -> a.jle(Reg.R1, Reg.R2, l)));
        s.add(jump("if w1 == 5 goto +1", (a, l) -> a.jmp32Imm(JmpOp.JEQ, Reg.R1, 5, l)));
        s.add(jump("if w1 s< w2 goto +1", (a, l) -> a.jmp32Reg(JmpOp.JSLT, Reg.R1, Reg.R2, l)));
        s.add(new Sample("exit", Asm::exit));
        return s;
    }

    /** A jump over one filler instruction (r0 = 0), to a fresh label. */
    private static Sample jump(String expected, java.util.function.BiConsumer<Asm, String> emit) {
        return jump(expected, emit, null);
    }

    private static Sample jump(String expected, java.util.function.BiConsumer<Asm, String> emit, String specBytes) {
        return new Sample(expected, a -> {
            String l = a.newLabel("over");
            emit.accept(a, l);
            a.mov64Imm(Reg.R0, 0).label(l);
        }, specBytes);
    }

    /** Every sample in one program, in order. */
    public static List<Insn> program() {
        Asm a = new Asm();
        for (Sample s : samples()) {
            s.emit().accept(a);
        }
        return a.build();
    }

    public static void main(String[] args) throws IOException {
        Files.write(Path.of(args[0]), Asm.encode(program()));
    }
}
