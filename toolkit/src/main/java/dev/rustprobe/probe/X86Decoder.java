// Length decoder for x86-64 (64-bit mode) machine code with the control-flow classification the exit finder needs.
// Tables follow the Intel SDM opcode maps; bytes that are not an instruction give Flow.INVALID, never an exception.
package dev.rustprobe.probe;

import dev.rustprobe.probe.Instruction.Flow;
import dev.rustprobe.probe.Instruction.Invalid;

import java.nio.ByteBuffer;

public final class X86Decoder {

    private static final int MAX_LENGTH = 15;

    // Operand-layout codes of the one-byte map: ModRM flag and immediate kind.
    private static final int M = 1;           // has ModRM
    private static final int IB = 2, IW = 4, IZ = 6, IV = 8, MOFFS = 10, IWB = 12, REL8 = 14, REL32 = 16;
    private static final int IMM_MASK = 30;
    private static final int BAD = 32, PREFIX = 64, SPECIAL = 128;

    private static final int[] ONE = new int[256];
    private static final int[] TWO = new int[256];
    private static final boolean[] MAP38 = new boolean[256];
    private static final boolean[] MAP3A = new boolean[256];

    static {
        for (int row = 0; row < 0x40; row += 8) {
            ONE[row] = M; ONE[row + 1] = M; ONE[row + 2] = M; ONE[row + 3] = M;
            ONE[row + 4] = IB; ONE[row + 5] = IZ;
        }
        for (int b : new int[] {0x06, 0x07, 0x0E, 0x16, 0x17, 0x1E, 0x1F, 0x27, 0x2F, 0x37, 0x3F, 0x60, 0x61, 0x82,
                0x9A, 0xCE, 0xD4, 0xD5, 0xD6, 0xEA}) {
            ONE[b] = BAD;
        }
        for (int b : new int[] {0x26, 0x2E, 0x36, 0x3E, 0x64, 0x65, 0x66, 0x67, 0xF0, 0xF2, 0xF3}) {
            ONE[b] = PREFIX;
        }
        for (int b = 0x40; b <= 0x4F; b++) ONE[b] = PREFIX;
        ONE[0x0F] = SPECIAL; ONE[0x62] = SPECIAL; ONE[0xC4] = SPECIAL; ONE[0xC5] = SPECIAL;
        ONE[0x63] = M;
        ONE[0x68] = IZ; ONE[0x69] = M | IZ; ONE[0x6A] = IB; ONE[0x6B] = M | IB;
        for (int b = 0x70; b <= 0x7F; b++) ONE[b] = REL8;
        ONE[0x80] = M | IB; ONE[0x81] = M | IZ; ONE[0x83] = M | IB;
        for (int b = 0x84; b <= 0x8F; b++) ONE[b] = M;
        for (int b = 0xA0; b <= 0xA3; b++) ONE[b] = MOFFS;
        ONE[0xA8] = IB; ONE[0xA9] = IZ;
        for (int b = 0xB0; b <= 0xB7; b++) ONE[b] = IB;
        for (int b = 0xB8; b <= 0xBF; b++) ONE[b] = IV;
        ONE[0xC0] = M | IB; ONE[0xC1] = M | IB; ONE[0xC2] = IW; ONE[0xC6] = M | IB; ONE[0xC7] = M | IZ;
        ONE[0xC8] = IWB; ONE[0xCA] = IW; ONE[0xCD] = IB;
        for (int b = 0xD0; b <= 0xD3; b++) ONE[b] = M;
        for (int b = 0xD8; b <= 0xDF; b++) ONE[b] = M;
        for (int b = 0xE0; b <= 0xE3; b++) ONE[b] = REL8;
        for (int b = 0xE4; b <= 0xE7; b++) ONE[b] = IB;
        ONE[0xE8] = REL32; ONE[0xE9] = REL32; ONE[0xEB] = REL8;
        ONE[0xF6] = M; ONE[0xF7] = M; ONE[0xFE] = M; ONE[0xFF] = M;

        // 0F map: ModRM unless listed otherwise.
        for (int b = 0; b < 256; b++) TWO[b] = M;
        for (int b : new int[] {0x04, 0x0A, 0x0C, 0x24, 0x25, 0x26, 0x27, 0x36, 0x39, 0x3B, 0x3C, 0x3D,
                0x3E, 0x3F, 0x7A, 0x7B, 0xA6, 0xA7}) {
            TWO[b] = BAD;
        }
        for (int b : new int[] {0x05, 0x06, 0x07, 0x08, 0x09, 0x0B, 0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x37, 0x77,
                0xA0, 0xA1, 0xA2, 0xA8, 0xA9, 0xAA}) {
            TWO[b] = 0;
        }
        for (int b = 0xC8; b <= 0xCF; b++) TWO[b] = 0;
        for (int b = 0x80; b <= 0x8F; b++) TWO[b] = REL32;
        for (int b : new int[] {0x70, 0x71, 0x72, 0x73, 0xA4, 0xAC, 0xBA, 0xC2, 0xC4, 0xC5, 0xC6}) TWO[b] = M | IB;
        // AMD 3DNow!: femms, and 0F 0F ModRM with the operation in a trailing byte. Only lengths, so that data
        // inside .text decodes as objdump shows it; compilers do not emit these.
        TWO[0x0E] = 0; TWO[0x0F] = M | IB;
        // mov to/from control and debug registers: the ModRM always names registers, whatever its mod bits say
        for (int b = 0x20; b <= 0x23; b++) TWO[b] = SPECIAL;
        TWO[0x38] = SPECIAL; TWO[0x3A] = SPECIAL; TWO[0x78] = SPECIAL | M; TWO[0xB8] = SPECIAL | M;

        int[][] map38 = {{0x00, 0x0B}, {0x10, 0x10}, {0x14, 0x15}, {0x17, 0x17}, {0x1C, 0x1E}, {0x20, 0x25},
                {0x28, 0x2B}, {0x30, 0x35}, {0x37, 0x41}, {0x80, 0x82}, {0xC8, 0xCD}, {0xCF, 0xCF}, {0xD8, 0xDF},
                {0xF0, 0xF1}, {0xF5, 0xF6}, {0xF8, 0xFB}};
        for (int[] r : map38) for (int b = r[0]; b <= r[1]; b++) MAP38[b] = true;
        int[][] map3a = {{0x08, 0x0F}, {0x14, 0x17}, {0x20, 0x22}, {0x40, 0x42}, {0x44, 0x44}, {0x60, 0x63},
                {0xCC, 0xCC}, {0xCE, 0xCF}, {0xDF, 0xDF}};
        for (int[] r : map3a) for (int b = r[0]; b <= r[1]; b++) MAP3A[b] = true;
    }

