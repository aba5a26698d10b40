// Attaches a loaded program to uprobes at file offsets of a binary, each with its own cookie: with one
// uprobe_multi link for all entry probes and one for all return probes where the kernel has them, or one
// perf event (uprobe PMU) plus one BPF link per probe otherwise. An optional pid limits the probes to a process.
package dev.rustprobe.bpf;

import com.sun.jna.Memory;
import dev.rustprobe.bpf.asm.Asm;
import dev.rustprobe.bpf.asm.Reg;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

public final class UprobeAttach {
    private UprobeAttach() {
    }

    /** enum bpf_attach_type: BPF_PERF_EVENT = 41, BPF_TRACE_UPROBE_MULTI = 48. */
    static final int BPF_PERF_EVENT = 41;
    static final int BPF_TRACE_UPROBE_MULTI = 48;
    /** link_create.uprobe_multi.flags: BPF_F_UPROBE_MULTI_RETURN. */
    static final int BPF_F_UPROBE_MULTI_RETURN = 1;
    /** perf_event_open flag PERF_FLAG_FD_CLOEXEC, and ioctl PERF_EVENT_IOC_ENABLE = _IO('$', 0). */
    static final long PERF_FLAG_FD_CLOEXEC = 8;
    static final long PERF_EVENT_IOC_ENABLE = 0x2400;
    /** sizeof(struct perf_event_attr) at PERF_ATTR_SIZE_VER7; later fields stay zero. */
    static final int PERF_ATTR_SIZE = 128;

    private static volatile Boolean multiSupported;

    /**
     * Attaches program to every probe. The path follows the program's type: UPROBE_MULTI programs get
     * uprobe_multi links, KPROBE programs one perf-event link per probe. Use preferredProgramType() to load
     * the program the running kernel handles best.
     */
    public static UprobeLinks attach(Program program, Path binary, List<Probe> probes, OptionalInt pid) {
        return switch (program.type()) {
            case UPROBE_MULTI -> attachMulti(program, binary, probes, pid);
            case KPROBE -> attachEach(program, binary, probes, pid);
            case SOCKET_FILTER -> throw new BpfException(program + " is a socket filter; uprobes need a "
                    + ProgramType.KPROBE + " or " + ProgramType.UPROBE_MULTI + " program");
        };
    }

    /** The troubleshooting switch: environment variable RUSTPROBE_ATTACH, or system property rustprobe.attach. */
    public static final String ATTACH_ENV = "RUSTPROBE_ATTACH";
    public static final String ATTACH_PROPERTY = "rustprobe.attach";

    /**
     * UPROBE_MULTI where the kernel has uprobe_multi links, else KPROBE (one link per probe). RUSTPROBE_ATTACH
     * (or the rustprobe.attach property, which wins) overrides the choice: "perf-event" forces one perf-event uprobe
     * per probe, the path kernels without uprobe_multi take; "multi" insists on uprobe_multi links; "auto" (or
     * unset) detects.
     */
    public static ProgramType preferredProgramType() {
        String forced = System.getProperty(ATTACH_PROPERTY);
        String from = "-D" + ATTACH_PROPERTY;
        if (forced == null) {
            forced = System.getenv(ATTACH_ENV);
            from = ATTACH_ENV;
        }
        String mode = forced == null ? "auto" : forced.strip();
        switch (mode) {
            case "", "auto" -> {
                return multiSupported() ? ProgramType.UPROBE_MULTI : ProgramType.KPROBE;
            }
            case "perf-event" -> {
                return ProgramType.KPROBE;
            }
            case "multi" -> {
                if (!multiSupported()) {
                    throw new BpfException(from + "=multi, but this kernel has no uprobe_multi links (Linux 6.6 and"
                            + " later have them): unset it, or set it to perf-event");
                }
                return ProgramType.UPROBE_MULTI;
            }
            default -> throw new BpfException(from + "='" + forced + "' is not an attach mode: use perf-event,"
                    + " multi or auto");
        }
    }

