// Builds Type values from type DIEs. References to other types stay lazy TypeRefs, so each DIE is read once.
package dev.rustprobe.dwarf;

import java.util.ArrayList;
import java.util.List;

final class Types {
    private Types() {}

    static Type build(Dwarf dwarf, Die d) {
        long off = d.offset();
        String name = d.name();
        long size = d.constant(Dw.AT_byte_size, -1);
        return switch (d.tag()) {
            case Dw.TAG_base_type -> new Type.Base(off, name, size, Type.Encoding.of(d.constant(Dw.AT_encoding, -1)));
            case Dw.TAG_pointer_type -> new Type.Pointer(off, name, size < 0 ? d.unit.addressSize : size,
                    Type.PointerKind.POINTER, dwarf.ref(d, Dw.AT_type));
            case Dw.TAG_reference_type -> new Type.Pointer(off, name, size < 0 ? d.unit.addressSize : size,
                    Type.PointerKind.REFERENCE, dwarf.ref(d, Dw.AT_type));
            case Dw.TAG_rvalue_reference_type -> new Type.Pointer(off, name, size < 0 ? d.unit.addressSize : size,
                    Type.PointerKind.RVALUE_REFERENCE, dwarf.ref(d, Dw.AT_type));
            case Dw.TAG_structure_type, Dw.TAG_class_type, Dw.TAG_union_type -> structure(dwarf, d, name, size);
            case Dw.TAG_enumeration_type -> enumeration(dwarf, d, name, size);
            case Dw.TAG_array_type -> array(dwarf, d, name, size);
            case Dw.TAG_typedef -> new Type.Typedef(off, name, dwarf.ref(d, Dw.AT_type));
            case Dw.TAG_const_type -> new Type.Modified(off, Type.ModifierKind.CONST, dwarf.ref(d, Dw.AT_type));
            case Dw.TAG_volatile_type -> new Type.Modified(off, Type.ModifierKind.VOLATILE, dwarf.ref(d, Dw.AT_type));
            case Dw.TAG_restrict_type -> new Type.Modified(off, Type.ModifierKind.RESTRICT, dwarf.ref(d, Dw.AT_type));
            case Dw.TAG_atomic_type -> new Type.Modified(off, Type.ModifierKind.ATOMIC, dwarf.ref(d, Dw.AT_type));
            case Dw.TAG_subroutine_type -> {
                List<TypeRef> params = new ArrayList<>();
                for (Die c : d.children()) {
                    if (c.tag() == Dw.TAG_formal_parameter) {
                        params.add(dwarf.ref(c, Dw.AT_type));
                    }
                }
                yield new Type.Subroutine(off, name, dwarf.ref(d, Dw.AT_type), params);
            }
            case Dw.TAG_unspecified_type -> new Type.Unknown(off, name, "DW_TAG_unspecified_type");
            default -> new Type.Unknown(off, name, Dw.tagName(d.tag()) + " is not a type");
        };
    }

    private static Type structure(Dwarf dwarf, Die d, String name, long size) {
        List<Type.Member> members = new ArrayList<>();
        List<Type.TemplateParameter> tparams = new ArrayList<>();
        Die variantPart = null;
        for (Die c : d.children()) {
            switch (c.tag()) {
                case Dw.TAG_member -> {
                    if (!c.flag(Dw.AT_declaration)) { // static members are declarations without an offset
                        members.add(member(dwarf, c));
                    }
                }
                case Dw.TAG_template_type_parameter -> tparams.add(new Type.TemplateParameter(c.name(),
                        dwarf.ref(c, Dw.AT_type)));
                case Dw.TAG_variant_part -> variantPart = c;
                default -> { }
            }
        }
        if (variantPart != null) {
            return variantEnum(dwarf, d, name, size, variantPart, members, tparams);
        }
        Type.StructKind kind = switch (d.tag()) {
            case Dw.TAG_union_type -> Type.StructKind.UNION;
            case Dw.TAG_class_type -> Type.StructKind.CLASS;
            default -> Type.StructKind.STRUCT;
        };
        return new Type.Struct(d.offset(), name, size, kind, members, tparams, d.flag(Dw.AT_declaration));
    }

