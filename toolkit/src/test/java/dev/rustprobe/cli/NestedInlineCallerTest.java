// Nested inline sites: a call inlined into a function that was itself inlined names that function as its direct
// caller and the out-of-line function holding the code as its caller, as llvm-dwarfdump's DIE nesting shows them;
// explain says so in its text, its sentence and its JSON.
package dev.rustprobe.cli;

import dev.rustprobe.demangle.Demangler;
import dev.rustprobe.index.DebugInfo;
import dev.rustprobe.index.Function;
import dev.rustprobe.index.IndexedBinary;
import dev.rustprobe.index.InlineSite;
import dev.rustprobe.testing.ExternalTools;
import dev.rustprobe.testing.SampleRust;
import dev.rustprobe.testing.SampleRust.Variant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.regex.Matcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NestedInlineCallerTest {
    private record Node(int indent, String tag, String name) {}

    private static final java.util.regex.Pattern DIE = java.util.regex.Pattern.compile("^0x[0-9a-f]+:(\\s+)(DW_TAG_\\w+|NULL)");
    private static final java.util.regex.Pattern QUOTED = java.util.regex.Pattern.compile(
            "DW_AT_(linkage_name|abstract_origin|specification)\\s+\\((?:0x[0-9a-f]+ )?\"([^\"]+)\"\\)");
    private static final java.util.regex.Pattern CALL_LINE = java.util.regex.Pattern.compile("DW_AT_call_line\\s+\\((\\d+)\\)");

    private static String path(String name) {
        String d = name == null ? null : Demangler.demangle(name, false);
        return d != null ? d : name;
    }

    /** "function|line|direct caller|out-of-line caller" for every inline site of a sample_rust function. */
    static List<String> fromDwarfdump(Path bin) {
        String[] lines = ExternalTools.run("llvm-dwarfdump", "--debug-info", bin.toString()).split("\n");
        List<String> out = new ArrayList<>();
        Deque<Node> stack = new ArrayDeque<>();
        for (int i = 0; i < lines.length; i++) {
            Matcher m = DIE.matcher(lines[i]);
            if (!m.find()) {
                continue;
            }
            int indent = m.group(1).length();
            while (!stack.isEmpty() && stack.peek().indent() >= indent) {
                stack.pop();
            }
            if (m.group(2).equals("NULL")) {
                continue;
            }
            String name = null;
            String line = null;
            for (int j = i + 1; j < lines.length && !lines[j].isBlank() && !DIE.matcher(lines[j]).find(); j++) {
                Matcher q = QUOTED.matcher(lines[j]);
                if (q.find() && (name == null || q.group(1).equals("linkage_name"))) {
                    name = q.group(2);
                }
                Matcher c = CALL_LINE.matcher(lines[j]);
                if (c.find()) {
                    line = c.group(1);
                }
            }
            if (m.group(2).equals("DW_TAG_inlined_subroutine") && path(name) != null && path(name).startsWith("sample_rust::")) {
                String direct = null;
                String outer = null;
                for (Node n : stack) { // innermost first
                    boolean function = n.tag().equals("DW_TAG_subprogram");
                    if (direct == null && (function || n.tag().equals("DW_TAG_inlined_subroutine"))) {
                        direct = path(n.name());
                    }
                    if (function) {
                        outer = path(n.name());
                        break;
                    }
                }
                out.add(path(name) + "|" + line + "|" + direct + "|" + outer);
            }
            stack.push(new Node(indent, m.group(2), name));
        }
        Collections.sort(out);
        return out;
    }

    @ParameterizedTest
    @EnumSource(value = Variant.class, names = {"RELEASE_LEGACY", "RELEASE_V0", "RELEASE_V0_DWARF5"})
    void directAndOutOfLineCallersAreDwarfdumpsNesting(Variant v) {
        Path bin = SampleRust.binary(v);
        IndexedBinary binary = IndexedBinary.open(bin);
        DebugInfo debug = binary.debugInfo();
        List<String> ours = new ArrayList<>();
        int nested = 0;
        for (Function f : binary.allFunctions()) {
            if (!f.name().startsWith("sample_rust::")) {
                continue;
            }
            for (InlineSite s : debug.inlineSites(f)) {
                ours.add(f.name() + "|" + s.callLine() + "|" + s.directCaller() + "|" + s.caller());
                assertEquals(s.inlinedCallers().size() + 1, s.depth());
                nested += s.depth() > 1 ? 1 : 0;
            }
        }
        Collections.sort(ours);
        assertEquals(fromDwarfdump(bin), ours);
        assertTrue(nested >= 10, nested + " nested sites of the crate's functions");
    }

    @Test
    void explainNamesTheInlinedIntermediateCaller() {
        Path bin = SampleRust.binary(Variant.RELEASE_LEGACY);
        List<String> sites = fromDwarfdump(bin).stream().filter(s -> s.startsWith("sample_rust::inline::scale|")).toList();
        // scale is inlined into scalar_calls, which is itself inlined into main (sample-rust/src/main.rs)
        List<String> lines = sites.stream().filter(s -> s.endsWith("|sample_rust::scalar_calls|sample_rust::main"))
                .map(s -> s.split("\\|")[1]).toList();
        assertTrue(lines.size() >= 2, sites.toString());
        BadInputTest.Result r = BadInputTest.run("explain", bin.toString(), "sample_rust::inline::scale");
        assertEquals(0, r.code(), r.err());
        String sentence = r.out().lines().filter(l -> l.contains("a plain uprobe:")).findFirst().orElseThrow();
        assertTrue(sentence.contains("inlined into scalar_calls (itself inlined into main) at " + lines.size()
                + " call sites: "), sentence);
        for (String line : lines) {
            assertTrue(sentence.contains(":" + line), line + " in " + sentence);
            assertTrue(r.out().lines().anyMatch(l -> l.startsWith("    into sample_rust::scalar_calls (itself inlined into "
                    + "sample_rust::main) at ") && l.contains("main.rs:" + line + ":")), r.out());
        }
        BadInputTest.Result j = BadInputTest.run("explain", bin.toString(), "sample_rust::inline::scale", "--json");
        assertEquals(0, j.code(), j.err());
        assertTrue(j.out().contains("{\"caller\":\"sample_rust::main\",\"file\":"), j.out());
        assertTrue(j.out().contains("\"directCaller\":\"sample_rust::scalar_calls\",\"depth\":2,"
                + "\"inlinedCallers\":[\"sample_rust::scalar_calls\"]"), j.out());
    }
}
