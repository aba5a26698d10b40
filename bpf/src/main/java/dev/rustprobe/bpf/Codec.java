// How a Java value is laid out as a map key or value: a fixed size and little-endian (host order) bytes.
package dev.rustprobe.bpf;

import com.sun.jna.Pointer;

public interface Codec<T> {
    int size();

    void write(T value, Pointer to, long offset);

    T read(Pointer from, long offset);

    Codec<Integer> U32 = new Codec<>() {
        public int size() {
            return 4;
        }

        public void write(Integer v, Pointer to, long off) {
            to.setInt(off, v);
        }

        public Integer read(Pointer from, long off) {
            return from.getInt(off);
        }
    };

    Codec<Long> U64 = new Codec<>() {
        public int size() {
            return 8;
        }

        public void write(Long v, Pointer to, long off) {
            to.setLong(off, v);
        }

        public Long read(Pointer from, long off) {
            return from.getLong(off);
        }
    };

    /** Raw bytes of exactly n bytes (a struct the caller lays out itself). */
    static Codec<byte[]> bytes(int n) {
        return new Codec<>() {
            public int size() {
                return n;
            }

            public void write(byte[] v, Pointer to, long off) {
                if (v.length != n) {
                    throw new BpfException("a map entry of " + n + " bytes cannot hold " + v.length + " bytes");
                }
                to.write(off, v, 0, n);
            }

            public byte[] read(Pointer from, long off) {
                return from.getByteArray(off, n);
            }
        };
    }
}
