// Inflates SHF_COMPRESSED sections (ELFCOMPRESS_ZLIB, ELFCOMPRESS_ZSTD) and legacy .zdebug_* sections,
// refusing sizes a damaged header could claim so that a bad file cannot make us allocate gigabytes.
package dev.rustprobe.elf;

import io.airlift.compress.MalformedInputException;
import io.airlift.compress.zstd.ZstdDecompressor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

final class SectionDecompressor {
    static final int ELFCOMPRESS_ZLIB = 1;
    static final int ELFCOMPRESS_ZSTD = 2;
    private static final int CHDR64_SIZE = 24;
    /** zlib cannot exceed about 1032:1; zstd can, but not on DWARF. Anything beyond this is a damaged header. */
    private static final long MAX_RATIO = 4096;

    private SectionDecompressor() {
    }

    static ByteBuffer decompress(ElfFile file, Section s, ByteBuffer raw) {
        String where = file.displayName() + ": section " + ElfFile.label(s);
        if (raw.remaining() < CHDR64_SIZE) {
            throw new ElfException(where + " is compressed but too short for its compression header");
        }
        int type = raw.getInt(0);
        long size = raw.getLong(8);
        ByteBuffer payload = raw.slice(CHDR64_SIZE, raw.remaining() - CHDR64_SIZE);
        int outSize = plausibleSize(where, size, payload.remaining());
        byte[] out = switch (type) {
            case ELFCOMPRESS_ZLIB -> inflate(where, payload, outSize);
            case ELFCOMPRESS_ZSTD -> unzstd(where, payload, outSize);
            default -> throw new ElfException(where + " uses unknown compression type " + type + " (known: 1 zlib, 2 zstd)");
        };
        return ByteBuffer.wrap(out).asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** GNU's older scheme: "ZLIB", the size as 8 big-endian bytes, then a zlib stream. */
    static ByteBuffer legacyZdebug(ElfFile file, Section s, ByteBuffer raw) {
        String where = file.displayName() + ": section " + ElfFile.label(s);
        if (raw.remaining() < 12 || raw.get(0) != 'Z' || raw.get(1) != 'L' || raw.get(2) != 'I' || raw.get(3) != 'B') {
            throw new ElfException(where + " lacks its ZLIB header");
        }
        long size = raw.duplicate().order(ByteOrder.BIG_ENDIAN).getLong(4);
        ByteBuffer payload = raw.slice(12, raw.remaining() - 12);
        byte[] out = inflate(where, payload, plausibleSize(where, size, payload.remaining()));
        return ByteBuffer.wrap(out).asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    private static int plausibleSize(String where, long size, long compressed) {
        if (size < 0 || size > Integer.MAX_VALUE - 16 || size > compressed * MAX_RATIO + (1 << 20)) {
            throw new ElfException(where + " claims an implausible uncompressed size of " + Long.toUnsignedString(size)
                    + " bytes from " + compressed + " compressed bytes");
        }
        return (int) size;
    }

    private static byte[] inflate(String where, ByteBuffer payload, int size) {
        byte[] out = new byte[size];
        Inflater inflater = new Inflater();
        try {
            inflater.setInput(payload.duplicate());
            int n = 0;
            while (n < size && !inflater.finished()) {
                int got = inflater.inflate(out, n, size - n);
                if (got == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    break;
                }
                n += got;
            }
            if (n != size) {
                throw new ElfException(where + " is damaged: zlib data ends after " + n + " of " + size + " bytes");
            }
            return out;
        } catch (DataFormatException e) {
            throw new ElfException(where + " is damaged: invalid zlib data (" + e.getMessage() + ")");
        } finally {
            inflater.end();
        }
    }

    private static byte[] unzstd(String where, ByteBuffer payload, int size) {
        byte[] in = new byte[payload.remaining()];
        payload.duplicate().get(in);
        byte[] out = new byte[size];
        int n;
        try {
            n = new ZstdDecompressor().decompress(in, 0, in.length, out, 0, out.length);
        } catch (MalformedInputException | IllegalStateException | IndexOutOfBoundsException | IllegalArgumentException e) {
            // aircompressor reports damaged input with any of these (IllegalStateException for frame headers)
            throw new ElfException(where + " is damaged: invalid zstd data (" + e.getMessage() + ")");
        }
        if (n != size) {
            throw new ElfException(where + " is damaged: zstd data gives " + n + " bytes, the header says " + size);
        }
        return out;
    }
}
