// The kernel side of a trace: the ring buffer, the per-thread call-stack map, and one loaded program per distinct
// probe program, attached to its probes. Owns every fd it opens; close() releases them all.
package dev.rustprobe.trace;

import dev.rustprobe.bpf.AttachedProgram;
import dev.rustprobe.bpf.BpfMap;
import dev.rustprobe.bpf.Codec;
import dev.rustprobe.bpf.Probe;
import dev.rustprobe.bpf.RingBuffer;
import dev.rustprobe.bpf.UprobeAttach;
import dev.rustprobe.bpf.ProgramType;
import dev.rustprobe.bpf.asm.Insn;
import dev.rustprobe.probe.ProbeProgram;
import dev.rustprobe.probe.ReadOnlyImage;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.function.Consumer;

public final class LiveProbes implements AutoCloseable {
    /** Threads whose call stacks are kept at once; an LRU map forgets the stacks of threads long gone. */
    static final int MAX_THREADS = 16384;

    /** One program and the probes it is attached to (each probe's cookie is its site id). */
    public record Group(ProbeProgram.Spec spec, List<Probe> probes) {
        public Group {
            probes = List.copyOf(probes);
        }
    }

    private final RingBuffer ring;
    private final BpfMap<Integer, byte[]> stacks;
    private final BpfMap<Integer, byte[]> zero;
    private final List<AttachedProgram> programs = new ArrayList<>();
    private final int probeCount;

    private LiveProbes(RingBuffer ring, BpfMap<Integer, byte[]> stacks, BpfMap<Integer, byte[]> zero, int probes) {
        this.ring = ring;
        this.stacks = stacks;
        this.zero = zero;
        this.probeCount = probes;
    }

    /**
     * Loads and attaches every group to binary. pid: only that process (and its threads), else every process. The
     * reader is woken when a quarter of the ring buffer is full; otherwise it drains on its own timer.
     */
    public static LiveProbes attach(Path binary, List<Group> groups, OptionalInt pid, int ringBytes) {
        return attach(binary, groups, pid, ringBytes, ReadOnlyImage.NONE);
    }

    /**
     * As attach; readOnly: the binary's read-only image, so that programs leave reads into it to user space (for
     * the sites whose cookies say so: ProbeProgram.cookie).
     */
    public static LiveProbes attach(Path binary, List<Group> groups, OptionalInt pid, int ringBytes,
                                    ReadOnlyImage readOnly) {
        RingBuffer ring = RingBuffer.open("rp_events", ringBytes);
        BpfMap<Integer, byte[]> stacks = null;
        BpfMap<Integer, byte[]> zero = null;
        LiveProbes live = null;
        try {
            stacks = BpfMap.lruHash("rp_stacks", Codec.U32, Codec.bytes(ProbeProgram.STACK_VALUE_SIZE), MAX_THREADS);
            zero = BpfMap.array("rp_zero", Codec.bytes(ProbeProgram.STACK_VALUE_SIZE), 1);
            live = new LiveProbes(ring, stacks, zero, groups.stream().mapToInt(g -> g.probes().size()).sum());
            // The uprobe_multi link filters by process in the kernel (breakpoints go only into that process); a
            // perf-event uprobe opened for a pid would follow one thread only, so that path filters in BPF alone.
            ProgramType type = UprobeAttach.preferredProgramType(); // once: every program attaches the same way
            boolean multi = type == ProgramType.UPROBE_MULTI;
            ProbeProgram.Maps maps = new ProbeProgram.Maps(ring, stacks.fd(), zero.fd(), pid.orElse(0),
                    ringBytes / 4, readOnly);
            List<java.util.concurrent.Callable<AttachedProgram>> jobs = new ArrayList<>();
            for (Group g : groups) {
                if (g.probes().isEmpty()) {
                    continue;
                }
                List<Insn> insns = ProbeProgram.generate(g.spec(), maps);
                String name = "rp_site" + jobs.size();
                jobs.add(() -> AttachedProgram.loadAndAttach(type, insns, "GPL", name, binary, g.probes(),
                        multi ? pid : OptionalInt.empty()));
            }
            attachAll(live, jobs);
            return live;
        } catch (RuntimeException e) {
            if (live != null) {
                live.close();
            } else {
                if (zero != null) {
                    zero.close();
                }
                if (stacks != null) {
                    stacks.close();
                }
                ring.close();
            }
            throw e;
        }
    }

