// Executes a Shape against a Capture: gathers the value's bytes from its location (registers, stack, memory,
// constants, pieces), then applies the decoding rules, following pointers through the capture's recorded memory.
package dev.rustprobe.abi;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;

public final class Decoder {
    /** The most bytes one string or slice asks the capture for; a capture holds at most --max-bytes anyway. */
    static final int MAX_SEQUENCE_BYTES = 1 << 20;
    /** The most elements of one slice or array turned into values. */
    static final int MAX_ELEMENTS = 4096;
    /** The most values (fields, elements) and memory bytes one decode produces, whatever the shape nests. */
    static final int MAX_VALUES = 100_000;
    static final int MAX_TOTAL_BYTES = 4 << 20;

    private Decoder() {}

    public static RustValue decode(SiteValue value, Capture capture) {
        return decode(value.location(), value.shape(), capture);
    }

    public static RustValue decode(ValueLocation location, Shape shape, Capture capture) {
        if (location instanceof ValueLocation.Unavailable u) {
            return new RustValue.Unavailable(reason(u));
        }
        if (shape instanceof Shape.Unsupported u) {
            return new RustValue.Unavailable(u.reason());
        }
        Budgeted cap = new Budgeted(capture);
        Image image = assemble(location, shape.size(), cap);
        return value(shape, image, 0, cap);
    }

    /** The capture, metered: past the budget it yields no more memory and no more values. */
    private static final class Budgeted implements Capture {
        private final Capture inner;
        private long bytesLeft = MAX_TOTAL_BYTES;
        private int valuesLeft = MAX_VALUES;

        Budgeted(Capture inner) {
            this.inner = inner;
        }

        @Override
        public OptionalLong register(String name) {
            return inner.register(name);
        }

        @Override
        public byte[] memory(long address, int length) {
            if (length > bytesLeft) {
                return null;
            }
            byte[] b = inner.memory(address, length);
            bytesLeft -= b == null ? 0 : b.length;
            return b;
        }

        @Override
        public long loadBias() {
            return inner.loadBias();
        }

        boolean spendValue() {
            return valuesLeft-- > 0;
        }
    }

    static String reason(ValueLocation.Unavailable u) {
        return u.reason().sentence() + (u.detail() == null ? "" : ": " + u.detail());
    }

    /** A value's bytes with, per byte, why it is missing (null when known). */
    static final class Image {
        final byte[] bytes;
        final String[] missing;

        Image(int size, String why) {
            bytes = new byte[size];
            missing = new String[size];
            if (why != null) {
                Arrays.fill(missing, why);
            }
        }

        void put(int at, byte[] src, int from, int len) {
            for (int i = 0; i < len && at + i < bytes.length; i++) {
                if (at + i >= 0) {
                    bytes[at + i] = src[from + i];
                    missing[at + i] = null;
                }
            }
        }

        /** Why some byte of [off, off+len) is unknown, or null if all are known. */
        String missing(long off, long len) {
            if (off < 0 || off + len > bytes.length) {
                return "the value's bytes end before offset " + (off + len);
            }
            for (long i = off; i < off + len; i++) {
                if (missing[(int) i] != null) {
                    return missing[(int) i];
                }
            }
            return null;
        }

        long word(long off, long len) {
            long v = 0;
            for (int i = (int) Math.min(len, 8) - 1; i >= 0; i--) {
                v = (v << 8) | (bytes[(int) off + i] & 0xff);
            }
            return v;
        }
    }

