// Names of the errno values the bpf, perf_event_open, mmap and epoll calls return, and what each one
// means for someone running a tracer.
package dev.rustprobe.bpf;

final class Errno {
    private Errno() {
    }

    static final int EPERM = 1;
    static final int ENOENT = 2;
    static final int ESRCH = 3;
    static final int EINTR = 4;
    static final int E2BIG = 7;
    static final int EBADF = 9;
    static final int EAGAIN = 11;
    static final int ENOMEM = 12;
    static final int EACCES = 13;
    static final int EFAULT = 14;
    static final int EBUSY = 16;
    static final int EEXIST = 17;
    static final int ENODEV = 19;
    static final int EINVAL = 22;
    static final int EMFILE = 24;
    static final int ENOSPC = 28;
    static final int ENOSYS = 38;
    static final int EOPNOTSUPP = 95;
    /** Kernel-internal "not supported" that bpf() lets through to user space. */
    static final int ENOTSUPP = 524;

    static String name(int errno) {
        return switch (errno) {
            case EPERM -> "EPERM";
            case ENOENT -> "ENOENT";
            case ESRCH -> "ESRCH";
            case EINTR -> "EINTR";
            case E2BIG -> "E2BIG";
            case EBADF -> "EBADF";
            case EAGAIN -> "EAGAIN";
            case ENOMEM -> "ENOMEM";
            case EACCES -> "EACCES";
            case EFAULT -> "EFAULT";
            case EBUSY -> "EBUSY";
            case EEXIST -> "EEXIST";
            case ENODEV -> "ENODEV";
            case EINVAL -> "EINVAL";
            case EMFILE -> "EMFILE";
            case ENOSPC -> "ENOSPC";
            case ENOSYS -> "ENOSYS";
            case EOPNOTSUPP -> "EOPNOTSUPP";
            case ENOTSUPP -> "ENOTSUPP";
            default -> "errno " + errno;
        };
    }

    static String hint(int errno) {
        return switch (errno) {
            case EPERM, EACCES -> "tracing with eBPF needs root, or CAP_BPF and CAP_PERFMON";
            case ENOSYS -> "this kernel has no bpf() system call (built without CONFIG_BPF_SYSCALL)";
            case ENOMEM -> "the kernel could not allocate memory for it (check the memlock limit, ulimit -l)";
            case EMFILE -> "too many open files; raise the limit with ulimit -n";
            case E2BIG -> "the request is too large for this kernel";
            case ENOENT -> "the object does not exist (any more)";
            case ESRCH -> "no such process";
            case EBADF -> "a file descriptor was not valid for this call";
            case EBUSY -> "the target is busy";
            case ENODEV -> "the kernel has no such device or event type";
            case EOPNOTSUPP, ENOTSUPP -> "this kernel does not support the operation";
            case EINVAL -> "the kernel rejected the arguments (this kernel may not support the feature)";
            case EFAULT -> "the kernel could not read or write the memory we passed";
            case EINTR -> "interrupted by a signal";
            default -> "the kernel refused";
        };
    }
}