    private final ByteBuffer code;
    private final long baseAddress;

    /** A decoder over code whose byte at index 0 sits at baseAddress; decoding never reads at or past code.limit(). */
    public X86Decoder(ByteBuffer code, long baseAddress) {
        this.code = code;
        this.baseAddress = baseAddress;
    }

    public X86Decoder(byte[] code, long baseAddress) {
        this(ByteBuffer.wrap(code), baseAddress);
    }

    /** Decodes the instruction starting at the buffer index offset (0 <= offset < limit). */
    public Instruction decode(int offset) {
        return new Cursor(offset).run();
    }

    /** Decodes the instruction at a virtual address. */
    public Instruction decodeAt(long address) {
        return decode(Math.toIntExact(address - baseAddress));
    }

    /** Signals that decoding ran out of the buffer or past 15 bytes; caught inside decode. */
    private static final class Stop extends Exception {
        final Invalid why;

        Stop(Invalid why) {
            super(null, null, false, false);
            this.why = why;
        }
    }

    private static final Stop TRUNCATED = new Stop(Invalid.TRUNCATED);
    private static final Stop TOO_LONG = new Stop(Invalid.TOO_LONG);

    private final class Cursor {
        final int start;
        final int stop;
        int p;
        int prefixes;
        int lastRep;      // 0, 0xF2 or 0xF3: the last of the two wins as a mandatory prefix
        int rex;
        int modrm = -1;
        int sib = -1;
        int opcode;

        Cursor(int offset) {
            start = offset;
            p = offset;
            stop = Math.min(code.limit(), offset + MAX_LENGTH);
        }

