// The skim walks its units in parts on several threads: the parts joined must be the one walk, summaries, site
// units and all, and a failure must be the one a single walk meets first.
package dev.rustprobe.dwarf;

import dev.rustprobe.testing.SampleRust;
import dev.rustprobe.testing.SampleRust.Variant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SkimPartsTest {
    @ParameterizedTest
    @EnumSource(value = Variant.class, names = {"RELEASE_LEGACY", "DEBUG", "RELEASE_DWARF5"})
    void partsWalkedAtOnceJoinToTheOneWalk(Variant v) {
        Map<String, byte[]> bytes = sections(v);
        assertTrue(bytes.get(".debug_info").length >= 4 * (256 << 10), "big enough for four parts");
        Skim.Result one = Skim.scan(Dwarf.open(of(bytes)), 1);
        assertTrue(one.summaries.size() > 1000);
        for (int parts = 2; parts <= 4; parts++) {
            Skim.Result r = Skim.scan(Dwarf.open(of(bytes)), parts);
            assertEquals(one.summaries, r.summaries, parts + " parts");
            assertTrue(Arrays.deepEquals(one.siteUnits, r.siteUnits), parts + " parts: site units");
        }
    }

    @Test
    void theFailureThrownIsTheFirstInSectionOrder() {
        Map<String, byte[]> good = sections(Variant.DEBUG);
        List<Unit> units = Dwarf.open(of(good)).rawUnits();
        Unit early = units.get(1);
        Unit late = units.get(units.size() - 1);
        Map<String, byte[]> lateOnly = corrupt(good, late);
        Map<String, byte[]> both = corrupt(lateOnly, early);
        String lateMessage = failure(lateOnly, 1);
        String bothMessage = failure(both, 1);
        assertNotEquals(lateMessage, bothMessage);
        for (int parts = 2; parts <= 4; parts++) {
            assertEquals(lateMessage, failure(lateOnly, parts), parts + " parts");
            assertEquals(bothMessage, failure(both, parts), parts + " parts");
        }
    }

    private static String failure(Map<String, byte[]> bytes, int parts) {
        return assertThrows(DwarfException.class, () -> Skim.scan(Dwarf.open(of(bytes)), parts)).getMessage();
    }

    /** A copy whose unit's root DIE uses an abbreviation code its table does not declare. */
    private static Map<String, byte[]> corrupt(Map<String, byte[]> bytes, Unit u) {
        Map<String, byte[]> out = new HashMap<>(bytes);
        byte[] info = bytes.get(".debug_info").clone();
        int at = (int) u.dieStart;
        assertTrue(info[at] > 0, "a one-byte abbreviation code");
        int code = 0x7f;
        while (u.abbrevs().get(code) != null) {
            code--;
        }
        info[at] = (byte) code;
        out.put(".debug_info", info);
        return out;
    }

    private static Map<String, byte[]> sections(Variant v) {
        TestSections s = TestSections.of(SampleRust.binary(v));
        Map<String, byte[]> out = new HashMap<>();
        for (String name : List.of(".debug_info", ".debug_abbrev", ".debug_str", ".debug_line_str", ".debug_str_offsets",
                ".debug_addr", ".debug_ranges", ".debug_rnglists", ".debug_aranges", ".debug_line", ".debug_loc",
                ".debug_loclists")) {
            s.section(name).ifPresent(b -> {
                byte[] copy = new byte[b.remaining()];
                b.get(copy);
                out.put(name, copy);
            });
        }
        return out;
    }

    private static DwarfSections of(Map<String, byte[]> bytes) {
        return name -> Optional.ofNullable(bytes.get(name)).map(ByteBuffer::wrap);
    }
}
