// The one adapter between probe sites and the values they record: entry parameters from FunctionVerdict.atEntry,
// inlined-site parameters from DWARF at the site's first address, the return value from AbiModel.returnLocation.
// Swap its bodies for the decode helper's SitePlans (entry, inline site, return) when they land.
package dev.rustprobe.probe;

import dev.rustprobe.abi.AbiModel;
import dev.rustprobe.abi.FunctionVerdict;
import dev.rustprobe.abi.LocationEvaluator;
import dev.rustprobe.abi.Shape;
import dev.rustprobe.abi.SiteValue;
import dev.rustprobe.abi.ValueLocation;
import dev.rustprobe.dwarf.InlinedCall;
import dev.rustprobe.dwarf.Subprogram;
import dev.rustprobe.dwarf.Variable;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

public final class SiteValues {
    /** The type name a return SiteValue carries for a function returning (): it decodes to "()" without a read. */
    public static final String UNIT = "()";

    private SiteValues() {}

    /** The parameters at the entry of an out-of-line copy, in declaration order. */
    public static List<SiteValue> entry(Subprogram s, boolean localSymbol, int aliases) {
        FunctionVerdict v = FunctionVerdict.atEntry(s, localSymbol, aliases);
        List<SiteValue> out = new ArrayList<>();
        Iterator<FunctionVerdict.ParamVerdict> verdicts = v.params().values().iterator();
        for (Variable p : s.parameters()) {
            if (!verdicts.hasNext()) {
                break;
            }
            FunctionVerdict.ParamVerdict pv = verdicts.next();
            out.add(new SiteValue(pv.name(), typeName(p), pv.location(), Shape.of(p.type()), pv.note()));
        }
        return out;
    }

    /** The value returned by s, as it is at a ret (or tail jump, or after a uretprobe). */
    public static SiteValue returned(Subprogram s) {
        if (s.returnTypeRef() == null) {
            return new SiteValue("return", UNIT, new ValueLocation.Constant(0, 0), new Shape.Unsupported(0, "()"), "");
        }
        return new SiteValue("return", s.returnTypeRef().name(), AbiModel.returnLocation(s), Shape.of(s.returnType()),
                "the ABI return registers");
    }

    /**
     * The inlined function's parameters at the first address of one inlined copy, from that copy's DWARF. names: the
     * parameters in declaration order as the function's signature gives them (an abstract origin may list a
     * parameter that was turned into a constant as a DW_TAG_variable instead); empty to use the origin's list.
     */
    public static List<SiteValue> inline(InlinedCall call, long pc, List<String> names) {
        List<Variable> declared = new ArrayList<>();
        if (names.isEmpty()) {
            declared.addAll(call.origin().parameters());
        } else {
            for (String n : names) {
                Variable d = find(call.origin().parameters(), n);
                declared.add(d != null ? d : find(call.origin().variables(), n));
            }
        }
        List<SiteValue> out = new ArrayList<>();
        for (int i = 0; i < declared.size(); i++) {
            Variable d = declared.get(i);
            String name = d != null && d.name() != null ? d.name() : i < names.size() ? names.get(i) : "arg" + i;
            Variable concrete = null;
            for (Variable c : call.parameters()) {
                boolean sameOrigin = d != null && c.originOffset() == d.offset();
                boolean sameName = name.equals(c.name()) || name.equals(originName(call, c));
                if (sameOrigin || (concrete == null && sameName)) {
                    concrete = c;
                    if (sameOrigin) {
                        break;
                    }
                }
            }
            ValueLocation loc = concrete == null
                    ? new ValueLocation.Unavailable(ValueLocation.Reason.OPTIMIZED_OUT, "no DWARF for it at this site")
                    : LocationEvaluator.evaluate(d == null ? concrete : withType(concrete, d), pc,
                    call.caller().frameBase(), false);
            Variable typed = d != null ? d : concrete;
            out.add(new SiteValue(name, typed == null ? "?" : typeName(typed), loc,
                    Shape.of(typed == null ? null : typed.type()), "DWARF at the inlined site"));
        }
        return out;
    }

    private static Variable find(List<Variable> vars, String name) {
        for (Variable v : vars) {
            if (name.equals(v.name())) {
                return v;
            }
        }
        return null;
    }

    /** The name of the abstract DIE a concrete variable refers to (concrete DIEs often carry no name). */
    private static String originName(InlinedCall call, Variable c) {
        for (Variable v : call.origin().parameters()) {
            if (v.offset() == c.originOffset()) {
                return v.name();
            }
        }
        for (Variable v : call.origin().variables()) {
            if (v.offset() == c.originOffset()) {
                return v.name();
            }
        }
        return null;
    }

    /** A concrete inlined parameter often has no type of its own (it is on the abstract origin). */
    private static Variable withType(Variable concrete, Variable declared) {
        if (concrete.typeRef() != null || declared.typeRef() == null) {
            return concrete;
        }
        return new Variable(concrete.name(), declared.typeRef(), concrete.isParameter(), concrete.location(),
                concrete.declFile(), concrete.declLine(), concrete.artificial(), concrete.offset(),
                concrete.originOffset());
    }

    private static String typeName(Variable v) {
        return v.typeRef() == null ? "?" : v.typeRef().name();
    }
}
