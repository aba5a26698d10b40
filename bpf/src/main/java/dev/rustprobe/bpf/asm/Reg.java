// The eleven eBPF registers: r0 (return value), r1-r5 (helper arguments, clobbered by calls),
// r6-r9 (callee-saved), r10 (read-only frame pointer).
package dev.rustprobe.bpf.asm;

public enum Reg {
    R0, R1, R2, R3, R4, R5, R6, R7, R8, R9, R10;

    /** The register number as encoded in an instruction's dst/src nibble. */
    public int number() {
        return ordinal();
    }

    public static Reg of(int number) {
        if (number < 0 || number > 10) {
            throw new IllegalArgumentException("no eBPF register r" + number);
        }
        return values()[number];
    }

    @Override
    public String toString() {
        return "r" + ordinal();
    }
}
