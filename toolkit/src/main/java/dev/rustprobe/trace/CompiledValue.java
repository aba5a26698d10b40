// One SiteValue compiled, once per site, for the layout of the records its probe writes: the value's location and
// Shape turned into a small tree that reads the record in place and writes Rust's {:?} text or the JSON form
// straight into a Utf8Buffer, with no RustValue, no String per value and no allocation. It follows the Decoder's
// rules step by step (the same bytes, the same memory lookups, the same budget) for the cases it knows; whenever
// it meets anything else (a missing or clamped byte, a null pointer, an unknown tag, a float, a vtable, a 128-bit
// number past 64 bits, text that is not plain UTF-8) it gives up on that value and the caller decodes it with the
// Decoder instead, so the output is the Decoder's, byte for byte.
package dev.rustprobe.trace;

import dev.rustprobe.abi.Capture;
import dev.rustprobe.abi.Decoder;
import dev.rustprobe.abi.RustValue;
import dev.rustprobe.abi.Shape;
import dev.rustprobe.abi.SiteValue;
import dev.rustprobe.abi.ValueLocation;
import dev.rustprobe.bpf.PtRegs;
import dev.rustprobe.probe.ProbeRecord;
import dev.rustprobe.probe.RecordLayout;
import dev.rustprobe.text.Utf8Buffer;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.OptionalLong;

public final class CompiledValue {
    /** The Decoder's limits, which the fast path must never exceed (it gives up before they are reached). */
    static final int MAX_SEQUENCE_BYTES = 1 << 20;
    static final int MAX_ELEMENTS = 4096;
    static final long MAX_TOTAL_BYTES = 4 << 20;
    /** Values one fast decode produces at most; the Decoder allows 100,000, so it is never the first to run out. */
    static final int MAX_VALUES = 10_000;
    /** Bytes of scratch one decode may use for the value's images; a bigger value is left to the Decoder. */
    static final int SCRATCH_BYTES = 1 << 16;
    /** Compiled nodes per value at most (a huge type is left to the Decoder). */
    static final int MAX_NODES = 4096;

    private static final Capture NOTHING = new Capture() {
        @Override
        public OptionalLong register(String name) {
            return OptionalLong.empty();
        }

        @Override
        public byte[] memory(long address, int length) {
            return null;
        }
    };

    private final SiteValue value;
    /** The commonest values in registers, written without an image: set for them, else null. */
    private final Direct direct;
    private final Loc location;
    private final Node root;
    private final int size;
    /** A value whose location or type can never be read decodes the same every time: its text and JSON, made once. */
    private final byte[] constantText;
    private final byte[] constantJson;

    private CompiledValue(SiteValue value, Loc location, Node root, int size, RustValue constant) {
        this.value = value;
        this.direct = constant == null ? Direct.of(value) : null;
        this.location = location;
        this.root = root;
        this.size = size;
        this.constantText = constant == null ? null : RustValue.render(constant).getBytes(StandardCharsets.UTF_8);
        this.constantJson = constant == null ? null : RustValue.toJson(constant).getBytes(StandardCharsets.UTF_8);
    }

    public static CompiledValue compile(SiteValue v, RecordLayout layout) {
        if (v.location() instanceof ValueLocation.Unavailable || v.shape() instanceof Shape.Unsupported) {
            // the Decoder answers these without looking at the capture
            return new CompiledValue(v, null, null, 0, Decoder.decode(v, NOTHING));
        }
        Compiler c = new Compiler(layout);
        Node root = c.node(v.shape());
        Loc loc = c.loc(v.location());
        if (c.nodes > MAX_NODES) {
            root = GIVE_UP;
        }
        int n = (int) Math.max(0, Math.min(v.shape().size(), Shape.MAX_VALUE_SIZE));
        return new CompiledValue(v, loc, root, n, null);
    }

    public SiteValue value() {
        return value;
    }

    /**
     * Writes the value recorded in r as text (Rust's {:?}) or JSON; false when the fast path gave up, with the sink
     * as it was: the caller then decodes it with the Decoder. scratch: reused by every call on one thread.
     */
    public boolean write(ProbeRecord r, Scratch scratch, Utf8Buffer out, boolean json) {
        scratch.load(r);
        return write(scratch, out, json);
    }

    /** As write, for the record last loaded into scratch (Scratch.load). */
    boolean write(Scratch scratch, Utf8Buffer out, boolean json) {
        if (constantText != null) {
            out.put(json ? constantJson : constantText);
            return true;
        }
        int mark = out.length();
        try {
            Ctx c = scratch.begin(out, json);
            if (direct != null) {
                if (direct.write(c)) {
                    return true;
                }
                out.truncate(mark);
                return false;
            }
            int img = c.alloc(size);
            if (img >= 0 && location.assemble(c, img, size) && root.write(c, img, size, 0)) {
                return true;
            }
        } catch (RuntimeException e) {
            // anything unforeseen is the Decoder's to answer (it says why it cannot decode)
        }
        out.truncate(mark);
        return false;
    }

    /** The per-thread working memory of fast decodes: the value images and the record being read. */
    public static final class Scratch {
        private final Ctx ctx = new Ctx();

        /**
         * Takes the record's bytes for the values that follow: copied once into an array of its own, which the
         * decodes then read with plain array loads (much cheaper than the ring buffer's accessors, C1-compiled).
         */
        public void load(ProbeRecord r) {
            ByteBuffer b = r.bytes();
            int n = b.limit();
            if (ctx.rec.length < n) {
                ctx.rec = new byte[Math.max(n, ctx.rec.length * 2)];
            }
            b.get(0, ctx.rec, 0, n);
            RecordLayout layout = r.layout();
            for (int i = 0; layout != null && i < layout.reads(); i++) {
                byte[] file = r.fileData(i); // the bytes the probe left to us, where the ring has none
                if (file != null) {
                    System.arraycopy(file, 0, ctx.rec, layout.readOffset(i) + RecordLayout.READ_DATA, file.length);
                }
            }
            ctx.recLength = n;
            ctx.layout = r.layout();
            ctx.record = r;
        }

