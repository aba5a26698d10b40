// Direct JNA bindings to the few libc entry points the module needs. Everything else (bpf, perf_event_open)
// goes through syscall(2) with the fixed x86_64 numbers.
package dev.rustprobe.bpf;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;

final class Libc {
    private Libc() {
    }

    static final long SYS_PERF_EVENT_OPEN = 298;
    static final long SYS_BPF = 321;

    static final int PROT_READ = 0x1;
    static final int PROT_WRITE = 0x2;
    static final int MAP_SHARED = 0x01;
    static final long MAP_FAILED = -1L;

    static final int EPOLL_CLOEXEC = 0x80000;
    static final int EPOLL_CTL_ADD = 1;
    static final int EPOLLIN = 0x001;

    static {
        if (!Platform.isLinux() || !Platform.isIntel() || !Platform.is64Bit()) {
            throw new BpfException("the bpf module runs on Linux x86_64 only (found " + System.getProperty("os.name")
                    + " " + System.getProperty("os.arch") + ")");
        }
        Native.register(Libc.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
    }

    static native long syscall(long number, long a1, long a2, long a3, long a4, long a5);

    static native int ioctl(int fd, long request, long arg);

    static native Pointer mmap(Pointer addr, long length, int prot, int flags, int fd, long offset);

    static native int munmap(Pointer addr, long length);

    static native int epoll_create1(int flags);

    static native int epoll_ctl(int epfd, int op, int fd, Pointer event);

    static native int epoll_wait(int epfd, Pointer events, int maxevents, int timeoutMillis);

    static native int close(int fd);

    static int errno() {
        return Native.getLastError();
    }
}
