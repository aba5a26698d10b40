// The types DWARF describes, as a closed set. References between types are lazy TypeRefs, so cycles are fine.
package dev.rustprobe.dwarf;

import java.util.List;

public sealed interface Type {
    /** The .debug_info offset of the type's DIE (-1 for the unit type made up for a missing DW_AT_type). */
    long offset();

    /** The DWARF name (rustc names types like "&str", "Option<u32>", "[u8; 3]", "(u64, u64)"); may be null. */
    String name();

    /** The size in bytes, or -1 if DWARF does not say. */
    long byteSize();

    /** DW_ATE_* encodings of base types. */
    enum Encoding {
        ADDRESS(0x01), BOOLEAN(0x02), COMPLEX_FLOAT(0x03), FLOAT(0x04), SIGNED(0x05), SIGNED_CHAR(0x06),
        UNSIGNED(0x07), UNSIGNED_CHAR(0x08), UTF(0x10), OTHER(-1);

        final int code;

        Encoding(int code) {
            this.code = code;
        }

        static Encoding of(long code) {
            for (Encoding e : values()) {
                if (e.code == code) {
                    return e;
                }
            }
            return OTHER;
        }
    }

    /** A base type: integers, floats, bool, char, and "()" (size 0). */
    record Base(long offset, String name, long byteSize, Encoding encoding) implements Type {}

    enum PointerKind { POINTER, REFERENCE, RVALUE_REFERENCE }

    /** *const T, *mut T, &T, &mut T (rustc emits all as pointer_type, named "&T" or "*const T"). */
    record Pointer(long offset, String name, long byteSize, PointerKind kind, TypeRef pointee) implements Type {}

    /** A member of a struct or union; offset in bytes from the start (Rust reorders fields, so trust this). */
    record Member(String name, TypeRef type, long offset, boolean artificial) {}

    /** A template type parameter (DW_TAG_template_type_parameter), e.g. T = u32 in Option<u32>. */
    record TemplateParameter(String name, TypeRef type) {}

    enum StructKind { STRUCT, UNION, CLASS }

    /** A struct, tuple, union or closure environment without a variant part. */
    record Struct(long offset, String name, long byteSize, StructKind kind, List<Member> members,
                  List<TemplateParameter> templateParameters, boolean declaration) implements Type {}

    /**
     * One variant of a Rust data enum: its discriminant value (null for the default variant, which niche enums
     * use for the dataful variant), and the member whose type is the variant's own struct ("Some" -> Some).
     */
    record Variant(Long discriminant, Member member) {}

    /**
     * A Rust enum with data, as rustc describes it: a structure_type holding a DW_TAG_variant_part. The
     * discriminant member (null when the enum has a single variant) gives the tag's offset and type; the
     * discriminant values are raw values of that member (niche values for niche-encoded enums).
     */
    record VariantEnum(long offset, String name, long byteSize, Member discriminant, List<Variant> variants,
                       List<Member> otherMembers, List<TemplateParameter> templateParameters) implements Type {}

    /** A C-like enum: enumeration_type with named values. */
    record Enumerator(String name, long value) {}

    record Enumeration(long offset, String name, long byteSize, TypeRef underlying, List<Enumerator> enumerators,
                       List<TemplateParameter> templateParameters) implements Type {}

    /** An array: element type and the count per dimension (-1 where DWARF gives none). */
    record Array(long offset, String name, long byteSize, TypeRef element, List<Long> counts) implements Type {}

    record Typedef(long offset, String name, TypeRef target) implements Type {
        @Override
        public long byteSize() {
            Type s = Type.strip(this);
            return s instanceof Typedef || s instanceof Modified ? -1 : s.byteSize();
        }
    }

    enum ModifierKind { CONST, VOLATILE, RESTRICT, ATOMIC }

    /** const/volatile/restrict/atomic wrappers (rare in Rust). */
    record Modified(long offset, ModifierKind kind, TypeRef target) implements Type {
        @Override
        public String name() {
            Type s = Type.strip(this);
            return s instanceof Modified ? null : s.name();
        }

        @Override
        public long byteSize() {
            Type s = Type.strip(this);
            return s instanceof Typedef || s instanceof Modified ? -1 : s.byteSize();
        }
    }

    /** A function type (fn pointers, vtable entries); returnType null for (). */
    record Subroutine(long offset, String name, TypeRef returnType, List<TypeRef> parameters) implements Type {
        @Override
        public long byteSize() {
            return -1;
        }
    }

    /** Something we cannot describe: an unexpected tag, an unreadable DIE, a type-unit signature. */
    record Unknown(long offset, String name, String reason) implements Type {
        @Override
        public long byteSize() {
            return -1;
        }
    }

    /** Follows typedefs and modifiers to the underlying type (at most 32 steps, so cycles end). */
    static Type strip(Type t) {
        for (int i = 0; i < 32; i++) {
            if (t instanceof Typedef td && td.target() != null) {
                t = td.target().get();
            } else if (t instanceof Modified m && m.target() != null) {
                t = m.target().get();
            } else {
                return t;
            }
        }
        return new Unknown(t.offset(), t.name(), "typedef chain longer than 32 (a cycle?)");
    }
}
