// The x86_64 model of rustc's Rust ABI (measured on rustc 1.95): classifies DWARF type layouts into rustc's backend
// repr (scalar, scalar pair, aggregate, zero-sized) and assigns registers and stack slots at function entry and return.
package dev.rustprobe.abi;

import dev.rustprobe.dwarf.Subprogram;
import dev.rustprobe.dwarf.Type;
import dev.rustprobe.dwarf.Variable;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

public final class AbiModel {

    static final String[] INT_ARGS = {"rdi", "rsi", "rdx", "rcx", "r8", "r9"};
    static final int XMM_ARGS = 8;

    private AbiModel() {}

    enum Kind { INT, FLOAT, INT128 }

    /** rustc's backend representation of a type, as far as the calling convention cares. */
    sealed interface Repr {}

    record Zst() implements Repr {}

    /** One primitive: offset in the value, size, and rank in declaration order (for rendering pieces). */
    record Scalar(Kind kind, long offset, long size, int rank) implements Repr {
        Scalar at(long base, int rankBase) {
            return new Scalar(kind, base + offset, size, rankBase + rank);
        }
    }

    /** Two primitives passed as two independent arguments, in memory-layout order. */
    record Pair(Scalar first, Scalar second) implements Repr {}

    /** Anything else: packed into one register up to 8 bytes, otherwise passed by pointer / returned via sret. */
    record Aggregate(long size) implements Repr {}

    /** Classifies a DWARF type; null if DWARF gives no usable layout. */
    static Repr classify(Type type) {
        return classify(type, 0);
    }

    private static Repr classify(Type type, int depth) {
        if (type == null) {
            return new Zst();
        }
        Type t = Type.strip(type);
        if (depth > 24 || t instanceof Type.Unknown || t instanceof Type.Subroutine) {
            return null;
        }
        long size = t.byteSize();
        if (size < 0 && t instanceof Type.Array a && a.element() != null) {
            // rustc gives arrays no DW_AT_byte_size: element size times the counts
            size = Type.strip(a.element().get()).byteSize();
            for (long c : a.counts()) {
                size = c < 0 || size < 0 ? -1 : size * c;
            }
        }
        if (size == 0) {
            return new Zst();
        }
        if (size < 0) {
            return null;
        }
        if (t instanceof Type.Base b) {
            Kind k = b.encoding() == Type.Encoding.FLOAT ? Kind.FLOAT : size == 16 ? Kind.INT128 : Kind.INT;
            return new Scalar(k, 0, size, 0);
        }
        if (t instanceof Type.Pointer || t instanceof Type.Enumeration) {
            return new Scalar(Kind.INT, 0, size, 0);
        }
        if (t instanceof Type.Array) {
            return new Aggregate(size);
        }
        if (t instanceof Type.Struct s) {
            return fromFields(s.members(), size, depth);
        }
        if (t instanceof Type.VariantEnum e) {
            return fromEnum(e, size, depth);
        }
        return null;
    }

    /** A struct or tuple: a newtype takes its field's repr, two scalar fields make a pair. */
    private static Repr fromFields(List<Type.Member> members, long size, int depth) {
        List<Repr> reprs = new ArrayList<>();
        List<Type.Member> live = new ArrayList<>();
        List<Integer> ranks = new ArrayList<>();
        for (int i = 0; i < members.size(); i++) {
            Type.Member m = members.get(i);
            Repr r = classify(m.type() == null ? null : m.type().get(), depth + 1);
            if (r == null) {
                return null;
            }
            if (!(r instanceof Zst)) {
                reprs.add(r);
                live.add(m);
                ranks.add(i);
            }
        }
        if (reprs.isEmpty()) {
            return new Zst();
        }
        if (reprs.size() == 1) {
            Repr only = reprs.get(0);
            long off = live.get(0).offset();
            if (only instanceof Scalar sc && sc.size() == size) {
                return sc.at(off, 0);
            }
            if (only instanceof Pair p) {
                return new Pair(p.first().at(off, 0), p.second().at(off, 0));
            }
            return new Aggregate(size);
        }
        if (reprs.size() == 2 && reprs.get(0) instanceof Scalar a && reprs.get(1) instanceof Scalar b
                && a.kind() != Kind.INT128 && b.kind() != Kind.INT128) {
            Scalar x = new Scalar(a.kind(), live.get(0).offset() + a.offset(), a.size(), ranks.get(0));
            Scalar y = new Scalar(b.kind(), live.get(1).offset() + b.offset(), b.size(), ranks.get(1));
            return x.offset() <= y.offset() ? new Pair(x, y) : new Pair(y, x);
        }
        return new Aggregate(size);
    }

