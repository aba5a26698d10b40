// How far to trust each parameter's location at a function's entry: the ABI model, DWARF at the exact PC, or
// neither, with the reason as a plain sentence.
package dev.rustprobe.abi;

import dev.rustprobe.dwarf.DwarfOp;
import dev.rustprobe.dwarf.Subprogram;
import dev.rustprobe.dwarf.Variable;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

public record FunctionVerdict(String function, Trust trust, String sentence, Map<String, ParamVerdict> params,
                              ValueLocation returnLocation) {

    public enum Trust { ABI_APPLIES, DWARF_DISAGREES, DWARF_ONLY, DEBUG_BUILD_ABI_AT_ENTRY }

    /** One parameter: the answer to use, and both sources it was chosen from. */
    public record ParamVerdict(String name, ValueLocation location, ValueLocation abi, ValueLocation dwarf,
                               String note) {}

    /**
     * The verdict at the entry of s. localSymbol: the ELF symbol is local (the optimizer may have rewritten the
     * signature); aliases: how many symbol names share the address (a probe fires for all of them).
     */
    public static FunctionVerdict atEntry(Subprogram s, boolean localSymbol, int aliases) {
        Map<String, ValueLocation> abi = AbiModel.entryLocations(s);
        boolean debug = looksUnoptimized(s);
        long pc = s.lowPc();
        Map<String, ParamVerdict> out = new LinkedHashMap<>();
        boolean disagree = false;
        List<Variable> ps = s.parameters();
        int i = 0;
        for (Map.Entry<String, ValueLocation> e : abi.entrySet()) {
            Variable v = ps.get(i++);
            ValueLocation d = LocationEvaluator.evaluate(v, pc, s.frameBase(), true);
            ValueLocation a = e.getValue();
            ValueLocation chosen;
            String note;
            if (debug) {
                chosen = a;
                note = "debug build: DWARF is valid only after prologue_end, so at entry the ABI model applies";
            } else if (stackHome(v, s.frameBase()) && ValueLocation.readable(a)
                    && !ValueLocation.render(a).equals(ValueLocation.render(d)) && !sameStackRange(d, a)) {
                // one expression for the whole function naming a stack slot: the home the prologue stores the
                // argument into, relative to the rsp after the prologue; at entry it holds garbage
                chosen = a;
                note = "DWARF gives the stack home the prologue fills (" + ValueLocation.render(d)
                        + " after prologue_end); at entry the ABI model applies";
            } else if (localSymbol) {
                chosen = d instanceof ValueLocation.Unavailable u && u.reason() == ValueLocation.Reason.OPTIMIZED_OUT
                        ? new ValueLocation.Unavailable(ValueLocation.Reason.FOLDED,
                        "local symbol and no DWARF location: the optimizer may have dropped or promoted it")
                        : d;
                note = "local symbol: only DWARF at the PC counts";
            } else if (ValueLocation.render(a).equals(ValueLocation.render(d)) || sameStackRange(d, a)) {
                chosen = a;
                note = "ABI model and DWARF agree";
            } else if (!ValueLocation.readable(d) && !(d instanceof ValueLocation.Unavailable u2
                    && u2.reason() == ValueLocation.Reason.FLOAT_REGISTER)) {
                chosen = a;
                note = "DWARF is incomplete at entry (" + ValueLocation.render(d) + "); using the ABI model";
            } else {
                chosen = d;
                disagree = true;
                note = "DWARF says " + ValueLocation.render(d) + ", the ABI model " + ValueLocation.render(a)
                        + "; preferring DWARF at the exact PC";
            }
            out.put(e.getKey(), new ParamVerdict(e.getKey(), chosen, a, d, note));
        }
        Trust trust = debug ? Trust.DEBUG_BUILD_ABI_AT_ENTRY : localSymbol ? Trust.DWARF_ONLY
                : disagree ? Trust.DWARF_DISAGREES : Trust.ABI_APPLIES;
        String sentence = switch (trust) {
            case ABI_APPLIES -> "exported symbol and DWARF agrees at entry: the ABI model applies";
            case DWARF_DISAGREES -> "DWARF and the ABI model disagree at entry; DWARF at the exact PC is used";
            case DWARF_ONLY -> "local symbol: the optimizer may have rewritten the signature (dropped or promoted"
                    + " arguments), so only DWARF at the PC counts";
            case DEBUG_BUILD_ABI_AT_ENTRY -> "debug build: at entry the ABI model applies; DWARF only after"
                    + " prologue_end";
        };
        if (aliases > 1) {
            sentence += "; alias group of " + aliases + " names: a probe here fires for every alias";
        }
        return new FunctionVerdict(s.qualifiedName(), trust, sentence, out, AbiModel.returnLocation(s));
    }

    /**
     * Unoptimized code: no parameter has a location list, and some live in a stack home (DW_OP_fbreg), which rustc
     * fills in the prologue. Optimized code describes its parameters with location lists.
     */
    static boolean looksUnoptimized(Subprogram s) {
        boolean fbreg = false;
        for (Variable v : s.parameters()) {
            if (v.location() instanceof dev.rustprobe.dwarf.LocationDescription.LocationList) {
                return false;
            }
            if (v.location() != null) {
                var ops = v.location().at(s.lowPc());
                fbreg |= ops.isPresent() && ops.get().size() == 1 && ops.get().get(0).opcode() == DwarfOp.FBREG;
            }
        }
        return fbreg;
    }

    /** A single DWARF expression (not a list) addressing the stack through the frame base or rsp. */
    static boolean stackHome(Variable v, dev.rustprobe.dwarf.LocationDescription frameBase) {
        if (!(v.location() instanceof dev.rustprobe.dwarf.LocationDescription.Expression e)) {
            return false;
        }
        boolean rspFrame = frameBase instanceof dev.rustprobe.dwarf.LocationDescription.Expression fb
                && !fb.ops().isEmpty() && (fb.ops().get(0).opcode() == DwarfOp.REG0 + RSP
                || fb.ops().get(0).opcode() == DwarfOp.BREG0 + RSP);
        for (DwarfOp op : e.ops()) {
            if ((op.opcode() == DwarfOp.FBREG && rspFrame) || op.opcode() == DwarfOp.BREG0 + RSP) {
                return true;
            }
        }
        return false;
    }

    /** rsp's DWARF register number on x86_64. */
    private static final int RSP = 7;

    /** The same bytes described two ways: DWARF's one 16-byte stack piece and the ABI's two stack slots. */
    static boolean sameStackRange(ValueLocation dwarf, ValueLocation abi) {
        if (dwarf instanceof ValueLocation.Memory m && m.base() instanceof ValueLocation.Register r
                && r.register().equals("rsp") && abi instanceof ValueLocation.Pieces p && !p.pieces().isEmpty()) {
            long next = m.offset();
            for (ValueLocation.Piece x : p.pieces()) {
                if (!(x.location() instanceof ValueLocation.StackSlot st) || st.offset() != next) {
                    return false;
                }
                next += 8;
            }
            return true;
        }
        return false;
    }
}
