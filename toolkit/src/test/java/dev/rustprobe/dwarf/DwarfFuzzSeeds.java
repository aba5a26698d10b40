// Writes the seed corpora of the DWARF fuzz targets for bench/fuzz/run.sh: the small library's sections (as the
// normal suite uses them) plus real sections of the binaries named on the command line (sample-rust builds,
// toolchain libraries), cut to pieces a fuzzer can mutate quickly.
// Usage: DwarfFuzzSeeds OUT_DIR BINARY...   (one directory per target under OUT_DIR)
package dev.rustprobe.dwarf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

public final class DwarfFuzzSeeds {
    /** Raw sections are cut to this (a fuzzer mutates small inputs faster); one line program may be up to 64 KiB. */
    private static final int MAX = 16 << 10;
    private static final int MAX_PROGRAM = 64 << 10;

    private DwarfFuzzSeeds() {
    }

    public static void main(String[] args) throws IOException {
        Path out = Path.of(args[0]);
        Map<String, Integer> counts = new HashMap<>();
        write(out, "abbrevs", counts, DwarfFuzzTest.sectionSeeds(".debug_abbrev", ".debug_abbrev").stream()
                .map(s -> Arrays.copyOfRange(s, 1, s.length)).toList());
        write(out, "units", counts, DwarfFuzzTest.sectionSeeds(".debug_info", ".debug_info"));
        write(out, "rangeLists", counts, DwarfFuzzTest.sectionSeeds(".debug_ranges", ".debug_rnglists"));
        write(out, "locationLists", counts, DwarfFuzzTest.sectionSeeds(".debug_loc", ".debug_loclists"));
        write(out, "aranges", counts, DwarfFuzzTest.sectionSeeds(".debug_aranges", ".debug_aranges"));
        write(out, "stringOffsetsAndAddresses", counts, DwarfFuzzTest.stringOffsetAndAddressSeeds());
        write(out, "sections", counts, DwarfFuzzTest.sectionSetSeeds());
        write(out, "wholeFile", counts, dev.rustprobe.testing.FuzzSeeds.smallLibraries());
        for (int v : new int[] {4, 5}) {
            TestSections s = TestSections.of(dev.rustprobe.testing.FuzzSeeds.smallLibrary(v));
            s.bytes.keySet().retainAll(List.of(".debug_line", ".debug_line_str", ".debug_str"));
            write(out, "lineProgram", counts, List.of(FuzzSectionSet.encode(s, MAX)));
        }
        for (int i = 1; i < args.length; i++) {
            TestSections s = TestSections.of(Path.of(args[i]));
            if (!s.bytes.containsKey(".debug_info")) {
                continue;
            }
            int version = Dwarf.open(s).rawUnits().get(0).version;
            byte selector = (byte) (version >= 5 ? 1 : 0);
            raw(out, "abbrevs", counts, s.bytes.get(".debug_abbrev"), null);
            raw(out, "aranges", counts, s.bytes.get(".debug_aranges"), selector);
            raw(out, "rangeLists", counts, s.bytes.get(version >= 5 ? ".debug_rnglists" : ".debug_ranges"), selector);
            raw(out, "locationLists", counts, s.bytes.get(version >= 5 ? ".debug_loclists" : ".debug_loc"), selector);
            linePrograms(out, counts, s);
        }
        counts.forEach((k, n) -> System.out.println(k + " " + n));
    }

    /** Each of the first 200 line programs alone, with .debug_line_str when it is small enough to carry. */
    private static void linePrograms(Path out, Map<String, Integer> counts, TestSections s) throws IOException {
        byte[] line = s.bytes.get(".debug_line");
        if (line == null) {
            return;
        }
        ByteReader r = new ByteReader(".debug_line", java.nio.ByteBuffer.wrap(line));
        long off = 0;
        for (int n = 0; off < line.length && n < 200; n++) {
            long end = r.block(off, "line program").end();
            if (end - off <= MAX_PROGRAM) {
                Map<String, byte[]> m = new HashMap<>();
                m.put(".debug_line", Arrays.copyOfRange(line, (int) off, (int) end));
                byte[] lineStr = s.bytes.get(".debug_line_str");
                if (lineStr != null && lineStr.length <= MAX_PROGRAM) {
                    m.put(".debug_line_str", lineStr);
                }
                write(out, "lineProgram", counts, List.of(FuzzSectionSet.encode(new TestSections(m), MAX_PROGRAM)));
            }
            off = end;
        }
    }

    private static void raw(Path out, String target, Map<String, Integer> counts, byte[] section, Byte selector)
            throws IOException {
        if (section == null) {
            return;
        }
        byte[] head = Arrays.copyOf(section, Math.min(section.length, MAX));
        if (selector != null) {
            byte[] b = new byte[head.length + 1];
            b[0] = selector;
            System.arraycopy(head, 0, b, 1, head.length);
            head = b;
        }
        write(out, target, counts, List.of(head));
    }

    private static void write(Path out, String target, Map<String, Integer> counts, List<byte[]> seeds)
            throws IOException {
        Path dir = Files.createDirectories(out.resolve("DwarfFuzzTest." + target));
        for (byte[] b : seeds) {
            int n = counts.merge(target, 1, Integer::sum);
            Files.write(dir.resolve("seed-" + n), b);
        }
    }
}
