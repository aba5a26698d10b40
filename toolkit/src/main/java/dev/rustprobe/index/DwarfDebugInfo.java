// DWARF facts for the index. Until the DWARF reader (package dev.rustprobe.dwarf) is merged, a binary with DWARF
// is treated like one without and the note says so; symbols are listed either way.
package dev.rustprobe.index;

final class DwarfDebugInfo {
    private DwarfDebugInfo() {
    }

    static DebugInfo load(IndexedBinary binary) {
        if (!binary.hasDwarf()) {
            return DebugInfo.unavailable("no DWARF: parameter types and inline sites unavailable; symbols still listed");
        }
        return DebugInfo.unavailable("this build does not read DWARF yet: parameter types and inline sites unavailable;"
                + " symbols still listed");
    }
}