        Ctx begin(Utf8Buffer out, boolean json) {
            ctx.begin(out, json);
            return ctx;
        }
    }

    /** State of one decode: the record, the images made so far (bump-allocated), the budget left. */
    static final class Ctx {
        final byte[] img = new byte[SCRATCH_BYTES];
        final boolean[] known = new boolean[SCRATCH_BYTES];
        int top;
        /** The record's bytes [0, recLength) (Scratch.load). */
        byte[] rec = new byte[512];
        int recLength;
        RecordLayout layout;
        ProbeRecord record;
        Utf8Buffer out;
        boolean json;
        int valuesLeft;
        long bytesLeft;
        /** Set by memory(): where the bytes found start in the record, and how many there are. */
        int memAt;
        int memHave;

        void begin(Utf8Buffer out, boolean json) {
            this.out = out;
            this.json = json;
            this.top = 0;
            this.valuesLeft = MAX_VALUES;
            this.bytesLeft = MAX_TOTAL_BYTES;
        }

        /** A fresh image of n unknown zero bytes; -1 when the scratch is used up. */
        int alloc(int n) {
            if (n < 0 || n > SCRATCH_BYTES - top) {
                return -1;
            }
            int at = top;
            if (n <= 16) {
                for (int i = at; i < at + n; i++) {
                    img[i] = 0;
                    known[i] = false;
                }
            } else {
                Arrays.fill(img, at, at + n, (byte) 0);
                Arrays.fill(known, at, at + n, false);
            }
            top += n;
            return at;
        }

        /** The record's little-endian u64 at i (an index past the record fails as the ring's buffer would). */
        long le64(int i) {
            if (i < 0 || i > recLength - 8) {
                throw new IndexOutOfBoundsException(i);
            }
            byte[] b = rec;
            return (b[i] & 0xffL) | (b[i + 1] & 0xffL) << 8 | (b[i + 2] & 0xffL) << 16 | (b[i + 3] & 0xffL) << 24
                    | (b[i + 4] & 0xffL) << 32 | (b[i + 5] & 0xffL) << 40 | (b[i + 6] & 0xffL) << 48
                    | (b[i + 7] & 0xffL) << 56;
        }

        /** n record bytes from at into the image at image + to, marked known. */
        void copyFromRecord(int at, int image, int to, int n) {
            if (at < 0 || at > recLength - n) {
                throw new IndexOutOfBoundsException(at);
            }
            System.arraycopy(rec, at, img, image + to, n);
            for (int i = image + to; i < image + to + n; i++) {
                known[i] = true;
            }
        }

        /** True when bytes [off, off+len) of the image (of size bytes) are all known. */
        boolean known(int image, int size, long off, long len) {
            if (off < 0 || off + len > size) {
                return false;
            }
            for (int i = (int) off; i < off + len; i++) {
                if (!known[image + i]) {
                    return false;
                }
            }
            return true;
        }

        /** Little-endian, the low min(len, 8) bytes at off (known to lie inside the image). */
        long word(int image, long off, long len) {
            if (len >= 8) {
                int i = image + (int) off;
                byte[] b = img;
                return (b[i] & 0xffL) | (b[i + 1] & 0xffL) << 8 | (b[i + 2] & 0xffL) << 16 | (b[i + 3] & 0xffL) << 24
                        | (b[i + 4] & 0xffL) << 32 | (b[i + 5] & 0xffL) << 40 | (b[i + 6] & 0xffL) << 48
                        | (b[i + 7] & 0xffL) << 56;
            }
            long v = 0;
            for (int i = (int) Math.min(len, 8) - 1; i >= 0; i--) {
                v = (v << 8) | (img[image + (int) off + i] & 0xff);
            }
            return v;
        }

        void putWord(int image, int n, int at, long v, int count) {
            for (int i = 0; i < count && at + i < n; i++) {
                img[image + at + i] = (byte) (v >>> (8 * i));
                known[image + at + i] = true;
            }
        }

        boolean spend() {
            return valuesLeft-- > 0;
        }

        /**
         * ProbeRecord.memory without the copy: the longest run of [address, address+length) the record holds
         * (memAt, memHave); false when it holds none. The budget is charged as Decoder's is.
         */
        boolean memory(long address, int length) {
            if (length > bytesLeft || length < 0) {
                return false;
            }
            long run = record.run(address, length);
            if (run < 0) {
                return false;
            }
            memAt = (int) (run >>> 32);
            memHave = (int) run;
            bytesLeft -= memHave;
            return true;
        }

        /** Decoder.fromMemory: up to n bytes at address into the image; the rest stays unknown. */
        void fromMemory(long address, int image, int n) {
            if (n > 0 && memory(address, n)) {
                copyFromRecord(memAt, image, 0, memHave);
            }
        }
    }

    /** A value written straight from its registers, with no image: an integer in one, a &str in two. */
    abstract static class Direct {
        abstract boolean write(Ctx c);

        static Direct of(SiteValue v) {
            Shape shape = v.shape();
            ValueLocation loc = v.location();
            if (shape instanceof Shape.Int i && (i.size() == 1 || i.size() == 2 || i.size() == 4 || i.size() == 8)
                    && loc instanceof ValueLocation.Register r && r.width() >= i.size()) {
                PtRegs reg = ProbeRecord.ptReg(r.register());
                return reg == null ? null : new DirectInt(reg, (int) i.size(), i.signed());
            }
            if (shape instanceof Shape.Str str && str.size() == 16 && loc instanceof ValueLocation.Pieces p
                    && p.pieces().size() == 2) {
                PtRegs[] regs = new PtRegs[2];
                for (ValueLocation.Piece piece : p.pieces()) {
                    if (!(piece.location() instanceof ValueLocation.Register r) || r.width() < 8 || piece.size() != 8
                            || (piece.offset() != 0 && piece.offset() != 8)) {
                        return null;
                    }
                    regs[(int) piece.offset() / 8] = ProbeRecord.ptReg(r.register());
                }
                boolean plain = str.ptrOffset() == 0 && str.lenOffset() == 8;
                boolean swapped = str.ptrOffset() == 8 && str.lenOffset() == 0;
                if (regs[0] == null || regs[1] == null || !plain && !swapped) {
                    return null;
                }
                return new DirectStr(plain ? regs[0] : regs[1], plain ? regs[1] : regs[0]);
            }
            return null;
        }
    }

