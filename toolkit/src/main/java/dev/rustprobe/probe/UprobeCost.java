// What the kernel does with the instruction a uprobe replaces: emulate it in the trap handler (cheap), rewrite a
// 5-byte nop into a call of its uprobe trampoline, or single-step a copy out of line (about 20x dearer, measured
// in bench/trace). Rules from arch/x86/kernel/uprobes.c, checked against the running kernel by UprobeCostTest.
package dev.rustprobe.probe;

import java.util.Arrays;

public final class UprobeCost {
    private UprobeCost() {}

    public enum Handling {
        EMULATED("emulated", "the kernel emulates it"),
        TRAMPOLINE("trampoline", "a 5-byte nop: the kernel rewrites it into a call of its uprobe trampoline"
                + " (Linux 6.18+), and emulates it where it cannot"),
        SINGLE_STEP("single-stepped", "the kernel single-steps it out of line (about 20x the cost of an emulated"
                + " probe)"),
        REFUSED("refused", "the kernel refuses to probe this instruction");

        private final String label;
        private final String sentence;

        Handling(String label, String sentence) {
            this.label = label;
            this.sentence = sentence;
        }

        /** "emulated", "single-stepped", ...: the cost class in one word. */
        public String label() {
            return label;
        }

        public String sentence() {
            return sentence;
        }
    }

    /** The nops the kernel recognises as such, by length (its x86 nop table; other nop encodings are stepped). */
    private static final byte[][] CANONICAL_NOPS = {
            {},
            {(byte) 0x90},
            {0x66, (byte) 0x90},
            {0x0f, 0x1f, 0x00},
            {0x0f, 0x1f, 0x40, 0x00},
            {0x0f, 0x1f, 0x44, 0x00, 0x00},
            {0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00},
            {0x0f, 0x1f, (byte) 0x80, 0x00, 0x00, 0x00, 0x00},
            {0x0f, 0x1f, (byte) 0x84, 0x00, 0x00, 0x00, 0x00, 0x00},
    };

    /** The handling of the instruction at code[offset]. */
    public static Handling of(byte[] code, int offset) {
        Instruction insn = new X86Decoder(code, 0).decode(offset);
        if (insn.flow() == Instruction.Flow.INVALID || insn.flow() == Instruction.Flow.INT3) {
            return Handling.REFUSED;
        }
        byte[] bytes = Arrays.copyOfRange(code, offset, offset + insn.length());
        int op = insn.opcode();
        if (insn.flow() == Instruction.Flow.JMP || insn.flow() == Instruction.Flow.JCC
                || insn.flow() == Instruction.Flow.CALL) {
            // relative jmp/jcc/call; the kernel's branch emulation takes no prefixes
            return insn.prefixes() == 0 && insn.rex() == 0 ? Handling.EMULATED : Handling.SINGLE_STEP;
        }
        boolean push = op >= 0x50 && op <= 0x57 && insn.prefixes() == 0
                && (insn.rex() == 0 || (bytes.length == 2 && bytes[0] == 0x41));
        if (push) {
            return Handling.EMULATED;
        }
        if (isNop(insn)) {
            if (insn.length() == 5) {
                return Handling.TRAMPOLINE;
            }
            if (insn.length() < CANONICAL_NOPS.length && Arrays.equals(bytes, CANONICAL_NOPS[insn.length()])) {
                return Handling.EMULATED;
            }
        }
        return Handling.SINGLE_STEP;
    }

    /** 0x90 (with an operand-size prefix at most) or 0F 1F /0. */
    private static boolean isNop(Instruction insn) {
        int op = insn.opcode();
        return (op == 0x90 && insn.rex() == 0) || (op == 0x11f && ((insn.modrm() >> 3) & 7) == 0);
    }
}
