// The bpf module's one failure type: its message is a sentence a user can act on, ending with the errno name
// when a system call failed. A verifier rejection also carries the kernel's full verifier log.
package dev.rustprobe.bpf;

import java.util.Optional;

public final class BpfException extends RuntimeException {
    private final int errno;
    private final String verifierLog;

    public BpfException(String message) {
        this(message, 0, null);
    }

    BpfException(String message, int errno, String verifierLog) {
        super(message);
        this.errno = errno;
        this.verifierLog = verifierLog;
    }

    /** A failed system call: what we were doing, and the hint that errno gives in that context. */
    static BpfException ofErrno(String doing, int errno) {
        return new BpfException(doing + " failed: " + Errno.hint(errno) + " (" + Errno.name(errno) + ")", errno, null);
    }

    /** The errno of the failed system call, or 0 when the failure was not a system call. */
    public int errno() {
        return errno;
    }

    /** The kernel verifier's log, present when the verifier rejected a program. */
    public Optional<String> verifierLog() {
        return Optional.ofNullable(verifierLog);
    }
}