        int next() throws Stop {
            if (p >= stop) {
                throw p >= code.limit() ? TRUNCATED : TOO_LONG;
            }
            return code.get(p++) & 0xFF;
        }

        void skip(int n) throws Stop {
            if (p + n > stop) {
                throw p + n > code.limit() ? TRUNCATED : TOO_LONG;
            }
            p += n;
        }

        long signed(int n) throws Stop {
            if (p + n > stop) {
                throw p + n > code.limit() ? TRUNCATED : TOO_LONG;
            }
            long v = switch (n) {
                case 1 -> code.get(p);
                case 2 -> (short) ((code.get(p) & 0xFF) | (code.get(p + 1) << 8));
                default -> (code.get(p) & 0xFF) | ((code.get(p + 1) & 0xFF) << 8) | ((code.get(p + 2) & 0xFF) << 16)
                        | (code.get(p + 3) << 24);
            };
            p += n;
            return v;
        }

        Instruction run() {
            if (start < 0 || start >= code.limit()) {
                return invalid(Invalid.TRUNCATED);
            }
            try {
                return decodeAll();
            } catch (Stop s) {
                return invalid(s.why);
            }
        }

        Instruction invalid(Invalid why) {
            return new Instruction(baseAddress + start, 1, Flow.INVALID, -1, opcode, modrm, sib, rex, prefixes, why);
        }

        Instruction done(Flow flow, long target) {
            return new Instruction(baseAddress + start, p - start, flow, target, opcode, modrm, sib, rex, prefixes,
                    Invalid.NONE);
        }

        Instruction undefined() {
            return invalid(Invalid.UNDEFINED_OPCODE);
        }

        Instruction decodeAll() throws Stop {
            int b;
            int afterFwait = -1;
            while (true) {
                b = next();
                // objdump scans fwait (9B) with the prefixes: "fstcw" is fwait + fnstcw, shown as one instruction.
                boolean fwait = b == 0x9B && afterFwait < 0;
                if ((ONE[b] & PREFIX) == 0 && !fwait) {
                    break;
                }
                if (rex != 0) {
                    // A REX prefix followed by another prefix does nothing (the CPU ignores it). objdump shows the
                    // prefixes up to it as an instruction of their own, and we draw the boundary where it does, so
                    // listings agree; compilers never emit this, it appears only in data inside .text.
                    p--;
                    if (afterFwait >= 0 && p - start > 1) {
                        p--; // objdump counts the prefixes it names, and fwait is not one of them
                    }
                    return done(Flow.OTHER, -1);
                }
                if (fwait) {
                    afterFwait = p;
                    continue;
                }
                if ((b & 0xF0) == 0x40) {
                    rex = b;
                    continue;
                }
                rex = 0; // a REX prefix counts only directly before the opcode
                switch (b) {
                    case 0xF0 -> prefixes |= Instruction.P_LOCK;
                    case 0xF2 -> { prefixes |= Instruction.P_REPNE; lastRep = b; }
                    case 0xF3 -> { prefixes |= Instruction.P_REP; lastRep = b; }
                    case 0x66 -> prefixes |= Instruction.P_OPSIZE;
                    case 0x67 -> prefixes |= Instruction.P_ADDRSIZE;
                    case 0x3E -> prefixes |= Instruction.P_SEG | Instruction.P_NOTRACK;
                    default -> prefixes |= Instruction.P_SEG;
                }
            }
            opcode = b;
            if (afterFwait >= 0 && (b < 0xD8 || b > 0xDF)) { // fwait on its own, with the prefixes before it
                p = afterFwait;
                opcode = 0x9B;
                return done(Flow.OTHER, -1);
            }
            int d = ONE[b];
            if ((d & BAD) != 0) {
                return undefined();
            }
            if ((d & SPECIAL) != 0) {
                return switch (b) {
                    case 0x0F -> twoByte();
                    case 0xC5 -> vex2();
                    case 0xC4 -> vex3();
                    default -> evex();
                };
            }
            if (b == 0x8F && p < code.limit() && (code.get(p) & 0x1F) >= 8) {
                return xop();
            }
            if ((d & M) != 0) {
                modrmAndDisplacement();
                int reg = (modrm >> 3) & 7;
                boolean regForm = (modrm >> 6) == 3;
                switch (b) {
                    case 0x8D -> { if (regForm) return undefined(); }
                    case 0x8F -> { if (reg != 0) return undefined(); }
                    case 0xC6 -> { if (reg != 0 && modrm != 0xF8) return undefined(); }
                    case 0xC7 -> { if (reg != 0 && modrm != 0xF8) return undefined(); }
                    case 0xF6 -> { if (reg <= 1) skip(1); }
                    case 0xF7 -> { if (reg <= 1) skip(immZ()); }
                    case 0xFE -> { if (reg > 1) return undefined(); }
                    case 0xFF -> {
                        if (reg == 7 || ((reg == 3 || reg == 5) && regForm)) return undefined();
                        immediate(d);
                        return done(switch (reg) {
                            case 2, 3 -> Flow.CALL_INDIRECT;
                            case 4, 5 -> Flow.JMP_INDIRECT;
                            default -> Flow.OTHER;
                        }, -1);
                    }
                    default -> { }
                }
            }
            if (b == 0xC7 && modrm == 0xF8) { // xbegin rel16/32: a branch to the abort handler
                long rel = signed(immZ());
                return done(Flow.OTHER, baseAddress + p + rel);
            }
            long target = immediate(d);
            return done(switch (b) {
                case 0xC2, 0xC3 -> Flow.RET;
                case 0xCA, 0xCB -> Flow.RET_FAR;
                case 0xE8 -> Flow.CALL;
                case 0xE9, 0xEB -> Flow.JMP;
                case 0xCC -> Flow.INT3;
                case 0xF4 -> Flow.HLT;
                default -> (b >= 0x70 && b <= 0x7F) || (b >= 0xE0 && b <= 0xE3) ? Flow.JCC : Flow.OTHER;
            }, target);
        }

