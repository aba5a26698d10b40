// Fuzzing the DWARF reader: each section parser on its own (abbreviations, units under given abbreviations, line
// programs, range and location lists, address ranges, string-offset and address indexes), all sections together,
// and whole ELF files. Each target is a Jazzer @FuzzTest (stored inputs in the suite; coverage-guided in
// bench/fuzz) and a seeded mutation loop over real rustc output; FuzzOracle lets only DwarfException (and
// ElfException, for whole files) escape, within fixed time and allocation budgets.
package dev.rustprobe.dwarf;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.rustprobe.elf.ElfException;
import dev.rustprobe.elf.ElfFile;
import dev.rustprobe.testing.FuzzOracle;
import dev.rustprobe.testing.FuzzSeeds;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertTrue;

class DwarfFuzzTest {
    private static final Duration LOOP = Duration.ofSeconds(3);
    private static final int LOOP_INPUTS = 200_000;
    /** How many list offsets a list target tries (each list may allocate in proportion to the input). */
    private static final int LIST_OFFSETS = 16;

    // ---- the targets: each takes any byte string ----

    /** .debug_abbrev on its own: the table at 0 and at each place a table could start after it. */
    static void readAbbrevs(byte[] b) {
        ByteReader r = new ByteReader(".debug_abbrev", ByteBuffer.wrap(b));
        int tables = 0;
        for (int off = 0; off < b.length && tables < 64; off++) {
            if (off == 0 || b[off - 1] == 0) {
                tables++;
                try {
                    Abbrev.Table t = Abbrev.Table.parse(r, off);
                    for (int code = 0; code < 70; code++) {
                        Abbrev a = t.get(code);
                        if (a != null) {
                            a.indexOf(Dw.AT_name);
                        }
                    }
                } catch (DwarfException e) {
                    // a rejected table; the next may still parse
                }
            }
        }
    }

    /** .debug_info (input after the first byte) under the real abbreviations and strings of the small library. */
    static void readUnits(byte[] b) {
        TestSections s = base(b);
        s.bytes.put(".debug_info", rest(b));
        CorruptDwarfTest.readEverything(s);
    }

    /** Every line program in .debug_line (with .debug_line_str and .debug_str from the same section set). */
    static void readLineProgram(byte[] b) {
        TestSections all = FuzzSectionSet.decode(b);
        TestSections s = new TestSections(new java.util.HashMap<>());
        for (String n : List.of(".debug_line", ".debug_line_str", ".debug_str")) {
            if (all.bytes.containsKey(n)) {
                s.bytes.put(n, all.bytes.get(n));
            }
        }
        Dwarf d = Dwarf.open(s);
        ByteReader line = d.section(".debug_line");
        long off = 0;
        for (int n = 0; off < line.size() && n < 256; n++) {
            long next = line.block(off, "line program").end();
            LineTable t = LineTable.parse(d, off, "/comp/dir", true);
            for (int i = -1; i < t.files().size() + 2; i++) {
                t.fileName(i);
            }
            t.prologueEnd(0, -1);
            LineTable.parse(d, off, null, false);
            off = next;
        }
    }

    /** .debug_rnglists (DWARF 5 base) or .debug_ranges (DWARF 4 base): a list at every offset, and through DIEs. */
    static void readRangeLists(byte[] b) {
        TestSections s = base(b);
        s.bytes.put(version(b) == 5 ? ".debug_rnglists" : ".debug_ranges", rest(b));
        Dwarf d = Dwarf.open(s);
        Unit u = d.rawUnits().get(0);
        for (int off = 0; off < Math.min(rest(b).length, LIST_OFFSETS); off++) {
            try {
                Lists.ranges(u, off);
            } catch (DwarfException e) {
                // this offset starts no list
            }
        }
        CorruptDwarfTest.readEverything(s);
    }

    /** .debug_loclists (DWARF 5 base) or .debug_loc (DWARF 4 base): a list at every offset, and through DIEs. */
    static void readLocationLists(byte[] b) {
        TestSections s = base(b);
        s.bytes.put(version(b) == 5 ? ".debug_loclists" : ".debug_loc", rest(b));
        Dwarf d = Dwarf.open(s);
        Unit u = d.rawUnits().get(0);
        for (int off = 0; off < Math.min(rest(b).length, LIST_OFFSETS); off++) {
            try {
                LocationDescription.LocationList l = Lists.locationList(u, off);
                for (LocationDescription.Entry e : l.entries()) {
                    l.at(e.begin());
                    e.toString();
                }
            } catch (DwarfException e) {
                // this offset starts no list
            }
        }
        CorruptDwarfTest.readEverything(s);
    }

