// Reads every sample-rust build with our DWARF reader and compares units, subprograms (names, ranges, frame
// bases, parameters with types and location lists), inline sites and prologue_end rows with what
// llvm-dwarfdump said about the same build (fixtures from src/test/resources/dwarf/regenerate.sh, see DwarfFixtures).
package dev.rustprobe.dwarf;

import dev.rustprobe.testing.SampleRust;
import dev.rustprobe.testing.SampleRust.Variant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

class DwarfSampleRustTest {

    private static List<String> fixture(Variant v, String file) {
        return DwarfFixtures.lines(v, file);
    }

    private static Dwarf open(Variant v) {
        fixture(v, "fingerprint.tsv"); // fails clearly if no fixtures describe this build
        return Dwarf.open(TestSections.of(SampleRust.binary(v)));
    }

    private static String root() {
        return SampleRust.root().toString();
    }

    private static String norm(String path) {
        return path == null ? "" : path.replace(root(), "$ROOT");
    }

    private static String hex(long v) {
        return "0x" + Long.toHexString(v);
    }

    static String ranges(List<PcRange> rs) {
        return rs.stream().map(r -> Long.toHexString(r.begin()) + "-" + Long.toHexString(r.end()))
                .collect(Collectors.joining(","));
    }

    static String ops(List<DwarfOp> ops) {
        return ops.stream().map(DwarfOp::toString).collect(Collectors.joining(", "));
    }

    static String location(LocationDescription loc) {
        if (loc == null) {
            return "";
        }
        if (loc instanceof LocationDescription.Expression e) {
            return ops(e.ops());
        }
        if (loc instanceof LocationDescription.LocationList l) {
            return l.entries().stream()
                    .map(e -> e.isDefault() ? "?default: " + ops(e.ops())
                            : Long.toHexString(e.begin()) + "-" + Long.toHexString(e.end()) + ": " + ops(e.ops()))
                    .collect(Collectors.joining(" | "));
        }
        return loc.toString();
    }

    static String variables(List<Variable> vars) {
        return vars.stream().sorted(Comparator.comparingLong(Variable::offset))
                .map(v -> (v.isParameter() ? "P " : "V ") + (v.name() == null ? "-" : v.name()) + " "
                        + (v.typeRef() == null ? "-" : hex(v.typeRef().offset())) + " "
                        + (v.originOffset() < 0 ? "-" : hex(v.originOffset())) + " [" + location(v.location()) + "]")
                .collect(Collectors.joining(" ;; "));
    }

    private static boolean crateUnit(CompileUnit u) {
        return u.name() != null && u.name().startsWith("src/");
    }

    @ParameterizedTest
    @EnumSource(Variant.class)
    void unitsMatchLlvmDwarfdump(Variant v) {
        Dwarf d = open(v);
        List<String> actual = new ArrayList<>();
        for (CompileUnit u : d.units()) {
            assertEquals(v.dwarfVersion() == 5 && crateUnit(u) ? 5 : 4, u.version(), u.name());
            actual.add(hex(u.offset()) + "\t" + u.version() + "\t" + norm(u.name()) + "\t" + d.subprograms(u).size()
                    + "\t" + d.inlinedCalls(u).size() + "\t" + ranges(u.ranges()));
        }
        assertLines(fixture(v, "units.tsv"), actual, "units of " + v.buildName());
    }

    @ParameterizedTest
    @EnumSource(Variant.class)
    void subprogramsMatchLlvmDwarfdump(Variant v) {
        Dwarf d = open(v);
        List<String> actual = new ArrayList<>();
        for (CompileUnit u : d.units()) {
            if (!crateUnit(u)) {
                continue;
            }
            for (Subprogram s : d.subprograms(u)) {
                List<Variable> vars = new ArrayList<>(s.parameters());
                vars.addAll(s.variables());
                actual.add(String.join("\t", hex(s.offset()), s.name() == null ? "" : s.name(),
                        s.linkageName() == null ? "" : s.linkageName(), ranges(s.ranges()),
                        s.isAbstractInline() ? "1" : "0", s.external() ? "1" : "0", Integer.toString(s.declLine()),
                        s.declFile() == null ? "-" : norm(s.declFile()),
                        s.returnTypeRef() == null ? "-" : hex(s.returnTypeRef().offset()),
                        s.frameBase() == null ? "-" : location(s.frameBase()), variables(vars)));
            }
        }
        assertLines(fixture(v, "subprograms.tsv"), actual, "subprograms of " + v.buildName());
    }

    @ParameterizedTest
    @EnumSource(Variant.class)
    void inlineSitesMatchLlvmDwarfdump(Variant v) {
        Dwarf d = open(v);
        List<String> actual = new ArrayList<>();
        for (CompileUnit u : d.units()) {
            if (!crateUnit(u)) {
                continue;
            }
            for (InlinedCall c : d.inlinedCalls(u)) {
                actual.add(String.join("\t", hex(c.offset()), hex(c.origin().offset()), norm(c.callFile()),
                        Integer.toString(c.callLine()), Integer.toString(c.callColumn()), ranges(c.ranges()),
                        Integer.toString(c.depth()), c.parentOffset() < 0 ? "-" : hex(c.parentOffset()),
                        c.caller() == null ? "-" : hex(c.caller().offset()), variables(c.parameters())));
            }
        }
        assertLines(fixture(v, "inlined.tsv"), actual, "inline sites of " + v.buildName());
    }

