// One place where the compiler inlined a function's body into a caller (a DW_TAG_inlined_subroutine).
package dev.rustprobe.index;

import java.util.List;

/**
 * @param function       the inlined function's path (as the index names it)
 * @param caller         the path of the out-of-line function whose code holds this copy (the outermost concrete
 *                       subprogram): the one to probe
 * @param ranges         the code of the copy; empty when the call was folded away and left no code to probe
 * @param inlinedCallers for a call written in a function that was itself inlined, the paths of those inlined
 *                       functions, innermost (the direct caller) first; empty when the call sits in {@code caller}
 */
public record InlineSite(String function, String caller, String callFile, int callLine, int callColumn,
                         List<AddressRange> ranges, List<String> inlinedCallers) {
    public InlineSite {
        ranges = List.copyOf(ranges);
        inlinedCallers = List.copyOf(inlinedCallers);
    }

    /** The function whose source holds the call: the innermost inlined caller, or the out-of-line caller. */
    public String directCaller() {
        return inlinedCallers.isEmpty() ? caller : inlinedCallers.get(0);
    }

    /** 1 when inlined straight into {@code caller}, 2 when into a function inlined there, ... */
    public int depth() {
        return inlinedCallers.size() + 1;
    }

    public boolean probeable() {
        return !ranges.isEmpty() && ranges.stream().anyMatch(r -> r.length() > 0);
    }

    public long entry() {
        return ranges.isEmpty() ? 0 : ranges.get(0).low();
    }
}