    static final class DirectInt extends Direct {
        final PtRegs reg;
        final int bytes;
        final boolean signed;

        DirectInt(PtRegs reg, int bytes, boolean signed) {
            this.reg = reg;
            this.bytes = bytes;
            this.signed = signed;
        }

        @Override
        boolean write(Ctx c) {
            int at = c.layout.registerOffset(reg);
            if (at < 0) {
                return false;
            }
            long v = c.le64(at);
            if (bytes == 8) {
                if (signed) {
                    c.out.decimal(v);
                } else {
                    c.out.unsignedDecimal(v);
                }
                return true;
            }
            int shift = 64 - 8 * bytes;
            c.out.decimal(signed ? (v << shift) >> shift : (v << shift) >>> shift);
            return true;
        }
    }

    static final class DirectStr extends Direct {
        final PtRegs ptr;
        final PtRegs len;

        DirectStr(PtRegs ptr, PtRegs len) {
            this.ptr = ptr;
            this.len = len;
        }

        @Override
        boolean write(Ctx c) {
            int p = c.layout.registerOffset(ptr);
            int n = c.layout.registerOffset(len);
            return p >= 0 && n >= 0 && c.spend() && StrNode.string(c, c.le64(p), c.le64(n));
        }
    }

    // ---- locations: fill an image with the value's bytes, leaving unknown what the record does not hold ----------

    abstract static class Loc {
        /** Fills image [image, image+n); false only when the scratch ran out. */
        abstract boolean assemble(Ctx c, int image, int n);

        /**
         * As one piece of a value: the partSize bytes assemble would make, put at offset at of the image (of n
         * bytes), each known or not as it was, and cut at n.
         */
        boolean place(Ctx c, int image, int n, int at, int partSize) {
            int part = c.alloc(partSize);
            if (part < 0 || !assemble(c, part, partSize)) {
                return false;
            }
            for (int i = 0; i < partSize && at + i < n; i++) {
                c.img[image + at + i] = c.img[part + i];
                c.known[image + at + i] = c.known[part + i];
            }
            return true;
        }
    }

    /** A piece holding the low have bytes of v, the rest of its partSize bytes unknown. */
    private static void placeWord(Ctx c, int image, int n, int at, int partSize, long v, int have) {
        if (have == partSize && at >= 0 && at + have <= n) {
            // the common piece, a whole register or its low half: every byte known
            int i0 = image + at;
            for (int i = 0; i < have; i++) {
                c.img[i0 + i] = (byte) (v >>> (8 * i));
                c.known[i0 + i] = true;
            }
            return;
        }
        for (int i = 0; i < partSize && at + i < n; i++) {
            boolean in = i < have;
            c.img[image + at + i] = in ? (byte) (v >>> (8 * i)) : 0;
            c.known[image + at + i] = in;
        }
    }

    static final class RegisterLoc extends Loc {
        final PtRegs reg;
        final long width;

        RegisterLoc(PtRegs reg, long width) {
            this.reg = reg;
            this.width = width;
        }

        @Override
        boolean assemble(Ctx c, int image, int n) {
            int at = reg == null ? -1 : c.layout.registerOffset(reg);
            if (at >= 0) {
                c.putWord(image, n, 0, c.le64(at), (int) Math.min(Math.min(8, width), n));
            }
            return true;
        }

        @Override
        boolean place(Ctx c, int image, int n, int at, int partSize) {
            int from = reg == null ? -1 : c.layout.registerOffset(reg);
            int have = from < 0 ? 0 : (int) Math.max(0, Math.min(Math.min(8, width), partSize));
            placeWord(c, image, n, at, partSize, have > 0 ? c.le64(from) : 0, have);
            return true;
        }
    }

    static final class ConstantLoc extends Loc {
        final long value;
        final long width;

        ConstantLoc(long value, long width) {
            this.value = value;
            this.width = width;
        }

        @Override
        boolean assemble(Ctx c, int image, int n) {
            c.putWord(image, n, 0, value, (int) Math.min(8, Math.min(width, n)));
            return true;
        }

        @Override
        boolean place(Ctx c, int image, int n, int at, int partSize) {
            placeWord(c, image, n, at, partSize, value, (int) Math.max(0, Math.min(8, Math.min(width, partSize))));
            return true;
        }
    }

    static final class StackLoc extends Loc {
        final long offset;

        StackLoc(long offset) {
            this.offset = offset;
        }

        @Override
        boolean assemble(Ctx c, int image, int n) {
            int at = c.layout.registerOffset(PtRegs.RSP);
            if (at >= 0) {
                c.fromMemory(c.le64(at) + offset, image, n);
            }
            return true;
        }
    }

    static final class MemoryLoc extends Loc {
        final Loc base;
        final long offset;

        MemoryLoc(Loc base, long offset) {
            this.base = base;
            this.offset = offset;
        }

        @Override
        boolean assemble(Ctx c, int image, int n) {
            int word = c.alloc(8);
            if (word < 0 || !base.assemble(c, word, 8)) {
                return false;
            }
            if (c.known(word, 8, 0, 8)) {
                c.fromMemory(c.word(word, 0, 8) + offset, image, n);
            }
            return true;
        }
    }

    static final class PiecesLoc extends Loc {
        final long[] offsets;
        final int[] sizes;
        final Loc[] parts;

