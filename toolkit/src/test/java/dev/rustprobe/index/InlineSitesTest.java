// Inline sites of the crate's own functions against llvm-dwarfdump (run live): every DW_TAG_inlined_subroutine
// whose origin is a sample_rust function, with its call file, line and entry address.
package dev.rustprobe.index;

import dev.rustprobe.demangle.Demangler;
import dev.rustprobe.testing.ExternalTools;
import dev.rustprobe.testing.SampleRust;
import dev.rustprobe.testing.SampleRust.Variant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Matcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

public class InlineSitesTest {
    /** "path|file:line|0xentry" for each inlined_subroutine of a sample_rust function, from llvm-dwarfdump. */
    public static List<String> fromDwarfdump(Path bin) {
        String dump = ExternalTools.run("llvm-dwarfdump", "--debug-info", bin.toString());
        List<String> out = new ArrayList<>();
        String[] lines = dump.split("\n");
        java.util.regex.Pattern origin = java.util.regex.Pattern.compile("DW_AT_abstract_origin\\s+\\(0x[0-9a-f]+ \"([^\"]+)\"\\)");
        java.util.regex.Pattern low = java.util.regex.Pattern.compile("DW_AT_low_pc\\s+\\((0x[0-9a-f]+)\\)");
        java.util.regex.Pattern range = java.util.regex.Pattern.compile("\\[(0x[0-9a-f]+), 0x[0-9a-f]+\\)");
        java.util.regex.Pattern file = java.util.regex.Pattern.compile("DW_AT_call_file\\s+\\(\"([^\"]+)\"\\)");
        java.util.regex.Pattern line = java.util.regex.Pattern.compile("DW_AT_call_line\\s+\\((\\d+)\\)");
        for (int i = 0; i < lines.length; i++) {
            if (!lines[i].endsWith("DW_TAG_inlined_subroutine")) {
                continue;
            }
            String name = null;
            String entry = "none";
            String callFile = null;
            String callLine = null;
            for (int j = i + 1; j < lines.length && !lines[j].isBlank() && !lines[j].contains("DW_TAG_"); j++) {
                Matcher m;
                if ((m = origin.matcher(lines[j])).find()) {
                    name = m.group(1);
                } else if ((m = low.matcher(lines[j])).find()) {
                    entry = Long.toHexString(Long.decode(m.group(1)));
                } else if (lines[j].contains("DW_AT_ranges")) {
                    for (int k = j; k < lines.length && k < j + 3; k++) {
                        if ((m = range.matcher(lines[k])).find()) {
                            entry = Long.toHexString(Long.decode(m.group(1)));
                            break;
                        }
                    }
                } else if ((m = file.matcher(lines[j])).find()) {
                    callFile = m.group(1);
                } else if ((m = line.matcher(lines[j])).find()) {
                    callLine = m.group(1);
                }
            }
            if (!entry.equals("none") && Long.parseLong(entry, 16) < 0x1000) {
                entry = "none"; // a tombstone (0 or 1) for code the linker discarded: no code to probe
            }
            String path = name == null ? null : Demangler.demangle(name, false);
            if (path != null && path.startsWith("sample_rust::")) {
                out.add(path + "|" + callFile + ":" + callLine + "|0x" + entry);
            }
        }
        Collections.sort(out);
        return out;
    }

    @ParameterizedTest
    @EnumSource(Variant.class)
    void inlineSitesMatchLlvmDwarfdump(Variant v) {
        Path bin = SampleRust.binary(v);
        IndexedBinary binary = IndexedBinary.open(bin);
        DebugInfo debug = binary.debugInfo();
        assertTrue(debug.unavailableReason().isEmpty(), debug.unavailableReason().orElse(""));
        List<String> ours = new ArrayList<>();
        List<Function> all = binary.allFunctions();
        for (Function f : all) {
            if (!f.name().startsWith("sample_rust::")) {
                continue;
            }
            List<InlineSite> sites = debug.inlineSites(f);
            for (InlineSite s : sites) {
                ours.add(f.name() + "|" + s.callFile() + ":" + s.callLine() + "|0x"
                        + (s.probeable() ? Long.toHexString(s.entry()) : "none"));
            }
        }
        Collections.sort(ours);
        List<String> expected = fromDwarfdump(bin);
        assertEquals(expected, ours);
        if (v.release()) {
            // The crate's #[inline] helpers are inlined in release builds and have no out-of-line copy.
            assertTrue(expected.stream().anyMatch(s -> s.startsWith("sample_rust::inline::scale|")), expected.toString());
            Function scale = binary.match(Pattern.parse("sample_rust::inline::scale"), true).get(0);
            assertTrue(scale.instances().isEmpty());
            Signature sig = debug.signature(scale).orElseThrow();
            assertEquals(List.of(new Parameter("x", "u64"), new Parameter("k", "u64")), sig.parameters());
            assertEquals("u64", sig.returnType());
        }
    }

