// Finds every way control leaves one inlined copy (the code ranges of a DW_TAG_inlined_subroutine) by following
// its machine code from the copy's entry, and how far rsp has moved there: where trace puts the probes that pair an
// inlined call with its end, as a ret pairs an out-of-line call.
package dev.rustprobe.probe;

import dev.rustprobe.elf.ElfFile;
import dev.rustprobe.index.AddressRange;
import dev.rustprobe.probe.Instruction.Flow;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/*
 * From the entry, every instruction inside the copy's ranges that can run is followed, with rsp relative to the entry
 * (push, pop, add/sub/lea of rsp; a call returns with rsp as it was). An edge to an address outside all ranges is an
 * exit there: the next instruction after one that falls through, or the target of a direct jmp or a taken jcc. A
 * ret, or a jump out of the caller altogether (a tail call), leaves the caller too: its exit is that instruction.
 * A call that is the caller's last instruction does not return (a panic), so nothing follows it. The copy stays
 * unpaired, with the reason, when the way out cannot be known: an indirect jump, bytes that do not decode, rsp set in
 * a way not followed (leave, mov rsp), a stack depth that differs between two paths, or no way out at all.
 */
public final class InlineExits {
    /** Instructions followed per copy before giving up. */
    static final int MAX_INSTRUCTIONS = 4096;

    /** How a copy is left at an exit. */
    public enum How {
        FALL_THROUGH("fall-through"), JUMP_OUT("jump out"), RET("ret, leaving the caller too"),
        TAIL_JMP("tail jmp, leaving the caller too"), TAIL_JCC("tail jcc, leaving the caller too");

        private final String text;

        How(String text) {
            this.text = text;
        }

        public String text() {
            return text;
        }
    }

    /**
     * One exit: the address probed (the first instruction outside the copy, or the ret / tail jump itself), rsp there
     * minus rsp at the entry, and for a conditional tail jump its condition code (else -1).
     */
    public record Exit(long address, How how, long rspDelta, int jcc) {}

    /** The exits, or why there are none to pair with (then exits is empty). */
    public record Result(List<Exit> exits, String unpairedReason) {
        public boolean paired() {
            return unpairedReason == null;
        }

        static Result unpaired(String why) {
            return new Result(List.of(), why);
        }
    }

    private InlineExits() {}

    /**
     * The exits of the copy with these ranges entered at entry, inside the out-of-line function [fnStart, fnStart +
     * fnSize) that holds it (null bounds when no symbol covers it).
     */
    public static Result find(ElfFile elf, List<AddressRange> ranges, long entry, long[] function) {
        if (function == null) {
            return Result.unpaired("no function symbol covers its code, so a jump out of the caller cannot be told"
                    + " from one inside it");
        }
        byte[] code = FunctionCode.read(elf, function[0], function[1]);
        if (code == null) {
            return Result.unpaired("its caller's code could not be read");
        }
        return find(code, function[0], ranges, entry);
    }