        PiecesLoc(long[] offsets, int[] sizes, Loc[] parts) {
            this.offsets = offsets;
            this.sizes = sizes;
            this.parts = parts;
        }

        @Override
        boolean assemble(Ctx c, int image, int n) {
            for (int p = 0; p < parts.length; p++) {
                if (!parts[p].place(c, image, n, (int) offsets[p], sizes[p])) {
                    return false;
                }
            }
            return true;
        }
    }

    static final class NothingLoc extends Loc {
        @Override
        boolean assemble(Ctx c, int image, int n) {
            return true;
        }
    }

    // ---- values: write the {:?} text or the JSON of the bytes at an image offset ---------------------------------

    abstract static class Node {
        /** Writes the value at image offset off (image of size bytes); false: give up (the caller falls back). */
        abstract boolean write(Ctx c, int image, int size, long off);
    }

    static final Node GIVE_UP = new Node() {
        @Override
        boolean write(Ctx c, int image, int size, long off) {
            return false;
        }
    };

    /** A value printed the same whatever the bytes (a unit struct, a type we have no rule for). */
    static final class ConstantNode extends Node {
        final byte[] text;
        final byte[] json;

        ConstantNode(RustValue v) {
            this.text = RustValue.render(v).getBytes(StandardCharsets.UTF_8);
            this.json = RustValue.toJson(v).getBytes(StandardCharsets.UTF_8);
        }

        @Override
        boolean write(Ctx c, int image, int size, long off) {
            if (!c.spend()) {
                return false;
            }
            c.out.put(c.json ? json : text);
            return true;
        }
    }

    static final class IntNode extends Node {
        final int bytes;
        final boolean signed;

        IntNode(int bytes, boolean signed) {
            this.bytes = bytes;
            this.signed = signed;
        }

        @Override
        boolean write(Ctx c, int image, int size, long off) {
            if (!c.spend() || !c.known(image, size, off, bytes)) {
                return false;
            }
            long lo = c.word(image, off, Math.min(bytes, 8));
            if (bytes == 16) {
                long hi = c.word(image, off + 8, 8);
                if (signed ? hi != lo >> 63 : hi != 0) {
                    return false; // past 64 bits: the Decoder's BigInteger prints it
                }
                return signed ? decimal(c, lo) : unsigned(c, lo);
            }
            if (bytes == 8) {
                return signed ? decimal(c, lo) : unsigned(c, lo);
            }
            int shift = 64 - 8 * bytes;
            return decimal(c, signed ? (lo << shift) >> shift : lo);
        }

        private static boolean decimal(Ctx c, long v) {
            c.out.decimal(v);
            return true;
        }

        private static boolean unsigned(Ctx c, long v) {
            c.out.unsignedDecimal(v);
            return true;
        }
    }

    static final class BoolNode extends Node {
        private static final byte[] TRUE = {'t', 'r', 'u', 'e'};
        private static final byte[] FALSE = {'f', 'a', 'l', 's', 'e'};

        @Override
        boolean write(Ctx c, int image, int size, long off) {
            if (!c.spend() || !c.known(image, size, off, 1)) {
                return false;
            }
            int b = c.img[image + (int) off] & 0xff;
            if (b > 1) {
                return false;
            }
            c.out.put(b == 1 ? TRUE : FALSE);
            return true;
        }
    }

    static final class CharNode extends Node {
        @Override
        boolean write(Ctx c, int image, int size, long off) {
            if (!c.spend() || !c.known(image, size, off, 4)) {
                return false;
            }
            int cp = (int) c.word(image, off, 4);
            if (!Character.isValidCodePoint(cp) || cp >= 0xD800 && cp <= 0xDFFF) {
                return false;
            }
            if (c.json) {
                c.out.put('"');
                jsonChar(c.out, cp);
                c.out.put('"');
            } else {
                c.out.put('\'');
                debugChar(c.out, cp, '\'', true);
                c.out.put('\'');
            }
            return true;
        }
    }

    static final class PointerNode extends Node {
        final long bytes;

        PointerNode(long bytes) {
            this.bytes = bytes;
        }

        @Override
        boolean write(Ctx c, int image, int size, long off) {
            if (!c.spend() || !c.known(image, size, off, bytes) || off + 8 > size) {
                return false;
            }
            long a = c.word(image, off, 8);
            if (c.json) {
                c.out.put('"').put('0').put('x').hex(a).put('"');
            } else {
                c.out.put('0').put('x').hex(a);
            }
            return true;
        }
    }

    static final class CEnumNode extends Node {
        final long bytes;
        final long[] raws;
        final byte[][] texts;
        final byte[][] jsons;

        CEnumNode(Shape.CEnum e) {
            this.bytes = e.size();
            Long[] keys = e.names().keySet().toArray(new Long[0]);
            Arrays.sort(keys);
            raws = new long[keys.length];
            texts = new byte[keys.length][];
            jsons = new byte[keys.length][];
            for (int i = 0; i < keys.length; i++) {
                raws[i] = keys[i];
                RustValue v = new RustValue.Variant(null, e.names().get(keys[i]), null);
                texts[i] = RustValue.render(v).getBytes(StandardCharsets.UTF_8);
                jsons[i] = RustValue.toJson(v).getBytes(StandardCharsets.UTF_8);
            }
        }

        @Override
        boolean write(Ctx c, int image, int size, long off) {
            if (!c.spend() || !c.known(image, size, off, bytes)) {
                return false;
            }
            int i = Arrays.binarySearch(raws, c.word(image, off, bytes));
            if (i < 0) {
                return false;
            }
            c.out.put(c.json ? jsons[i] : texts[i]);
            return true;
        }
    }

    static final class RefNode extends Node {
        Node pointee;
        int pointeeSize;

