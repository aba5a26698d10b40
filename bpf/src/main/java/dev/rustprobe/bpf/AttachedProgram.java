// A program loaded in the form the running kernel attaches best, together with its uprobe links: the one
// object a tracer needs to hold (and close) per program.
package dev.rustprobe.bpf;

import dev.rustprobe.bpf.asm.Insn;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;

public final class AttachedProgram implements AutoCloseable {
    private final Program program;
    private final UprobeLinks links;

    private AttachedProgram(Program program, UprobeLinks links) {
        this.program = program;
        this.links = links;
    }

    /**
     * Loads insns as an UPROBE_MULTI program where the kernel has uprobe_multi links, else as a KPROBE program
     * with one perf-event link per probe, and attaches it to every probe. The code must not depend on which.
     */
    public static AttachedProgram loadAndAttach(List<Insn> insns, String license, String name, Path binary,
                                                List<Probe> probes, OptionalInt pid) {
        return loadAndAttach(UprobeAttach.preferredProgramType(), insns, license, name, binary, probes, pid);
    }

    /** As loadAndAttach, loading as type (KPROBE: perf-event links, UPROBE_MULTI: uprobe_multi links). */
    public static AttachedProgram loadAndAttach(ProgramType type, List<Insn> insns, String license, String name,
                                         Path binary, List<Probe> probes, OptionalInt pid) {
        Program p = Program.load(type, insns, license, name);
        try {
            return new AttachedProgram(p, UprobeAttach.attach(p, binary, probes, pid));
        } catch (RuntimeException e) {
            p.close();
            throw e;
        }
    }

    public Program program() {
        return program;
    }

    public UprobeLinks links() {
        return links;
    }

    @Override
    public void close() {
        links.close();
        program.close();
    }
}
