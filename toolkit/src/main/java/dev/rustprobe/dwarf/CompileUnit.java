// A compilation unit as its header and root DIE describe it: where it is, what it was built from, which code it covers.
package dev.rustprobe.dwarf;

import java.util.List;

/**
 * @param offset      .debug_info offset of the unit header (the unit's identity)
 * @param version     DWARF version (rustc emits 4 by default, 5 with -C dwarf-version=5; std is prebuilt with 4)
 * @param dwarf64     whether the unit uses 64-bit DWARF offsets
 * @param name        DW_AT_name ("src/main.rs/@/sample_rust.5c1b...-cgu.0"), may be null
 * @param compDir     DW_AT_comp_dir, may be null
 * @param producer    DW_AT_producer ("clang LLVM (rustc version 1.95.0 ...)"), may be null
 * @param language    DW_AT_language (0x1c is Rust), 0 if absent
 * @param ranges      the code the unit covers (low/high pc or DW_AT_ranges); ranges the linker discarded, that
 *                    begin at address 0, are left out
 */
public record CompileUnit(long offset, int version, boolean dwarf64, int addressSize, String name, String compDir,
                          String producer, int language, List<PcRange> ranges) {
    public static final int LANG_RUST = 0x1c;

    public CompileUnit {
        ranges = List.copyOf(ranges);
    }

    public boolean contains(long pc) {
        for (PcRange r : ranges) {
            if (r.contains(pc)) {
                return true;
            }
        }
        return false;
    }
}
