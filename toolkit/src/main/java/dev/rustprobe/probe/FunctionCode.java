// A function's machine code, read from the section that holds it: what the exit finder, the unwind-safety search
// and explain decode.
package dev.rustprobe.probe;

import dev.rustprobe.elf.ElfFile;
import dev.rustprobe.elf.Section;

import java.nio.ByteBuffer;
import java.util.Optional;

public final class FunctionCode {
    private FunctionCode() {}

    /** The bytes of [address, address + size); null when not all of them are in the file. */
    public static byte[] read(ElfFile elf, long address, long size) {
        Optional<Section> s = elf.sectionAt(address);
        if (s.isEmpty() || !s.get().hasFileData() || size <= 0 || size > Integer.MAX_VALUE
                || address + size > s.get().address() + s.get().size()) {
            return null;
        }
        ByteBuffer raw = elf.raw(s.get());
        byte[] out = new byte[(int) size];
        raw.get((int) (address - s.get().address()), out);
        return out;
    }
}