    /** As above, on code loaded at fnStart (the whole out-of-line function). */
    static Result find(byte[] code, long fnStart, List<AddressRange> ranges, long entry) {
        long fnEnd = fnStart + code.length;
        X86Decoder d = new X86Decoder(code, fnStart);
        Map<Long, Long> deltaAt = new HashMap<>();
        Map<Long, Exit> exits = new LinkedHashMap<>();
        ArrayDeque<long[]> todo = new ArrayDeque<>();
        todo.add(new long[] {entry, 0, How.FALL_THROUGH.ordinal()});
        int followed = 0;
        while (!todo.isEmpty()) {
            long[] t = todo.poll();
            long pc = t[0];
            long delta = t[1];
            if (!inside(ranges, pc)) {
                String clash = addExit(exits, new Exit(pc, How.values()[(int) t[2]], delta, -1));
                if (clash != null) {
                    return Result.unpaired(clash);
                }
                continue;
            }
            Long known = deltaAt.putIfAbsent(pc, delta);
            if (known != null) {
                if (known != delta) {
                    return Result.unpaired("its stack depth at 0x" + Long.toHexString(pc) + " differs between paths");
                }
                continue;
            }
            if (++followed > MAX_INSTRUCTIONS) {
                return Result.unpaired("it has more than " + MAX_INSTRUCTIONS + " instructions to follow");
            }
            if (pc < fnStart || pc >= fnEnd) {
                return Result.unpaired("its code at 0x" + Long.toHexString(pc) + " lies outside its caller's symbol");
            }
            Instruction i = d.decodeAt(pc);
            if (i.flow() == Flow.INVALID) {
                return Result.unpaired("its code at 0x" + Long.toHexString(pc) + " could not be decoded");
            }
            switch (i.flow()) {
                case OTHER, ENDBR64 -> {
                    long moved = rspEffect(i, code, (int) (pc - fnStart));
                    if (moved == UNKNOWN) {
                        return Result.unpaired("it sets rsp at 0x" + Long.toHexString(pc) + " in a way not followed");
                    }
                    todo.add(new long[] {i.end(), delta + moved, How.FALL_THROUGH.ordinal()});
                }
                case CALL, CALL_INDIRECT -> {
                    if (i.end() < fnEnd) {
                        todo.add(new long[] {i.end(), delta, How.FALL_THROUGH.ordinal()});
                    }
                }
                case JMP, JCC -> {
                    long target = i.target();
                    boolean jcc = i.flow() == Flow.JCC;
                    if (target < fnStart || target >= fnEnd) {
                        int cc = jcc ? ProbePlanner.conditionCode(code, (int) (pc - fnStart)) : -1;
                        if (jcc && cc < 0) {
                            return Result.unpaired("its conditional jump out of the caller at 0x"
                                    + Long.toHexString(pc) + " has no condition code we know");
                        }
                        String clash = addExit(exits, new Exit(pc, jcc ? How.TAIL_JCC : How.TAIL_JMP, delta, cc));
                        if (clash != null) {
                            return Result.unpaired(clash);
                        }
                    } else {
                        todo.add(new long[] {target, delta, How.JUMP_OUT.ordinal()});
                    }
                    if (jcc) {
                        todo.add(new long[] {i.end(), delta, How.FALL_THROUGH.ordinal()});
                    }
                }
                case RET, RET_FAR -> {
                    String clash = addExit(exits, new Exit(pc, How.RET, delta, -1));
                    if (clash != null) {
                        return Result.unpaired(clash);
                    }
                }
                case JMP_INDIRECT -> {
                    return Result.unpaired("its indirect jump at 0x" + Long.toHexString(pc)
                            + " goes to targets not known here");
                }
                default -> { } // ud2, int3, hlt: nothing follows
            }
        }
        if (exits.isEmpty()) {
            return Result.unpaired("no way out of it was found (every path ends in a trap or a call that does not"
                    + " return)");
        }
        return new Result(List.copyOf(exits.values()), null);
    }

    private static String addExit(Map<Long, Exit> exits, Exit e) {
        Exit before = exits.putIfAbsent(e.address(), e);
        if (before != null && before.rspDelta() != e.rspDelta()) {
            return "its stack depth at the exit 0x" + Long.toHexString(e.address()) + " differs between paths";
        }
        return null;
    }

    private static boolean inside(List<AddressRange> ranges, long pc) {
        for (AddressRange r : ranges) {
            if (pc >= r.low() && pc < r.high()) {
                return true;
            }
        }
        return false;
    }

    static final long UNKNOWN = Long.MIN_VALUE;
    private static final int RSP = 4;