        int immZ() {
            return (prefixes & Instruction.P_OPSIZE) != 0 && (rex & 8) == 0 ? 2 : 4;
        }

        /** Reads the immediate of layout code d; returns the branch target for relative forms, else -1. */
        long immediate(int d) throws Stop {
            switch (d & IMM_MASK) {
                case IB -> skip(1);
                case IW -> skip(2);
                case IZ -> skip(immZ());
                case IV -> skip((rex & 8) != 0 ? 8 : immZ());
                case MOFFS -> skip((prefixes & Instruction.P_ADDRSIZE) != 0 ? 4 : 8);
                case IWB -> skip(3);
                case REL8 -> { long rel = signed(1); return baseAddress + p + rel; }
                // Near branches ignore the operand-size prefix in 64-bit mode on Intel (and in the kernel's decoder).
                case REL32 -> { long rel = signed(4); return baseAddress + p + rel; }
                default -> { }
            }
            return -1;
        }

        void modrmAndDisplacement() throws Stop {
            modrm = next();
            int mod = modrm >> 6, rm = modrm & 7;
            if (mod == 3) {
                return;
            }
            if (rm == 4) {
                sib = next();
                if (mod == 0 && (sib & 7) == 5) {
                    skip(4);
                }
            } else if (mod == 0 && rm == 5) {
                skip(4);
            }
            if (mod == 1) {
                skip(1);
            } else if (mod == 2) {
                skip(4);
            }
        }