    /**
     * Whether this kernel has uprobe_multi links: a program with that expected attach type loads, and a link on
     * a directory ("/") is refused with EBADF (not a regular file) rather than EINVAL (unknown attach type).
     */
    public static boolean multiSupported() {
        Boolean known = multiSupported;
        if (known != null) {
            return known;
        }
        boolean yes;
        List<dev.rustprobe.bpf.asm.Insn> trivial = new Asm().mov64Imm(Reg.R0, 0).exit().build();
        try (Program p = Program.load(ProgramType.UPROBE_MULTI, trivial, "GPL", "rp_probe_multi")) {
            Memory path = Attr.cString("/");
            Memory offsets = new Memory(8);
            offsets.setLong(0, 0);
            long r = Bpf.callRaw(Bpf.LINK_CREATE, multiAttr(p.fd(), path, offsets, null, 1, 0, 0));
            if (r >= 0) {
                Libc.close((int) r);
            }
            yes = r == -Errno.EBADF;
        } catch (BpfException e) {
            if (e.errno() == Errno.EPERM) {
                throw e;
            }
            yes = false;
        }
        multiSupported = yes;
        return yes;
    }

    public static UprobeLinks attachMulti(Program program, Path binary, List<Probe> probes, OptionalInt pid) {
        if (program.type() != ProgramType.UPROBE_MULTI) {
            throw new BpfException(program + " was not loaded for uprobe_multi links; load it as "
                    + ProgramType.UPROBE_MULTI);
        }
        Path file = checkBinary(binary, probes);
        List<OwnedFd> links = new ArrayList<>();
        try {
            for (boolean ret : new boolean[] {false, true}) {
                List<Probe> group = probes.stream().filter(p -> p.ret() == ret).toList();
                if (group.isEmpty()) {
                    continue;
                }
                int n = group.size();
                Memory offsets = new Memory(8L * n);
                Memory cookies = new Memory(8L * n);
                for (int i = 0; i < n; i++) {
                    offsets.setLong(8L * i, group.get(i).fileOffset());
                    cookies.setLong(8L * i, group.get(i).cookie());
                }
                Attr a = multiAttr(program.fd(), Attr.cString(file.toString()), offsets, cookies, n,
                        ret ? BPF_F_UPROBE_MULTI_RETURN : 0, pid.orElse(0));
                long r = Bpf.callRaw(Bpf.LINK_CREATE, a);
                if (r < 0) {
                    throw attachFailure(file, n, ret, pid, (int) -r);
                }
                links.add(new OwnedFd((int) r, "uprobe_multi link on " + file));
            }
        } catch (RuntimeException e) {
            links.forEach(OwnedFd::close);
            throw e;
        }
        return new UprobeLinks(UprobeLinks.Kind.MULTI, links, probes.size());
    }

    /**
     * BPF_LINK_CREATE for uprobe_multi, offsets from linux/bpf.h: prog_fd @0, target_fd @4, attach_type @8,
     * flags @12, then uprobe_multi { path @16, offsets @24, ref_ctr_offsets @32, cookies @40, cnt @48,
     * flags @52, pid @56 }.
     */
    private static Attr multiAttr(int progFd, Memory path, Memory offsets, Memory cookies, int cnt, int flags,
                                  int pid) {
        return Attr.bpf()
                .u32(0, progFd)
                .u32(8, BPF_TRACE_UPROBE_MULTI)
                .ptr(16, path)
                .ptr(24, offsets)
                .ptr(40, cookies)
                .u32(48, cnt)
                .u32(52, flags)
                .u32(56, pid);
    }

