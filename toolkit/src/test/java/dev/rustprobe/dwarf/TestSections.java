// Test-only section source: copies the debug sections of an ELF file (read with our ElfFile) into byte
// arrays, or serves hand-made or corrupted ones, through the DwarfSections interface.
package dev.rustprobe.dwarf;

import dev.rustprobe.elf.ElfFile;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

final class TestSections implements DwarfSections {
    final Map<String, byte[]> bytes;

    TestSections(Map<String, byte[]> bytes) {
        this.bytes = bytes;
    }

    /** The .debug_* sections of an ELF file (all of them, decompressed and copied). */
    static TestSections of(Path elf) {
        ElfFile f = ElfFile.open(elf);
        Map<String, byte[]> out = new HashMap<>();
        for (String name : f.sectionNames()) {
            if (name.startsWith(".debug_")) {
                f.section(name).ifPresent(b -> {
                    byte[] copy = new byte[b.remaining()];
                    b.get(copy);
                    out.put(name, copy);
                });
            }
        }
        return new TestSections(out);
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
