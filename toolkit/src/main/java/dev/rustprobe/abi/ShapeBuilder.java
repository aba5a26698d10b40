// Builds a Shape from a DWARF type the way rustc describes Rust types: fat pointers, String/Vec found by walking
// their members (never by assuming a field order), enums by their variant part, closures by their environment.
package dev.rustprobe.abi;

import dev.rustprobe.dwarf.Type;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

final class ShapeBuilder {
    /** Shapes are trees (a type used twice is built twice), so a budget keeps a huge type graph bounded. */
    static final int MAX_NODES = 20_000;
    private final Shape.Vtables vtables;
    private int nodes;

    ShapeBuilder(Shape.Vtables vtables) {
        this.vtables = vtables;
    }

    Shape build(Type type, int nesting, int pointers) {
        if (type == null) {
            return new Shape.Unit("()");
        }
        Type t = Type.strip(type);
        if (++nodes > MAX_NODES) {
            return new Shape.Unsupported(Math.max(0, sizeOf(t)), "type too large to describe (over " + MAX_NODES
                    + " parts)");
        }
        if (nesting > Shape.MAX_NESTING) {
            return new Shape.Unsupported(Math.max(0, t.byteSize()), "type nested deeper than " + Shape.MAX_NESTING);
        }
        if (t instanceof Type.Base b) {
            return base(b);
        }
        if (t instanceof Type.Pointer p) {
            return pointer(p, nesting, pointers);
        }
        if (t instanceof Type.Enumeration e) {
            Map<Long, String> names = new LinkedHashMap<>();
            for (Type.Enumerator x : e.enumerators()) {
                names.putIfAbsent(mask(x.value(), e.byteSize()), x.name());
            }
            return e.byteSize() <= 0 || e.byteSize() > 8 ? unsupported(t, "C-like enum of size " + e.byteSize())
                    : new Shape.CEnum(e.byteSize(), names);
        }
        if (t instanceof Type.Array a) {
            return array(a, nesting, pointers);
        }
        if (t instanceof Type.VariantEnum e) {
            return variantEnum(e, nesting, pointers);
        }
        if (t instanceof Type.Struct s) {
            return struct(s, nesting, pointers);
        }
        if (t instanceof Type.Unknown u) {
            return new Shape.Unsupported(0, "DWARF type not readable: " + u.reason());
        }
        return unsupported(t, "no decoding rule for " + t.name());
    }

    private static Shape base(Type.Base b) {
        long size = b.byteSize();
        if (size == 0) {
            return new Shape.Unit(b.name() == null ? "()" : b.name());
        }
        return switch (b.encoding()) {
            case SIGNED, SIGNED_CHAR -> size <= 16 ? new Shape.Int(size, true) : unsupported(b, "integer too wide");
            case UNSIGNED, UNSIGNED_CHAR -> size <= 16 ? new Shape.Int(size, false)
                    : unsupported(b, "integer too wide");
            case BOOLEAN -> new Shape.Bool();
            case UTF -> size == 4 ? new Shape.Char() : unsupported(b, "character of size " + size);
            case FLOAT -> size == 4 || size == 8 ? new Shape.Float(size) : unsupported(b, "float of size " + size);
            default -> unsupported(b, "no decoding rule for " + b.name());
        };
    }

    private Shape pointer(Type.Pointer p, int nesting, int pointers) {
        String name = p.name() == null ? "" : p.name();
        boolean followable = name.startsWith("&") || name.contains("Box<");
        Type pointee = p.pointee() == null ? null : Type.strip(p.pointee().get());
        if (!followable || pointee == null || pointers >= Shape.MAX_POINTER_DEPTH
                || pointee instanceof Type.Subroutine || pointee instanceof Type.Unknown) {
            return new Shape.RawPointer(8);
        }
        long size = sizeOf(pointee);
        if (size < 0 || size > Shape.MAX_VALUE_SIZE) {
            return new Shape.RawPointer(8);
        }
        return new Shape.Ref(build(pointee, nesting + 1, pointers + 1));
    }

    private Shape array(Type.Array a, int nesting, int pointers) {
        if (a.element() == null || a.counts().size() != 1 || a.counts().get(0) < 0) {
            return unsupported(a, "array without one known dimension");
        }
        Type el = a.element().get();
        long stride = sizeOf(Type.strip(el));
        long count = a.counts().get(0);
        if (stride < 0 || stride * count > Shape.MAX_VALUE_SIZE) {
            return unsupported(a, "array of unknown or huge size");
        }
        return new Shape.Array(build(el, nesting + 1, pointers), stride, count);
    }

