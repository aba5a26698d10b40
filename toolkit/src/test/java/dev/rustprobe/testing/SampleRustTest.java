// Checks that every sample-rust variant builds, runs to DONE with parsable truth lines, and that the binary
// really contains what the truth lines and README claim, as nm and readelf (binutils) see it.
package dev.rustprobe.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rustprobe.testing.SampleRust.Kind;
import dev.rustprobe.testing.SampleRust.TruthLine;
import dev.rustprobe.testing.SampleRust.Variant;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SampleRustTest {

    private static final Set<Kind> CALL_KINDS = Set.of(Kind.CALL, Kind.NESTED, Kind.INLINE, Kind.PANIC);

    @ParameterizedTest
    @EnumSource(Variant.class)
    void runsToDoneWithTruthLinesThatParse(Variant v) {
        SampleRust.Run run = SampleRust.execute(v);
        assertEquals(0, run.exitCode(), run.stderr());
        List<TruthLine> lines = run.stdout().stream().map(SampleRust::parse).toList();
        assertEquals(Kind.START, lines.get(0).kind());
        assertEquals(Kind.DONE, lines.get(lines.size() - 1).kind());
        long calls = lines.stream().filter(l -> CALL_KINDS.contains(l.kind())).count();
        assertEquals(String.valueOf(calls), lines.get(lines.size() - 1).arg("lines"));
        assertTrue(calls > 100, "only " + calls + " call lines");

        // The panic was caught: a PANIC line with the message, and the run went on to DONE with exit 0.
        TruthLine panic = only(lines, Kind.PANIC, "sample_rust::faults::explode");
        assertEquals("13", panic.arg("code"));
        assertEquals("\"code 13 is odd\"", panic.ret());
        assertTrue(run.stderr().contains("code 13 is odd"), run.stderr());

        // Three worker threads besides main call orders::place, each with its own values.
        List<TruthLine> places = lines.stream()
                .filter(l -> l.kind() == Kind.CALL && l.function().equals("sample_rust::orders::place")).toList();
        Set<Integer> tids = places.stream().map(TruthLine::tid).collect(Collectors.toSet());
        assertTrue(tids.size() >= 4, "place called from threads " + tids);
        Set<String> ids = places.stream().map(l -> l.arg("id")).collect(Collectors.toSet());
        assertEquals(places.size(), ids.size(), "ids repeat across calls: " + ids);

        // The example from the README, exactly.
        assertTrue(lines.stream().anyMatch(l -> l.kind() == Kind.CALL && l.function().equals("sample_rust::orders::place")
                && l.args().equals(Map.of("id", "7", "name", "\"widget\"", "qty", "Some(3)")) && l.ret().equals("Ok(21)")));

        // Inlined helpers: at least three call sites in different places, some called from worker threads.
        Set<String> sites = lines.stream().filter(l -> l.kind() == Kind.INLINE).map(TruthLine::callSite)
                .collect(Collectors.toSet());
        assertTrue(sites.size() >= 7, "inline call sites " + sites);
        // The loop site runs three times with different words.
        Map<String, Long> perSite = lines.stream().filter(l -> l.kind() == Kind.INLINE)
                .filter(l -> l.function().equals("sample_rust::inline::prefix_len"))
                .collect(Collectors.groupingBy(TruthLine::callSite, Collectors.counting()));
        assertTrue(perSite.containsValue(3L), "prefix_len sites " + perSite);
    }

    @ParameterizedTest
    @EnumSource(value = Variant.class, names = {"RELEASE_LEGACY", "DEBUG"})
    void quietAndRepeatChangeOutputNotWork(Variant v) {
        List<TruthLine> once = SampleRust.run(v);
        long calls = once.stream().filter(l -> CALL_KINDS.contains(l.kind())).count();
        List<TruthLine> twice = SampleRust.run(v, "--repeat", "2");
        assertEquals(2 * calls, twice.stream().filter(l -> CALL_KINDS.contains(l.kind())).count());
        List<TruthLine> quiet = SampleRust.run(v, "--quiet", "--repeat", "3");
        assertEquals(List.of(Kind.START, Kind.DONE), quiet.stream().map(TruthLine::kind).toList());
        assertEquals(String.valueOf(3 * calls), quiet.get(1).arg("lines"));
        List<TruthLine> hot = SampleRust.run(v, "--hot", "5");
        List<TruthLine> hotPlaces = hot.subList(hot.size() - 6, hot.size() - 1);
        assertEquals(List.of("1000", "1001", "1002", "1003", "1004"), hotPlaces.stream().map(l -> l.arg("id")).toList());
        assertTrue(hotPlaces.stream().allMatch(l -> l.function().equals("sample_rust::orders::place")
                && l.ret().equals("Ok(" + 2 * Integer.parseInt(l.arg("id")) + ")")), hotPlaces.toString());
        assertEquals(2, SampleRust.execute(v, "--repeat", "many").exitCode());
        assertEquals(2, SampleRust.execute(v, "--hot").exitCode());
    }

    @Test
    void waitStdinHoldsTheWorkloadUntilALineArrives() throws Exception {
        Path bin = SampleRust.binary(Variant.RELEASE_LEGACY);
        Process p = new ProcessBuilder(bin.toString(), "--wait-stdin").redirectErrorStream(true).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
             OutputStream in = p.getOutputStream()) {
            TruthLine start = SampleRust.parse(out.readLine());
            assertEquals(Kind.START, start.kind());
            assertEquals(String.valueOf(p.pid()), start.arg("pid"));
            Thread.sleep(300);
            assertTrue(p.isAlive(), "exited before stdin had a line");
            assertEquals(0, p.getInputStream().available(), "printed more before stdin had a line");
            in.write('\n');
            in.flush();
            String last = null;
            for (String l; (l = out.readLine()) != null; ) {
                last = l;
            }
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue());
            assertEquals(Kind.DONE, SampleRust.parse(last).kind());
        } finally {
            p.destroyForcibly();
        }
    }

    @ParameterizedTest
    @EnumSource(Variant.class)
    void everyFunctionTheProgramCallsIsInTheSymbolTable(Variant v) throws Exception {
        Map<String, List<Symbol>> symbols = symbols(SampleRust.binary(v));
        List<TruthLine> lines = SampleRust.run(v);
        List<String> missing = new ArrayList<>();
        for (TruthLine l : lines) {
            String name = SampleRust.demangledName(l.function(), v);
            switch (l.kind()) {
                case CALL, NESTED, PANIC -> {
                    if (!symbols.containsKey(name)) {
                        missing.add(l.kind() + " " + name);
                    }
                }
                // Release builds inline the helpers everywhere; the debug build calls them out of line.
                case INLINE -> assertEquals(!v.release(), symbols.containsKey(name), name + " out of line in " + v);
                case START, DONE -> { }
            }
        }
        assertEquals(List.of(), missing.stream().distinct().toList(), "not in nm of " + v);
    }

    @ParameterizedTest
    @EnumSource(value = Variant.class, names = "RELEASE.*", mode = EnumSource.Mode.MATCH_ANY)
    void releaseBuildsShowTheOptimizerEffects(Variant v) throws Exception {
        Map<String, List<Symbol>> symbols = symbols(SampleRust.binary(v));
        // Alias groups: identical bodies folded into one address.
        assertEquals(address(symbols, "sample_rust::geometry::pair_hash"), address(symbols, "sample_rust::geometry::span_hash"));
        assertEquals(address(symbols, "sample_rust::geometry::rotate_tuple"),
                address(symbols, "sample_rust::geometry::rotate_triple"));
        assertFalse(address(symbols, "sample_rust::scalars::add_u64").equals(address(symbols, "sample_rust::geometry::pair_hash")));
        // Generic copies: local symbols with one path (legacy) or one path plus type arguments (v0).
        Set<String> describeCopies = new HashSet<>();
        symbols.forEach((name, list) -> {
            if (SampleRust.demangledName(SampleRust.stripTypeArguments(name), Variant.RELEASE_LEGACY).equals("sample_rust::generics::describe")) {
                list.forEach(s -> {
                    assertEquals('t', s.type(), name);
                    describeCopies.add(s.address());
                });
            }
        });
        assertEquals(4, describeCopies.size(), "describe copies " + describeCopies);
        // Crate-private functions are local.
        for (String f : List.of("dead_arg", "const_arg", "by_ref")) {
            assertEquals('t', symbols.get("sample_rust::internals::" + f).get(0).type(), f);
        }
        assertEquals('T', symbols.get("sample_rust::internals::run").get(0).type());
    }

    @ParameterizedTest
    @EnumSource(value = Variant.class, names = "RELEASE.*", mode = EnumSource.Mode.MATCH_ANY)
    void everyInlineTruthLineHasAnInlinedSubroutineInTheDwarf(Variant v) throws Exception {
        Set<String> inlined = inlinedSites(SampleRust.binary(v));
        List<String> missing = new ArrayList<>();
        for (TruthLine l : SampleRust.run(v)) {
            if (l.kind() == Kind.INLINE) {
                String name = l.function().substring(l.function().lastIndexOf("::") + 2);
                if (!inlined.contains(name + "@" + l.callLine())) {
                    missing.add(name + "@" + l.callSite());
                }
            }
        }
        assertEquals(List.of(), missing.stream().distinct().toList(),
                "no DW_TAG_inlined_subroutine in " + v + "; have " + inlined);
    }

    @Test
    void parseReadsEveryFieldAndRejectsMalformedLines() {
        TruthLine l = SampleRust.parse("INLINE\t42\tsample_rust::inline::scale\tx=3\tk=10\t-> 31\t@ src/main.rs:7");
        assertEquals(new TruthLine(Kind.INLINE, 42, "sample_rust::inline::scale", Map.of("x", "3", "k", "10"), "31",
                "src/main.rs:7"), l);
        assertEquals(List.of("x", "k"), List.copyOf(l.args().keySet()));
        assertEquals(7, l.callLine());
        TruthLine s = SampleRust.parse("CALL\t1\tf\ts=\"a=b -> c\"\t-> \"x\"");
        assertEquals("\"a=b -> c\"", s.arg("s"));
        assertNull(s.callSite());
        assertNull(SampleRust.parse("DONE\t1\tsample-rust\tlines=0").ret());
        for (String bad : List.of("", "CALL\t1", "CALL\tx\tf\t-> 1", "HELLO\t1\tf\t-> 1", "CALL\t1\tf\tx=1",
                "CALL\t1\tf\t-> 1\tx=2", "CALL\t1\tf\t1x=2\t-> 1", "CALL\t1\tf\tx=1\tx=2\t-> 1",
                "CALL\t1\tf\t-> 1\t@ src/main.rs:3", "INLINE\t1\tf\t-> 1", "DONE\t1\tf\t-> 1", "CALL\t1\t\t-> 1")) {
            assertThrows(IllegalArgumentException.class, () -> SampleRust.parse(bad), bad);
        }
    }

    @Test
    void demangledNameFollowsLegacyDemangling() {
        // Expected forms as nm -C prints legacy symbols (see the RELEASE_LEGACY symbol-table test).
        Variant legacy = Variant.RELEASE_LEGACY;
        assertEquals("sample_rust::orders::Order::total", SampleRust.demangledName("<sample_rust::orders::Order>::total", legacy));
        assertEquals("sample_rust::generics::describe", SampleRust.demangledName("sample_rust::generics::describe::<&str>", legacy));
        assertEquals("sample_rust::generics::double_area",
                SampleRust.demangledName("sample_rust::generics::double_area::<sample_rust::shapes::Rect>", legacy));
        assertEquals("sample_rust::closures::make_adder::{{closure}}",
                SampleRust.demangledName("sample_rust::closures::make_adder::{closure#0}", legacy));
        assertEquals("a::f", SampleRust.demangledName("a::f::<fn(u8) -> core::option::Option<u8>>", legacy));
        String traitMethod = "<sample_rust::shapes::Square as sample_rust::shapes::Area>::area";
        assertEquals(traitMethod, SampleRust.demangledName(traitMethod, legacy));
        assertEquals("sample_rust::generics::describe::<&str>",
                SampleRust.demangledName("sample_rust::generics::describe::<&str>", Variant.RELEASE_V0));
    }

    private static TruthLine only(List<TruthLine> lines, Kind kind, String function) {
        List<TruthLine> found = lines.stream().filter(l -> l.kind() == kind && l.function().equals(function)).toList();
        assertEquals(1, found.size(), kind + " " + function + ": " + found);
        return found.get(0);
    }

    record Symbol(String address, char type) {}

    /** Defined symbols by demangled name (nm -C), several per name for generic copies. */
    static Map<String, List<Symbol>> symbols(Path binary) throws IOException, InterruptedException {
        Map<String, List<Symbol>> out = new HashMap<>();
        for (String line : tool("nm", "-C", "--defined-only", binary.toString())) {
            String[] f = line.split(" ", 3);
            if (f.length == 3) {
                String name = f[2].replaceAll("\\.llvm\\.[0-9]+$", "");
                out.computeIfAbsent(name, k -> new ArrayList<>()).add(new Symbol(f[0], f[1].charAt(0)));
            }
        }
        return out;
    }

    private static String address(Map<String, List<Symbol>> symbols, String name) {
        List<Symbol> s = symbols.get(name);
        assertTrue(s != null && s.size() == 1, name + ": " + s);
        return s.get(0).address();
    }

    /** "name@call_line" for every DW_TAG_inlined_subroutine, from readelf's dump of .debug_info. */
    static Set<String> inlinedSites(Path binary) throws IOException, InterruptedException {
        Map<String, String> nameOf = new HashMap<>();   // DIE offset -> DW_AT_name
        Map<String, String> originOf = new HashMap<>(); // DIE offset -> abstract_origin/specification offset
        List<String[]> sites = new ArrayList<>();       // {origin offset, call line}
        String die = null;
        boolean inlinedSubroutine = false;
        String origin = null;
        for (String line : tool("readelf", "--wide", "--debug-dump=info", binary.toString())) {
            String t = line.strip();
            if (t.matches("<[0-9a-f]+><[0-9a-f]+>: Abbrev Number: .*")) {
                die = t.substring(t.indexOf("><") + 2, t.indexOf(">:"));
                inlinedSubroutine = t.endsWith("(DW_TAG_inlined_subroutine)");
                origin = null;
            } else if (die != null && t.contains("DW_AT_")) {
                String attr = t.substring(t.indexOf("DW_AT_"), t.indexOf(':', t.indexOf("DW_AT_"))).strip();
                // "(form) value" with --wide; strings read "(strp) (offset: 0x1f): name"
                String value = t.substring(t.lastIndexOf(": ") + 2).strip().replaceFirst("^(\\([^)]*\\) )+", "");
                switch (attr) {
                    case "DW_AT_name" -> nameOf.put(die, value);
                    case "DW_AT_abstract_origin", "DW_AT_specification" -> {
                        origin = value.replaceAll("[<>]", "").replaceFirst("^0x", "");
                        originOf.put(die, origin);
                    }
                    case "DW_AT_call_line" -> {
                        if (inlinedSubroutine && origin != null) {
                            sites.add(new String[] {origin, value});
                        }
                    }
                    default -> { }
                }
            }
        }
        Set<String> out = new HashSet<>();
        for (String[] s : sites) {
            String o = s[0];
            for (int hops = 0; hops < 4 && !nameOf.containsKey(o) && originOf.containsKey(o); hops++) {
                o = originOf.get(o);
            }
            out.add(nameOf.getOrDefault(o, "?" + o) + "@" + Integer.decode(s[1]));
        }
        return out;
    }

    private static List<String> tool(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        List<String> lines = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), String.join(" ", command));
        assertEquals(0, p.exitValue(), String.join(" ", command));
        return lines;
    }
}
