// Every probe site of one trace, planned before anything touches the kernel, and what the plan had to give up on
// (warnings, one sentence each, printed before tracing starts).
package dev.rustprobe.probe;

import java.nio.file.Path;
import java.util.List;

public record TracePlan(Path binary, List<ProbeSite> sites, List<String> functions, List<String> warnings) {
    public TracePlan {
        sites = List.copyOf(sites);
        functions = List.copyOf(functions);
        warnings = List.copyOf(warnings);
    }

    public long count(ProbeSite.Kind kind) {
        return sites.stream().filter(s -> s.kind() == kind).count();
    }
}
