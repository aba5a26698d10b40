// Generic families: what RustPath.withoutGenericArgs keeps and drops, the same as joining segments()'s names,
// and the same from the index's byte-array version.
package dev.rustprobe.index;

import dev.rustprobe.elf.ElfFile;
import dev.rustprobe.testing.ExternalTools;
import dev.rustprobe.testing.SampleRust;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RustPathTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "sample_rust::orders::place|sample_rust::orders::place",
            "sample_rust::generic::largest::<u32>|sample_rust::generic::largest",
            "core::ptr::drop_in_place<alloc::vec::Vec<u8>>|core::ptr::drop_in_place",
            "<alloc::vec::Vec<u8> as core::ops::Drop>::drop|<alloc::vec::Vec<u8> as core::ops::Drop>::drop",
            "<impl core::fmt::Debug for a::B<T>>::fmt|<impl core::fmt::Debug for a::B<T>>::fmt",
            "<a::Rec<u8>>::push::<u16>|<a::Rec<u8>>::push",
            "std::thread::spawn::<a::f::{closure#0}, ()>::{closure#0}|std::thread::spawn::{closure#0}",
            "a::call::<fn() -> u8>|a::call",
            "a::b<fn(u8) -> u16>::c|a::b::c",
            "::a::<u8>|a",
            "<u8>|<u8>",
    })
    void familyDropsGenericArgumentsOnly(String path, String family) {
        assertEquals(family, RustPath.withoutGenericArgs(path));
        StringBuilder joined = new StringBuilder();
        for (RustPath.Segment s : RustPath.segments(path)) {
            if (joined.length() > 0) {
                joined.append("::");
            }
            joined.append(s.name());
        }
        assertEquals(joined.toString(), RustPath.withoutGenericArgs(path));
        assertEquals(family, FunctionIndex.AsciiFamily.of(path, path.getBytes(StandardCharsets.US_ASCII)));
    }

    /** The index's byte-array twin of withoutGenericArgs agrees on every name of sample-rust's builds and of rustc's own library. */
    @Test
    void asciiFamilyAgreesOnRealNames() throws Exception {
        List<Path> binaries = new ArrayList<>();
        for (SampleRust.Variant v : SampleRust.Variant.values()) {
            binaries.add(SampleRust.binary(v));
        }
        Path lib = Path.of(ExternalTools.run("rustc", "--print", "sysroot").trim(), "lib");
        try (var files = Files.list(lib)) {
            files.filter(f -> f.getFileName().toString().startsWith("librustc_driver-")).forEach(binaries::add);
        }
        int compared = 0;
        for (Path binary : binaries) {
            for (Function f : FunctionIndex.build(ElfFile.open(binary)).functions()) {
                byte[] b = f.name().getBytes(StandardCharsets.UTF_8);
                if (f.rust() && b.length == f.name().length()) {
                    assertEquals(RustPath.withoutGenericArgs(f.name()), FunctionIndex.AsciiFamily.of(f.name(), b), f.name());
                    compared++;
                }
            }
        }
        assertTrue(compared > 50_000, "only " + compared + " names compared");
    }
}
