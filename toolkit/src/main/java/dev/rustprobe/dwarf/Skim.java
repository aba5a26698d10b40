// The fast path over all units: walks DIEs reading only subprogram and inlined-subroutine attributes, skipping
// every other DIE's attributes by form size, and builds no tree. Used for the linkage-name index and `ls`.
package dev.rustprobe.dwarf;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

final class Skim {
    private static final int MAX_REF_CHAIN = 16;

    private Skim() {}

    /** One subprogram DIE as the skim saw it. */
    private record Entry(String linkageName, String name, long lowPc, boolean hasCode, long originOffset) {}

    static List<FunctionSummary> functions(Dwarf dwarf) {
        Map<Long, Entry> subprograms = new HashMap<>();
        Map<Long, Integer> inlineCounts = new HashMap<>();
        List<Long> order = new ArrayList<>();
        for (Unit u : dwarf.rawUnits()) {
            if (u.isTypeUnit()) {
                continue;
            }
            walk(u, subprograms, inlineCounts, order);
        }
        // group every subprogram DIE under the DIE that carries its names (following origin/specification)
        Map<Long, long[]> code = new HashMap<>(); // definition -> {codeOffset, lowPc}
        Map<Long, Integer> sites = new HashMap<>();
        for (long off : order) {
            Entry e = subprograms.get(off);
            long def = definition(subprograms, off);
            if (e.hasCode() && !code.containsKey(def)) {
                code.put(def, new long[]{off, e.lowPc()});
            }
            Integer n = inlineCounts.get(off);
            if (n != null) {
                sites.merge(def, n, Integer::sum);
            }
        }
        // one summary per naming DIE; a method's naming DIE is its declaration inside the type, so the summary
        // points at the first definition that refers to it instead
        java.util.Set<Long> defined = new java.util.HashSet<>(order);
        Map<Long, Long> firstMember = new java.util.LinkedHashMap<>();
        for (long off : order) {
            firstMember.putIfAbsent(definition(subprograms, off), off);
        }
        List<FunctionSummary> out = new ArrayList<>();
        for (Map.Entry<Long, Long> g : firstMember.entrySet()) {
            long def = g.getKey();
            Entry e = subprograms.get(def);
            long[] c = code.get(def);
            long shown = defined.contains(def) ? def : g.getValue();
            out.add(new FunctionSummary(e.linkageName(), e.name(), shown, c == null ? -1 : c[0], c == null ? -1 : c[1],
                    sites.getOrDefault(def, 0)));
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

    private static Die single(Unit u, Abbrev a, long at) {
        return new Die(u, new Unit.Tree(new long[]{at}, new Abbrev[]{a}, new int[]{-1}, new int[]{1}, 1), 0);
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

    private static long definition(Map<Long, Entry> subprograms, long off) {
        long cur = off;
        for (int i = 0; i < MAX_REF_CHAIN; i++) {
            Entry e = subprograms.get(cur);
            if (e == null || e.originOffset() < 0 || e.linkageName() != null
                    || !subprograms.containsKey(e.originOffset()) || e.originOffset() == cur) {
                return cur;
            }
            cur = e.originOffset();
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

    private static void walk(Unit u, Map<Long, Entry> subprograms, Map<Long, Integer> inlineCounts, List<Long> order) {
        eachDie(u, (r, a, at) -> {
            if (a.tag == Dw.TAG_subprogram) {
                Die d = single(u, a, at);
                r.seek(at);
                r.uleb();
                u.skipAttrs(r, a);
                if (!d.flag(Dw.AT_declaration)) {
                    long origin = d.ref(Dw.AT_abstract_origin);
                    if (origin < 0) {
                        origin = d.ref(Dw.AT_specification);
                    }
                    String linkage = d.string(Dw.AT_linkage_name);
                    if (linkage == null) {
                        linkage = d.string(Dw.AT_MIPS_linkage_name);
                    }
                    long low = d.address(Dw.AT_low_pc);
                    boolean hasCode = low > 0 || (low < 0 && d.has(Dw.AT_ranges) && !d.ranges().isEmpty()
                            && d.ranges().get(0).begin() != 0);
                    subprograms.put((long) at, new Entry(linkage, d.name(), low, hasCode, origin));
                    order.add((long) at);
                } else {
                    // a declaration inside a type: its definition elsewhere refers to it by DW_AT_specification
                    String linkage = d.string(Dw.AT_linkage_name);
                    subprograms.put((long) at, new Entry(linkage, d.name(), -1, false, -1));
                }
            } else if (a.tag == Dw.TAG_inlined_subroutine) {
                Die d = single(u, a, at);
                long origin = d.ref(Dw.AT_abstract_origin);
                r.seek(at);
                r.uleb();
                u.skipAttrs(r, a);
                if (origin >= 0) {
                    inlineCounts.merge(origin, 1, Integer::sum);
                }
            } else {
                u.skipAttrs(r, a);
            }
        });
    }
}
