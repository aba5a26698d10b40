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

    @Test
    void aTraitMethodMatchesThroughItsSelfTypeAndItsTrait() {
        String area = "<sample_rust::shapes::Circle as sample_rust::shapes::Area>::area";
        String fmt = "<sample_rust::Span as core::fmt::Debug>::fmt";
        assertTrue(Pattern.parse("sample_rust::**").matchesPath(area));
        assertTrue(Pattern.parse("sample_rust::**").matchesPath(fmt));
        assertTrue(Pattern.parse("sample_rust::shapes::Circle::*").matchesPath(area), "self form");
        assertTrue(Pattern.parse("sample_rust::shapes::Circle::area").matchesPath(area));
        assertTrue(Pattern.parse("sample_rust::shapes::Area::area").matchesPath(area), "trait form");
        assertTrue(Pattern.parse("core::fmt::Debug::fmt").matchesPath(fmt));
        assertTrue(Pattern.parse("sample_rust::Span::fmt").matchesPath(fmt));
        assertTrue(Pattern.parse(area).matchesPath(area), "the exact path still matches");
        // a form is a whole path: no partial prefixes, and one segment per segment
        assertFalse(Pattern.parse("sample_rust::shapes::*").matchesPath(area));
        assertFalse(Pattern.parse("shapes::Circle::area").matchesPath(area));
        assertFalse(Pattern.parse("sample_rust::shapes::Square::*").matchesPath(area));
        assertFalse(Pattern.parse("core::**").matchesPath("<sample_rust::shapes::Circle>::area"));
        // v0's inherent methods: "<Self>::item"
        assertTrue(Pattern.parse("sample_rust::orders::Order::*").matchesPath("<sample_rust::orders::Order>::total"));
        assertTrue(Pattern.parse("sample_rust::**").matchesPath("<sample_rust::truth::Truth>::arg::<&str>"));
    }

    @Test
    void theSelfTypeAndTraitKeepTheirGenericArguments() {
        String path = "<alloc::vec::Vec<u8> as core::convert::AsRef<[u8]>>::as_ref";
        assertTrue(Pattern.parse("alloc::vec::Vec::as_ref").matchesPath(path));
        assertTrue(Pattern.parse("alloc::vec::Vec<u8>::as_ref").matchesPath(path));
        assertFalse(Pattern.parse("alloc::vec::Vec<u16>::as_ref").matchesPath(path));
        assertTrue(Pattern.parse("core::convert::AsRef<[u8]>::as_ref").matchesPath(path));
        assertFalse(Pattern.parse("core::convert::AsRef<str>::as_ref").matchesPath(path));
        // only a path type has a self-type form: not a reference, a slice, a tuple or dyn
        assertFalse(Pattern.parse("sample_rust::**").matchesPath("<&sample_rust::geometry::Big as core::fmt::Debug>::fmt"));
        assertTrue(Pattern.parse("core::fmt::Debug::fmt").matchesPath("<&sample_rust::geometry::Big as core::fmt::Debug>::fmt"));
        assertFalse(Pattern.parse("sample_rust::**").matchesPath("<[sample_rust::shapes::Token] as core::Drop>::drop"));
        assertFalse(Pattern.parse("sample_rust::**").matchesPath("<dyn sample_rust::Area as core::Drop>::drop"));
        // a type of another crate generic over one of ours is that crate's code
        assertFalse(Pattern.parse("sample_rust::**").matchesPath(
                "<alloc::boxed::Box<sample_rust::closures::Adder>>::new"));
        // nested: <<A as B>::C as D>::f is also A::C::f, B::C::f, <A as B>::C::f and D::f
        String nested = "<<a::A as b::B>::C as d::D>::f";
        for (String form : List.of("a::A::C::f", "b::B::C::f", "d::D::f", "<a::A as b::B>::C::f", nested)) {
            assertTrue(Pattern.parse(form).matchesPath(nested), form);
        }
        assertEquals(4, RustPath.qualifiedForms(RustPath.segments(nested)).size());
        assertEquals(List.of(), RustPath.qualifiedForms(RustPath.segments("sample_rust::orders::place")));
        assertEquals(List.of(), RustPath.qualifiedForms(RustPath.segments("<impl sample_rust::Area for X>::area")));
    }

    @Test
    void literalWordsStillHoldForTraitMethods() {
        // the mangled names of "<Circle as Area>::area" in sample-rust (legacy and v0, from nm) spell every word of a self-type pattern
        List<String> words = Pattern.parse("sample_rust::shapes::Circle::*").literalWords();
        assertEquals(List.of("sample_rust", "shapes", "Circle"), words);
        // an exact qualified path: the identifiers of Self and Trait, without generic arguments and primitives
        assertEquals(List.of("sample_rust", "shapes", "Circle", "Area", "area"),
                Pattern.parse("<sample_rust::shapes::Circle as sample_rust::shapes::Area>::area").literalWords());
        assertEquals(List.of("alloc", "vec", "Vec", "core", "convert", "AsRef", "as_ref"),
                Pattern.parse("<alloc::vec::Vec<u8> as core::convert::AsRef<[u8]>>::as_ref").literalWords());
        assertEquals(List.of("core", "ops", "Add", "add"), Pattern.parse("<u32 as core::ops::Add>::add").literalWords());
        assertEquals(List.of("core", "fmt", "Debug", "fmt"),
                Pattern.parse("<&sample_rust::geometry::Big as core::fmt::Debug>::fmt").literalWords());
        for (String mangled : List.of(
                "_ZN73_$LT$sample_rust..shapes..Circle$u20$as$u20$sample_rust..shapes..Area$GT$4area17h6bd4f26ded9cf3fcE",
                "_RNvXs_NtCsceP4g5xrqH9_11sample_rust6shapesNtB4_6CircleNtB4_4Area4area")) {
            assertTrue(words.stream().allMatch(mangled::contains), mangled);
            assertEquals("<sample_rust::shapes::Circle as sample_rust::shapes::Area>::area",
                    dev.rustprobe.demangle.Demangler.demangle(mangled, false));
        }
    }
}
