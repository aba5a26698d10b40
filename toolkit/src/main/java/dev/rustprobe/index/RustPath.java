// Splits a demangled path into its segments at top-level "::" (not inside <...>, [...], (...) or {...}),
// and separates generic arguments ("foo::<u32>" in v0 names, "foo<u32>" in DWARF names) from the segment name.
package dev.rustprobe.index;

import java.util.ArrayList;
import java.util.List;

public final class RustPath {
    private RustPath() {
    }

    /** A segment: its name (e.g. "largest", "&lt;impl Foo for Bar&gt;") and generic arguments without brackets, or null. */
    public record Segment(String name, String genericArgs) {
        public String text() {
            return genericArgs == null ? name : name + "<" + genericArgs + ">";
        }
    }

    /** The top-level pieces between "::", verbatim. */
    public static List<String> split(String path) {
        List<String> out = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            switch (c) {
                case '<', '[', '(', '{' -> depth++;
                case '>', ']', ')', '}' -> {
                    // "->" in fn pointer types is not a closing bracket
                    if (!(c == '>' && i > 0 && path.charAt(i - 1) == '-')) {
                        depth = Math.max(0, depth - 1);
                    }
                }
                case ':' -> {
                    if (depth == 0 && i + 1 < path.length() && path.charAt(i + 1) == ':') {
                        out.add(path.substring(start, i));
                        start = i + 2;
                        i++;
                    }
                }
                default -> {
                }
            }
        }
        out.add(path.substring(start));
        return out;
    }

    /**
     * Segments with generic arguments attached to the segment they belong to: v0's "largest::&lt;u32&gt;" and
     * DWARF's "largest&lt;u32&gt;" both become Segment("largest", "u32"). "&lt;impl ...&gt;" and "&lt;T as Trait&gt;"
     * stay segments of their own.
     */
    public static List<Segment> segments(String path) {
        List<String> raw = split(path);
        List<Segment> out = new ArrayList<>(raw.size());
        for (String piece : raw) {
            if (!out.isEmpty() && isGenericArgs(piece)) {
                Segment prev = out.remove(out.size() - 1);
                out.add(new Segment(prev.name(), inner(piece)));
                continue;
            }
            int lt = piece.indexOf('<');
            if (lt > 0 && piece.endsWith(">") && matchingClose(piece, lt) == piece.length() - 1) {
                out.add(new Segment(piece.substring(0, lt), piece.substring(lt + 1, piece.length() - 1)));
            } else {
                out.add(new Segment(piece, null));
            }
        }
        return out;
    }

    /** The path with every segment's generic arguments removed: all copies of a generic share it. */
    public static String withoutGenericArgs(String path) {
        if (path.indexOf('<') < 0) {
            return path;
        }
        StringBuilder b = new StringBuilder(path.length());
        for (Segment s : segments(path)) {
            if (b.length() > 0) {
                b.append("::");
            }
            b.append(s.name());
        }
        return b.toString();
    }

    /** "&lt;u32&gt;" after "::" is generic arguments; "&lt;impl X&gt;" and "&lt;A as B&gt;" are qualified-path segments. */
    static boolean isGenericArgs(String piece) {
        if (!piece.startsWith("<") || !piece.endsWith(">") || matchingClose(piece, 0) != piece.length() - 1) {
            return false;
        }
        String in = inner(piece);
        return !in.startsWith("impl ") && !topLevelContains(in, " as ");
    }

    private static String inner(String bracketed) {
        return bracketed.substring(1, bracketed.length() - 1);
    }

    private static int matchingClose(String s, int open) {
        int depth = 0;
        for (int i = open; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '<') {
                depth++;
            } else if (c == '>' && !(i > 0 && s.charAt(i - 1) == '-')) {
                depth--;
                if (depth == 0) {
                    return i;
                }
            }
        }
        return -1;
    }

    private static boolean topLevelContains(String s, String needle) {
        int depth = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '<' || c == '[' || c == '(') {
                depth++;
            } else if ((c == '>' && !(i > 0 && s.charAt(i - 1) == '-')) || c == ']' || c == ')') {
                depth--;
            } else if (depth == 0 && s.startsWith(needle, i)) {
                return true;
            }
        }
        return false;
    }
}
