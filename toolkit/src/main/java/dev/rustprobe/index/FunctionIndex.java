// The function index: every defined function symbol of a binary, demangled and grouped by path, with alias
// groups and generic copies. Built from the symbol tables alone; DWARF facts are asked for separately and lazily.
package dev.rustprobe.index;

import dev.rustprobe.demangle.DemangleBuffer;
import dev.rustprobe.elf.ElfFile;
import dev.rustprobe.elf.FunctionSymbols;

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
    /** copies() of each function, by position in {@link #functions}. */
    private final int[] copiesAt;
    /** Whether every function's name is ASCII (one byte a char): then ls copies names as they are. */
    private boolean asciiNames;
    private String buildTimings = "";

    private FunctionIndex(List<Function> functions, Map<Long, List<String>> namesByAddress,
                          Map<String, Integer> copiesByFamily, int[] copiesAt) {
        this.functions = functions;
        this.copiesByFamily = copiesByFamily;
        this.copiesAt = copiesAt;
        this.namesByAddress = namesByAddress;
        this.aliasAddresses = namesByAddress.keySet().stream().mapToLong(Long::longValue).sorted().toArray();
    }

    /** Indexes every defined FUNC (and IFUNC) symbol of .symtab and .dynsym; a .dynsym duplicate of a .symtab entry is dropped. */
    public static FunctionIndex build(ElfFile elf) {
        return build(elf, null);
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
        FunctionSymbols symbols = elf.functionSymbols();
        t[1] = System.nanoTime();
        Repeats byAddress = new Repeats(symbols);
        int[] kept = byAddress.kept;
        boolean[] shared = byAddress.shared;
        String[] mangled = null;
        if (wanted != null) {
            List<String> words = wanted.literalWords();
            if (!words.isEmpty()) {
                Set<Long> keepAddresses = new HashSet<>();
                mangled = new String[kept.length];
                for (int k = 0; k < kept.length; k++) {
                    mangled[k] = symbols.name(kept[k]);
                    if (containsAll(mangled[k], words)) {
                        keepAddresses.add(symbols.value(kept[k]));
                    }
                }
                int m = 0;
                for (int k = 0; k < kept.length; k++) {
                    if (keepAddresses.contains(symbols.value(kept[k]))) {
                        kept[m] = kept[k];
                        shared[m] = shared[k];
                        mangled[m] = mangled[k];
                        m++;
                    }
                }
                kept = Arrays.copyOf(kept, m);
                shared = Arrays.copyOf(shared, m);
                mangled = Arrays.copyOf(mangled, m);
            }
        }
        t[2] = System.nanoTime();
        // 2. Demangle, and strip generic arguments, in parallel: on a big library this is most of the work.
        Entries entries = new Entries(symbols, kept, mangled);
        t[3] = System.nanoTime();
        // 3. Sort once by name (then address): each function's copies are then one run, already in address order.
        int[] sorted = entries.sortedByName();
        t[4] = System.nanoTime();
        // 4. Each run of one name is a function: on two threads, split between two runs.
        int n = sorted.length;
        int mid = n / 2;
        while (mid > 0 && mid < n && entries.sameName(sorted[mid - 1], sorted[mid])) {
            mid++;
        }
        int[] cuts = n < 20_000 ? new int[]{0, n} : new int[]{0, mid, n};
        boolean[] sharedAddress = shared;
        Group[] groups = new Group[cuts.length - 1];
        IntStream.range(0, groups.length).parallel().forEach(g ->
                groups[g] = new Group(entries, sorted, sharedAddress, cuts[g], cuts[g + 1]));
        List<Function> functions = new ArrayList<>(n);
        int[] familyOf = new int[n]; // function -> the entry whose family key it has
        int[] copiesAt = new int[n]; // function -> its distinct addresses, until its family says more
        Map<Long, List<String>> namesAt = groups[0].namesAt;
        for (Group g : groups) {
            System.arraycopy(g.familyOf, 0, familyOf, functions.size(), g.functions.size());
            System.arraycopy(g.copies, 0, copiesAt, functions.size(), g.functions.size());
            functions.addAll(g.functions);
            if (g != groups[0]) {
                for (Map.Entry<Long, List<String>> e : g.namesAt.entrySet()) {
                    for (String name : e.getValue()) {
                        addName(namesAt, e.getKey(), name);
                    }
                }
            }
        }
        namesAt.values().removeIf(v -> v.size() < 2);
        for (List<String> v : namesAt.values()) {
            Collections.sort(v);
        }
        t[5] = System.nanoTime();
        copiesAt = Arrays.copyOf(copiesAt, functions.size());
        Map<String, Integer> copiesByFamily = entries.copiesByFamily(functions, familyOf, copiesAt);
        FunctionIndex index = new FunctionIndex(Collections.unmodifiableList(functions), namesAt, copiesByFamily,
                copiesAt);
        t[6] = System.nanoTime();
        String[] phases = {"symbols", "repeats", "demangle", "sort", "group", "families"};
        StringBuilder timings = new StringBuilder();
        for (int k = 0; k < phases.length; k++) {
            timings.append(k == 0 ? "" : ", ").append(phases[k]).append(' ').append((t[k + 1] - t[k]) / 1_000_000).append(" ms");
        }
        index.buildTimings = timings.toString();
        index.asciiNames = entries.allAscii();
        return index;
    }

    /** Adds name to those at the address, once. (No computeIfAbsent: its lambda costs more to start than this.) */
    private static void addName(Map<Long, List<String>> namesAt, Long address, String name) {
        List<String> here = namesAt.get(address);
        if (here == null) {
            here = new ArrayList<>(2);
            namesAt.put(address, here);
        }
        if (!here.contains(name)) {
            here.add(name);
        }
    }

    /** The functions of sorted[from, to), a range that starts and ends between runs of one name. */
    private static final class Group {
        final List<Function> functions;
        final int[] familyOf;
        /** Per function: how many distinct addresses its copies have. */
        final int[] copies;
        final Map<Long, List<String>> namesAt = new HashMap<>();

        Group(Entries entries, int[] sorted, boolean[] shared, int from, int to) {
            functions = new ArrayList<>(to - from);
            familyOf = new int[to - from];
            copies = new int[to - from];
            for (int start = from; start < to; ) {
                int first = sorted[start];
                int end = start + 1;
                while (end < to && entries.sameName(sorted[end], first)) {
                    end++;
                }
                String name = entries.name(first);
                int rustEntry = -1;
                Instance[] run = new Instance[end - start];
                for (int k = start; k < end; k++) {
                    int e = sorted[k];
                    Instance i = entries.instances[e];
                    if (rustEntry < 0 && entries.rust[e]) {
                        rustEntry = e; // every Rust entry of a run has the same name, hence the same family
                    }
                    run[k - start] = i;
                    if (shared[e]) {
                        addName(namesAt, i.address(), name);
                    }
                }
                familyOf[functions.size()] = rustEntry < 0 ? first : rustEntry;
                int distinct = 1; // the run is in address order
                for (int k = 1; k < run.length; k++) {
                    distinct += run[k].address() != run[k - 1].address() ? 1 : 0;
                }
                copies[functions.size()] = distinct;
                String family = rustEntry < 0 ? name : entries.family(rustEntry, name);
                functions.add(new Function(name, family, rustEntry >= 0, List.of(run)));
                start = end;
            }
        }
    }

    /**
     * Drops exact repeats (same name, same address) and marks the symbols whose address other kept symbols share,
     * through an open-addressing table keyed by address: no string is made or hashed and no address boxed.
     */
    private static final class Repeats {
        /** The symbols kept, by index into the symbol columns, in symbol-table order. */
        final int[] kept;
        /** Per kept symbol: whether another kept symbol has its address. */
        final boolean[] shared;

        Repeats(FunctionSymbols symbols) {
            int count = symbols.count();
            int capacity = Integer.highestOneBit(Math.max(4, count) * 2) * 2;
            int shift = 64 - Integer.numberOfTrailingZeros(capacity);
            long[] keys = new long[capacity];
            int[] head = new int[capacity]; // 1 + kept index of the last symbol kept at keys[slot]; 0 = free slot
            boolean[] several = new boolean[capacity];
            int[] keptSymbols = new int[count];
            int[] slotOf = new int[count];
            int[] next = new int[count]; // kept index -> the previous symbol kept at the same address, or -1
            int[] hashes = new int[count]; // kept index -> nameHash, 0 until needed
            int m = 0;
            for (int i = 0; i < count; i++) {
                long address = symbols.value(i);
                int slot = (int) ((address * 0x9E3779B97F4A7C15L) >>> shift);
                while (head[slot] != 0 && keys[slot] != address) {
                    slot = (slot + 1) & (capacity - 1);
                }
                boolean repeat = false;
                int hash = 0;
                int seen = 0;
                for (int j = head[slot] - 1; j >= 0 && !repeat; j = next[j]) {
                    // a folded body can carry thousands of names that share long prefixes: past a few, a hash of
                    // each name (made once) rules out most before their bytes are compared
                    if (++seen > 4) {
                        if (hash == 0) {
                            hash = nameHash(symbols, i);
                        }
                        if (hashes[j] == 0) {
                            hashes[j] = nameHash(symbols, keptSymbols[j]);
                        }
                        if (hashes[j] != hash) {
                            continue;
                        }
                    }
                    repeat = symbols.sameName(keptSymbols[j], i);
                }
                if (repeat) {
                    continue;
                }
                several[slot] |= head[slot] != 0;
                keys[slot] = address;
                next[m] = head[slot] - 1;
                keptSymbols[m] = i;
                hashes[m] = hash;
                slotOf[m] = slot;
                m++;
                head[slot] = m;
            }
            kept = Arrays.copyOf(keptSymbols, m);
            shared = new boolean[m];
            for (int k = 0; k < m; k++) {
                shared[k] = several[slotOf[k]];
            }
        }

        /** A hash of symbol i's name bytes, never 0. */
        private static int nameHash(FunctionSymbols symbols, int i) {
            byte[] names = symbols.names();
            int h = 1;
            for (int p = symbols.nameAt(i); names[p] != 0; p++) {
                h = 31 * h + names[p];
            }
            return h == 0 ? 1 : h;
        }
    }

    /**
     * The kept symbols with what demangling made of them, as columns. Each name (and each generic family that differs
     * from its name) is held as a sort key of bytes: the name's own bytes when it is ASCII (nearly always), else its
     * CESU-8 form, whose unsigned byte order is String.compareTo's order. Strings are made only once a name is known to
     * start a function.
     */
    private static final class Entries {
        /** Symbols demangled per task: enough to share the work evenly between the cores. */
        private static final int CHUNK = 4096;

        final Instance[] instances;
        final boolean[] rust;
        final byte[][] keyBytes;
        final int[] keyFrom;
        final int[] keyLength;
        /** The family's key; familyLength -1 when the family is the name itself (non-Rust names too). */
        final byte[][] familyBytes;
        final int[] familyFrom;
        final int[] familyLength;
        /** familyHash() of each entry's family key (its name's when familyLength is -1). */
        final int[] familyHash;
        /** The name and family of an entry whose name is not ASCII (else null): its key is not its text. */
        final String[] wideName;
        final String[] wideFamily;

        Entries(FunctionSymbols symbols, int[] kept, String[] mangled) {
            int n = kept.length;
            instances = new Instance[n];
            rust = new boolean[n];
            keyBytes = new byte[n][];
            keyFrom = new int[n];
            keyLength = new int[n];
            familyBytes = new byte[n][];
            familyFrom = new int[n];
            familyLength = new int[n];
            familyHash = new int[n];
            wideName = new String[n];
            wideFamily = new String[n];
            IntStream.range(0, (n + CHUNK - 1) / CHUNK).parallel().forEach(c -> fill(symbols, kept, mangled,
                    c * CHUNK, Math.min(n, (c + 1) * CHUNK)));
        }

        private void fill(FunctionSymbols symbols, int[] kept, String[] mangled, int from, int to) {
            DemangleBuffer buffer = new DemangleBuffer();
            byte[] names = symbols.names();
            // where each name ends, and whether it is ASCII; their total length sizes the arena (a Rust name
            // demangles to about its mangled length, its family to less), so that it rarely has to grow
            int[] ends = new int[to - from];
            int[] dots = new int[to - from];
            long total = 0;
            for (int k = from; k < to; k++) {
                int at = symbols.nameAt(kept[k]);
                int end = at;
                int high = 0;
                int dot = -1;
                for (byte b; (b = names[end]) != 0; end++) {
                    high |= b;
                    if (b == '.' && dot < 0) {
                        dot = end;
                    }
                }
                ends[k - from] = high < 0 ? -end : end; // negative: not ASCII
                dots[k - from] = dot < 0 ? end : dot; // the first '.', where a ".llvm." suffix could start
                total += end - at;
            }
            Arena arena = new Arena((int) Math.min(Integer.MAX_VALUE - 16, total + (total >> 1) + 1024));
            for (int k = from; k < to; k++) {
                int i = kept[k];
                int at = symbols.nameAt(i);
                boolean ascii = ends[k - from] > 0;
                int end = Math.abs(ends[k - from]);
                instances[k] = mangled != null ? new Instance(symbols.value(i), symbols.size(i), symbols.binding(i),
                        mangled[k], symbols.fromDynsym(i)) : new Instance(symbols, i); // its name stays bytes till asked
                familyLength[k] = -1;
                // Only Rust's two manglings can demangle; skipping the rest early keeps C-heavy binaries fast.
                if (ascii && rustPrefix(names, at, end) && buffer.demangleAscii(names, at, end, dots[k - from], false)) {
                    rust[k] = true;
                    if (buffer.isAscii()) {
                        keyBytes[k] = arena.bytes; // the arena's final array is set once the chunk is done
                        keyFrom[k] = arena.add(buffer.bytes(), 0, buffer.length());
                        keyLength[k] = buffer.length();
                        int family = AsciiFamily.of(arena.bytes, keyFrom[k], keyFrom[k] + keyLength[k], arena);
                        if (family >= 0) {
                            familyFrom[k] = family;
                            familyLength[k] = arena.length - family;
                        }
                    } else {
                        String name = new String(buffer.bytes(), 0, buffer.length(), StandardCharsets.UTF_8);
                        wideName[k] = name;
                        keyFrom[k] = arena.addCesu8(name);
                        keyLength[k] = arena.length - keyFrom[k];
                        String family = RustPath.withoutGenericArgs(name);
                        wideFamily[k] = family;
                        if (!family.equals(name)) {
                            familyFrom[k] = arena.addCesu8(family);
                            familyLength[k] = arena.length - familyFrom[k];
                        }
                    }
                } else if (ascii) {
                    keyBytes[k] = names; // a symbol listed by its mangled name is its own key
                    keyFrom[k] = at;
                    keyLength[k] = end - at;
                } else {
                    String mangledName = instances[k].mangledName();
                    wideName[k] = mangledName;
                    keyFrom[k] = arena.addCesu8(mangledName);
                    keyLength[k] = arena.length - keyFrom[k];
                }
            }
            for (int k = from; k < to; k++) {
                if (keyBytes[k] != names) {
                    keyBytes[k] = arena.bytes;
                }
                if (familyLength[k] >= 0) {
                    familyBytes[k] = arena.bytes;
                    familyHash[k] = familyHash(familyBytes[k], familyFrom[k], familyFrom[k] + familyLength[k]);
                } else {
                    familyHash[k] = familyHash(keyBytes[k], keyFrom[k], keyFrom[k] + keyLength[k]);
                }
            }
        }

        /**
         * A hash of a family key for the family table: its length, then the first 16 and the last 48 bytes. Families
         * differ mostly at their ends, and hashing every byte of 70,000 long paths costs more than a few extra
         * comparisons.
         */
        private static int familyHash(byte[] b, int from, int to) {
            int h = to - from;
            for (int i = from; i < Math.min(to, from + 16); i++) {
                h = 31 * h + b[i];
            }
            for (int i = Math.max(from + 16, to - 48); i < to; i++) {
                h = 31 * h + b[i];
            }
            return h;
        }

        /** The prefixes the index demangles: "_ZN", "_R", and macOS's "__ZN", "__R". */
        private static boolean rustPrefix(byte[] b, int from, int to) {
            int p = from;
            if (to - p >= 2 && b[p] == '_' && b[p + 1] == '_') {
                p++;
            }
            return to - p >= 2 && b[p] == '_' && (b[p + 1] == 'R' || (to - p >= 3 && b[p + 1] == 'Z' && b[p + 2] == 'N'));
        }

        boolean allAscii() {
            for (String w : wideName) {
                if (w != null) {
                    return false;
                }
            }
            return true;
        }

        boolean sameName(int a, int b) {
            return Arrays.equals(keyBytes[a], keyFrom[a], keyFrom[a] + keyLength[a],
                    keyBytes[b], keyFrom[b], keyFrom[b] + keyLength[b]);
        }

        String name(int e) {
            if (wideName[e] != null) {
                return wideName[e];
            }
            if (!rust[e]) {
                return instances[e].mangledName(); // the same text: one copy for both
            }
            return new String(keyBytes[e], keyFrom[e], keyLength[e], StandardCharsets.ISO_8859_1);
        }

        /** The generic family of a Rust entry whose name is {@code name}. */
        String family(int e, String name) {
            if (wideFamily[e] != null) {
                return familyLength[e] < 0 ? name : wideFamily[e];
            }
            return familyLength[e] < 0 ? name
                    : new String(familyBytes[e], familyFrom[e], familyLength[e], StandardCharsets.ISO_8859_1);
        }

        /** Sorted entry numbers: by name key, then address (unsigned), then symbol-table order. */
        int[] sortedByName() {
            int[] order = new int[instances.length];
            for (int k = 0; k < order.length; k++) {
                order[k] = k;
            }
            return new KeySort(keyBytes, keyFrom, keyLength, (a, b) -> {
                int c = Long.compareUnsigned(instances[a].address(), instances[b].address());
                return c != 0 ? c : Integer.compare(a, b);
            }).sort(order);
        }

        /**
         * The number of distinct addresses among the copies of each generic family that two or more functions share,
         * found through an open-addressing table over the family keys' bytes: no string is hashed and no node made.
         */
        Map<String, Integer> copiesByFamily(List<Function> functions, int[] familyOf, int[] copiesAt) {
            int n = functions.size();
            int capacity = Integer.highestOneBit(Math.max(4, n) * 2) * 2;
            int[] table = new int[capacity]; // 1 + the first function of a family; 0 = free
            int[] next = new int[n]; // function -> the next function of its family, or -1
            int[] members = new int[n]; // first function of a family -> how many functions it has
            int[] last = new int[n];
            for (int f = 0; f < n; f++) {
                int e = familyOf[f];
                byte[] b = familyLength[e] < 0 ? keyBytes[e] : familyBytes[e];
                int from = familyLength[e] < 0 ? keyFrom[e] : familyFrom[e];
                int to = from + (familyLength[e] < 0 ? keyLength[e] : familyLength[e]);
                int h = familyHash[e];
                int slot = (h * 0x9E3779B9) >>> (32 - Integer.numberOfTrailingZeros(capacity));
                next[f] = -1;
                while (true) {
                    int g = table[slot] - 1;
                    if (g < 0) {
                        table[slot] = f + 1;
                        members[f] = 1;
                        last[f] = f;
                        break;
                    }
                    int eg = familyOf[g];
                    boolean same = familyHash[eg] != h ? false : familyLength[eg] < 0
                            ? Arrays.equals(b, from, to, keyBytes[eg], keyFrom[eg], keyFrom[eg] + keyLength[eg])
                            : Arrays.equals(b, from, to, familyBytes[eg], familyFrom[eg], familyFrom[eg] + familyLength[eg]);
                    if (same) {
                        next[last[g]] = f;
                        last[g] = f;
                        members[g]++;
                        break;
                    }
                    slot = (slot + 1) & (capacity - 1);
                }
            }
            Map<String, Integer> out = new HashMap<>();
            for (int g = 0; g < n; g++) {
                if (members[g] < 2) {
                    continue; // copiesAt[g] already holds its own count
                }
                int copies = 0;
                for (int f = g; f >= 0; f = next[f]) {
                    copies += functions.get(f).instances().size();
                }
                long[] addresses = new long[copies];
                int m = 0;
                for (int f = g; f >= 0; f = next[f]) {
                    for (Instance i : functions.get(f).instances()) {
                        addresses[m++] = i.address();
                    }
                }
                Arrays.sort(addresses);
                int distinct = 0;
                for (int k = 0; k < m; k++) {
                    distinct += k == 0 || addresses[k] != addresses[k - 1] ? 1 : 0;
                }
                out.put(functions.get(g).genericFamily(), distinct);
                for (int f = g; f >= 0; f = next[f]) {
                    copiesAt[f] = distinct;
                }
            }
            return out;
        }
    }

    /** A growable byte array that keeps one chunk's keys; its final array is what the keys point into. */
    static final class Arena {
        byte[] bytes;
        int length;

        Arena(int capacity) {
            bytes = new byte[Math.max(64, capacity)];
        }

        /** Makes room for n more bytes. */
        void room(int n) {
            if (length + n > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + n));
            }
        }

        /** Appends b[from, to); returns where it starts. */
        int add(byte[] b, int from, int to) {
            room(to - from);
            System.arraycopy(b, from, bytes, length, to - from);
            int at = length;
            length += to - from;
            return at;
        }

        /** Appends s as CESU-8 (each UTF-16 unit encoded on its own, as UTF-8 encodes a BMP code point). */
        int addCesu8(String s) {
            room(s.length() * 3);
            int at = length;
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c < 0x80) {
                    bytes[length++] = (byte) c;
                } else if (c < 0x800) {
                    bytes[length++] = (byte) (0xC0 | (c >>> 6));
                    bytes[length++] = (byte) (0x80 | (c & 0x3F));
                } else {
                    bytes[length++] = (byte) (0xE0 | (c >>> 12));
                    bytes[length++] = (byte) (0x80 | ((c >>> 6) & 0x3F));
                    bytes[length++] = (byte) (0x80 | (c & 0x3F));
                }
            }
            return at;
        }
    }

    /**
     * {@link RustPath#withoutGenericArgs} for an ASCII path given as its bytes: the same scan over a byte array, which
     * the C1-only JIT of short commands runs several times faster than String.charAt (ls does this for every symbol).
     */
    static final class AsciiFamily {
        private AsciiFamily() {
        }

        /** The family of an ASCII path given as its bytes (tests compare it with RustPath's). */
        static String of(String path, byte[] b) {
            Arena arena = new Arena(b.length);
            int at = of(b, 0, b.length, arena);
            return at < 0 ? path : new String(arena.bytes, at, arena.length - at, StandardCharsets.ISO_8859_1);
        }

        /**
         * The family of the ASCII path b[base, n), appended to out: returns where it starts there, or -1 (appending
         * nothing) when it is the path itself. b may be out's own array.
         */
        static int of(byte[] b, int base, int n, Arena out) {
            int lt0 = -1;
            for (int i = base; i < n; i++) {
                if (b[i] == '<') {
                    lt0 = i;
                    break;
                }
            }
            if (lt0 < 0) {
                return -1;
            }
            out.room(n - base);
            byte[] o = out.bytes;
            int at = out.length;
            int len = at;
            int start = base;
            boolean first = true;
            while (true) {
                int end = pieceEnd(b, base, start, n);
                if (first || !isGenericArgs(b, start, end)) {
                    int lt = argsOpen(b, start, end);
                    if (len > at) {
                        o[len++] = ':';
                        o[len++] = ':';
                    }
                    int to = lt < 0 ? end : lt;
                    System.arraycopy(b, start, o, len, to - start);
                    len += to - start;
                }
                first = false;
                if (end == n) {
                    break;
                }
                start = end + 2;
            }
            if (len - at == n - base) {
                return -1;
            }
            out.length = len;
            return at;
        }

        /** Per ASCII byte: 1 opens a bracket, 2 closes one, 3 is ':', 0 is anything else (one look-up a byte). */
        private static final byte[] KIND = new byte[128];

        static {
            for (char c : "<[({".toCharArray()) {
                KIND[c] = 1;
            }
            for (char c : ">])}".toCharArray()) {
                KIND[c] = 2;
            }
            KIND[':'] = 3;
        }

        private static int pieceEnd(byte[] b, int base, int from, int n) {
            int depth = 0;
            for (int i = from; i < n; i++) {
                byte c = b[i];
                int kind = KIND[c & 0x7f];
                if (kind == 0) {
                    continue;
                }
                if (kind == 1) {
                    depth++;
                } else if (kind == 2) {
                    if (!(c == '>' && i > base && b[i - 1] == '-')) {
                        depth = Math.max(0, depth - 1);
                    }
                } else if (depth == 0 && i + 1 < n && b[i + 1] == ':') {
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

    /** Whether name contains every one of words (a pattern's literal pieces, to skip names before demangling). */
    static boolean containsAll(String name, List<String> words) {
        for (String w : words) {
            if (!name.contains(w)) {
                return false;
            }
        }
        return true;
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
        Integer n = copiesByFamily.isEmpty() ? null : copiesByFamily.get(f.genericFamily());
        return n != null ? n : distinctAddresses(f.instances());
    }

    /** Whether every name in {@link #functions} is ASCII (nearly always so). */
    public boolean asciiNames() {
        return asciiNames;
    }

    /** {@link #copies} of {@code functions().get(position)}, known since the index was built: ls asks it of every function. */
    public int copiesAt(int position) {
        return copiesAt[position];
    }

    private static int distinctAddresses(List<Instance> instances) {
        if (instances.size() <= 1) {
            return instances.size();
        }
        long[] addresses = new long[instances.size()];
        for (int k = 0; k < addresses.length; k++) {
            addresses[k] = instances.get(k).address();
        }
        Arrays.sort(addresses);
        int distinct = 1;
        for (int k = 1; k < addresses.length; k++) {
            distinct += addresses[k] != addresses[k - 1] ? 1 : 0;
        }
        return distinct;
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
        List<Instance> instances = f.instances();
        for (int k = 0; k < instances.size(); k++) { // indexed, no iterator: ls asks this of every function
            any |= Arrays.binarySearch(aliasAddresses, instances.get(k).address()) >= 0;
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
