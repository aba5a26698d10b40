// The index over every sample-rust build against nm (binutils' own demangler, run live): every function
// symbol is found under the name nm gives it, alias groups are nm's same-address groups, and generic copies count
// nm's distinct addresses.
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
}
