// The few libc calls the trace package makes itself (signals to the traced command, its release pipe, the lease on
// the traced binary), through JNA.
package dev.rustprobe.trace;

import com.sun.jna.Library;
import com.sun.jna.Native;

final class Posix {
    static final int O_RDONLY = 0;
    static final int O_CLOEXEC = 0x80000;
    static final int F_SETSIG = 10;
    static final int F_SETLEASE = 1024;
    static final int F_GETLEASE = 1025;
    static final int F_RDLCK = 0;
    static final int F_UNLCK = 2;
    static final int SIGKILL = 9;
    /** Ignored by default: a lease break is then seen by polling F_GETLEASE, not by a signal that ends the JVM. */
    static final int SIGURG = 23;

    interface C extends Library {
        int kill(int pid, int signal);

        int pipe2(int[] fds, int flags);

        long write(int fd, byte[] buf, long count);

        int close(int fd);

        int open(String path, int flags);

        int fcntl(int fd, int cmd, int arg);
    }

    private static volatile C c;

    private Posix() {}

    static C c() {
        C l = c;
        if (l == null) {
            l = Native.load("c", C.class);
            c = l;
        }
        return l;
    }

    static int errno() {
        return Native.getLastError();
    }
}
