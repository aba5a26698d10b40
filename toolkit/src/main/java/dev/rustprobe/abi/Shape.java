// How to turn a value's bytes into a RustValue: the decoding rules derived from a DWARF type, with no machine
// state in them. The tracer executes a Shape against a Capture (see Decoder).
package dev.rustprobe.abi;

import dev.rustprobe.dwarf.Type;

public sealed interface Shape {

    /** The value's size in bytes (what a location must provide). */
    long size();

    /** An integer of width bytes (1, 2, 4, 8, 16); rustc leaves the upper register bits undefined, so mask. */
    record Int(long size, boolean signed) implements Shape {}

    record Bool() implements Shape {
        @Override
        public long size() {
            return 1;
        }
    }

    /** A type we have no rule for yet, with the reason; decodes to Unavailable. */
    record Unsupported(long size, String reason) implements Shape {}

    /** The decoding rules for a DWARF type. */
    static Shape of(Type type) {
        if (type == null) {
            return new Unsupported(0, "no type");
        }
        Type t = Type.strip(type);
        if (t instanceof Type.Base b) {
            return switch (b.encoding()) {
                case SIGNED, SIGNED_CHAR -> new Int(b.byteSize(), true);
                case UNSIGNED, UNSIGNED_CHAR -> new Int(b.byteSize(), false);
                case BOOLEAN -> new Bool();
                default -> new Unsupported(b.byteSize(), "no decoding rule for " + b.name());
            };
        }
        return new Unsupported(t.byteSize(), "no decoding rule for " + t.name());
    }
}
