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
        int start = 0;
        while (true) {
            int end = pieceEnd(path, start);
            out.add(path.substring(start, end));
            if (end == path.length()) {
                return out;
            }
            start = end + 2;
        }
    }

    /**
     * Where the piece starting at {@code from} ends: the next "::" outside brackets, or the path's end. Depth never
     * drops below zero, and the "&gt;" of "-&gt;" (fn pointer types) closes nothing.
     */
    private static int pieceEnd(String path, int from) {
        int depth = 0;
        int n = path.length();
        for (int i = from; i < n; i++) {
            char c = path.charAt(i);
            switch (c) {
                case '<', '[', '(', '{' -> depth++;
                case '>', ']', ')', '}' -> {
                    if (!(c == '>' && i > 0 && path.charAt(i - 1) == '-')) {
                        depth = Math.max(0, depth - 1);
                    }
                }
                case ':' -> {
                    if (depth == 0 && i + 1 < n && path.charAt(i + 1) == ':') {
                        return i;
                    }
                }
                default -> {
                }
            }
        }
        return n;
    }

    /**
     * Segments with generic arguments attached to the segment they belong to: v0's "largest::&lt;u32&gt;" and
     * DWARF's "largest&lt;u32&gt;" both become Segment("largest", "u32"). "&lt;impl ...&gt;" and "&lt;T as Trait&gt;"
     * stay segments of their own.
     */
    public static List<Segment> segments(String path) {
        List<Segment> out = new ArrayList<>();
        int start = 0;
        while (true) {
            int end = pieceEnd(path, start);
            if (!out.isEmpty() && isGenericArgs(path, start, end)) {
                Segment prev = out.remove(out.size() - 1);
                out.add(new Segment(prev.name(), path.substring(start + 1, end - 1)));
            } else {
                int lt = argsOpen(path, start, end);
                out.add(lt < 0 ? new Segment(path.substring(start, end), null)
                        : new Segment(path.substring(start, lt), path.substring(lt + 1, end - 1)));
            }
            if (end == path.length()) {
                return out;
            }
            start = end + 2;
        }
    }

    /**
     * The path with every segment's generic arguments removed: all copies of a generic share it. The same as joining
     * the names of {@link #segments} with "::" (an empty first name takes no separator), without building them: the
     * index computes this for every symbol of a binary.
     */
    public static String withoutGenericArgs(String path) {
        if (path.indexOf('<') < 0) {
            return path;
        }
        StringBuilder b = new StringBuilder(path.length());
        int start = 0;
        boolean first = true;
        while (true) {
            int end = pieceEnd(path, start);
            if (first || !isGenericArgs(path, start, end)) {
                int lt = argsOpen(path, start, end);
                if (b.length() > 0) {
                    b.append("::");
                }
                b.append(path, start, lt < 0 ? end : lt);
            }
            first = false;
            if (end == path.length()) {
                break;
            }
            start = end + 2;
        }
        // nothing removed: keep the one string (most names are their own family)
        return b.length() == path.length() ? path : b.toString();
    }

    /**
     * The other spellings a path with a qualified first segment has for patterns: "&lt;Self as Trait&gt;::item" is
     * also "Self::item" and "Trait::item", "&lt;Self&gt;::item" (a v0 inherent method) also "Self::item"; Self and
     * Trait keep their generic arguments, and a nested qualified Self is expanded again. Self must be a path type:
     * "&lt;&amp;T as Debug&gt;::fmt" or a slice's impl gives only the trait form. Empty for every other path.
     */
    public static List<List<Segment>> qualifiedForms(List<Segment> path) {
        List<List<Segment>> out = new ArrayList<>();
        addQualifiedForms(path, out, 0);
        return out;
    }

    /** The qualified forms of a path, each written out ("a::B<T>::item"). */
    public static List<String> qualifiedFormTexts(String path) {
        List<String> out = new ArrayList<>();
        for (List<Segment> form : qualifiedForms(segments(path))) {
            StringBuilder b = new StringBuilder();
            for (Segment s : form) {
                b.append(b.length() == 0 ? "" : "::").append(s.text());
            }
            out.add(b.toString());
        }
        return out;
    }

    private static void addQualifiedForms(List<Segment> path, List<List<Segment>> out, int depth) {
        if (path.isEmpty() || depth > 4) {
            return;
        }
        Segment first = path.get(0);
        String n = first.name();
        if (first.genericArgs() != null || n.length() < 3 || n.charAt(0) != '<'
                || matchingClose(n, 0, n.length()) != n.length() - 1) {
            return;
        }
        String inner = n.substring(1, n.length() - 1);
        int as = topLevelIndexOf(inner, 0, inner.length(), " as ");
        List<Segment> rest = path.subList(1, path.size());
        String self = as < 0 ? inner : inner.substring(0, as);
        if (isPathType(self)) {
            List<Segment> form = new ArrayList<>(segments(self));
            form.addAll(rest);
            out.add(form);
            addQualifiedForms(form, out, depth + 1);
        }
        if (as >= 0) {
            String trait = inner.substring(as + 4);
            if (isPathType(trait)) {
                List<Segment> form = new ArrayList<>(segments(trait));
                form.addAll(rest);
                out.add(form);
            }
        }
    }

    /** A type written as a path ("a::B&lt;T&gt;", "u32", "&lt;A as B&gt;::C"), not a reference, slice, tuple, dyn or fn. */
    private static boolean isPathType(String t) {
        if (t.isEmpty() || t.startsWith("impl ") || t.startsWith("dyn ") || t.startsWith("fn(")
                || t.startsWith("unsafe ") || t.startsWith("extern ")) {
            return false;
        }
        char c = t.charAt(0);
        return c == '<' || c == '_' || Character.isLetter(c);
    }

    /** "&lt;u32&gt;" after "::" is generic arguments; "&lt;impl X&gt;" and "&lt;A as B&gt;" are qualified-path segments. */
    static boolean isGenericArgs(String piece) {
        return isGenericArgs(piece, 0, piece.length());
    }

    private static boolean isGenericArgs(String s, int from, int to) {
        if (to - from < 2 || s.charAt(from) != '<' || s.charAt(to - 1) != '>' || matchingClose(s, from, to) != to - 1) {
            return false;
        }
        int in = from + 1;
        int inEnd = to - 1;
        boolean impl = inEnd - in >= 5 && s.startsWith("impl ", in);
        return !impl && !topLevelContains(s, in, inEnd, " as ");
    }

    /** The '&lt;' opening a piece's trailing generic arguments ("largest&lt;u32&gt;"), or -1. */
    private static int argsOpen(String s, int from, int to) {
        int lt = s.indexOf('<', from);
        if (lt > from && lt < to && s.charAt(to - 1) == '>' && matchingClose(s, lt, to) == to - 1) {
            return lt;
        }
        return -1;
    }

    private static int matchingClose(String s, int open, int to) {
        int depth = 0;
        for (int i = open; i < to; i++) {
            char c = s.charAt(i);
            if (c == '<') {
                depth++;
            } else if (c == '>' && !(i > open && s.charAt(i - 1) == '-')) {
                depth--;
                if (depth == 0) {
                    return i;
                }
            }
        }
        return -1;
    }

    private static boolean topLevelContains(String s, int from, int to, String needle) {
        return topLevelIndexOf(s, from, to, needle) >= 0;
    }

    /** Where needle first occurs in s[from, to) outside brackets, or -1. */
    private static int topLevelIndexOf(String s, int from, int to, String needle) {
        int depth = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c == '<' || c == '[' || c == '(') {
                depth++;
            } else if ((c == '>' && !(i > from && s.charAt(i - 1) == '-')) || c == ']' || c == ')') {
                depth--;
            } else if (depth == 0 && to - i >= needle.length() && s.startsWith(needle, i)) {
                return i;
            }
        }
        return -1;
    }
}
