// Derives from a site's values the memory reads a probe must make so that the Decoder later finds every byte it
// asks for: stack slots, by-reference aggregates, then whatever their pointers lead to (pointees, string and
// slice contents clamped to --max-bytes). Registers need no reads: the record keeps those the values name.
package dev.rustprobe.probe;

import dev.rustprobe.abi.Shape;
import dev.rustprobe.abi.SiteValue;
import dev.rustprobe.abi.ValueLocation;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

public final class FetchPlanner {
    /** The most reads one site makes (each is one bpf_probe_read_user); past it, deeper values are not recorded. */
    public static final int MAX_READS = 64;
    /** The most bytes of a value passed by reference or on the stack that are read (the value itself). */
    public static final int MAX_VALUE_READ = 4096;
    /** Of a slice whose elements hold pointers (&[&str]), how many elements' pointees are read. */
    public static final int FOLLOWED_ELEMENTS = 8;

    private final int maxBytes;
    private final List<FetchPlan.Read> reads = new ArrayList<>();
    private final Map<FetchPlan.Read, Integer> seen = new HashMap<>();

    private FetchPlanner(int maxBytes) {
        this.maxBytes = maxBytes;
    }

    /** The reads for all values of one site, in an order where each read's base and count are already known. */
    public static FetchPlan plan(List<SiteValue> values, int maxBytes) {
        if (maxBytes < 0) {
            throw new IllegalArgumentException("maxBytes must not be negative: " + maxBytes);
        }
        FetchPlanner p = new FetchPlanner(maxBytes);
        for (SiteValue v : values) {
            if (ValueLocation.readable(v.location()) || v.location() instanceof ValueLocation.Pieces) {
                p.walk(v.shape(), p.source(v.location(), v.shape().size()), 0, 0);
            }
        }
        return new FetchPlan(p.reads, registers(values, p.reads));
    }

    /**
     * The pt_regs slots a record of these values must keep: every register a value's location names, every
     * register a read starts from or takes its length from, rsp (stack slots are entry-rsp relative) and rip (the
     * load bias is learnt from it).
     */
    static long registers(List<SiteValue> values, List<FetchPlan.Read> reads) {
        long mask = slot("rip") | slot("rsp");
        for (SiteValue v : values) {
            mask |= registers(v.location());
        }
        for (FetchPlan.Read r : reads) {
            mask |= word(r.base()) | word(r.lengthFrom());
        }
        return mask;
    }

    private static long registers(ValueLocation l) {
        if (l instanceof ValueLocation.Register r) {
            return slot(r.register());
        } else if (l instanceof ValueLocation.Memory m) {
            return registers(m.base());
        } else if (l instanceof ValueLocation.Pieces p) {
            long mask = 0;
            for (ValueLocation.Piece piece : p.pieces()) {
                mask |= registers(piece.location());
            }
            return mask;
        }
        return 0;   // stack slots need rsp (always kept); constants and unavailable values need nothing
    }

    private static long word(FetchPlan.Word w) {
        return w instanceof FetchPlan.Word.Register r ? slot(r.name()) : 0;
    }

    /** The mask bit of a general-purpose register's pt_regs slot; 0 for anything else (xmm registers). */
    private static long slot(String register) {
        try {
            return 1L << (ProbeProgram.ptReg(register).offset() / 8);
        } catch (IllegalArgumentException e) {
            return 0;
        }
    }

    /** Where the 8-byte word at a byte offset of a value comes from; null if no Word can name it. */
    private interface Source {
        FetchPlan.Word word(long offset);
    }

    private static final Source NOTHING = off -> null;

    private int add(FetchPlan.Read r) {
        Integer known = seen.get(r);
        if (known != null) {
            return known;
        }
        if (reads.size() >= MAX_READS) {
            return -1;
        }
        reads.add(r);
        seen.put(r, reads.size() - 1);
        return reads.size() - 1;
    }

    private Source fromRead(int index, long available) {
        return index < 0 ? NOTHING : off -> off >= 0 && off + 8 <= available ? new FetchPlan.Word.FromRead(index,
                (int) off) : null;
    }