    /**
     * A Rust enum with data. Niche-encoded (a dataful default variant): the dataful variant's repr. Tagged: the tag
     * alone, or tag + payload as a pair when every variant has at most one scalar field, all at one offset and size.
     */
    private static Repr fromEnum(Type.VariantEnum e, long size, int depth) {
        if (e.discriminant() == null) {
            return e.variants().size() == 1 ? classify(e.variants().get(0).member().type().get(), depth + 1) : null;
        }
        for (Type.Variant v : e.variants()) {
            if (v.discriminant() == null) {
                Repr r = classify(v.member().type().get(), depth + 1);
                return r instanceof Aggregate || r == null ? new Aggregate(size) : r;
            }
        }
        Repr tagRepr = classify(e.discriminant().type().get(), depth + 1);
        if (!(tagRepr instanceof Scalar tag0)) {
            return new Aggregate(size);
        }
        Scalar tag = new Scalar(Kind.INT, e.discriminant().offset(), tag0.size(), 0);
        Scalar payload = null;
        for (Type.Variant v : e.variants()) {
            Repr r = variantPayload(v.member().type().get(), depth);
            if (r == null || r instanceof Pair || r instanceof Aggregate) {
                return new Aggregate(size);
            }
            if (r instanceof Scalar s) {
                if (payload != null && (payload.offset() != s.offset() || payload.size() != s.size()
                        || payload.kind() != s.kind())) {
                    return new Aggregate(size);
                }
                payload = new Scalar(s.kind(), s.offset(), s.size(), 1);
            }
        }
        if (payload == null) {
            return tag.size() == size ? tag : new Aggregate(size);
        }
        return tag.offset() <= payload.offset() ? new Pair(tag, payload) : new Pair(payload, tag);
    }

    /**
     * The fields of one variant of a tagged enum, as a repr: nothing, one scalar at its offset in the enum, or
     * Aggregate for more (the variant struct spans the whole enum, so its own size says nothing).
     */
    private static Repr variantPayload(Type variant, int depth) {
        Type t = Type.strip(variant);
        if (!(t instanceof Type.Struct s)) {
            return classify(t, depth + 1);
        }
        Repr found = new Zst();
        for (Type.Member m : s.members()) {
            Repr r = classify(m.type() == null ? null : m.type().get(), depth + 1);
            if (r == null) {
                return null;
            }
            if (r instanceof Zst) {
                continue;
            }
            if (!(found instanceof Zst) || !(r instanceof Scalar sc)) {
                return new Aggregate(t.byteSize());
            }
            found = sc.at(m.offset(), 0);
        }
        return found;
    }

    /** True if the return value goes through a hidden pointer in rdi (every argument shifts one register). */
    public static boolean returnsViaSret(Subprogram s) {
        Repr r = classify(s.returnType());
        return r instanceof Aggregate a && a.size() > 8;
    }

    /** Where each parameter is at the function's first instruction, by the ABI alone; keyed by parameter name. */
    public static Map<String, ValueLocation> entryLocations(Subprogram s) {
        Assigner a = new Assigner();
        if (returnsViaSret(s)) {
            a.gpr++;
        }
        if (s.name() != null && s.name().startsWith("{closure")) {
            a.gpr++; // the environment pointer: not a DW_TAG_formal_parameter, but it takes the first register
        }
        Map<String, ValueLocation> out = new LinkedHashMap<>();
        int i = 0;
        for (Variable p : s.parameters()) {
            String name = p.name() != null ? p.name() : "arg" + i;
            i++;
            Repr r = classify(p.type());
            out.put(name, r == null ? new ValueLocation.Unavailable(ValueLocation.Reason.UNKNOWN_TYPE,
                    p.typeRef() == null ? null : p.typeRef().name()) : a.assign(r));
        }
        return out;
    }