    /** .debug_aranges: read, then asked about addresses taken from the input itself. */
    static void readAranges(byte[] b) {
        TestSections s = base(b);
        s.bytes.put(".debug_aranges", rest(b));
        Dwarf d = Dwarf.open(s);
        Aranges a = Aranges.read(d);
        ByteBuffer words = ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        a.unitsAt(0x1000);
        for (int i = 1; i + 8 <= b.length && i < 512; i += 8) {
            a.unitsAt(words.getLong(i));
        }
    }

    /** .debug_str_offsets and .debug_addr (input after the first byte, split at its first two bytes), DWARF 5 base. */
    static void readStringOffsetsAndAddresses(byte[] b) {
        TestSections s = base(5);
        byte[] r = rest(b);
        int split = r.length < 2 ? 0 : Math.min(r.length - 2, (r[0] & 0xff) | (r[1] & 0xff) << 8);
        s.bytes.put(".debug_str_offsets", Arrays.copyOfRange(r, Math.min(2, r.length), Math.min(2, r.length) + split));
        s.bytes.put(".debug_addr", Arrays.copyOfRange(r, Math.min(r.length, 2 + split), r.length));
        Dwarf d = Dwarf.open(s);
        for (Unit u : d.rawUnits()) {
            for (long i : new long[] {0, 1, 2, 3, 7, 8, 31, 64, 255, 0x7fffffffL, 0x80000000L, -1}) {
                try {
                    u.stringAtIndex(i);
                } catch (DwarfException e) {
                    // out of range or a bad string offset
                }
                try {
                    u.address(i);
                } catch (DwarfException e) {
                    // out of range
                }
                try {
                    u.listOffset(".debug_rnglists", u.rnglistsBase(), i);
                } catch (DwarfException e) {
                    // out of range
                }
            }
        }
        CorruptDwarfTest.readEverything(s);
    }

    /** Any set of debug sections (FuzzSectionSet), read in full. */
    static void readSections(byte[] b) {
        CorruptDwarfTest.readEverything(FuzzSectionSet.decode(b));
    }

    /** A whole ELF file: opened, its DWARF read in full, and address queries at its symbols. */
    static void readWholeFile(byte[] b) {
        ElfFile f = ElfFile.of("fuzz.elf", ByteBuffer.wrap(b));
        CorruptDwarfTest.readEverything(f);
        Dwarf d = Dwarf.open(f);
        int[] n = {0};
        f.forEachSymbol(true, sym -> {
            if (n[0]++ < 16) {
                d.subprogramAt(sym.value());
                d.inlinedCallsAt(sym.value());
            }
        });
    }

    private static int version(byte[] b) {
        return b.length > 0 && (b[0] & 1) != 0 ? 5 : 4;
    }

    private static final TestSections[] BASES = new TestSections[6];

    /** The small library's sections for a DWARF version, read once; each caller gets its own copy. */
    private static synchronized TestSections base(int version) {
        if (BASES[version] == null) {
            BASES[version] = TestSections.of(FuzzSeeds.smallLibrary(version));
        }
        return BASES[version].copy();
    }

    private static TestSections base(byte[] b) {
        return base(version(b));
    }

    private static byte[] rest(byte[] b) {
        return b.length == 0 ? b : Arrays.copyOfRange(b, 1, b.length);
    }

    // ---- Jazzer entry points ----

    @FuzzTest(maxDuration = "30s")
    void abbrevs(byte[] data) {
        FuzzOracle.check(data, DwarfFuzzTest::readAbbrevs, DwarfException.class);
    }

    @FuzzTest(maxDuration = "30s")
    void units(byte[] data) {
        FuzzOracle.check(data, DwarfFuzzTest::readUnits, DwarfException.class);
    }

    @FuzzTest(maxDuration = "30s")
    void lineProgram(byte[] data) {
        FuzzOracle.check(data, DwarfFuzzTest::readLineProgram, DwarfException.class);
    }

    @FuzzTest(maxDuration = "30s")
    void rangeLists(byte[] data) {
        FuzzOracle.check(data, DwarfFuzzTest::readRangeLists, DwarfException.class);
    }

    @FuzzTest(maxDuration = "30s")
    void locationLists(byte[] data) {
        FuzzOracle.check(data, DwarfFuzzTest::readLocationLists, DwarfException.class);
    }

    @FuzzTest(maxDuration = "30s")
    void aranges(byte[] data) {
        FuzzOracle.check(data, DwarfFuzzTest::readAranges, DwarfException.class);
    }

    @FuzzTest(maxDuration = "30s")
    void stringOffsetsAndAddresses(byte[] data) {
        FuzzOracle.check(data, DwarfFuzzTest::readStringOffsetsAndAddresses, DwarfException.class);
    }

