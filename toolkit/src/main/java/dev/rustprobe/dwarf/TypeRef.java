// A reference to a type DIE, resolved on first use: it keeps struct graphs with cycles (a node pointing to
// its own type) finite, and keeps types nobody asks for unparsed.
package dev.rustprobe.dwarf;

import java.util.Objects;

public final class TypeRef {
    private final Dwarf dwarf;
    private final long offset;
    private Type resolved;

    TypeRef(Dwarf dwarf, long offset) {
        this.dwarf = dwarf;
        this.offset = offset;
    }

    /** The .debug_info offset of the type DIE. */
    public long offset() {
        return offset;
    }

    /** The type; a DIE that cannot be read becomes {@link Type.Unknown} with the reason, never an exception. */
    public Type get() {
        if (resolved == null) {
            resolved = dwarf.typeAt(offset);
        }
        return resolved;
    }

    /** The type's name as DWARF gives it (e.g. "&str", "u64", "core::option::Option<u32>" is just "Option<u32>"). */
    public String name() {
        return get().name();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TypeRef t && t.offset == offset && t.dwarf == dwarf;
    }

    @Override
    public int hashCode() {
        return Objects.hash(offset);
    }

    @Override
    public String toString() {
        return "TypeRef@0x" + Long.toHexString(offset);
    }
}
