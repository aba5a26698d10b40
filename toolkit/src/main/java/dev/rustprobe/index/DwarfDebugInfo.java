// DWARF facts for the index, from the DWARF reader: a skim of every unit at load (linkage names with code and
// inline-site counts), and full unit trees only when explain asks for a function's sites or signature.
package dev.rustprobe.index;

import dev.rustprobe.RustprobeException;
import dev.rustprobe.demangle.Demangler;
import dev.rustprobe.dwarf.Dwarf;
import dev.rustprobe.dwarf.FunctionSummary;
import dev.rustprobe.dwarf.InlinedCall;
import dev.rustprobe.dwarf.PcRange;
import dev.rustprobe.dwarf.Subprogram;
import dev.rustprobe.dwarf.TypeRef;
import dev.rustprobe.dwarf.Variable;
import dev.rustprobe.elf.ElfFile;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

final class DwarfDebugInfo implements DebugInfo {
    /** Filtered path maps kept before it is cheaper to demangle every name once. */
    private static final int MAX_PARTIAL = 8;
    static final String NO_DWARF = "no DWARF: parameter types and inline sites unavailable; symbols still listed";

    private final Dwarf dwarf;
    private final String source;
    private final List<FunctionSummary> summaries;
    private final Set<String> linkageWithCode = new HashSet<>();
    private final Set<Long> codeAddresses = new HashSet<>();
    /** The summaries by path, over every summary: demangles every linkage name, so only made when asked for. */
    private Paths all;
    /** Paths over the summaries holding some words, with those words: each serves any lookup of more words. */
    private final List<Map.Entry<List<String>, Paths>> partial = new ArrayList<>();
    private final Map<String, List<InlineSite>> sites = new HashMap<>();
    /** The DWARF call each site handed out was made from (by identity: two sites may be equal as values). */
    private final Map<InlineSite, InlinedCall> callOf = new java.util.IdentityHashMap<>();
    private final ElfFile binaryElf;

    /** DWARF functions by the index's path for them (from some or all of the summaries). */
    private static final class Paths {
        /** path → the linkage name of its DWARF definition, for inline-only functions' signatures */
        final Map<String, String> linkageOfPath = new HashMap<>();
        /** path → the skim's summaries of the DWARF functions with inline sites that carry that path */
        final Map<String, List<FunctionSummary>> withSitesByPath = new HashMap<>();
        final Map<String, Integer> siteCounts = new HashMap<>();
        int demangled;

        /**
         * Over the summaries whose linkage name holds every word (those without one, named by DWARF alone, always):
         * a path that holds an identifier spells it in its mangled name too, so the rest are not demangled.
         */
        Paths(List<FunctionSummary> summaries, List<String> words) {
            for (FunctionSummary f : summaries) {
                if (f.linkageName() != null && !FunctionIndex.containsAll(f.linkageName(), words)) {
                    continue;
                }
                String path = pathOf(f.linkageName(), f.name());
                demangled += f.linkageName() == null ? 0 : 1;
                if (path == null) {
                    continue;
                }
                if (f.linkageName() != null) {
                    linkageOfPath.putIfAbsent(path, f.linkageName());
                }
                if (f.inlineSites() > 0) {
                    withSitesByPath.computeIfAbsent(path, k -> new ArrayList<>(1)).add(f);
                    siteCounts.merge(path, f.inlineSites(), Integer::sum);
                }
            }
        }
    }

    private DwarfDebugInfo(Dwarf dwarf, String source, List<FunctionSummary> summaries, ElfFile binaryElf) {
        this.dwarf = dwarf;
        this.binaryElf = binaryElf;
        this.source = source;
        this.summaries = summaries;
        for (FunctionSummary f : summaries) {
            if (f.hasCode()) {
                if (f.linkageName() != null) {
                    linkageWithCode.add(f.linkageName());
                }
                if (f.lowPc() > 0) {
                    codeAddresses.add(f.lowPc());
                }
            }
        }
    }

    /** How many linkage names have been demangled for paths (tests check that one pattern's lookups do few). */
    synchronized int demangled() {
        int n = all == null ? 0 : all.demangled;
        for (Map.Entry<List<String>, Paths> e : partial) {
            n += e.getValue().demangled;
        }
        return n;
    }

