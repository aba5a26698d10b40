// subprogramAt through its per-unit index of code ranges against a plain scan of every subprogram with code: the
// innermost (smallest) function covering each PC, the first in DIE order among equals, and none between functions.
package dev.rustprobe.dwarf;

import dev.rustprobe.testing.SampleRust;
import dev.rustprobe.testing.SampleRust.Variant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SubprogramAtTest {
    @ParameterizedTest
    @EnumSource(Variant.class)
    void theIndexedLookupFindsWhatAScanOfEverySubprogramFinds(Variant v) {
        Dwarf dwarf = Dwarf.open(TestSections.of(SampleRust.binary(v)));
        List<Subprogram> withCode = dwarf.subprograms().stream().filter(Subprogram::hasCode).toList();
        assertTrue(withCode.size() > 500, "subprograms with code: " + withCode.size());
        // PCs at, inside and just past the ranges of every other function: past the end is often padding, in no function
        List<Long> pcs = new ArrayList<>();
        for (int k = 0; k < withCode.size(); k += 2) {
            for (PcRange r : withCode.get(k).ranges()) {
                pcs.add(r.begin());
                pcs.add(r.begin() + r.size() / 2);
                pcs.add(r.end());
            }
        }
        int found = 0;
        int none = 0;
        Dwarf fresh = Dwarf.open(TestSections.of(SampleRust.binary(v)));
        for (long pc : pcs) {
            Subprogram best = null;
            for (Subprogram s : withCode) {
                if (s.contains(pc) && (best == null || span(s) < span(best))) {
                    best = s;
                }
            }
            Optional<Subprogram> got = fresh.subprogramAt(pc);
            assertEquals(best == null ? null : best.offset(), got.map(Subprogram::offset).orElse(null),
                    "at 0x" + Long.toHexString(pc));
            if (best == null) {
                none++;
            } else {
                found++;
            }
        }
        assertTrue(found > 500 && none > 0, found + " PCs in a function, " + none + " in none");
    }

    private static long span(Subprogram s) {
        long n = 0;
        for (PcRange r : s.ranges()) {
            n += r.size();
        }
        return n;
    }

    /**
     * rustc's functions do not overlap, so sample-rust never asks for the innermost of several: random nested and
     * overlapping ranges (several per function) against the same scan do.
     */
    @Test
    void ofOverlappingFunctionsTheSmallestWinsAndTheFirstAmongEquals() {
        java.util.Random random = new java.util.Random(42);
        for (int round = 0; round < 200; round++) {
            int functions = 1 + random.nextInt(12);
            List<long[]> ranges = new ArrayList<>(); // {begin, end, die}
            long[] spans = new long[functions];
            for (int f = 0; f < functions; f++) {
                for (int r = random.nextInt(3); r >= 0; r--) {
                    long begin = 0x1000 + random.nextInt(200);
                    long end = begin + random.nextInt(random.nextBoolean() ? 8 : 120);
                    ranges.add(new long[]{begin, end, f});
                    spans[f] += end - begin;
                }
            }
            List<long[]> entries = new ArrayList<>();
            for (long[] r : ranges) {
                entries.add(new long[]{r[0], r[1], r[2], spans[(int) r[2]]});
            }
            Dwarf.CodeIndex index = Dwarf.CodeIndex.of(entries);
            for (long pc = 0xff0; pc < 0x1000 + 340; pc++) {
                int best = -1;
                for (int f = 0; f < functions; f++) {
                    boolean covers = false;
                    for (long[] r : ranges) {
                        covers |= r[2] == f && pc >= r[0] && pc < r[1];
                    }
                    if (covers && (best < 0 || spans[f] < spans[best])) {
                        best = f;
                    }
                }
                assertEquals(best, index.innermost(pc), "round " + round + " at 0x" + Long.toHexString(pc));
            }
        }
    }
}
