// Where a copy's entry probe can sit so that the kernel emulates the probed instruction rather than single-step it:
// the first emulated one past a short straight-line prefix whose modelled effects leave every recorded value alone.
package dev.rustprobe.probe;

import dev.rustprobe.bpf.PtRegs;
import dev.rustprobe.probe.Instruction.Flow;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/*
 * Soundness rests on these, each checked here except the last:
 *  - the skipped instructions run, in order, on every call (straight line: no branch, call or return among them, and
 *    no branch of the copy lands inside them or on the new probe address);
 *  - none of them writes a register the record's values or reads are taken from (FetchPlan.registers);
 *  - they store only strictly below the entry rsp (into the new frame), while everything a probe reads is at or
 *    above it (stack arguments, the caller's frames) or not on this stack at all; rsp itself moves by a known
 *    amount, which the program adds back (ProbeProgram.Spec.entryRspDelta);
 *  - other code enters the copy only at its entry (symbols are entries; we do not look at other functions' jumps).
 */
public final class EntryHop {
    /** How many instructions may be skipped at most; objdump over librustc_driver finds most hops within 8. */
    public static final int MAX_SKIPPED = 12;

    private static final String[] REG64 = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
            "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"};
    private static final int RSP = 4;
    /** Registers as explanations list them: the argument registers in ABI order first (rsp is never listed). */
    private static final int[] ARGUMENT_ORDER = {7, 6, 2, 1, 8, 9, 0, 3, 5, 10, 11, 12, 13, 14, 15};
    private static final String[] CC = {"o", "no", "b", "ae", "e", "ne", "be", "a", "s", "ns", "p", "np", "l", "ge",
            "le", "g"};

    private EntryHop() {}

    /**
     * The entry probe's place. probe == entry when it stays; then {@code reason} says why (null when the entry is
     * already cheap). skipped: instructions between entry and probe. entryRspDelta: entry rsp = rsp at the probe +
     * it. kept: the registers the record reads that the skipped instructions leave alone, for the explanation.
     * target: where the first cheap instruction is even when the probe could not move there (-1 if none).
     */
    public record Decision(long entry, long probe, int skipped, int entryRspDelta, String entryInstruction,
                           UprobeCost.Handling entryHandling, String probeInstruction,
                           UprobeCost.Handling probeHandling, long target, String targetInstruction,
                           List<String> kept, String reason) {
        public Decision {
            kept = List.copyOf(kept);
        }

        public boolean moved() {
            return probe != entry;
        }

        public String probeLabel() {
            return probeHandling.label();
        }

        /** One sentence: where the probe is and why. */
        public String sentence() {
            if (moved()) {
                return "entry probe " + movedClause() + "; at +0 (" + entryInstruction + ") the kernel would "
                        + (entryHandling == UprobeCost.Handling.SINGLE_STEP ? "single-step it" : "refuse it");
            }
            String at = "entry probe at +0 (" + entryInstruction + ", " + entryHandling.label() + ")";
            return reason == null ? at : at + ": " + reason;
        }

        /** For a moved probe: "at +0x7 (jne, emulated), moved past 3 instructions that leave rdi untouched". */
        public String movedClause() {
            String values = kept.isEmpty() ? (skipped == 1 ? "which touches" : "which touch")
                    + " nothing the probe records"
                    : (skipped == 1 ? "that leaves " : "that leave ") + String.join(", ", kept) + " untouched";
            String rsp = entryRspDelta == 0 ? "" : "; they lower rsp by 0x" + Integer.toHexString(entryRspDelta)
                    + ", which the probe adds back";
            return "at +0x" + Long.toHexString(probe - entry) + " (" + probeInstruction + ", "
                    + probeLabel() + "), moved past " + skipped + " instruction" + (skipped == 1 ? "" : "s")
                    + " " + values + rsp;
        }
    }

    /**
     * Decides for the copy code[0, size) at entry. readRegisters: FetchPlan.registers of the entry site (pt_regs
     * slots; rip and rsp are accounted for by the program). uretprobe: its returns are taken with a uretprobe, which
     * must sit at the real entry (it replaces the return address at [rsp]). exits: the copy's return probe
     * addresses, where an entry probe must not land (a ret probe and a call probe at one address fire in no set order).
     */
    public static Decision decide(byte[] code, long entry, long size, long readRegisters, boolean uretprobe,
                                  java.util.Set<Long> exits) {
        int n = (int) Math.min(size, code == null ? 0 : code.length);
        if (n <= 0) {
            return new Decision(entry, entry, 0, 0, "?", UprobeCost.Handling.REFUSED, "?",
                    UprobeCost.Handling.REFUSED, -1, null, List.of(), "its code could not be read");
        }
        ByteBuffer buf = ByteBuffer.wrap(code, 0, n).slice();
        X86Decoder d = new X86Decoder(buf, entry);
        byte[] bytes = java.util.Arrays.copyOf(code, n);
        Instruction first = d.decode(0);
        UprobeCost.Handling firstCost = UprobeCost.of(bytes, 0);
        String firstName = mnemonic(bytes, 0, first);
        if (firstCost == UprobeCost.Handling.EMULATED || firstCost == UprobeCost.Handling.TRAMPOLINE) {
            return stay(entry, firstName, firstCost, -1, null, null);
        }
        State s = new State();
        int at = 0;
        long written = 0;
        int skipped = 0;
        String stop = null;
        long target = -1;
        String targetName = null;
        List<String> writers = new ArrayList<>(); // per register bit: the first skipped instruction writing it
        for (int k = 0; k < 16; k++) {
            writers.add(null);
        }
        while (true) {
            if (at >= n) {
                stop = "the copy ends before any instruction the kernel emulates";
                break;
            }
            Instruction i = d.decode(at);
            UprobeCost.Handling h = UprobeCost.of(bytes, at);
            String name = mnemonic(bytes, at, i);
            if (at > 0 && (h == UprobeCost.Handling.EMULATED || h == UprobeCost.Handling.TRAMPOLINE)) {
                target = entry + at;
                targetName = name;
                break;
            }
            if (skipped == MAX_SKIPPED) {
                stop = "none of its first " + MAX_SKIPPED + " instructions is one the kernel emulates";
                break;
            }
            if (i.flow() != Flow.OTHER && i.flow() != Flow.ENDBR64) {
                stop = "the " + name + " at +0x" + Integer.toHexString(at) + " comes before any instruction the kernel"
                        + " emulates, and nothing past a branch, call or return is sure to run";
                break;
            }
            Effect e = effect(bytes, at, i, s);
            if (e.stop != null) {
                stop = "the " + name + " at +0x" + Integer.toHexString(at) + " " + e.stop;
                break;
            }
            for (int r = 0; r < 16; r++) {
                if ((e.writes & (1L << r)) != 0 && writers.get(r) == null) {
                    writers.set(r, name + " at +0x" + Integer.toHexString(at));
                }
            }
            written |= e.writes;
            skipped++;
            at += i.length();
        }
        if (stop != null) {
            return stay(entry, firstName, firstCost, -1, null, "not moved: " + stop);
        }
        String where = "+0x" + Long.toHexString(target - entry) + " (" + targetName + ")";
        if (uretprobe) {
            return stay(entry, firstName, firstCost, target, targetName, "not moved to " + where + ": its returns are"
                    + " taken with a uretprobe, which must fire at the real entry (it replaces the return address at"
                    + " [rsp])");
        }
        if ((readRegisters & (1L << (PtRegs.EFLAGS.offset() / 8))) != 0) {
            return stay(entry, firstName, firstCost, target, targetName, "not moved to " + where + ": the probe"
                    + " records eflags, which the skipped instructions may change");
        }
        long read = x86Registers(readRegisters);
        for (int r = 0; r < 16; r++) {
            if (r != RSP && (written & read & (1L << r)) != 0) {
                return stay(entry, firstName, firstCost, target, targetName, "not moved to " + where + ": the "
                        + writers.get(r) + " writes " + REG64[r] + ", which the probe records");
            }
        }
        for (long x : exits) {
            if (x > entry && x <= target) {
                return stay(entry, firstName, firstCost, target, targetName, "not moved to " + where + ": the copy is"
                        + " left there, and a return probe and a call probe at one address fire in no set order");
            }
        }
        String entered = branchInto(d, n, entry, target);
        if (entered != null) {
            return stay(entry, firstName, firstCost, target, targetName, "not moved to " + where + ": " + entered);
        }
        List<String> kept = new ArrayList<>();
        for (int r : ARGUMENT_ORDER) {
            if ((read & (1L << r)) != 0) {
                kept.add(REG64[r]);
            }
        }
        return new Decision(entry, target, skipped, (int) -s.known[RSP], firstName, firstCost, targetName,
                UprobeCost.of(bytes, (int) (target - entry)), target, targetName, kept, null);
    }

    private static Decision stay(long entry, String name, UprobeCost.Handling h, long target, String targetName,
                                 String reason) {
        return new Decision(entry, entry, 0, 0, name, h, name, h, target, targetName, List.of(), reason);
    }

    /** Why a branch of the copy may enter (entry, target], or null: the whole copy is decoded. */
    private static String branchInto(X86Decoder d, int n, long entry, long target) {
        for (int at = 0; at < n; ) {
            Instruction i = d.decode(at);
            if (i.flow() == Flow.INVALID) {
                return "its code could not be decoded past +0x" + Integer.toHexString(at)
                        + ", so a branch there could land in the skipped instructions";
            }
            // A jmp through one rip-relative slot (the GOT, a vtable-free function pointer) is a tail call to what
            // the slot holds, a symbol's address; a jump table needs an index or a computed register.
            boolean slot = !i.rmIsRegister() && i.base() == Instruction.RIP && i.index() == Instruction.NO_REG;
            if (i.flow() == Flow.JMP_INDIRECT && !slot) {
                return "it has an indirect jmp at +0x" + Integer.toHexString(at)
                        + ", which could land in the skipped instructions (a jump table)";
            }
            if (i.target() > entry && i.target() <= target) {
                return "the " + mnemonic(null, at, i) + " at +0x" + Integer.toHexString(at) + " jumps to +0x"
                        + Long.toHexString(i.target() - entry) + ", so the skipped instructions do not run on every"
                        + " path to the probe";
            }
            at += i.length();
        }
        return null;
    }

    /** The x86 register bits (0 rax .. 15 r15) of pt_regs slots (FetchPlan.registers). */
    static long x86Registers(long ptRegsMask) {
        long out = 0;
        for (PtRegs r : PtRegs.values()) {
            if (r.offset() / 8 < 64 && (ptRegsMask & (1L << (r.offset() / 8))) != 0) {
                int k = java.util.Arrays.asList(REG64).indexOf(r.name().toLowerCase(Locale.ROOT));
                if (k >= 0) {
                    out |= 1L << k;
                }
            }
        }
        return out;
    }

    /** Registers known to hold the entry rsp plus a constant (null: not known); rsp is always known while we go on. */
    static final class State {
        final Long[] known = new Long[16];

        State() {
            known[RSP] = 0L;
        }
    }

    /** What one skipped instruction did: registers written (bit per register), or why the search stops there. */
    record Effect(long writes, String stop) {
        static Effect stop(String why) {
            return new Effect(0, why);
        }
    }

    /** The fields of one instruction as this model reads them (legacy and REX prefixes, maps 0 and 0F only). */
    static final class Fields {
        int p66, rep, segment, lock, addr32;
        int rex;
        int map;
        int op;
        int modrm = -1;
        int sib = -1;
        long disp;
        long imm;
        int length;

        boolean w() { return (rex & 8) != 0; }

        int mod() { return modrm >> 6; }

        int regField() { return (modrm >> 3) & 7; }

        int reg() { return regField() | ((rex & 4) << 1); }

        int rm() { return (modrm & 7) | ((rex & 1) << 3); }

        /** Base register of the memory operand, 16 for rip, -1 for none. */
        int base() {
            if (sib >= 0) {
                int b = sib & 7;
                return (b == 5 && mod() == 0) ? -1 : b | ((rex & 1) << 3);
            }
            return (modrm & 7) == 5 && mod() == 0 ? 16 : rm();
        }

        int index() {
            if (sib < 0) {
                return -1;
            }
            int i = ((sib >> 3) & 7) | ((rex & 2) << 2);
            return i == 4 ? -1 : i;
        }

        /** Operand size of a non-byte operation: 8, 4 or 2. */
        int size() {
            return w() ? 8 : p66 != 0 ? 2 : 4;
        }
    }

    /**
     * Parses prefixes, opcode, ModRM, SIB, displacement and an immediate of immBytes(fields) bytes; null when the
     * bytes are not one of the forms modelled (VEX, 3-byte maps) or disagree with the decoder's length.
     */
    static Fields parse(byte[] code, int at, Instruction insn) {
        Fields f = new Fields();
        int p = at;
        int end = Math.min(code.length, at + insn.length());
        while (p < end) {
            int b = code[p] & 0xff;
            if (b == 0x66) {
                f.p66 = 1;
            } else if (b == 0xf2 || b == 0xf3) {
                f.rep = b;
            } else if (b == 0x2e || b == 0x36 || b == 0x3e || b == 0x26 || b == 0x64 || b == 0x65) {
                f.segment = b;
            } else if (b == 0xf0) {
                f.lock = 1;
            } else if (b == 0x67) {
                f.addr32 = 1;
            } else {
                break;
            }
            p++;
        }
        if (p < end && (code[p] & 0xf0) == 0x40) {
            f.rex = code[p++] & 0xff;
        }
        if (p >= end) {
            return null;
        }
        f.op = code[p++] & 0xff;
        if (f.op == 0x0f) {
            if (p >= end) {
                return null;
            }
            f.map = 1;
            f.op = code[p++] & 0xff;
            if (f.op == 0x38 || f.op == 0x3a) {
                return null;
            }
        } else if (f.op == 0xc4 || f.op == 0xc5 || f.op == 0x62) {
            return null;
        }
        if (hasModrm(f)) {
            if (p >= end) {
                return null;
            }
            f.modrm = code[p++] & 0xff;
            int mod = f.mod();
            if (mod != 3 && (f.modrm & 7) == 4) {
                if (p >= end) {
                    return null;
                }
                f.sib = code[p++] & 0xff;
            }
            int dispBytes = mod == 1 ? 1 : mod == 2 ? 4 : 0;
            if (mod == 0 && ((f.modrm & 7) == 5 || (f.sib >= 0 && (f.sib & 7) == 5))) {
                dispBytes = 4;
            }
            if (p + dispBytes > end) {
                return null;
            }
            f.disp = signed(code, p, dispBytes);
            p += dispBytes;
        }
        int immBytes = immBytes(f);
        if (immBytes < 0 || p + immBytes != end) {
            return null;
        }
        f.imm = signed(code, p, Math.min(immBytes, 8));
        f.length = end - at;
        return f;
    }

    /** The n-byte (0-8) little-endian value at code[p], sign-extended: an instruction's displacement or immediate. */
    static long signed(byte[] code, int p, int n) {
        long v = 0;
        for (int k = n - 1; k >= 0; k--) {
            v = (v << 8) | (code[p + k] & 0xff);
        }
        return n == 0 || n == 8 ? v : (v << (64 - 8 * n)) >> (64 - 8 * n);
    }

    private static boolean hasModrm(Fields f) {
        int op = f.op;
        if (f.map == 1) {
            return !(op >= 0x80 && op <= 0x8f);
        }
        if (op < 0x40) {
            return (op & 7) < 4;
        }
        return op == 0x63 || op == 0x69 || op == 0x6b || (op >= 0x80 && op <= 0x8f) || op == 0xc0 || op == 0xc1
                || op == 0xc6 || op == 0xc7 || (op >= 0xd0 && op <= 0xd3) || op == 0xf6 || op == 0xf7 || op == 0xfe
                || op == 0xff;
    }

    /** Immediate bytes of the modelled forms; -1 for an opcode this model does not know. */
    private static int immBytes(Fields f) {
        int op = f.op;
        int z = f.p66 != 0 && !f.w() ? 2 : 4;
        if (f.map == 1) {
            return op == 0x70 || op == 0xba || op == 0xc2 || op == 0xc6 || (op >= 0x71 && op <= 0x73)
                    || op == 0xa4 || op == 0xac || op == 0xc4 || op == 0xc5 ? 1 : 0;
        }
        if (op < 0x40) {
            return (op & 7) == 4 ? 1 : (op & 7) == 5 ? z : 0;
        }
        if (op >= 0xb0 && op <= 0xb7) {
            return 1;
        }
        if (op >= 0xb8 && op <= 0xbf) {
            return f.w() ? 8 : z;
        }
        return switch (op) {
            case 0x68, 0x69, 0x81, 0xa9, 0xc7 -> z;
            case 0x6a, 0x6b, 0x80, 0x83, 0xa8, 0xc0, 0xc1, 0xc6 -> 1;
            case 0xf6 -> f.modrm >= 0 && f.regField() <= 1 ? 1 : 0;
            case 0xf7 -> f.modrm >= 0 && f.regField() <= 1 ? z : 0;
            default -> 0;
        };
    }

    /** A register written by a byte operation: without REX, numbers 4-7 are ah, ch, dh, bh (rax, rcx, rdx, rbx). */
    private static int byteReg(int r, Fields f) {
        return f.rex == 0 && r >= 4 && r < 8 ? r - 4 : r;
    }

    /**
     * Applies one instruction to the state: the registers it writes, rsp and the registers known to hold an
     * entry-rsp-relative address, and whether its stores land strictly below the entry rsp. Anything not modelled
     * stops the search.
     */
    static Effect effect(byte[] code, int at, Instruction insn, State s) {
        Fields f = parse(code, at, insn);
        if (f == null) {
            return Effect.stop("is an instruction this model does not know");
        }
        if (f.lock != 0) {
            return Effect.stop("is a locked instruction (it stores to memory others share)");
        }
        int op = f.op;
        if (f.map == 1) {
            return twoByte(f, s);
        }
        if (op < 0x40 && (op & 7) < 6) {
            // add or adc and sbb sub xor cmp: rows 0-7; forms r/m,r (0,1) r,r/m (2,3) al/eax,imm (4,5)
            int row = op >> 3;
            int form = op & 7;
            boolean cmp = row == 7;
            boolean bytes = (form & 1) == 0;
            if (form == 4 || form == 5) {
                return cmp ? none() : writeReg(s, 0, null);
            }
            if (form >= 2) {
                return cmp ? none() : writeReg(s, bytes ? byteReg(f.reg(), f) : f.reg(), null);
            }
            if (cmp) {
                return none();
            }
            if (f.mod() != 3) {
                return store(f, s, bytes ? 1 : f.size());
            }
            int dst = bytes ? byteReg(f.rm(), f) : f.rm();
            return writeReg(s, dst, null);
        }
        if (op >= 0x50 && op <= 0x57) {
            return push(s);
        }
        if (op == 0x68 || op == 0x6a) {
            return push(s);
        }
        if (op == 0x63 || op == 0x69 || op == 0x6b) {
            return writeReg(s, f.reg(), null);
        }
        if (op == 0x80 || op == 0x81 || op == 0x83) {
            int ext = f.regField();
            boolean bytes = op == 0x80;
            if (ext == 7) {
                return none();
            }
            if (f.mod() != 3) {
                return store(f, s, bytes ? 1 : f.size());
            }
            int dst = bytes ? byteReg(f.rm(), f) : f.rm();
            Long base = s.known[dst];
            // add/sub of a constant to a 64-bit register known to hold entry rsp + k keeps it known
            Long value = !bytes && f.w() && base != null && (ext == 0 || ext == 5)
                    ? (ext == 0 ? base + f.imm : base - f.imm) : null;
            return writeReg(s, dst, value);
        }
        if (op == 0x84 || op == 0x85 || op == 0xa8 || op == 0xa9) {
            return none();
        }
        if (op == 0x88 || op == 0x89) {
            boolean bytes = op == 0x88;
            if (f.mod() != 3) {
                return store(f, s, bytes ? 1 : f.size());
            }
            int dst = bytes ? byteReg(f.rm(), f) : f.rm();
            Long value = !bytes && f.w() ? s.known[f.reg()] : null;
            return writeReg(s, dst, value);
        }
        if (op == 0x8a || op == 0x8b) {
            boolean bytes = op == 0x8a;
            int dst = bytes ? byteReg(f.reg(), f) : f.reg();
            Long value = !bytes && f.w() && f.mod() == 3 ? s.known[f.rm()] : null;
            return writeReg(s, dst, value);
        }
        if (op == 0x8d) {
            int b = f.base();
            Long value = f.w() && f.addr32 == 0 && f.index() < 0 && b >= 0 && b < 16 && s.known[b] != null
                    ? s.known[b] + f.disp : null;
            return writeReg(s, f.reg(), value);
        }
        if (op == 0x90 && (f.rex & 1) == 0 && f.rep == 0) {
            return none();
        }
        if (op >= 0xb0 && op <= 0xb7) {
            return writeReg(s, byteReg((op & 7) | ((f.rex & 1) << 3), f), null);
        }
        if (op >= 0xb8 && op <= 0xbf) {
            return writeReg(s, (op & 7) | ((f.rex & 1) << 3), null);
        }
        if (op == 0xc0 || op == 0xc1 || (op >= 0xd0 && op <= 0xd3)) {
            if (f.regField() == 6) {
                return Effect.stop("is an instruction this model does not know");
            }
            boolean bytes = (op & 1) == 0;
            return f.mod() != 3 ? store(f, s, bytes ? 1 : f.size()) : writeReg(s, bytes ? byteReg(f.rm(), f) : f.rm(),
                    null);
        }
        if ((op == 0xc6 || op == 0xc7) && f.regField() == 0) {
            boolean bytes = op == 0xc6;
            return f.mod() != 3 ? store(f, s, bytes ? 1 : f.size()) : writeReg(s, bytes ? byteReg(f.rm(), f) : f.rm(),
                    null);
        }
        if (op == 0xf6 || op == 0xf7) {
            int ext = f.regField();
            boolean bytes = op == 0xf6;
            if (ext <= 1) {
                return none();
            }
            if (ext == 2 || ext == 3) { // not, neg
                return f.mod() != 3 ? store(f, s, bytes ? 1 : f.size())
                        : writeReg(s, bytes ? byteReg(f.rm(), f) : f.rm(), null);
            }
            return Effect.stop("is a multiply or divide, which this model does not follow");
        }
        if (op == 0xfe || op == 0xff) {
            int ext = f.regField();
            boolean bytes = op == 0xfe;
            if (ext <= 1) { // inc, dec
                return f.mod() != 3 ? store(f, s, bytes ? 1 : f.size())
                        : writeReg(s, bytes ? byteReg(f.rm(), f) : f.rm(), null);
            }
            if (!bytes && ext == 6) {
                return push(s);
            }
        }
        return Effect.stop("is an instruction this model does not know");
    }

    /** The 0F map: nops, endbr64, cmovcc, setcc, imul, movzx/movsx, and SSE moves that write only xmm registers. */
    private static Effect twoByte(Fields f, State s) {
        int op = f.op;
        if (op == 0x1f && f.regField() == 0 || op == 0x1e && f.rep == 0xf3 && f.modrm == 0xfa) {
            return none();
        }
        if (op >= 0x40 && op <= 0x4f) {
            return writeReg(s, f.reg(), null);
        }
        if (op >= 0x90 && op <= 0x9f) {
            return f.mod() != 3 ? store(f, s, 1) : writeReg(s, byteReg(f.rm(), f), null);
        }
        if (op == 0xaf || op == 0xb6 || op == 0xb7 || op == 0xbe || op == 0xbf || op == 0xbc || op == 0xbd
                || op == 0xb8 && f.rep == 0xf3) { // imul, movzx/movsx, bsf/bsr/tzcnt/lzcnt, popcnt
            return writeReg(s, f.reg(), null);
        }
        if (op == 0xa3 || op == 0xba && f.regField() == 4) { // bt: flags only
            return none();
        }
        if (op == 0xba && f.regField() >= 5) { // bts/btr/btc with an immediate bit: within the operand
            return f.mod() != 3 ? store(f, s, f.size()) : writeReg(s, f.rm(), null);
        }
        if ((op == 0xab || op == 0xb3 || op == 0xbb) && f.mod() == 3) { // bts/btr/btc reg, reg
            return writeReg(s, f.rm(), null);
        }
        // SSE moves. xmm registers are never what a probe reads (pt_regs has none), so writing one changes nothing
        // it records; a store to memory is checked like any other.
        boolean mmx = f.p66 == 0 && f.rep == 0;
        if (op >= 0x51 && op <= 0x5f || op == 0x14 || op == 0x15 || op == 0x2a) {
            // scalar and packed float arithmetic, conversions into xmm: an xmm destination, memory only read
            return none();
        }
        if (op == 0x2e || op == 0x2f) { // ucomis/comis: flags only
            return none();
        }
        if (op == 0x2c || op == 0x2d) { // cvtt/cvt float to integer: a general register destination
            return f.rep != 0 ? writeReg(s, f.reg(), null) : Effect.stop("writes an MMX register");
        }
        if (f.p66 != 0 && f.rep == 0 && (op >= 0x60 && op <= 0x6d || op >= 0x74 && op <= 0x76 || op == 0xd4
                || op >= 0xd8 && op <= 0xe5 && op != 0xe7 || op >= 0xe8 && op <= 0xfe && op != 0xf7)) {
            // SSE2 integer arithmetic, compares, shuffles and unpacks: an xmm destination, memory only read
            return none();
        }
        if (op == 0xd7 && f.p66 != 0 && f.mod() == 3) { // pmovmskb r, xmm
            return writeReg(s, f.reg(), null);
        }
        switch (op) {
            case 0x10, 0x28, 0x57 -> { // movups/movupd/movss/movsd, movaps/movapd, xorps/xorpd: xmm destination
                return op == 0x10 || f.rep == 0 ? none() : Effect.stop("is an instruction this model does not know");
            }
            case 0x6f, 0xef -> { // movdqa/movdqu, pxor: only with 66/F3 (without, they write MMX registers)
                return mmx || (op == 0xef && f.rep != 0) ? Effect.stop("writes an MMX register") : none();
            }
            case 0x6e -> { // movd/movq xmm, r/m
                return f.p66 != 0 && f.rep == 0 ? none() : Effect.stop("writes an MMX register");
            }
            case 0x11 -> {
                int size = f.rep == 0xf3 ? 4 : f.rep == 0xf2 ? 8 : 16;
                return f.mod() == 3 ? none() : store(f, s, size);
            }
            case 0x29 -> {
                return f.rep != 0 ? Effect.stop("is an instruction this model does not know")
                        : f.mod() == 3 ? none() : store(f, s, 16);
            }
            case 0x7f -> {
                return mmx ? Effect.stop("writes an MMX register") : f.mod() == 3 ? none() : store(f, s, 16);
            }
            case 0xd6 -> {
                return f.p66 == 0 || f.rep != 0 ? Effect.stop("is an instruction this model does not know")
                        : f.mod() == 3 ? none() : store(f, s, 8);
            }
            default -> {
                return Effect.stop("is an instruction this model does not know");
            }
        }
    }

    private static Effect none() {
        return new Effect(0, null);
    }

    /** r is written; value: what it holds relative to the entry rsp when known. rsp must stay known and <= 0. */
    private static Effect writeReg(State s, int r, Long value) {
        if (r == RSP) {
            if (value == null) {
                return Effect.stop("changes rsp by an amount the code does not fix");
            }
            if (value > 0) {
                return Effect.stop("moves rsp above the entry rsp");
            }
            if (value < -(1 << 20)) {
                return Effect.stop("lowers rsp by more than 1 MiB");
            }
        }
        s.known[r] = value;
        return new Effect(1L << r, null);
    }

    private static Effect push(State s) {
        long rsp = s.known[RSP] - 8;
        s.known[RSP] = rsp;
        return rsp + 8 <= 0 ? new Effect(1L << RSP, null) : Effect.stop("pushes onto the caller's frame");
    }

    /** A store of size bytes through the memory operand: allowed only at a known place strictly below the entry rsp. */
    private static Effect store(Fields f, State s, int size) {
        int b = f.base();
        if (f.segment == 0x64 || f.segment == 0x65) {
            return Effect.stop("stores through fs/gs (thread-local memory)");
        }
        if (b < 0 || b == 16 || f.index() >= 0 || f.addr32 != 0 || s.known[b] == null) {
            String through = b == 16 ? "a rip-relative address (a global)" : b >= 0 && b < 16 && f.index() < 0
                    ? REG64[b] : "a computed address";
            return Effect.stop("stores through " + through + ", not into the new frame below the entry rsp");
        }
        long from = s.known[b] + f.disp;
        if (from + size > 0) {
            return Effect.stop("stores at entry rsp" + (from < 0 ? "-0x" + Long.toHexString(-from)
                    : "+0x" + Long.toHexString(from)) + ", not strictly below the entry rsp");
        }
        return none();
    }

    /** A short name for an instruction in explanations: the modelled forms by name, anything else by its first byte. */
    static String mnemonic(byte[] code, int at, Instruction i) {
        switch (i.flow()) {
            case RET, RET_FAR: return "ret";
            case JMP: return "jmp";
            case CALL: return "call";
            case JMP_INDIRECT: return "indirect jmp";
            case CALL_INDIRECT: return "indirect call";
            case ENDBR64: return "endbr64";
            case UD2: return "ud2";
            case INT3: return "int3";
            case HLT: return "hlt";
            case INVALID: return "undecodable bytes";
            case JCC: {
                int op = i.opcode() & 0xff;
                return (i.opcode() >> 8) == 0 && op >= 0xe0 ? (op == 0xe3 ? "jrcxz" : "loop")
                        : "j" + CC[op & 15];
            }
            default: break;
        }
        int map = i.opcode() >> 8;
        int op = i.opcode() & 0xff;
        if (map == 0) {
            if (op < 0x40 && (op & 7) < 6) {
                return new String[] {"add", "or", "adc", "sbb", "and", "sub", "xor", "cmp"}[op >> 3];
            }
            if (op >= 0x50 && op <= 0x57 || op == 0x68 || op == 0x6a) {
                return "push";
            }
            if (op >= 0x58 && op <= 0x5f) {
                return "pop";
            }
            if (op == 0x80 || op == 0x81 || op == 0x83) {
                return new String[] {"add", "or", "adc", "sbb", "and", "sub", "xor", "cmp"}[(i.modrm() >> 3) & 7];
            }
            if (op == 0x84 || op == 0x85 || op == 0xa8 || op == 0xa9) {
                return "test";
            }
            if (op >= 0x88 && op <= 0x8c || op >= 0xb0 && op <= 0xbf || op == 0xc6 || op == 0xc7) {
                return "mov";
            }
            if (op == 0x8d) {
                return "lea";
            }
            if (op == 0x63) {
                return "movsxd";
            }
            if (op == 0x90) {
                return "nop";
            }
            if (op == 0x69 || op == 0x6b) {
                return "imul";
            }
            if (op == 0xc0 || op == 0xc1 || op >= 0xd0 && op <= 0xd3) {
                return new String[] {"rol", "ror", "rcl", "rcr", "shl", "shr", "sal", "sar"}[(i.modrm() >> 3) & 7];
            }
            if (op == 0xf6 || op == 0xf7) {
                return new String[] {"test", "test", "not", "neg", "mul", "imul", "div", "idiv"}[(i.modrm() >> 3) & 7];
            }
            if (op == 0xfe || op == 0xff) {
                return new String[] {"inc", "dec", "call", "call", "jmp", "jmp", "push", "?"}[(i.modrm() >> 3) & 7];
            }
        } else if (map == 1) {
            if (op == 0x1f) {
                return "nop";
            }
            if (op >= 0x40 && op <= 0x4f) {
                return "cmov" + CC[op & 15];
            }
            if (op >= 0x90 && op <= 0x9f) {
                return "set" + CC[op & 15];
            }
            if (op == 0xaf) {
                return "imul";
            }
            if (op == 0xb6 || op == 0xb7) {
                return "movzx";
            }
            if (op == 0xbe || op == 0xbf) {
                return "movsx";
            }
            if (op == 0x10 || op == 0x11 || op == 0x28 || op == 0x29 || op == 0x6f || op == 0x7f || op == 0xd6
                    || op == 0x6e || op == 0x7e) {
                return "sse mov";
            }
            if (op >= 0x51 && op <= 0x5f || op == 0x14 || op == 0x15 || op >= 0x2a && op <= 0x2f || op == 0xef) {
                return "sse arithmetic";
            }
        }
        StringBuilder hex = new StringBuilder("instruction");
        if (code != null) {
            for (int k = at; k < Math.min(code.length, at + Math.min(i.length(), 4)); k++) {
                hex.append(' ').append(String.format("%02x", code[k] & 0xff));
            }
        }
        return hex.toString();
    }
}
