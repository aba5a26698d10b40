// Pattern syntax: exact paths, '*' within a segment, '**' across segments, hash and generic-argument selectors.
package dev.rustprobe.index;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PatternTest {
    @Test
    void exactPath() {
        Pattern p = Pattern.parse("sample_rust::orders::place");
        assertTrue(p.matchesPath("sample_rust::orders::place"));
        assertFalse(p.matchesPath("sample_rust::orders::place_all"));
        assertFalse(p.matchesPath("x::sample_rust::orders::place"));
        assertNull(p.hash());
    }

    @Test
    void starStaysWithinOneSegment() {
        Pattern p = Pattern.parse("sample_rust::*::place");
        assertTrue(p.matchesPath("sample_rust::orders::place"));
        assertFalse(p.matchesPath("sample_rust::a::b::place"));
        assertTrue(Pattern.parse("sample_rust::orders::pl*").matchesPath("sample_rust::orders::place"));
        assertTrue(Pattern.parse("*::orders::*e").matchesPath("sample_rust::orders::place"));
        assertFalse(Pattern.parse("*::orders::*x").matchesPath("sample_rust::orders::place"));
    }

    @Test
    void doubleStarCrossesSegments() {
        Pattern p = Pattern.parse("sample_rust::**::place");
        assertTrue(p.matchesPath("sample_rust::orders::place"));
        assertTrue(p.matchesPath("sample_rust::a::b::c::place"));
        assertTrue(p.matchesPath("sample_rust::place"));
        assertFalse(p.matchesPath("other::orders::place"));
        assertTrue(Pattern.parse("**").matchesPath("a::b"));
        assertTrue(Pattern.parse("**::fmt").matchesPath("<sample_rust::Orders as core::fmt::Debug>::fmt"));
        assertThrows(IllegalArgumentException.class, () -> Pattern.parse("a::b**::c"));
    }

    @Test
    void qualifiedSegmentsAreOneSegment() {
        assertEquals(List.of("<alloc::vec::Vec<T> as core::ops::Drop>", "drop"),
                RustPath.split("<alloc::vec::Vec<T> as core::ops::Drop>::drop"));
        assertTrue(Pattern.parse("*::drop").matchesPath("<alloc::vec::Vec<T> as core::ops::Drop>::drop"));
        assertTrue(Pattern.parse("<alloc::vec::Vec<T> as core::ops::Drop>::drop")
                .matchesPath("<alloc::vec::Vec<T> as core::ops::Drop>::drop"));
    }

    @Test
    void hashSuffixPicksACopy() {
        Pattern p = Pattern.parse("sample_rust::generics::largest::h543ecb32f122dfd6");
        assertEquals("543ecb32f122dfd6", p.hash());
        assertTrue(p.matchesPath("sample_rust::generics::largest"));
        Instance a = new Instance(1, 1, dev.rustprobe.elf.SymbolBinding.LOCAL,
                "_ZN11sample_rust8generics7largest17h543ecb32f122dfd6E", false);
        Instance b = new Instance(2, 1, dev.rustprobe.elf.SymbolBinding.LOCAL,
                "_ZN11sample_rust8generics7largest17h6dcaeba83ba09aa0E", false);
        assertTrue(p.matchesHash(a));
        assertFalse(p.matchesHash(b));
        assertTrue(Pattern.parse("sample_rust::generics::largest::h6dca").matchesHash(b));
    }

    @Test
    void genericArgumentsPickAMonomorphization() {
        String v0 = "sample_rust::generics::largest::<u32>";
        String dwarfStyle = "sample_rust::generics::largest<u32>";
        assertTrue(Pattern.parse("sample_rust::generics::largest<u32>").matchesPath(v0));
        assertTrue(Pattern.parse("sample_rust::generics::largest::<u32>").matchesPath(v0));
        assertTrue(Pattern.parse("sample_rust::generics::largest::<u32>").matchesPath(dwarfStyle));
        assertFalse(Pattern.parse("sample_rust::generics::largest<u8>").matchesPath(v0));
        assertTrue(Pattern.parse("**::largest<*>").matchesPath(v0));
        // Without arguments the pattern is compared with the path without them: every copy matches.
        assertEquals("sample_rust::generics::largest", RustPath.withoutGenericArgs(v0));
        assertEquals("<alloc::vec::Vec<T> as core::ops::Drop>::drop",
                RustPath.withoutGenericArgs("<alloc::vec::Vec<T> as core::ops::Drop>::drop"));
        assertEquals("core::ptr::drop_in_place", RustPath.withoutGenericArgs("core::ptr::drop_in_place<alloc::string::String>"));
    }

    @Test
    void malformedPatternsAreSentences() {
        assertEquals("the pattern is empty", assertThrows(IllegalArgumentException.class, () -> Pattern.parse(" ")).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Pattern.parse("a<b")).getMessage().contains("unbalanced"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Pattern.parse("a::::b")).getMessage().contains("empty path segment"));
    }

    @Test
    void boundedEditDistance() {
        assertEquals(1, FunctionIndex.boundedDistance("plac", "place", 5));
        assertEquals(3, FunctionIndex.boundedDistance("kitten", "sitting", 5));
        assertEquals(3, FunctionIndex.boundedDistance("aaaaaaaa", "bbbbbbbb", 2));
    }
}