    /**
     * What trace asks for one pattern (matches, with inline-only functions; each match's sites and signature),
     * answered by demangling only the DWARF names that hold the pattern's identifiers, equals the answer from every
     * name demangled; and the first way really leaves the rest alone.
     */
    @ParameterizedTest
    @EnumSource(value = Variant.class, names = {"RELEASE_LEGACY", "RELEASE_V0", "DEBUG"})
    void onePatternsLookupsDemangleOnlyTheNamesThatCouldMatch(Variant v) {
        Path bin = SampleRust.binary(v);
        IndexedBinary everything = IndexedBinary.open(bin);
        assertTrue(everything.debugInfo().inlineSiteCounts().size() > 100, "every path is demangled here");
        int total = ((DwarfDebugInfo) everything.debugInfo()).demangled();
        int inlineOnly = 0;
        int sites = 0;
        for (String text : List.of("sample_rust::**", "sample_rust::inline::scale", "scale", "core::ptr::**",
                "alloc::**::fmt", "**::drop_in_place<*>", "sample_rust::generics::largest<u32>")) {
            Pattern p = Pattern.parse(text);
            IndexedBinary fresh = IndexedBinary.open(bin, p);
            List<Function> got = fresh.match(p, true);
            List<Function> want = everything.match(p, true);
            assertEquals(want.stream().map(Function::name).toList(), got.stream().map(Function::name).toList(), text);
            for (int k = 0; k < want.size(); k++) {
                inlineOnly += want.get(k).instances().isEmpty() ? 1 : 0;
                List<InlineSite> s = fresh.debugInfo().inlineSites(got.get(k));
                sites += s.size();
                assertEquals(everything.debugInfo().inlineSites(want.get(k)), s, want.get(k).name());
                assertEquals(everything.debugInfo().signature(want.get(k)), fresh.debugInfo().signature(got.get(k)),
                        want.get(k).name());
            }
            int demangled = ((DwarfDebugInfo) fresh.debugInfo()).demangled();
            assertTrue(demangled < (text.startsWith("sample_rust::") ? total / 4 : total),
                    text + ": " + demangled + " of " + total + " DWARF names demangled");
        }
        assertTrue(sites > 100, "sites compared: " + sites);
        if (v.release()) {
            assertTrue(inlineOnly > 0, "inline-only functions compared: " + inlineOnly);
        }
    }

    /**
     * Each site knows the DWARF call it was made from (the planner evaluates its values there): the same call that
     * a lookup by the site's entry address, call position and function finds. (By address and position alone, the
     * planner once took a nested call of another function at the same place.)
     */
    @ParameterizedTest
    @EnumSource(value = Variant.class, names = {"RELEASE_LEGACY", "RELEASE_V0", "DEBUG"})
    void everySiteKnowsTheCallAtItsEntry(Variant v) {
        IndexedBinary binary = IndexedBinary.open(SampleRust.binary(v));
        DebugInfo debug = binary.debugInfo();
        dev.rustprobe.dwarf.Dwarf dwarf = debug.dwarf().orElseThrow();
        List<Function> functions = binary.match(Pattern.parse("**"), true);
        java.util.Map<String, List<InlineSite>> all = debug.inlineSites(functions);
        int checked = 0;
        for (Function f : functions) {
            assertEquals(debug.inlineSites(f), all.get(f.name()), f.name() + ": alone and in a batch");
            for (InlineSite s : all.get(f.name())) {
                dev.rustprobe.dwarf.InlinedCall c = debug.inlinedCall(s).orElseThrow(() -> new AssertionError(s.toString()));
                assertEquals(List.of(s.callLine(), s.callColumn()), List.of(c.callLine(), c.callColumn()), s.toString());
                if (!s.probeable()) {
                    continue;
                }
                dev.rustprobe.dwarf.InlinedCall byAddress = null;
                for (dev.rustprobe.dwarf.InlinedCall at : dwarf.inlinedCallsAt(s.entry())) {
                    // of the same function: the copy of one function can start where a copy of another, inlined
                    // into it from the same line and column, starts (<&&OsStr as PartialEq>::eq, <&OsStr as ...)
                    if (at.lowPc() == s.entry() && at.callLine() == s.callLine() && at.callColumn() == s.callColumn()
                            && s.function().equals(DwarfDebugInfo.pathOf(at.origin().linkageName(),
                            at.origin().qualifiedName()))) {
                        byAddress = at;
                    }
                }
                assertEquals(byAddress == null ? null : byAddress.offset(), c.offset(), s.toString());
                checked++;
            }
        }
        assertTrue(checked > 1000, "sites checked: " + checked);
    }
}