    private synchronized Paths all() {
        if (all == null) {
            all = new Paths(summaries, List.of());
        }
        return all;
    }

    /**
     * Paths that include every summary that could carry a name holding every word: a trace's lookups of the
     * functions one pattern matched hold that pattern's words, so they share one Paths.
     */
    private synchronized Paths holding(List<String> words) {
        if (all != null || words.isEmpty()) {
            return all();
        }
        for (Map.Entry<List<String>, Paths> e : partial) {
            if (words.containsAll(e.getKey())) {
                return e.getValue();
            }
        }
        if (partial.size() >= MAX_PARTIAL) {
            return all();
        }
        Paths p = new Paths(summaries, words);
        partial.add(Map.entry(List.copyOf(words), p));
        return p;
    }

    static DebugInfo load(IndexedBinary binary) {
        if (!binary.hasDwarf()) {
            return DebugInfo.unavailable(NO_DWARF, false);
        }
        ElfFile sections = binary.elf();
        String source = binary.path().toString();
        if (!sections.hasDwarf()) {
            Path debug = binary.separateDebugFile().orElseThrow();
            sections = ElfFile.open(debug);
            source = debug.toString();
        }
        try {
            Dwarf dwarf = Dwarf.open(sections);
            return new DwarfDebugInfo(dwarf, source, dwarf.functionSummaries(), binary.elf());
        } catch (RustprobeException | IndexOutOfBoundsException | IllegalArgumentException | IllegalStateException e) {
            return DebugInfo.unavailable("the DWARF of " + source + " is unreadable (" + e.getMessage()
                    + "): parameter types and inline sites unavailable; symbols still listed", true);
        }
    }

    /** The index's name for a DWARF function: its demangled linkage name without hash, else DWARF's own name. */
    static String pathOf(String linkageName, String fallback) {
        if (linkageName != null) {
            String d = Demangler.demangle(linkageName, false);
            return d != null ? d : linkageName;
        }
        return fallback;
    }

    @Override
    public Optional<Dwarf> dwarf() {
        return Optional.of(dwarf);
    }

    @Override
    public boolean describes(Instance instance) {
        return linkageWithCode.contains(instance.mangledName())
                || (!instance.mangledName().startsWith("_R") && !instance.mangledName().startsWith("_ZN")
                && codeAddresses.contains(instance.address()));
    }

    @Override
    public Map<String, Integer> inlineSiteCounts() {
        // From the skim: it follows abstract origins across units (DW_FORM_ref_addr) too, and InlineSitesTest
        // holds these counts equal to those of the full list of inlined calls.
        return Collections.unmodifiableMap(all().siteCounts);
    }

    @Override
    public Map<String, Integer> inlineSiteCounts(List<String> words) {
        return Collections.unmodifiableMap(holding(words).siteCounts);
    }

    @Override
    public List<InlineSite> inlineSites(Function function) {
        return inlineSites(List.of(function)).get(function.name());
    }

    @Override
    public synchronized Map<String, List<InlineSite>> inlineSites(List<Function> functions) {
        List<String> wanted = new ArrayList<>();
        List<List<FunctionSummary>> groups = new ArrayList<>();
        for (Function f : functions) {
            if (!sites.containsKey(f.name()) && !wanted.contains(f.name())) {
                wanted.add(f.name());
                groups.add(holding(wordsOf(f.name())).withSitesByPath.getOrDefault(f.name(), List.of()));
            }
        }
        List<List<InlineSite>> found = sitesOfEach(groups);
        for (int k = 0; k < wanted.size(); k++) {
            sites.put(wanted.get(k), found.get(k));
        }
        Map<String, List<InlineSite>> out = new HashMap<>();
        for (Function f : functions) {
            out.put(f.name(), sites.get(f.name()));
        }
        return out;
    }

    @Override
    public synchronized Optional<InlinedCall> inlinedCall(InlineSite site) {
        return Optional.ofNullable(callOf.get(site));
    }

    /** The identifiers a function's mangled names must hold (none when its name does not read as a pattern). */
    private static List<String> wordsOf(String name) {
        try {
            return Pattern.parse(name).literalWords();
        } catch (IllegalArgumentException e) {
            return List.of();
        }
    }

