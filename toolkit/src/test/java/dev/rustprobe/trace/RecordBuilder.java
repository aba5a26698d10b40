// Test helper: writes the ring-buffer record a probe program would write at one hit, from a Capture standing in for
// the process (a gdb capture, or a hand-made one): the header, every register the layout holds, and the site's
// FetchPlan executed as ProbeProgram.emitRead executes it (addresses and lengths from registers or earlier reads,
// counts clamped to each read's maximum, a failed read recording 0 bytes).
package dev.rustprobe.trace;

import dev.rustprobe.abi.Capture;
import dev.rustprobe.bpf.PtRegs;
import dev.rustprobe.probe.FetchPlan;
import dev.rustprobe.probe.RecordLayout;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;

public final class RecordBuilder {
    private RecordBuilder() {}

    /** The record of one hit of site with the given type (RecordLayout.TYPE_CALL or TYPE_RETURN). */
    public static ByteBuffer build(FetchPlan plan, int type, int site, Capture process) {
        RecordLayout layout = new RecordLayout(plan);
        ByteBuffer b = ByteBuffer.allocate(layout.size()).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(RecordLayout.TYPE, type);
        b.putInt(RecordLayout.SITE, site);
        b.putLong(RecordLayout.PID_TGID, (4242L << 32) | 4243L);
        b.putLong(RecordLayout.KTIME, 1_000_000L);
        for (PtRegs r : PtRegs.values()) {
            int at = layout.registerOffset(r);
            if (at >= 0) {
                OptionalLong v = process.register(r.name().toLowerCase(Locale.ROOT));
                b.putLong(at, v.orElse(0));
            }
        }
        List<FetchPlan.Read> reads = plan.reads();
        for (int i = 0; i < reads.size(); i++) {
            FetchPlan.Read r = reads.get(i);
            int at = layout.readOffset(i);
            int max = layout.readMax(i);
            b.putInt(at + RecordLayout.READ_COUNT, 0);
            Long base = word(b, layout, r.base());
            if (base == null) {
                continue;
            }
            long address = base + r.offset();
            b.putLong(at + RecordLayout.READ_ADDRESS, address);
            long length = max;
            if (r.lengthFrom() != null) {
                Long count = word(b, layout, r.lengthFrom());
                if (count == null || r.elementSize() <= 0) {
                    continue;
                }
                long maxCount = max / r.elementSize();
                length = Long.compareUnsigned(count, maxCount) > 0 ? maxCount * r.elementSize()
                        : count * r.elementSize();
            }
            if (length == 0) {
                continue;
            }
            byte[] got = process.memory(address, (int) length);
            if (got == null) {
                continue;
            }
            b.put(at + RecordLayout.READ_DATA, got, 0, Math.min(got.length, max));
            b.putInt(at + RecordLayout.READ_COUNT, Math.min(got.length, max));
        }
        return b;
    }

    private static Long word(ByteBuffer b, RecordLayout layout, FetchPlan.Word w) {
        if (w instanceof FetchPlan.Word.Register reg) {
            int at = layout.registerOffset(PtRegs.valueOf(reg.name().toUpperCase(Locale.ROOT)));
            return at < 0 ? null : b.getLong(at);
        }
        FetchPlan.Word.FromRead f = (FetchPlan.Word.FromRead) w;
        int src = layout.readOffset(f.read());
        if (b.getInt(src + RecordLayout.READ_COUNT) < f.offset() + 8) {
            return null;
        }
        return b.getLong(src + RecordLayout.READ_DATA + f.offset());
    }
}
