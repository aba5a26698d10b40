// Garbage in, one DwarfException out: truncates and flips bytes of real rustc DWARF (a small crate compiled to an
// object file, DWARF 4 and 5) with a seeded Random, and reads everything; nothing else may escape, and each
// attempt must end in bounded time.
package dev.rustprobe.dwarf;

import dev.rustprobe.testing.FuzzSeeds;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

class CorruptDwarfTest {
    private static final int ITERATIONS = 1500;

    /** small.rs compiled with the given DWARF version and linked into a shared library (see FuzzSeeds). */
    static Path smallObject(int dwarfVersion) {
        return FuzzSeeds.smallLibrary(dwarfVersion);
    }

    /** Everything the reader offers, forced: every unit, DIE, type, location, line table and the skim. */
    static int readEverything(DwarfSections s) {
        Dwarf d = Dwarf.open(s);
        int n = 0;
        for (CompileUnit u : d.units()) {
            for (Subprogram p : d.subprograms(u)) {
                n++;
                List<Variable> vars = new ArrayList<>(p.parameters());
                vars.addAll(p.variables());
                for (Variable v : vars) {
                    n += touch(v.type(), 0);
                    if (v.location() != null) {
                        v.location().at(p.lowPc());
                    }
                }
                n += touch(p.returnType(), 0);
                d.prologueEnd(p);
                if (p.hasCode()) {
                    d.subprogramAt(p.lowPc());
                }
                if (p.linkageName() != null) {
                    d.subprogramByLinkageName(p.linkageName());
                }
            }
            for (InlinedCall c : d.inlinedCalls(u)) {
                n += c.parameters().size();
            }
            LineTable t = d.lineTable(u);
            if (t != null) {
                n += t.rows().size();
            }
        }
        n += d.functionSummaries().size();
        return n;
    }

    /** Walks a type's structure a few levels deep, as a value decoder would. */
    private static int touch(Type t, int depth) {
        if (t == null || depth > 4) {
            return 0;
        }
        int n = 1;
        Type s = Type.strip(t);
        s.name();
        s.byteSize();
        if (s instanceof Type.Pointer p && p.pointee() != null) {
            n += touch(p.pointee().get(), depth + 1);
        } else if (s instanceof Type.Struct st) {
            for (Type.Member m : st.members()) {
                n += m.type() == null ? 0 : touch(m.type().get(), depth + 1);
            }
        } else if (s instanceof Type.VariantEnum e) {
            for (Type.Variant v : e.variants()) {
                n += v.member() == null || v.member().type() == null ? 0 : touch(v.member().type().get(), depth + 1);
            }
        } else if (s instanceof Type.Array a && a.element() != null) {
            n += touch(a.element().get(), depth + 1);
        } else if (s instanceof Type.Enumeration e) {
            n += e.enumerators().size();
        }
        return n;
    }

    @ParameterizedTest
    @ValueSource(ints = {4, 5})
    void theUncorruptedObjectReadsCleanly(int version) {
        TestSections s = TestSections.of(smallObject(version));
        assertTrue(readEverything(s) > 50);
        Dwarf d = Dwarf.open(s);
        assertEquals(version, d.units().get(0).version());
        assertTrue(d.subprograms().stream().anyMatch(p -> "total".equals(p.name())));
    }

    @ParameterizedTest
    @ValueSource(ints = {4, 5})
    void flippedBytesRaiseOnlyDwarfException(int version) {
        TestSections clean = TestSections.of(smallObject(version));
        List<String> names = new ArrayList<>(clean.bytes.keySet());
        names.sort(null);
        Random random = new Random(0x5eed + version);
        int failures = 0;
        for (int i = 0; i < ITERATIONS; i++) {
            TestSections s = clean.copy();
            String name = names.get(random.nextInt(names.size()));
            byte[] b = s.bytes.get(name);
            if (b.length == 0) {
                continue;
            }
            int flips = 1 + random.nextInt(8);
            StringBuilder what = new StringBuilder(name);
            for (int k = 0; k < flips; k++) {
                int at = random.nextInt(b.length);
                b[at] = (byte) random.nextInt(256);
                what.append(" @0x").append(Integer.toHexString(at));
            }
            failures += attempt(s, "iteration " + i + ": " + what);
        }
        assertTrue(failures > 0, "no corruption was ever detected; the test corrupts nothing?");
    }

