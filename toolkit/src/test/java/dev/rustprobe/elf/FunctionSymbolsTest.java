// The columns of function symbols must hold exactly what the symbol stream gives (defined FUNC/IFUNC, named), in
// the same order, on sample-rust's builds, a C program, the JDK's libjava.so and rustc's own library.
package dev.rustprobe.elf;

import dev.rustprobe.testing.ExternalTools;
import dev.rustprobe.testing.SampleRust;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FunctionSymbolsTest {
    @TempDir
    static Path dir;

    @Test
    void columnsMatchTheSymbolStream() throws Exception {
        List<Path> binaries = new ArrayList<>();
        for (SampleRust.Variant v : SampleRust.Variant.values()) {
            binaries.add(SampleRust.binary(v));
        }
        binaries.add(ExternalTools.gcc(dir, "c", ElfFileTest.SOURCE, "-O1"));
        binaries.add(Path.of(System.getProperty("java.home"), "lib", "libjava.so"));
        Path lib = Path.of(ExternalTools.run("rustc", "--print", "sysroot").trim(), "lib");
        try (var files = Files.list(lib)) {
            files.filter(f -> f.getFileName().toString().startsWith("librustc_driver-")).forEach(binaries::add);
        }
        long compared = 0;
        for (Path binary : binaries) {
            ElfFile elf = ElfFile.open(binary);
            List<ElfSymbol> want = new ArrayList<>();
            elf.forEachSymbol(true, s -> {
                if (s.isFunction() && s.isDefined() && !s.name().isEmpty()) {
                    want.add(s);
                }
            });
            FunctionSymbols got = elf.functionSymbols();
            assertEquals(want.size(), got.count(), binary.toString());
            for (int i = 0; i < got.count(); i++) {
                ElfSymbol s = want.get(i);
                String where = binary + " symbol " + i;
                assertEquals(s.name(), got.name(i), where);
                assertEquals(s.value(), got.value(i), where);
                assertEquals(s.size(), got.size(i), where);
                assertEquals(s.binding(), got.binding(i), where);
                assertEquals(s.fromDynsym(), got.fromDynsym(i), where);
                assertEquals(s.name().getBytes(java.nio.charset.StandardCharsets.UTF_8).length,
                        got.nameEnd(i) - got.nameAt(i), where);
                assertTrue(i == 0 || got.sameName(i, i) && (got.sameName(i - 1, i) == s.name().equals(want.get(i - 1).name())), where);
                compared++;
            }
        }
        assertTrue(compared > 100_000, "only " + compared + " symbols compared");
    }
}
