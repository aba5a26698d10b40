// A typed kernel map (array, hash, LRU hash) with lookup, update, delete and key iteration from Java.
// Programs refer to it by fd() through Asm.ldMapFd.
package dev.rustprobe.bpf;

import com.sun.jna.Memory;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

public final class BpfMap<K, V> implements AutoCloseable {
    /** BPF_ANY, BPF_NOEXIST, BPF_EXIST from linux/bpf.h. */
    public enum Update {
        ANY(0), NOEXIST(1), EXIST(2);

        final long flag;

        Update(long flag) {
            this.flag = flag;
        }
    }

    private final OwnedFd fd;
    private final MapType type;
    private final String name;
    private final Codec<K> key;
    private final Codec<V> value;
    private final int maxEntries;

    private BpfMap(OwnedFd fd, MapType type, String name, Codec<K> key, Codec<V> value, int maxEntries) {
        this.fd = fd;
        this.type = type;
        this.name = name;
        this.key = key;
        this.value = value;
        this.maxEntries = maxEntries;
    }

    public static <V> BpfMap<Integer, V> array(String name, Codec<V> value, int entries) {
        return create(MapType.ARRAY, name, Codec.U32, value, entries);
    }

    public static <K, V> BpfMap<K, V> hash(String name, Codec<K> key, Codec<V> value, int maxEntries) {
        return create(MapType.HASH, name, key, value, maxEntries);
    }

    public static <K, V> BpfMap<K, V> lruHash(String name, Codec<K> key, Codec<V> value, int maxEntries) {
        return create(MapType.LRU_HASH, name, key, value, maxEntries);
    }

    static <K, V> BpfMap<K, V> create(MapType type, String name, Codec<K> key, Codec<V> value, int maxEntries) {
        OwnedFd fd = createFd(type, name, key.size(), value.size(), maxEntries);
        return new BpfMap<>(fd, type, name, key, value, maxEntries);
    }

    /**
     * BPF_MAP_CREATE attr, offsets from linux/bpf.h: map_type @0, key_size @4, value_size @8, max_entries @12,
     * map_flags @16, inner_map_fd @20, numa_node @24, map_name[16] @28.
     */
    static OwnedFd createFd(MapType type, String name, int keySize, int valueSize, int maxEntries) {
        if (maxEntries <= 0) {
            throw new BpfException("BPF map '" + name + "' needs at least one entry, not " + maxEntries);
        }
        Attr a = Attr.bpf()
                .u32(0, type.kernelType)
                .u32(4, keySize)
                .u32(8, valueSize)
                .u32(12, maxEntries)
                .name(28, sanitize(name));
        return Bpf.callForFd(Bpf.MAP_CREATE, a, "Creating BPF map '" + name + "' (" + type + ")",
                "BPF map '" + name + "'");
    }

    static String sanitize(String name) {
        String s = name.replaceAll("[^A-Za-z0-9_.]", "_");
        return s.length() > 15 ? s.substring(0, 15) : s;
    }

    public Optional<V> lookup(K k) {
        Memory km = encode(key, k);
        Memory vm = new Memory(value.size());
        long r = Bpf.callRaw(Bpf.MAP_LOOKUP_ELEM, elemAttr(km, vm, 0));
        if (r == -Errno.ENOENT) {
            return Optional.empty();
        }
        if (r < 0) {
            throw BpfException.ofErrno("Reading BPF map '" + name + "'", (int) -r);
        }
        return Optional.of(value.read(vm, 0));
    }

    public void update(K k, V v) {
        update(k, v, Update.ANY);
    }

    public void update(K k, V v, Update mode) {
        Bpf.call(Bpf.MAP_UPDATE_ELEM, elemAttr(encode(key, k), encode(value, v), mode.flag),
                "Writing BPF map '" + name + "'");
    }

    /** Removes k; false when it was not there. Array maps cannot delete (the kernel says EINVAL). */
    public boolean delete(K k) {
        long r = Bpf.callRaw(Bpf.MAP_DELETE_ELEM, elemAttr(encode(key, k), null, 0));
        if (r == -Errno.ENOENT) {
            return false;
        }
        if (r < 0) {
            throw BpfException.ofErrno("Deleting from BPF map '" + name + "'", (int) -r);
        }
        return true;
    }

    /** Every key, walked with BPF_MAP_GET_NEXT_KEY (attr: map_fd @0, key @8, next_key @16). */
    public List<K> keys() {
        List<K> out = new ArrayList<>();
        Memory cur = null;
        while (true) {
            Memory next = new Memory(key.size());
            long r = Bpf.callRaw(Bpf.MAP_GET_NEXT_KEY, elemAttr(cur, next, 0));
            if (r == -Errno.ENOENT) {
                return out;
            }
            if (r < 0) {
                throw BpfException.ofErrno("Listing the keys of BPF map '" + name + "'", (int) -r);
            }
            out.add(key.read(next, 0));
            cur = next;
            if (out.size() > maxEntries) {
                // A hash map changing under us can restart the walk; stop rather than loop.
                return out;
            }
        }
    }

    /** Element ops attr: map_fd @0, key @8, value (or next_key) @16, flags @24. */
    private Attr elemAttr(Memory k, Memory v, long flags) {
        return Attr.bpf().u32(0, fd.get()).ptr(8, k).ptr(16, v).u64(24, flags);
    }

    private static <T> Memory encode(Codec<T> codec, T t) {
        Memory m = new Memory(codec.size());
        codec.write(t, m, 0);
        return m;
    }

    public int fd() {
        return fd.get();
    }

    public MapType type() {
        return type;
    }

    public String name() {
        return name;
    }

    public int maxEntries() {
        return maxEntries;
    }

    @Override
    public void close() {
        fd.close();
    }
}
