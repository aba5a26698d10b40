// A DW_TAG_subprogram: an out-of-line function with code, or the abstract description of one that was inlined.
package dev.rustprobe.dwarf;

import java.util.List;

/**
 * @param name            DW_AT_name ("place", "p_impl_trait<sample_rust::Sq>"), from the specification or
 *                        abstract origin if the DIE has none
 * @param qualifiedName   the namespace path and name joined with "::" ("sample_rust::orders::place")
 * @param linkageName     the mangled symbol name (DW_AT_linkage_name), null if none (e.g. main's shim)
 * @param ranges          the code of the function; empty for an abstract or discarded one
 * @param isAbstractInline DW_AT_inline says this DIE is the abstract instance of an inlined function
 * @param returnType      null for () (no DW_AT_type)
 * @param frameBase       DW_AT_frame_base, null if absent
 * @param declFile        the source file path, null if unknown
 * @param offset          .debug_info offset of this DIE
 * @param originOffset    for a concrete out-of-line instance of an inlined function, its abstract DIE; else -1
 * @param unitOffset      .debug_info offset of the unit that holds this DIE
 */
public record Subprogram(String name, String qualifiedName, String linkageName, List<PcRange> ranges,
                         boolean isAbstractInline, boolean external, List<Variable> parameters,
                         List<Variable> variables, TypeRef returnTypeRef, LocationDescription frameBase,
                         String declFile, int declLine, List<Type.TemplateParameter> templateParameters,
                         long offset, long originOffset, long unitOffset) {
    public Subprogram {
        ranges = List.copyOf(ranges);
        parameters = List.copyOf(parameters);
        variables = List.copyOf(variables);
        templateParameters = List.copyOf(templateParameters);
    }

    public Type returnType() {
        return returnTypeRef == null ? null : returnTypeRef.get();
    }

    /** The entry address: the start of the first range (DWARF's low_pc), or -1 for a function without code. */
    public long lowPc() {
        return ranges.isEmpty() ? -1 : ranges.get(0).begin();
    }

    public boolean hasCode() {
        return !ranges.isEmpty();
    }

    public boolean contains(long pc) {
        for (PcRange r : ranges) {
            if (r.contains(pc)) {
                return true;
            }
        }
        return false;
    }
}
