// A fuzz input that carries several debug sections at once, so that one mutated byte string can feed the
// parsers that read across sections (units need abbreviations and strings; lists need units and .debug_addr).
// Layout: repeated { section id (1 byte, index into NAMES modulo its size), length (3 bytes LE), bytes };
// a length running past the end takes what remains, a repeated id replaces the earlier section.
package dev.rustprobe.dwarf;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

final class FuzzSectionSet {
    static final List<String> NAMES = List.of(".debug_info", ".debug_abbrev", ".debug_line", ".debug_str",
            ".debug_line_str", ".debug_str_offsets", ".debug_addr", ".debug_rnglists", ".debug_loclists",
            ".debug_ranges", ".debug_loc", ".debug_aranges");

    private FuzzSectionSet() {
    }

    static TestSections decode(byte[] input) {
        Map<String, byte[]> out = new HashMap<>();
        int p = 0;
        while (p + 4 <= input.length) {
            String name = NAMES.get((input[p] & 0xff) % NAMES.size());
            int len = (input[p + 1] & 0xff) | (input[p + 2] & 0xff) << 8 | (input[p + 3] & 0xff) << 16;
            p += 4;
            int end = (int) Math.min(input.length, (long) p + len);
            out.put(name, Arrays.copyOfRange(input, p, end));
            p = end;
        }
        return new TestSections(out);
    }

    /** The sections of s that NAMES knows, in NAMES order, each cut to at most max bytes. */
    static byte[] encode(TestSections s, int max) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int id = 0; id < NAMES.size(); id++) {
            byte[] b = s.bytes.get(NAMES.get(id));
            if (b == null) {
                continue;
            }
            int len = Math.min(b.length, Math.min(max, 0xffffff));
            out.write(id);
            out.write(len);
            out.write(len >>> 8);
            out.write(len >>> 16);
            out.write(b, 0, len);
        }
        return out.toByteArray();
    }
}
