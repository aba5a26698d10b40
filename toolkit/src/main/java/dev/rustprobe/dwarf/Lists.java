// Range lists (.debug_ranges, .debug_rnglists), location lists (.debug_loc, .debug_loclists) and DWARF
// expressions: decoded, with every address index and base address resolved, and bounded against garbage.
package dev.rustprobe.dwarf;

import java.util.ArrayList;
import java.util.List;

final class Lists {
    /** A list longer than this many entries is garbage (rustc's longest are a few hundred). */
    static final int MAX_ENTRIES = 1 << 16;
    /** DW_OP_entry_value nests an expression; deeper than this is garbage. */
    private static final int MAX_EXPR_DEPTH = 8;

    private Lists() {}

    static List<PcRange> ranges(Die die) {
        Unit u = die.unit;
        long off = die.listOffset(Dw.AT_ranges, false);
        if (off < 0) {
            throw DwarfException.at(".debug_info", die.offset(), "DW_AT_ranges has form 0x"
                    + Integer.toHexString(die.form(Dw.AT_ranges)) + ", not a section offset or index");
        }
        return ranges(u, off);
    }

    /** The range list at off of .debug_rnglists (DWARF 5) or .debug_ranges (before), read for unit u. */
    static List<PcRange> ranges(Unit u, long off) {
        List<PcRange> out = new ArrayList<>();
        long base = u.baseAddress();
        if (u.version >= 5) {
            ByteReader r = u.dwarf.section(".debug_rnglists").at(off);
            for (int n = 0; ; n++) {
                checkCount(r, off, n);
                int kind = r.u8();
                switch (kind) {
                    case Dw.RLE_end_of_list -> {
                        return out;
                    }
                    case Dw.RLE_base_addressx -> base = u.address(r.uleb());
                    case Dw.RLE_startx_endx -> add(out, u.address(r.uleb()), u.address(r.uleb()));
                    case Dw.RLE_startx_length -> {
                        long b = u.address(r.uleb());
                        add(out, b, b + r.uleb());
                    }
                    case Dw.RLE_offset_pair -> {
                        long b = r.uleb();
                        long e = r.uleb();
                        add(out, base + b, base + e);
                    }
                    case Dw.RLE_base_address -> base = r.unsigned(u.addressSize);
                    case Dw.RLE_start_end -> add(out, r.unsigned(u.addressSize), r.unsigned(u.addressSize));
                    case Dw.RLE_start_length -> {
                        long b = r.unsigned(u.addressSize);
                        add(out, b, b + r.uleb());
                    }
                    default -> throw r.fail(r.pos() - 1, "unknown range list entry kind 0x" + Integer.toHexString(kind));
                }
            }
        }
        ByteReader r = u.dwarf.section(".debug_ranges").at(off);
        long max = u.addressSize == 8 ? -1L : 0xffffffffL;
        for (int n = 0; ; n++) {
            checkCount(r, off, n);
            long b = r.unsigned(u.addressSize);
            long e = r.unsigned(u.addressSize);
            if (b == 0 && e == 0) {
                return out;
            }
            if (b == max) {
                base = e;
            } else {
                add(out, base + b, base + e);
            }
        }
    }

    private static void checkCount(ByteReader r, long listOffset, int n) {
        if (n >= MAX_ENTRIES) {
            throw r.fail(listOffset, "list has more than " + MAX_ENTRIES + " entries without ending");
        }
    }

    private static void add(List<PcRange> out, long b, long e) {
        if (b != e) {
            out.add(new PcRange(b, e));
        }
    }

    /** DW_AT_location or DW_AT_frame_base of a DIE (null if absent), or its DW_AT_const_value. */
    static LocationDescription location(Die die, int at) {
        Unit.Attrs a = die.attrs();
        int i = a.index(at);
        if (i < 0) {
            return null;
        }
        int form = a.forms[i];
        if (form == Dw.FORM_exprloc || ((form == Dw.FORM_block || form == Dw.FORM_block1 || form == Dw.FORM_block2
                || form == Dw.FORM_block4) && die.unit.version < 4)) {
            return new LocationDescription.Expression(expression(die.unit, (byte[]) a.data[i], ".debug_info",
                    die.offset()));
        }
        long off = die.listOffset(at, true);
        if (off < 0) {
            throw DwarfException.at(".debug_info", die.offset(), "location attribute has form 0x"
                    + Integer.toHexString(form) + ", neither an expression nor a location list");
        }
        return locationList(die.unit, off);
    }