    /** The value's own bytes: registers need nothing, memory and stack locations one read each. */
    private Source source(ValueLocation loc, long size) {
        if (loc instanceof ValueLocation.Register r) {
            return off -> off == 0 && r.width() >= 8 ? new FetchPlan.Word.Register(r.register()) : null;
        }
        if (loc instanceof ValueLocation.StackSlot s) {
            int n = (int) Math.min(size, MAX_VALUE_READ);
            return fromRead(add(FetchPlan.Read.fixed(new FetchPlan.Word.Register("rsp"), s.offset(), n)), n);
        }
        if (loc instanceof ValueLocation.Memory m) {
            FetchPlan.Word base = source(m.base(), 8).word(0);
            int n = (int) Math.min(size, MAX_VALUE_READ);
            return base == null || n == 0 ? NOTHING : fromRead(add(FetchPlan.Read.fixed(base, m.offset(), n)), n);
        }
        if (loc instanceof ValueLocation.Pieces p) {
            List<ValueLocation.Piece> pieces = p.pieces();
            List<Source> parts = new ArrayList<>();
            for (ValueLocation.Piece piece : pieces) {
                parts.add(source(piece.location(), piece.size()));
            }
            return off -> {
                for (int i = 0; i < pieces.size(); i++) {
                    ValueLocation.Piece piece = pieces.get(i);
                    if (off >= piece.offset() && off + 8 <= piece.offset() + piece.size()) {
                        return parts.get(i).word(off - piece.offset());
                    }
                }
                return null;
            };
        }
        return NOTHING; // constants and unavailable parts: nothing to read, no pointer to follow
    }

    private void walk(Shape shape, Source src, long off, int depth) {
        if (depth > Shape.MAX_NESTING || !Shape.followsPointers(shape)) {
            return;
        }
        if (shape instanceof Shape.Ref r) {
            pointee(r.pointee(), src.word(off), depth);
        } else if (shape instanceof Shape.Str s) {
            counted(src.word(off + s.ptrOffset()), src.word(off + s.lenOffset()), 1, null, depth);
        } else if (shape instanceof Shape.Slice s) {
            counted(src.word(off + s.ptrOffset()), src.word(off + s.lenOffset()), s.stride(), s.element(), depth);
        } else if (shape instanceof Shape.Array a) {
            for (long i = 0; i < Math.min(a.count(), FOLLOWED_ELEMENTS); i++) {
                walk(a.element(), src, off + i * a.stride(), depth + 1);
            }
        } else if (shape instanceof Shape.Struct s) {
            for (Shape.Field f : s.fields()) {
                walk(f.shape(), src, off + f.offset(), depth + 1);
            }
        } else if (shape instanceof Shape.Closure c) {
            for (Shape.Field f : c.captures()) {
                walk(f.shape(), src, off + f.offset(), depth + 1);
            }
        } else if (shape instanceof Shape.Enum e) {
            // the variant is known only at run time: plan the reads of every variant (a wrong guess reads nothing)
            for (Shape.Alternative alt : e.alternatives()) {
                for (Shape.Field f : alt.fields()) {
                    walk(f.shape(), src, off + f.offset(), depth + 1);
                }
            }
        } else if (shape instanceof Shape.Dyn d) {
            long largest = 0;
            for (Shape concrete : d.byVtable().values()) {
                largest = Math.max(largest, concrete.size());
            }
            FetchPlan.Word data = src.word(off + d.dataOffset());
            int n = (int) Math.min(largest, maxBytes);
            if (data != null && n > 0) {
                // which concrete type it is shows only at run time: follow each candidate's pointers from one read
                Source pointee = fromRead(add(FetchPlan.Read.fixed(data, 0, n)), n);
                for (Shape concrete : d.byVtable().values()) {
                    walk(concrete, pointee, 0, depth + 1);
                }
            }
        }
    }

    private void pointee(Shape pointee, FetchPlan.Word address, int depth) {
        int n = (int) Math.min(pointee.size(), maxBytes);
        if (address == null || n <= 0) {
            return;
        }
        int index = add(FetchPlan.Read.fixed(address, 0, n));
        walk(pointee, fromRead(index, n), 0, depth + 1);
    }

    private void counted(FetchPlan.Word ptr, FetchPlan.Word count, long stride, Shape element, int depth) {
        if (ptr == null || count == null || stride <= 0) {
            return;
        }
        // whole elements only, and at least one when anything is read (--max-bytes 4 still shows a u64's first)
        int max = maxBytes == 0 ? 0 : (int) Math.max(stride, maxBytes / stride * stride);
        if (max == 0 || stride > FetchPlanner.MAX_VALUE_READ) {
            return;
        }
        int index = add(FetchPlan.Read.counted(ptr, 0, count, (int) stride, max));
        if (element != null && index >= 0) {
            Source elements = off -> new FetchPlan.Word.FromRead(index, (int) off);
            for (long i = 0; i < Math.min(FOLLOWED_ELEMENTS, max / stride); i++) {
                walk(element, elements, i * stride, depth + 1);
            }
        }
    }
}