    private Shape struct(Type.Struct s, int nesting, int pointers) {
        long size = s.byteSize();
        String name = s.name() == null ? "" : s.name();
        if (s.declaration() || size < 0) {
            return unsupported(s, "DWARF declares " + name + " without its layout");
        }
        if (size > Shape.MAX_VALUE_SIZE) {
            return unsupported(s, name + " is larger than " + Shape.MAX_VALUE_SIZE + " bytes");
        }
        if (s.kind() == Type.StructKind.UNION) {
            return unsupported(s, "a union has no single reading");
        }
        Type.Member dataPtr = member(s, "data_ptr");
        Type.Member length = member(s, "length");
        if (dataPtr != null && length != null) { // a fat pointer to str or [T] (&str, &[T], Box<str>, Box<[T]>)
            Type.Pointer p = Type.strip(dataPtr.type().get()) instanceof Type.Pointer x ? x : null;
            Type el = p == null || p.pointee() == null ? null : Type.strip(p.pointee().get());
            if (name.matches(".*\\bstr\\b.*") && !name.contains("[")) {
                return new Shape.Str(size, dataPtr.offset(), length.offset());
            }
            long stride = el == null ? -1 : sizeOf(el);
            return stride < 0 ? unsupported(s, "slice element of unknown size")
                    : new Shape.Slice(size, dataPtr.offset(), length.offset(),
                    build(el, nesting + 1, pointers + 1), stride);
        }
        if (member(s, "pointer") != null && member(s, "vtable") != null && name.contains("dyn ")) {
            return dyn(s, name, nesting, pointers);
        }
        if (name.equals("String") || name.equals("alloc::string::String")) {
            Type.Member vec = member(s, "vec");
            if (vec != null && Type.strip(vec.type().get()) instanceof Type.Struct v) {
                long[] pl = pointerAndLength(v);
                if (pl != null) {
                    return new Shape.Str(size, vec.offset() + pl[0], vec.offset() + pl[1]);
                }
            }
            return unsupported(s, "String without the vec, pointer and len members rustc emits");
        }
        if (name.startsWith("Vec<") || name.startsWith("alloc::vec::Vec<")) {
            Type el = template(s, "T");
            long[] pl = pointerAndLength(s);
            long stride = el == null ? -1 : sizeOf(Type.strip(el));
            if (pl == null || stride < 0) {
                return unsupported(s, "Vec without an element type, pointer and len");
            }
            return new Shape.Slice(size, pl[0], pl[1], build(el, nesting + 1, pointers + 1), stride);
        }
        List<Shape.Field> fields = new ArrayList<>();
        boolean tuple = !s.members().isEmpty();
        for (Type.Member m : s.members()) {
            fields.add(new Shape.Field(m.name(), m.offset(), build(m.type() == null ? null : m.type().get(),
                    nesting + 1, pointers)));
            tuple &= m.name() != null && m.name().matches("__\\d+");
        }
        if (name.startsWith("{closure_env")) {
            return new Shape.Closure(size, fields);
        }
        if (name.startsWith("(")) {
            return new Shape.Struct(name, RustValue.StructStyle.TUPLE, fields, size);
        }
        if (fields.isEmpty()) {
            return size == 0 ? new Shape.Unit(Shape.debugName(name))
                    : unsupported(s, name + " has bytes but no fields in DWARF");
        }
        return new Shape.Struct(Shape.debugName(name), tuple ? RustValue.StructStyle.TUPLE_STRUCT
                : RustValue.StructStyle.NAMED, fields, size);
    }

    /**
     * &dyn Trait: every vtable DWARF knows for a trait of the same path is a candidate; the vtable pointer picks
     * one at decode time.
     */
    private Shape dyn(Type.Struct s, String name, int nesting, int pointers) {
        String trait = traitOf(name);
        Map<Long, Shape> byVtable = new LinkedHashMap<>();
        if (pointers < Shape.MAX_POINTER_DEPTH) {
            Map<Long, Type> candidates;
            try {
                candidates = vtables.of(trait);
            } catch (RuntimeException e) { // damaged DWARF around the vtables: the value stays opaque
                candidates = Map.of();
            }
            for (Map.Entry<Long, Type> e : candidates.entrySet()) {
                long size = sizeOf(Type.strip(e.getValue()));
                if (size >= 0 && size <= Shape.MAX_VALUE_SIZE) {
                    byVtable.put(e.getKey(), build(e.getValue(), nesting + 1, pointers + 1));
                }
            }
        }
        return new Shape.Dyn(trait, s.byteSize(), member(s, "pointer").offset(), member(s, "vtable").offset(),
                byVtable);
    }