    static LocationDescription.LocationList locationList(Unit u, long off) {
        List<LocationDescription.Entry> out = new ArrayList<>();
        long base = u.baseAddress();
        if (u.version >= 5) {
            ByteReader r = u.dwarf.section(".debug_loclists").at(off);
            for (int n = 0; ; n++) {
                checkCount(r, off, n);
                int kind = r.u8();
                switch (kind) {
                    case Dw.LLE_end_of_list -> {
                        return new LocationDescription.LocationList(off, out);
                    }
                    case Dw.LLE_base_addressx -> base = u.address(r.uleb());
                    case Dw.LLE_startx_endx -> {
                        long b = u.address(r.uleb());
                        long e = u.address(r.uleb());
                        out.add(entry(u, r, b, e, false));
                    }
                    case Dw.LLE_startx_length -> {
                        long b = u.address(r.uleb());
                        long e = b + r.uleb();
                        out.add(entry(u, r, b, e, false));
                    }
                    case Dw.LLE_offset_pair -> {
                        long b = r.uleb();
                        long e = r.uleb();
                        out.add(entry(u, r, base + b, base + e, false));
                    }
                    case Dw.LLE_default_location -> out.add(entry(u, r, 0, 0, true));
                    case Dw.LLE_base_address -> base = r.unsigned(u.addressSize);
                    case Dw.LLE_start_end -> {
                        long b = r.unsigned(u.addressSize);
                        long e = r.unsigned(u.addressSize);
                        out.add(entry(u, r, b, e, false));
                    }
                    case Dw.LLE_start_length -> {
                        long b = r.unsigned(u.addressSize);
                        long e = b + r.uleb();
                        out.add(entry(u, r, b, e, false));
                    }
                    case Dw.LLE_GNU_view_pair -> {
                        r.uleb(); // view numbers annotate the next entry; they carry no location
                        r.uleb();
                    }
                    default -> throw r.fail(r.pos() - 1, "unknown location list entry kind 0x"
                            + Integer.toHexString(kind));
                }
            }
        }
        ByteReader r = u.dwarf.section(".debug_loc").at(off);
        long max = u.addressSize == 8 ? -1L : 0xffffffffL;
        for (int n = 0; ; n++) {
            checkCount(r, off, n);
            long b = r.unsigned(u.addressSize);
            long e = r.unsigned(u.addressSize);
            if (b == 0 && e == 0) {
                return new LocationDescription.LocationList(off, out);
            }
            if (b == max) {
                base = e;
                continue;
            }
            int len = r.u16();
            int at = r.pos();
            byte[] expr = r.bytes(len);
            out.add(new LocationDescription.Entry(base + b, base + e, false, expression(u, expr, r.section, at)));
        }
    }

    private static LocationDescription.Entry entry(Unit u, ByteReader r, long b, long e, boolean isDefault) {
        long len = r.uleb();
        int at = r.pos();
        byte[] expr = r.bytes(len);
        return new LocationDescription.Entry(b, e, isDefault, expression(u, expr, r.section, at));
    }

    /** Decodes an expression; sectionName/offset say where it came from, for error messages. */
    static List<DwarfOp> expression(Unit u, byte[] bytes, String sectionName, long offset) {
        return expression(u, bytes, sectionName, offset, 0);
    }