        Instruction twoByte() throws Stop {
            int b = next();
            opcode = 0x100 | b;
            int d = TWO[b];
            if ((d & BAD) != 0) {
                return undefined();
            }
            if ((d & SPECIAL) != 0) {
                switch (b) {
                    case 0x38 -> {
                        int o = next();
                        opcode = 0x200 | o;
                        if (!MAP38[o]) return undefined();
                        modrmAndDisplacement();
                        return done(Flow.OTHER, -1);
                    }
                    case 0x3A -> {
                        int o = next();
                        opcode = 0x300 | o;
                        if (!MAP3A[o]) return undefined();
                        modrmAndDisplacement();
                        skip(1);
                        return done(Flow.OTHER, -1);
                    }
                    case 0x78 -> { // vmread; with 66 or F2 the SSE4a extrq/insertq with two imm8
                        modrmAndDisplacement();
                        if ((prefixes & (Instruction.P_OPSIZE | Instruction.P_REPNE)) != 0) skip(2);
                        return done(Flow.OTHER, -1);
                    }
                    case 0x20, 0x21, 0x22, 0x23 -> {
                        modrm = next() | 0xC0;
                        return done(Flow.OTHER, -1);
                    }
                    default -> { // B8: popcnt needs F3; without it, jmpe does not exist in 64-bit mode
                        if (lastRep != 0xF3) return undefined();
                        modrmAndDisplacement();
                        return done(Flow.OTHER, -1);
                    }
                }
            }
            if ((d & M) != 0) {
                modrmAndDisplacement();
            }
            long target = immediate(d);
            if (b >= 0x80 && b <= 0x8F) {
                return done(Flow.JCC, target);
            }
            if (b == 0x0B) {
                return done(Flow.UD2, -1);
            }
            if (b == 0x1E && lastRep == 0xF3 && modrm == 0xFA) {
                return done(Flow.ENDBR64, -1);
            }
            return done(Flow.OTHER, -1);
        }

        boolean vexForbiddenPrefixes() {
            return rex != 0 || (prefixes & (Instruction.P_LOCK | Instruction.P_REP | Instruction.P_REPNE
                    | Instruction.P_OPSIZE)) != 0;
        }

        Instruction vex2() throws Stop {
            int p0 = next();
            if (vexForbiddenPrefixes()) return undefined();
            prefixes |= Instruction.P_VEX;
            rex = 0x40 | ((~p0 >> 5) & 4);
            return vexBody(1, next());
        }

        Instruction vex3() throws Stop {
            int p0 = next();
            int p1 = next();
            if (vexForbiddenPrefixes()) return undefined();
            prefixes |= Instruction.P_VEX;
            rex = 0x40 | ((~p0 >> 5) & 7) | ((p1 >> 4) & 8);
            int map = p0 & 0x1F;
            if (map < 1 || map > 3) return undefined();
            return vexBody(map, next());
        }

        Instruction vexBody(int map, int op) throws Stop {
            opcode = (map << 8) | op;
            if (map == 1 && op == 0x77) { // vzeroupper / vzeroall
                return done(Flow.OTHER, -1);
            }
            modrmAndDisplacement();
            if (map == 3 || (map == 1 && hasImm8InMap1(op))) {
                skip(1);
            }
            return done(Flow.OTHER, -1);
        }

        boolean hasImm8InMap1(int op) {
            return (op >= 0x70 && op <= 0x73) || (op >= 0xC4 && op <= 0xC6) || op == 0xC2;
        }

        /** AMD XOP (8F with map 8-10): VEX-like, used by OpenSSL's Bulldozer code paths. */
        Instruction xop() throws Stop {
            int p0 = next();
            int p1 = next();
            if (vexForbiddenPrefixes()) return undefined();
            prefixes |= Instruction.P_VEX;
            rex = 0x40 | ((~p0 >> 5) & 7) | ((p1 >> 4) & 8);
            int map = p0 & 0x1F;
            if (map > 10) return undefined();
            opcode = (map << 8) | next();
            modrmAndDisplacement();
            skip(map == 8 ? 1 : map == 10 ? 4 : 0);
            return done(Flow.OTHER, -1);
        }

        Instruction evex() throws Stop {
            int p0 = next();
            int p1 = next();
            next(); // P2: aaa, V', b, L'L, z: no effect on length
            if (vexForbiddenPrefixes()) return undefined();
            prefixes |= Instruction.P_EVEX;
            rex = 0x40 | ((~p0 >> 5) & 7) | ((p1 >> 4) & 8);
            int map = p0 & 7;
            if ((p0 & 8) != 0 || (p1 & 4) == 0 || map == 0 || map == 4 || map == 7) return undefined();
            int op = next();
            opcode = (map << 8) | op;
            modrmAndDisplacement();
            if (map == 3 || (map == 1 && hasImm8InMap1(op))) {
                skip(1);
            }
            return done(Flow.OTHER, -1);
        }
    }
}
