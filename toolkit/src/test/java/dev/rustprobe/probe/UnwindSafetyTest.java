// UnwindSafety on a gcc-built program whose call graph is known: leaves, chains of calls, recursion, calls through
// pointers, calls and tail jumps into the PLT; and on sample-rust, checked against objdump's disassembly.
package dev.rustprobe.probe;

import dev.rustprobe.elf.ElfFile;
import dev.rustprobe.elf.ElfSymbol;
import dev.rustprobe.testing.ExternalTools;
import dev.rustprobe.testing.SampleRust;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UnwindSafetyTest {
    static final String SOURCE = """
            #include <stdio.h>
            #define F __attribute__((noinline, used))
            F long leaf(long x) { __asm__ volatile("" ::: "memory"); return x * 3; }
            F long calls_leaf(long x) { return leaf(x) + leaf(x + 1); }
            F long chain3(long x) { return calls_leaf(x) + 1; }
            F long rec(long n) { return n <= 0 ? 0 : rec(n - 1) + leaf(n); }
            F long prints(long x) { printf("%ld\\n", x); return x; }
            F long tail_prints(const char *s) { return puts(s); }
            F long via_prints(long x) { return prints(x) + 1; }
            F long deep(long x) { return via_prints(x) * 2; }
            F long through_pointer(long (*f)(long), long x) { return f(x) + 1; }
            F long mutual_b(long n);
            F long mutual_a(long n) { return n <= 0 ? 0 : mutual_b(n - 1) + 1; }
            F long mutual_b(long n) { return n == 7 ? prints(n) : mutual_a(n - 1); }
            int main(int argc, char **argv) {
                long s = chain3(argc) + rec(argc) + deep(argc) + through_pointer(leaf, argc) + mutual_a(argc);
                return (int) (s + tail_prints(argv[0]));
            }
            """;

    static ElfFile elf;
    static UnwindSafety safety;

    @BeforeAll
    static void build(@TempDir Path dir) {
        Path bin = ExternalTools.gcc(dir, "rp_calls", SOURCE, "-O2", "-fno-inline", "-fno-ipa-icf");
        elf = ElfFile.open(bin);
        safety = new UnwindSafety(elf);
    }

    static UnwindSafety.Verdict of(String name) {
        ElfSymbol s = elf.symbols().stream().filter(x -> x.name().equals(name) && x.isFunction()).findFirst()
                .orElseThrow();
        return safety.of(s.value(), s.size());
    }

    @Test
    void functionsThatReachNoUnknownCodeCannotUnwind() {
        assertEquals(new UnwindSafety.Verdict(false, "it calls nothing"), of("leaf"));
        assertEquals(new UnwindSafety.Verdict(false, "nothing it calls (leaf) can start or pass on a panic"),
                of("calls_leaf"));
        assertEquals(new UnwindSafety.Verdict(false, "nothing it calls (calls_leaf) can start or pass on a panic"),
                of("chain3"));
        UnwindSafety.Verdict rec = of("rec");
        assertFalse(rec.canUnwind(), "recursion alone reaches nothing unknown: " + rec);
    }

    @Test
    void aCallIntoAnotherLibraryOrThroughAPointerMayUnwind() {
        UnwindSafety.Verdict p = of("prints");
        assertTrue(p.canUnwind());
        assertTrue(p.why().startsWith("it calls code outside this file") && p.why().contains("PLT"), p.why());
        UnwindSafety.Verdict t = of("tail_prints");
        assertTrue(t.canUnwind(), "a tail jump to puts is a call of it: " + t);
        UnwindSafety.Verdict d = of("deep");
        assertTrue(d.canUnwind());
        assertTrue(d.why().startsWith("prints calls code outside this file"), "names the function two calls down: "
                + d.why());
        UnwindSafety.Verdict f = of("through_pointer");
        assertTrue(f.canUnwind());
        assertTrue(f.why().contains("through a pointer"), f.why());
        assertTrue(of("mutual_a").canUnwind(), "mutual recursion reaching printf");
        // asked again after deep's search: the answers stay the same
        assertFalse(of("calls_leaf").canUnwind());
        assertTrue(of("via_prints").canUnwind());
    }

    @Test
    void sampleRustsPanickingFunctionMayUnwindAndItsLeavesCannot() {
        ElfFile sr = ElfFile.open(SampleRust.binary(SampleRust.Variant.RELEASE_LEGACY));
        UnwindSafety s = new UnwindSafety(sr);
        ElfSymbol explode = sr.symbols().stream().filter(x -> x.name().contains("6faults7explode")).findFirst()
                .orElseThrow();
        assertTrue(s.of(explode.value(), explode.size()).canUnwind(), "faults::explode panics");
        ElfSymbol place = sr.symbols().stream().filter(x -> x.name().contains("6orders5place17h")).findFirst()
                .orElseThrow();
        assertEquals(new UnwindSafety.Verdict(false, "it calls nothing"), s.of(place.value(), place.size()));
    }
}