    /** Every inline site of every DWARF function, by path, in one pass over the units that have any (for tests). */
    Map<String, List<InlineSite>> allSites() {
        List<FunctionSummary> all = new ArrayList<>();
        all().withSitesByPath.values().forEach(all::addAll);
        Map<String, List<InlineSite>> out = new HashMap<>();
        for (InlineSite s : sitesOf(all)) {
            out.computeIfAbsent(s.function(), k -> new ArrayList<>()).add(s);
        }
        return out;
    }

    private List<InlineSite> sitesOf(List<FunctionSummary> functions) {
        return sitesOfEach(List.of(functions)).get(0);
    }

    /**
     * The sites of each group of DWARF functions, parsed in one pass over the units that hold any of them, each list
     * sorted by call position.
     */
    private List<List<InlineSite>> sitesOfEach(List<List<FunctionSummary>> groups) {
        List<List<InlinedCall>> calls;
        try {
            calls = groups.stream().allMatch(List::isEmpty) ? groups.stream().map(g -> List.<InlinedCall>of()).toList()
                    : dwarf.inlinedCallsOfEach(groups);
        } catch (RustprobeException | IndexOutOfBoundsException | IllegalArgumentException | IllegalStateException e) {
            throw new RustprobeException("the DWARF of " + source + " is unreadable (" + e.getMessage() + ")");
        }
        List<List<InlineSite>> out = new ArrayList<>(groups.size());
        for (List<InlinedCall> c : calls) {
            out.add(sitesOf(c));
        }
        return out;
    }

    /** The calls as sites, sorted by call position; each site remembers the call it came from. */
    private List<InlineSite> sitesOf(Iterable<InlinedCall> calls) {
        List<InlineSite> out = new ArrayList<>();
        try {
            for (InlinedCall c : calls) {
                String origin = pathOf(c.origin().linkageName(), c.origin().qualifiedName());
                String caller = c.caller() == null ? "?" : pathOf(c.caller().linkageName(), c.caller().qualifiedName());
                List<String> via = new ArrayList<>();
                for (Subprogram s : dwarf.inlinedCallers(c)) {
                    via.add(pathOf(s.linkageName(), s.qualifiedName()));
                }
                List<AddressRange> ranges = new ArrayList<>();
                for (PcRange r : c.ranges()) {
                    // Ranges outside executable code are the linker's tombstones for discarded code.
                    if (binaryElf.isExecutableAddress(r.begin())) {
                        ranges.add(new AddressRange(r.begin(), r.end()));
                    }
                }
                InlineSite site = new InlineSite(origin, caller, c.callFile(), c.callLine(), c.callColumn(), ranges, via);
                callOf.put(site, c);
                out.add(site);
            }
        } catch (RustprobeException | IndexOutOfBoundsException | IllegalArgumentException | IllegalStateException e) {
            throw new RustprobeException("the DWARF of " + source + " is unreadable (" + e.getMessage() + ")");
        }
        out.sort((a, b) -> {
            int f = String.valueOf(a.callFile()).compareTo(String.valueOf(b.callFile()));
            return f != 0 ? f : a.callLine() != b.callLine() ? Integer.compare(a.callLine(), b.callLine())
                    : Long.compareUnsigned(a.entry(), b.entry());
        });
        return List.copyOf(out);
    }

    @Override
    public Optional<Signature> signature(Function function) {
        List<String> candidates = new ArrayList<>();
        for (Instance i : function.instances()) {
            candidates.add(i.mangledName());
        }
        String byPath = holding(wordsOf(function.name())).linkageOfPath.get(function.name());
        if (byPath != null) {
            candidates.add(byPath);
        }
        for (String linkage : candidates) {
            Optional<Subprogram> s = dwarf.subprogramByLinkageName(linkage);
            if (s.isPresent()) {
                List<Parameter> params = new ArrayList<>();
                for (Variable v : s.get().parameters()) {
                    if (v.isParameter()) {
                        params.add(new Parameter(v.name(), typeName(v.typeRef())));
                    }
                }
                return Optional.of(new Signature(params, s.get().returnTypeRef() == null ? "()" : typeName(s.get().returnTypeRef())));
            }
        }
        return Optional.empty();
    }

    private static String typeName(TypeRef t) {
        if (t == null) {
            return "?";
        }
        String n = t.name();
        return n == null ? "?" : n;
    }

    @Override
    public Optional<String> unavailableReason() {
        return Optional.empty();
    }
}
