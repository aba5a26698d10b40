// explain on sample-rust's release build: the sentence names the call sites llvm-dwarfdump lists, aliases are
// nm's same-address names, and --json is one document.
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
        assertTrue(t.out().matches("(?s).*main\\.rs:159:\\d+ [^\n]*\n      at 0x[0-9a-f]+: x rbx, k const 3\n.*"), t.out());
    }
}
