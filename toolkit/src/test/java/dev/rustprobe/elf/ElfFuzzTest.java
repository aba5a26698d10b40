// Fuzzing the ELF reader over whole files: Jazzer's @FuzzTest (regression inputs in the suite, coverage-guided in
// bench/fuzz) and a seeded mutation loop over real small libraries; only ElfException may escape (FuzzOracle).
package dev.rustprobe.elf;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.rustprobe.testing.FuzzOracle;
import dev.rustprobe.testing.FuzzSeeds;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertTrue;

class ElfFuzzTest {
    /** Every query the reader offers, forced: headers, symbols, notes, every section's (decompressed) bytes. */
    static void readEverything(byte[] bytes) {
        ElfFile f = ElfFile.of("fuzz.elf", ByteBuffer.wrap(bytes));
        f.segments().size();
        f.hasSymtab();
        f.hasDwarf();
        f.buildId();
        f.debugLink();
        f.crc32();
        f.fileOffsetOf(f.entry());
        f.isExecutableAddress(f.entry());
        f.sectionAt(f.entry());
        int[] n = {0};
        f.forEachSymbol(true, s -> {
            if (n[0]++ < 64) {
                f.fileOffsetOf(s.value());
                f.sectionAt(s.value());
            }
        });
        f.symbols();
        for (String name : f.sectionNames()) {
            f.section(name).filter(b -> b.limit() > 0).ifPresent(b -> b.get(b.limit() - 1));
        }
        for (Section s : f.sections()) {
            if (s.hasFileData()) {
                f.raw(s);
            }
        }
    }

    @FuzzTest(maxDuration = "30s")
    void wholeFile(byte[] data) {
        FuzzOracle.check(data, ElfFuzzTest::readEverything, ElfException.class);
    }

    @Test
    void mutatedLibrariesRaiseOnlyElfException() {
        FuzzOracle.Loop loop = FuzzOracle.mutate("ElfFuzzTest/wholeFile", FuzzSeeds.smallLibraries(), 0xe1f, Duration.ofSeconds(4), 20_000,
                ElfFuzzTest::readEverything, ElfException.class);
        assertTrue(loop.rejected() > 0 && loop.rejected() < loop.inputs(), loop.toString());
    }
}
