// One unit of .debug_info: its header (read when the file is opened), and lazily its abbreviations, the base
// offsets its root DIE declares, and the tree of its DIEs. Attribute values are decoded here, form by form.
package dev.rustprobe.dwarf;

import java.util.Arrays;

final class Unit {
    /** DW_FORM_indirect may name another indirect form; more than this many in a row is garbage. */
    private static final int MAX_INDIRECT = 4;

    final Dwarf dwarf;
    final long offset;
    /** Offset just past the unit. */
    final long end;
    final int version;
    final int unitType;
    final int addressSize;
    final boolean dwarf64;
    final long abbrevOffset;
    /** Offset of the root DIE. */
    final long dieStart;

    private Abbrev.Table abbrevs;
    private boolean basesRead;
    private long strOffsetsBase = -1;
    private long addrBase = -1;
    private long rnglistsBase = -1;
    private long loclistsBase = -1;
    private long baseAddress;

    Unit(Dwarf dwarf, long offset, long end, int version, int unitType, int addressSize, boolean dwarf64,
         long abbrevOffset, long dieStart) {
        this.dwarf = dwarf;
        this.offset = offset;
        this.end = end;
        this.version = version;
        this.unitType = unitType;
        this.addressSize = addressSize;
        this.dwarf64 = dwarf64;
        this.abbrevOffset = abbrevOffset;
        this.dieStart = dieStart;
    }

    /** Reads the unit header at offset; returns null at trailing padding. */
    static Unit readHeader(Dwarf dwarf, ByteReader info, long offset) {
        ByteReader.Block block = info.block(offset, "unit");
        boolean dwarf64 = block.dwarf64();
        long end = block.end();
        ByteReader r = block.body();
        int version = r.u16();
        if (version < 2 || version > 5) {
            throw info.fail(offset, "unit has DWARF version " + version + "; only versions 2 to 5 are supported");
        }
        int unitType = Dw.UT_compile;
        long abbrevOffset;
        int addressSize;
        if (version >= 5) {
            unitType = r.u8();
            addressSize = r.u8();
            abbrevOffset = r.offset(dwarf64);
            switch (unitType) {
                case Dw.UT_compile, Dw.UT_partial -> { }
                case Dw.UT_type, Dw.UT_split_type -> {
                    r.u64();
                    r.offset(dwarf64);
                }
                case Dw.UT_skeleton, Dw.UT_split_compile -> r.u64();
                default -> throw info.fail(offset, "unit has unknown unit type 0x" + Integer.toHexString(unitType));
            }
        } else {
            abbrevOffset = r.offset(dwarf64);
            addressSize = r.u8();
        }
        if (addressSize != 4 && addressSize != 8) {
            throw info.fail(offset, "unit has address size " + addressSize + "; only 4 and 8 are supported");
        }
        return new Unit(dwarf, offset, end, version, unitType, addressSize, dwarf64, abbrevOffset, r.pos());
    }

    boolean isTypeUnit() {
        return unitType == Dw.UT_type || unitType == Dw.UT_split_type;
    }

    Abbrev.Table abbrevs() {
        if (abbrevs == null) {
            abbrevs = dwarf.abbrevTable(abbrevOffset);
        }
        return abbrevs;
    }

    ByteReader reader() {
        return dwarf.info().slice(dieStart, end);
    }

    Abbrev abbrev(ByteReader r, int code, int at) {
        Abbrev a = abbrevs().get(code);
        if (a == null) {
            throw r.fail(at, "DIE uses abbreviation code " + code + ", which the table at 0x"
                    + Long.toHexString(abbrevOffset) + " does not declare");
        }
        return a;
    }

    // ---- bases from the root DIE (DWARF 5 indexes need them) ----

    private void readBases() {
        if (basesRead) {
            return;
        }
        basesRead = true;
        ByteReader r = reader();
        int at = r.pos();
        int code = r.ulebInt("abbreviation code");
        if (code == 0) {
            return;
        }
        Abbrev a = abbrev(r, code, at);
        Attrs attrs = decodeAttrs(r, a);
        strOffsetsBase = attrs.raw(Dw.AT_str_offsets_base, -1);
        addrBase = attrs.raw(Dw.AT_addr_base, attrs.raw(Dw.AT_GNU_addr_base, -1));
        rnglistsBase = attrs.raw(Dw.AT_rnglists_base, -1);
        loclistsBase = attrs.raw(Dw.AT_loclists_base, -1);
        int lowPc = attrs.index(Dw.AT_low_pc);
        if (lowPc >= 0) {
            int form = attrs.forms[lowPc];
            baseAddress = form == Dw.FORM_addr ? attrs.values[lowPc] : address(attrs.values[lowPc]);
        }
    }