    @ParameterizedTest
    @ValueSource(ints = {4, 5})
    void truncatedSectionsRaiseOnlyDwarfException(int version) {
        TestSections clean = TestSections.of(smallObject(version));
        Random random = new Random(0x7a11 + version);
        int failures = 0;
        for (String name : new java.util.TreeSet<>(clean.bytes.keySet())) {
            for (int i = 0; i < 40; i++) {
                TestSections s = clean.copy();
                byte[] b = s.bytes.get(name);
                int len = b.length == 0 ? 0 : random.nextInt(b.length);
                s.bytes.put(name, java.util.Arrays.copyOf(b, len));
                failures += attempt(s, name + " truncated to " + len);
            }
        }
        assertTrue(failures > 0);
    }

    private static int attempt(TestSections s, String what) {
        try {
            assertTimeoutPreemptively(Duration.ofSeconds(20), () -> readEverything(s), what + " took too long");
            return 0;
        } catch (DwarfException e) {
            assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
            assertTrue(e.getMessage().startsWith("bad DWARF") || e.getMessage().contains("DWARF"), e.getMessage());
            return 1;
        } catch (AssertionError e) {
            throw e;
        } catch (Throwable e) {
            AssertionError f = new AssertionError(what + ": " + e.getClass().getName() + " escaped: " + e.getMessage());
            f.initCause(e);
            throw f;
        }
    }

    @Test
    void selfReferencingAbstractOriginIsAnErrorNotALoop() {
        // a unit with one subprogram whose DW_AT_abstract_origin points at itself (ref4 0x0c), and an inline site of it
        Map<String, byte[]> m = new HashMap<>();
        m.put(".debug_abbrev", bytes(
                1, 0x11, 1, 0, 0,                 // 1: compile_unit, children, no attributes
                2, 0x2e, 0, 0x31, 0x13, 0, 0,    // 2: subprogram, no children, abstract_origin ref4
                3, 0x1d, 0, 0x31, 0x13, 0, 0,    // 3: inlined_subroutine, abstract_origin ref4
                0));
        // header (v4): length, version 4, abbrev 0, address size 8 = 11 bytes; root at 0x0b, subprogram at 0x0c
        m.put(".debug_info", bytes(
                0x15, 0, 0, 0, 4, 0, 0, 0, 0, 0, 8,
                1,
                2, 0x0c, 0, 0, 0,
                3, 0x0c, 0, 0, 0,
                0, 0, 0));
        Dwarf d = Dwarf.open(new TestSections(m));
        DwarfException e = assertThrows(DwarfException.class, d::subprograms);
        assertTrue(e.getMessage().contains("own origin"), e.getMessage());
        assertThrows(DwarfException.class, d::inlinedCalls);
        // the skim counts but does not follow: it must end too
        assertEquals(1, d.functionSummaries().size());
    }

    @Test
    void abbreviationCodeZeroLoopAndUnknownFormAreErrors() {
        Map<String, byte[]> m = new HashMap<>();
        m.put(".debug_abbrev", bytes(1, 0x11, 0, 0x03, 0x7f, 0, 0, 0)); // name with form 0x7f: unknown
        m.put(".debug_info", bytes(0x08, 0, 0, 0, 4, 0, 0, 0, 0, 0, 8, 1));
        DwarfException e = assertThrows(DwarfException.class, () -> Dwarf.open(new TestSections(m)).units());
        assertTrue(e.getMessage().contains("unknown form 0x7f"), e.getMessage());
        m.put(".debug_info", bytes(0x08, 0, 0, 0, 9, 0, 0, 0, 0, 0, 8, 1));
        e = assertThrows(DwarfException.class, () -> Dwarf.open(new TestSections(m)));
        assertTrue(e.getMessage().contains("version 9"), e.getMessage());
        m.put(".debug_info", bytes(0xff, 0xff, 0xff, 0xff, 0x08, 0, 0, 0, 0, 0, 0, 0, 4, 0));
        e = assertThrows(DwarfException.class, () -> Dwarf.open(new TestSections(m)));
        assertTrue(e.getMessage().contains("runs past"), e.getMessage());
    }

    @Test
    void aBinaryWithoutDwarfOpensEmpty() {
        Dwarf d = Dwarf.open(name -> java.util.Optional.empty());
        assertFalse(d.hasDebugInfo());
        assertTrue(d.units().isEmpty());
        assertTrue(d.subprogramAt(0x1000).isEmpty());
        assertTrue(d.subprogramByLinkageName("main").isEmpty());
    }

    private static byte[] bytes(int... v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = (byte) v[i];
        }
        return b;
    }

}
