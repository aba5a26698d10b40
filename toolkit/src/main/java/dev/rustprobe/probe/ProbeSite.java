// One place rustprobe puts a uprobe, with everything needed to attach it, generate its program and decode its
// records: which function and which copy or inlined site it belongs to, and the values it records there.
package dev.rustprobe.probe;

import dev.rustprobe.abi.SiteValue;

import java.util.List;

/**
 * @param id           the site's cookie (its index in the plan)
 * @param kind         entry of an out-of-line copy, an inlined site, a return, or where panics are caught
 * @param function     the demangled path the user matched (no hash)
 * @param aliases      other names of the same code (identical code folding): a probe there fires for all of them
 * @param copyAddress  the out-of-line copy's address (for an inlined site: the site's first address)
 * @param address      the probed virtual address
 * @param fileOffset   the probed file offset (what the kernel attaches to)
 * @param caller       for an inlined site: the function it is inlined into; else null
 * @param callSite     for an inlined site: "file:line:column" of the call; else null
 * @param exit         for a return site: how the function is left there ("ret", "tail jmp", "tail jcc", "uretprobe");
 *                     for an inline exit: how the copy is left ("fall-through", "jump out", "ret", "tail jmp", ...)
 * @param values       what the site records: parameters at a call, the single "return" value at a return
 * @param described    DWARF describes the function here; when not, values is empty and says nothing about arity
 */
public record ProbeSite(int id, Kind kind, String function, List<String> aliases, long copyAddress, long address,
                        long fileOffset, String caller, String callSite, String exit, ProbeProgram.Spec spec,
                        boolean uretprobe, List<SiteValue> values, boolean described) {
    public ProbeSite {
        aliases = List.copyOf(aliases);
        values = List.copyOf(values);
    }

    /** CATCH: std's panic catch point (PanicCatch); it reports the frames a caught panic unwound, nothing else. */
    public enum Kind { ENTRY, INLINE, RETURN, CATCH,
        /** Where inlined copies are left (ProbeProgram.Role.INLINE_EXIT); spec().inlineExits() names their entries. */
        INLINE_EXIT }

    /** True when a return is expected to pair with this site's calls. */
    public boolean paired() {
        return spec.role() == ProbeProgram.Role.CALL || spec.role() == ProbeProgram.Role.INLINE_CALL;
    }

    /** The same site with another program (ProbePlanner adds the inline exits at a site's address). */
    public ProbeSite withSpec(ProbeProgram.Spec other) {
        return new ProbeSite(id, kind, function, aliases, copyAddress, address, fileOffset, caller, callSite, exit, other,
                uretprobe, values, described);
    }
}
