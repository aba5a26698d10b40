// ls takes its inline-site counts from the DWARF skim and explain parses only the units that hold a function's
// sites; both must agree with the full list of every inlined call of every unit, also when abstract origins sit in
// other units (DW_FORM_ref_addr, which a fat-LTO build of sample-rust has by the ten thousand).
package dev.rustprobe.index;

import dev.rustprobe.dwarf.Dwarf;
import dev.rustprobe.dwarf.InlinedCall;
import dev.rustprobe.testing.ExternalTools;
import dev.rustprobe.testing.SampleRust;
import dev.rustprobe.testing.SampleRust.Variant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SkimSiteCountsTest {
    /** Per origin path, "file:line:column@offset" of every inlined call, from parsing every unit. */
    private static Map<String, List<String>> fullList(Path bin) {
        IndexedBinary binary = IndexedBinary.open(bin);
        Map<String, List<String>> out = new TreeMap<>();
        for (InlinedCall c : Dwarf.open(binary.elf()).inlinedCalls()) {
            String origin = DwarfDebugInfo.pathOf(c.origin().linkageName(), c.origin().qualifiedName());
            out.computeIfAbsent(origin, k -> new ArrayList<>()).add(c.callFile() + ":" + c.callLine() + ":" + c.callColumn());
        }
        out.values().forEach(l -> l.sort(null));
        return out;
    }

    private static void assertSkimMatchesFullList(Path bin) {
        Map<String, List<String>> full = fullList(bin);
        DebugInfo debug = IndexedBinary.open(bin).debugInfo();
        Map<String, Integer> fullCounts = new TreeMap<>();
        full.forEach((k, v) -> fullCounts.put(k, v.size()));
        assertEquals(fullCounts, new TreeMap<>(debug.inlineSiteCounts()), "inline-site counts of " + bin);
        Map<String, List<String>> lazy = new TreeMap<>();
        ((DwarfDebugInfo) debug).allSites().forEach((k, v) -> {
            List<String> l = new ArrayList<>();
            v.forEach(s -> l.add(s.callFile() + ":" + s.callLine() + ":" + s.callColumn()));
            l.sort(null);
            lazy.put(k, l);
        });
        assertEquals(full, lazy, "inline sites found unit by unit in " + bin);
        assertTrue(fullCounts.values().stream().mapToInt(i -> i).sum() > 1000, fullCounts.size() + " functions");
    }

    @ParameterizedTest
    @EnumSource(Variant.class)
    void skimCountsEqualTheFullParse(Variant v) {
        assertSkimMatchesFullList(SampleRust.binary(v));
    }

    @Test
    void crossUnitOriginsOfAFatLtoBuildAreCounted() throws IOException, InterruptedException {
        Path bin = ltoBuild();
        String dump = ExternalTools.run("llvm-dwarfdump", "-v", "--debug-info", bin.toString());
        int crossUnit = 0;
        for (String line : dump.split("\n")) {
            if (line.contains("DW_AT_abstract_origin") && line.contains("DW_FORM_ref_addr")) {
                crossUnit++;
            }
        }
        assertTrue(crossUnit > 1000, crossUnit + " abstract origins by DW_FORM_ref_addr");
        assertSkimMatchesFullList(bin);
    }

    /** sample-rust's sources built with fat LTO into toolkit/target (sample-rust itself is left as it is). */
    private static Path ltoBuild() throws IOException, InterruptedException {
        Path root = SampleRust.root();
        Path target = root.resolve("toolkit/target/sample-rust-lto");
        Path log = target.resolve("build.log");
        Files.createDirectories(target);
        ProcessBuilder pb = new ProcessBuilder("cargo", "build", "--offline", "--locked", "--quiet", "--release",
                "--manifest-path", root.resolve("sample-rust/Cargo.toml").toString())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> env = pb.environment();
        env.remove("CARGO_ENCODED_RUSTFLAGS");
        env.remove("CARGO_BUILD_RUSTFLAGS");
        env.put("CARGO_TARGET_DIR", target.toString());
        env.put("RUSTFLAGS", "-C lto=fat -C embed-bitcode=yes");
        Process p = pb.start();
        if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException("the fat-LTO build of sample-rust failed: " + Files.readString(log));
        }
        return target.resolve("release/sample-rust");
    }
}