    /** What an instruction that is not a branch does to rsp, in bytes, or UNKNOWN. */
    static long rspEffect(Instruction i, byte[] code, int at) {
        if ((i.prefixes() & (Instruction.P_VEX | Instruction.P_EVEX)) != 0) {
            return 0; // vector instructions write no general-purpose register
        }
        int op = i.opcode();
        boolean wide = (i.prefixes() & Instruction.P_OPSIZE) == 0;
        if (op >= 0x50 && op <= 0x57 || op == 0x68 || op == 0x6a || op == 0x9c) {
            return wide ? -8 : UNKNOWN;
        }
        if (op >= 0x58 && op <= 0x5f || op == 0x9d) {
            boolean popsRsp = op == 0x5c && (i.rex() & 1) == 0;
            return wide && !popsRsp ? 8 : UNKNOWN;
        }
        if (op == 0xff && ((i.modrm() >> 3) & 7) == 6) {
            return wide ? -8 : UNKNOWN;
        }
        if (op == 0x8f) {
            return wide && !(i.rmIsRegister() && i.rmReg() == RSP) ? 8 : UNKNOWN;
        }
        if ((op == 0x83 || op == 0x81) && i.rmIsRegister() && i.rmReg() == RSP) {
            int ext = (i.modrm() >> 3) & 7;
            if (ext == 7) {
                return 0; // cmp
            }
            if (!i.rexW() || ext != 0 && ext != 5) {
                return UNKNOWN;
            }
            long imm = op == 0x83 ? code[at + i.length() - 1] : EntryHop.signed(code, at + i.length() - 4, 4);
            return ext == 0 ? imm : -imm;
        }
        if (op == 0x8d && i.reg() == RSP) {
            int mod = i.modrm() >> 6;
            if (!i.rexW() || i.base() != RSP || i.index() != Instruction.NO_REG || mod == 0 || mod == 3) {
                return UNKNOWN;
            }
            return mod == 1 ? code[at + i.length() - 1] : EntryHop.signed(code, at + i.length() - 4, 4);
        }
        if (op == 0xc8 || op == 0xc9) {
            return UNKNOWN; // enter, leave
        }
        if (op < 0x100) {
            return ExitFinder.writesRegister(i, RSP) ? UNKNOWN : 0;
        }
        return writesRspOutsideOneByteMap(i) ? UNKNOWN : 0;
    }

    /**
     * Of the 0F, 0F 38 and 0F 3A maps, the instructions that write a general-purpose register: through ModRM.reg
     * (cmov, imul, movzx/movsx, bsf/bsr, popcnt/lzcnt/tzcnt, movmsk, pmovmskb, cvt*2si, pextrw), or through a register
     * r/m (setcc, movd/movq to a register, xadd, cmpxchg, shld/shrd, bt*, pextr*), or bswap. The rest (SSE and the
     * like) write xmm registers or memory, whatever their register numbers.
     */
    private static boolean writesRspOutsideOneByteMap(Instruction i) {
        int op = i.opcode();
        if (op == 0x1c8 + RSP && (i.rex() & 1) == 0) {
            return true; // bswap esp/rsp
        }
        if (!i.hasModrm()) {
            return false;
        }
        boolean viaReg = op >= 0x140 && op <= 0x14f || op == 0x1af || op == 0x1b6 || op == 0x1b7 || op == 0x1be
                || op == 0x1bf || op == 0x1bc || op == 0x1bd || op == 0x1b8 || op == 0x1d7 || op == 0x150
                || op == 0x12c || op == 0x12d || op == 0x1c5 || op >= 0x2f0 && op <= 0x2f7;
        boolean viaRm = op >= 0x190 && op <= 0x19f || op == 0x17e || op == 0x1c0 || op == 0x1c1 || op == 0x1b0
                || op == 0x1b1 || op == 0x1a4 || op == 0x1a5 || op == 0x1ac || op == 0x1ad || op == 0x1ab
                || op == 0x1b3 || op == 0x1bb || op == 0x1ba || op >= 0x314 && op <= 0x317;
        return viaReg && i.reg() == RSP || viaRm && i.rmIsRegister() && i.rmReg() == RSP;
    }
}
