// Finds where a function is left: every ret, every direct jmp/jcc whose target lies outside the function (a tail
// call), and every indirect jmp that does not look like a jump-table dispatch. Return probes go on these sites.
package dev.rustprobe.probe;

import dev.rustprobe.probe.Instruction.Flow;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

public final class ExitFinder {

    /** How a function is left at a site. */
    public enum Kind { RET, TAIL_JMP, TAIL_JCC, INDIRECT_JMP }

    /**
     * One exit. {@code certain} is false where a heuristic decided (indirect jumps); {@code why} says which.
     */
    public record ExitSite(long address, Kind kind, long target, boolean certain, String why) {}

    /** An indirect jmp judged to be a jump-table dispatch, hence not an exit. */
    public record JumpTable(long address, boolean boundsChecked, String why) {}

    /**
     * What a scan found. {@code desyncAt} is the address where decoding failed (an undefined opcode, or an
     * instruction running past the function's end), or -1; when it is not -1 the exits are incomplete and a caller
     * should fall back to a uretprobe with a warning. {@code callTargets}: the targets of direct calls, in order;
     * {@code indirectCalls}: calls through a register or memory.
     */
    public record Scan(List<ExitSite> exits, List<JumpTable> jumpTables, int instructions, List<Long> callTargets,
                       int indirectCalls, long desyncAt) {
        public boolean complete() { return desyncAt < 0; }

        /** Fully decoded, it calls nothing and leaves only by ret. */
        public boolean leaf() {
            return complete() && callTargets.isEmpty() && indirectCalls == 0 && !exits.isEmpty()
                    && exits.stream().allMatch(e -> e.kind() == Kind.RET);
        }
    }

    private static final int LOOKBACK = 12;

    private ExitFinder() {}

    /**
     * Scans code[0, size) loaded at start. A jump to a gcc {@code foo.cold} part lies outside [start, start+size)
     * and is reported as TAIL_JMP/TAIL_JCC; a caller that knows the function's other parts must filter those
     * (rustc does not split functions this way by default).
     */
    public static Scan scan(byte[] code, long start, long size) {
        int n = (int) Math.min(size, code.length);
        X86Decoder d = new X86Decoder(ByteBuffer.wrap(code, 0, n).slice(), start);
        List<Instruction> insns = new ArrayList<>();
        long desync = -1;
        for (int off = 0; off < n; ) {
            Instruction i = d.decode(off);
            if (i.flow() == Flow.INVALID) {
                desync = i.address();
                break;
            }
            insns.add(i);
            off += i.length();
        }
        if (desync < 0 && n < size) {
            desync = start + n;
        }
        long end = start + size;
        // Block starts: targets of branches inside the function. Register definitions are looked for only
        // between such a start and the jump, where they are sure to have run.
        Set<Long> blockStarts = new HashSet<>();
        for (Instruction i : insns) {
            if ((i.flow() == Flow.JMP || i.flow() == Flow.JCC) && i.target() >= start && i.target() < end) {
                blockStarts.add(i.target());
            }
        }
        List<ExitSite> exits = new ArrayList<>();
        List<JumpTable> tables = new ArrayList<>();
        List<Long> callTargets = new ArrayList<>();
        int indirectCalls = 0;
        for (int k = 0; k < insns.size(); k++) {
            Instruction i = insns.get(k);
            switch (i.flow()) {
                case CALL -> callTargets.add(i.target());
                case CALL_INDIRECT -> indirectCalls++;
                case RET, RET_FAR -> exits.add(new ExitSite(i.address(), Kind.RET, -1, true, "ret"));
                case JMP -> {
                    if (i.target() < start || i.target() >= end) {
                        exits.add(new ExitSite(i.address(), Kind.TAIL_JMP, i.target(), true, "jmp out of the function"));
                    }
                }
                case JCC -> {
                    if (i.target() < start || i.target() >= end) {
                        exits.add(new ExitSite(i.address(), Kind.TAIL_JCC, i.target(), true,
                                "conditional jump out of the function"));
                    }
                }
                case JMP_INDIRECT -> classifyIndirect(insns, k, blockStarts, exits, tables);
                default -> { }
            }
        }
        return new Scan(List.copyOf(exits), List.copyOf(tables), insns.size(), List.copyOf(callTargets), indirectCalls,
                desync);
    }

