// Every golden case, real symbols and hand-written ones, must render exactly as rustfilt rendered it.
package dev.rustprobe.demangle;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

class GoldenCorpusTest {
    @Test
    void realSymbolsFromToolchainAndSampleBuildsMatchRustfilt() {
        List<Golden> rows = Golden.load("corpus.tsv.gz");
        assertTrue(rows.size() >= 20_000, "corpus has only " + rows.size() + " symbols");
        long v0 = rows.stream().filter(g -> g.input().startsWith("_R") && !g.plain().equals(g.input())).count();
        long legacy = rows.stream().filter(g -> g.input().startsWith("_ZN") && !g.plain().equals(g.input())).count();
        assertTrue(v0 >= 5_000 && legacy >= 2_000, "corpus has " + v0 + " v0 and " + legacy + " legacy Rust symbols");
        check(rows);
    }

    @Test
    void handWrittenCasesMatchRustfilt() {
        check(Golden.load("cases.tsv"));
    }

    @Test
    void hugeInputsMatchRustfilt() {
        check(Golden.load("big.tsv.gz"));
    }

    @Test
    void mutatedSymbolsMatchRustfilt() {
        List<Golden> rows = Golden.load("mutations.tsv.gz");
        assertTrue(rows.size() >= 10_000, "only " + rows.size() + " mutations");
        check(rows);
    }

    static void check(List<Golden> rows) {
        List<String> wrong = new ArrayList<>();
        int count = 0;
        for (Golden g : rows) {
            String plain = Demangler.display(g.input(), false);
            String hashed = Demangler.display(g.input(), true);
            if (!plain.equals(g.plain()) || !hashed.equals(g.hashed())) {
                count++;
                if (wrong.size() < 15) {
                    wrong.add(clip(g.input()) + "\n   rustfilt:   " + clip(g.plain()) + "\n   rustprobe:  " + clip(plain)
                            + "\n   rustfilt -h: " + clip(g.hashed()) + "\n   rustprobe:   " + clip(hashed));
                }
            }
        }
        if (count > 0) {
            fail(count + " of " + rows.size() + " cases differ from rustfilt, e.g.\n" + String.join("\n", wrong));
        }
    }

    private static String clip(String s) {
        return s.length() <= 400 ? s : s.substring(0, 200) + "…(" + s.length() + " chars)…" + s.substring(s.length() - 150);
    }
}
