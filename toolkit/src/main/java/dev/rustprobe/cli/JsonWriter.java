// A tiny JSON writer into a StringBuilder: the document is built whole before anything reaches stdout.
// Hand-written because the output is small and fixed in shape; a JSON library would be the jar's largest part.
package dev.rustprobe.cli;

final class JsonWriter {
    private final StringBuilder out;

    JsonWriter() {
        this(1 << 16);
    }

    /** capacity: the expected length, so that a big document (ls of a library: megabytes) is not copied as it grows. */
    JsonWriter(int capacity) {
        out = new StringBuilder(capacity);
    }
    /** Whether the next value in the current container needs a comma before it. */
    private boolean needComma;

    JsonWriter beginObject() {
        comma();
        out.append('{');
        needComma = false;
        return this;
    }

    JsonWriter endObject() {
        out.append('}');
        needComma = true;
        return this;
    }

    JsonWriter beginArray() {
        comma();
        out.append('[');
        needComma = false;
        return this;
    }

    JsonWriter endArray() {
        out.append(']');
        needComma = true;
        return this;
    }

    JsonWriter name(String name) {
        comma();
        string(name);
        out.append(':');
        needComma = false;
        return this;
    }

    JsonWriter value(String s) {
        comma();
        if (s == null) {
            out.append("null");
        } else {
            string(s);
        }
        needComma = true;
        return this;
    }

    JsonWriter value(long n) {
        comma();
        out.append(n);
        needComma = true;
        return this;
    }

    JsonWriter value(boolean b) {
        comma();
        out.append(b);
        needComma = true;
        return this;
    }

    JsonWriter field(String name, String v) {
        return name(name).value(v);
    }

    JsonWriter field(String name, long v) {
        return name(name).value(v);
    }

    JsonWriter field(String name, boolean v) {
        return name(name).value(v);
    }

    private void comma() {
        if (needComma) {
            out.append(',');
        }
    }

    private void string(String s) {
        out.append('"');
        // the plain prefix (all of nearly every string) in one append: one per char is what costs, on 100,000 names
        int n = s.length();
        int plain = 0;
        while (plain < n) {
            char c = s.charAt(plain);
            if (c < 0x20 || c == '"' || c == '\\' || (c >= 0xd800 && c <= 0xdfff)) {
                break;
            }
            plain++;
        }
        out.append(s, 0, plain);
        for (int i = plain; i < n; i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20 || (c >= 0xd800 && c <= 0xdfff && !validSurrogate(s, i))) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    private static boolean validSurrogate(String s, int i) {
        char c = s.charAt(i);
        if (Character.isHighSurrogate(c)) {
            return i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
        }
        return i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
    }

    /**
     * Starts this writer inside an array, as a piece of a document written elsewhere: with true, after an element
     * (so that its first value takes a comma).
     */
    JsonWriter elementsBefore(boolean any) {
        needComma = any;
        return this;
    }

    @Override
    public String toString() {
        return out.toString();
    }
}
