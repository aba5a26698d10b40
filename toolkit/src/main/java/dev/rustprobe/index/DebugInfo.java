// What the index needs from DWARF, behind one small interface so that listing symbols never parses more DWARF
// than a skim, and a binary without (or with broken) DWARF still lists every symbol.
package dev.rustprobe.index;

import java.util.List;
import java.util.Map;
import java.util.Optional;

public interface DebugInfo {
    /** Whether DWARF describes out-of-line code for this copy (by linkage name, or name and address). */
    boolean describes(Instance instance);

    /** Inline-site counts keyed by the inlined function's path (as the index names it); from the cheap skim. */
    Map<String, Integer> inlineSiteCounts();

    /**
     * The same for the paths that could hold every one of these identifiers (and maybe others): cheaper than all
     * of them, as only the DWARF names that spell every word are demangled.
     */
    default Map<String, Integer> inlineSiteCounts(List<String> words) {
        return inlineSiteCounts();
    }

    /** Every inlined call site of a function, with caller, call position and code ranges; parses unit trees. */
    List<InlineSite> inlineSites(Function function);

    /** The inline sites of several functions by name, found together (one pass over the units that hold them). */
    default Map<String, List<InlineSite>> inlineSites(List<Function> functions) {
        Map<String, List<InlineSite>> out = new java.util.HashMap<>();
        for (Function f : functions) {
            out.put(f.name(), inlineSites(f));
        }
        return out;
    }

    /** The DWARF inlined call that a site returned by {@link #inlineSites} describes, for its values. */
    default Optional<dev.rustprobe.dwarf.InlinedCall> inlinedCall(InlineSite site) {
        return Optional.empty();
    }

    /** The signature of an out-of-line copy, or of an inline-only function, by linkage name. */
    Optional<Signature> signature(Function function);

    /** Why DWARF facts are missing, or empty when they are present. */
    Optional<String> unavailableReason();

    /** The DWARF reader behind these facts, for questions the index does not answer (locations at a PC). */
    default Optional<dev.rustprobe.dwarf.Dwarf> dwarf() {
        return Optional.empty();
    }

    /** True when DWARF is there but could not be read (as opposed to absent). */
    default boolean damaged() {
        return false;
    }

    /** No DWARF at all (stripped binary) or unreadable DWARF: every question has the empty answer. */
    static DebugInfo unavailable(String reason, boolean damaged) {
        return new DebugInfo() {
            @Override
            public boolean describes(Instance instance) {
                return false;
            }

            @Override
            public Map<String, Integer> inlineSiteCounts() {
                return Map.of();
            }

            @Override
            public List<InlineSite> inlineSites(Function function) {
                return List.of();
            }

            @Override
            public Optional<Signature> signature(Function function) {
                return Optional.empty();
            }

            @Override
            public Optional<String> unavailableReason() {
                return Optional.of(reason);
            }

            @Override
            public boolean damaged() {
                return damaged;
            }
        };
    }
}