    @ParameterizedTest
    @EnumSource(Variant.class)
    void lineTablesAndPrologueEndMatchLlvmDwarfdump(Variant v) {
        Dwarf d = open(v);
        Map<Long, List<long[]>> prologueRows = new HashMap<>();
        Map<Long, Integer> rowCounts = new HashMap<>();
        long unit = -1;
        for (String l : fixture(v, "lines.tsv")) {
            String[] f = l.split("\t");
            if (!l.startsWith("\t")) {
                unit = Long.decode(f[0]);
                rowCounts.put(unit, Integer.parseInt(f[1]));
                prologueRows.put(unit, new ArrayList<>());
            } else {
                prologueRows.get(unit).add(new long[]{Long.parseLong(f[1], 16), Long.parseLong(f[2]),
                        Long.parseLong(f[3]), Long.parseLong(f[4])});
            }
        }
        int checkedFunctions = 0;
        for (CompileUnit u : d.units()) {
            if (!crateUnit(u)) {
                continue;
            }
            LineTable t = d.lineTable(u);
            assertEquals(rowCounts.get(u.offset()), t.rows().size(), "rows of the line program of " + u.name());
            List<String> expected = prologueRows.get(u.offset()).stream()
                    .map(r -> Long.toHexString(r[0]) + " " + r[1] + ":" + r[2] + " file " + r[3]).toList();
            List<String> actual = t.rows().stream().filter(LineTable.Row::prologueEnd)
                    .map(r -> Long.toHexString(r.address()) + " " + r.line() + ":" + r.column() + " file " + r.file())
                    .toList();
            assertEquals(expected, actual, "prologue_end rows of " + u.name());
            for (Subprogram s : d.subprograms(u)) {
                if (!s.hasCode()) {
                    continue;
                }
                long want = -1;
                for (PcRange r : s.ranges()) {
                    for (long[] row : prologueRows.get(u.offset())) {
                        if (r.contains(row[0]) && (want < 0 || row[0] < want)) {
                            want = row[0];
                        }
                    }
                    if (want >= 0) {
                        break;
                    }
                }
                OptionalLong got = d.prologueEnd(s);
                assertEquals(want < 0 ? OptionalLong.empty() : OptionalLong.of(want), got,
                        "prologue_end of " + s.qualifiedName());
                checkedFunctions++;
            }
        }
        assertTrue(checkedFunctions > 100, "only " + checkedFunctions + " functions with code in the crate's units");
    }

    @ParameterizedTest
    @EnumSource(Variant.class)
    void everyRowOfTheFirstLineProgramMatchesLlvmDwarfdump(Variant v) {
        Dwarf d = open(v);
        CompileUnit first = d.units().stream().filter(DwarfSampleRustTest::crateUnit).findFirst().orElseThrow();
        List<String> actual = new ArrayList<>();
        for (LineTable.Row r : d.lineTable(first).rows()) {
            List<String> flags = new ArrayList<>();
            if (r.isStmt()) {
                flags.add("is_stmt");
            }
            if (r.basicBlock()) {
                flags.add("basic_block");
            }
            if (r.prologueEnd()) {
                flags.add("prologue_end");
            }
            if (r.epilogueBegin()) {
                flags.add("epilogue_begin");
            }
            if (r.endSequence()) {
                flags.add("end_sequence");
            }
            actual.add(Long.toHexString(r.address()) + "\t" + r.line() + "\t" + r.column() + "\t" + r.file() + "\t"
                    + r.isa() + "\t" + r.discriminator() + "\t" + String.join(" ", flags));
        }
        assertLines(fixture(v, "line-rows.tsv"), actual, "rows of the line program of " + first.name());
    }

    @ParameterizedTest
    @EnumSource(Variant.class)
    void lookupsByPcAndLinkageNameFindTheDescribedFunction(Variant v) {
        Map<String, Set<Long>> withCode = new HashMap<>();
        Map<Long, String> ranges = new HashMap<>();
        for (String l : fixture(v, "subprograms.tsv")) {
            String[] f = l.split("\t", -1);
            if (!f[3].isEmpty()) {
                withCode.computeIfAbsent(f[2], k -> new HashSet<>()).add(Long.decode(f[0]));
                ranges.put(Long.decode(f[0]), f[3]);
            }
        }
        assertFalse(withCode.isEmpty());
        Dwarf d = open(v); // fresh: the first lookup must work without any earlier full parse
        for (Map.Entry<Long, String> e : ranges.entrySet()) {
            long low = Long.parseLong(e.getValue().split("-")[0], 16);
            Optional<Subprogram> s = d.subprogramAt(low);
            assertTrue(s.isPresent(), "no subprogram at 0x" + Long.toHexString(low));
            assertEquals(e.getKey(), s.get().offset(), "subprogram at 0x" + Long.toHexString(low));
        }
        for (Map.Entry<String, Set<Long>> e : withCode.entrySet()) {
            if (e.getKey().isEmpty()) {
                continue;
            }
            Subprogram s = d.subprogramByLinkageName(e.getKey()).orElseThrow(() -> new AssertionError(e.getKey()));
            assertTrue(e.getValue().contains(s.offset()), e.getKey() + " found at " + hex(s.offset()));
        }
        assertTrue(d.subprogramByLinkageName("_ZN11sample_rust6nonexistent17h0000000000000000E").isEmpty());
    }

