// A file descriptor this process owns (a map, program, link, perf event or epoll instance); closing it is
// idempotent, and the kernel frees the object once nothing else references it.
package dev.rustprobe.bpf;

import java.util.concurrent.atomic.AtomicInteger;

public final class OwnedFd implements AutoCloseable {
    private final AtomicInteger fd;
    private final String what;

    OwnedFd(int fd, String what) {
        this.fd = new AtomicInteger(fd);
        this.what = what;
        Lifetime.register(this);
    }

    /** The raw descriptor; fails when closed, so a stale fd number is never handed to the kernel. */
    public int get() {
        int f = fd.get();
        if (f < 0) {
            throw new BpfException(what + " is already closed");
        }
        return f;
    }

    public boolean isOpen() {
        return fd.get() >= 0;
    }

    @Override
    public void close() {
        int f = fd.getAndSet(-1);
        if (f >= 0) {
            Libc.close(f);
            Lifetime.unregister(this);
        }
    }

    @Override
    public String toString() {
        return what + " fd " + fd.get();
    }
}
