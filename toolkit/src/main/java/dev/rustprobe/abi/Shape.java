// How to turn a value's bytes into a RustValue: the decoding rules derived from a DWARF type, with no machine
// state in them. The tracer executes a Shape against a Capture (see Decoder); FetchPlanner derives its reads.
package dev.rustprobe.abi;

import dev.rustprobe.dwarf.Type;

import java.util.List;
import java.util.Map;

public sealed interface Shape {

    /** How deep Shape.of nests types (fields in fields), so a pathological type graph ends. */
    int MAX_NESTING = 24;
    /** How many pointers a value is followed through (&&&T, a Box in a struct behind a &). */
    int MAX_POINTER_DEPTH = 4;
    /** The largest value Shape.of describes; bigger values are Unsupported rather than read whole. */
    long MAX_VALUE_SIZE = 1 << 16;

    /** The value's size in bytes (what a location must provide). */
    long size();

    /** An integer of width bytes (1, 2, 4, 8, 16); rustc leaves the upper register bits undefined, so mask. */
    record Int(long size, boolean signed) implements Shape {}

    /** A bool: one byte, 0 or 1 (any other byte is not a bool and decodes to Unavailable). */
    record Bool() implements Shape {
        @Override
        public long size() {
            return 1;
        }
    }

    /** A char: a u32 Unicode scalar value; a surrogate or a value past U+10FFFF is Unavailable. */
    record Char() implements Shape {
        @Override
        public long size() {
            return 4;
        }
    }

    /** f32 (4) or f64 (8): decodable from memory, the stack or a general register, never from xmm. */
    record Float(long size) implements Shape {}

    /** A zero-sized value: "()" or a unit struct ("Marker"). Needs no bytes. */
    record Unit(String name) implements Shape {
        @Override
        public long size() {
            return 0;
        }
    }

    /** &str, String, Box<str>: a pointer and a byte count at the given offsets in the value. */
    record Str(long size, long ptrOffset, long lenOffset) implements Shape {}

    /** &[T], Vec<T>, Box<[T]>: a pointer and an element count; elements stride bytes apart. */
    record Slice(long size, long ptrOffset, long lenOffset, Shape element, long stride) implements Shape {}

    /** [T; N] inline. */
    record Array(Shape element, long stride, long count) implements Shape {
        @Override
        public long size() {
            return stride * count;
        }
    }

    /** A field at its byte offset in the enclosing value (Rust reorders fields, so the offset is DWARF's). */
    record Field(String name, long offset, Shape shape) {}

    /** A struct, tuple struct, tuple or unit struct; fields in declaration order (as Debug prints them). */
    record Struct(String name, RustValue.StructStyle style, List<Field> fields, long size) implements Shape {
        public Struct {
            fields = List.copyOf(fields);
        }
    }

    /** &T, &mut T, Box<T> to a sized T: an 8-byte address, decoded as the pointee (Debug prints the pointee). */
    record Ref(Shape pointee) implements Shape {
        @Override
        public long size() {
            return 8;
        }
    }

    /** *const T, *mut T, fn pointers, and references followed too deep: printed as the address. */
    record RawPointer(long size) implements Shape {}

    /** A C-like enum: the raw discriminant value names the variant (Color::Blue = 7, not its index). */
    record CEnum(long size, Map<Long, String> names) implements Shape {
        public CEnum {
            names = Map.copyOf(names);
        }
    }

    /**
     * One variant of a data enum: its raw tag value (null for the default variant of a niche-encoded enum, the
     * one holding data), its name, and its fields at their offsets in the enum; tuple says "V(a)" not "V { a }".
     */
    record Alternative(Long tag, String name, List<Field> fields, boolean tuple) {
        public Alternative {
            fields = List.copyOf(fields);
        }
    }

    /**
     * A Rust enum with data (Option, Result, user enums), tagged or niche-encoded: the tag is tagSize bytes at
     * tagOffset, compared with each alternative's raw value; no match selects the default alternative.
     */
    record Enum(String name, long size, long tagOffset, long tagSize, List<Alternative> alternatives)
            implements Shape {
        public Enum {
            alternatives = List.copyOf(alternatives);
        }
    }

    /** A closure environment: its captures, printed as "<closure k=100>". */
    record Closure(long size, List<Field> captures) implements Shape {
        public Closure {
            captures = List.copyOf(captures);
        }
    }

    /**
     * &dyn Trait / Box<dyn Trait>: data pointer and vtable pointer; the vtable's link-time address names the
     * concrete type (DWARF's "<T as Trait>::{vtable}"), whose shape decodes the data.
     */
    record Dyn(String trait, long size, long dataOffset, long vtableOffset, Map<Long, Shape> byVtable)
            implements Shape {
        public Dyn {
            byVtable = Map.copyOf(byVtable);
        }
    }

    /** A type we have no rule for, with the reason; decodes to Unavailable. */
    record Unsupported(long size, String reason) implements Shape {}

    /** Link-time vtable address -> the concrete type behind it, for &dyn values; empty when unknown. */
    interface Vtables {
        Vtables NONE = trait -> Map.of();

        /** The vtables of one trait ("core::ops::function::Fn<(u32), Output=u32>"), by address. */
        Map<Long, Type> of(String trait);
    }

    /** The decoding rules for a DWARF type (without vtables: &dyn values decode to an opaque "<dyn Trait>"). */
    static Shape of(Type type) {
        return of(type, Vtables.NONE);
    }

    static Shape of(Type type, Vtables vtables) {
        return new ShapeBuilder(vtables).build(type, 0, 0);
    }

    /** True if decoding this shape reads memory beyond the value's own bytes (a pointer it follows). */
    static boolean followsPointers(Shape s) {
        if (s instanceof Ref || s instanceof Str || s instanceof Slice || s instanceof Dyn) {
            return true;
        } else if (s instanceof Array a) {
            return followsPointers(a.element());
        } else if (s instanceof Struct st) {
            return st.fields().stream().anyMatch(f -> followsPointers(f.shape()));
        } else if (s instanceof Closure c) {
            return c.captures().stream().anyMatch(f -> followsPointers(f.shape()));
        } else if (s instanceof Enum e) {
            return e.alternatives().stream().flatMap(a -> a.fields().stream()).anyMatch(f -> followsPointers(f.shape()));
        }
        return false;
    }

    /** The Debug name of a type: its last path segment without generic arguments ("Wrapper<u32>" -> "Wrapper"). */
    static String debugName(String dwarfName) {
        if (dwarfName == null) {
            return "?";
        }
        String n = dwarfName;
        int lt = n.indexOf('<');
        if (lt > 0) {
            n = n.substring(0, lt);
        }
        int colon = n.lastIndexOf("::");
        return colon >= 0 ? n.substring(colon + 2) : n;
    }
}