        @Override
        boolean write(Ctx c, int image, int size, long off) {
            if (!c.spend() || !c.known(image, size, off, 8)) {
                return false;
            }
            long address = c.word(image, off, 8);
            if (address == 0) {
                return false;
            }
            int target = c.alloc(pointeeSize);
            if (target < 0) {
                return false;
            }
            c.fromMemory(address, target, pointeeSize);
            return pointee.write(c, target, pointeeSize, 0);
        }
    }

    static final class StrNode extends Node {
        private static final byte[] BYTES = " bytes)".getBytes(StandardCharsets.US_ASCII);
        final long bytes;
        final long ptrOffset;
        final long lenOffset;

        StrNode(Shape.Str s) {
            bytes = s.size();
            ptrOffset = s.ptrOffset();
            lenOffset = s.lenOffset();
        }

        @Override
        boolean write(Ctx c, int image, int size, long off) {
            if (!c.spend() || !c.known(image, size, off, bytes)) {
                return false;
            }
            return string(c, c.word(image, off + ptrOffset, 8), c.word(image, off + lenOffset, 8));
        }

        /** Decoder.string, written: the text at ptr, len bytes long (cut at what the record holds). */
        static boolean string(Ctx c, long ptr, long len) {
            if (len == 0) {
                c.out.put('"').put('"');
                return true;
            }
            int want = len < 0 || len > MAX_SEQUENCE_BYTES ? MAX_SEQUENCE_BYTES : (int) len;
            if (ptr == 0 || !c.memory(ptr, want)) {
                return false;
            }
            int n = Math.min(c.memHave, want);
            int text = c.memAt; // the bytes are read where the record holds them
            if (text < 0 || text > c.recLength - n) {
                return false;
            }
            boolean truncated = Long.compareUnsigned(n, len) < 0;
            if (truncated) {
                n = Decoder.completeUtf8(c.rec, text, n);
            }
            int mark = c.out.length();
            c.out.put('"');
            if (!(c.json ? jsonText(c.out, c.rec, text, n) : debugText(c.out, c.rec, text, n))) {
                c.out.truncate(mark);
                return false;
            }
            c.out.put('"');
            if (truncated && !c.json) {
                c.out.put(ELLIPSIS).put('(').unsignedDecimal(len).put(BYTES);
            }
            return true;
        }
    }

    private static final byte[] ELLIPSIS = "…".getBytes(StandardCharsets.UTF_8);

    static final class SliceNode extends Node {
        final long bytes;
        final long ptrOffset;
        final long lenOffset;
        final long stride;
        Node element;

        SliceNode(Shape.Slice s) {
            bytes = s.size();
            ptrOffset = s.ptrOffset();
            lenOffset = s.lenOffset();
            stride = s.stride();
        }

        @Override
        boolean write(Ctx c, int image, int size, long off) {
            if (!c.spend() || !c.known(image, size, off, bytes)) {
                return false;
            }
            long ptr = c.word(image, off + ptrOffset, 8);
            long len = c.word(image, off + lenOffset, 8);
            if (len == 0) {
                c.out.put('[').put(']');
                return true;
            }
            long want = len < 0 || len > MAX_SEQUENCE_BYTES / stride ? MAX_SEQUENCE_BYTES : len * stride;
            if (ptr == 0 || !c.memory(ptr, (int) want)) {
                return false;
            }
            int got = c.memHave;
            int elements = c.alloc(got);
            if (elements < 0) {
                return false;
            }
            c.copyFromRecord(c.memAt, elements, 0, got);
            long fit = Math.min(got, want) / stride;
            int n = (int) Math.min(Math.min(fit, MAX_ELEMENTS), len < 0 ? Long.MAX_VALUE : len);
            c.out.put('[');
            int body = c.out.length();
            for (int i = 0; i < n; i++) {
                if (i > 0) {
                    separator(c);
                }
                if (!element.write(c, elements, got, i * stride)) {
                    return false;
                }
            }
            if (Long.compareUnsigned(n, len) < 0 && !c.json) {
                if (c.out.length() > body) {
                    c.out.put(',').put(' ');
                }
                c.out.put(ELLIPSIS).put('(').unsignedDecimal(len).put(')');
            }
            c.out.put(']');
            return true;
        }
    }

    static final class ArrayNode extends Node {
        final long stride;
        final long count;
        Node element;

        ArrayNode(Shape.Array a) {
            stride = a.stride();
            count = a.count();
        }

        @Override
        boolean write(Ctx c, int image, int size, long off) {
            if (!c.spend()) {
                return false;
            }
            c.out.put('[');
            for (int i = 0; i < count; i++) {
                if (i > 0) {
                    separator(c);
                }
                if (!element.write(c, image, size, off + i * stride)) {
                    return false;
                }
            }
            c.out.put(']');
            return true;
        }
    }

    /** Fields of a struct or of an enum variant: names (text "x: ", JSON "\"x\":") and where they are. */
    static final class Fields {
        final byte[][] textNames;
        final byte[][] jsonNames;
        final long[] offsets;
        final Node[] nodes;

        Fields(int n) {
            textNames = new byte[n][];
            jsonNames = new byte[n][];
            offsets = new long[n];
            nodes = new Node[n];
        }

        int size() {
            return nodes.length;
        }

        /** "a, b" (text) or "a,b" (JSON): the values alone. */
        boolean values(Ctx c, int image, int size, long off) {
            for (int i = 0; i < nodes.length; i++) {
                if (i > 0) {
                    separator(c);
                }
                if (!nodes[i].write(c, image, size, off + offsets[i])) {
                    return false;
                }
            }
            return true;
        }

        /** "x: 1, y: 2" (text) or "\"x\":1,\"y\":2" (JSON). */
        boolean named(Ctx c, int image, int size, long off) {
            for (int i = 0; i < nodes.length; i++) {
                if (i > 0) {
                    separator(c);
                }
                c.out.put(c.json ? jsonNames[i] : textNames[i]);
                if (!nodes[i].write(c, image, size, off + offsets[i])) {
                    return false;
                }
            }
            return true;
        }
    }