    /** Where the return value is at the return: rax/rdx, xmm0/xmm1, memory at rax (sret), or nothing. */
    public static ValueLocation returnLocation(Subprogram s) {
        Repr r = classify(s.returnType());
        if (r == null) {
            return new ValueLocation.Unavailable(ValueLocation.Reason.UNKNOWN_TYPE, null);
        }
        if (r instanceof Zst) {
            return new ValueLocation.Constant(0, 0);
        }
        if (r instanceof Aggregate ag) {
            return ag.size() > 8 ? new ValueLocation.Memory(new ValueLocation.Register("rax", 8), 0)
                    : new ValueLocation.Register("rax", ag.size());
        }
        String[] ints = {"rax", "rdx"};
        int[] next = {0, 0};
        List<Scalar> parts = r instanceof Pair p ? List.of(p.first(), p.second()) : List.of((Scalar) r);
        List<ValueLocation.Piece> pieces = new ArrayList<>();
        for (Scalar sc : parts) {
            if (sc.kind() == Kind.INT128) {
                pieces.add(new ValueLocation.Piece(sc.offset(), 8, 0, new ValueLocation.Register("rax", 8)));
                pieces.add(new ValueLocation.Piece(sc.offset() + 8, 8, 1, new ValueLocation.Register("rdx", 8)));
            } else if (sc.kind() == Kind.FLOAT) {
                pieces.add(new ValueLocation.Piece(sc.offset(), sc.size(), sc.rank(), new ValueLocation.Unavailable(
                        ValueLocation.Reason.FLOAT_REGISTER, "xmm" + next[1]++)));
            } else {
                pieces.add(new ValueLocation.Piece(sc.offset(), sc.size(), sc.rank(),
                        new ValueLocation.Register(ints[next[0]++], sc.size())));
            }
        }
        return pieces.size() == 1 ? pieces.get(0).location() : new ValueLocation.Pieces(pieces);
    }

    /** The running register and stack counters while arguments are assigned left to right. */
    private static final class Assigner {
        int gpr;
        int xmm;
        long stack = 8;

        ValueLocation assign(Repr r) {
            if (r instanceof Zst) {
                return new ValueLocation.Constant(0, 0);
            }
            if (r instanceof Aggregate ag) {
                ValueLocation word = intWord(8);
                return ag.size() <= 8 ? resize(word, ag.size()) : new ValueLocation.Memory(word, 0);
            }
            List<Scalar> parts = r instanceof Pair p ? List.of(p.first(), p.second()) : List.of((Scalar) r);
            List<ValueLocation.Piece> pieces = new ArrayList<>();
            for (Scalar sc : parts) {
                if (sc.kind() == Kind.INT128) {
                    ValueLocation lo;
                    ValueLocation hi;
                    if (gpr + 2 <= INT_ARGS.length) {
                        lo = new ValueLocation.Register(INT_ARGS[gpr++], 8);
                        hi = new ValueLocation.Register(INT_ARGS[gpr++], 8);
                    } else { // wholly on the stack, 16-aligned; a GPR left over still takes later arguments
                        if ((stack - 8) % 16 != 0) {
                            stack += 8;
                        }
                        lo = new ValueLocation.StackSlot(stack, 8);
                        hi = new ValueLocation.StackSlot(stack + 8, 8);
                        stack += 16;
                    }
                    pieces.add(new ValueLocation.Piece(sc.offset(), 8, 0, lo));
                    pieces.add(new ValueLocation.Piece(sc.offset() + 8, 8, 1, hi));
                } else if (sc.kind() == Kind.FLOAT) {
                    ValueLocation l = xmm < XMM_ARGS
                            ? new ValueLocation.Unavailable(ValueLocation.Reason.FLOAT_REGISTER, "xmm" + xmm++)
                            : stackWord(sc.size());
                    pieces.add(new ValueLocation.Piece(sc.offset(), sc.size(), sc.rank(), l));
                } else {
                    pieces.add(new ValueLocation.Piece(sc.offset(), sc.size(), sc.rank(), intWord(sc.size())));
                }
            }
            return pieces.size() == 1 ? pieces.get(0).location() : new ValueLocation.Pieces(pieces);
        }

        private ValueLocation intWord(long width) {
            return gpr < INT_ARGS.length ? new ValueLocation.Register(INT_ARGS[gpr++], width) : stackWord(width);
        }

        private ValueLocation stackWord(long width) {
            ValueLocation l = new ValueLocation.StackSlot(stack, width);
            stack += 8;
            return l;
        }

        private static ValueLocation resize(ValueLocation l, long width) {
            return l instanceof ValueLocation.Register r ? new ValueLocation.Register(r.register(), width)
                    : new ValueLocation.StackSlot(((ValueLocation.StackSlot) l).offset(), width);
        }
    }
}
