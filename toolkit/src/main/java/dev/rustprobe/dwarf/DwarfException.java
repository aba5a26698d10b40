// The DWARF reader's one failure: malformed or unsupported debug information, named by section and offset.
package dev.rustprobe.dwarf;

import dev.rustprobe.RustprobeException;

public final class DwarfException extends RustprobeException {
    public DwarfException(String message) {
        super(message);
    }

    /** A failure at a place in a section, phrased for the user: "bad DWARF in .debug_info at 0x1c: ...". */
    static DwarfException at(String section, long offset, String what) {
        return new DwarfException("bad DWARF in " + section + " at offset 0x" + Long.toHexString(offset) + ": " + what);
    }
}
