// The DWARF reader's entry point: opening reads unit headers only; each query parses just the units it needs
// (trees, line tables, types are cached per unit), so a 150 MB binary opens in milliseconds.
package dev.rustprobe.dwarf;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/** Not thread-safe: confine one instance to one thread (it caches as it goes). */
public final class Dwarf {
    /** How many parsed unit trees to keep; a tree costs about 30 bytes per DIE. */
    private static final int TREE_CACHE_UNITS = 64;
    /** Reference chains (abstract_origin, specification) longer than this are cycles or garbage. */
    private static final int MAX_REF_CHAIN = 16;

    private final DwarfSections sections;
    private final Map<String, ByteReader> readers = new HashMap<>();
    private final List<Unit> allUnits;
    private final Map<Long, Abbrev.Table> abbrevTables = new HashMap<>();
    private final Map<Long, Unit.Tree> trees = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Unit.Tree> eldest) {
            return size() > TREE_CACHE_UNITS;
        }
    };
    private final Map<Long, Type> types = new HashMap<>();
    private final Map<Long, Subprogram> subprogramCache = new HashMap<>();
    private final Map<Long, LineTable> fileTables = new HashMap<>();
    private final Map<Long, CompileUnit> compileUnits = new HashMap<>();
    private final Map<Long, CodeIndex> codeIndexes = new HashMap<>();
    private List<CompileUnit> units;
    private Map<String, Long> linkageIndex;
    private Skim.Result skim;
    private Map<String, FunctionSummary> byLinkageName;
    private Aranges aranges;
    private List<Vtable> vtables;

    private Dwarf(DwarfSections sections) {
        this.sections = sections;
        ByteReader info = section(".debug_info");
        List<Unit> list = new ArrayList<>();
        long off = 0;
        while (off < info.size()) {
            Unit u = Unit.readHeader(this, info, off);
            list.add(u);
            off = u.end;
        }
        this.allUnits = Collections.unmodifiableList(list);
    }

    /** Opens the DWARF of a binary; reads only the unit headers of .debug_info. */
    public static Dwarf open(DwarfSections sections) {
        return new Dwarf(sections);
    }

    /** Whether the binary has any DWARF units at all. */
    public boolean hasDebugInfo() {
        return !allUnits.isEmpty();
    }

    // ---- sections ----

    ByteReader section(String name) {
        ByteReader r = readers.get(name);
        if (r == null) {
            // a sibling (below) may be asking the same sections at once: they are looked up one at a time
            synchronized (sections) {
                r = new ByteReader(name, sections.section(name).orElse(ByteBuffer.allocate(0)));
            }
            readers.put(name, r);
        }
        return r;
    }

    /**
     * A reader of the same sections with caches of its own, for walking some units on another thread (this one is
     * not thread-safe); the sections' bytes are shared, read only.
     */
    Dwarf sibling() {
        return new Dwarf(sections);
    }

    ByteReader info() {
        return section(".debug_info");
    }

    Abbrev.Table abbrevTable(long offset) {
        Abbrev.Table t = abbrevTables.get(offset);
        if (t == null) {
            t = Abbrev.Table.parse(section(".debug_abbrev"), offset);
            abbrevTables.put(offset, t);
        }
        return t;
    }

    // ---- units ----

    /** The compile units (type units and skeletons are skipped), in section order; reads each root DIE once. */
    public List<CompileUnit> units() {
        if (units == null) {
            List<CompileUnit> out = new ArrayList<>();
            for (Unit u : allUnits) {
                if (!u.isTypeUnit()) {
                    out.add(compileUnit(u));
                }
            }
            units = Collections.unmodifiableList(out);
        }
        return units;
    }

    private CompileUnit compileUnit(Unit u) {
        CompileUnit cu = compileUnits.get(u.offset);
        if (cu == null) {
            Die root = root(u);
            List<PcRange> ranges = root == null ? List.of() : live(root.ranges());
            cu = new CompileUnit(u.offset, u.version, u.dwarf64, u.addressSize,
                    root == null ? null : root.name(), root == null ? null : root.string(Dw.AT_comp_dir),
                    root == null ? null : root.string(Dw.AT_producer),
                    root == null ? 0 : (int) root.constant(Dw.AT_language, 0), ranges);
            compileUnits.put(u.offset, cu);
        }
        return cu;
    }

    private Unit unit(CompileUnit cu) {
        Unit u = unitContaining(cu.offset());
        if (u == null || u.offset != cu.offset()) {
            throw new IllegalArgumentException("no unit at 0x" + Long.toHexString(cu.offset()));
        }
        return u;
    }

    /** The unit whose bytes hold a .debug_info offset, or null. */
    Unit unitContaining(long offset) {
        int lo = 0;
        int hi = allUnits.size() - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            Unit u = allUnits.get(mid);
            if (offset < u.offset) {
                hi = mid - 1;
            } else if (offset >= u.end) {
                lo = mid + 1;
            } else {
                return u;
            }
        }
        return null;
    }

    /** How many unit DIE trees are parsed and cached now (tests check laziness with it). */
    int parsedTrees() {
        return trees.size();
    }

    Unit.Tree tree(Unit u) {
        Unit.Tree t = trees.get(u.offset);
        if (t == null) {
            t = u.buildTree();
            trees.put(u.offset, t);
        }
        return t;
    }

    private Die root(Unit u) {
        // only the root DIE is needed here; avoid building the unit's whole tree
        ByteReader r = u.reader();
        int at = r.pos();
        int code = r.ulebInt("abbreviation code");
        if (code == 0) {
            return null;
        }
        Abbrev a = u.abbrev(r, code, at);
        Unit.Tree single = new Unit.Tree(new long[]{at}, new Abbrev[]{a}, new int[]{-1}, new int[]{1}, 1);
        return new Die(u, single, 0);
    }

    /** The DIE at a .debug_info offset; a DwarfException if no DIE starts there. */
    Die dieAt(long offset) {
        Unit u = unitContaining(offset);
        if (u == null) {
            throw DwarfException.at(".debug_info", offset, "reference points outside every unit");
        }
        Unit.Tree t = tree(u);
        int i = t.indexOf(offset);
        if (i < 0) {
            throw DwarfException.at(".debug_info", offset, "reference points into the middle of a DIE");
        }
        return new Die(u, t, i);
    }

    /** Ranges the linker discarded keep address 0 (their relocation was dropped); they describe no code. */
    private static List<PcRange> live(List<PcRange> ranges) {
        for (PcRange r : ranges) {
            if (r.begin() == 0) {
                List<PcRange> out = new ArrayList<>();
                for (PcRange x : ranges) {
                    if (x.begin() != 0) {
                        out.add(x);
                    }
                }
                return out;
            }
        }
        return ranges;
    }

    // ---- subprograms ----

    /** Every DW_TAG_subprogram that is not a mere declaration (concrete and abstract), unit by unit. */
    public List<Subprogram> subprograms() {
        List<Subprogram> out = new ArrayList<>();
        for (CompileUnit cu : units()) {
            out.addAll(subprograms(cu));
        }
        return out;
    }

    /** The subprograms of one unit, in DIE order. */
    public List<Subprogram> subprograms(CompileUnit cu) {
        Unit u = unit(cu);
        Unit.Tree t = tree(u);
        List<Subprogram> out = new ArrayList<>();
        for (int i = 0; i < t.count; i++) {
            if (t.abbrevs[i].tag == Dw.TAG_subprogram) {
                Die d = new Die(u, t, i);
                if (!d.flag(Dw.AT_declaration)) {
                    out.add(subprogram(d));
                }
            }
        }
        return out;
    }

    /** The subprogram whose DIE is at a .debug_info offset. */
    public Subprogram subprogramAtOffset(long offset) {
        Die d = dieAt(offset);
        if (d.tag() != Dw.TAG_subprogram) {
            throw DwarfException.at(".debug_info", offset, "expected a DW_TAG_subprogram, found " + Dw.tagName(d.tag()));
        }
        return subprogram(d);
    }

    /** The innermost out-of-line function whose code covers pc; parses only the unit that covers it. */
    public Optional<Subprogram> subprogramAt(long pc) {
        for (long unitOffset : aranges().unitsAt(pc)) {
            Unit u = unitContaining(unitOffset);
            if (u == null || u.offset != unitOffset) {
                continue;
            }
            int best = codeIndex(u).innermost(pc);
            if (best >= 0) {
                return Optional.of(subprogram(new Die(u, tree(u), best)));
            }
        }
        return Optional.empty();
    }

    /**
     * The code ranges of a unit's subprograms sorted by start, made once per unit: a trace asks for the function at
     * each of hundreds of addresses, and a scan of every subprogram (parsing its ranges) per address added up.
     */
    private CodeIndex codeIndex(Unit u) {
        CodeIndex c = codeIndexes.get(u.offset);
        if (c == null) {
            c = CodeIndex.of(u, tree(u));
            codeIndexes.put(u.offset, c);
        }
        return c;
    }

    static final class CodeIndex {
        private final long[] begins;
        private final long[] ends;
        /** the greatest end among entries 0..k: a backward scan from pc stops where no earlier range reaches it */
        private final long[] maxEnds;
        private final int[] dies;
        private final long[] spans;

        private CodeIndex(long[] begins, long[] ends, int[] dies, long[] spans) {
            this.begins = begins;
            this.ends = ends;
            this.dies = dies;
            this.spans = spans;
            this.maxEnds = new long[ends.length];
            for (int k = 0; k < ends.length; k++) {
                maxEnds[k] = k == 0 || Long.compareUnsigned(ends[k], maxEnds[k - 1]) > 0 ? ends[k] : maxEnds[k - 1];
            }
        }

        static CodeIndex of(Unit u, Unit.Tree t) {
            List<long[]> entries = new ArrayList<>();
            for (int i = 0; i < t.count; i++) {
                if (t.abbrevs[i].tag != Dw.TAG_subprogram) {
                    continue;
                }
                Die d = new Die(u, t, i);
                if (!d.has(Dw.AT_low_pc) && !d.has(Dw.AT_ranges)) {
                    continue;
                }
                List<PcRange> ranges = live(d.ranges());
                long span = 0;
                for (PcRange r : ranges) {
                    span += r.size();
                }
                for (PcRange r : ranges) {
                    entries.add(new long[]{r.begin(), r.end(), i, span});
                }
            }
            return of(entries);
        }

        /** From {begin, end, DIE index, span of that DIE's code} per range, in any order. */
        static CodeIndex of(List<long[]> entries) {
            entries.sort((a, b) -> Long.compareUnsigned(a[0], b[0]));
            int n = entries.size();
            long[] b = new long[n];
            long[] e = new long[n];
            int[] die = new int[n];
            long[] span = new long[n];
            for (int k = 0; k < n; k++) {
                long[] x = entries.get(k);
                b[k] = x[0];
                e[k] = x[1];
                die[k] = (int) x[2];
                span[k] = x[3];
            }
            return new CodeIndex(b, e, die, span);
        }

        /** The DIE index of the subprogram with the smallest code covering pc (the first in DIE order), or -1. */
        int innermost(long pc) {
            int lo = 0;
            int hi = begins.length - 1;
            int last = -1; // the last entry starting at or before pc
            while (lo <= hi) {
                int mid = (lo + hi) >>> 1;
                if (Long.compareUnsigned(begins[mid], pc) <= 0) {
                    last = mid;
                    lo = mid + 1;
                } else {
                    hi = mid - 1;
                }
            }
            int best = -1;
            long bestSpan = 0;
            for (int k = last; k >= 0 && Long.compareUnsigned(maxEnds[k], pc) > 0; k--) {
                if (Long.compareUnsigned(pc, ends[k]) < 0
                        && (best < 0 || spans[k] < bestSpan || (spans[k] == bestSpan && dies[k] < best))) {
                    best = dies[k];
                    bestSpan = spans[k];
                }
            }
            return best;
        }
    }

    /**
     * The subprogram with a linkage name: the out-of-line one with code if there is one, else the abstract one.
     * The first call skims every unit once (tags and names only) to build the index.
     */
    public Optional<Subprogram> subprogramByLinkageName(String mangled) {
        Long off = linkageIndex().get(mangled);
        return off == null ? Optional.empty() : Optional.of(subprogramAtOffset(off));
    }

    private Map<String, Long> linkageIndex() {
        if (linkageIndex == null) {
            Map<String, Long> index = new HashMap<>();
            Map<String, Long> withCode = new HashMap<>();
            for (FunctionSummary f : functionSummaries()) {
                if (f.linkageName() == null) {
                    continue;
                }
                index.putIfAbsent(f.linkageName(), f.definitionOffset());
                if (f.hasCode()) {
                    withCode.putIfAbsent(f.linkageName(), f.codeOffset());
                }
            }
            index.putAll(withCode);
            linkageIndex = index;
        }
        return linkageIndex;
    }

    /**
     * Per linkage name, whether DWARF describes out-of-line code for it and how many inline sites it has; built by
     * the skim path (no objects per DIE), for listing many thousands of symbols quickly.
     */
    public List<FunctionSummary> functionSummaries() {
        return skim().summaries;
    }

    private Skim.Result skim() {
        if (skim == null) {
            skim = Skim.scan(this);
        }
        return skim;
    }

    /**
     * The inlined calls of the given functions (summaries from {@link #functionSummaries}), found by parsing only the
     * units the skim saw holding their sites, in section order: explain of one function in a 100 MB .debug_info
     * reads a handful of units, not every DIE.
     */
    public List<InlinedCall> inlinedCallsOf(java.util.Collection<FunctionSummary> functions) {
        return inlinedCallsOfEach(List.of(functions)).get(0);
    }

    /**
     * The same for several groups of functions at once, one list per group: each unit is walked once for all of
     * them (a trace of a wide pattern asks for a hundred functions' sites, often in the same units).
     */
    public List<List<InlinedCall>> inlinedCallsOfEach(List<? extends java.util.Collection<FunctionSummary>> groups) {
        Skim.Result r = skim();
        Map<Integer, Integer> groupOf = new HashMap<>();
        java.util.TreeSet<Long> unitOffsets = new java.util.TreeSet<>();
        List<List<InlinedCall>> out = new ArrayList<>(groups.size());
        for (int g = 0; g < groups.size(); g++) {
            out.add(new ArrayList<>());
            for (FunctionSummary f : groups.get(g)) {
                Integer s = r.indexOf(f);
                if (s != null && groupOf.putIfAbsent(s, g) == null) {
                    for (long u : r.siteUnits[s]) {
                        unitOffsets.add(u);
                    }
                }
            }
        }
        for (long offset : unitOffsets) {
            Unit u = unitContaining(offset);
            Unit.Tree t = tree(u);
            for (int i = 0; i < t.count; i++) {
                if (t.abbrevs[i].tag == Dw.TAG_inlined_subroutine) {
                    Die d = new Die(u, t, i);
                    Integer g = groupOf.get(r.summaryOfOrigin(d.ref(Dw.AT_abstract_origin)));
                    if (g != null) {
                        out.get(g).add(inlinedCall(d));
                    }
                }
            }
        }
        return out;
    }

    /**
     * The functions that the inlined call's enclosing inlined calls copied in, innermost first: empty for a call
     * inlined straight into its out-of-line caller; for a call inlined into an inlined copy of outer (itself in
     * main), [outer].
     */
    public List<Subprogram> inlinedCallers(InlinedCall call) {
        List<Subprogram> out = new ArrayList<>();
        for (Die p = dieAt(call.offset()).parent(); p != null && p.tag() != Dw.TAG_subprogram; p = p.parent()) {
            if (p.tag() == Dw.TAG_inlined_subroutine) {
                long origin = p.ref(Dw.AT_abstract_origin);
                if (origin < 0 || origin == p.offset()) {
                    throw DwarfException.at(".debug_info", p.offset(), "inlined subroutine has no usable abstract origin");
                }
                out.add(subprogram(dieAt(origin)));
            }
        }
        return out;
    }

    /**
     * The summaries merged per linkage name: each codegen unit has its own abstract DIE of a function it inlined,
     * so one name can have several; this sums their inline sites and keeps the first DIE with code.
     */
    public Map<String, FunctionSummary> functionsByLinkageName() {
        if (byLinkageName == null) {
            Map<String, FunctionSummary> out = new HashMap<>();
            for (FunctionSummary f : functionSummaries()) {
                if (f.linkageName() == null) {
                    continue;
                }
                out.merge(f.linkageName(), f, (a, b) -> new FunctionSummary(a.linkageName(), a.name(),
                        a.definitionOffset(), a.hasCode() ? a.codeOffset() : b.codeOffset(),
                        a.hasCode() ? a.lowPc() : b.lowPc(), a.inlineSites() + b.inlineSites()));
            }
            byLinkageName = Collections.unmodifiableMap(out);
        }
        return byLinkageName;
    }

    Subprogram subprogram(Die d) {
        Subprogram cached = subprogramCache.get(d.offset());
        if (cached != null) {
            return cached;
        }
        // name, linkage name, type, decl and namespace come from the DIE or what it refers to
        Die named = d;
        long origin = d.ref(Dw.AT_abstract_origin);
        String name = d.name();
        String linkage = linkageName(d);
        TypeRef ret = typeRef(d);
        boolean external = d.flag(Dw.AT_external);
        Die decl = d;
        Die cur = d;
        for (int hops = 0; hops < MAX_REF_CHAIN; hops++) {
            long next = cur.ref(Dw.AT_abstract_origin);
            if (next < 0) {
                next = cur.ref(Dw.AT_specification);
            }
            if (next < 0) {
                break;
            }
            if (next == cur.offset()) {
                throw DwarfException.at(".debug_info", cur.offset(), "DIE names itself as its own origin");
            }
            cur = dieAt(next);
            if (name == null) {
                name = cur.name();
                named = cur;
            }
            if (linkage == null) {
                linkage = linkageName(cur);
            }
            if (ret == null) {
                ret = typeRef(cur);
            }
            external |= cur.flag(Dw.AT_external);
            if (!decl.has(Dw.AT_decl_file) && cur.has(Dw.AT_decl_file)) {
                decl = cur;
            }
            if (hops == MAX_REF_CHAIN - 1) {
                throw DwarfException.at(".debug_info", d.offset(), "abstract_origin/specification chain longer than "
                        + MAX_REF_CHAIN + " (a cycle?)");
            }
        }
        List<Variable> params = new ArrayList<>();
        List<Variable> vars = new ArrayList<>();
        List<Type.TemplateParameter> tparams = new ArrayList<>();
        collectVariables(d, params, vars, tparams, true);
        if (tparams.isEmpty() && named != d) {
            collectVariables(named, new ArrayList<>(), new ArrayList<>(), tparams, false);
        }
        long inline = d.constant(Dw.AT_inline, 0);
        Subprogram s = new Subprogram(name, qualify(named, name), linkage, live(d.ranges()),
                inline == Dw.INL_inlined || inline == Dw.INL_declared_inlined, external, params, vars, ret,
                Lists.location(d, Dw.AT_frame_base), fileName(decl, Dw.AT_decl_file),
                (int) decl.constant(Dw.AT_decl_line, 0), tparams, d.offset(), origin, d.unit.offset);
        subprogramCache.put(d.offset(), s);
        return s;
    }

    private static String linkageName(Die d) {
        String s = d.string(Dw.AT_linkage_name);
        return s != null ? s : d.string(Dw.AT_MIPS_linkage_name);
    }

    private TypeRef typeRef(Die d) {
        return ref(d, Dw.AT_type);
    }

    /** The namespace path of a DIE's parents (namespaces and types), joined with "::", then name. */
    private static String qualify(Die d, String name) {
        List<String> parts = new ArrayList<>();
        for (Die p = d.parent(); p != null; p = p.parent()) {
            int tag = p.tag();
            if (tag == Dw.TAG_namespace || tag == Dw.TAG_structure_type || tag == Dw.TAG_union_type
                    || tag == Dw.TAG_enumeration_type || tag == Dw.TAG_class_type) {
                String n = p.name();
                parts.add(n == null ? "{unnamed}" : n);
            } else if (tag == Dw.TAG_compile_unit || tag == Dw.TAG_partial_unit) {
                break;
            }
        }
        Collections.reverse(parts);
        if (name != null) {
            parts.add(name);
        }
        return parts.isEmpty() ? null : String.join("::", parts);
    }

    /**
     * Formal parameters and variables of a function body: direct children and inside lexical blocks. Walks the
     * subtree in DIE order without recursion, so blocks nested a hundred thousand deep cannot overflow the stack.
     */
    private void collectVariables(Die d, List<Variable> params, List<Variable> vars,
                                  List<Type.TemplateParameter> tparams, boolean descend) {
        int end = d.tree.subtreeEnds[d.index];
        for (int i = d.index + 1; i < end; ) {
            Die c = new Die(d.unit, d.tree, i);
            switch (c.tag()) {
                case Dw.TAG_formal_parameter -> params.add(variable(c, true));
                case Dw.TAG_variable -> vars.add(variable(c, false));
                case Dw.TAG_template_type_parameter -> {
                    if (d.tree.parents[i] == d.index) { // a block's template parameters are not the function's
                        tparams.add(new Type.TemplateParameter(c.name(), typeRef(c)));
                    }
                }
                case Dw.TAG_lexical_block -> {
                    if (descend) {
                        i++; // its children follow it
                        continue;
                    }
                }
                default -> { }
            }
            i = d.tree.subtreeEnds[i];
        }
    }

    private Variable variable(Die d, boolean isParameter) {
        String name = d.name();
        TypeRef type = typeRef(d);
        Die decl = d;
        boolean artificial = d.flag(Dw.AT_artificial);
        long origin = d.ref(Dw.AT_abstract_origin);
        Die cur = d;
        for (int hops = 0; hops < MAX_REF_CHAIN && (name == null || type == null); hops++) {
            long next = cur.ref(Dw.AT_abstract_origin);
            if (next < 0 || next == cur.offset()) {
                break;
            }
            cur = dieAt(next);
            if (name == null) {
                name = cur.name();
            }
            if (type == null) {
                type = typeRef(cur);
            }
            artificial |= cur.flag(Dw.AT_artificial);
            if (!decl.has(Dw.AT_decl_line)) {
                decl = cur;
            }
        }
        LocationDescription loc = d.has(Dw.AT_const_value) ? constValue(d) : Lists.location(d, Dw.AT_location);
        return new Variable(name, type, isParameter, loc, fileName(decl, Dw.AT_decl_file),
                (int) decl.constant(Dw.AT_decl_line, 0), artificial, d.offset(), origin);
    }

    private static LocationDescription.ConstantValue constValue(Die d) {
        Unit.Attrs a = d.attrs();
        int i = a.index(Dw.AT_const_value);
        int form = a.forms[i];
        if (a.data[i] instanceof byte[] b) {
            return new LocationDescription.ConstantValue(0, false, b, null);
        }
        return switch (form) {
            case Dw.FORM_string, Dw.FORM_strp, Dw.FORM_line_strp, Dw.FORM_strx, Dw.FORM_strx1, Dw.FORM_strx2,
                 Dw.FORM_strx3, Dw.FORM_strx4 -> new LocationDescription.ConstantValue(0, false, null,
                    d.string(Dw.AT_const_value));
            default -> new LocationDescription.ConstantValue(a.values[i],
                    form == Dw.FORM_sdata || form == Dw.FORM_implicit_const, null, null);
        };
    }

    /** A file attribute (decl_file, call_file) as a path, through the unit's line table header. */
    private String fileName(Die d, int at) {
        long index = d.constant(at, -1);
        if (index < 0) {
            return null;
        }
        LineTable t = fileTable(d.unit);
        return t == null ? null : t.fileName(index);
    }

    private LineTable fileTable(Unit u) {
        if (fileTables.containsKey(u.offset)) {
            return fileTables.get(u.offset);
        }
        Die root = root(u);
        LineTable t = null;
        if (root != null && root.has(Dw.AT_stmt_list)) {
            t = LineTable.parse(this, root.attrs().raw(Dw.AT_stmt_list, 0), root.string(Dw.AT_comp_dir), false);
        }
        fileTables.put(u.offset, t);
        return t;
    }

    // ---- inlined calls ----

    /** Every DW_TAG_inlined_subroutine of every unit, with caller and origin resolved. */
    public List<InlinedCall> inlinedCalls() {
        List<InlinedCall> out = new ArrayList<>();
        for (CompileUnit cu : units()) {
            out.addAll(inlinedCalls(cu));
        }
        return out;
    }

    /** The inlined calls of one unit, in DIE order. */
    public List<InlinedCall> inlinedCalls(CompileUnit cu) {
        Unit u = unit(cu);
        Unit.Tree t = tree(u);
        List<InlinedCall> out = new ArrayList<>();
        for (int i = 0; i < t.count; i++) {
            if (t.abbrevs[i].tag == Dw.TAG_inlined_subroutine) {
                out.add(inlinedCall(new Die(u, t, i)));
            }
        }
        return out;
    }

    /** The inlined calls inside one out-of-line function (all depths). */
    public List<InlinedCall> inlinedCallsIn(Subprogram caller) {
        Die d = dieAt(caller.offset());
        List<InlinedCall> out = new ArrayList<>();
        for (int i = d.index + 1; i < d.tree.subtreeEnds[d.index]; i++) {
            if (d.tree.abbrevs[i].tag == Dw.TAG_inlined_subroutine) {
                out.add(inlinedCall(new Die(d.unit, d.tree, i)));
            }
        }
        return out;
    }

    /** The inlined calls whose code covers pc, outermost first (each one inlined into the one before). */
    public List<InlinedCall> inlinedCallsAt(long pc) {
        Optional<Subprogram> caller = subprogramAt(pc);
        if (caller.isEmpty()) {
            return List.of();
        }
        Die d = dieAt(caller.get().offset());
        List<InlinedCall> out = new ArrayList<>();
        int end = d.tree.subtreeEnds[d.index];
        int i = d.index + 1;
        while (i < end) {
            Die c = new Die(d.unit, d.tree, i);
            if (c.tag() == Dw.TAG_inlined_subroutine || c.tag() == Dw.TAG_lexical_block) {
                boolean covers = false;
                for (PcRange r : live(c.ranges())) {
                    covers |= r.contains(pc);
                }
                // a lexical block without ranges still scopes inline sites; descend into it
                if (covers || (c.tag() == Dw.TAG_lexical_block && !c.has(Dw.AT_low_pc) && !c.has(Dw.AT_ranges))) {
                    if (covers && c.tag() == Dw.TAG_inlined_subroutine) {
                        out.add(inlinedCall(c));
                    }
                    i++; // descend
                    continue;
                }
            }
            i = d.tree.subtreeEnds[i]; // skip this subtree
        }
        return out;
    }

    private InlinedCall inlinedCall(Die d) {
        long originOffset = d.ref(Dw.AT_abstract_origin);
        if (originOffset < 0 || originOffset == d.offset()) {
            throw DwarfException.at(".debug_info", d.offset(), "inlined subroutine has no usable abstract origin");
        }
        Die originDie = dieAt(originOffset);
        if (originDie.tag() != Dw.TAG_subprogram) {
            throw DwarfException.at(".debug_info", d.offset(), "inlined subroutine's origin is a "
                    + Dw.tagName(originDie.tag()) + ", not a subprogram");
        }
        Subprogram origin = subprogram(originDie);
        int depth = 1;
        long parent = -1;
        Subprogram caller = null;
        for (Die p = d.parent(); p != null; p = p.parent()) {
            if (p.tag() == Dw.TAG_inlined_subroutine) {
                if (parent < 0) {
                    parent = p.offset();
                }
                depth++;
            } else if (p.tag() == Dw.TAG_subprogram) {
                caller = subprogram(p);
                break;
            }
        }
        List<Variable> params = new ArrayList<>();
        collectInlineVariables(d, params);
        return new InlinedCall(origin, caller, live(d.ranges()), fileName(d, Dw.AT_call_file),
                (int) d.constant(Dw.AT_call_line, 0), (int) d.constant(Dw.AT_call_column, 0), depth, params, parent,
                d.offset());
    }

    /** Parameters and variables of an inline site, in DIE order, through lexical blocks (without recursion). */
    private void collectInlineVariables(Die d, List<Variable> out) {
        int end = d.tree.subtreeEnds[d.index];
        for (int i = d.index + 1; i < end; ) {
            Die c = new Die(d.unit, d.tree, i);
            switch (c.tag()) {
                case Dw.TAG_formal_parameter -> out.add(variable(c, true));
                case Dw.TAG_variable -> out.add(variable(c, false));
                case Dw.TAG_lexical_block -> {
                    i++; // its children follow it
                    continue;
                }
                default -> { }
            }
            i = d.tree.subtreeEnds[i];
        }
    }

    // ---- lines ----

    /** The unit's line table with all rows; null if the unit has no DW_AT_stmt_list. */
    public LineTable lineTable(CompileUnit cu) {
        Unit u = unit(cu);
        Die root = root(u);
        if (root == null || !root.has(Dw.AT_stmt_list)) {
            return null;
        }
        return LineTable.parse(this, root.attrs().raw(Dw.AT_stmt_list, 0), root.string(Dw.AT_comp_dir), true);
    }

    /** The address of the first line-table row flagged prologue_end inside the subprogram's code. */
    public OptionalLong prologueEnd(Subprogram s) {
        if (!s.hasCode()) {
            return OptionalLong.empty();
        }
        Unit u = unitContaining(s.unitOffset());
        LineTable t = lineTable(compileUnit(u));
        if (t == null) {
            return OptionalLong.empty();
        }
        for (PcRange r : s.ranges()) {
            OptionalLong a = t.prologueEnd(r.begin(), r.end());
            if (a.isPresent()) {
                return a;
            }
        }
        return OptionalLong.empty();
    }

    // ---- vtables ----

    /**
     * A trait object's vtable as rustc describes it: a variable "<T as Trait>::{vtable}" at a link-time address
     * whose type's DW_AT_containing_type is the concrete type T.
     */
    public record Vtable(String name, long address, TypeRef concrete) {}

    /** Every vtable DWARF describes, found by the skim path on the first call (no unit trees are built). */
    public List<Vtable> vtables() {
        if (vtables == null) {
            vtables = Collections.unmodifiableList(Skim.vtables(this));
        }
        return vtables;
    }

    // ---- types ----

    /** The type at a .debug_info offset; an unreadable one is Type.Unknown with the reason. */
    public Type typeAt(long offset) {
        Type t = types.get(offset);
        if (t == null) {
            try {
                t = Types.build(this, dieAt(offset));
            } catch (DwarfException e) {
                t = new Type.Unknown(offset, null, e.getMessage());
            }
            types.put(offset, t);
        }
        return t;
    }

    TypeRef ref(Die d, int at) {
        long t = d.ref(at);
        if (t < 0 && d.form(at) == Dw.FORM_ref_sig8) {
            Unit.Attrs a = d.attrs();
            long sig = a.values[a.index(at)];
            return new TypeRef(this, new Type.Unknown(-1, null, "type unit signature 0x" + Long.toHexString(sig)
                    + " (type units are not read)"));
        }
        return t < 0 ? null : new TypeRef(this, t);
    }

    List<Unit> rawUnits() {
        return allUnits;
    }

    private Aranges aranges() {
        if (aranges == null) {
            aranges = Aranges.read(this);
        }
        return aranges;
    }

    CompileUnit compileUnitOf(Unit u) {
        return compileUnit(u);
    }
}
