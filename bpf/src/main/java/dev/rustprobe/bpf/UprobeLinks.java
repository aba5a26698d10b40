// The handle for a set of attached uprobes: the BPF links behind them. Closing it detaches every probe; the
// program stays loaded until its own fd is closed too.
package dev.rustprobe.bpf;

import java.util.ArrayList;
import java.util.List;

public final class UprobeLinks implements AutoCloseable {
    /** How the probes were attached: one uprobe_multi link per direction, or one perf-event link per probe. */
    public enum Kind { MULTI, PERF_EVENT }

    private final Kind kind;
    private final List<OwnedFd> links;
    private final int probes;

    UprobeLinks(Kind kind, List<OwnedFd> links, int probes) {
        this.kind = kind;
        this.links = List.copyOf(links);
        this.probes = probes;
        Lifetime.register(this);
    }

    public Kind kind() {
        return kind;
    }

    /** The number of probes attached. */
    public int probeCount() {
        return probes;
    }

    /** The number of kernel links (fds) held. */
    public int linkCount() {
        return links.size();
    }

    /** Kernel ids of the links (bpf_link_info.id @4), as KernelObjects.links() lists them. */
    public List<Integer> linkIds() {
        List<Integer> ids = new ArrayList<>();
        for (OwnedFd l : links) {
            ids.add(Bpf.objInfo(l.get(), KernelObjects.LINK_INFO_SIZE).u32(4));
        }
        return ids;
    }

    /**
     * Detaches every probe. Each perf-event uprobe that goes away costs the kernel an RCU grace period under a
     * global mutex (about 0.1 s per probe on kernel 6.18, also from parallel threads), so many probes are best
     * attached as uprobe_multi links, which detach at once.
     */
    @Override
    public void close() {
        for (OwnedFd l : links) {
            l.close();
        }
        Lifetime.unregister(this);
    }
}
