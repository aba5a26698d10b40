// The fast path over all units: walks DIEs reading only subprogram and inlined-subroutine attributes, skipping
// every other DIE's attributes by form size, and builds no tree. Used for the linkage-name index and `ls`.
package dev.rustprobe.dwarf;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

final class Skim {
    private static final int MAX_REF_CHAIN = 16;

    private Skim() {}

    /**
     * What the skim found: one summary per naming DIE, and for each summary the units holding its inline sites (so
     * that explain parses those units only). Subprogram DIEs are kept in arrays in section order, so an offset is
     * found by binary search: a 100 MB .debug_info has millions of DIEs, too many for maps of boxed offsets.
     */
    static final class Result {
        final List<FunctionSummary> summaries;
        /** Per summary, the offsets of the units with inline sites of it (ascending), or an empty array. */
        final long[][] siteUnits;
        /** Subprogram DIE offsets (ascending) and, for each, the index of its summary or -1 (a declaration). */
        private final long[] offsets;
        private final int[] summaryOf;

        private Result(List<FunctionSummary> summaries, long[][] siteUnits, long[] offsets, int[] summaryOf) {
            this.summaries = summaries;
            this.siteUnits = siteUnits;
            this.offsets = offsets;
            this.summaryOf = summaryOf;
        }

        private java.util.IdentityHashMap<FunctionSummary, Integer> index;

        /** The position of one of {@link #summaries} (by identity), or null. */
        synchronized Integer indexOf(FunctionSummary f) {
            if (index == null) {
                index = new java.util.IdentityHashMap<>(summaries.size() * 2);
                for (int s = 0; s < summaries.size(); s++) {
                    index.put(summaries.get(s), s);
                }
            }
            return index.get(f);
        }

        /** The summary that the subprogram DIE at an offset belongs to (an inlined call's origin), or -1. */
        int summaryOfOrigin(long origin) {
            int k = Arrays.binarySearch(offsets, origin);
            return k < 0 ? -1 : summaryOf[k];
        }
    }

    /** Growable columns of the subprogram DIEs seen. */
    private static final class Subprograms {
        long[] offset = new long[1024];
        long[] origin = new long[1024];
        long[] lowPc = new long[1024];
        boolean[] hasCode = new boolean[1024];
        boolean[] declaration = new boolean[1024];
        String[] linkage = new String[1024];
        String[] name = new String[1024];
        int n;

        void add(long off, long org, long low, boolean code, boolean decl, String link, String nm) {
            if (n == offset.length) {
                int m = n * 2;
                offset = Arrays.copyOf(offset, m);
                origin = Arrays.copyOf(origin, m);
                lowPc = Arrays.copyOf(lowPc, m);
                hasCode = Arrays.copyOf(hasCode, m);
                declaration = Arrays.copyOf(declaration, m);
                linkage = Arrays.copyOf(linkage, m);
                name = Arrays.copyOf(name, m);
            }
            offset[n] = off;
            origin[n] = org;
            lowPc[n] = low;
            hasCode[n] = code;
            declaration[n] = decl;
            linkage[n] = link;
            name[n] = nm;
            n++;
        }

        int indexOf(long off) {
            int k = Arrays.binarySearch(offset, 0, n, off);
            return k < 0 ? -1 : k;
        }
    }

    /** The abstract origins of the inlined subroutines seen, with the unit of each. */
    private static final class Sites {
        long[] origin = new long[1024];
        long[] unit = new long[1024];
        int n;

        void add(long org, long u) {
            if (n == origin.length) {
                origin = Arrays.copyOf(origin, n * 2);
                unit = Arrays.copyOf(unit, n * 2);
            }
            origin[n] = org;
            unit[n] = u;
            n++;
        }
    }

    static List<FunctionSummary> functions(Dwarf dwarf) {
        return scan(dwarf).summaries;
    }

    /** Below this much .debug_info a second thread costs more than it saves. */
    private static final long PARALLEL_BYTES = 256 << 10;

    /** The units' DIEs, walked in section order. */
    private record Walked(Subprograms sp, Sites sites) {}