    private static void separator(Ctx c) {
        if (c.json) {
            c.out.put(',');
        } else {
            c.out.put(',').put(' ');
        }
    }

    /** A struct, tuple struct or tuple, as RustValue renders a Struct of that style. */
    static final class StructNode extends Node {
        final RustValue.StructStyle style;
        final byte[] name;
        Fields fields;

        StructNode(RustValue.StructStyle style, String name) {
            this.style = style;
            this.name = name.getBytes(StandardCharsets.UTF_8);
        }

        @Override
        boolean write(Ctx c, int image, int size, long off) {
            return c.spend() && body(c, image, size, off);
        }

        /** The struct's text or JSON once its own value is spent (an enum variant's payload is not a value). */
        boolean body(Ctx c, int image, int size, long off) {
            Utf8Buffer o = c.out;
            if (style == RustValue.StructStyle.TUPLE) {
                o.put(c.json ? '[' : '(');
                if (!fields.values(c, image, size, off)) {
                    return false;
                }
                if (c.json) {
                    o.put(']');
                } else if (fields.size() == 1) {
                    o.put(',').put(')');
                } else {
                    o.put(')');
                }
                return true;
            }
            if (style == RustValue.StructStyle.TUPLE_STRUCT) {
                if (c.json) {
                    if (fields.size() == 1) {
                        return fields.nodes[0].write(c, image, size, off + fields.offsets[0]); // a newtype is its value
                    }
                    o.put('[');
                    if (!fields.values(c, image, size, off)) {
                        return false;
                    }
                    o.put(']');
                    return true;
                }
                o.put(name).put('(');
                if (!fields.values(c, image, size, off)) {
                    return false;
                }
                o.put(')');
                return true;
            }
            // NAMED (UNIT structs compile to constants)
            if (c.json) {
                o.put('{');
                if (!fields.named(c, image, size, off)) {
                    return false;
                }
                o.put('}');
                return true;
            }
            o.put(name).put(' ').put('{').put(' ');
            if (!fields.named(c, image, size, off)) {
                return false;
            }
            o.put(' ').put('}');
            return true;
        }
    }

    /** A data enum: the tag picks the alternative as Decoder.enumValue does, printed as RustValue prints a Variant. */
    static final class EnumNode extends Node {
        final long tagOffset;
        final long tagSize;
        /** Alternatives with a tag value, in order (the last with a matching tag wins), and the default one. */
        final long[] tags;
        final Variant[] tagged;
        final Variant fallbackVariant;

        EnumNode(long tagOffset, long tagSize, long[] tags, Variant[] tagged, Variant fallbackVariant) {
            this.tagOffset = tagOffset;
            this.tagSize = tagSize;
            this.tags = tags;
            this.tagged = tagged;
            this.fallbackVariant = fallbackVariant;
        }

        @Override
        boolean write(Ctx c, int image, int size, long off) {
            if (!c.spend()) {
                return false;
            }
            Variant chosen = null;
            if (tagSize > 0) {
                if (!c.known(image, size, off + tagOffset, tagSize)) {
                    return false;
                }
                long raw = c.word(image, off + tagOffset, tagSize);
                for (int i = 0; i < tags.length; i++) {
                    if (tags[i] == raw) {
                        chosen = tagged[i];
                    }
                }
            }
            if (chosen == null) {
                chosen = fallbackVariant;
            }
            return chosen != null && chosen.write(c, image, size, off);
        }
    }

    /** One enum alternative and how its payload prints. */
    static final class Variant {
        enum Payload { NONE, SINGLE, SINGLE_AS_STRUCT, STRUCT }

        final Payload payload;
        /** text: "Name"; JSON: what a payload-less variant is ("null" for None, else the quoted name). */
        final byte[] text;
        final byte[] json;
        /** JSON of a variant with a payload: "{\"Name\":" (null for Some, whose JSON is the payload alone). */
        final byte[] jsonOpen;
        Fields fields;
        /** SINGLE_AS_STRUCT: the field is a struct named like the variant, printed alone; STRUCT: the payload. */
        StructNode struct;

        Variant(Payload payload, String name) {
            this.payload = payload;
            RustValue unit = new RustValue.Variant(null, name, null);
            this.text = name.getBytes(StandardCharsets.UTF_8);
            this.json = RustValue.toJson(unit).getBytes(StandardCharsets.UTF_8);
            this.jsonOpen = name.equals("Some") ? null
                    : ("{" + RustValue.jsonString(name) + ":").getBytes(StandardCharsets.UTF_8);
        }

        boolean write(Ctx c, int image, int size, long off) {
            Utf8Buffer o = c.out;
            if (payload == Payload.NONE) {
                o.put(c.json ? json : text);
                return true;
            }
            if (c.json) {
                if (jsonOpen != null) {
                    o.put(jsonOpen);
                }
                if (!payload(c, image, size, off)) {
                    return false;
                }
                if (jsonOpen != null) {
                    o.put('}');
                }
                return true;
            }
            if (payload == Payload.SINGLE) {
                o.put(text).put('(');
                if (!payload(c, image, size, off)) {
                    return false;
                }
                o.put(')');
                return true;
            }
            return payload(c, image, size, off); // the struct prints its own name
        }

        private boolean payload(Ctx c, int image, int size, long off) {
            if (payload == Payload.STRUCT) {
                return struct.body(c, image, size, off);
            }
            return fields.nodes[0].write(c, image, size, off + fields.offsets[0]);
        }
    }

    // ---- the compiler --------------------------------------------------------------------------------------------

    private static final class Compiler {
        final RecordLayout layout;
        final Map<Shape, Node> done = new IdentityHashMap<>();
        int nodes;

        Compiler(RecordLayout layout) {
            this.layout = layout;
        }

