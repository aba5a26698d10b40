// Executes a Shape against a Capture: gathers the value's bytes from its location, then applies the decoding rules.
package dev.rustprobe.abi;

import java.math.BigInteger;
import java.util.OptionalLong;

public final class Decoder {
    private Decoder() {}

    public static RustValue decode(SiteValue value, Capture capture) {
        return decode(value.location(), value.shape(), capture);
    }

    public static RustValue decode(ValueLocation location, Shape shape, Capture capture) {
        if (location instanceof ValueLocation.Unavailable u) {
            return new RustValue.Unavailable(u.reason().sentence() + (u.detail() == null ? "" : ": " + u.detail()));
        }
        if (shape instanceof Shape.Unsupported u) {
            return new RustValue.Unavailable(u.reason());
        }
        long word;
        if (location instanceof ValueLocation.Register r) {
            OptionalLong v = capture.register(r.register());
            if (v.isEmpty()) {
                return new RustValue.Unavailable("register " + r.register() + " not recorded");
            }
            word = v.getAsLong();
        } else if (location instanceof ValueLocation.Constant c) {
            word = c.value();
        } else {
            return new RustValue.Unavailable("location " + ValueLocation.render(location) + " not decoded yet");
        }
        if (shape instanceof Shape.Bool) {
            return new RustValue.Bool((word & 0xff) != 0);
        }
        Shape.Int i = (Shape.Int) shape;
        int bits = (int) i.size() * 8;
        BigInteger v = BigInteger.valueOf(word);
        if (bits < 64) {
            long masked = word & ((1L << bits) - 1);
            v = BigInteger.valueOf(i.signed() ? (masked << (64 - bits)) >> (64 - bits) : masked);
        } else if (!i.signed() && word < 0) {
            v = v.add(BigInteger.ONE.shiftLeft(64));
        }
        return new RustValue.Int(v);
    }
}
