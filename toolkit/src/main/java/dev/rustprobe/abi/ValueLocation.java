// Where one value (or one piece of it) can be read at a probe site: a description for the tracer, not a read.
package dev.rustprobe.abi;

import java.util.List;
import java.util.stream.Collectors;

public sealed interface ValueLocation {

    /** The low {@code width} bytes of a general-purpose register ("rdi"). */
    record Register(String register, long width) implements ValueLocation {}

    /** An 8-byte word at entry-rsp + offset (offset 8 is the first stack argument; 0 is the return address). */
    record StackSlot(long offset, long width) implements ValueLocation {}

    /** The value's bytes in memory at (register) + offset; register "rsp" means the current stack pointer. */
    record Memory(ValueLocation base, long offset) implements ValueLocation {}

    /** A value known without reading anything (DW_AT_const_value, a folded stack_value); empty bytes for a ZST. */
    record Constant(long value, long width) implements ValueLocation {}

    /** One part of a value: its byte offset and size in the value, where it is, and its place in declaration order. */
    record Piece(long offset, long size, int declarationRank, ValueLocation location) {}

    /** A value split over several places (a scalar pair, a u128, DWARF pieces). */
    record Pieces(List<Piece> pieces) implements ValueLocation {
        public Pieces {
            pieces = List.copyOf(pieces);
        }
    }

    enum Reason {
        OPTIMIZED_OUT("optimized out: DWARF has no location at this PC"),
        FLOAT_REGISTER("float register: uprobes cannot read xmm"),
        FOLDED("value folded away: the optimizer removed or rewrote this argument"),
        COMPUTED("computed from several places (a DWARF expression we do not evaluate)"),
        UNKNOWN_TYPE("DWARF gives no usable type layout");

        private final String sentence;

        Reason(String sentence) {
            this.sentence = sentence;
        }

        public String sentence() {
            return sentence;
        }
    }

    /** Not readable by a uprobe, with the reason; detail names the place when there is one ("xmm0"). */
    record Unavailable(Reason reason, String detail) implements ValueLocation {}

    /**
     * Compact text: "rdi", "[rsp+8]", "*rdi" (value in memory at rdi), "*rdi+8", "xmm0" (unreadable float),
     * "-" (nothing to read), pieces joined by ':' in declaration order, "const 5", "unavailable (...)".
     */
    static String render(ValueLocation l) {
        // Java 17: no pattern switch, so an instanceof chain over the sealed cases
        if (l instanceof Register r) {
            return r.register();
        } else if (l instanceof StackSlot s) {
            return "[rsp+" + s.offset() + "]";
        } else if (l instanceof Memory m) {
            return m.base() instanceof Register r && r.register().equals("rsp")
                    ? "[rsp+" + m.offset() + "]"
                    : "*" + render(m.base()) + (m.offset() == 0 ? "" : "+" + m.offset());
        } else if (l instanceof Constant c) {
            return c.width() == 0 ? "-" : "const " + c.value();
        } else if (l instanceof Pieces p) {
            return p.pieces().isEmpty() ? "-" : p.pieces().stream()
                    .sorted((a, b) -> a.declarationRank() != b.declarationRank()
                            ? Integer.compare(a.declarationRank(), b.declarationRank())
                            : Long.compare(a.offset(), b.offset()))
                    .map(x -> render(x.location())).collect(Collectors.joining(":"));
        } else {
            Unavailable u = (Unavailable) l;
            return u.reason() == Reason.FLOAT_REGISTER && u.detail() != null ? u.detail()
                    : "unavailable (" + u.reason().sentence() + (u.detail() == null ? "" : ": " + u.detail()) + ")";
        }
    }

    /** True if a uprobe can read every part of it (floats in xmm and unavailable parts cannot be read). */
    static boolean readable(ValueLocation l) {
        if (l instanceof Unavailable) {
            return false;
        } else if (l instanceof Pieces p) {
            return p.pieces().stream().allMatch(x -> readable(x.location()));
        } else if (l instanceof Memory m) {
            return readable(m.base());
        }
        return true;
    }
}