    /** "&dyn core::ops::function::Fn<(u32), Output=u32>" -> "core::ops::function::Fn<(u32), Output=u32>". */
    static String traitOf(String name) {
        int at = name.indexOf("dyn ") + 4;
        int depth = 0;
        for (int i = at; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '<' || c == '(' || c == '[') {
                depth++;
            } else if (c == '>' || c == ')' || c == ']') {
                if (depth == 0) {
                    return name.substring(at, i).trim();
                }
                depth--;
            } else if (c == ',' && depth == 0) {
                return name.substring(at, i).trim();
            }
        }
        return name.substring(at).trim();
    }

    private Shape variantEnum(Type.VariantEnum e, int nesting, int pointers) {
        long size = e.byteSize();
        if (size < 0 || size > Shape.MAX_VALUE_SIZE) {
            return unsupported(e, "enum of unknown or huge size");
        }
        long tagOffset = 0;
        long tagSize = 0;
        if (e.discriminant() != null) {
            tagOffset = e.discriminant().offset();
            tagSize = sizeOf(Type.strip(e.discriminant().type().get()));
            if (tagSize <= 0 || tagSize > 8) { // a u128 niche: its low 64 bits decide in practice, but say so
                return unsupported(e, "enum tag of size " + tagSize);
            }
        } else if (e.variants().size() != 1) {
            return unsupported(e, "enum without a discriminant");
        }
        List<Shape.Alternative> alts = new ArrayList<>();
        for (Type.Variant v : e.variants()) {
            if (v.member() == null) {
                continue;
            }
            Type vt = v.member().type() == null ? null : Type.strip(v.member().type().get());
            List<Shape.Field> fields = new ArrayList<>();
            boolean tuple = false;
            if (vt instanceof Type.Struct vs) {
                tuple = !vs.members().isEmpty();
                for (Type.Member m : vs.members()) {
                    fields.add(new Shape.Field(m.name(), v.member().offset() + m.offset(),
                            build(m.type() == null ? null : m.type().get(), nesting + 1, pointers)));
                    tuple &= m.name() != null && m.name().matches("__\\d+");
                }
            }
            alts.add(new Shape.Alternative(v.discriminant() == null ? null : mask(v.discriminant(), tagSize),
                    v.member().name(), fields, tuple));
        }
        return new Shape.Enum(Shape.debugName(e.name()), size, tagOffset, tagSize, alts);
    }

    /** Offsets of a Vec's data pointer (the first thin pointer inside buf, however deep) and of len. */
    private static long[] pointerAndLength(Type.Struct vec) {
        Type.Member len = member(vec, "len");
        if (len == null) {
            return null;
        }
        for (Type.Member m : vec.members()) {
            if (m != len && m.type() != null) {
                long p = firstPointer(m.type().get(), m.offset(), 0);
                if (p >= 0) {
                    return new long[]{p, len.offset()};
                }
            }
        }
        return null;
    }

    private static long firstPointer(Type type, long base, int depth) {
        Type t = Type.strip(type);
        if (t instanceof Type.Pointer) {
            return base;
        }
        if (depth < 8 && t instanceof Type.Struct s) {
            for (Type.Member m : s.members()) {
                long p = m.type() == null ? -1 : firstPointer(m.type().get(), base + m.offset(), depth + 1);
                if (p >= 0) {
                    return p;
                }
            }
        }
        return -1;
    }

    private static Type.Member member(Type.Struct s, String name) {
        for (Type.Member m : s.members()) {
            if (name.equals(m.name())) {
                return m;
            }
        }
        return null;
    }

    private static Type template(Type.Struct s, String name) {
        for (Type.TemplateParameter p : s.templateParameters()) {
            if (name.equals(p.name()) && p.type() != null) {
                return p.type().get();
            }
        }
        return null;
    }

    /** A type's size; rustc gives arrays no byte size, so it is element size times count. */
    static long sizeOf(Type t) {
        if (t instanceof Type.Array a && a.byteSize() < 0) {
            if (a.element() == null || a.counts().size() != 1 || a.counts().get(0) < 0) {
                return -1;
            }
            long el = sizeOf(Type.strip(a.element().get()));
            return el < 0 ? -1 : el * a.counts().get(0);
        }
        return t.byteSize();
    }

    static long mask(long value, long size) {
        return size >= 8 ? value : value & ((1L << (8 * size)) - 1);
    }

    private static Shape unsupported(Type t, String reason) {
        return new Shape.Unsupported(Math.max(0, sizeOf(t)), reason);
    }
}
