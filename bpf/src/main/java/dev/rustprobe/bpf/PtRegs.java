// Byte offsets of the registers in x86_64 struct pt_regs, the context a kprobe-type program gets in r1
// (arch/x86/include/asm/ptrace.h). The argument registers follow the System V ABI order.
package dev.rustprobe.bpf;

public enum PtRegs {
    R15(0), R14(8), R13(16), R12(24), RBP(32), RBX(40), R11(48), R10(56), R9(64), R8(72),
    RAX(80), RCX(88), RDX(96), RSI(104), RDI(112), ORIG_RAX(120), RIP(128), CS(136), EFLAGS(144), RSP(152), SS(160);

    private final int offset;

    PtRegs(int offset) {
        this.offset = offset;
    }

    public int offset() {
        return offset;
    }

    /** The register holding integer argument n (0-based) at function entry: rdi, rsi, rdx, rcx, r8, r9. */
    public static PtRegs argument(int n) {
        return switch (n) {
            case 0 -> RDI;
            case 1 -> RSI;
            case 2 -> RDX;
            case 3 -> RCX;
            case 4 -> R8;
            case 5 -> R9;
            default -> throw new BpfException("argument " + n + " is passed on the stack, not in a register");
        };
    }
}
