// A value decoded from a probe's capture, in Rust's terms; renders as Rust's {:?} syntax and as the JSON that
// `trace --json` documents (None -> null, Some(x) -> x, other variants -> {"Variant": payload}).
package dev.rustprobe.abi;

import java.math.BigInteger;
import java.util.List;
import java.util.stream.Collectors;

public sealed interface RustValue {

    /** Any integer up to 128 bits, already masked to its width and sign-extended if signed. */
    record Int(BigInteger value) implements RustValue {}

    record Bool(boolean value) implements RustValue {}

    /** A Unicode scalar value; an invalid code point is Unavailable, never a wrong char. */
    record Char(int codePoint) implements RustValue {}

    /** A float read from memory or a general-purpose register (never from xmm, which uprobes cannot read). */
    record Float(double value, int width) implements RustValue {}

    /** &str / String: the bytes read (lossily decoded if not UTF-8); truncated when clamped to --max-bytes. */
    record Str(String text, long fullLength, boolean truncated) implements RustValue {}

    /** &[T], Vec<T>, [T; N]: the elements read; truncated when fewer than the full length were read. */
    record Seq(List<RustValue> elements, long fullLength, boolean truncated) implements RustValue {
        public Seq {
            elements = List.copyOf(elements);
        }
    }

    record Field(String name, RustValue value) {}

    /** A struct ("Point { x: 1, y: 2 }"), tuple struct ("Meters(21)", fields named "__0"…) or tuple ("(1, 2)"). */
    record Struct(String typeName, List<Field> fields, StructStyle style) implements RustValue {
        public Struct {
            fields = List.copyOf(fields);
        }
    }

    enum StructStyle { NAMED, TUPLE_STRUCT, TUPLE, UNIT }

    /** An enum variant: "Some(3)", "None", "Ok(21)", "Shape::Circle { r: 2 }" (payload null for a unit variant). */
    record Variant(String enumName, String variant, RustValue payload) implements RustValue {}

    /** A raw pointer, a reference we did not follow, a function pointer: printed as its address. */
    record Address(long address) implements RustValue {}

    /** A closure environment or another value with no useful Debug form ("<closure>"). */
    record Opaque(String text) implements RustValue {}

    /** What could not be read, with the reason ("float register: uprobes cannot read xmm"). */
    record Unavailable(String reason) implements RustValue {}

    /** Rust's {:?} form, as sample-rust's truth lines print values. */
    static String render(RustValue v) {
        if (v instanceof Int i) {
            return i.value().toString();
        } else if (v instanceof Bool b) {
            return Boolean.toString(b.value());
        } else if (v instanceof Char c) {
            return "'" + escapeChar(c.codePoint(), '\'', true) + "'";
        } else if (v instanceof Float f) {
            return renderFloat(f);
        } else if (v instanceof Str s) {
            StringBuilder sb = new StringBuilder("\"");
            int[] cps = s.text().codePoints().toArray();
            for (int i = 0; i < cps.length; i++) {
                sb.append(escapeChar(cps[i], '"', i == 0)); // Rust escapes a combining mark only where it starts
            }
            sb.append('"');
            return s.truncated() ? sb + "…(" + Long.toUnsignedString(s.fullLength()) + " bytes)" : sb.toString();
        } else if (v instanceof Seq q) {
            String body = q.elements().stream().map(RustValue::render).collect(Collectors.joining(", "));
            return "[" + body + (q.truncated() ? (body.isEmpty() ? "" : ", ") + "…(" + Long.toUnsignedString(q.fullLength()) + ")" : "")
                    + "]";
        } else if (v instanceof Struct s) {
            return switch (s.style()) {
                case UNIT -> s.typeName();
                case TUPLE -> "(" + s.fields().stream().map(f -> render(f.value())).collect(Collectors.joining(", "))
                        + (s.fields().size() == 1 ? ",)" : ")");
                case TUPLE_STRUCT -> s.typeName() + "(" + s.fields().stream().map(f -> render(f.value()))
                        .collect(Collectors.joining(", ")) + ")";
                case NAMED -> s.typeName() + " { " + s.fields().stream().map(f -> f.name() + ": " + render(f.value()))
                        .collect(Collectors.joining(", ")) + " }";
            };
        } else if (v instanceof Variant e) {
            if (e.payload() == null) {
                return e.variant();
            }
            // several tuple fields or named fields: the payload is a struct named after the variant
            if (e.payload() instanceof Struct s && s.typeName().equals(e.variant())
                    && (s.style() == StructStyle.TUPLE_STRUCT || s.style() == StructStyle.NAMED)) {
                return render(s);
            }
            return e.variant() + "(" + render(e.payload()) + ")";
        } else if (v instanceof Address a) {
            return "0x" + Long.toHexString(a.address());
        } else if (v instanceof Opaque o) {
            return o.text();
        } else {
            return "<unavailable: " + ((Unavailable) v).reason() + ">";
        }
    }

