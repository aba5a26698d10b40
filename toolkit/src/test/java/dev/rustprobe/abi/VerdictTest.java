// Verdicts on the cases sample-rust/README.md documents from objdump and nm: rewritten crate-private functions,
// alias groups, floats, and the debug build's stack homes.
package dev.rustprobe.abi;

import dev.rustprobe.dwarf.Dwarf;
import dev.rustprobe.dwarf.Subprogram;
import dev.rustprobe.elf.ElfFile;
import dev.rustprobe.elf.SymbolBinding;
import dev.rustprobe.testing.SampleRust;
import dev.rustprobe.testing.SampleRust.Variant;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VerdictTest {

    private static FunctionVerdict verdict(Variant v, String function) {
        ElfFile elf = ElfFile.open(SampleRust.binary(v));
        Dwarf dwarf = Dwarf.open(elf);
        Subprogram s = AbiTruthTest.subprogram(dwarf, Truth.symbols(v).get(function), function);
        long addr = s.lowPc();
        boolean local = elf.symbols().stream().filter(x -> x.value() == addr && x.isFunction())
                .allMatch(x -> x.binding() == SymbolBinding.LOCAL);
        int aliases = (int) elf.symbols().stream().filter(x -> x.value() == addr && x.isFunction()).count();
        return FunctionVerdict.atEntry(s, local, aliases);
    }

    @Test
    void promotedReferenceInALocalFunctionIsNotGivenTheAbiRegister() {
        FunctionVerdict f = verdict(Variant.RELEASE_LEGACY, "sample_rust::internals::by_ref");
        assertEquals(FunctionVerdict.Trust.DWARF_ONLY, f.trust());
        ValueLocation x = f.params().get("x").location();
        ValueLocation.Unavailable u = assertInstanceOf(ValueLocation.Unavailable.class, x, ValueLocation.render(x));
        assertEquals(ValueLocation.Reason.FOLDED, u.reason());
        assertEquals("rdi", ValueLocation.render(f.params().get("x").abi()), "the ABI alone would say rdi");
    }

    @Test
    void deadArgumentShiftsTheNextOneIntoRsi() {
        FunctionVerdict f = verdict(Variant.RELEASE_LEGACY, "sample_rust::internals::dead_arg");
        assertEquals("rsi", ValueLocation.render(f.params().get("c").location()));
        assertEquals("rdx", ValueLocation.render(f.params().get("c").abi()));
    }

    @Test
    void exportedFunctionTrustsTheAbi() {
        FunctionVerdict f = verdict(Variant.RELEASE_V0_DWARF5, "sample_rust::orders::place");
        assertEquals(FunctionVerdict.Trust.ABI_APPLIES, f.trust(), f.sentence());
        assertEquals("rsi:rdx", ValueLocation.render(f.params().get("name").location()));
        assertEquals("rcx:r8", ValueLocation.render(f.params().get("qty").location()));
    }

    @Test
    void aliasGroupIsNamedInTheSentence() {
        FunctionVerdict f = verdict(Variant.RELEASE_LEGACY, "sample_rust::geometry::pair_hash");
        assertTrue(f.sentence().contains("alias group of 2"), f.sentence());
    }

    @Test
    void floatsAreUnavailableWithTheReason() {
        FunctionVerdict f = verdict(Variant.RELEASE_LEGACY, "sample_rust::abi::mixed");
        ValueLocation.Unavailable u = assertInstanceOf(ValueLocation.Unavailable.class, f.params().get("x").location());
        assertEquals(ValueLocation.Reason.FLOAT_REGISTER, u.reason());
        assertEquals("xmm0", u.detail());
        assertEquals("rsi", ValueLocation.render(f.params().get("b").location()), "int and float counters are separate");
    }

    @Test
    void debugBuildUsesTheAbiAtEntry() {
        FunctionVerdict f = verdict(Variant.DEBUG, "sample_rust::scalars::add_u8");
        assertEquals(FunctionVerdict.Trust.DEBUG_BUILD_ABI_AT_ENTRY, f.trust());
        assertEquals("rdi", ValueLocation.render(f.params().get("a").location()));
        assertTrue(ValueLocation.render(f.params().get("a").dwarf()).startsWith("[rsp+"),
                "DWARF names the stack home: " + ValueLocation.render(f.params().get("a").dwarf()));
    }
}
