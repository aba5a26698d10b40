// One decoded x86-64 instruction: where it is, how long it is, what it does to control flow, and the raw
// ModRM/SIB/REX fields the exit finder needs to recognise jump-table dispatch.
package dev.rustprobe.probe;

/**
 * @param address  virtual address of the first byte (prefixes included)
 * @param length   bytes the instruction occupies; 1 for {@link Flow#INVALID} so a caller stepping by length progresses
 * @param flow     control-flow class
 * @param target   branch target for direct jmp/jcc/call, otherwise -1
 * @param opcode   map (0 = one-byte, 1 = 0F, 2 = 0F 38, 3 = 0F 3A, 5/6 = EVEX maps) shifted left 8, or'd with the opcode byte
 * @param modrm    the ModRM byte, or -1
 * @param sib      the SIB byte, or -1
 * @param rex      REX bits 0x40|W R X B (for VEX/EVEX the un-inverted equivalents), 0 if none
 * @param prefixes bit set of {@link #P_OPSIZE} and friends
 * @param invalid  why decoding failed, {@link Invalid#NONE} when it did not
 */
public record Instruction(long address, int length, Flow flow, long target, int opcode, int modrm, int sib, int rex,
                          int prefixes, Invalid invalid) {

    public static final int P_LOCK = 1, P_REP = 2, P_REPNE = 4, P_OPSIZE = 8, P_ADDRSIZE = 16, P_SEG = 32,
            P_NOTRACK = 64, P_VEX = 128, P_EVEX = 256;

    /** What an instruction does to control flow, as far as exit finding cares. */
    public enum Flow {
        OTHER, RET, RET_FAR, JMP, JCC, JMP_INDIRECT, CALL, CALL_INDIRECT, UD2, INT3, HLT, ENDBR64, INVALID
    }

    /** Why bytes did not decode. */
    public enum Invalid { NONE, UNDEFINED_OPCODE, TRUNCATED, TOO_LONG }

    /** Register number 0-15 of a register used as the base or index "none". */
    public static final int NO_REG = -1;
    /** Pseudo register number for a RIP-relative memory operand's base. */
    public static final int RIP = 16;

    public long end() { return address + length; }

    public boolean hasModrm() { return modrm >= 0; }

    public boolean rmIsRegister() { return modrm >= 0 && (modrm >> 6) == 3; }

    /** ModRM.reg extended by REX.R. */
    public int reg() { return ((modrm >> 3) & 7) | ((rex & 4) << 1); }

    /** The r/m register when {@link #rmIsRegister()}. */
    public int rmReg() { return (modrm & 7) | ((rex & 1) << 3); }

    /** Base register of the memory operand, {@link #RIP}, or {@link #NO_REG}. */
    public int base() {
        int mod = modrm >> 6, rm = modrm & 7;
        if (sib >= 0) {
            int b = sib & 7;
            return (b == 5 && mod == 0) ? NO_REG : b | ((rex & 1) << 3);
        }
        return (rm == 5 && mod == 0) ? RIP : rm | ((rex & 1) << 3);
    }

    /** Index register of the memory operand, or {@link #NO_REG}. */
    public int index() {
        if (sib < 0) {
            return NO_REG;
        }
        int i = ((sib >> 3) & 7) | ((rex & 2) << 2);
        return i == 4 ? NO_REG : i;
    }

    /** Scale factor 1, 2, 4 or 8 of the index. */
    public int scale() { return sib < 0 ? 1 : 1 << (sib >> 6); }

    public boolean rexW() { return (rex & 8) != 0; }
}
