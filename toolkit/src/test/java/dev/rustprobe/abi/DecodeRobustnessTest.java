// Garbage in, bounded values out: every parameter and return value of every subprogram in sample-rust's DWARF
// (std's too, thousands of types) is planned and decoded against captures of random registers and random memory.
// Nothing may throw, each fetch plan stays within its read and byte limits, and each rendered value stays small.
package dev.rustprobe.abi;

import dev.rustprobe.dwarf.Dwarf;
import dev.rustprobe.dwarf.Subprogram;
import dev.rustprobe.elf.ElfFile;
import dev.rustprobe.probe.FetchPlan;
import dev.rustprobe.probe.FetchPlanner;
import dev.rustprobe.testing.SampleRust;
import dev.rustprobe.testing.SampleRust.Variant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;

class DecodeRobustnessTest {

    /** Every register random; every address readable with random bytes (as if all memory were mapped). */
    static final class RandomCapture implements Capture {
        private final Random random;

        RandomCapture(long seed) {
            random = new Random(seed);
        }

        @Override
        public OptionalLong register(String name) {
            // small values half the time, so tags and lengths hit real variants and short strings too
            return OptionalLong.of(random.nextBoolean() ? random.nextInt(4) : random.nextLong());
        }

        @Override
        public byte[] memory(long address, int length) {
            if (random.nextInt(8) == 0) {
                return null;
            }
            byte[] b = new byte[Math.min(length, 256)];
            for (int i = 0; i < b.length; i++) {
                b[i] = (byte) (random.nextInt(3) == 0 ? random.nextInt(4) : random.nextInt());
            }
            return b;
        }
    }

    @Test
    @Timeout(120)
    void randomMachineStateNeverBreaksPlanningOrDecoding() {
        Dwarf dwarf = Dwarf.open(ElfFile.open(SampleRust.binary(Variant.RELEASE_LEGACY)));
        Shape.Vtables vtables = DwarfVtables.of(dwarf);
        int values = 0;
        int unavailable = 0;
        long seed = 1;
        List<String> problems = new ArrayList<>();
        for (Subprogram s : dwarf.subprograms()) {
            if (!s.hasCode()) {
                continue;
            }
            List<SiteValue> site = new ArrayList<>(SitePlans.entry(s, false, 1, vtables));
            site.addAll(SitePlans.ret(s, vtables));
            FetchPlan plan = FetchPlanner.plan(site, 64);
            if (plan.reads().size() > FetchPlanner.MAX_READS) {
                problems.add(s.qualifiedName() + ": " + plan.reads().size() + " reads");
            }
            if (plan.totalMaxBytes() > FetchPlanner.MAX_READS * FetchPlanner.MAX_VALUE_READ) {
                problems.add(s.qualifiedName() + ": records up to " + plan.totalMaxBytes() + " bytes");
            }
            for (FetchPlan.Read r : plan.reads()) {
                if (r.maxBytes() > FetchPlanner.MAX_VALUE_READ) {
                    problems.add(s.qualifiedName() + ": a read of " + r.maxBytes() + " bytes");
                }
            }
            for (SiteValue v : site) {
                for (int k = 0; k < 10; k++) {
                    RustValue d = Decoder.decode(v, new RandomCapture(seed++));
                    String text = RustValue.render(d);
                    String json = RustValue.toJson(d);
                    values++;
                    unavailable += d instanceof RustValue.Unavailable ? 1 : 0;
                    if (text.length() > 2_000_000 || json.length() > 2_000_000) {
                        problems.add(s.qualifiedName() + " " + v.name() + ": rendered " + text.length() + " chars");
                    }
                }
            }
        }
        System.out.printf("random captures: %d values decoded, %d unavailable%n", values, unavailable);
        assertTrue(problems.isEmpty(), problems.toString());
        assertTrue(values > 5000, "values decoded: " + values);
        assertTrue(unavailable < values, "some random values must decode");
    }
}