    @FuzzTest(maxDuration = "30s")
    void sections(byte[] data) {
        FuzzOracle.check(data, DwarfFuzzTest::readSections, DwarfException.class);
    }

    @FuzzTest(maxDuration = "30s")
    void wholeFile(byte[] data) {
        FuzzOracle.check(data, DwarfFuzzTest::readWholeFile, DwarfException.class, ElfException.class);
    }

    // ---- seeds: the small library's real sections, DWARF 4 and 5 ----

    /** The version selector byte then one section of the small library. */
    static List<byte[]> sectionSeeds(String dwarf4Section, String dwarf5Section) {
        List<byte[]> out = new ArrayList<>();
        for (int v : new int[] {4, 5}) {
            byte[] sec = base(v).bytes.get(v == 5 ? dwarf5Section : dwarf4Section);
            if (sec != null) {
                byte[] seed = new byte[sec.length + 1];
                seed[0] = (byte) (v == 5 ? 1 : 0);
                System.arraycopy(sec, 0, seed, 1, sec.length);
                out.add(seed);
            }
        }
        return out;
    }

    static List<byte[]> sectionSetSeeds() {
        List<byte[]> out = new ArrayList<>();
        for (int v : new int[] {4, 5}) {
            out.add(FuzzSectionSet.encode(base(v), 1 << 20));
        }
        return out;
    }

    static List<byte[]> stringOffsetAndAddressSeeds() {
        TestSections s = base(5);
        byte[] offs = s.bytes.get(".debug_str_offsets");
        byte[] addr = s.bytes.get(".debug_addr");
        byte[] seed = new byte[3 + offs.length + addr.length];
        seed[0] = 1;
        seed[1] = (byte) offs.length;
        seed[2] = (byte) (offs.length >>> 8);
        System.arraycopy(offs, 0, seed, 3, offs.length);
        System.arraycopy(addr, 0, seed, 3 + offs.length, addr.length);
        return List.of(seed);
    }

    private static void loop(String target, List<byte[]> seeds, long seed, Consumer<byte[]> body) {
        FuzzOracle.Loop l = FuzzOracle.mutate("DwarfFuzzTest/" + target, seeds, seed, LOOP, LOOP_INPUTS, body,
                DwarfException.class, ElfException.class);
        assertTrue(l.inputs() > seeds.size(), l.toString());
    }

    // ---- the normal suite's bounded mutation loops, one per target ----

    @Test
    void mutatedAbbreviations() {
        List<byte[]> seeds = new ArrayList<>();
        for (byte[] s : sectionSeeds(".debug_abbrev", ".debug_abbrev")) {
            seeds.add(Arrays.copyOfRange(s, 1, s.length));
        }
        loop("abbrevs", seeds, 1, DwarfFuzzTest::readAbbrevs);
    }

    @Test
    void mutatedUnits() {
        loop("units", sectionSeeds(".debug_info", ".debug_info"), 2, DwarfFuzzTest::readUnits);
    }

    @Test
    void mutatedLinePrograms() {
        List<byte[]> seeds = new ArrayList<>();
        for (int v : new int[] {4, 5}) {
            TestSections s = base(v);
            s.bytes.keySet().retainAll(List.of(".debug_line", ".debug_line_str", ".debug_str"));
            seeds.add(FuzzSectionSet.encode(s, 1 << 20));
        }
        loop("lineProgram", seeds, 3, DwarfFuzzTest::readLineProgram);
    }

    @Test
    void mutatedRangeLists() {
        loop("rangeLists", sectionSeeds(".debug_ranges", ".debug_rnglists"), 4, DwarfFuzzTest::readRangeLists);
    }

    @Test
    void mutatedLocationLists() {
        loop("locationLists", sectionSeeds(".debug_loc", ".debug_loclists"), 5, DwarfFuzzTest::readLocationLists);
    }

    @Test
    void mutatedAddressRanges() {
        loop("aranges", sectionSeeds(".debug_aranges", ".debug_aranges"), 6, DwarfFuzzTest::readAranges);
    }

    @Test
    void mutatedStringOffsetsAndAddresses() {
        loop("stringOffsetsAndAddresses", stringOffsetAndAddressSeeds(), 7, DwarfFuzzTest::readStringOffsetsAndAddresses);
    }

    @Test
    void mutatedSectionSets() {
        loop("sections", sectionSetSeeds(), 8, DwarfFuzzTest::readSections);
    }

    @Test
    void mutatedWholeFiles() {
        loop("wholeFile", FuzzSeeds.smallLibraries(), 9, DwarfFuzzTest::readWholeFile);
    }
}
