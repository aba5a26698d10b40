// The kinds of program this module loads: the kernel program type (enum bpf_prog_type) together with the
// expected attach type (enum bpf_attach_type) that the verifier must know at load time.
package dev.rustprobe.bpf;

public enum ProgramType {
    /** A socket filter: no attachment needed, handy for checking the verifier accepts generic code. */
    SOCKET_FILTER(1, 0),
    /** A kprobe-type program attached to uprobes one perf event at a time (BPF_PERF_EVENT links). */
    KPROBE(2, 0),
    /** A kprobe-type program loaded for BPF_TRACE_UPROBE_MULTI (48): many uprobes behind one link. */
    UPROBE_MULTI(2, 48);

    final int kernelType;
    final int expectedAttachType;

    ProgramType(int kernelType, int expectedAttachType) {
        this.kernelType = kernelType;
        this.expectedAttachType = expectedAttachType;
    }

    /** The number from enum bpf_prog_type, as the kernel reports it in bpf_prog_info.type. */
    public int kernelType() {
        return kernelType;
    }
}
