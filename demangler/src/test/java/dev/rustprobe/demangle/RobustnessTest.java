// Random, mutated, huge and pathological inputs: the demangler must return (never throw), quickly, with output
// bounded by rustc-demangle's size limit. Expected renderings for such inputs are in the golden tests
// (mutations.tsv.gz, big.tsv.gz); here the point is the properties over many more inputs than rustfilt could
// be asked about.
package dev.rustprobe.demangle;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RobustnessTest {
    /** Output may be the limit, the size-limit message and a suffix no longer than the input. */
    private static void checkBounded(String in) {
        for (boolean hash : new boolean[] {false, true}) {
            // unguarded first: appendDemangled's safety net would hide a parser exception as "not Rust"
            Demangler.tryAppendDemangled(in, hash, new StringBuilder());
            String d = Demangler.display(in, hash);
            assertTrue(d.length() <= Output.MAX_SIZE + 32 + in.length(), () -> "output of " + d.length() + " chars");
            String m = Demangler.demangle(in, hash);
            assertTrue(m == null || m.equals(d), "demangle and display disagree on " + in);
        }
    }

    @Test
    void randomBytesNeverThrow() {
        Random rnd = new Random(1);
        String alphabet = "_RZNEBICMXYKLGpuvstjhbceFDTSAPOQRV0123456789abcdefxyz$.";
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            for (int n = 0; n < 200_000; n++) {
                int len = rnd.nextInt(64);
                StringBuilder sb = new StringBuilder(n % 2 == 0 ? "_R" : "_ZN");
                for (int i = 0; i < len; i++) {
                    sb.append(n % 3 == 0 ? (char) rnd.nextInt(0x3000) : alphabet.charAt(rnd.nextInt(alphabet.length())));
                }
                checkBounded(sb.toString());
            }
        });
    }

    @Test
    void mutationsOfCorpusSymbolsNeverThrow() {
        List<Golden> rows = Golden.load("corpus.tsv.gz");
        Random rnd = new Random(2);
        String alphabet = "_RZNEBICMXYKLGpuvstjhbce0123456789$.";
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            for (int n = 0; n < 100_000; n++) {
                StringBuilder s = new StringBuilder(rows.get(rnd.nextInt(rows.size())).input());
                for (int k = rnd.nextInt(4); k >= 0; k--) {
                    int i = rnd.nextInt(s.length() + 1);
                    switch (rnd.nextInt(4)) {
                        case 0 -> s.insert(i, alphabet.charAt(rnd.nextInt(alphabet.length())));
                        case 1 -> { if (i < s.length()) s.deleteCharAt(i); }
                        case 2 -> { if (i < s.length()) s.setCharAt(i, alphabet.charAt(rnd.nextInt(alphabet.length()))); }
                        default -> s.insert(i, s, Math.max(0, i - 8), i);
                    }
                }
                checkBounded(s.toString());
            }
        });
    }

    @Test
    void tenMegabyteNamesFinish() {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            checkBounded("_ZN" + "3abc".repeat(2_500_000) + "E");
            checkBounded("_RINvC1a1b" + "h".repeat(10_000_000) + "E");
            checkBounded("_R" + "N".repeat(5_000_000) + "vC1a" + "1b".repeat(2_500_000));
            checkBounded("_ZN" + "9".repeat(10_000_000));
            checkBounded("_ZN3foo" + "$".repeat(10_000_000) + "E");
        });
    }

    @Test
    void nestingAHundredThousandDeepIsNotASymbolAndDoesNotOverflowTheStack() {
        String deep = "_R" + "INvNtC1a1b1c".repeat(100_000) + "h" + "E".repeat(100_000);
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            assertNull(Demangler.demangle(deep, false));
            assertEquals(deep, Demangler.display(deep, true));
            String refs = "_RINvC1a1b" + "R".repeat(100_000) + "hE";
            assertNull(Demangler.demangle(refs, false));
        });
    }

    @Test
    void backrefLoopsStopAtTheRecursionLimit() {
        // B_ points back at the start: the printer follows it until the depth limit
        String loop = "_RINvC1a1bTB_EE";
        String out = Demangler.demangle(loop, false);
        assertTrue(out.contains("{recursion limit reached}"), out);
        // two backrefs per level: exponential, stopped by the size limit
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            String twice = Demangler.demangle("_RINvC1a1bTB_B_EE", false);
            assertTrue(twice.endsWith("{size limit reached}"), () -> twice.substring(twice.length() - 100));
        });
    }

    /** The deepest shape: generic args nested 249 levels (each level is a type and a path on the depth count). */
    private static final String DEEPEST = "_R" + "INvC1a1b".repeat(249) + "h" + "E".repeat(249);

    private static String onThreadWithStack(long bytes, String symbol) throws InterruptedException {
        String[] result = new String[1];
        Throwable[] failure = new Throwable[1];
        Thread t = new Thread(null, () -> {
            try {
                result[0] = Demangler.display(symbol, false);
            } catch (Throwable e) {
                failure[0] = e;
            }
        }, "stack-" + bytes, bytes);
        t.start();
        t.join();
        assertNull(failure[0]);
        return result[0];
    }

    @Test
    void deepestNestingFitsInTheDefaultOneMiBThreadStack() throws Exception {
        String out = onThreadWithStack(1024 * 1024, DEEPEST);
        assertTrue(out.startsWith("a::b::<a::b<a::b<") && out.endsWith("<u8>" + ">".repeat(248)) && !out.contains("{"), out);
    }

    @Test
    void aTinyStackNeverMakesItThrow() throws Exception {
        String out = onThreadWithStack(16 * 1024, DEEPEST);
        assertTrue(out.equals(DEEPEST) || out.startsWith("a::b::<"), out);
    }
}