    /**
     * Loads and attaches on every CPU at once (the verifier is the start-up's main cost); every program that did
     * load joins the session even when another failed, so close() releases it, and the first failure is rethrown.
     */
    private static void attachAll(LiveProbes live, List<java.util.concurrent.Callable<AttachedProgram>> jobs) {
        int threads = Math.max(1, Math.min(jobs.size(), Runtime.getRuntime().availableProcessors()));
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "rp-attach");
            t.setDaemon(true);
            return t;
        });
        RuntimeException first = null;
        try {
            List<java.util.concurrent.Future<AttachedProgram>> done = new ArrayList<>();
            // an interrupt (Ctrl-C) stops programs from starting to load; those loading finish and are closed
            java.util.concurrent.atomic.AtomicBoolean skip = new java.util.concurrent.atomic.AtomicBoolean();
            for (java.util.concurrent.Callable<AttachedProgram> j : jobs) {
                done.add(pool.submit(() -> skip.get() ? null : j.call()));
            }
            boolean interrupted = false;
            for (java.util.concurrent.Future<AttachedProgram> f : done) {
                while (true) {
                    try {
                        AttachedProgram p = f.get();
                        if (p != null) {
                            live.programs.add(p);
                        }
                    } catch (java.util.concurrent.ExecutionException e) {
                        if (first == null) {
                            first = e.getCause() instanceof RuntimeException r ? r
                                    : new dev.rustprobe.bpf.BpfException(String.valueOf(e.getCause().getMessage()));
                        }
                    } catch (InterruptedException e) {
                        interrupted = true; // wait for it anyway: a program attached but not kept would leak
                        skip.set(true);
                        continue;
                    }
                    break;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
                if (first == null) {
                    first = new dev.rustprobe.bpf.BpfException("attaching was interrupted");
                }
            }
        } finally {
            pool.shutdown();
        }
        if (first != null) {
            throw first;
        }
    }

    public int poll(int timeoutMillis, Consumer<ByteBuffer> handler) {
        return ring.poll(timeoutMillis, handler);
    }

    /** Records the programs could not write because the ring buffer was full (exact). */
    public long lost() {
        return ring.lostCount();
    }

    public int programCount() {
        return programs.size();
    }

    public int probeCount() {
        return probeCount;
    }

    /** How the probes are attached (every program the same way). */
    public List<dev.rustprobe.bpf.UprobeLinks.Kind> linkKinds() {
        return programs.stream().map(p -> p.links().kind()).distinct().toList();
    }

    /** The kernel ids of the programs, to check that they (and their links) are gone after close. */
    public List<Integer> programIds() {
        return programs.stream().map(p -> p.program().id()).toList();
    }

    /**
     * Detaches and unloads everything. Programs are closed concurrently: each link's release waits for an RCU grace
     * period (about 60 ms here), and waits that overlap share one.
     */
    @Override
    public void close() {
        List<RuntimeException> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Thread> closers = new ArrayList<>();
        for (AttachedProgram p : programs) {
            Thread t = new Thread(() -> {
                try {
                    p.close();
                } catch (RuntimeException e) {
                    failures.add(e);
                }
            }, "rp-detach");
            t.setDaemon(true);
            t.start();
            closers.add(t);
        }
        boolean interrupted = false;
        for (Thread t : closers) {
            while (t.isAlive()) {
                try {
                    t.join();
                } catch (InterruptedException e) {
                    interrupted = true; // finish detaching first: a half-closed session would leave probes behind
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        programs.clear();
        zero.close();
        stacks.close();
        ring.close();
        if (!failures.isEmpty()) {
            throw failures.get(0);
        }
    }
}
