// Kernel helper functions a program may call, with their stable numbers from enum bpf_func_id
// in the kernel UAPI header linux/bpf.h.
package dev.rustprobe.bpf.asm;

public enum Helper {
    MAP_LOOKUP_ELEM(1),
    MAP_UPDATE_ELEM(2),
    MAP_DELETE_ELEM(3),
    PROBE_READ(4),
    KTIME_GET_NS(5),
    TRACE_PRINTK(6),
    GET_PRANDOM_U32(7),
    GET_SMP_PROCESSOR_ID(8),
    GET_CURRENT_PID_TGID(14),
    GET_CURRENT_UID_GID(15),
    GET_CURRENT_COMM(16),
    PERF_EVENT_OUTPUT(25),
    GET_STACKID(27),
    PROBE_READ_STR(45),
    PROBE_READ_USER(112),
    PROBE_READ_KERNEL(113),
    PROBE_READ_USER_STR(114),
    PROBE_READ_KERNEL_STR(115),
    KTIME_GET_BOOT_NS(125),
    RINGBUF_OUTPUT(130),
    RINGBUF_RESERVE(131),
    RINGBUF_SUBMIT(132),
    RINGBUF_DISCARD(133),
    RINGBUF_QUERY(134),
    GET_FUNC_IP(173),
    GET_ATTACH_COOKIE(174);

    private final int id;

    Helper(int id) {
        this.id = id;
    }

    public int id() {
        return id;
    }
}