    /**
     * Jump tables as gcc and LLVM emit them on x86-64: {@code movsxd r, dword [b + i*4]; add r, b; jmp r} (PIC,
     * offsets relative to the table) or {@code jmp [i*8 + table]} / {@code mov r, [b + i*8]; jmp r} (absolute).
     * Anything else (a pointer loaded without an index, a register set before the block) is a tail call.
     */
    private static void classifyIndirect(List<Instruction> insns, int k, Set<Long> blockStarts, List<ExitSite> exits,
                                         List<JumpTable> tables) {
        Instruction jmp = insns.get(k);
        boolean bounds = boundsChecked(insns, k);
        if (!jmp.rmIsRegister()) {
            if (jmp.index() != Instruction.NO_REG && jmp.scale() == 8) {
                tables.add(new JumpTable(jmp.address(), bounds, "jmp through [index*8 + table]"));
            } else {
                exits.add(new ExitSite(jmp.address(), Kind.INDIRECT_JMP, -1, true,
                        "jmp through a pointer in memory (vtable, GOT)"));
            }
            return;
        }
        int r = jmp.rmReg();
        Instruction def = definition(insns, k, r, blockStarts);
        if (def != null && isAddRegReg(def, r)) {
            int added = addedRegister(def);
            Instruction load = definition(insns, insns.indexOf(def), r, blockStarts);
            if (load != null && isTableLoad(load, 4) && load.base() == added) {
                tables.add(new JumpTable(jmp.address(), bounds, "relative table: movsxd [base+index*4]; add; jmp"));
                return;
            }
        }
        if (def != null && isTableLoad(def, 8)) {
            tables.add(new JumpTable(jmp.address(), bounds, "absolute table: mov [base+index*8]; jmp"));
            return;
        }
        if (def != null && isLoad(def) && def.index() == Instruction.NO_REG) {
            exits.add(new ExitSite(jmp.address(), Kind.INDIRECT_JMP, -1, true,
                    "jmp through a register loaded from a pointer"));
            return;
        }
        exits.add(new ExitSite(jmp.address(), Kind.INDIRECT_JMP, -1, false,
                def == null ? "jmp through a register set before this block; assumed a tail call"
                        : "jmp through a register of unrecognised origin; assumed a tail call"));
    }

    /** The last instruction before k in its block that writes register r; null if none or if one may but is unknown. */
    private static Instruction definition(List<Instruction> insns, int k, int r, Set<Long> blockStarts) {
        for (int j = k - 1; j >= 0 && j >= k - LOOKBACK; j--) {
            Instruction i = insns.get(j);
            if (i.flow() != Flow.OTHER && i.flow() != Flow.ENDBR64) {
                return null;
            }
            if (writesRegister(i, r)) {
                return i;
            }
            if (blockStarts.contains(i.address())) {
                return null;
            }
        }
        return null;
    }

    private static boolean legacy(Instruction i) {
        return (i.prefixes() & (Instruction.P_VEX | Instruction.P_EVEX)) == 0;
    }

    static boolean writesRegister(Instruction i, int r) {
        if (!legacy(i)) {
            return false; // vector instructions do not write general-purpose registers we chase
        }
        int op = i.opcode();
        if (op >= 0x58 && op <= 0x5F || op >= 0xB8 && op <= 0xBF || op >= 0x91 && op <= 0x97) {
            return ((op & 7) | ((i.rex() & 1) << 3)) == r || (op >= 0x91 && op <= 0x97 && r == 0);
        }
        if (!i.hasModrm()) {
            return false;
        }
        boolean regIsDest = op == 0x8B || op == 0x63 || op == 0x8D || op == 0x03 || op == 0x0B || op == 0x13
                || op == 0x1B || op == 0x23 || op == 0x2B || op == 0x33 || op == 0x69 || op == 0x6B
                || (op >= 0x140 && op <= 0x14F) || op == 0x1AF || op == 0x1B6 || op == 0x1B7 || op == 0x1BE
                || op == 0x1BF;
        if (regIsDest && i.reg() == r) {
            return true;
        }
        // Everything else with a register r/m operand may write it (mov r/m,r; add r/m; shifts; xchg; ...).
        return i.rmIsRegister() && i.rmReg() == r && op != 0x39 && op != 0x3B && op != 0x85 && op != 0x84;
    }

    private static boolean isAddRegReg(Instruction i, int r) {
        return legacy(i) && i.rmIsRegister() && ((i.opcode() == 0x01 && i.rmReg() == r)
                || (i.opcode() == 0x03 && i.reg() == r));
    }

    private static int addedRegister(Instruction add) {
        return add.opcode() == 0x01 ? add.reg() : add.rmReg();
    }

    private static boolean isLoad(Instruction i) {
        return legacy(i) && (i.opcode() == 0x8B || i.opcode() == 0x63) && !i.rmIsRegister();
    }

    private static boolean isTableLoad(Instruction i, int scale) {
        return isLoad(i) && i.index() != Instruction.NO_REG && i.scale() == scale;
    }

    /** Whether an unsigned compare-and-branch (cmp; ja/jae/jb/jbe) precedes the dispatch within the look-back. */
    private static boolean boundsChecked(List<Instruction> insns, int k) {
        for (int j = k - 1; j > 0 && j >= k - LOOKBACK; j--) {
            Instruction i = insns.get(j);
            if (i.flow() == Flow.JCC) {
                int cc = i.opcode() & 0xF;
                Instruction c = insns.get(j - 1);
                boolean unsigned = cc == 2 || cc == 3 || cc == 6 || cc == 7;
                boolean compare = legacy(c) && (c.opcode() == 0x83 || c.opcode() == 0x81 || c.opcode() == 0x3D
                        || c.opcode() == 0x39 || c.opcode() == 0x3B || c.opcode() == 0x3C || c.opcode() == 0x80);
                return unsigned && compare;
            }
            if (i.flow() != Flow.OTHER && i.flow() != Flow.ENDBR64) {
                return false;
            }
        }
        return false;
    }
}
