// The API's contract beyond rendering: null for what is not a Rust symbol, the same text through every entry point.
package dev.rustprobe.demangle;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DemanglerApiTest {
    @Test
    void nullExactlyForNamesRustfiltLeavesAlone() {
        List<Golden> rows = Golden.load("cases.tsv");
        int nulls = 0;
        for (Golden g : rows) {
            String d = Demangler.demangle(g.input(), false);
            String unchanged = g.input().substring(0, Demangler.withoutLlvmSuffix(g.input()));
            if (d == null) {
                nulls++;
                assertEquals(unchanged, g.plain(), "rustfilt demangled what demangle() calls not Rust: " + g.input());
            } else {
                assertEquals(g.plain(), d, g.input());
                assertEquals(g.hashed(), Demangler.demangle(g.input(), true), g.input());
            }
        }
        assertTrue(nulls > 20 && nulls < rows.size() - 100, nulls + " nulls");
    }

    @Test
    void nonRustNamesAndNullInput() {
        assertNull(Demangler.demangle(null, true));
        assertNull(Demangler.demangle("main", false));
        assertNull(Demangler.demangle("", false));
        assertNull(Demangler.demangle("foo.llvm.123", false));
        assertEquals("foo", Demangler.display("foo.llvm.123", false)); // as rustfilt prints it
        assertEquals("", Demangler.demangleText("", false));
    }

    @Test
    void appendingVariantsAppendAfterExistingText() {
        StringBuilder sb = new StringBuilder("> ");
        assertTrue(Demangler.appendDemangled("_ZN3foo3barE", false, sb));
        assertEquals("> foo::bar", sb.toString());
        assertTrue(!Demangler.appendDemangled("main", false, sb));
        assertEquals("> foo::bar", sb.toString());
        Demangler.appendDisplay("main", false, sb);
        assertEquals("> foo::barmain", sb.toString());
        assertNotNull(Demangler.demangle("_RNvC3foo3bar", true));
    }
}
