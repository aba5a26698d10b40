// The function index: every defined function symbol of a binary, demangled and grouped by path, with alias
// groups and generic copies. Built from the symbol tables alone; DWARF facts are asked for separately and lazily.
package dev.rustprobe.index;

import dev.rustprobe.demangle.Demangler;
import dev.rustprobe.elf.ElfFile;
import dev.rustprobe.elf.ElfSymbol;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;

public final class FunctionIndex {
    private final List<Function> functions;
    private Map<String, Function> byName;
    private final Map<Long, List<String>> namesByAddress;
    /** The keys of namesByAddress, sorted: ls asks every function for its aliases, and most have none. */
    private final long[] aliasAddresses;
    private final Map<String, Integer> copiesByFamily;
    private String buildTimings = "";

    private FunctionIndex(List<Function> functions, Map<Long, List<String>> namesByAddress) {
        this.functions = functions;
        // Most families have one function with one copy: only families seen twice get an address set.
        Map<String, Object> family = new HashMap<>(functions.size() * 2);
        for (Function f : functions) {
            Object seen = family.putIfAbsent(f.genericFamily(), f);
            if (seen == null) {
                continue;
            }
            Set<Long> addresses;
            if (seen instanceof Function first) {
                addresses = new HashSet<>();
                first.instances().forEach(i -> addresses.add(i.address()));
                family.put(f.genericFamily(), addresses);
            } else {
                @SuppressWarnings("unchecked")
                Set<Long> known = (Set<Long>) seen;
                addresses = known;
            }
            f.instances().forEach(i -> addresses.add(i.address()));
        }
        this.copiesByFamily = new HashMap<>();
        family.forEach((k, v) -> {
            if (v instanceof Set<?> set) {
                copiesByFamily.put(k, set.size());
            }
        });
        this.namesByAddress = namesByAddress;
        this.aliasAddresses = namesByAddress.keySet().stream().mapToLong(Long::longValue).sorted().toArray();
    }

    /** Indexes every defined FUNC (and IFUNC) symbol of .symtab and .dynsym; a .dynsym duplicate of a .symtab entry is dropped. */
    public static FunctionIndex build(ElfFile elf) {
        return build(elf, null);
    }

    /**
     * One kept symbol with what demangling made of it; sorted by name, then address, then symbol-table order. ASCII
     * names (nearly all) compare as their bytes, eight at a time, which orders them exactly as String.compareTo does.
     */
    private record Entry(String name, String family, Instance instance, int order, byte[] ascii)
            implements Comparable<Entry> {
        /** Everything per symbol that can be done on the demangling threads is done here. */
        static Entry of(String name, ElfSymbol s, int order) {
            byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
            return of(name, null, s, order, isAscii(name, utf8) ? utf8 : null);
        }

        /** A demangled name: its generic family is found on the bytes when it is ASCII (nearly always). */
        static Entry ofRust(String name, ElfSymbol s, int order) {
            byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
            byte[] ascii = isAscii(name, utf8) ? utf8 : null;
            return of(name, ascii != null ? AsciiFamily.of(name, ascii) : RustPath.withoutGenericArgs(name), s, order, ascii);
        }

        private static Entry of(String name, String family, ElfSymbol s, int order, byte[] ascii) {
            (family != null ? family : name).hashCode(); // cached in the string for the family map, built on one thread
            return new Entry(name, family, new Instance(s.value(), s.size(), s.binding(), s.name(), s.fromDynsym()),
                    order, ascii);
        }

        /** One byte per char is ASCII, or an unpaired surrogate turned '?': only a name with '?' needs a closer look. */
        private static boolean isAscii(String name, byte[] utf8) {
            if (utf8.length != name.length()) {
                return false;
            }
            for (byte b : utf8) {
                if (b == '?') {
                    return name.chars().allMatch(c -> c < 0x80);
                }
            }
            return true;
        }

        boolean sameName(Entry o) {
            return ascii != null && o.ascii != null ? Arrays.equals(ascii, o.ascii) : name.equals(o.name);
        }

        @Override
        public int compareTo(Entry o) {
            int c = ascii != null && o.ascii != null ? Arrays.compareUnsigned(ascii, o.ascii) : name.compareTo(o.name);
            if (c != 0) {
                return c;
            }
            c = Long.compareUnsigned(instance.address(), o.instance.address());
            return c != 0 ? c : Integer.compare(order, o.order);
        }
    }