    /** The unit's base address for range and location lists: the root DIE's DW_AT_low_pc, else 0. */
    long baseAddress() {
        readBases();
        return baseAddress;
    }

    long rnglistsBase() {
        readBases();
        return rnglistsBase;
    }

    long loclistsBase() {
        readBases();
        return loclistsBase;
    }

    /** Entry index of .debug_addr, relative to DW_AT_addr_base (DWARF 5 default: just past the 8/16-byte header). */
    long address(long index) {
        readBases();
        ByteReader addr = dwarf.section(".debug_addr");
        long base = addrBase >= 0 ? addrBase : (dwarf64 ? 16 : 8);
        long off = base + index * addressSize;
        if (index < 0 || index > Integer.MAX_VALUE || off < 0 || off + addressSize > addr.size()) {
            throw addr.fail(Math.max(0, off), "address index " + index + " lies outside .debug_addr (size 0x"
                    + Integer.toHexString(addr.size()) + ")");
        }
        return addr.at(off).unsigned(addressSize);
    }

    /** The string at an index of .debug_str_offsets, relative to DW_AT_str_offsets_base. */
    String stringAtIndex(long index) {
        readBases();
        ByteReader offs = dwarf.section(".debug_str_offsets");
        int size = dwarf64 ? 8 : 4;
        long base = strOffsetsBase >= 0 ? strOffsetsBase : (dwarf64 ? 16 : 8);
        long off = base + index * size;
        if (index < 0 || index > Integer.MAX_VALUE || off < 0 || off + size > offs.size()) {
            throw offs.fail(Math.max(0, off), "string index " + index + " lies outside .debug_str_offsets (size 0x"
                    + Integer.toHexString(offs.size()) + ")");
        }
        return dwarf.section(".debug_str").cstringAt(offs.at(off).offset(dwarf64));
    }

    /** The offset of the list an index of DW_FORM_rnglistx / loclistx names, in .debug_rnglists / .debug_loclists. */
    long listOffset(String sectionName, long base, long index) {
        ByteReader s = dwarf.section(sectionName);
        if (base < 0) {
            base = dwarf64 ? 20 : 12; // just past the list table header
        }
        int size = dwarf64 ? 8 : 4;
        long off = base + index * size;
        if (index < 0 || index > Integer.MAX_VALUE || off < 0 || off + size > s.size()) {
            throw s.fail(Math.max(0, off), "list index " + index + " lies outside " + sectionName);
        }
        return base + s.at(off).offset(dwarf64);
    }

    // ---- attribute values ----

    /** The decoded attributes of one DIE. Values are raw: indexes and offsets are resolved by the accessors. */
    static final class Attrs {
        final int[] names;
        final int[] forms;
        final long[] values;
        /** String (DW_FORM_string) or byte[] (blocks, exprloc, data16); null otherwise. */
        final Object[] data;

        Attrs(int n) {
            names = new int[n];
            forms = new int[n];
            values = new long[n];
            data = new Object[n];
        }

        int index(int name) {
            for (int i = 0; i < names.length; i++) {
                if (names[i] == name) {
                    return i;
                }
            }
            return -1;
        }

        long raw(int name, long otherwise) {
            int i = index(name);
            return i < 0 ? otherwise : values[i];
        }
    }

    Attrs decodeAttrs(ByteReader r, Abbrev a) {
        Attrs out = new Attrs(a.names.length);
        for (int i = 0; i < a.names.length; i++) {
            out.names[i] = a.names[i];
            decode(r, a.forms[i], a.implicitConsts[i], out, i, 0);
        }
        return out;
    }

