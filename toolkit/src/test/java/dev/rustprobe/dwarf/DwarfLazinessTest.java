// Opening reads unit headers only, and a lookup by PC parses only the unit that covers it.
package dev.rustprobe.dwarf;

import dev.rustprobe.testing.SampleRust;
import dev.rustprobe.testing.SampleRust.Variant;
import org.junit.jupiter.api.Test;

import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DwarfLazinessTest {
    @Test
    void openReadsOnlyDebugInfoAndALookupParsesOneUnit() {
        TestSections all = TestSections.of(SampleRust.binary(Variant.RELEASE_DWARF5));
        Set<String> asked = new TreeSet<>();
        DwarfSections recording = name -> {
            asked.add(name);
            return all.section(name);
        };
        Dwarf d = Dwarf.open(recording);
        assertEquals(Set.of(".debug_info"), asked);
        assertEquals(0, d.parsedTrees());
        Subprogram s = d.subprogramByLinkageName("_ZN11sample_rust6orders5place17h080a524e3ad6f7d1E")
                .or(() -> d.subprograms().stream().filter(p -> "place".equals(p.name()) && p.hasCode()).findFirst())
                .orElseThrow();
        Dwarf fresh = Dwarf.open(recording);
        Optional<Subprogram> found = fresh.subprogramAt(s.lowPc());
        assertEquals(s.offset(), found.orElseThrow().offset());
        assertEquals(1, fresh.parsedTrees(), "only the unit covering the PC is parsed");
        assertTrue(fresh.units().size() > 10);
        assertEquals(1, fresh.parsedTrees(), "listing units reads root DIEs, not trees");
    }

}
