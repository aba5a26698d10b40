// The hostile-file corpus (HostileFiles) through the command line and through the library: `ls` and `explain`
// end cleanly on each file (one line on stderr at most, no trace, no internal error, bounded time), failing where
// the file cannot be read; the readers raise only their own exceptions. The observed outcomes are printed.
package dev.rustprobe.cli;

import dev.rustprobe.abi.LocationEvaluator;
import dev.rustprobe.abi.ValueLocation;
import dev.rustprobe.demangle.Demangler;
import dev.rustprobe.dwarf.CompileUnit;
import dev.rustprobe.dwarf.Dwarf;
import dev.rustprobe.dwarf.DwarfException;
import dev.rustprobe.dwarf.Subprogram;
import dev.rustprobe.dwarf.Variable;
import dev.rustprobe.elf.ElfException;
import dev.rustprobe.elf.ElfFile;
import dev.rustprobe.testing.HostileFiles;
import dev.rustprobe.testing.HostileFiles.Case;
import dev.rustprobe.testing.HostileFiles.Outcome;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HostileCorpusTest {
    /** Each command on each file must end within this (the slowest, a 1 MB name, takes well under a second). */
    private static final Duration LIMIT = Duration.ofSeconds(20);

    @TempDir
    static Path dir;

    @Test
    void theHealthyFileIsReadInFull() throws Exception {
        Path f = Files.write(dir.resolve("healthy"), HostileFiles.healthy());
        BadInputTest.Result ls = BadInputTest.run("ls", f.toString());
        assertEquals(0, ls.code(), ls.err());
        assertTrue(ls.out().contains(HostileFiles.PATH), ls.out());
        assertEquals("", ls.err());
        BadInputTest.Result ex = BadInputTest.run("explain", f.toString(), HostileFiles.PATH);
        assertEquals(0, ex.code(), ex.err());
        assertTrue(ex.out().contains("parameters: x: u64"), ex.out());
        Dwarf d = Dwarf.open(ElfFile.open(f));
        Subprogram s = d.subprogramAt(0x1000).orElseThrow();
        assertEquals(s, d.subprograms().get(0));
        assertEquals(HostileFiles.SYMBOL, s.linkageName());
        assertEquals("rdi", ValueLocation.render(LocationEvaluator.evaluate(s.parameters().get(0), 0x1000,
                s.frameBase(), true)));
    }

    @TestFactory
    Stream<DynamicTest> throughTheCommandLine() {
        return HostileFiles.all().stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            Path f = Files.write(dir.resolve(c.name()), c.bytes());
            BadInputTest.Result ls = assertTimeoutPreemptively(LIMIT, () -> BadInputTest.run("ls", f.toString()),
                    c.name() + ": ls took too long");
            BadInputTest.Result ex = assertTimeoutPreemptively(LIMIT,
                    () -> BadInputTest.run("explain", f.toString(), HostileFiles.PATH), c.name() + ": explain took too long");
            System.out.println("hostile " + c.name() + " | ls exit " + ls.code() + " | " + firstLine(ls.err())
                    + " | explain exit " + ex.code() + " | " + firstLine(ex.code() != 0 ? ex.err() : explainNote(ex)));
            check(c, "ls", ls, c.ls());
            check(c, "explain", ex, c.explain());
        }));
    }

    private static String firstLine(String s) {
        String l = s.lines().findFirst().orElse("");
        return l.length() > 200 ? l.substring(0, 200) + "…" : l;
    }

    /** What explain said about a file it could read only in part: its "unknown" line, if any. */
    private static String explainNote(BadInputTest.Result r) {
        return r.out().lines().filter(l -> l.contains("unknown") || l.contains("unreadable")).findFirst()
                .orElse(r.err().isEmpty() ? "(ok)" : r.err());
    }

    private static void check(Case c, String command, BadInputTest.Result r, Outcome expected) {
        String what = c.name() + ": " + command + " ";
        assertTrue(r.errLines().size() <= 1, what + "printed more than one line on stderr: " + r.err());
        assertFalse(r.err().contains("internal error") || r.err().contains("\tat ") || r.err().contains("Exception"),
                what + r.err());
        assertFalse(r.out().contains("\tat ") || r.out().contains("Exception"), what + r.out());
        assertTrue(r.out().length() < 4 << 20, what + "printed " + r.out().length() + " chars");
        if (r.code() != 0) {
            assertEquals("", r.out(), what + "failed but wrote to stdout");
            assertEquals(1, r.errLines().size(), what + "failed without saying why");
        }
        if (expected == Outcome.FAIL) {
            assertTrue(r.code() != 0, what + "should fail; stderr: " + r.err());
        } else if (expected == Outcome.OK) {
            assertEquals(0, r.code(), what + "should succeed: " + r.err());
        }
        if (c.expected() != null && (r.code() != 0 || command.equals("explain"))) {
            String said = r.code() != 0 ? r.err() : r.out();
            assertTrue(said.contains(c.expected()), what + "should say '" + c.expected() + "': " + said + r.err());
        }
    }

    @TestFactory
    Stream<DynamicTest> throughTheLibrary() {
        return HostileFiles.all().stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            Path f = Files.write(dir.resolve("lib-" + c.name()), c.bytes());
            assertTimeoutPreemptively(LIMIT, () -> {
                try {
                    readThroughTheApi(f);
                } catch (ElfException | DwarfException e) {
                    assertFalse(e.getMessage().contains("\n"), c.name() + ": " + e.getMessage());
                    assertTrue(e.getMessage().length() < 1000, c.name() + ": " + e.getMessage().length() + " chars");
                }
            }, c.name() + " took too long");
        }));
    }

    /** What a tool built on the library would do: symbols, demangling, every DWARF query, every location. */
    private static void readThroughTheApi(Path f) {
        ElfFile elf = ElfFile.open(f);
        elf.forEachSymbol(true, s -> Demangler.demangle(s.name(), false));
        elf.buildId();
        Dwarf d = Dwarf.open(elf);
        for (CompileUnit u : d.units()) {
            for (Subprogram s : d.subprograms(u)) {
                List<Variable> vars = new java.util.ArrayList<>(s.parameters());
                vars.addAll(s.variables());
                for (Variable v : vars) {
                    ValueLocation.render(LocationEvaluator.evaluate(v, s.lowPc(), s.frameBase(), true));
                }
                d.prologueEnd(s);
                d.inlinedCallsIn(s);
            }
            d.inlinedCalls(u);
            d.lineTable(u);
        }
        d.functionSummaries();
        d.subprogramAt(0x1000);
        d.inlinedCallsAt(0x1000);
        d.subprogramByLinkageName(HostileFiles.SYMBOL);
    }
}