    private static byte[] littleEndian(long v) {
        byte[] b = new byte[8];
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (v >>> (8 * i));
        }
        return b;
    }

    static Image assemble(ValueLocation loc, long size, Capture cap) {
        int n = (int) Math.max(0, Math.min(size, Shape.MAX_VALUE_SIZE));
        if (loc instanceof ValueLocation.Unavailable u) {
            return new Image(n, reason(u));
        }
        if (loc instanceof ValueLocation.Register r) {
            OptionalLong v = cap.register(r.register());
            int have = v.isEmpty() ? 0 : (int) Math.min(Math.min(8, r.width()), n);
            // the reason is built only when some byte lacks one: this runs for every value of every event
            Image img = new Image(n, have == n ? null : v.isEmpty() ? "register " + r.register() + " was not recorded"
                    : "past the " + Math.min(8, r.width()) + " bytes of " + r.register());
            if (v.isPresent()) {
                img.put(0, littleEndian(v.getAsLong()), 0, have);
            }
            return img;
        }
        if (loc instanceof ValueLocation.Constant c) {
            Image img = new Image(n, "constant narrower than the value");
            img.put(0, littleEndian(c.value()), 0, (int) Math.min(8, Math.min(c.width(), n)));
            return img;
        }
        if (loc instanceof ValueLocation.StackSlot s) {
            OptionalLong rsp = cap.register("rsp");
            return rsp.isEmpty() ? new Image(n, "register rsp was not recorded")
                    : fromMemory(rsp.getAsLong() + s.offset(), n, cap);
        }
        if (loc instanceof ValueLocation.Memory m) {
            Long base = address(m.base(), cap);
            return base == null ? new Image(n, "the address in " + ValueLocation.render(m.base()) + " was not recorded")
                    : fromMemory(base + m.offset(), n, cap);
        }
        ValueLocation.Pieces p = (ValueLocation.Pieces) loc;
        Image img = new Image(n, "not described by DWARF at this PC");
        for (ValueLocation.Piece piece : p.pieces()) {
            Image part = assemble(piece.location(), piece.size(), cap);
            for (int i = 0; i < part.bytes.length && piece.offset() + i < n; i++) {
                img.bytes[(int) piece.offset() + i] = part.bytes[i];
                img.missing[(int) piece.offset() + i] = part.missing[i];
            }
        }
        return img;
    }

    /** The 8-byte value a location holds, used as an address; null if it was not recorded. */
    private static Long address(ValueLocation base, Capture cap) {
        Image w = assemble(base, 8, cap);
        return w.missing(0, 8) != null ? null : w.word(0, 8);
    }

    private static Image fromMemory(long address, int n, Capture cap) {
        byte[] got = n == 0 ? null : cap.memory(address, n);
        if (got != null && got.length >= n) {
            Image img = new Image(n, null);
            img.put(0, got, 0, n);
            return img;
        }
        String where = "memory at 0x" + Long.toHexString(address);
        Image img = new Image(n, where + " was not recorded");
        if (got != null) {
            img.put(0, got, 0, got.length);
            for (int i = got.length; i < n; i++) {
                img.missing[i] = where + " was recorded only for " + got.length + " bytes";
            }
        }
        return img;
    }

    static RustValue value(Shape shape, Image img, long off, Capture cap) {
        if (cap instanceof Budgeted b && !b.spendValue()) {
            return new RustValue.Unavailable("more than " + MAX_VALUES + " values: the decode budget is spent");
        }
        if (shape instanceof Shape.Unsupported u) {
            return new RustValue.Unavailable(u.reason());
        }
        if (shape instanceof Shape.Unit u) {
            return new RustValue.Struct(u.name(), List.of(), RustValue.StructStyle.UNIT);
        }
        if (shape instanceof Shape.Struct s) {
            List<RustValue.Field> fields = new ArrayList<>();
            for (Shape.Field f : s.fields()) {
                fields.add(new RustValue.Field(f.name(), value(f.shape(), img, off + f.offset(), cap)));
            }
            return new RustValue.Struct(s.name(), fields, s.style());
        }
        if (shape instanceof Shape.Array a) {
            int n = (int) Math.min(a.count(), MAX_ELEMENTS);
            List<RustValue> els = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                els.add(value(a.element(), img, off + i * a.stride(), cap));
            }
            return new RustValue.Seq(els, a.count(), n < a.count());
        }
        if (shape instanceof Shape.Closure c) {
            StringBuilder b = new StringBuilder("<closure");
            for (Shape.Field f : c.captures()) {
                b.append(' ').append(f.name()).append('=')
                        .append(RustValue.render(value(f.shape(), img, off + f.offset(), cap)));
            }
            return new RustValue.Opaque(b.append('>').toString());
        }
        if (shape instanceof Shape.Enum e) {
            return enumValue(e, img, off, cap);
        }
        if (shape instanceof Shape.Str || shape instanceof Shape.Slice) {
            // DWARF often keeps a fat pointer's length but not its pointer: say how long the value was
            long ptrOff = shape instanceof Shape.Str s ? s.ptrOffset() : ((Shape.Slice) shape).ptrOffset();
            long lenOff = shape instanceof Shape.Str s ? s.lenOffset() : ((Shape.Slice) shape).lenOffset();
            String noPtr = img.missing(off + ptrOff, 8);
            if (noPtr != null && img.missing(off + lenOff, 8) == null) {
                return new RustValue.Unavailable(noPtr + " (the pointer; the length is "
                        + Long.toUnsignedString(img.word(off + lenOff, 8)) + ")");
            }
        }
        // everything below is a scalar or a pointer: all its own bytes must be known
        String why = img.missing(off, shape.size());
        if (why != null) {
            return new RustValue.Unavailable(why);
        }
        if (shape instanceof Shape.Int i) {
            byte[] be = new byte[(int) i.size()];
            for (int k = 0; k < be.length; k++) {
                be[k] = img.bytes[(int) off + be.length - 1 - k];
            }
            return new RustValue.Int(i.signed() ? new BigInteger(be) : new BigInteger(1, be));
        }
        if (shape instanceof Shape.Bool) {
            int b = img.bytes[(int) off] & 0xff;
            return b <= 1 ? new RustValue.Bool(b == 1) : new RustValue.Unavailable("not a bool: byte 0x"
                    + Integer.toHexString(b));
        }
        if (shape instanceof Shape.Char) {
            int cp = (int) img.word(off, 4);
            return Character.isValidCodePoint(cp) && (cp < 0xD800 || cp > 0xDFFF) ? new RustValue.Char(cp)
                    : new RustValue.Unavailable("not a char: 0x" + Integer.toHexString(cp));
        }
        if (shape instanceof Shape.Float f) {
            long bits = img.word(off, f.size());
            return new RustValue.Float(f.size() == 4 ? java.lang.Float.intBitsToFloat((int) bits)
                    : Double.longBitsToDouble(bits), (int) f.size());
        }
        if (shape instanceof Shape.RawPointer) {
            return new RustValue.Address(img.word(off, 8));
        }
        if (shape instanceof Shape.CEnum e) {
            long raw = img.word(off, e.size());
            String name = e.names().get(raw);
            return name == null ? new RustValue.Unavailable("no variant has discriminant " + raw)
                    : new RustValue.Variant(null, name, null);
        }
        if (shape instanceof Shape.Ref r) {
            return pointee(r.pointee(), img.word(off, 8), cap);
        }
        if (shape instanceof Shape.Str s) {
            return string(img.word(off + s.ptrOffset(), 8), img.word(off + s.lenOffset(), 8), cap);
        }
        if (shape instanceof Shape.Slice s) {
            return slice(s, img.word(off + s.ptrOffset(), 8), img.word(off + s.lenOffset(), 8), cap);
        }
        Shape.Dyn d = (Shape.Dyn) shape;
        long data = img.word(off + d.dataOffset(), 8);
        long vtable = img.word(off + d.vtableOffset(), 8);
        Shape concrete = d.byVtable().get(vtable - cap.loadBias());
        return concrete == null ? new RustValue.Opaque("<dyn " + d.trait() + ">") : pointee(concrete, data, cap);
    }

    private static RustValue pointee(Shape pointee, long address, Capture cap) {
        if (address == 0) {
            return new RustValue.Unavailable("null pointer");
        }
        return value(pointee, fromMemory(address, (int) pointee.size(), cap), 0, cap);
    }

    private static RustValue enumValue(Shape.Enum e, Image img, long off, Capture cap) {
        Shape.Alternative chosen = null;
        long raw = 0;
        if (e.tagSize() > 0) {
            String why = img.missing(off + e.tagOffset(), e.tagSize());
            if (why != null) {
                return new RustValue.Unavailable(why);
            }
            raw = img.word(off + e.tagOffset(), e.tagSize());
            for (Shape.Alternative a : e.alternatives()) {
                if (a.tag() != null && a.tag() == raw) {
                    chosen = a;
                }
            }
        }
        if (chosen == null) {
            for (Shape.Alternative a : e.alternatives()) {
                if (a.tag() == null) {
                    chosen = a; // the dataful variant of a niche encoding: any tag value that names no other
                }
            }
        }
        if (chosen == null) {
            return new RustValue.Unavailable("no variant of " + e.name() + " has tag " + raw);
        }
        List<RustValue.Field> fields = new ArrayList<>();
        for (Shape.Field f : chosen.fields()) {
            fields.add(new RustValue.Field(f.name(), value(f.shape(), img, off + f.offset(), cap)));
        }
        RustValue payload = fields.isEmpty() ? null
                : chosen.tuple() && fields.size() == 1 ? fields.get(0).value()
                : new RustValue.Struct(chosen.name(), fields, chosen.tuple() ? RustValue.StructStyle.TUPLE_STRUCT
                : RustValue.StructStyle.NAMED);
        return new RustValue.Variant(e.name(), chosen.name(), payload);
    }

    private static RustValue string(long ptr, long len, Capture cap) {
        if (len == 0) {
            return new RustValue.Str("", 0, false);
        }
        if (ptr == 0) {
            return new RustValue.Unavailable("null pointer");
        }
        int want = len < 0 || len > MAX_SEQUENCE_BYTES ? MAX_SEQUENCE_BYTES : (int) len;
        byte[] got = cap.memory(ptr, want);
        if (got == null) {
            return new RustValue.Unavailable("string bytes at 0x" + Long.toHexString(ptr) + " were not recorded");
        }
        int n = Math.min(got.length, want);
        boolean truncated = Long.compareUnsigned(n, len) < 0;
        if (truncated) {
            n = completeUtf8(got, 0, n);
        }
        return new RustValue.Str(new String(got, 0, n, StandardCharsets.UTF_8), len, truncated);
    }

    /**
     * How many of the n bytes at b[from] to keep: a clamped string may end inside a multi-byte character, whose
     * incomplete tail is dropped. (The trace's fast path, CompiledValue, clamps its strings with this too.)
     */
    public static int completeUtf8(byte[] b, int from, int n) {
        for (int back = 1; back <= 3 && n - back >= 0; back++) {
            int c = b[from + n - back] & 0xff;
            if ((c & 0xC0) == 0x80) {
                continue; // a continuation byte: look further back for the lead byte
            }
            int need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
            return need > back ? n - back : n;
        }
        return n;
    }

    private static RustValue slice(Shape.Slice s, long ptr, long len, Capture cap) {
        if (len == 0) {
            return new RustValue.Seq(List.of(), 0, false);
        }
        if (ptr == 0) {
            return new RustValue.Unavailable("null pointer");
        }
        long want = s.stride() == 0 ? 0 : len < 0 || len > MAX_SEQUENCE_BYTES / s.stride() ? MAX_SEQUENCE_BYTES
                : len * s.stride();
        byte[] got = want == 0 ? new byte[0] : cap.memory(ptr, (int) want);
        if (got == null) {
            return new RustValue.Unavailable("slice elements at 0x" + Long.toHexString(ptr) + " were not recorded");
        }
        long fit = s.stride() == 0 ? len : Math.min(got.length, want) / s.stride();
        int n = (int) Math.min(Math.min(fit, MAX_ELEMENTS), len < 0 ? Long.MAX_VALUE : len);
        Image img = new Image(got.length, "not recorded");
        img.put(0, got, 0, got.length);
        List<RustValue> els = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            els.add(value(s.element(), img, i * s.stride(), cap));
        }
        return new RustValue.Seq(els, len, Long.compareUnsigned(n, len) < 0);
    }
}