        Loc loc(ValueLocation l) {
            if (l instanceof ValueLocation.Register r) {
                return new RegisterLoc(ProbeRecord.ptReg(r.register()), r.width());
            } else if (l instanceof ValueLocation.Constant k) {
                return new ConstantLoc(k.value(), k.width());
            } else if (l instanceof ValueLocation.StackSlot s) {
                return new StackLoc(s.offset());
            } else if (l instanceof ValueLocation.Memory m) {
                return new MemoryLoc(loc(m.base()), m.offset());
            } else if (l instanceof ValueLocation.Pieces p) {
                int n = p.pieces().size();
                long[] offsets = new long[n];
                int[] sizes = new int[n];
                Loc[] parts = new Loc[n];
                for (int i = 0; i < n; i++) {
                    ValueLocation.Piece piece = p.pieces().get(i);
                    if (piece.offset() < 0 || piece.offset() > Integer.MAX_VALUE) {
                        nodes = Integer.MAX_VALUE; // the Decoder fails on it, and says so
                        return new NothingLoc();
                    }
                    offsets[i] = piece.offset();
                    sizes[i] = (int) Math.max(0, Math.min(piece.size(), Shape.MAX_VALUE_SIZE));
                    parts[i] = loc(piece.location());
                }
                return new PiecesLoc(offsets, sizes, parts);
            }
            return new NothingLoc();
        }

        Node node(Shape s) {
            Node n = done.get(s);
            if (n == null) {
                n = build(s);
                done.put(s, n);
            }
            return n;
        }

        private Node build(Shape s) {
            if (++nodes > MAX_NODES) {
                return GIVE_UP;
            }
            if (s instanceof Shape.Unsupported u) {
                return new ConstantNode(new RustValue.Unavailable(u.reason()));
            } else if (s instanceof Shape.Unit u) {
                return new ConstantNode(new RustValue.Struct(u.name(), java.util.List.of(), RustValue.StructStyle.UNIT));
            } else if (s instanceof Shape.Int i) {
                long b = i.size();
                return b == 1 || b == 2 || b == 4 || b == 8 || b == 16 ? new IntNode((int) b, i.signed()) : GIVE_UP;
            } else if (s instanceof Shape.Bool) {
                return new BoolNode();
            } else if (s instanceof Shape.Char) {
                return new CharNode();
            } else if (s instanceof Shape.RawPointer p) {
                return new PointerNode(p.size());
            } else if (s instanceof Shape.CEnum e) {
                return new CEnumNode(e);
            } else if (s instanceof Shape.Ref r) {
                long size = r.pointee().size();
                if (size < 0 || size > SCRATCH_BYTES) {
                    return GIVE_UP;
                }
                RefNode n = new RefNode();
                done.put(s, n);
                n.pointeeSize = (int) size;
                n.pointee = node(r.pointee());
                return n;
            } else if (s instanceof Shape.Str str) {
                return fatPointerFits(str.size(), str.ptrOffset(), str.lenOffset()) ? new StrNode(str) : GIVE_UP;
            } else if (s instanceof Shape.Slice sl) {
                if (sl.stride() <= 0 || !fatPointerFits(sl.size(), sl.ptrOffset(), sl.lenOffset())) {
                    return GIVE_UP;
                }
                SliceNode n = new SliceNode(sl);
                done.put(s, n);
                n.element = node(sl.element());
                return n;
            } else if (s instanceof Shape.Array a) {
                if (a.count() < 0 || a.count() > MAX_ELEMENTS) {
                    return GIVE_UP;
                }
                ArrayNode n = new ArrayNode(a);
                done.put(s, n);
                n.element = node(a.element());
                return n;
            } else if (s instanceof Shape.Struct st) {
                if (st.style() == RustValue.StructStyle.UNIT) {
                    return st.fields().isEmpty()
                            ? new ConstantNode(new RustValue.Struct(st.name(), java.util.List.of(), st.style()))
                            : GIVE_UP;
                }
                StructNode n = new StructNode(st.style(), st.name());
                done.put(s, n);
                n.fields = fields(st.fields());
                return n;
            } else if (s instanceof Shape.Enum e) {
                return enumNode(e);
            }
            return GIVE_UP; // floats, closures, &dyn: the Decoder's
        }

        private static boolean fatPointerFits(long size, long ptrOffset, long lenOffset) {
            return ptrOffset >= 0 && lenOffset >= 0 && ptrOffset + 8 <= size && lenOffset + 8 <= size;
        }

        private Fields fields(java.util.List<Shape.Field> fs) {
            Fields f = new Fields(fs.size());
            for (int i = 0; i < fs.size(); i++) {
                Shape.Field field = fs.get(i);
                f.textNames[i] = (field.name() + ": ").getBytes(StandardCharsets.UTF_8);
                f.jsonNames[i] = (RustValue.jsonString(field.name()) + ":").getBytes(StandardCharsets.UTF_8);
                f.offsets[i] = field.offset();
                f.nodes[i] = node(field.shape());
            }
            return f;
        }

        private Node enumNode(Shape.Enum e) {
            java.util.List<Long> tags = new java.util.ArrayList<>();
            java.util.List<Variant> tagged = new java.util.ArrayList<>();
            Variant dflt = null;
            for (Shape.Alternative a : e.alternatives()) {
                Variant v = variant(a);
                if (a.tag() != null) {
                    tags.add(a.tag());
                    tagged.add(v);
                } else {
                    dflt = v;
                }
            }
            long[] t = new long[tags.size()];
            for (int i = 0; i < t.length; i++) {
                t[i] = tags.get(i);
            }
            if (e.tagSize() <= 0) {
                t = new long[0];
            }
            return new EnumNode(e.tagOffset(), e.tagSize(), t, e.tagSize() <= 0 ? new Variant[0]
                    : tagged.toArray(new Variant[0]), dflt);
        }