    /**
     * Indexes only what {@code wanted} could match, plus every symbol sharing an address with one of those (so alias
     * groups stay whole): a symbol whose mangled name lacks one of the pattern's literal identifiers cannot demangle
     * to a matching path, and is not demangled at all. Generic copies share those identifiers, so copy counts stay
     * right. With a null pattern, everything is indexed.
     */
    public static FunctionIndex build(ElfFile elf, Pattern wanted) {
        // 1. Collect the function symbols once each: .dynsym repeats the exported entries of .symtab.
        long[] t = new long[7];
        t[0] = System.nanoTime();
        List<ElfSymbol> all = new ArrayList<>();
        elf.forEachSymbol(true, s -> {
            if (s.isFunction() && s.isDefined() && !s.name().isEmpty()) {
                all.add(s);
            }
        });
        t[1] = System.nanoTime();
        SymbolsByAddress byAddress = new SymbolsByAddress(all);
        t[2] = System.nanoTime();
        List<ElfSymbol> symbols = byAddress.kept;
        if (wanted != null) {
            List<String> words = wanted.literalWords();
            if (!words.isEmpty()) {
                Set<Long> keepAddresses = new HashSet<>();
                List<ElfSymbol> kept = new ArrayList<>();
                for (ElfSymbol s : symbols) {
                    if (containsAll(s.name(), words)) {
                        keepAddresses.add(s.value());
                    }
                }
                for (ElfSymbol s : symbols) {
                    if (keepAddresses.contains(s.value())) {
                        kept.add(s);
                    }
                }
                symbols.clear();
                symbols.addAll(kept);
            }
        }
        // 2. Demangle, and strip generic arguments, in parallel: on a big library this is most of the work.
        int n = symbols.size();
        Entry[] entries = new Entry[n];
        IntStream.range(0, n).parallel().forEach(k -> {
            ElfSymbol s = symbols.get(k);
            String d = demangle(s.name());
            entries[k] = d == null ? Entry.of(s.name(), s, k) : Entry.ofRust(d, s, k);
        });
        t[3] = System.nanoTime();
        // 3. Sort once by name (then address): each function's copies are then one run, already in address order.
        Arrays.parallelSort(entries);
        t[4] = System.nanoTime();
        long[] shared = byAddress.shared();
        Map<Long, List<String>> namesAt = new HashMap<>();
        List<Function> functions = new ArrayList<>(n);
        for (int start = 0; start < n; ) {
            String name = entries[start].name();
            int end = start + 1;
            while (end < n && entries[end].sameName(entries[start])) {
                end++;
            }
            String family = null;
            Instance[] copies = new Instance[end - start];
            for (int k = start; k < end; k++) {
                Entry e = entries[k];
                Instance i = e.instance();
                if (family == null) {
                    family = e.family(); // every Rust entry of a run has the same name, hence the same family
                }
                copies[k - start] = i;
                if (shared.length > 0 && Arrays.binarySearch(shared, i.address()) >= 0) {
                    List<String> here = namesAt.computeIfAbsent(i.address(), x -> new ArrayList<>(2));
                    if (!here.contains(name)) {
                        here.add(name);
                    }
                }
            }
            functions.add(new Function(name, family == null ? name : family, family != null, List.of(copies)));
            start = end;
        }
        namesAt.values().removeIf(v -> v.size() < 2);
        for (List<String> v : namesAt.values()) {
            Collections.sort(v);
        }
        t[5] = System.nanoTime();
        FunctionIndex index = new FunctionIndex(Collections.unmodifiableList(functions), namesAt);
        t[6] = System.nanoTime();
        String[] phases = {"symbols", "repeats", "demangle", "sort", "group", "families"};
        StringBuilder timings = new StringBuilder();
        for (int k = 0; k < phases.length; k++) {
            timings.append(k == 0 ? "" : ", ").append(phases[k]).append(' ').append((t[k + 1] - t[k]) / 1_000_000).append(" ms");
        }
        index.buildTimings = timings.toString();
        return index;
    }