    @ParameterizedTest
    @EnumSource(Variant.class)
    void skimSummariesCountInlineSitesAndCodePerLinkageName(Variant v) {
        Map<Long, String> linkageOf = new HashMap<>();
        Map<String, Boolean> hasCode = new HashMap<>();
        for (String l : fixture(v, "subprograms.tsv")) {
            String[] f = l.split("\t", -1);
            if (!f[2].isEmpty()) {
                linkageOf.put(Long.decode(f[0]), f[2]);
                hasCode.merge(f[2], !f[3].isEmpty(), Boolean::logicalOr);
            }
        }
        Map<String, Integer> sites = new HashMap<>();
        for (String l : fixture(v, "inlined.tsv")) {
            String name = linkageOf.get(Long.decode(l.split("\t", -1)[1]));
            if (name != null) {
                sites.merge(name, 1, Integer::sum);
            }
        }
        Map<String, FunctionSummary> byName = open(v).functionsByLinkageName();
        int inlined = 0;
        for (Map.Entry<String, Boolean> e : hasCode.entrySet()) {
            if (!e.getKey().contains("11sample_rust")) {
                continue; // std's generic instances can also be described by std's own units
            }
            FunctionSummary f = byName.get(e.getKey());
            assertTrue(f != null, "no summary for " + e.getKey());
            assertEquals(e.getValue(), f.hasCode(), "has code: " + e.getKey());
            assertEquals(sites.getOrDefault(e.getKey(), 0), f.inlineSites(), "inline sites of " + e.getKey());
            inlined += f.inlineSites();
        }
        assertTrue(v == Variant.DEBUG || inlined > 20, inlined + " inline sites of the crate's own functions");
    }

    @ParameterizedTest
    @EnumSource(Variant.class)
    void inlinedCallsAtAPcAreTheNestedSitesCoveringIt(Variant v) {
        Map<Long, String[]> rows = new HashMap<>();
        for (String l : fixture(v, "inlined.tsv")) {
            String[] f = l.split("\t", -1);
            rows.put(Long.decode(f[0]), f);
        }
        Map<Long, String> callerRanges = new HashMap<>();
        for (String l : fixture(v, "subprograms.tsv")) {
            String[] f = l.split("\t", -1);
            callerRanges.put(Long.decode(f[0]), f[3]);
        }
        Dwarf d = open(v);
        int checked = 0;
        for (String[] f : rows.values()) {
            if (f[5].isEmpty() || f[8].equals("-") || checked > 400) {
                continue;
            }
            long pc = Long.parseLong(f[5].split("-")[0], 16);
            if (!covers(callerRanges.getOrDefault(Long.decode(f[8]), ""), pc)) {
                continue; // code of a function the linker discarded (its ranges were relocated to 0)
            }
            // expected: this site and its enclosing sites, outermost first, from the fixture's parent links
            List<Long> expected = new ArrayList<>();
            for (String[] g = f; g != null; g = g[7].equals("-") ? null : rows.get(Long.decode(g[7]))) {
                expected.add(0, Long.decode(g[0]));
            }
            List<Long> actual = d.inlinedCallsAt(pc).stream().map(InlinedCall::offset).toList();
            assertEquals(expected, actual.subList(0, Math.min(actual.size(), expected.size())),
                    "inline chain at 0x" + Long.toHexString(pc));
            checked++;
        }
        assertTrue(v == Variant.DEBUG || checked > 100, checked + " sites checked");
    }

    private static boolean covers(String ranges, long pc) {
        for (String r : ranges.isEmpty() ? new String[0] : ranges.split(",")) {
            String[] b = r.split("-");
            if (pc >= Long.parseLong(b[0], 16) && pc < Long.parseLong(b[1], 16)) {
                return true;
            }
        }
        return false;
    }

    private static void assertLines(List<String> expected, List<String> actual, String what) {
        if (expected.equals(actual)) {
            return;
        }
        for (int i = 0; i < Math.min(expected.size(), actual.size()); i++) {
            if (!expected.get(i).equals(actual.get(i))) {
                fail(what + ": line " + (i + 1) + " differs\nllvm-dwarfdump: " + expected.get(i) + "\nrustprobe:      "
                        + actual.get(i));
            }
        }
        fail(what + ": llvm-dwarfdump has " + expected.size() + " lines, rustprobe " + actual.size());
    }
}
