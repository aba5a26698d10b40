// The byte-level demangler must give every golden symbol rustfilt's text, as UTF-8, from any offset of a larger
// array and with one buffer reused across all of them (what ls does with a symbol table), by both its entry points.
package dev.rustprobe.demangle;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

class DemangleBufferTest {
    @Test
    void everyGoldenCaseRendersAsRustfiltFromAnOffsetWithOneBuffer() {
        DemangleBuffer buffer = new DemangleBuffer();
        List<String> wrong = new ArrayList<>();
        int rust = 0;
        int nonAscii = 0;
        for (String file : List.of("cases.tsv", "corpus.tsv.gz", "mutations.tsv.gz", "big.tsv.gz")) {
            for (Golden g : Golden.load(file)) {
                byte[] symbol = g.input().getBytes(StandardCharsets.UTF_8);
                // junk on both sides that a parser reading past its range would trip over
                byte[] table = new byte[symbol.length + 7];
                Arrays.fill(table, (byte) '7');
                System.arraycopy(symbol, 0, table, 5, symbol.length);
                for (boolean withHash : new boolean[]{false, true}) {
                    String want = Demangler.demangle(g.input(), withHash);
                    boolean got = buffer.demangle(table, 5, 5 + symbol.length, withHash);
                    String text = got ? new String(buffer.bytes(), 0, buffer.length(), StandardCharsets.UTF_8) : null;
                    if (got && !(withHash ? g.hashed() : g.plain()).equals(text)) {
                        wrong.add(g.input() + " -> " + text);
                    } else if (got != (want != null) || (got && buffer.isAscii() != text.chars().allMatch(c -> c < 0x80))) {
                        wrong.add(g.input() + ": buffer says " + got + " (ascii " + buffer.isAscii() + "), demangle " + want);
                    }
                    if (g.input().chars().allMatch(c -> c < 0x80)) { // demangleAscii's precondition
                        int dot = g.input().indexOf('.');
                        String before = text;
                        boolean again = buffer.demangleAscii(table, 5, 5 + symbol.length, dot < 0 ? 5 + symbol.length : 5 + dot, withHash);
                        String text2 = again ? new String(buffer.bytes(), 0, buffer.length(), StandardCharsets.UTF_8) : null;
                        if (again != got || (got && !before.equals(text2))) {
                            wrong.add(g.input() + ": demangleAscii says " + text2 + ", demangle " + before);
                        }
                    }
                    rust += got ? 1 : 0;
                    nonAscii += got && !buffer.isAscii() ? 1 : 0;
                }
            }
        }
        if (!wrong.isEmpty()) {
            fail(wrong.size() + " cases differ, e.g. " + String.join("\n", wrong.subList(0, Math.min(10, wrong.size()))));
        }
        assertTrue(rust > 50_000 && nonAscii > 10, rust + " Rust renderings, " + nonAscii + " of them non-ASCII");
        // demangleAscii, given each ASCII symbol's first '.', rendered every one of them the same again
    }

    @Test
    void nonRustAndNonAsciiNamesAreNotRust() {
        DemangleBuffer buffer = new DemangleBuffer();
        byte[] b = "main_ZN3foo3barE\u00e9_ZN3foo3barE".getBytes(StandardCharsets.UTF_8);
        assertFalse(buffer.demangle(b, 0, 4, false));
        assertTrue(buffer.demangle(b, 4, 16, false));
        assertEquals("foo::bar", new String(buffer.bytes(), 0, buffer.length(), StandardCharsets.US_ASCII));
        assertFalse(buffer.demangle(b, 4, 18, false)); // the é makes it no symbol rustc could have written
        assertTrue(buffer.demangle(b, 18, b.length, true));
        assertEquals(8, buffer.length());
    }
}