    /**
     * Drops exact repeats (same name, same address) and finds the addresses that several symbols share, through an
     * open-addressing table keyed by address: no string is hashed and no address boxed, for 100,000+ symbols.
     */
    private static final class SymbolsByAddress {
        final List<ElfSymbol> kept;
        private final long[] keys;
        private final int[] head; // 1 + index into kept of the last symbol kept at keys[slot]; 0 = free slot
        private final boolean[] several;

        SymbolsByAddress(List<ElfSymbol> all) {
            int capacity = Integer.highestOneBit(Math.max(4, all.size()) * 2) * 2;
            int shift = 64 - Integer.numberOfTrailingZeros(capacity);
            keys = new long[capacity];
            head = new int[capacity];
            several = new boolean[capacity];
            kept = new ArrayList<>(all.size());
            int[] next = new int[all.size()]; // kept index -> the previous symbol kept at the same address, or -1
            for (ElfSymbol s : all) {
                long address = s.value();
                int slot = (int) ((address * 0x9E3779B97F4A7C15L) >>> shift);
                while (head[slot] != 0 && keys[slot] != address) {
                    slot = (slot + 1) & (capacity - 1);
                }
                boolean repeat = false;
                for (int j = head[slot] - 1; j >= 0 && !repeat; j = next[j]) {
                    repeat = kept.get(j).name().equals(s.name());
                }
                if (repeat) {
                    continue;
                }
                several[slot] |= head[slot] != 0;
                keys[slot] = address;
                next[kept.size()] = head[slot] - 1;
                kept.add(s);
                head[slot] = kept.size();
            }
        }

        /** The addresses of two or more kept symbols, sorted (for binary search). */
        long[] shared() {
            int m = 0;
            for (boolean b : several) {
                m += b ? 1 : 0;
            }
            long[] out = new long[m];
            m = 0;
            for (int slot = 0; slot < keys.length; slot++) {
                if (several[slot]) {
                    out[m++] = keys[slot];
                }
            }
            Arrays.sort(out);
            return out;
        }
    }

    /**
     * {@link RustPath#withoutGenericArgs} for an ASCII path given as its bytes: the same scan over a byte array, which
     * the C1-only JIT of short commands runs several times faster than String.charAt (ls does this for every symbol).
     */
    static final class AsciiFamily {
        private AsciiFamily() {
        }

        static String of(String path, byte[] b) {
            int n = b.length;
            if (path.indexOf('<') < 0) {
                return path;
            }
            byte[] out = new byte[n];
            int len = 0;
            int start = 0;
            boolean first = true;
            while (true) {
                int end = pieceEnd(b, start);
                if (first || !isGenericArgs(b, start, end)) {
                    int lt = argsOpen(b, start, end);
                    if (len > 0) {
                        out[len++] = ':';
                        out[len++] = ':';
                    }
                    int to = lt < 0 ? end : lt;
                    System.arraycopy(b, start, out, len, to - start);
                    len += to - start;
                }
                first = false;
                if (end == n) {
                    break;
                }
                start = end + 2;
            }
            return len == n ? path : new String(out, 0, len, StandardCharsets.ISO_8859_1);
        }

        private static int pieceEnd(byte[] b, int from) {
            int depth = 0;
            int n = b.length;
            for (int i = from; i < n; i++) {
                byte c = b[i];
                if (c == '<' || c == '[' || c == '(' || c == '{') {
                    depth++;
                } else if (c == '>' || c == ']' || c == ')' || c == '}') {
                    if (!(c == '>' && i > 0 && b[i - 1] == '-')) {
                        depth = Math.max(0, depth - 1);
                    }
                } else if (c == ':' && depth == 0 && i + 1 < n && b[i + 1] == ':') {
                    return i;
                }
            }
            return n;
        }

        private static boolean isGenericArgs(byte[] b, int from, int to) {
            if (to - from < 2 || b[from] != '<' || b[to - 1] != '>' || matchingClose(b, from, to) != to - 1) {
                return false;
            }
            int in = from + 1;
            int inEnd = to - 1;
            boolean impl = inEnd - in >= 5 && b[in] == 'i' && b[in + 1] == 'm' && b[in + 2] == 'p' && b[in + 3] == 'l'
                    && b[in + 4] == ' ';
            return !impl && !topLevelContainsAs(b, in, inEnd);
        }