        private Variant variant(Shape.Alternative a) {
            java.util.List<Shape.Field> fs = a.fields();
            if (fs.isEmpty()) {
                return new Variant(Variant.Payload.NONE, a.name());
            }
            if (a.tuple() && fs.size() == 1) {
                Shape only = fs.get(0).shape();
                boolean asStruct = only instanceof Shape.Struct st && st.name().equals(a.name())
                        && (st.style() == RustValue.StructStyle.TUPLE_STRUCT
                        || st.style() == RustValue.StructStyle.NAMED);
                Variant v = new Variant(asStruct ? Variant.Payload.SINGLE_AS_STRUCT : Variant.Payload.SINGLE, a.name());
                v.fields = fields(fs);
                return v;
            }
            Variant v = new Variant(Variant.Payload.STRUCT, a.name());
            v.struct = new StructNode(a.tuple() ? RustValue.StructStyle.TUPLE_STRUCT : RustValue.StructStyle.NAMED,
                    a.name());
            v.struct.fields = fields(fs);
            return v;
        }
    }

    // ---- text: RustValue's escapes, on UTF-8 bytes -----------------------------------------------------------------

    /**
     * The well-formed UTF-8 sequence at b[i]: its length (1-4) in the bits from 21 up and its code point in the low 21
     * bits; 0 when it is not one (Java's decoder would put U+FFFD there, which only the Decoder's path reproduces).
     */
    private static int sequence(byte[] b, int i, int end) {
        int c = b[i] & 0xff;
        if (c < 0x80) {
            return 1 << 21 | c;
        }
        int need;
        int min;
        int v;
        if (c >= 0xC2 && c <= 0xDF) {
            need = 2;
            min = 0x80;
            v = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            need = 3;
            min = 0x800;
            v = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            need = 4;
            min = 0x10000;
            v = c & 0x07;
        } else {
            return 0;
        }
        if (i + need > end) {
            return 0;
        }
        for (int k = 1; k < need; k++) {
            int x = b[i + k] & 0xff;
            if ((x & 0xC0) != 0x80) {
                return 0;
            }
            v = (v << 6) | (x & 0x3F);
        }
        if (v < min || v > 0x10FFFF || v >= 0xD800 && v <= 0xDFFF) {
            return 0;
        }
        return need << 21 | v;
    }

    /** The string's {:?} body: false when the bytes are not well-formed UTF-8. */
    static boolean debugText(Utf8Buffer out, byte[] b, int from, int n) {
        int end = from + n;
        int index = 0;
        for (int i = from; i < end; index++) {
            int c = b[i] & 0xff;
            if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
                out.put((char) c);
                i++;
                continue;
            }
            int seq = sequence(b, i, end);
            int len = seq >>> 21;
            int cp = seq & 0x1FFFFF;
            if (len == 0) {
                return false;
            }
            if (len == 1 || escapedInDebug(cp, index == 0)) {
                debugChar(out, cp, '"', index == 0);
            } else {
                out.put(b, i, len);
            }
            i += len;
        }
        return true;
    }

    private static boolean escapedInDebug(int cp, boolean escapeMarks) {
        if (Character.isISOControl(cp)) {
            return true;
        }
        int type = Character.getType(cp);
        return escapeMarks && (type == Character.NON_SPACING_MARK || type == Character.ENCLOSING_MARK);
    }

    /** RustValue.escapeChar, written as UTF-8. */
    static void debugChar(Utf8Buffer out, int cp, char quote, boolean escapeMarks) {
        switch (cp) {
            case '\t' -> out.put('\\').put('t');
            case '\r' -> out.put('\\').put('r');
            case '\n' -> out.put('\\').put('n');
            case '\\' -> out.put('\\').put('\\');
            case 0 -> out.put('\\').put('0');
            default -> {
                if (cp == quote) {
                    out.put('\\').put(quote);
                } else if (escapedInDebug(cp, escapeMarks)) {
                    out.put('\\').put('u').put('{').hex(cp).put('}');
                } else {
                    utf8(out, cp);
                }
            }
        }
    }

    /** The string's JSON body (RustValue.jsonString): false when the bytes are not well-formed UTF-8. */
    static boolean jsonText(Utf8Buffer out, byte[] b, int from, int n) {
        int end = from + n;
        for (int i = from; i < end; ) {
            int c = b[i] & 0xff;
            if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
                out.put((char) c);
                i++;
                continue;
            }
            int seq = sequence(b, i, end);
            int len = seq >>> 21;
            if (len == 0) {
                return false;
            }
            if (len == 1) {
                jsonChar(out, seq & 0x1FFFFF);
            } else {
                out.put(b, i, len);
            }
            i += len;
        }
        return true;
    }

    /** RustValue.jsonString of one code point, as UTF-8. */
    static void jsonChar(Utf8Buffer out, int cp) {
        switch (cp) {
            case '"' -> out.put('\\').put('"');
            case '\\' -> out.put('\\').put('\\');
            case '\n' -> out.put('\\').put('n');
            case '\r' -> out.put('\\').put('r');
            case '\t' -> out.put('\\').put('t');
            default -> {
                if (cp < 0x20) {
                    out.put('\\').put('u').put('0').put('0').put(HEX[cp >> 4]).put(HEX[cp & 0xf]);
                } else {
                    utf8(out, cp);
                }
            }
        }
    }

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    static void utf8(Utf8Buffer out, int cp) {
        if (cp < 0x80) {
            out.put((char) cp);
        } else if (cp < 0x800) {
            out.put((char) (0xC0 | cp >> 6)).put((char) (0x80 | cp & 0x3F));
        } else if (cp < 0x10000) {
            out.put((char) (0xE0 | cp >> 12)).put((char) (0x80 | cp >> 6 & 0x3F)).put((char) (0x80 | cp & 0x3F));
        } else {
            out.put((char) (0xF0 | cp >> 18)).put((char) (0x80 | cp >> 12 & 0x3F))
                    .put((char) (0x80 | cp >> 6 & 0x3F)).put((char) (0x80 | cp & 0x3F));
        }
    }
}
