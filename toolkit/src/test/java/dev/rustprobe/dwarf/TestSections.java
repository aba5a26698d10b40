// Test-only section loader: reads the uncompressed debug sections of an ELF file with jelf, or serves
// hand-made or corrupted byte arrays, through the DwarfSections interface.
package dev.rustprobe.dwarf;

import net.fornwall.jelf.ElfFile;
import net.fornwall.jelf.ElfSection;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

final class TestSections implements DwarfSections {
    private static final long SHF_COMPRESSED = 0x800;
    final Map<String, byte[]> bytes;

    TestSections(Map<String, byte[]> bytes) {
        this.bytes = bytes;
    }

    /** The .debug_* sections of an ELF file (all of them, copied). */
    static TestSections of(Path elf) {
        try {
            ElfFile f = ElfFile.from(Files.readAllBytes(elf));
            Map<String, byte[]> out = new HashMap<>();
            for (int i = 0; i < f.e_shnum; i++) {
                ElfSection s = f.getSection(i);
                String name = s.header.getName();
                if (name != null && name.startsWith(".debug_")) {
                    if ((s.header.sh_flags & SHF_COMPRESSED) != 0) {
                        throw new IllegalStateException(elf + ": " + name + " is compressed; the test loader reads "
                                + "only uncompressed sections");
                    }
                    out.put(name, s.getData());
                }
            }
            return new TestSections(out);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + elf + ": " + e.getMessage(), e);
        }
    }

    /** A copy whose byte arrays can be changed without touching this one. */
    TestSections copy() {
        Map<String, byte[]> out = new HashMap<>();
        bytes.forEach((k, v) -> out.put(k, v.clone()));
        return new TestSections(out);
    }

    @Override
    public Optional<ByteBuffer> section(String name) {
        byte[] b = bytes.get(name);
        return b == null ? Optional.empty() : Optional.of(ByteBuffer.wrap(b));
    }
}