    private void decode(ByteReader r, int form, long implicitConst, Attrs out, int i, int depth) {
        out.forms[i] = form;
        long v;
        switch (form) {
            case Dw.FORM_addr -> v = r.unsigned(addressSize);
            case Dw.FORM_data1, Dw.FORM_ref1, Dw.FORM_flag, Dw.FORM_strx1, Dw.FORM_addrx1 -> v = r.u8();
            case Dw.FORM_data2, Dw.FORM_ref2, Dw.FORM_strx2, Dw.FORM_addrx2 -> v = r.u16();
            case Dw.FORM_strx3, Dw.FORM_addrx3 -> v = r.u24();
            case Dw.FORM_data4, Dw.FORM_ref4, Dw.FORM_strx4, Dw.FORM_addrx4, Dw.FORM_ref_sup4 -> v = r.u32();
            case Dw.FORM_data8, Dw.FORM_ref8, Dw.FORM_ref_sig8, Dw.FORM_ref_sup8 -> v = r.u64();
            case Dw.FORM_sdata -> v = r.sleb();
            case Dw.FORM_udata, Dw.FORM_ref_udata, Dw.FORM_strx, Dw.FORM_addrx, Dw.FORM_loclistx, Dw.FORM_rnglistx,
                 Dw.FORM_GNU_addr_index, Dw.FORM_GNU_str_index -> v = r.uleb();
            case Dw.FORM_strp, Dw.FORM_line_strp, Dw.FORM_sec_offset, Dw.FORM_strp_sup, Dw.FORM_GNU_ref_alt,
                 Dw.FORM_GNU_strp_alt -> v = r.offset(dwarf64);
            case Dw.FORM_ref_addr -> v = version <= 2 ? r.unsigned(addressSize) : r.offset(dwarf64);
            case Dw.FORM_flag_present -> v = 1;
            case Dw.FORM_implicit_const -> v = implicitConst;
            case Dw.FORM_string -> {
                out.data[i] = r.cstring();
                v = 0;
            }
            case Dw.FORM_block1 -> {
                out.data[i] = r.bytes(r.u8());
                v = 0;
            }
            case Dw.FORM_block2 -> {
                out.data[i] = r.bytes(r.u16());
                v = 0;
            }
            case Dw.FORM_block4 -> {
                out.data[i] = r.bytes(r.u32());
                v = 0;
            }
            case Dw.FORM_block, Dw.FORM_exprloc -> {
                out.data[i] = r.bytes(r.uleb());
                v = 0;
            }
            case Dw.FORM_data16 -> {
                out.data[i] = r.bytes(16);
                v = 0;
            }
            case Dw.FORM_indirect -> {
                int at = r.pos();
                int actual = r.ulebInt("indirect form");
                if (depth >= MAX_INDIRECT) {
                    throw r.fail(at, "DW_FORM_indirect nested more than " + MAX_INDIRECT + " deep");
                }
                if (actual == Dw.FORM_implicit_const) {
                    throw r.fail(at, "DW_FORM_indirect names DW_FORM_implicit_const, which needs an abbreviation");
                }
                decode(r, actual, 0, out, i, depth + 1);
                return;
            }
            default -> throw r.fail(r.pos(), "attribute uses unknown form 0x" + Integer.toHexString(form));
        }
        if (form == Dw.FORM_ref1 || form == Dw.FORM_ref2 || form == Dw.FORM_ref4 || form == Dw.FORM_ref8
                || form == Dw.FORM_ref_udata) {
            v += offset; // unit-relative reference to a .debug_info offset
        }
        out.values[i] = v;
    }

