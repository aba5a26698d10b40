// A per-CPU array map: each CPU has its own copy of every slot, so programs update it without contention;
// user space reads all copies at once (value size rounded up to 8 bytes, one per possible CPU).
package dev.rustprobe.bpf;

import com.sun.jna.Memory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

public final class PerCpuArray<V> implements AutoCloseable {
    private final OwnedFd fd;
    private final String name;
    private final Codec<V> value;
    private final int entries;
    private final int cpus;
    private final int stride;

    private PerCpuArray(OwnedFd fd, String name, Codec<V> value, int entries) {
        this.fd = fd;
        this.name = name;
        this.value = value;
        this.entries = entries;
        this.cpus = possibleCpus();
        this.stride = (value.size() + 7) & ~7;
    }

    public static <V> PerCpuArray<V> create(String name, Codec<V> value, int entries) {
        return new PerCpuArray<>(BpfMap.createFd(MapType.PERCPU_ARRAY, name, 4, value.size(), entries), name, value,
                entries);
    }

    /** One value per possible CPU, in CPU order. */
    public List<V> lookup(int index) {
        checkIndex(index);
        Memory k = new Memory(4);
        k.setInt(0, index);
        Memory v = new Memory((long) stride * cpus);
        Bpf.call(Bpf.MAP_LOOKUP_ELEM, Attr.bpf().u32(0, fd.get()).ptr(8, k).ptr(16, v),
                "Reading per-CPU BPF map '" + name + "'");
        List<V> out = new ArrayList<>(cpus);
        for (int c = 0; c < cpus; c++) {
            out.add(value.read(v, (long) c * stride));
        }
        return out;
    }

    /** Sets slot index to the same value on every CPU. */
    public void update(int index, V v) {
        checkIndex(index);
        Memory k = new Memory(4);
        k.setInt(0, index);
        Memory vm = new Memory((long) stride * cpus);
        vm.clear();
        for (int c = 0; c < cpus; c++) {
            value.write(v, vm, (long) c * stride);
        }
        Bpf.call(Bpf.MAP_UPDATE_ELEM, Attr.bpf().u32(0, fd.get()).ptr(8, k).ptr(16, vm),
                "Writing per-CPU BPF map '" + name + "'");
    }

    private void checkIndex(int index) {
        if (index < 0 || index >= entries) {
            throw new BpfException("index " + index + " is outside per-CPU map '" + name + "' of " + entries + " slots");
        }
    }

    public int fd() {
        return fd.get();
    }

    public int cpus() {
        return cpus;
    }

    @Override
    public void close() {
        fd.close();
    }

    /** The number of CPUs the kernel may ever bring up: the bits set in /sys/devices/system/cpu/possible. */
    static int possibleCpus() {
        try {
            return parseCpuList(Files.readString(Path.of("/sys/devices/system/cpu/possible")).strip());
        } catch (IOException e) {
            throw new BpfException("cannot read /sys/devices/system/cpu/possible to size per-CPU maps: " + e.getMessage());
        }
    }

    /** Counts the CPUs in a kernel cpu list such as "0-3,8,10-11". */
    static int parseCpuList(String list) {
        int n = 0;
        for (String part : list.split(",")) {
            String p = part.strip();
            if (p.isEmpty()) {
                continue;
            }
            int dash = p.indexOf('-');
            if (dash < 0) {
                Integer.parseInt(p);
                n++;
            } else {
                n += Integer.parseInt(p.substring(dash + 1)) - Integer.parseInt(p.substring(0, dash)) + 1;
            }
        }
        if (n <= 0) {
            throw new BpfException("the kernel's list of possible CPUs '" + list + "' is empty");
        }
        return n;
    }
}
