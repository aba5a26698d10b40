// The values a probe records at each kind of site, each with where it lives there and how to decode it: a
// function's entry (the entry verdict), an inlined call site (DWARF at the site's first address), a return.
package dev.rustprobe.abi;

import dev.rustprobe.dwarf.InlinedCall;
import dev.rustprobe.dwarf.Subprogram;
import dev.rustprobe.dwarf.Type;
import dev.rustprobe.dwarf.TypeRef;
import dev.rustprobe.dwarf.Variable;

import java.util.ArrayList;
import java.util.List;

public final class SitePlans {
    private SitePlans() {}

    /** Every parameter at the function's first instruction, located as its entry verdict says. */
    public static List<SiteValue> entry(Subprogram s, boolean localSymbol, int aliases) {
        return entry(s, localSymbol, aliases, Shape.Vtables.NONE);
    }

    public static List<SiteValue> entry(Subprogram s, boolean localSymbol, int aliases, Shape.Vtables vtables) {
        return entry(FunctionVerdict.atEntry(s, localSymbol, aliases), s, vtables);
    }

    /** The same from a verdict already computed for s (explain prints both). */
    public static List<SiteValue> entry(FunctionVerdict verdict, Subprogram s, Shape.Vtables vtables) {
        List<SiteValue> out = new ArrayList<>();
        int i = 0;
        for (FunctionVerdict.ParamVerdict p : verdict.params().values()) {
            Variable v = s.parameters().get(i++);
            out.add(new SiteValue(p.name(), typeName(v.typeRef()), p.location(), Shape.of(v.type(), vtables),
                    p.note()));
        }
        return out;
    }

    /**
     * The inlined function's parameters at the site's first address, from the site's own DWARF children (a formal
     * parameter, or a variable that stands for it, e.g. with DW_AT_const_value); unavailable where it has none.
     */
    public static List<SiteValue> inlined(InlinedCall site) {
        return inlined(site, Shape.Vtables.NONE);
    }

    public static List<SiteValue> inlined(InlinedCall site, Shape.Vtables vtables) {
        return inlined(site, site.lowPc(), vtables);
    }

    /**
     * At another address of the site (the start of a later code range: loop versioning and hot/cold splits give
     * an inlined copy several), where DWARF's location lists may say something else.
     */
    public static List<SiteValue> inlined(InlinedCall site, long pc, Shape.Vtables vtables) {
        List<SiteValue> out = new ArrayList<>();
        int i = 0;
        for (Variable declared : declaredParameters(site.origin())) {
            String name = declared.name() != null ? declared.name() : "arg" + i;
            i++;
            Variable here = concrete(site, declared);
            Type type = here != null && here.type() != null ? here.type() : declared.type();
            TypeRef typeRef = here != null && here.typeRef() != null ? here.typeRef() : declared.typeRef();
            ValueLocation loc;
            String note;
            if (here == null) {
                loc = new ValueLocation.Unavailable(ValueLocation.Reason.OPTIMIZED_OUT,
                        "the inlined copy has no DWARF entry for it");
                note = "DWARF describes no value for it at this site";
            } else if (pc < 0) {
                loc = here.constValue() != null ? LocationEvaluator.evaluate(here, pc, null, false)
                        : new ValueLocation.Unavailable(ValueLocation.Reason.FOLDED, "the inlined copy has no code");
                note = "the site left no code to probe";
            } else {
                loc = LocationEvaluator.evaluate(here, pc, site.caller() == null ? null : site.caller().frameBase(),
                        false);
                note = pc == site.lowPc() ? "DWARF at the inlined site's first address"
                        : String.format("DWARF at 0x%x in the inlined site", pc);
            }
            out.add(new SiteValue(name, typeName(typeRef), loc, Shape.of(type, vtables), note));
        }
        return out;
    }

    /**
     * The parameters of an inlined function as its abstract DIE declares them. rustc turns a parameter that every
     * inlined copy in a codegen unit received as a constant into a DW_TAG_variable of that abstract DIE (declared
     * on the signature's line), so those count too, in DIE order (declaration order).
     */
    static List<Variable> declaredParameters(Subprogram origin) {
        List<Variable> out = new ArrayList<>(origin.parameters());
        java.util.Set<String> names = new java.util.HashSet<>();
        for (Variable p : out) {
            names.add(p.name());
        }
        for (Variable v : origin.variables()) {
            if (!v.isParameter() && v.name() != null && v.declLine() > 0 && v.declLine() == origin.declLine()
                    && names.add(v.name())) {
                out.add(v);
            }
        }
        out.sort(java.util.Comparator.comparingLong(Variable::offset));
        return out;
    }

    /** The site's DIE for a declared parameter: the one whose origin it is, else one of the same name. */
    private static Variable concrete(InlinedCall site, Variable declared) {
        Variable byName = null;
        for (Variable v : site.parameters()) {
            if (v.originOffset() == declared.offset()) {
                return v;
            }
            if (declared.name() != null && declared.name().equals(v.name())
                    && (byName == null || byName.location() == null && v.location() != null)) {
                byName = v;
            }
        }
        return byName;
    }

    /**
     * The return value at a return (a ret instruction or the return address; not at a tail jump, where the jumped-to
     * function has yet to compute it): rax, rax:rdx, memory at rax for
     * sret (the callee hands the hidden pointer back in rax), unavailable for floats in xmm; nothing for ().
     */
    public static List<SiteValue> ret(Subprogram s) {
        return ret(s, Shape.Vtables.NONE);
    }

    public static List<SiteValue> ret(Subprogram s, Shape.Vtables vtables) {
        if (s.returnTypeRef() == null) {
            return List.of();
        }
        ValueLocation loc = AbiModel.returnLocation(s);
        String note = AbiModel.returnsViaSret(s) ? "returned through a hidden pointer (sret), which rax holds at ret"
                : "the ABI model's return registers";
        return List.of(new SiteValue("return", typeName(s.returnTypeRef()), loc, Shape.of(s.returnType(), vtables),
                note));
    }

    private static String typeName(TypeRef t) {
        return t == null ? "()" : t.name() == null ? "?" : t.name();
    }
}
