// `ls` output of every sample-rust build, byte for byte, against what src/test/resources/ls/regenerate.sh recorded:
// the listing's speed-ups (parallel demangling, presorted keys, byte rendering) must not change one byte.
package dev.rustprobe.cli;

import dev.rustprobe.elf.ElfFile;
import dev.rustprobe.elf.Section;
import dev.rustprobe.testing.SampleRust;
import dev.rustprobe.testing.SampleRust.Variant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPInputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

class ListGoldenTest {
    private static Path dir(Variant v) {
        Path d = SampleRust.root().resolve("toolkit/src/test/resources/ls").resolve(v.buildName());
        Path bin = SampleRust.binary(v);
        String recorded;
        try {
            recorded = String.join("\n", Files.readAllLines(d.resolve("fingerprint.tsv")).stream()
                    .filter(l -> l.startsWith("text\t") || l.startsWith("debug_info\t")).toList());
        } catch (IOException e) {
            throw new IllegalStateException("no recorded ls output for " + v.buildName() + ": " + e.getMessage(), e);
        }
        ElfFile f = ElfFile.open(bin);
        Section text = f.sectionHeader(".text").orElseThrow();
        Section info = f.sectionHeader(".debug_info").orElseThrow();
        String actual = String.format("text\t%016x %06x\ndebug_info\t%06x", text.address(), text.size(), info.size());
        if (!actual.equals(recorded)) {
            fail("the recorded ls output of " + v.buildName() + " was made from another build of sample-rust ("
                    + recorded + " vs " + actual + "): run toolkit/src/test/resources/ls/regenerate.sh, review, commit");
        }
        return d;
    }

    private static String read(Path p) throws IOException {
        try (InputStream in = p.toString().endsWith(".gz") ? new GZIPInputStream(Files.newInputStream(p))
                : Files.newInputStream(p)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** Compares line by line first (a readable first difference), then whole (a missing final newline too). */
    private static void assertSame(String expected, String actual, String what) {
        // the build-id hashes the checkout's path (it is in the DWARF), so it differs between checkouts
        expected = expected.replaceAll("\"buildId\":\"[0-9a-f]+\"", "\"buildId\":\"BUILD-ID\"");
        actual = actual.replaceAll("\"buildId\":\"[0-9a-f]+\"", "\"buildId\":\"BUILD-ID\"");
        List<String> e = expected.lines().toList();
        List<String> a = actual.lines().toList();
        for (int i = 0; i < Math.min(e.size(), a.size()); i++) {
            assertEquals(e.get(i), a.get(i), what + ": line " + (i + 1) + " differs");
        }
        assertEquals(e.size(), a.size(), what + ": line count");
        assertEquals(expected, actual, what);
    }

    private static String ls(String... args) {
        BadInputTest.Result r = BadInputTest.run(args);
        assertEquals(0, r.code(), r.err());
        return r.out();
    }

    @ParameterizedTest
    @EnumSource(Variant.class)
    void textListingIsUnchanged(Variant v) throws IOException {
        Path d = dir(v);
        String bin = SampleRust.binary(v).toString();
        assertSame(read(d.resolve("ls.txt.gz")), ls("ls", bin), "ls " + v.buildName());
        assertSame(read(d.resolve("ls-no-dwarf.txt.gz")), ls("ls", bin, "--no-dwarf"), "ls --no-dwarf " + v.buildName());
        assertSame(read(d.resolve("ls-crate.txt")), ls("ls", bin, "sample_rust::**"), "ls sample_rust::** " + v.buildName());
    }

    @ParameterizedTest
    @EnumSource(Variant.class)
    void jsonListingIsUnchanged(Variant v) throws IOException {
        Path d = dir(v);
        String bin = SampleRust.binary(v).toString();
        String quoted = "\"" + bin + "\"";
        assertSame(read(d.resolve("ls.json.gz")), ls("ls", bin, "--json").replace(quoted, "\"BINARY\""),
                "ls --json " + v.buildName());
        assertSame(read(d.resolve("ls-orders.json")),
                ls("ls", bin, "sample_rust::orders::*", "--json").replace(quoted, "\"BINARY\""),
                "ls sample_rust::orders::* --json " + v.buildName());
    }
}
