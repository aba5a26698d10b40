// Every failure to read an ELF file: the message names the file and says what is wrong with it.
package dev.rustprobe.elf;

import dev.rustprobe.RustprobeException;

public final class ElfException extends RustprobeException {
    public ElfException(String message) {
        super(message);
    }

    public ElfException(String message, Throwable cause) {
        super(message, cause);
    }
}
