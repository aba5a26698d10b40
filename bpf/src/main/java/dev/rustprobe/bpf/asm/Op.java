// Opcode fields of the eBPF instruction set (RFC 9669): instruction classes, source bit, ALU and jump
// operations, memory modes. An opcode byte is class | size/source | operation.
package dev.rustprobe.bpf.asm;

public final class Op {
    private Op() {
    }

    // Instruction classes (low three bits).
    public static final int LD = 0x00;
    public static final int LDX = 0x01;
    public static final int ST = 0x02;
    public static final int STX = 0x03;
    public static final int ALU = 0x04;
    public static final int JMP = 0x05;
    public static final int JMP32 = 0x06;
    public static final int ALU64 = 0x07;

    // Source operand (bit 3) for ALU and jump classes: immediate or register.
    public static final int K = 0x00;
    public static final int X = 0x08;

    // Memory modes (bits 5-7) for load and store classes.
    public static final int IMM = 0x00;
    public static final int MEM = 0x60;
    public static final int ATOMIC = 0xc0;

    // Atomic operations carried in imm, BPF_FETCH returns the old value in src.
    public static final int FETCH = 0x01;

    /** Pseudo source register of a 64-bit immediate load whose imm is a map fd (BPF_PSEUDO_MAP_FD). */
    public static final int PSEUDO_MAP_FD = 1;

    public static final int CALL = 0x80;
    public static final int EXIT = 0x90;
    public static final int JA = 0x00;

    public static int classOf(int code) {
        return code & 0x07;
    }
}
