// Executes a FetchPlan the way the BPF program does, against a gdb capture standing in for the process: every
// register is recorded, and of memory only what the plan's reads fetched. Decoding from the result proves the
// plan reads everything the decoder needs.
package dev.rustprobe.abi;

import dev.rustprobe.probe.FetchPlan;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

final class FetchPlanExecutor {
    private FetchPlanExecutor() {}

    /** A record as BPF would produce it: all registers of the hit, and the bytes of each read that succeeded. */
    static final class Recorded implements Capture {
        private final Capture registersFrom;
        private final long bias;
        final List<Long> addresses = new ArrayList<>();
        final List<byte[]> bytes = new ArrayList<>();

        Recorded(Capture registersFrom, long bias) {
            this.registersFrom = registersFrom;
            this.bias = bias;
        }

        @Override
        public OptionalLong register(String name) {
            return registersFrom.register(name);
        }

        @Override
        public byte[] memory(long address, int length) {
            byte[] best = null;
            for (int i = 0; i < addresses.size(); i++) {
                long a = addresses.get(i);
                byte[] b = bytes.get(i);
                if (address >= a && address - a < b.length) {
                    int from = (int) (address - a);
                    int n = Math.min(length, b.length - from);
                    if (best == null || n > best.length) {
                        best = java.util.Arrays.copyOfRange(b, from, from + n);
                    }
                }
            }
            return best == null && length == 0 ? new byte[0] : best;
        }

        @Override
        public long loadBias() {
            return bias;
        }

        int totalBytes() {
            return bytes.stream().mapToInt(b -> b.length).sum();
        }
    }

    static Recorded run(FetchPlan plan, Capture process) {
        Recorded out = new Recorded(process, process.loadBias());
        List<byte[]> results = new ArrayList<>();
        for (FetchPlan.Read r : plan.reads()) {
            Long base = word(r.base(), process, results);
            long length;
            if (r.lengthFrom() == null) {
                length = r.fixedLength();
            } else {
                Long count = word(r.lengthFrom(), process, results);
                if (count == null) {
                    base = null;
                    length = 0;
                } else {
                    // unsigned count times element size, clamped: a garbage count reads at most maxLength
                    boolean huge = count < 0 || count > r.maxLength() / Math.max(1, r.elementSize());
                    length = huge ? r.maxLength() : Math.min(count * r.elementSize(), r.maxLength());
                }
            }
            byte[] got = base == null ? null : length == 0 ? new byte[0]
                    : process.memory(base + r.offset(), (int) length);
            results.add(got);
            if (got != null) {
                out.addresses.add(base + r.offset());
                out.bytes.add(got);
            }
        }
        return out;
    }

    private static Long word(FetchPlan.Word w, Capture process, List<byte[]> results) {
        if (w instanceof FetchPlan.Word.Register r) {
            OptionalLong v = process.register(r.name());
            return v.isPresent() ? v.getAsLong() : null;
        }
        FetchPlan.Word.FromRead f = (FetchPlan.Word.FromRead) w;
        byte[] b = f.read() < results.size() ? results.get(f.read()) : null;
        if (b == null || f.offset() + 8 > b.length) {
            return null;
        }
        long v = 0;
        for (int k = 7; k >= 0; k--) {
            v = (v << 8) | (b[f.offset() + k] & 0xff);
        }
        return v;
    }
}