        private static int argsOpen(byte[] b, int from, int to) {
            int lt = -1;
            for (int i = from; i < to; i++) { // String's indexOf looks further, but a '<' at or past `to` fails anyway
                if (b[i] == '<') {
                    lt = i;
                    break;
                }
            }
            if (lt > from && lt < to && b[to - 1] == '>' && matchingClose(b, lt, to) == to - 1) {
                return lt;
            }
            return -1;
        }

        private static int matchingClose(byte[] b, int open, int to) {
            int depth = 0;
            for (int i = open; i < to; i++) {
                byte c = b[i];
                if (c == '<') {
                    depth++;
                } else if (c == '>' && !(i > open && b[i - 1] == '-')) {
                    depth--;
                    if (depth == 0) {
                        return i;
                    }
                }
            }
            return -1;
        }

        /** Whether " as " occurs in b[from, to) outside brackets. */
        private static boolean topLevelContainsAs(byte[] b, int from, int to) {
            int depth = 0;
            for (int i = from; i < to; i++) {
                byte c = b[i];
                if (c == '<' || c == '[' || c == '(') {
                    depth++;
                } else if ((c == '>' && !(i > from && b[i - 1] == '-')) || c == ']' || c == ')') {
                    depth--;
                } else if (depth == 0 && to - i >= 4 && c == ' ' && b[i + 1] == 'a' && b[i + 2] == 's' && b[i + 3] == ' ') {
                    return true;
                }
            }
            return false;
        }
    }

    private static boolean containsAll(String name, List<String> words) {
        for (String w : words) {
            if (!name.contains(w)) {
                return false;
            }
        }
        return true;
    }

    private static String demangle(String symbol) {
        // Only Rust's two manglings can demangle; skipping the rest early keeps C-heavy binaries fast.
        if (!(symbol.startsWith("_ZN") || symbol.startsWith("_R") || symbol.startsWith("__ZN") || symbol.startsWith("__R"))) {
            return null;
        }
        try {
            return Demangler.demangle(symbol, false);
        } catch (RuntimeException e) {
            return null; // a symbol the demangler cannot read is listed by its mangled name
        }
    }

    /** Every function, sorted by name. */
    public List<Function> functions() {
        return functions;
    }

    /** The function of that exact name, or null; the name map is built on first use (ls never needs it). */
    public synchronized Function byName(String name) {
        if (byName == null) {
            Map<String, Function> m = new HashMap<>(functions.size() * 2);
            for (Function f : functions) {
                m.put(f.name(), f);
            }
            byName = m;
        }
        return byName.get(name);
    }

    /** Number of distinct out-of-line addresses among all copies of this function's generic family. */
    public int copies(Function f) {
        Integer n = copiesByFamily.get(f.genericFamily());
        if (n != null) {
            return n;
        }
        return f.instances().size() == 1 ? 1 : (int) f.instances().stream().mapToLong(Instance::address).distinct().count();
    }

    /** The other functions of the same generic family (other monomorphizations), sorted; empty for most. */
    public List<Function> genericSiblings(Function f) {
        if (copies(f) <= f.instances().size()) {
            return List.of();
        }
        List<Function> out = new ArrayList<>();
        for (Function g : functions) {
            if (g != f && g.genericFamily().equals(f.genericFamily())) {
                out.add(g);
            }
        }
        return out;
    }

    /** The alias group at an address (several names), or null when only one function lives there. */
    public AliasGroup aliasesAt(long address) {
        List<String> names = namesByAddress.get(address);
        return names == null ? null : new AliasGroup(address, names);
    }

    /** How many other names share an address with any copy of {@code f}. */
    public int aliasCount(Function f) {
        boolean any = false;
        for (Instance i : f.instances()) {
            any |= Arrays.binarySearch(aliasAddresses, i.address()) >= 0;
        }
        if (!any) {
            return 0;
        }
        if (f.instances().size() == 1) {
            // the common case, and one that must stay linear: a folded body can carry thousands of names
            List<String> names = namesByAddress.get(f.first().address());
            return names.size() - (Collections.binarySearch(names, f.name()) >= 0 ? 1 : 0);
        }
        Set<String> others = new HashSet<>();
        for (Instance i : f.instances()) {
            List<String> names = namesByAddress.get(i.address());
            if (names != null) {
                others.addAll(names);
            }
        }
        others.remove(f.name());
        return others.size();
    }

