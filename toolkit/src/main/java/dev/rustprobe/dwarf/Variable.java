// A formal parameter or local variable of a function or inline site, with its type and where it lives.
package dev.rustprobe.dwarf;

/**
 * @param name        may be null (rustc leaves some compiler temporaries unnamed)
 * @param typeRef     the declared type, null if DWARF gives none
 * @param isParameter DW_TAG_formal_parameter (true) or DW_TAG_variable (false)
 * @param location    DW_AT_location (expression or list) or DW_AT_const_value; null if the value was optimized out
 * @param declLine    0 if unknown
 * @param offset      .debug_info offset of the concrete DIE
 * @param originOffset .debug_info offset of the abstract DIE it refers to (DW_AT_abstract_origin), or -1
 */
public record Variable(String name, TypeRef typeRef, boolean isParameter, LocationDescription location,
                       String declFile, int declLine, boolean artificial, long offset, long originOffset) {

    public Type type() {
        return typeRef == null ? null : typeRef.get();
    }

    /** DW_AT_const_value, if the variable has one instead of a location. */
    public LocationDescription.ConstantValue constValue() {
        return location instanceof LocationDescription.ConstantValue c ? c : null;
    }
}
