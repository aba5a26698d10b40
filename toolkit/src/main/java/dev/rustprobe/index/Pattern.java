// A function pattern as users write it: an exact path, "*" within one segment, "**" across segments, and
// optionally "::h<hash>" or generic arguments ("largest<u32>", "largest::<u32>") to pick one copy.
package dev.rustprobe.index;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

public final class Pattern {
    private final String text;
    private final List<RustPath.Segment> segments;
    private final String hash;
    private final boolean hasGenericArgs;
    private final boolean wildcard;

    private Pattern(String text, List<RustPath.Segment> segments, String hash) {
        this.text = text;
        this.segments = segments;
        this.hash = hash;
        this.hasGenericArgs = segments.stream().anyMatch(s -> s.genericArgs() != null);
        this.wildcard = text.contains("*");
    }

    /** Parses a pattern; throws {@link IllegalArgumentException} with a sentence when it is malformed. */
    public static Pattern parse(String text) {
        String t = text.strip();
        if (t.isEmpty()) {
            throw new IllegalArgumentException("the pattern is empty");
        }
        if (t.length() > 4096) {
            throw new IllegalArgumentException("the pattern is longer than 4096 characters");
        }
        int depth = 0;
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            if (c == '<') {
                depth++;
            } else if (c == '>' && !(i > 0 && t.charAt(i - 1) == '-')) {
                depth--;
            }
            if (depth < 0) {
                break;
            }
        }
        if (depth != 0) {
            throw new IllegalArgumentException("the pattern '" + text + "' has unbalanced < >");
        }
        List<RustPath.Segment> segs = new ArrayList<>(RustPath.segments(t));
        String hash = null;
        if (segs.size() > 1) {
            RustPath.Segment last = segs.get(segs.size() - 1);
            if (last.genericArgs() == null && isHash(last.name())) {
                hash = last.name().substring(1).toLowerCase(Locale.ROOT);
                segs.remove(segs.size() - 1);
            }
        }
        for (RustPath.Segment s : segs) {
            if (s.name().isEmpty()) {
                throw new IllegalArgumentException("the pattern '" + text + "' has an empty path segment");
            }
            if (s.name().contains("**") && !s.name().equals("**")) {
                throw new IllegalArgumentException("'**' must be a whole segment in '" + text + "' (use '*' within a segment)");
            }
        }
        return new Pattern(t, List.copyOf(segs), hash);
    }

    /** "h" followed by 4 to 16 hex digits: a (possibly shortened) legacy hash or v0 crate disambiguator. */
    private static boolean isHash(String s) {
        if (s.length() < 5 || s.length() > 17 || s.charAt(0) != 'h') {
            return false;
        }
        for (int i = 1; i < s.length(); i++) {
            if (Character.digit(s.charAt(i), 16) < 0) {
                return false;
            }
        }
        return true;
    }

    public String text() {
        return text;
    }

    /** The hash given after the path, lower case without the leading "h", or null. */
    public String hash() {
        return hash;
    }

    public boolean hasGenericArgs() {
        return hasGenericArgs;
    }

    public boolean isWildcard() {
        return wildcard;
    }

    /**
     * Identifiers every matching name must contain literally in its mangled form too: the ASCII identifier runs of
     * plain segment names (outside any brackets). Legacy and v0 mangling both spell ASCII identifiers out at least
     * once (v0 back-references point at an earlier spelling); closures, impls and generic arguments are left out
     * because they are encoded differently. A path matched through a qualified form (Self::item, Trait::item) holds
     * the same identifiers as the qualified path itself, so the words hold for those matches too; and a qualified
     * segment contributes the identifiers of its Self and Trait paths.
     */
    List<String> literalWords() {
        List<String> words = new ArrayList<>();
        for (RustPath.Segment s : segments) {
            String n = s.name();
            if (n.startsWith("<")) {
                // "<Self as Trait>": the identifiers of Self and Trait written as paths are spelled out too, except
                // primitive types (v0 encodes u32 or str as one letter); a reference's or slice's Self adds none
                for (List<RustPath.Segment> form : RustPath.qualifiedForms(List.of(s))) {
                    for (RustPath.Segment f : form) {
                        if (!f.name().startsWith("<")) {
                            List<String> inner = new ArrayList<>();
                            addWords(f.name(), inner);
                            inner.stream().filter(w -> !PRIMITIVES.contains(w) && !words.contains(w)).forEach(words::add);
                        }
                    }
                }
                continue;
            }
            if (n.startsWith("{") || n.startsWith("[") || n.startsWith("(")) {
                continue;
            }
            addWords(n, words);
        }
        return words;
    }

    private static final java.util.Set<String> PRIMITIVES = java.util.Set.of("u8", "u16", "u32", "u64", "u128",
            "usize", "i8", "i16", "i32", "i64", "i128", "isize", "f16", "f32", "f64", "f128", "bool", "char", "str");

    /** The ASCII identifier runs of one segment name outside its brackets, two characters or longer. */
    private static void addWords(String n, List<String> words) {
        int depth = 0;
        StringBuilder w = new StringBuilder();
        for (int i = 0; i <= n.length(); i++) {
            char c = i < n.length() ? n.charAt(i) : ' ';
            if (c == '<' || c == '{' || c == '[' || c == '(') {
                depth++;
            } else if (c == '>' || c == '}' || c == ']' || c == ')') {
                depth--;
            }
            boolean ident = c < 128 && (Character.isLetterOrDigit(c) || c == '_');
            if (ident && depth == 0) {
                w.append(c);
            } else {
                if (w.length() >= 2 && !(c >= 128)) {
                    words.add(w.toString());
                }
                if (c >= 128) {
                    w.setLength(0);
                    // a non-ASCII identifier is punycode or escaped when mangled: skip the rest of it
                    while (i + 1 < n.length() && (n.charAt(i + 1) >= 128 || Character.isLetterOrDigit(n.charAt(i + 1)) || n.charAt(i + 1) == '_')) {
                        i++;
                    }
                }
                w.setLength(0);
            }
        }
    }

    /** The last segment's name without wildcards, for suggestions. */
    String lastLiteral() {
        for (int i = segments.size() - 1; i >= 0; i--) {
            String n = segments.get(i).name().replace("*", "");
            if (!n.isEmpty()) {
                return n;
            }
        }
        return "";
    }

    /** This pattern with "**::" in front, used when a pattern matches no whole path. */
    Pattern asSuffix() {
        if (!segments.isEmpty() && segments.get(0).name().equals("**")) {
            return this;
        }
        List<RustPath.Segment> segs = new ArrayList<>();
        segs.add(new RustPath.Segment("**", null));
        segs.addAll(segments);
        return new Pattern("**::" + text, List.copyOf(segs), hash);
    }

    /**
     * Whether a function's path matches. Without generic arguments in the pattern, a path is compared without its
     * generic arguments too, so "largest" matches every copy; with them, the arguments must match as well. A trait
     * or inherent impl's method "&lt;Self as Trait&gt;::item" matches as written and also through its self-type form
     * "Self::item" and its trait form "Trait::item" (RustPath.qualifiedForms), so "crate::**" takes the methods of
     * the crate's types and "crate::Type::*" the trait methods of Type.
     */
    public boolean matchesPath(String path) {
        List<RustPath.Segment> name = RustPath.segments(path);
        if (match(0, name, 0)) {
            return true;
        }
        if (path.isEmpty() || path.charAt(0) != '<') {
            return false;
        }
        for (List<RustPath.Segment> form : RustPath.qualifiedForms(name)) {
            if (match(0, form, 0)) {
                return true;
            }
        }
        return false;
    }

    /** Whether one copy matches the hash part (always true when the pattern has none). */
    public boolean matchesHash(Instance i) {
        if (hash == null) {
            return true;
        }
        String h = i.crateHash();
        if (h == null) {
            return false;
        }
        h = h.toLowerCase(Locale.ROOT);
        if (h.startsWith("h")) {
            h = h.substring(1);
        }
        return h.startsWith(hash);
    }

    private boolean match(int p, List<RustPath.Segment> name, int n) {
        if (p == segments.size()) {
            return n == name.size();
        }
        RustPath.Segment ps = segments.get(p);
        if (ps.name().equals("**") && ps.genericArgs() == null) {
            for (int k = n; k <= name.size(); k++) {
                if (match(p + 1, name, k)) {
                    return true;
                }
            }
            return false;
        }
        if (n == name.size()) {
            return false;
        }
        RustPath.Segment ns = name.get(n);
        if (!glob(ps.name(), ns.name())) {
            return false;
        }
        if (ps.genericArgs() != null) {
            if (ns.genericArgs() == null || !glob(squash(ps.genericArgs()), squash(ns.genericArgs()))) {
                return false;
            }
        }
        return match(p + 1, name, n + 1);
    }

    private static String squash(String s) {
        return s.replace(" ", "");
    }

    /** '*' matches any run of characters (within the one segment it is compared against). */
    static boolean glob(String pattern, String s) {
        int p = 0;
        int i = 0;
        int star = -1;
        int mark = 0;
        while (i < s.length()) {
            if (p < pattern.length() && pattern.charAt(p) != '*' && pattern.charAt(p) == s.charAt(i)) {
                p++;
                i++;
            } else if (p < pattern.length() && pattern.charAt(p) == '*') {
                star = p++;
                mark = i;
            } else if (star >= 0) {
                p = star + 1;
                i = ++mark;
            } else {
                return false;
            }
        }
        while (p < pattern.length() && pattern.charAt(p) == '*') {
            p++;
        }
        return p == pattern.length();
    }

    @Override
    public String toString() {
        return text;
    }
}