    private static Type variantEnum(Dwarf dwarf, Die d, String name, long size, Die part, List<Type.Member> others,
                                    List<Type.TemplateParameter> tparams) {
        long discrOffset = part.ref(Dw.AT_discr);
        Type.Member discr = null;
        List<Type.Variant> variants = new ArrayList<>();
        for (Die c : part.children()) {
            if (c.tag() == Dw.TAG_member && c.offset() == discrOffset) {
                discr = member(dwarf, c);
            } else if (c.tag() == Dw.TAG_variant) {
                Long value = discriminant(c);
                Type.Member m = null;
                for (Die vc : c.children()) {
                    if (vc.tag() == Dw.TAG_member) {
                        m = member(dwarf, vc);
                        break;
                    }
                }
                variants.add(new Type.Variant(value, m));
            }
        }
        if (discr == null && discrOffset >= 0) {
            // the discriminant member lives elsewhere (not a child of the variant part)
            Die m = dwarf.dieAt(discrOffset);
            if (m.tag() == Dw.TAG_member) {
                discr = member(dwarf, m);
            }
        }
        return new Type.VariantEnum(d.offset(), name, size, discr, variants, others, tparams);
    }

    /** DW_AT_discr_value as a number (low 64 bits of a 128-bit one); null for the default variant. */
    private static Long discriminant(Die v) {
        Unit.Attrs a = v.attrs();
        int i = a.index(Dw.AT_discr_value);
        if (i < 0) {
            return null;
        }
        if (a.data[i] instanceof byte[] b) {
            long x = 0;
            for (int k = Math.min(8, b.length) - 1; k >= 0; k--) {
                x = (x << 8) | (b[k] & 0xff);
            }
            return x;
        }
        return a.values[i];
    }

    private static Type.Member member(Dwarf dwarf, Die m) {
        long offset = m.constant(Dw.AT_data_member_location, -1);
        if (offset < 0) {
            byte[] expr = m.block(Dw.AT_data_member_location);
            if (expr != null) {
                // old style: DW_OP_plus_uconst N
                List<DwarfOp> ops = Lists.expression(m.unit, expr, ".debug_info", m.offset());
                if (ops.size() == 1 && ops.get(0).opcode() == DwarfOp.PLUS_UCONST) {
                    offset = ops.get(0).operand1();
                }
            } else if (m.has(Dw.AT_data_bit_offset)) {
                offset = m.constant(Dw.AT_data_bit_offset, 0) / 8;
            } else {
                offset = 0; // union members and single members may omit it
            }
        }
        return new Type.Member(m.name(), dwarf.ref(m, Dw.AT_type), offset, m.flag(Dw.AT_artificial));
    }

    private static Type enumeration(Dwarf dwarf, Die d, String name, long size) {
        List<Type.Enumerator> values = new ArrayList<>();
        List<Type.TemplateParameter> tparams = new ArrayList<>();
        for (Die c : d.children()) {
            if (c.tag() == Dw.TAG_enumerator) {
                Unit.Attrs a = c.attrs();
                int i = a.index(Dw.AT_const_value);
                long v = 0;
                if (i >= 0) {
                    v = a.data[i] instanceof byte[] b ? littleEndian(b) : a.values[i];
                }
                values.add(new Type.Enumerator(c.name(), v));
            } else if (c.tag() == Dw.TAG_template_type_parameter) {
                tparams.add(new Type.TemplateParameter(c.name(), dwarf.ref(c, Dw.AT_type)));
            }
        }
        return new Type.Enumeration(d.offset(), name, size, dwarf.ref(d, Dw.AT_type), values, tparams);
    }

    private static long littleEndian(byte[] b) {
        long x = 0;
        for (int k = Math.min(8, b.length) - 1; k >= 0; k--) {
            x = (x << 8) | (b[k] & 0xff);
        }
        return x;
    }

    private static Type array(Dwarf dwarf, Die d, String name, long size) {
        List<Long> counts = new ArrayList<>();
        for (Die c : d.children()) {
            if (c.tag() == Dw.TAG_subrange_type) {
                long count = c.constant(Dw.AT_count, -1);
                if (count < 0 && c.has(Dw.AT_upper_bound)) {
                    long upper = c.constant(Dw.AT_upper_bound, -1);
                    long lower = c.constant(Dw.AT_lower_bound, 0);
                    count = upper < 0 ? -1 : upper - lower + 1;
                }
                counts.add(count);
            }
        }
        return new Type.Array(d.offset(), name, size, dwarf.ref(d, Dw.AT_type), counts);
    }
}
