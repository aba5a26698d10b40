// Random bytes through X86Decoder and ExitFinder: never an exception, never a read outside the buffer, always progress.
package dev.rustprobe.probe;

import dev.rustprobe.probe.Instruction.Flow;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class X86DecoderRobustnessTest {

    @Test
    void millionsOfRandomInstructions() {
        SplittableRandom random = new SplittableRandom(20261201);
        long decoded = 0, invalid = 0;
        for (int round = 0; round < 800; round++) {
            byte[] bytes = new byte[16_384 + random.nextInt(64)];
            random.nextBytes(bytes);
            // A buffer whose limit is smaller than its backing array: reading past the limit would not fail by
            // itself, so a read there would show as a length crossing the limit.
            int limit = bytes.length - random.nextInt(16);
            X86Decoder d = new X86Decoder(ByteBuffer.wrap(bytes, 0, limit).slice(), 0x1000);
            int off = 0;
            while (off < limit) {
                Instruction i = d.decode(off);
                assertTrue(i.length() >= 1 && i.length() <= 15, "length " + i.length() + " at " + off);
                assertTrue(off + i.length() <= limit, "instruction at " + off + " crosses the limit");
                assertEquals(0x1000 + off, i.address());
                if (i.flow() == Flow.INVALID) {
                    invalid++;
                }
                off += i.length();
                decoded++;
            }
            // Every start offset, not only those of a linear walk, including the last bytes before the limit.
            for (int s = limit - 20; s < limit; s++) {
                Instruction i = d.decode(s);
                assertTrue(s + i.length() <= limit);
            }
            ExitFinder.Scan scan = ExitFinder.scan(bytes, 0x1000, limit);
            assertTrue(scan.instructions() <= limit);
        }
        System.out.printf("random bytes: %d instructions decoded, %d INVALID%n", decoded, invalid);
        assertTrue(decoded > 4_000_000, decoded + " instructions");
    }

    @Test
    void truncatedAndOverlongAreInvalidNotExceptions() {
        X86Decoder d = new X86Decoder(new byte[] {(byte) 0xE8, 0, 0}, 0);
        assertEquals(Instruction.Invalid.TRUNCATED, d.decode(0).invalid());
        byte[] prefixes = new byte[20];
        java.util.Arrays.fill(prefixes, (byte) 0x66);
        assertEquals(Instruction.Invalid.TOO_LONG, new X86Decoder(prefixes, 0).decode(0).invalid());
        assertEquals(Flow.INVALID, new X86Decoder(new byte[] {1}, 0).decode(5).flow());
    }
}
