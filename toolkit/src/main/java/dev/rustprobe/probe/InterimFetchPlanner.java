// TEMPORARY, until the decode helper's planner lands: the reads a site needs for the locations that name memory
// directly (a stack slot, or bytes at register + offset), so the BPF side records them. It follows no pointers
// inside values (no &str contents); the real planner replaces this class whole.
package dev.rustprobe.probe;

import dev.rustprobe.abi.SiteValue;
import dev.rustprobe.abi.ValueLocation;

import java.util.ArrayList;
import java.util.List;

public final class InterimFetchPlanner {
    private InterimFetchPlanner() {}

    public static FetchPlan plan(List<SiteValue> values, int maxBytes) {
        List<FetchPlan.Read> reads = new ArrayList<>();
        for (SiteValue v : values) {
            collect(v.location(), Math.max(0, v.shape().size()), maxBytes, reads);
        }
        return new FetchPlan(reads);
    }

    private static void collect(ValueLocation l, long size, int maxBytes, List<FetchPlan.Read> reads) {
        if (reads.size() >= ProbeProgram.MAX_READS) {
            return;
        }
        if (l instanceof ValueLocation.StackSlot s) {
            reads.add(FetchPlan.Read.fixed(new FetchPlan.Word.Register("rsp"), s.offset(), (int) Math.max(1, s.width())));
        } else if (l instanceof ValueLocation.Memory m && m.base() instanceof ValueLocation.Register r) {
            int n = (int) Math.min(Math.max(size, 1), Math.max(8, maxBytes));
            reads.add(FetchPlan.Read.fixed(new FetchPlan.Word.Register(r.register()), m.offset(), n));
        } else if (l instanceof ValueLocation.Pieces p) {
            for (ValueLocation.Piece x : p.pieces()) {
                collect(x.location(), x.size(), maxBytes, reads);
            }
        }
    }
}
