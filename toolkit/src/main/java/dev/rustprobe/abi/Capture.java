// The machine state a probe recorded at one site, as the decoder reads it. Implemented by the tracer (from a
// BPF ring-buffer record) and by tests (from gdb captures), so decoding is tested without a kernel.
package dev.rustprobe.abi;

import java.util.OptionalLong;

public interface Capture {
    /** A general-purpose register's 64-bit value by its x86_64 name ("rdi", "rsp", "rax"), if it was recorded. */
    OptionalLong register(String name);

    /**
     * The bytes at [address, address+length) if they were recorded; a shorter array when only a prefix was
     * (a string clamped to --max-bytes), or null when nothing at that address was recorded or readable.
     */
    byte[] memory(long address, int length);

    /**
     * Runtime address minus link-time address of the traced binary (its PIE load bias), so link-time addresses
     * from DWARF (vtables naming a &dyn value's concrete type) can be matched; 0 for a non-PIE binary.
     */
    default long loadBias() {
        return 0;
    }
}