    /** Every alias group, by address. */
    public List<AliasGroup> aliasGroups() {
        List<AliasGroup> out = new ArrayList<>();
        namesByAddress.forEach((a, n) -> out.add(new AliasGroup(a, n)));
        out.sort((x, y) -> Long.compareUnsigned(x.address(), y.address()));
        return out;
    }

    /** Functions whose whole path matches the pattern, each reduced to the copies its hash (if any) selects. */
    public List<Function> matchExactly(Pattern p) {
        List<Function> out = new ArrayList<>();
        for (Function f : functions) {
            if (p.matchesPath(p.hasGenericArgs() ? f.name() : f.genericFamily())) {
                List<Instance> picked = f.instances().stream().filter(p::matchesHash).toList();
                if (!picked.isEmpty()) {
                    out.add(picked.size() == f.instances().size() ? f
                            : new Function(f.name(), f.genericFamily(), f.rust(), picked));
                }
            }
        }
        return out;
    }

    /**
     * Up to {@code limit} names nearest the pattern: edit distance between the pattern's last literal segment and
     * each name's last segment (bounded, so 165,000 names cost milliseconds), then between the whole texts.
     */
    public static List<String> nearest(Pattern p, java.util.Collection<String> names, int limit) {
        String want = p.lastLiteral();
        String wantWhole = p.text().replace("*", "");
        record Scored(String name, int last, int whole) {
        }
        List<Scored> best = new ArrayList<>();
        int worstKept = Integer.MAX_VALUE;
        Set<String> families = new HashSet<>();
        for (String family : names) {
            if (!families.add(family)) {
                continue;
            }
            List<String> segs = RustPath.split(family);
            String last = segs.get(segs.size() - 1);
            int bound = Math.min(worstKept, Math.max(want.length(), 3));
            int d = last.contains(want) && !want.isEmpty() ? Math.max(0, last.length() - want.length()) / 4
                    : boundedDistance(want, last, bound);
            if (d > bound) {
                continue;
            }
            int whole = boundedDistance(wantWhole, family, 64);
            // "<Circle as Area>::area" is as near to "…::Circle::aera" as its self-type form "…::Circle::area" is
            for (String form : family.startsWith("<") ? RustPath.qualifiedFormTexts(family) : List.<String>of()) {
                whole = Math.min(whole, boundedDistance(wantWhole, form, 64));
            }
            best.add(new Scored(family, d, whole));
            best.sort((a, b) -> a.last != b.last ? Integer.compare(a.last, b.last)
                    : a.whole != b.whole ? Integer.compare(a.whole, b.whole) : a.name.compareTo(b.name));
            if (best.size() > limit) {
                best.remove(best.size() - 1);
            }
            if (best.size() == limit) {
                worstKept = best.get(best.size() - 1).last;
            }
        }
        return best.stream().map(Scored::name).toList();
    }

    /** Levenshtein distance, or {@code bound + 1} as soon as it must exceed {@code bound}; inputs capped at 256 chars. */
    static int boundedDistance(String a, String b, int bound) {
        if (a.length() > 256) {
            a = a.substring(0, 256);
        }
        if (b.length() > 256) {
            b = b.substring(0, 256);
        }
        if (Math.abs(a.length() - b.length()) > bound) {
            return bound + 1;
        }
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            int rowMin = cur[0];
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
                rowMin = Math.min(rowMin, cur[j]);
            }
            if (rowMin > bound) {
                return bound + 1;
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return Math.min(prev[b.length()], bound + 1);
    }

    /** Where building took its time ("symbols 70 ms, repeats 30 ms, ..."), for RUSTPROBE_TIMING. */
    public String buildTimings() {
        return buildTimings;
    }

    public int size() {
        return functions.size();
    }

    @Override
    public String toString() {
        return "FunctionIndex[" + functions.size() + " functions, " + namesByAddress.size() + " alias groups]";
    }
}
