// A DW_TAG_inlined_subroutine: one place where the compiler copied a function's body into another function.
package dev.rustprobe.dwarf;

import java.util.List;

/**
 * @param origin      the abstract subprogram that was inlined (its names, declared parameters and types)
 * @param caller      the concrete out-of-line function whose code holds this site (outermost, through nesting)
 * @param ranges      the code of the inlined copy (may be several ranges: loop versioning, hot/cold splits)
 * @param callFile    the source file of the call, null if unknown
 * @param depth       1 when inlined directly into the caller, 2 when inlined into an inlined call, ...
 * @param parameters  the concrete formal_parameter AND variable children, with locations or constant values
 * @param parentOffset the .debug_info offset of the enclosing inlined_subroutine, or -1 at depth 1
 * @param offset      .debug_info offset of this DIE
 */
public record InlinedCall(Subprogram origin, Subprogram caller, List<PcRange> ranges, String callFile, int callLine,
                          int callColumn, int depth, List<Variable> parameters, long parentOffset, long offset) {
    public InlinedCall {
        ranges = List.copyOf(ranges);
        parameters = List.copyOf(parameters);
    }

    /** The first address of the inlined code, or -1 if it has none. */
    public long lowPc() {
        return ranges.isEmpty() ? -1 : ranges.get(0).begin();
    }
}
