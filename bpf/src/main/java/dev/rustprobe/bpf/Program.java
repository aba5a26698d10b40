// A program loaded into the kernel (BPF_PROG_LOAD). A rejection by the verifier becomes a BpfException carrying
// the verifier log; the program lives until close() and until every link using it is gone.
package dev.rustprobe.bpf;

import com.sun.jna.Memory;
import dev.rustprobe.bpf.asm.Asm;
import dev.rustprobe.bpf.asm.Insn;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Pattern;

public final class Program implements AutoCloseable {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.]{1,15}");
    /** Largest verifier log we ask for; the kernel caps a log at UINT_MAX >> 2 anyway. */
    private static final int MAX_LOG = 64 << 20;
    private static final int LOG_LINES_IN_MESSAGE = 25;

    private final OwnedFd fd;
    private final ProgramType type;
    private final String name;
    private final int insnCount;

    private Program(OwnedFd fd, ProgramType type, String name, int insnCount) {
        this.fd = fd;
        this.type = type;
        this.name = name;
        this.insnCount = insnCount;
    }

    /**
     * Loads a program. name is what the kernel lists (bpftool prog, /proc/PID/fdinfo): 1-15 characters of
     * [A-Za-z0-9_.]. license must be GPL-compatible for the tracing helpers ("GPL").
     */
    public static Program load(ProgramType type, List<Insn> insns, String license, String name) {
        if (!NAME.matcher(name).matches()) {
            throw new BpfException("BPF program name '" + name + "' must be 1-15 characters of letters, digits, '_' or '.'");
        }
        if (insns.isEmpty()) {
            throw new BpfException("BPF program '" + name + "' has no instructions");
        }
        byte[] code = Asm.encode(insns);
        Memory insnMem = new Memory(code.length);
        insnMem.write(0, code, 0, code.length);
        Memory lic = Attr.cString(license);

        // First without a log: verification is faster and most programs pass.
        long r = Bpf.callRaw(Bpf.PROG_LOAD, loadAttr(type, insns.size(), insnMem, lic, name, null, 0));
        if (r >= 0) {
            return new Program(new OwnedFd((int) r, "BPF program '" + name + "'"), type, name, insns.size());
        }
        int errno = (int) -r;
        if (errno != Errno.EACCES && errno != Errno.EINVAL && errno != Errno.E2BIG) {
            throw BpfException.ofErrno("Loading BPF program '" + name + "'", errno);
        }
        // Load again with a verifier log, growing the buffer while the kernel says it was too small.
        for (int logSize = 1 << 20; ; logSize <<= 2) {
            Memory log = new Memory(logSize);
            log.clear(Math.min(logSize, 16));
            r = Bpf.callRaw(Bpf.PROG_LOAD, loadAttr(type, insns.size(), insnMem, lic, name, log, logSize));
            if (r >= 0) {
                // Accepted on the second try (a transient failure); keep it.
                return new Program(new OwnedFd((int) r, "BPF program '" + name + "'"), type, name, insns.size());
            }
            int e = (int) -r;
            if (e == Errno.ENOSPC && logSize < MAX_LOG) {
                continue;
            }
            String text = readLog(log, logSize);
            if (text.isBlank()) {
                throw BpfException.ofErrno("Loading BPF program '" + name + "' (" + type + ")", e);
            }
            throw new BpfException("The kernel verifier rejected BPF program '" + name + "' (" + Errno.name(e)
                    + "); the end of its log:\n" + tail(text), e, text);
        }
    }

    /**
     * BPF_PROG_LOAD attr, offsets from linux/bpf.h: prog_type @0, insn_cnt @4, insns @8, license @16,
     * log_level @24, log_size @28, log_buf @32, kern_version @40, prog_flags @44, prog_name[16] @48,
     * prog_ifindex @64, expected_attach_type @68.
     */
    private static Attr loadAttr(ProgramType type, int count, Memory insns, Memory license, String name,
                                 Memory log, int logSize) {
        Attr a = Attr.bpf()
                .u32(0, type.kernelType)
                .u32(4, count)
                .ptr(8, insns)
                .ptr(16, license)
                .name(48, name)
                .u32(68, type.expectedAttachType);
        if (log != null) {
            a.u32(24, 1).u32(28, logSize).ptr(32, log);
        }
        return a;
    }

    private static String readLog(Memory log, int size) {
        byte[] b = log.getByteArray(0, size);
        int n = 0;
        while (n < b.length && b[n] != 0) {
            n++;
        }
        return new String(b, 0, n, StandardCharsets.UTF_8).strip();
    }

    private static String tail(String log) {
        String[] lines = log.split("\n");
        int from = Math.max(0, lines.length - LOG_LINES_IN_MESSAGE);
        return String.join("\n", java.util.Arrays.asList(lines).subList(from, lines.length));
    }

    public int fd() {
        return fd.get();
    }

    public ProgramType type() {
        return type;
    }

    public String name() {
        return name;
    }

    public int insnCount() {
        return insnCount;
    }

    /** The kernel's id for this program (bpf_prog_info.id @4), as listed by KernelObjects.programs(). */
    public int id() {
        return Bpf.objInfo(fd.get(), KernelObjects.PROG_INFO_SIZE).u32(4);
    }

    @Override
    public void close() {
        fd.close();
    }

    @Override
    public String toString() {
        return "BPF program '" + name + "' (" + type + ", " + insnCount + " insns)";
    }
}