    /** The JSON form documented for `trace --json`. */
    static String toJson(RustValue v) {
        if (v instanceof Int i) {
            return i.value().toString();
        } else if (v instanceof Bool b) {
            return Boolean.toString(b.value());
        } else if (v instanceof Char c) {
            return jsonString(new String(Character.toChars(c.codePoint())));
        } else if (v instanceof Float f) {
            return Double.isFinite(f.value()) ? renderFloat(f) : jsonString(renderFloat(f));
        } else if (v instanceof Str s) {
            return jsonString(s.text());
        } else if (v instanceof Seq q) {
            return "[" + q.elements().stream().map(RustValue::toJson).collect(Collectors.joining(",")) + "]";
        } else if (v instanceof Struct s) {
            if (s.style() == StructStyle.UNIT) {
                return s.typeName().equals("()") ? "null" : jsonString(s.typeName());
            }
            if (s.style() == StructStyle.TUPLE_STRUCT && s.fields().size() == 1) {
                return toJson(s.fields().get(0).value()); // a newtype (Meters(21)) is its value
            }
            if (s.style() == StructStyle.TUPLE || s.style() == StructStyle.TUPLE_STRUCT) {
                return "[" + s.fields().stream().map(f -> toJson(f.value())).collect(Collectors.joining(",")) + "]";
            }
            return "{" + s.fields().stream().map(f -> jsonString(f.name()) + ":" + toJson(f.value()))
                    .collect(Collectors.joining(",")) + "}";
        } else if (v instanceof Variant e) {
            if (e.variant().equals("None") && e.payload() == null) {
                return "null";
            }
            if (e.variant().equals("Some") && e.payload() != null) {
                return toJson(e.payload());
            }
            if (e.payload() == null) {
                return jsonString(e.variant()); // a unit variant (Color::Red, Token::End) is its name
            }
            return "{" + jsonString(e.variant()) + ":" + (e.payload() == null ? "null" : toJson(e.payload())) + "}";
        } else if (v instanceof Address a) {
            return jsonString("0x" + Long.toHexString(a.address()));
        } else if (v instanceof Opaque o) {
            return jsonString(o.text());
        } else {
            return "{\"unavailable\":" + jsonString(((Unavailable) v).reason()) + "}";
        }
    }

    /**
     * Rust's {:?} for floats: the shortest digits that read back as the same float; plain decimal with at least
     * one fractional digit ("2.0", "0.001") when 1e-4 <= |x| < 1e16 (or x is 0), otherwise exponential with no
     * ".0" and no "+" ("1e-5", "1.5e16", "-2e20").
     */
    static String renderFloat(Float f) {
        double d = f.value();
        if (Double.isNaN(d)) {
            return "NaN";
        } else if (Double.isInfinite(d)) {
            return d > 0 ? "inf" : "-inf";
        }
        boolean negative = d < 0 || (d == 0 && 1 / d < 0);
        double abs = Math.abs(d);
        String sign = negative ? "-" : "";
        if (abs == 0) {
            return sign + "0.0";
        }
        java.math.BigDecimal shortest = shortest(abs, f.width());
        if (abs < 1e-4 || abs >= 1e16) {
            String digits = shortest.unscaledValue().toString();
            int exp = digits.length() - 1 - shortest.scale();
            String mant = digits.replaceFirst("0+$", "");
            mant = mant.length() > 1 ? mant.charAt(0) + "." + mant.substring(1) : mant;
            return sign + mant + "e" + exp;
        }
        String plain = shortest.stripTrailingZeros().toPlainString();
        return sign + (plain.contains(".") ? plain : plain + ".0");
    }

    /** The fewest significant digits that round-trip (the exact value rounded, so the closest such decimal). */
    private static java.math.BigDecimal shortest(double abs, int width) {
        java.math.BigDecimal exact = width == 4 ? new java.math.BigDecimal((double) (float) abs)
                : new java.math.BigDecimal(abs);
        for (int p = 1; p <= 17; p++) {
            java.math.BigDecimal r = exact.round(new java.math.MathContext(p, java.math.RoundingMode.HALF_EVEN));
            boolean back = width == 4 ? java.lang.Float.parseFloat(r.toString()) == (float) abs
                    : Double.parseDouble(r.toString()) == abs;
            if (back) {
                return r;
            }
        }
        return exact.round(new java.math.MathContext(17, java.math.RoundingMode.HALF_EVEN));
    }

    /** Rust's escape_debug: quotes, \t \r \n \\ \0, control and (where asked) combining marks as \\u{..}. */
    private static String escapeChar(int cp, char quote, boolean escapeMarks) {
        return switch (cp) {
            case '\t' -> "\\t";
            case '\r' -> "\\r";
            case '\n' -> "\\n";
            case '\\' -> "\\\\";
            case 0 -> "\\0";
            default -> cp == quote ? "\\" + quote
                    : Character.isISOControl(cp) || escapeMarks && (Character.getType(cp) == Character.NON_SPACING_MARK
                    || Character.getType(cp) == Character.ENCLOSING_MARK) ? String.format("\\u{%x}", cp)
                    : new String(Character.toChars(cp));
        };
    }

    static String jsonString(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }
}
