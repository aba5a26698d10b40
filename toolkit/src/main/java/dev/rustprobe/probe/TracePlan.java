// Every probe site of one trace, planned before anything touches the kernel, and what the plan had to give up on
// (warnings, one sentence each, printed before tracing starts).
package dev.rustprobe.probe;

import java.nio.file.Path;
import java.util.List;

/**
 * @param readOnly the binary's read-only segments, from which a live session takes the bytes of reads into them
 *                 instead of making the probes copy them (ReadOnlyImage)
 */
public record TracePlan(Path binary, List<ProbeSite> sites, List<String> functions, List<String> warnings,
                        ReadOnlyImage readOnly) {
    public TracePlan {
        sites = List.copyOf(sites);
        functions = List.copyOf(functions);
        warnings = List.copyOf(warnings);
    }

    public long count(ProbeSite.Kind kind) {
        return sites.stream().filter(s -> s.kind() == kind).count();
    }
}
