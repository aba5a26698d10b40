// Generic families: what RustPath.withoutGenericArgs keeps and drops, the same as joining segments()'s names.
package dev.rustprobe.index;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
    }
}
