// ls and explain on bad input through Main.run: one line on stderr, a non-zero exit, nothing on stdout, no trace;
// and on stripped binaries: what is missing is said in one line, and what still works still works.
package dev.rustprobe.cli;

import dev.rustprobe.testing.ExternalTools;
import dev.rustprobe.testing.SampleRust;
import dev.rustprobe.testing.SampleRust.Variant;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BadInputTest {
    @TempDir
    static Path dir;
    static Path release;

    record Result(int code, String out, String err) {
        List<String> errLines() {
            return err.lines().toList();
        }
    }

    static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @BeforeAll
    static void build() {
        release = SampleRust.binary(Variant.RELEASE_LEGACY);
    }

    /** A failure: non-zero, exactly one line on stderr with the expected words, stdout untouched, no stack trace. */
    static void assertOneLineFailure(Result r, String expected) {
        assertTrue(r.code() != 0, "exit code");
        assertEquals("", r.out(), "stdout must stay empty on failure");
        assertEquals(1, r.errLines().size(), "one line on stderr: " + r.err());
        assertTrue(r.err().contains(expected), r.err());
        assertFalse(r.err().contains("\tat ") || r.err().contains("Exception"), r.err());
    }

    @Test
    void notAnElfFile() throws Exception {
        Path text = Files.writeString(dir.resolve("notes.txt"), "just text\n");
        for (String cmd : List.of("ls", "explain")) {
            Result r = cmd.equals("ls") ? run("ls", text.toString()) : run("explain", text.toString(), "main");
            assertOneLineFailure(r, text + " is not an ELF file");
        }
        assertOneLineFailure(run("ls", text.toString(), "--json"), "is not an ELF file");
    }

    @Test
    void truncatedAtSeveralPoints() throws Exception {
        byte[] whole = Files.readAllBytes(release);
        for (int cut : new int[] {3, 20, 63, 4096, whole.length / 3, whole.length - 64}) {
            Path t = dir.resolve("cut-" + cut);
            Files.write(t, Arrays.copyOf(whole, cut));
            Result r = run("ls", t.toString(), "--json");
            assertOneLineFailure(r, cut == 3 ? "is not an ELF file" : "is truncated");
            if (cut != 3) {
                assertTrue(r.err().contains("file is " + cut + " bytes"), r.err());
            }
            assertOneLineFailure(run("explain", t.toString(), "main"), cut == 3 ? "is not an ELF file" : "is truncated");
        }
    }

    @Test
    void missingFileAndDirectory() {
        assertOneLineFailure(run("ls", dir.resolve("nope").toString()), dir.resolve("nope") + ": no such file");
        assertOneLineFailure(run("explain", dir.toString(), "main"), dir + " is a directory, not an ELF file");
    }

    @Test
    void noMatchSuggestsNearestNames() {
        Result r = run("explain", release.toString(), "sample_rust::orders::plac");
        assertOneLineFailure(r, "no function matches 'sample_rust::orders::plac'; nearest: ");
        assertTrue(r.err().contains("sample_rust::orders::place"), r.err());
        Result ls = run("ls", release.toString(), "sample_rust::ordrs::**");
        assertOneLineFailure(ls, "no function matches 'sample_rust::ordrs::**'");
    }

    @Test
    void usageErrorsExitTwo() {
        Result r = run("ls");
        assertEquals(2, r.code());
        assertEquals("", r.out());
        assertTrue(r.err().contains("BINARY is missing"), r.err());
        assertEquals(2, run("explain", release.toString()).code());
        assertEquals(2, run("ls", release.toString(), "a<b").code());
    }

    @Test
    void strippedOfDebugInfoStillListsSymbols() {
        Path stripped = dir.resolve("strip-debug");
        ExternalTools.run("objcopy", "--strip-debug", release.toString(), stripped.toString());
        Result r = run("ls", stripped.toString(), "sample_rust::orders::*");
        assertEquals(0, r.code(), r.err());
        assertEquals(List.of("rustprobe: no DWARF: parameter types and inline sites unavailable; symbols still listed"), r.errLines());
        assertTrue(r.out().contains("sample_rust::orders::place"), r.out());
        Result e = run("explain", stripped.toString(), "sample_rust::orders::place");
        assertEquals(0, e.code(), e.err());
        assertTrue(e.out().contains("without DWARF the inlined calls of place cannot be known"), e.out());
        assertEquals(1, e.errLines().size());
    }

    @Test
    void fullyStrippedKeepsOnlyDynsym() {
        Path stripped = dir.resolve("strip-all");
        ExternalTools.run("strip", "-s", "-o", stripped.toString(), release.toString());
        Result r = run("ls", stripped.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        assertEquals(1, r.errLines().size(), r.err());
        assertTrue(r.err().contains("no .symtab and no DWARF"), r.err());
        assertTrue(r.out().contains("\"symtab\":false"), r.out());
        assertFalse(r.out().contains("sample_rust::orders::place"));
        Result e = run("explain", stripped.toString(), "sample_rust::orders::place");
        assertOneLineFailure(e, "no function matches 'sample_rust::orders::place'");
    }

    /** Copies the release build and overwrites part of one section with junk. */
    static Path corrupt(String name, String section, int from, int length, byte junk) throws Exception {
        Path out = dir.resolve(name);
        byte[] bytes = Files.readAllBytes(release);
        dev.rustprobe.elf.Section s = dev.rustprobe.elf.ElfFile.open(release).sectionHeader(section).orElseThrow();
        for (int i = 0; i < length && from + i < s.size(); i++) {
            bytes[(int) s.offset() + from + i] = junk;
        }
        Files.write(out, bytes);
        return out;
    }

    @Test
    void corruptedDwarfIsAnErrorForLsAndExplainAndLsNoDwarfStillLists() throws Exception {
        for (Path bad : List.of(corrupt("bad-version", ".debug_info", 4, 2, (byte) 0x63),
                corrupt("bad-abbrev", ".debug_abbrev", 0, 1 << 20, (byte) 0xff),
                corrupt("bad-info", ".debug_info", 11, 1 << 20, (byte) 0xee))) {
            Result ls = run("ls", bad.toString(), "sample_rust::orders::*");
            assertOneLineFailure(ls, "--no-dwarf");
            assertTrue(ls.err().contains("is unreadable") || ls.err().contains("bad DWARF"), ls.err());
            Result symbols = run("ls", bad.toString(), "sample_rust::orders::*", "--no-dwarf");
            assertEquals(0, symbols.code(), symbols.err());
            assertTrue(symbols.out().contains("sample_rust::orders::place"), symbols.out());
            Result ex = run("explain", bad.toString(), "sample_rust::orders::place", "--json");
            assertOneLineFailure(ex, "DWARF");
        }
    }
}
