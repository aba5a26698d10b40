// What a probe recorded at one hit, as the Decoder reads it: every general register, and the bytes of each read
// of the site's FetchPlan. Each read's address is recomputed from the registers and earlier reads exactly as the
// probe computed it, so a record needs to carry only the bytes.
package dev.rustprobe.probe;

import dev.rustprobe.abi.Capture;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

public final class RecordedCapture implements Capture {
    private final Map<String, Long> registers;
    private final long loadBias;
    private final List<Long> addresses = new ArrayList<>();
    private final List<byte[]> bytes = new ArrayList<>();

    /**
     * @param results per read of the plan, in order: the bytes it got (shorter when clamped), or null if it failed
     * @param loadBias the traced binary's runtime minus link-time address (PIE), for &dyn vtables
     */
    public RecordedCapture(FetchPlan plan, Map<String, Long> registers, List<byte[]> results, long loadBias) {
        if (results.size() != plan.reads().size()) {
            throw new IllegalArgumentException(results.size() + " read results for a plan of "
                    + plan.reads().size() + " reads");
        }
        this.registers = Map.copyOf(registers);
        this.loadBias = loadBias;
        for (int i = 0; i < results.size(); i++) {
            Long base = word(plan.reads().get(i).base(), this.registers, results);
            if (base != null && results.get(i) != null) {
                addresses.add(base + plan.reads().get(i).offset());
                bytes.add(results.get(i));
            }
        }
    }

    /** The value of a Word given the registers and the results of the reads before it; null if unknown. */
    public static Long word(FetchPlan.Word w, Map<String, Long> registers, List<byte[]> results) {
        if (w instanceof FetchPlan.Word.Register r) {
            return registers.get(r.name());
        }
        FetchPlan.Word.FromRead f = (FetchPlan.Word.FromRead) w;
        byte[] b = f.read() < results.size() ? results.get(f.read()) : null;
        if (b == null || f.offset() < 0 || f.offset() + 8 > b.length) {
            return null;
        }
        long v = 0;
        for (int k = 7; k >= 0; k--) {
            v = (v << 8) | (b[f.offset() + k] & 0xff);
        }
        return v;
    }

    @Override
    public OptionalLong register(String name) {
        Long v = registers.get(name);
        return v == null ? OptionalLong.empty() : OptionalLong.of(v);
    }

    /** The longest recorded run starting at address, at most length bytes; null if no read covers it. */
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
                    best = Arrays.copyOfRange(b, from, from + n);
                }
            }
        }
        return best == null && length == 0 ? new byte[0] : best;
    }

    @Override
    public long loadBias() {
        return loadBias;
    }

    /** How many bytes the reads recorded in all. */
    public int recordedBytes() {
        return bytes.stream().mapToInt(b -> b.length).sum();
    }
}
