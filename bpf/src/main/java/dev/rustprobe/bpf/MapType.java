// The map kinds this module creates, with their numbers from enum bpf_map_type in linux/bpf.h.
package dev.rustprobe.bpf;

public enum MapType {
    HASH(1),
    ARRAY(2),
    PERCPU_ARRAY(6),
    LRU_HASH(9),
    RINGBUF(27);

    final int kernelType;

    MapType(int kernelType) {
        this.kernelType = kernelType;
    }

    public int kernelType() {
        return kernelType;
    }
}
