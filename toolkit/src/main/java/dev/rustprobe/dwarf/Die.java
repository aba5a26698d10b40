// A view of one DIE in a parsed unit: its tag, its attributes decoded on demand, its parent and children.
package dev.rustprobe.dwarf;

import java.util.ArrayList;
import java.util.List;

final class Die {
    final Unit unit;
    final Unit.Tree tree;
    final int index;
    private Unit.Attrs attrs;

    Die(Unit unit, Unit.Tree tree, int index) {
        this.unit = unit;
        this.tree = tree;
        this.index = index;
    }

    long offset() {
        return tree.offsets[index];
    }

    int tag() {
        return tree.abbrevs[index].tag;
    }

    Die parent() {
        int p = tree.parents[index];
        return p < 0 ? null : new Die(unit, tree, p);
    }

    List<Die> children() {
        List<Die> out = new ArrayList<>();
        int end = tree.subtreeEnds[index];
        for (int i = index + 1; i < end; i = tree.subtreeEnds[i]) {
            out.add(new Die(unit, tree, i));
        }
        return out;
    }

    Unit.Attrs attrs() {
        if (attrs == null) {
            ByteReader r = unit.dwarf.info().slice(offset(), unit.end);
            r.uleb(); // the abbreviation code, already known
            attrs = unit.decodeAttrs(r, tree.abbrevs[index]);
        }
        return attrs;
    }

    boolean has(int at) {
        return tree.abbrevs[index].indexOf(at) >= 0;
    }

    int form(int at) {
        int i = attrs().index(at);
        return i < 0 ? 0 : attrs().forms[i];
    }

    /** A string attribute, resolved through .debug_str, .debug_line_str or .debug_str_offsets; null if absent. */
    String string(int at) {
        Unit.Attrs a = attrs();
        int i = a.index(at);
        if (i < 0) {
            return null;
        }
        long v = a.values[i];
        return switch (a.forms[i]) {
            case Dw.FORM_string -> (String) a.data[i];
            case Dw.FORM_strp -> unit.dwarf.section(".debug_str").cstringAt(v);
            case Dw.FORM_line_strp -> unit.dwarf.section(".debug_line_str").cstringAt(v);
            case Dw.FORM_strx, Dw.FORM_strx1, Dw.FORM_strx2, Dw.FORM_strx3, Dw.FORM_strx4, Dw.FORM_GNU_str_index ->
                    unit.stringAtIndex(v);
            default -> null; // supplementary-file strings (strp_sup, GNU_strp_alt) are not available
        };
    }

    String name() {
        return string(Dw.AT_name);
    }

    /** An integer constant (data, sdata, udata, implicit_const, flag); otherwise if absent or not a constant. */
    long constant(int at, long otherwise) {
        Unit.Attrs a = attrs();
        int i = a.index(at);
        if (i < 0) {
            return otherwise;
        }
        return switch (a.forms[i]) {
            case Dw.FORM_data1, Dw.FORM_data2, Dw.FORM_data4, Dw.FORM_data8, Dw.FORM_sdata, Dw.FORM_udata,
                 Dw.FORM_implicit_const, Dw.FORM_flag, Dw.FORM_flag_present -> a.values[i];
            default -> otherwise;
        };
    }

    boolean flag(int at) {
        return constant(at, 0) != 0;
    }

    /** A reference to a DIE in .debug_info (unit-relative forms made absolute); -1 if absent or unresolvable. */
    long ref(int at) {
        Unit.Attrs a = attrs();
        int i = a.index(at);
        if (i < 0) {
            return -1;
        }
        return switch (a.forms[i]) {
            case Dw.FORM_ref1, Dw.FORM_ref2, Dw.FORM_ref4, Dw.FORM_ref8, Dw.FORM_ref_udata, Dw.FORM_ref_addr ->
                    a.values[i];
            default -> -1; // type-unit signatures and supplementary files are skipped
        };
    }

    /** An address attribute (DW_FORM_addr or an index of .debug_addr); -1 if absent. */
    long address(int at) {
        Unit.Attrs a = attrs();
        int i = a.index(at);
        if (i < 0) {
            return -1;
        }
        return switch (a.forms[i]) {
            case Dw.FORM_addr -> a.values[i];
            case Dw.FORM_addrx, Dw.FORM_addrx1, Dw.FORM_addrx2, Dw.FORM_addrx3, Dw.FORM_addrx4,
                 Dw.FORM_GNU_addr_index -> unit.address(a.values[i]);
            default -> -1;
        };
    }

    byte[] block(int at) {
        Unit.Attrs a = attrs();
        int i = a.index(at);
        return i < 0 || !(a.data[i] instanceof byte[] b) ? null : b;
    }

    /** The PC ranges of DW_AT_low_pc/high_pc or DW_AT_ranges; empty if the DIE has no code. */
    List<PcRange> ranges() {
        long low = address(Dw.AT_low_pc);
        if (has(Dw.AT_ranges)) {
            return Lists.ranges(this);
        }
        if (low < 0 || !has(Dw.AT_high_pc)) {
            return List.of();
        }
        Unit.Attrs a = attrs();
        int i = a.index(Dw.AT_high_pc);
        long high = switch (a.forms[i]) {
            case Dw.FORM_addr, Dw.FORM_addrx, Dw.FORM_addrx1, Dw.FORM_addrx2, Dw.FORM_addrx3, Dw.FORM_addrx4 ->
                    address(Dw.AT_high_pc);
            default -> low + a.values[i]; // DWARF 4+: high_pc as a constant is the size
        };
        if (Long.compareUnsigned(high, low) < 0) {
            throw DwarfException.at(".debug_info", offset(), "DW_AT_high_pc lies below DW_AT_low_pc");
        }
        return high == low ? List.of() : List.of(new PcRange(low, high));
    }

    /** The offset of a location or range list for a sec_offset or *listx attribute; -1 if not a list. */
    long listOffset(int at, boolean location) {
        Unit.Attrs a = attrs();
        int i = a.index(at);
        if (i < 0) {
            return -1;
        }
        int form = a.forms[i];
        long v = a.values[i];
        if (form == Dw.FORM_loclistx) {
            return unit.listOffset(".debug_loclists", unit.loclistsBase(), v);
        }
        if (form == Dw.FORM_rnglistx) {
            return unit.listOffset(".debug_rnglists", unit.rnglistsBase(), v);
        }
        if (form == Dw.FORM_sec_offset || (unit.version < 4 && (form == Dw.FORM_data4 || form == Dw.FORM_data8))) {
            return v;
        }
        return -1;
    }

    @Override
    public String toString() {
        return Dw.tagName(tag()) + "@0x" + Long.toHexString(offset());
    }
}
