// explain on sample-rust's release build: the sentence names the call sites llvm-dwarfdump lists, aliases are
// nm's same-address names, --json is one document, and the panic catch points trace will probe are named once.
package dev.rustprobe.cli;

import dev.rustprobe.index.AliasGroup;
import dev.rustprobe.index.FunctionIndex;
import dev.rustprobe.index.InlineSitesTest;
import dev.rustprobe.testing.SampleRust;
import dev.rustprobe.testing.SampleRust.Variant;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ExplainCommandTest {
    @Test
    void inlineOnlyFunctionNamesEveryCallSiteInOneSentence() {
        Path bin = SampleRust.binary(Variant.RELEASE_LEGACY);
        List<String> sites = InlineSitesTest.fromDwarfdump(bin).stream()
                .filter(s -> s.startsWith("sample_rust::inline::scale|")).toList();
        assertTrue(sites.size() >= 2, sites.toString());
        BadInputTest.Result r = BadInputTest.run("explain", bin.toString(), "sample_rust::inline::scale");
        assertEquals(0, r.code(), r.err());
        String sentence = r.out().lines().filter(l -> l.contains("a plain uprobe:")).findFirst().orElseThrow();
        assertTrue(sentence.contains("scale has no out-of-line copy: it exists only inlined into scalar_calls (itself inlined into main) at "), sentence);
        for (String s : sites) {
            String line = s.substring(s.indexOf(':', s.indexOf('|')) + 1, s.lastIndexOf('|'));
            assertTrue(sentence.contains(":" + line), "call line " + line + " missing from: " + sentence);
        }
        assertTrue(r.out().contains("parameters: x: u64, k: u64"), r.out());
        assertTrue(r.out().contains("returns: u64"), r.out());
    }

    @Test
    void aliasesAreShownAndExplained() {
        Path bin = SampleRust.binary(Variant.RELEASE_LEGACY);
        // An alias group among the crate's own functions, as nm's same-address names (checked in FunctionIndexSampleRustTest).
        FunctionIndex index = FunctionIndex.build(dev.rustprobe.elf.ElfFile.open(bin));
        AliasGroup group = index.aliasGroups().stream()
                .filter(g -> g.names().stream().allMatch(n -> n.startsWith("sample_rust::"))).findFirst().orElseThrow();
        String one = group.names().get(0);
        BadInputTest.Result r = BadInputTest.run("explain", bin.toString(), one, "--json");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("{\"binary\":") && r.out().endsWith("}\n"), r.out());
        assertEquals(1, r.out().lines().count());
        for (String other : group.names().subList(1, group.names().size())) {
            assertTrue(r.out().contains("\"aliases\":[\"" + other) || r.out().contains(",\"" + other + "\""), other + " in " + r.out());
        }
        assertTrue(r.out().contains("so a uprobe there also fires for their calls"), r.out());
    }

    @Test
    void valuePlansAreShownAtEveryInlinedSiteAndEveryExit() {
        Path bin = SampleRust.binary(Variant.RELEASE_LEGACY);
        BadInputTest.Result r = BadInputTest.run("explain", bin.toString(), "sample_rust::text::greet", "--json");
        assertEquals(0, r.code(), r.err());
        // String is returned through sret: at each ret the hidden pointer is back in rax (DecodeTruthTest decodes it)
        assertTrue(r.out().contains("\"returnValue\":{\"name\":\"return\",\"type\":\"String\",\"location\":\"*rax\""),
                r.out());
        assertTrue(r.out().matches("(?s).*\"exits\":\\[\\{\"address\":\"0x[0-9a-f]+\",\"kind\":\"ret\".*"), r.out());
        assertTrue(r.out().contains("\"entry\":[{\"name\":\"name\",\"type\":\"&str\",\"location\":\"rsi:rdx\""), r.out());
        // scale(x, 3) at main.rs:159: k was folded to the constant the program passed
        BadInputTest.Result t = BadInputTest.run("explain", bin.toString(), "sample_rust::inline::scale");
        assertEquals(0, t.code(), t.err());
        // and where that copy is left: the instruction after its range (main.rs:159 is 0x27d19-0x27d20)
        assertTrue(t.out().matches("(?s).*main\\.rs:159:\\d+  0x([0-9a-f]+)-0x([0-9a-f]+)\n(      probe at [^\n]*\n)?"
                + "      exits: 0x\\2 fall-through \\((single-stepped|emulated)\\)\n      at 0x[0-9a-f]+: x rbx, k const 3\n.*"),
                t.out());
        BadInputTest.Result j = BadInputTest.run("explain", bin.toString(), "sample_rust::inline::scale", "--json");
        assertTrue(j.out().matches("(?s).*\"exits\":\\[\\{\"entry\":\"0x[0-9a-f]+\",\"address\":\"0x[0-9a-f]+\","
                + "\"how\":\"fall-through\",\"rspDelta\":0,\"probe\":\\{\"handling\":.*\"exitsNote\":null.*"), j.out());
        BadInputTest.Result u = BadInputTest.run("explain", bin.toString(), "sample_rust::parse_args");
        assertTrue(u.out().contains("exits: unknown, so trace records its calls without their end: its indirect jump at"),
                u.out());
    }

    @Test
    void everyProbeSiteSaysWhetherTheKernelEmulatesOrSingleStepsItsInstruction() {
        Path bin = SampleRust.binary(Variant.RELEASE_LEGACY);
        // objdump's bytes of each function's first instruction, by mangled name
        java.util.Map<String, String> first = new java.util.HashMap<>();
        String current = null;
        String last = null;
        for (String line : dev.rustprobe.testing.ExternalTools.run("objdump", "-d", "--no-addresses", bin.toString())
                .split("\n")) {
            String[] f = line.split("\t");
            if (line.startsWith("<") && line.endsWith(">:")) {
                current = line.substring(1, line.length() - 2);
                last = null;
            } else if (current != null && line.startsWith("\t") && f.length >= 3) {
                first.put(current, f[1].strip());
                last = current;
                current = null;
            } else if (last != null && line.startsWith("\t") && f.length == 2) {
                // objdump continues an instruction longer than 7 bytes on the next line
                first.merge(last, f[1].strip(), (a, b) -> a + " " + b);
            } else {
                last = null;
            }
        }
        BadInputTest.Result r = BadInputTest.run("explain", bin.toString(), "sample_rust::orders::place");
        assertTrue(r.out().contains("entry probe: the kernel single-steps it out of line (about 20x the cost of an"
                + " emulated probe) (first instruction " + first.get(findMangled(r.out())) + ")"), r.out());
        assertTrue(r.out().matches("(?s).*exits: 0x[0-9a-f]+ ret \\(single-stepped\\).*"), r.out());
        BadInputTest.Result p = BadInputTest.run("explain", bin.toString(), "sample_rust::truth::print_line");
        String mangled = findMangled(p.out());
        assertTrue(first.get(mangled).matches("(41 )?5[0-7]"), "print_line starts with a push: " + first.get(mangled));
        assertTrue(p.out().contains("entry probe: the kernel emulates it (first instruction " + first.get(mangled) + ")"),
                p.out());
        BadInputTest.Result all = BadInputTest.run("explain", bin.toString(), "sample_rust::scalars::*", "--json");
        assertEquals(0, all.code(), all.err());
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(
                "\"mangled\":\"([^\"]+)\"[^{]*\"entryProbe\":\\{\"handling\":\"([a-z-]+)\",\"bytes\":\"([0-9a-f ]+)\"")
                .matcher(all.out());
        int n = 0;
        while (m.find()) {
            assertEquals(first.get(m.group(1)), m.group(3), "first instruction of " + m.group(1));
            n++;
        }
        assertTrue(n >= 10, "entry probes checked: " + n);
    }

    @Test
    void theEntryProbeLineSaysWhereTraceProbesAndWhy() {
        Path bin = SampleRust.binary(Variant.RELEASE_LEGACY);
        // token_len: a panic may unwind through it, so trace probes its rets and moves its entry probe
        BadInputTest.Result moved = BadInputTest.run("explain", bin.toString(), "sample_rust::shapes::token_len");
        assertEquals(0, moved.code(), moved.err());
        assertTrue(moved.out().matches("(?s).*entry probe: at \\+0x[0-9a-f]+ \\(je, emulated\\), moved past \\d+"
                + " instructions that leave rdi untouched; at \\+0 \\(mov, first instruction [0-9a-f ]+\\) the kernel"
                + " would single-step it\n.*"), moved.out());
        BadInputTest.Result json = BadInputTest.run("explain", bin.toString(), "sample_rust::shapes::token_len", "--json");
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"copies\":\\[\\{\"address\":\"0x([0-9a-f]+)\".*"
                + "\"entryHop\":\\{\"moved\":true,\"address\":\"0x([0-9a-f]+)\",\"offset\":(\\d+),\"instruction\":\"je\","
                + "\"handling\":\"emulated\",\"skipped\":(\\d+),\"entryRspDelta\":0,\"reason\":null,").matcher(json.out());
        assertTrue(m.find(), json.out());
        assertEquals(Long.parseLong(m.group(1), 16) + Long.parseLong(m.group(3)), Long.parseLong(m.group(2), 16));
        assertTrue(moved.out().contains("moved past " + m.group(4) + " instructions"), moved.out());
        assertTrue(json.out().contains("\"entryHopWithoutUretprobe\":null"), json.out());

        // orders::place reaches its ret before any instruction the kernel emulates
        BadInputTest.Result stays = BadInputTest.run("explain", bin.toString(), "sample_rust::orders::place");
        assertTrue(stays.out().matches("(?s).*entry probe: the kernel single-steps it [^\n]*; not moved: the ret at"
                + " \\+0x[0-9a-f]+ comes before any instruction the kernel emulates.*"), stays.out());
        // text::checksum: the default takes its returns with a uretprobe, which keeps the entry probe at +0
        BadInputTest.Result uret = BadInputTest.run("explain", bin.toString(), "sample_rust::text::checksum");
        assertTrue(uret.out().matches("(?s).*entry probe: [^\n]*not moved to \\+0x3 \\(je\\): its returns are taken"
                + " with a uretprobe[^\n]*; with --returns=rets or none it would be at \\+0x3 \\(je, emulated\\), moved"
                + " past 1 instruction that leaves rdi, rsi untouched\n.*"), uret.out());
    }

    private static String findMangled(String explainText) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("  (_ZN\\S+)\n").matcher(explainText);
        assertTrue(m.find(), explainText);
        return m.group(1);
    }

    @Test
    void thePanicCatchPointsAreNamedOnceOrTheirAbsenceExplained(@org.junit.jupiter.api.io.TempDir Path dir) {
        Path bin = SampleRust.binary(Variant.RELEASE_LEGACY);
        long cleanup = dev.rustprobe.elf.ElfFile.open(bin).symbols().stream()
                .filter(s -> "std::panicking::catch_unwind::cleanup"
                        .equals(dev.rustprobe.demangle.Demangler.demangle(s.name(), false))).findFirst().orElseThrow()
                .value();
        BadInputTest.Result r = BadInputTest.run("explain", bin.toString(), "sample_rust::faults::**");
        assertEquals(0, r.code(), r.err());
        List<String> lines = r.out().lines().filter(l -> l.startsWith("panics: ")).toList();
        assertEquals(1, lines.size(), r.out());
        assertTrue(lines.get(0).contains("when it is caught, at the entry of std's catch points "
                + "std::panicking::catch_unwind::cleanup (0x" + Long.toHexString(cleanup) + "), "
                + "__rustc::__rust_panic_cleanup (0x"), lines.get(0));
        BadInputTest.Result j = BadInputTest.run("explain", bin.toString(), "sample_rust::faults::**", "--json");
        assertTrue(j.out().contains("\"panicCatchPoints\":[{\"name\":\"std::panicking::catch_unwind::cleanup\","
                + "\"address\":\"0x" + Long.toHexString(cleanup) + "\"}"), j.out());

        // A C program has no catch point: said once, with what trace does instead.
        Path c = dev.rustprobe.testing.ExternalTools.gcc(dir, "plain", "int main(void) { return 0; }\n", "-g");
        BadInputTest.Result plain = BadInputTest.run("explain", c.toString(), "main");
        assertEquals(0, plain.code(), plain.err());
        assertTrue(plain.out().contains("panics: no panic catch point (std's catch_unwind cleanup) in this binary (std"
                + " linked as a shared library, or not a Rust program): a call a panic unwinds is reported when its"
                + " thread next enters or leaves a traced function, or else as unreturned\n"), plain.out());
        BadInputTest.Result pj = BadInputTest.run("explain", c.toString(), "main", "--json");
        assertTrue(pj.out().contains("\"panicCatchPoints\":[],\"panics\":\"no panic catch point"), pj.out());
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(value = Variant.class, names = {"RELEASE_LEGACY", "RELEASE_V0"})
    void lsExplainAndTraceAgreeOnATypesTraitMethods(Variant v) {
        Path bin = SampleRust.binary(v);
        String pattern = "sample_rust::shapes::Circle::*";
        List<String> expected = List.of("<sample_rust::shapes::Circle as core::fmt::Debug>::fmt",
                "<sample_rust::shapes::Circle as sample_rust::shapes::Area>::area",
                "<sample_rust::shapes::Circle as sample_rust::shapes::Area>::sides");
        BadInputTest.Result ls = BadInputTest.run("ls", bin.toString(), pattern);
        assertEquals(0, ls.code(), ls.err());
        assertEquals(expected, ls.out().lines().skip(1).map(l -> l.substring(l.indexOf("yes   ") + 6)).toList());
        BadInputTest.Result ex = BadInputTest.run("explain", bin.toString(), pattern);
        assertEquals(0, ex.code(), ex.err());
        assertEquals(expected, ex.out().lines().filter(l -> l.startsWith("<")).toList());
        // trace's plan, from the index filtered by the one pattern as trace opens it
        dev.rustprobe.index.Pattern p = dev.rustprobe.index.Pattern.parse(pattern);
        var plan = dev.rustprobe.probe.ProbePlanner.plan(dev.rustprobe.index.IndexedBinary.open(bin, p), List.of(p),
                new dev.rustprobe.probe.ProbePlanner.Options(true, dev.rustprobe.probe.ProbePlanner.Returns.RETS, 64));
        assertEquals(expected, plan.functions().stream().sorted().toList());

        // a misspelt method is suggested by its self-type form's distance
        BadInputTest.Result typo = BadInputTest.run("ls", bin.toString(), "sample_rust::shapes::Circle::aera");
        assertEquals(1, typo.code());
        assertTrue(typo.err().startsWith("rustprobe: no function matches 'sample_rust::shapes::Circle::aera'; nearest: "
                + "<sample_rust::shapes::Circle as sample_rust::shapes::Area>::area, "), typo.err());
    }
}
