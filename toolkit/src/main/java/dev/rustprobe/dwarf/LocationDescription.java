// Where a variable lives, as DWARF says it: one expression, a location list over PC ranges, or a constant value.
// Kept as decoded data; selecting by PC is here, evaluating is the ABI layer's job.
package dev.rustprobe.dwarf;

import java.util.List;
import java.util.Optional;

public sealed interface LocationDescription {

    /** The expression that describes the location at pc; empty if none applies (or for a constant value). */
    Optional<List<DwarfOp>> at(long pc);

    /** DW_AT_location as a single expression (exprloc), valid wherever the variable is in scope. */
    record Expression(List<DwarfOp> ops) implements LocationDescription {
        public Expression {
            ops = List.copyOf(ops);
        }

        @Override
        public Optional<List<DwarfOp>> at(long pc) {
            return Optional.of(ops);
        }

        @Override
        public String toString() {
            return String.join(", ", ops.stream().map(DwarfOp::toString).toList());
        }
    }

    /**
     * One entry of a location list with its PCs resolved to absolute addresses; a DWARF 5 DW_LLE_default_location
     * entry has {@code isDefault} set and applies wherever no bounded entry does.
     */
    record Entry(long begin, long end, boolean isDefault, List<DwarfOp> ops) {
        public Entry {
            ops = List.copyOf(ops);
        }

        public boolean contains(long pc) {
            return Long.compareUnsigned(pc, begin) >= 0 && Long.compareUnsigned(pc, end) < 0;
        }

        @Override
        public String toString() {
            String where = isDefault ? "default" : "[0x" + Long.toHexString(begin) + ", 0x" + Long.toHexString(end) + ")";
            return where + ": " + String.join(", ", ops.stream().map(DwarfOp::toString).toList());
        }
    }

    /** A location list from .debug_loc (DWARF 4) or .debug_loclists (DWARF 5), at sectionOffset. */
    record LocationList(long sectionOffset, List<Entry> entries) implements LocationDescription {
        public LocationList {
            entries = List.copyOf(entries);
        }

        @Override
        public Optional<List<DwarfOp>> at(long pc) {
            Entry fallback = null;
            for (Entry e : entries) {
                if (e.isDefault()) {
                    fallback = e;
                } else if (e.contains(pc)) {
                    return Optional.of(e.ops());
                }
            }
            return fallback == null ? Optional.empty() : Optional.of(fallback.ops());
        }
    }

    /**
     * DW_AT_const_value: the value itself, not a location. {@code value} is the integer (sign-extended when the
     * form was DW_FORM_sdata), {@code bytes} the raw block or data16 (null for integers), {@code string} for
     * string constants (null otherwise).
     */
    record ConstantValue(long value, byte[] bytes, String string) implements LocationDescription {
        @Override
        public Optional<List<DwarfOp>> at(long pc) {
            return Optional.empty();
        }

        @Override
        public String toString() {
            if (string != null) {
                return "const \"" + string + "\"";
            }
            if (bytes != null) {
                return "const " + bytes.length + " bytes";
            }
            return "const " + value;
        }
    }
}
