// demangleText against rustfilt's stdin filter on generated text mixing symbols, words and separators.
package dev.rustprobe.demangle;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

class TextFilterTest {
    @Test
    void generatedTextFiltersLikeRustfilt() {
        List<Golden> rows = Golden.load("filter.tsv.gz");
        assertTrue(rows.size() >= 1000);
        List<String> wrong = new ArrayList<>();
        int count = 0;
        for (Golden g : rows) {
            String plain = Demangler.demangleText(g.input(), false);
            String hashed = Demangler.demangleText(g.input(), true);
            if (!plain.equals(g.plain()) || !hashed.equals(g.hashed())) {
                if (++count <= 10) {
                    wrong.add(g.input() + "\n  rustfilt:  " + g.plain() + "\n  rustprobe: " + plain);
                }
            }
        }
        if (count > 0) {
            fail(count + " of " + rows.size() + " lines differ, e.g.\n" + String.join("\n", wrong));
        }
    }

    @Test
    void wholeTextAtOnceEqualsLineByLine() {
        List<Golden> rows = Golden.load("filter.tsv.gz");
        StringBuilder in = new StringBuilder();
        StringBuilder expected = new StringBuilder();
        for (Golden g : rows) {
            in.append(g.input()).append('\n');
            expected.append(g.plain()).append('\n');
        }
        assertEquals(expected.toString(), Demangler.demangleText(in.toString(), false));
    }

    @Test
    void textWithoutSymbolsIsUntouched() {
        String text = "nothing here: _Z3fooi __cxa ZN3fooE R_ _ \u00e9\u65e5 _";
        assertEquals(text, Demangler.demangleText(text, false));
    }
}
