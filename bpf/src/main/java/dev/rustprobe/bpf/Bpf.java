// The bpf(2) system call and its command numbers (enum bpf_cmd in linux/bpf.h). Callers build the attr image;
// this class makes the call and turns a failure into a BpfException naming what was being done.
package dev.rustprobe.bpf;

final class Bpf {
    private Bpf() {
    }

    static final int MAP_CREATE = 0;
    static final int MAP_LOOKUP_ELEM = 1;
    static final int MAP_UPDATE_ELEM = 2;
    static final int MAP_DELETE_ELEM = 3;
    static final int MAP_GET_NEXT_KEY = 4;
    static final int PROG_LOAD = 5;
    static final int PROG_GET_NEXT_ID = 11;
    static final int MAP_GET_NEXT_ID = 12;
    static final int PROG_GET_FD_BY_ID = 13;
    static final int MAP_GET_FD_BY_ID = 14;
    static final int OBJ_GET_INFO_BY_FD = 15;
    static final int LINK_CREATE = 28;
    static final int LINK_GET_FD_BY_ID = 30;
    static final int LINK_GET_NEXT_ID = 31;

    /** Raw call: the result, or -errno on failure (so callers can treat ENOENT and friends as normal). */
    static long callRaw(int cmd, Attr attr) {
        long r = Libc.syscall(Libc.SYS_BPF, cmd, com.sun.jna.Pointer.nativeValue(attr.mem), attr.mem.size(), 0, 0);
        if (r >= 0) {
            return r;
        }
        int errno = Libc.errno();
        // A failure with errno unset should not happen; never let it pass for success (fd 0).
        return errno > 0 ? -errno : -Errno.EINVAL;
    }

    static long call(int cmd, Attr attr, String doing) {
        long r = callRaw(cmd, attr);
        if (r < 0) {
            throw BpfException.ofErrno(doing, (int) -r);
        }
        return r;
    }

    static OwnedFd callForFd(int cmd, Attr attr, String doing, String what) {
        return new OwnedFd((int) call(cmd, attr, doing), what);
    }

    /**
     * BPF_OBJ_GET_INFO_BY_FD: struct { __u32 bpf_fd @0; __u32 info_len @4; __aligned_u64 info @8; } info.
     * Fills an info struct (bpf_prog_info, bpf_map_info, bpf_link_info) of the given size.
     */
    static Attr objInfo(int fd, int infoSize) {
        Attr info = new Attr(infoSize);
        Attr a = Attr.bpf().u32(0, fd).u32(4, infoSize).ptr(8, info.mem);
        call(OBJ_GET_INFO_BY_FD, a, "Reading the kernel's information about a BPF object");
        return info;
    }
}
