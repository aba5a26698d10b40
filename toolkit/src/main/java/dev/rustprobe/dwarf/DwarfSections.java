// Where the DWARF reader gets its bytes: the ELF reader (or a test loader) hands over each debug section by name.
package dev.rustprobe.dwarf;

import java.nio.ByteBuffer;
import java.util.Optional;

public interface DwarfSections {
    /** The named section's bytes (".debug_info", ".debug_abbrev", ...), already decompressed; empty if absent. */
    Optional<ByteBuffer> section(String name);
}
