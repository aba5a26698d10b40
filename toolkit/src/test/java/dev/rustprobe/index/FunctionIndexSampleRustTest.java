// The index over every sample-rust build against nm (binutils' own demangler, run live): every function
// symbol is found under the name nm gives it, alias groups are nm's same-address groups, and generic copies count
// nm's distinct addresses; "crate::**" takes the crate's impl methods nm lists as "<crate::Type as Trait>::m".
package dev.rustprobe.index;

import dev.rustprobe.elf.ElfFile;
import dev.rustprobe.testing.ExternalTools;
import dev.rustprobe.testing.SampleRust;
import dev.rustprobe.testing.SampleRust.Variant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FunctionIndexSampleRustTest {
    record NmFunction(long address, String name) {
    }

    /** nm's defined function symbols (t, T, W, i) with binutils' Rust demangling. */
    static List<NmFunction> nm(Path binary) {
        List<NmFunction> out = new ArrayList<>();
        for (String line : ExternalTools.run("nm", "--defined-only", "--demangle=rust", binary.toString()).split("\n")) {
            if (line.length() < 20) {
                continue;
            }
            char type = line.charAt(17);
            if ("tTWi".indexOf(type) < 0) {
                continue;
            }
            out.add(new NmFunction(Long.parseUnsignedLong(line.substring(0, 16), 16), line.substring(19)));
        }
        return out;
    }

    @ParameterizedTest
    @EnumSource(Variant.class)
    void everyFunctionNmListsIsIndexedUnderTheSameName(Variant v) {
        Path bin = SampleRust.binary(v);
        FunctionIndex index = FunctionIndex.build(ElfFile.open(bin));
        Set<String> expected = new TreeSet<>();
        Map<String, Set<Long>> expectedAddresses = new TreeMap<>();
        for (NmFunction f : nm(bin)) {
            expected.add(f.name());
            expectedAddresses.computeIfAbsent(f.name(), k -> new TreeSet<>()).add(f.address());
        }
        Set<String> ours = new TreeSet<>();
        Map<String, Set<Long>> ourAddresses = new TreeMap<>();
        for (Function f : index.functions()) {
            ours.add(f.name());
            Set<Long> a = ourAddresses.computeIfAbsent(f.name(), k -> new TreeSet<>());
            f.instances().forEach(i -> a.add(i.address()));
        }
        assertEquals(expected, ours);
        assertEquals(expectedAddresses, ourAddresses);
        // The crate's own functions are there (a sanity floor, independent of nm).
        assertTrue(ours.stream().filter(n -> n.startsWith("sample_rust::")).count() >= 20, ours.toString());
    }

    @ParameterizedTest
    @EnumSource(Variant.class)
    void aliasGroupsAreNmsSameAddressGroups(Variant v) {
        Path bin = SampleRust.binary(v);
        FunctionIndex index = FunctionIndex.build(ElfFile.open(bin));
        Map<Long, Set<String>> byAddress = new TreeMap<>();
        for (NmFunction f : nm(bin)) {
            byAddress.computeIfAbsent(f.address(), k -> new TreeSet<>()).add(f.name());
        }
        Map<Long, Set<String>> expected = new TreeMap<>();
        byAddress.forEach((a, names) -> {
            if (names.size() > 1) {
                expected.put(a, names);
            }
        });
        Map<Long, Set<String>> ours = new TreeMap<>();
        for (AliasGroup g : index.aliasGroups()) {
            ours.put(g.address(), new TreeSet<>(g.names()));
        }
        assertEquals(expected, ours);
        if (v.release()) {
            // MergeFunctions folds identical bodies in release builds: there must be some groups to compare.
            assertFalse(expected.isEmpty(), "no same-address groups in a release build");
        }
    }

    @ParameterizedTest
    @EnumSource(Variant.class)
    void genericCopiesAreCounted(Variant v) {
        Path bin = SampleRust.binary(v);
        FunctionIndex index = FunctionIndex.build(ElfFile.open(bin));
        for (String generic : List.of("sample_rust::generics::largest", "sample_rust::generics::describe",
                "sample_rust::generics::double_area")) {
            Set<Long> nmAddresses = new HashSet<>();
            Set<String> nmNames = new TreeSet<>();
            for (NmFunction f : nm(bin)) {
                if (f.name().equals(generic) || f.name().startsWith(generic + "::<")) {
                    nmAddresses.add(f.address());
                    nmNames.add(f.name());
                }
            }
            assertTrue(nmAddresses.size() >= 2, generic + " should have several copies in " + v + ": " + nmNames);
            List<Function> matched = index.matchExactly(Pattern.parse(generic));
            Set<String> names = new TreeSet<>();
            for (Function f : matched) {
                names.add(f.name());
                assertEquals(nmAddresses.size(), index.copies(f), f.name());
            }
            assertEquals(nmNames, names);
            if (v.v0Mangling()) {
                // v0 names carry the generic arguments: one of them picks exactly one copy.
                String one = nmNames.iterator().next();
                String args = one.substring(generic.length() + 2);
                List<Function> picked = index.matchExactly(Pattern.parse(generic + args));
                assertEquals(List.of(one), picked.stream().map(Function::name).toList());
            } else {
                // Legacy names differ only in the hash: "::h<hash>" picks exactly one copy.
                Function f = index.byName(generic);
                assertNotNull(f);
                Instance first = f.first();
                List<Function> picked = index.matchExactly(Pattern.parse(generic + "::" + first.crateHash()));
                assertEquals(1, picked.size());
                assertEquals(List.of(first), picked.get(0).instances());
            }
        }
    }

    /** Indexing only what a pattern could match gives the same matches, copies and aliases as the full index. */
    @ParameterizedTest
    @EnumSource(value = Variant.class, names = {"RELEASE_LEGACY", "RELEASE_V0"})
    void patternFilteredIndexAgreesWithTheFullOne(Variant v) {
        ElfFile elf = ElfFile.open(SampleRust.binary(v));
        FunctionIndex full = FunctionIndex.build(elf);
        List<String> patterns = new ArrayList<>(List.of("sample_rust::generics::largest", "sample_rust::orders::place",
                "sample_rust::**::fmt", "**::grow_one", "core::fmt::*", "main", "sample_rust::*::p_*", "**::drop_in_place<*>",
                "sample_rust::**", "sample_rust::shapes::Circle::*", "sample_rust::shapes::Area::*",
                "core::fmt::Debug::fmt", "sample_rust::orders::Order::*"));
        for (AliasGroup g : full.aliasGroups()) {
            patterns.add(g.names().get(0).contains("{") || g.names().get(0).contains("*") ? "main" : g.names().get(0));
        }
        for (String text : patterns) {
            Pattern p = Pattern.parse(text);
            FunctionIndex filtered = FunctionIndex.build(elf, p);
            List<String> a = describe(full, full.matchExactly(p));
            List<String> b = describe(filtered, filtered.matchExactly(p));
            assertEquals(a, b, text);
        }
    }

    private static List<String> describe(FunctionIndex index, List<Function> fs) {
        List<String> out = new ArrayList<>();
        for (Function f : fs) {
            out.add(f.name() + " " + f.instances() + " copies=" + index.copies(f) + " aliases=" + index.aliasCount(f)
                    + " siblings=" + index.genericSiblings(f).stream().map(Function::name).toList());
        }
        return out;
    }

    /** "<sample_rust::X as Trait>::m" or "<sample_rust::X>::m" (v0 inherent): a method of a type sample_rust defines. */
    private static final java.util.regex.Pattern CRATE_SELF =
            java.util.regex.Pattern.compile("^<sample_rust::[A-Za-z0-9_:{}#]+(<[^ ]*>)?( as |>::).*");

    @ParameterizedTest
    @EnumSource(value = Variant.class, names = {"RELEASE_LEGACY", "RELEASE_V0", "DEBUG"})
    void theCratePatternTakesTheImplMethodsOfTheCratesTypes(Variant v) {
        Path bin = SampleRust.binary(v);
        FunctionIndex index = FunctionIndex.build(ElfFile.open(bin));
        Set<String> expected = new TreeSet<>();
        for (NmFunction f : nm(bin)) {
            if (f.name().startsWith("sample_rust::") || CRATE_SELF.matcher(f.name()).matches()) {
                expected.add(f.name());
            }
        }
        Set<String> matched = new TreeSet<>();
        index.matchExactly(Pattern.parse("sample_rust::**")).forEach(f -> matched.add(f.name()));
        // closures' FnOnce shims count: "<sample_rust::f::{closure#0} as FnOnce<()>>::call_once" is the crate's closure
        Set<String> missing = new TreeSet<>(expected);
        missing.removeAll(matched);
        Set<String> extra = new TreeSet<>(matched);
        extra.removeAll(expected);
        assertEquals(expected, matched, "missing " + missing + "; extra " + extra);
        Set<String> qualified = new TreeSet<>(matched.stream().filter(n -> n.startsWith("<")).toList());
        System.out.println(v + ": sample_rust::** takes " + qualified.size() + " impl methods: " + qualified);
        for (String m : List.of("<sample_rust::shapes::Circle as sample_rust::shapes::Area>::area",
                "<sample_rust::shapes::Rect as sample_rust::shapes::Area>::sides",
                "<sample_rust::geometry::Span as core::fmt::Debug>::fmt")) {
            assertTrue(qualified.contains(m), m + " in " + qualified);
        }
        assertTrue(qualified.stream().noneMatch(n -> n.startsWith("<&") || n.startsWith("<core::")
                || n.startsWith("<alloc::") || n.startsWith("<[")), qualified.toString());

        // One type's methods, inherent and trait: Circle has Debug and Area (area, sides).
        Set<String> circle = new TreeSet<>();
        index.matchExactly(Pattern.parse("sample_rust::shapes::Circle::*")).forEach(f -> circle.add(f.name()));
        assertEquals(Set.of("<sample_rust::shapes::Circle as core::fmt::Debug>::fmt",
                "<sample_rust::shapes::Circle as sample_rust::shapes::Area>::area",
                "<sample_rust::shapes::Circle as sample_rust::shapes::Area>::sides"), circle);
        // The trait form: every Area impl's area.
        Set<String> areas = new TreeSet<>();
        index.matchExactly(Pattern.parse("sample_rust::shapes::Area::area")).forEach(f -> areas.add(f.name()));
        assertEquals(Set.of("<sample_rust::shapes::Circle as sample_rust::shapes::Area>::area",
                "<sample_rust::shapes::Rect as sample_rust::shapes::Area>::area",
                "<sample_rust::shapes::Square as sample_rust::shapes::Area>::area"), areas);
    }
}
