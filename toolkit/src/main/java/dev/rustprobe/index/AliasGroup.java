// Several function symbols at one address (identical-code folding, MergeFunctions, symbol aliases):
// a uprobe on that address fires for every one of them.
package dev.rustprobe.index;

import java.util.List;

/** @param names the demangled names (plain names for C symbols) at {@code address}, sorted, at least two */
public record AliasGroup(long address, List<String> names) {
    public AliasGroup {
        names = List.copyOf(names);
    }
}
