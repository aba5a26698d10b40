// Watches what a trace depends on outside the kernel: the traced binary on disk (rewritten in place, or replaced by
// another file under its name) and the traced process (gone, or no longer running the binary after an exec).
package dev.rustprobe.trace;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.OptionalInt;

public final class TargetWatch implements AutoCloseable {
    /** What the trace loop must do about a change it was told of. */
    public record Change(boolean stop, String message) {}

    private record Identity(long dev, long ino, long size, FileTime mtime) {}

    private final Path binary;
    private final Identity original;
    private OptionalInt pid;
    /** An fd holding a read lease on the binary (-1 when the kernel refused one): a writer's open waits for us. */
    private int leaseFd = -1;
    private boolean replacedSaid;
    private boolean seenMapped;
    private int calls;

    private TargetWatch(Path binary, Identity original, OptionalInt pid) {
        this.binary = binary;
        this.original = original;
        this.pid = pid;
    }

    /**
     * Takes the binary's identity and a read lease on it. Uprobes sit at file offsets of an inode: a process started
     * from that file after it was rewritten in place would get breakpoints in the middle of its new code. The lease
     * makes a writer's open(2) wait (up to /proc/sys/fs/lease-break-time) until check() has seen it and the caller
     * has detached.
     */
    public static TargetWatch open(Path binary, OptionalInt pid) {
        TargetWatch w = new TargetWatch(binary, identity(binary), pid);
        int fd = Posix.c().open(binary.toString(), Posix.O_RDONLY | Posix.O_CLOEXEC);
        if (fd >= 0) {
            if (Posix.c().fcntl(fd, Posix.F_SETSIG, Posix.SIGURG) == 0
                    && Posix.c().fcntl(fd, Posix.F_SETLEASE, Posix.F_RDLCK) == 0) {
                w.leaseFd = fd;
            } else {
                Posix.c().close(fd); // no lease here (another writer, a file system without them): stat still tells
            }
        }
        return w;
    }

    /** Whether the file under binary's name is still the one open() saw, unchanged (probes attach by name). */
    public boolean unchanged() {
        return original != null && original.equals(identity(binary));
    }

    private static Identity identity(Path p) {
        try {
            return new Identity(((Number) Files.getAttribute(p, "unix:dev")).longValue(),
                    ((Number) Files.getAttribute(p, "unix:ino")).longValue(), Files.size(p),
                    Files.getLastModifiedTime(p));
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return null;
        }
    }

    /** Watches this process too: it exiting is the caller's business, it no longer mapping the binary is ours. */
    public void follow(int p) {
        pid = OptionalInt.of(p);
    }

    /** A probe fired, so the binary was mapped even if the process exec'd before check() could see it. */
    public void probesFired() {
        seenMapped = true;
    }

    public boolean leased() {
        return leaseFd >= 0;
    }

    /** Called on each turn of the trace loop; null when nothing changed. The file and process are read every 4th. */
    public Change check() {
        if (leaseFd >= 0 && Posix.c().fcntl(leaseFd, Posix.F_GETLEASE, 0) == Posix.F_UNLCK) {
            return new Change(true, "another process opened " + binary + " for writing: the probes were"
                    + " detached before it could change a byte (they sit at offsets of the old code); tracing stopped");
        }
        if (calls++ % 4 != 0) {
            return null;
        }
        Identity now = identity(binary);
        if (original != null && now != null && now.dev() == original.dev() && now.ino() == original.ino()
                && !now.equals(original)) {
            return new Change(true, binary + " was rewritten in place while traced: probes were detached, since"
                    + " they sit at offsets of the old code; tracing stopped");
        }
        if (original != null && !replacedSaid && (now == null || now.dev() != original.dev()
                || now.ino() != original.ino())) {
            replacedSaid = true;
            return new Change(false, binary + (now == null ? " was removed" : " now names another file")
                    + " while traced: the probes stay on the old file, which processes already running it still run;"
                    + " processes started from the new file are not traced");
        }
        return pid.isPresent() ? execCheck(pid.getAsInt()) : null;
    }

    /** After the process has mapped the binary, its disappearance means an exec (or an unload). */
    private Change execCheck(int p) {
        if (original == null || !running(p)) {
            return null; // gone or a zombie: the caller's exit check says so
        }
        String maps;
        try {
            maps = Files.readString(Path.of("/proc", Integer.toString(p), "maps"));
        } catch (IOException e) {
            return null;
        }
        boolean mapped = maps(maps, original.dev(), original.ino());
        if (mapped) {
            seenMapped = true;
            return null;
        }
        if (!seenMapped || !running(p)) {
            return null;
        }
        String exe;
        try {
            exe = Files.readSymbolicLink(Path.of("/proc", Integer.toString(p), "exe")).toString();
        } catch (IOException e) {
            exe = "another program";
        }
        return new Change(true, "pid " + p + " no longer runs " + binary + " (it exec'd " + exe
                + "): the probes cannot fire there any more; tracing stopped, the process runs on");
    }

    /** Whether maps (the text of /proc/PID/maps) has a mapping of the file dev:ino. */
    static boolean maps(String maps, long dev, long ino) {
        String devText = String.format("%02x:%02x", major(dev), minor(dev));
        String inoText = " " + ino + " ";
        for (String line : maps.split("\n")) {
            int d = line.indexOf(devText);
            if (d > 0 && line.startsWith(inoText, d + devText.length())) {
                return true;
            }
        }
        return false;
    }

    private static long major(long dev) {
        return ((dev >>> 8) & 0xfff) | ((dev >>> 32) & ~0xfffL);
    }

    private static long minor(long dev) {
        return (dev & 0xff) | ((dev >>> 12) & ~0xffL);
    }

    /** The process exists and is not a zombie. */
    public static boolean running(int p) {
        try {
            String s = Files.readString(Path.of("/proc", Integer.toString(p), "stat"));
            int close = s.lastIndexOf(')');
            char state = close > 0 && close + 2 < s.length() ? s.charAt(close + 2) : '?';
            return state != 'Z' && state != 'X' && state != 'x';
        } catch (IOException e) {
            return false;
        }
    }

    /** Gives the lease back, which lets a waiting writer go on: call it only after the probes are detached. */
    @Override
    public void close() {
        if (leaseFd >= 0) {
            Posix.c().fcntl(leaseFd, Posix.F_SETLEASE, Posix.F_UNLCK);
            Posix.c().close(leaseFd);
            leaseFd = -1;
        }
    }
}
