// One place where the compiler inlined a function's body into a caller (a DW_TAG_inlined_subroutine).
package dev.rustprobe.index;

import java.util.List;

/**
 * @param function the inlined function's path (as the index names it)
 * @param caller   the path of the function whose code holds this copy (the outermost concrete subprogram)
 * @param ranges   the code of the copy; empty when the call was folded away and left no code to probe
 */
public record InlineSite(String function, String caller, String callFile, int callLine, int callColumn,
                         List<AddressRange> ranges) {
    public InlineSite {
        ranges = List.copyOf(ranges);
    }

    public boolean probeable() {
        return !ranges.isEmpty() && ranges.stream().anyMatch(r -> r.length() > 0);
    }

    public long entry() {
        return ranges.isEmpty() ? 0 : ranges.get(0).low();
    }
}