    private static List<DwarfOp> expression(Unit u, byte[] bytes, String sectionName, long offset, int depth) {
        if (depth > MAX_EXPR_DEPTH) {
            throw DwarfException.at(sectionName, offset, "DW_OP_entry_value nested more than " + MAX_EXPR_DEPTH
                    + " deep");
        }
        ByteReader r = new ByteReader(sectionName + " expression at 0x" + Long.toHexString(offset),
                java.nio.ByteBuffer.wrap(bytes));
        List<DwarfOp> ops = new ArrayList<>();
        while (r.hasMore()) {
            int op = r.u8();
            long a = 0;
            long b = 0;
            byte[] block = null;
            List<DwarfOp> nested = null;
            if (op >= DwarfOp.LIT0 && op <= DwarfOp.REG31) {
                // literals and registers have no operands
            } else if (op >= DwarfOp.BREG0 && op <= DwarfOp.BREG31) {
                a = r.sleb();
            } else {
                switch (op) {
                    case DwarfOp.ADDR -> a = r.unsigned(u.addressSize);
                    case DwarfOp.CONST1U, DwarfOp.PICK, DwarfOp.DEREF_SIZE, DwarfOp.XDEREF_SIZE -> a = r.u8();
                    case DwarfOp.CONST1S -> a = r.s8();
                    case DwarfOp.CONST2U, DwarfOp.CALL2 -> a = r.u16();
                    case DwarfOp.CONST2S, DwarfOp.SKIP, DwarfOp.BRA -> a = (short) r.u16();
                    case DwarfOp.CONST4U, DwarfOp.CALL4, DwarfOp.GNU_PARAMETER_REF -> a = r.u32();
                    case DwarfOp.CONST4S -> a = (int) r.u32();
                    case DwarfOp.CONST8U, DwarfOp.CONST8S -> a = r.u64();
                    case DwarfOp.CONSTU, DwarfOp.PLUS_UCONST, DwarfOp.REGX, DwarfOp.PIECE -> a = r.uleb();
                    case DwarfOp.CONVERT, DwarfOp.REINTERPRET, DwarfOp.GNU_CONVERT, DwarfOp.GNU_REINTERPRET -> {
                        a = r.uleb();
                        b = a == 0 ? 0 : u.offset + a; // 0 means the generic type, not a DIE
                    }
                    case DwarfOp.CONSTS, DwarfOp.FBREG -> a = r.sleb();
                    case DwarfOp.BREGX -> {
                        a = r.uleb();
                        b = r.sleb();
                    }
                    case DwarfOp.BIT_PIECE, DwarfOp.REGVAL_TYPE, DwarfOp.GNU_REGVAL_TYPE -> {
                        a = r.uleb();
                        b = r.uleb();
                    }
                    case DwarfOp.DEREF_TYPE, DwarfOp.GNU_DEREF_TYPE, DwarfOp.XDEREF_TYPE -> {
                        a = r.u8();
                        b = r.uleb();
                    }
                    case DwarfOp.CALL_REF -> a = r.offset(u.dwarf64);
                    case DwarfOp.IMPLICIT_POINTER, DwarfOp.GNU_IMPLICIT_POINTER -> {
                        a = u.version <= 2 ? r.unsigned(u.addressSize) : r.offset(u.dwarf64);
                        b = r.sleb();
                    }
                    case DwarfOp.IMPLICIT_VALUE -> {
                        a = r.uleb();
                        block = r.bytes(a);
                    }
                    case DwarfOp.CONST_TYPE, DwarfOp.GNU_CONST_TYPE -> {
                        a = r.uleb();
                        block = r.bytes(r.u8());
                    }
                    case DwarfOp.ENTRY_VALUE, DwarfOp.GNU_ENTRY_VALUE -> {
                        long len = r.uleb();
                        int at = r.pos();
                        nested = expression(u, r.bytes(len), sectionName, offset + at, depth + 1);
                    }
                    case DwarfOp.ADDRX, DwarfOp.CONSTX, DwarfOp.GNU_ADDR_INDEX, DwarfOp.GNU_CONST_INDEX -> {
                        a = r.uleb();
                        b = u.address(a);
                    }
                    case DwarfOp.DEREF, DwarfOp.DUP, DwarfOp.DROP, DwarfOp.OVER, DwarfOp.SWAP, DwarfOp.ROT,
                         DwarfOp.XDEREF, DwarfOp.ABS, DwarfOp.AND, DwarfOp.DIV, DwarfOp.MINUS, DwarfOp.MOD,
                         DwarfOp.MUL, DwarfOp.NEG, DwarfOp.NOT, DwarfOp.OR, DwarfOp.PLUS, DwarfOp.SHL, DwarfOp.SHR,
                         DwarfOp.SHRA, DwarfOp.XOR, DwarfOp.EQ, DwarfOp.GE, DwarfOp.GT, DwarfOp.LE, DwarfOp.LT,
                         DwarfOp.NE, DwarfOp.NOP, DwarfOp.PUSH_OBJECT_ADDRESS, DwarfOp.FORM_TLS_ADDRESS,
                         DwarfOp.CALL_FRAME_CFA, DwarfOp.STACK_VALUE, DwarfOp.GNU_PUSH_TLS_ADDRESS,
                         DwarfOp.GNU_UNINIT -> { }
                    default -> throw r.fail(r.pos() - 1, "unknown DWARF operation 0x" + Integer.toHexString(op));
                }
            }
            ops.add(new DwarfOp(op, a, b, block, nested));
        }
        return ops;
    }
}
