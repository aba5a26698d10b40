// What the index needs from DWARF, behind one small interface so that listing symbols never parses DWARF and a
// binary without (or with broken) DWARF still lists every symbol.
package dev.rustprobe.index;

import java.util.List;
import java.util.Map;
import java.util.Optional;

public interface DebugInfo {
    /** Whether DWARF describes the copy with this linkage (mangled) name or at this address. */
    boolean describes(Instance instance);

    /** The signature of an out-of-line copy, or of an inline-only function by path. */
    Optional<Signature> signature(Function function);

    /** Every inlined call site, keyed by the inlined function's path (hash dropped, as the index names it). */
    Map<String, List<InlineSite>> inlineSites();

    /** Why DWARF facts are missing, or empty when they are present. */
    Optional<String> unavailableReason();

    /** No DWARF at all (stripped binary) or unreadable DWARF: every question has the empty answer. */
    static DebugInfo unavailable(String reason) {
        return new DebugInfo() {
            @Override
            public boolean describes(Instance instance) {
                return false;
            }

            @Override
            public Optional<Signature> signature(Function function) {
                return Optional.empty();
            }

            @Override
            public Map<String, List<InlineSite>> inlineSites() {
                return Map.of();
            }

            @Override
            public Optional<String> unavailableReason() {
                return Optional.of(reason);
            }
        };
    }
}
