// What the skim of all units found for one function, cheaply: enough for listing symbols without parsing types.
package dev.rustprobe.dwarf;

/**
 * @param linkageName      the mangled name, null for functions without one
 * @param name             DW_AT_name of the defining DIE
 * @param definitionOffset the DIE with the names (the abstract or declaration-less definition)
 * @param codeOffset       a DIE with code for it (low_pc or ranges at a non-zero address), -1 if none
 * @param lowPc            that DIE's low_pc (for DW_AT_ranges: -1, read the Subprogram for its ranges)
 * @param inlineSites      how many DW_TAG_inlined_subroutine DIEs name it (through its abstract origin)
 */
public record FunctionSummary(String linkageName, String name, long definitionOffset, long codeOffset, long lowPc,
                              int inlineSites) {
    public boolean hasCode() {
        return codeOffset >= 0;
    }
}