    /**
     * Walks the units with up to {@code most} threads at once, one per core: each thread takes the largest unit
     * left (one unit of std can be half of .debug_info) through a Dwarf of its own (the reader caches are not
     * shared), and the units' columns are joined in section order, so the result is the one a single walk gives.
     * The failure thrown is the one a single walk meets first.
     */
    private static Walked walkAll(Dwarf dwarf, int most) {
        List<Unit> units = dwarf.rawUnits();
        int n = units.size();
        long bytes = n == 0 ? 0 : units.get(n - 1).end - units.get(0).offset;
        int threads = (int) Math.min(most, Math.min(n, Math.max(1, bytes / PARALLEL_BYTES)));
        if (threads < 2) {
            Subprograms sp = new Subprograms();
            Sites sites = new Sites();
            for (Unit u : units) {
                if (!u.isTypeUnit()) {
                    walk(u, sp, sites);
                }
            }
            return new Walked(sp, sites);
        }
        Integer[] bySize = new Integer[n];
        for (int i = 0; i < n; i++) {
            bySize[i] = i;
        }
        Arrays.sort(bySize, (a, b) -> Long.compare(units.get(b).end - units.get(b).offset,
                units.get(a).end - units.get(a).offset));
        java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
        // per unit: the walker that read it and where its rows start and end in that walker's columns
        Walker[] owner = new Walker[n];
        int[][] rows = new int[n][];
        RuntimeException[] failed = new RuntimeException[n];
        List<java.util.concurrent.FutureTask<Walker>> helpers = new ArrayList<>();
        for (int t = 1; t < threads; t++) {
            java.util.concurrent.FutureTask<Walker> task = new java.util.concurrent.FutureTask<>(
                    () -> new Walker(dwarf.sibling().rawUnits()).run(bySize, next, owner, rows, failed));
            Thread thread = new Thread(task, "rp-skim");
            thread.setDaemon(true);
            thread.start();
            helpers.add(task);
        }
        new Walker(units).run(bySize, next, owner, rows, failed);
        boolean interrupted = false;
        for (java.util.concurrent.FutureTask<Walker> task : helpers) {
            while (true) {
                try {
                    task.get();
                } catch (InterruptedException e) {
                    interrupted = true;
                    continue;
                } catch (java.util.concurrent.ExecutionException e) {
                    // a failure outside any unit's walk (the sibling's own start), or an Error such as running out
                    // of memory, which a single walk would have met too
                    if (e.getCause() instanceof Error err) {
                        throw err;
                    }
                    throw e.getCause() instanceof RuntimeException r ? r
                            : new DwarfException(".debug_info: " + e.getCause());
                }
                break;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        Subprograms sp = new Subprograms();
        Sites sites = new Sites();
        for (int i = 0; i < n; i++) {
            if (failed[i] != null) {
                throw failed[i];
            }
            if (owner[i] == null) {
                continue; // a type unit
            }
            Subprograms from = owner[i].sp;
            for (int k = rows[i][0]; k < rows[i][1]; k++) {
                sp.add(from.offset[k], from.origin[k], from.lowPc[k], from.hasCode[k], from.declaration[k],
                        from.linkage[k], from.name[k]);
            }
            Sites s = owner[i].sites;
            for (int j = rows[i][2]; j < rows[i][3]; j++) {
                sites.add(s.origin[j], s.unit[j]);
            }
        }
        return new Walked(sp, sites);
    }

    /** One thread's share of the walk: units taken from a common counter, rows kept in its own columns. */
    private static final class Walker {
        final List<Unit> units;
        final Subprograms sp = new Subprograms();
        final Sites sites = new Sites();

        Walker(List<Unit> units) {
            this.units = units;
        }

        Walker run(Integer[] order, java.util.concurrent.atomic.AtomicInteger next, Walker[] owner, int[][] rows,
                   RuntimeException[] failed) {
            for (int k = next.getAndIncrement(); k < order.length; k = next.getAndIncrement()) {
                int i = order[k];
                Unit u = units.get(i);
                if (u.isTypeUnit()) {
                    continue;
                }
                int spFrom = sp.n;
                int siteFrom = sites.n;
                try {
                    walk(u, sp, sites);
                } catch (RuntimeException e) {
                    failed[i] = e;
                }
                rows[i] = new int[]{spFrom, sp.n, siteFrom, sites.n};
                owner[i] = this;
            }
            return this;
        }
    }

    static Result scan(Dwarf dwarf) {
        return scan(dwarf, Math.min(Runtime.getRuntime().availableProcessors(), 4));
    }

    /** The same, walked in at most this many parts at once (tests compare the parts' join with one walk). */
    static Result scan(Dwarf dwarf, int parts) {
        Walked walked = walkAll(dwarf, parts);
        Subprograms sp = walked.sp;
        Sites sites = walked.sites;
        int n = sp.n;
        // Units are read one after another and DIEs in order, so the offsets ascend: binary search works on them.
        // group every subprogram DIE under the DIE that carries its names (following origin/specification)
        int[] def = new int[n];
        for (int k = 0; k < n; k++) {
            def[k] = sp.declaration[k] ? k : definition(sp, k);
        }
        int[] inlineCount = new int[n];
        for (int j = 0; j < sites.n; j++) {
            int k = sp.indexOf(sites.origin[j]);
            if (k >= 0 && !sp.declaration[k]) {
                inlineCount[k]++;
            }
        }
        int[] codeOf = new int[n];
        Arrays.fill(codeOf, -1);
        int[] siteSum = new int[n];
        int[] firstMember = new int[n];
        Arrays.fill(firstMember, -1);
        int[] defsInOrder = new int[n];
        int defs = 0;
        for (int k = 0; k < n; k++) {
            if (sp.declaration[k]) {
                continue;
            }
            int d = def[k];
            if (sp.hasCode[k] && codeOf[d] < 0) {
                codeOf[d] = k;
            }
            siteSum[d] += inlineCount[k];
            if (firstMember[d] < 0) {
                firstMember[d] = k;
                defsInOrder[defs++] = d;
            }
        }
        // one summary per naming DIE; a method's naming DIE is its declaration inside the type, so the summary
        // points at the first definition that refers to it instead
        List<FunctionSummary> out = new ArrayList<>(defs);
        int[] summaryOfDef = new int[n];
        Arrays.fill(summaryOfDef, -1);
        for (int s = 0; s < defs; s++) {
            int d = defsInOrder[s];
            int c = codeOf[d];
            long shown = sp.declaration[d] ? sp.offset[firstMember[d]] : sp.offset[d];
            out.add(new FunctionSummary(sp.linkage[d], sp.name[d], shown, c < 0 ? -1 : sp.offset[c],
                    c < 0 ? -1 : sp.lowPc[c], siteSum[d]));
            summaryOfDef[d] = s;
        }
        int[] summaryOf = new int[n];
        for (int k = 0; k < n; k++) {
            summaryOf[k] = sp.declaration[k] ? -1 : summaryOfDef[def[k]];
        }
        return new Result(out, siteUnits(sp, sites, summaryOf, defs), Arrays.copyOf(sp.offset, n), summaryOf);
    }

    /** Per summary, the distinct units (ascending) of the inline sites counted for it. */
    private static long[][] siteUnits(Subprograms sp, Sites sites, int[] summaryOf, int summaries) {
        int[] count = new int[summaries];
        int[] summaryOfSite = new int[sites.n];
        for (int j = 0; j < sites.n; j++) {
            int k = sp.indexOf(sites.origin[j]);
            summaryOfSite[j] = k < 0 ? -1 : summaryOf[k];
            if (summaryOfSite[j] >= 0) {
                count[summaryOfSite[j]]++;
            }
        }
        long[][] out = new long[summaries][];
        int[] fill = new int[summaries];
        for (int s = 0; s < summaries; s++) {
            out[s] = new long[count[s]];
        }
        for (int j = 0; j < sites.n; j++) {
            int s = summaryOfSite[j];
            if (s >= 0) {
                long[] units = out[s];
                // sites come unit by unit, so a repeat of the unit just added is the common case
                if (fill[s] == 0 || units[fill[s] - 1] != sites.unit[j]) {
                    units[fill[s]++] = sites.unit[j];
                }
            }
        }
        for (int s = 0; s < summaries; s++) {
            out[s] = Arrays.copyOf(out[s], fill[s]);
        }
        return out;
    }

    /**
     * Every "<T as Trait>::{vtable}" variable: its DIE's attributes are read only for variables, and the type
     * DIE's DW_AT_containing_type alone (no unit tree is built).
     */
    static List<Dwarf.Vtable> vtables(Dwarf dwarf) {
        List<Dwarf.Vtable> out = new ArrayList<>();
        for (Unit u : dwarf.rawUnits()) {
            if (u.isTypeUnit()) {
                continue;
            }
            eachDie(u, (r, a, at) -> {
                u.skipAttrs(r, a);
                if (a.tag == Dw.TAG_variable) {
                    Dwarf.Vtable v = vtable(dwarf, u, single(u, a, at));
                    if (v != null) {
                        out.add(v);
                    }
                }
            });
        }
        return out;
    }

    private static Dwarf.Vtable vtable(Dwarf dwarf, Unit u, Die d) {
        String name = d.name();
        if (name == null || !name.endsWith("::{vtable}")) {
            return null;
        }
        LocationDescription loc = Lists.location(d, Dw.AT_location);
        List<DwarfOp> ops = loc instanceof LocationDescription.Expression e ? e.ops() : List.of();
        long type = d.ref(Dw.AT_type);
        if (ops.size() != 1 || type < 0 || dwarf.unitContaining(type) != u) {
            return null;
        }
        DwarfOp op = ops.get(0);
        long address = op.opcode() == DwarfOp.ADDR ? op.operand1() : op.opcode() == DwarfOp.ADDRX ? op.operand2() : -1;
        ByteReader r = u.reader();
        r.seek((int) type);
        int code = r.ulebInt("abbreviation code");
        if (address <= 0 || code == 0) {
            return null;
        }
        Die t = single(u, u.abbrev(r, code, (int) type), type);
        return t.ref(Dw.AT_containing_type) < 0 ? null
                : new Dwarf.Vtable(name, address, dwarf.ref(t, Dw.AT_containing_type));
    }

    private static int definition(Subprograms sp, int k) {
        int cur = k;
        for (int i = 0; i < MAX_REF_CHAIN; i++) {
            long origin = sp.origin[cur];
            if (origin < 0 || sp.linkage[cur] != null || origin == sp.offset[cur]) {
                return cur;
            }
            int next = sp.indexOf(origin);
            if (next < 0) {
                return cur;
            }
            cur = next;
        }
        return cur;
    }

    /** Reads or skips one DIE's attributes; the reader stands just after its abbreviation code. */
    private interface Visitor {
        void visit(ByteReader r, Abbrev a, int at);
    }

    /** Every DIE of a unit in order, without building its tree. */
    private static void eachDie(Unit u, Visitor visitor) {
        ByteReader r = u.reader();
        int depth = 0;
        boolean seenRoot = false;
        while (r.hasMore()) {
            int at = r.pos();
            int code = r.ulebInt("abbreviation code");
            if (code == 0) {
                if (depth > 0) {
                    depth--;
                }
                continue;
            }
            if (depth == 0 && seenRoot) {
                break;
            }
            seenRoot = true;
            Abbrev a = u.abbrev(r, code, at);
            visitor.visit(r, a, at);
            if (a.hasChildren) {
                depth++;
            }
        }
    }

    /** A Die over one entry, for reading its attributes without the unit's tree. */
    private static Die single(Unit u, Abbrev a, long at) {
        return new Die(u, new Unit.Tree(new long[]{at}, new Abbrev[]{a}, new int[]{-1}, new int[]{1}, 1), 0);
    }

    private static void walk(Unit u, Subprograms sp, Sites sites) {
        eachDie(u, (r, a, at) -> {
            if (a.tag == Dw.TAG_subprogram) {
                Die d = single(u, a, at);
                r.seek(at);
                r.uleb();
                u.skipAttrs(r, a);
                String linkage = d.string(Dw.AT_linkage_name);
                if (linkage == null) {
                    linkage = d.string(Dw.AT_MIPS_linkage_name);
                }
                if (!d.flag(Dw.AT_declaration)) {
                    long origin = d.ref(Dw.AT_abstract_origin);
                    if (origin < 0) {
                        origin = d.ref(Dw.AT_specification);
                    }
                    long low = d.address(Dw.AT_low_pc);
                    boolean hasCode = low > 0 || (low < 0 && d.has(Dw.AT_ranges) && !d.ranges().isEmpty()
                            && d.ranges().get(0).begin() != 0);
                    sp.add(at, origin, low, hasCode, false, linkage, d.name());
                } else {
                    // a declaration inside a type: its definition elsewhere refers to it by DW_AT_specification
                    sp.add(at, -1, -1, false, true, linkage, d.name());
                }
            } else if (a.tag == Dw.TAG_inlined_subroutine) {
                long origin = -1;
                for (int i = 0; i < a.forms.length; i++) {
                    if (a.names[i] == Dw.AT_abstract_origin && origin < 0) {
                        origin = reference(u, r, a.forms[i]);
                    } else {
                        u.skip(r, a.forms[i], 0);
                    }
                }
                if (origin >= 0) {
                    sites.add(origin, u.offset);
                }
            } else {
                u.skipAttrs(r, a);
            }
        });
    }

    /** Reads one reference attribute as a .debug_info offset, or -1 for forms that name no DIE here (skipped). */
    private static long reference(Unit u, ByteReader r, int form) {
        long v;
        switch (form) {
            case Dw.FORM_ref1 -> v = r.u8() + u.offset;
            case Dw.FORM_ref2 -> v = r.u16() + u.offset;
            case Dw.FORM_ref4 -> v = r.u32() + u.offset;
            case Dw.FORM_ref8 -> v = r.u64() + u.offset;
            case Dw.FORM_ref_udata -> v = r.uleb() + u.offset;
            case Dw.FORM_ref_addr -> v = u.version <= 2 ? r.unsigned(u.addressSize) : r.offset(u.dwarf64);
            case Dw.FORM_indirect -> {
                int at = r.pos();
                int actual = r.ulebInt("indirect form");
                if (actual == Dw.FORM_indirect || actual == Dw.FORM_implicit_const) {
                    throw r.fail(at, "bad DW_FORM_indirect chain");
                }
                v = reference(u, r, actual);
            }
            default -> {
                u.skip(r, form, 0);
                v = -1;
            }
        }
        return v;
    }
}