    public static UprobeLinks attachEach(Program program, Path binary, List<Probe> probes, OptionalInt pid) {
        if (program.type() != ProgramType.KPROBE) {
            throw new BpfException(program + " must be loaded as " + ProgramType.KPROBE
                    + " to attach through perf events");
        }
        Path file = checkBinary(binary, probes);
        UprobePmu pmu = UprobePmu.read();
        Memory path = Attr.cString(file.toString());
        List<OwnedFd> links = new ArrayList<>();
        try {
            for (Probe p : probes) {
                int pfd = perfEventOpen(pmu, path, file, p, pid);
                try {
                    // BPF_LINK_CREATE for a perf event: prog_fd @0, target_fd @4, attach_type @8, flags @12,
                    // perf_event.bpf_cookie @16.
                    Attr a = Attr.bpf().u32(0, program.fd()).u32(4, pfd).u32(8, BPF_PERF_EVENT).u64(16, p.cookie());
                    long r = Bpf.callRaw(Bpf.LINK_CREATE, a);
                    if (r < 0) {
                        throw attachFailure(file, 1, p.ret(), pid, (int) -r);
                    }
                    links.add(new OwnedFd((int) r, "uprobe link on " + file + "+0x" + Long.toHexString(p.fileOffset())));
                    if (Libc.ioctl(pfd, PERF_EVENT_IOC_ENABLE, 0) < 0) {
                        throw BpfException.ofErrno("Enabling the uprobe perf event", Libc.errno());
                    }
                } finally {
                    // The link holds its own reference to the perf event, so one fd per probe is enough.
                    Libc.close(pfd);
                }
            }
        } catch (RuntimeException e) {
            links.forEach(OwnedFd::close);
            throw e;
        }
        return new UprobeLinks(UprobeLinks.Kind.PERF_EVENT, links, probes.size());
    }

    /**
     * perf_event_open on the uprobe PMU. struct perf_event_attr (linux/perf_event.h): type @0, size @4,
     * config @8 (the retprobe bit), config1 @56 (uprobe_path), config2 @64 (probe_offset). Without a pid the
     * event is opened on CPU 0 for all processes; the BPF program still runs on whichever CPU hits the probe.
     */
    private static int perfEventOpen(UprobePmu pmu, Memory path, Path file, Probe p, OptionalInt pid) {
        Attr attr = new Attr(PERF_ATTR_SIZE)
                .u32(0, pmu.type())
                .u32(4, PERF_ATTR_SIZE)
                .u64(8, p.ret() ? 1L << pmu.retprobeBit() : 0)
                .ptr(56, path)
                .u64(64, p.fileOffset());
        long r = Libc.syscall(Libc.SYS_PERF_EVENT_OPEN, com.sun.jna.Pointer.nativeValue(attr.mem),
                pid.isPresent() ? pid.getAsInt() : -1, pid.isPresent() ? -1 : 0, -1, PERF_FLAG_FD_CLOEXEC);
        if (r < 0) {
            throw attachFailure(file, 1, p.ret(), pid, Libc.errno());
        }
        return (int) r;
    }

    private static Path checkBinary(Path binary, List<Probe> probes) {
        if (probes.isEmpty()) {
            throw new BpfException("no uprobes to attach in " + binary);
        }
        Path file = binary.toAbsolutePath().normalize();
        if (!Files.isRegularFile(file)) {
            throw new BpfException("cannot attach uprobes to " + binary + ": it is not a regular file");
        }
        return file;
    }

    private static BpfException attachFailure(Path file, int n, boolean ret, OptionalInt pid, int errno) {
        String what = "Attaching " + n + " " + (ret ? "uretprobe" : "uprobe") + (n == 1 ? "" : "s") + " to " + file
                + (pid.isPresent() ? " for pid " + pid.getAsInt() : "");
        if (errno == Errno.ESRCH && pid.isPresent()) {
            return new BpfException(what + " failed: there is no process " + pid.getAsInt() + " (ESRCH)", errno, null);
        }
        if (errno == Errno.EINVAL) {
            return new BpfException(what + " failed: the kernel refused an offset (it must lie inside the file's"
                    + " code) or the program type (EINVAL)", errno, null);
        }
        return BpfException.ofErrno(what, errno);
    }
}