    /** Skips one attribute value of form, as fast as possible (the skim path). */
    void skip(ByteReader r, int form, int depth) {
        switch (form) {
            case Dw.FORM_addr -> r.skip(addressSize);
            case Dw.FORM_data1, Dw.FORM_ref1, Dw.FORM_flag, Dw.FORM_strx1, Dw.FORM_addrx1 -> r.skip(1);
            case Dw.FORM_data2, Dw.FORM_ref2, Dw.FORM_strx2, Dw.FORM_addrx2 -> r.skip(2);
            case Dw.FORM_strx3, Dw.FORM_addrx3 -> r.skip(3);
            case Dw.FORM_data4, Dw.FORM_ref4, Dw.FORM_strx4, Dw.FORM_addrx4, Dw.FORM_ref_sup4 -> r.skip(4);
            case Dw.FORM_data8, Dw.FORM_ref8, Dw.FORM_ref_sig8, Dw.FORM_ref_sup8 -> r.skip(8);
            case Dw.FORM_data16 -> r.skip(16);
            case Dw.FORM_sdata, Dw.FORM_udata, Dw.FORM_ref_udata, Dw.FORM_strx, Dw.FORM_addrx, Dw.FORM_loclistx,
                 Dw.FORM_rnglistx, Dw.FORM_GNU_addr_index, Dw.FORM_GNU_str_index -> r.skipLeb();
            case Dw.FORM_strp, Dw.FORM_line_strp, Dw.FORM_sec_offset, Dw.FORM_strp_sup, Dw.FORM_GNU_ref_alt,
                 Dw.FORM_GNU_strp_alt -> r.skip(dwarf64 ? 8 : 4);
            case Dw.FORM_ref_addr -> r.skip(version <= 2 ? addressSize : (dwarf64 ? 8 : 4));
            case Dw.FORM_flag_present, Dw.FORM_implicit_const -> { }
            case Dw.FORM_string -> r.skipCstring();
            case Dw.FORM_block1 -> r.skip(r.u8());
            case Dw.FORM_block2 -> r.skip(r.u16());
            case Dw.FORM_block4 -> r.skip(r.u32());
            case Dw.FORM_block, Dw.FORM_exprloc -> r.skip(r.uleb());
            case Dw.FORM_indirect -> {
                int at = r.pos();
                int actual = r.ulebInt("indirect form");
                if (depth >= MAX_INDIRECT || actual == Dw.FORM_implicit_const) {
                    throw r.fail(at, "bad DW_FORM_indirect chain");
                }
                skip(r, actual, depth + 1);
            }
            default -> throw r.fail(r.pos(), "attribute uses unknown form 0x" + Integer.toHexString(form));
        }
    }

    void skipAttrs(ByteReader r, Abbrev a) {
        int[] forms = a.forms;
        for (int form : forms) {
            skip(r, form, 0);
        }
    }

    // ---- the DIE tree ----

    /**
     * The DIEs of this unit in section order: offset, abbreviation, parent index and the index just past the
     * subtree. Attributes are not kept; they are decoded again from the section when asked for.
     */
    static final class Tree {
        final long[] offsets;
        final Abbrev[] abbrevs;
        final int[] parents;
        final int[] subtreeEnds;
        final int count;

        Tree(long[] offsets, Abbrev[] abbrevs, int[] parents, int[] subtreeEnds, int count) {
            this.offsets = offsets;
            this.abbrevs = abbrevs;
            this.parents = parents;
            this.subtreeEnds = subtreeEnds;
            this.count = count;
        }

        /** The index of the DIE at a .debug_info offset, or -1. */
        int indexOf(long offset) {
            int i = Arrays.binarySearch(offsets, 0, count, offset);
            return i < 0 ? -1 : i;
        }
    }

    Tree buildTree() {
        ByteReader r = reader();
        int cap = 64;
        long[] offsets = new long[cap];
        Abbrev[] abbrevs = new Abbrev[cap];
        int[] parents = new int[cap];
        int[] ends = new int[cap];
        int[] stack = new int[64];
        int depth = 0;
        int n = 0;
        while (r.hasMore()) {
            int at = r.pos();
            int code = r.ulebInt("abbreviation code");
            if (code == 0) {
                if (depth > 0) {
                    depth--;
                    ends[stack[depth]] = n;
                }
                continue;
            }
            if (depth == 0 && n > 0) {
                // a second top-level DIE: rustc never emits one; the rest of the unit is not ours to read
                break;
            }
            Abbrev a = abbrev(r, code, at);
            if (n == cap) {
                cap *= 2;
                offsets = Arrays.copyOf(offsets, cap);
                abbrevs = Arrays.copyOf(abbrevs, cap);
                parents = Arrays.copyOf(parents, cap);
                ends = Arrays.copyOf(ends, cap);
            }
            offsets[n] = at;
            abbrevs[n] = a;
            parents[n] = depth == 0 ? -1 : stack[depth - 1];
            ends[n] = n + 1;
            skipAttrs(r, a);
            if (a.hasChildren) {
                if (depth == stack.length) {
                    stack = Arrays.copyOf(stack, depth * 2);
                }
                stack[depth++] = n;
            }
            n++;
        }
        while (depth > 0) {
            depth--;
            ends[stack[depth]] = n; // a unit that ends without closing its DIEs: close them here
        }
        return new Tree(offsets, abbrevs, parents, ends, n);
    }
}
