// Exits found by ExitFinder against objdump's ret and jmp lines over every function of real binaries, and
// against a gcc-built C file whose tail calls and switch jump tables are known from its source.
package dev.rustprobe.probe;

import dev.rustprobe.probe.ExitFinder.ExitSite;
import dev.rustprobe.probe.ExitFinder.Kind;
import dev.rustprobe.testing.SampleRust;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ExitFinderTest {

    private static final Pattern DIRECT = Pattern.compile("(j[a-z]+)\\s+([0-9a-f]+)( <.*)?");

    /** Per function: our scan and objdump's ret addresses and out-of-range direct jumps, compared exactly. */
    static Map<String, ExitFinder.Scan> compareWithObjdump(Path file, int minFunctions) throws Exception {
        Binaries.Section text = Binaries.section(file, ".text");
        List<Binaries.Line> lines = new ArrayList<>();
        Binaries.objdump(text, text.address(), text.address() + text.size(), lines::add);
        TreeMap<Long, Binaries.Line> byAddress = new TreeMap<>();
        lines.forEach(l -> byAddress.put(l.address(), l));
        Map<String, ExitFinder.Scan> scans = new TreeMap<>();
        int functions = 0;
        for (Binaries.Function f : Binaries.functions(file)) {
            if (f.address() < text.address() || f.address() + f.size() > text.address() + text.size()) {
                continue;
            }
            ExitFinder.Scan scan = ExitFinder.scan(text.read(f.address(), (int) f.size()), f.address(), f.size());
            assertTrue(scan.complete(), f.name() + " desynchronised at " + Long.toHexString(scan.desyncAt()));
            TreeSet<String> expected = new TreeSet<>(), ours = new TreeSet<>();
            for (Binaries.Line l : byAddress.subMap(f.address(), f.address() + f.size()).values()) {
                String t = l.text().replaceFirst("^(bnd |notrack |repz |rep )+", "");
                if (t.startsWith("ret")) {
                    expected.add("RET " + Long.toHexString(l.address()));
                }
                Matcher m = DIRECT.matcher(t);
                if (m.matches()) {
                    long target = Long.parseLong(m.group(2), 16);
                    if (target < f.address() || target >= f.address() + f.size()) {
                        expected.add((m.group(1).equals("jmp") ? "TAIL_JMP " : "TAIL_JCC ")
                                + Long.toHexString(l.address()) + "->" + Long.toHexString(target));
                    }
                }
            }
            for (ExitSite e : scan.exits()) {
                switch (e.kind()) {
                    case RET -> ours.add("RET " + Long.toHexString(e.address()));
                    case TAIL_JMP, TAIL_JCC -> ours.add(e.kind() + " " + Long.toHexString(e.address()) + "->"
                            + Long.toHexString(e.target()));
                    case INDIRECT_JMP -> { }
                }
            }
            assertEquals(expected, ours, f.name());
            scans.put(f.name(), scan);
            functions++;
        }
        long rets = scans.values().stream().flatMap(s -> s.exits().stream()).filter(e -> e.kind() == Kind.RET).count();
        long tails = scans.values().stream().flatMap(s -> s.exits().stream()).filter(e -> e.kind() != Kind.RET).count();
        long tables = scans.values().stream().mapToLong(s -> s.jumpTables().size()).sum();
        long unsure = scans.values().stream().flatMap(s -> s.exits().stream()).filter(e -> !e.certain()).count();
        long indirect = scans.values().stream().flatMap(s -> s.exits().stream())
                .filter(e -> e.kind() == Kind.INDIRECT_JMP).count();
        System.out.printf("exits %s: %d functions, %d ret, %d tail/indirect exits (%d indirect, %d uncertain), "
                + "%d jump tables%n", file, functions, rets, tails, indirect, unsure, tables);
        assertTrue(functions >= minFunctions, functions + " functions");
        return scans;
    }

    @Test
    void sampleRustReleaseEveryFunction() throws Exception {
        compareWithObjdump(SampleRust.binary(SampleRust.Variant.RELEASE_LEGACY), 500);
    }

    private static final String C_SOURCE = """
            extern int ext_leaf(int);
            extern int ext_other(int, int);
            typedef int (*fn)(int);
            __attribute__((noinline)) int tail_direct(int x) { return ext_leaf(x + 1); }
            __attribute__((noinline)) int tail_cond(int x) { if (x > 5) return ext_leaf(x); return x * 3; }
            __attribute__((noinline)) int tail_pointer(fn f, int x) { return f(x ^ 7); }
            struct ops { int (*op)(int); };
            __attribute__((noinline)) int tail_vtable(const struct ops *o, int x) { return o->op(x + 2); }
            __attribute__((noinline)) int switch_table(int x, int y) {
              switch (x) {
                case 0: return y + 11;  case 1: return y * 3;  case 2: return y ^ 0x55; case 3: return y << 5;
                case 4: return y / 7;   case 5: return y - 99; case 6: return y | 0x1000; case 7: return y % 13;
                case 8: return y >> 3;  case 9: return ~y;     case 10: return y * y;   case 11: return -y;
                default: return 0;
              }
            }
            int ext_leaf(int x) { return x * 31; }
            int ext_other(int a, int b) { return a - b; }
            int main(int argc, char **argv) {
              struct ops o = { ext_leaf };
              return tail_direct(argc) + tail_cond(argc) + tail_pointer(ext_leaf, argc) + tail_vtable(&o, argc)
                + switch_table(argc, argc);
            }
            """;

    @Test
    void gccTailCallsAndJumpTables(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("exits.c"), C_SOURCE);
        for (String pic : List.of("-fPIE", "-fno-pie")) {
            Path bin = dir.resolve("exits" + pic);
            List<String> cmd = new ArrayList<>(List.of("gcc", "-O2", "-fcf-protection", "-fno-inline", pic,
                    "-o", bin.toString(), dir.resolve("exits.c").toString()));
            if (pic.equals("-fno-pie")) {
                cmd.add("-no-pie");
            }
            Binaries.run(cmd.toArray(String[]::new));
            Map<String, ExitFinder.Scan> scans = compareWithObjdump(bin, 7);
            ExitFinder.Scan table = scans.get("switch_table");
            assertFalse(table.jumpTables().isEmpty(), pic + ": no jump table found in switch_table: " + table);
            assertTrue(table.jumpTables().stream().allMatch(ExitFinder.JumpTable::boundsChecked), table.toString());
            assertTrue(table.exits().stream().noneMatch(e -> e.kind() == Kind.INDIRECT_JMP),
                    pic + ": jump table taken for an exit: " + table);
            assertTrue(scans.get("tail_direct").exits().stream().anyMatch(e -> e.kind() == Kind.TAIL_JMP),
                    scans.get("tail_direct").toString());
            assertTrue(scans.get("tail_cond").exits().stream().anyMatch(e -> e.kind() == Kind.TAIL_JMP
                    || e.kind() == Kind.TAIL_JCC), scans.get("tail_cond").toString());
            for (String f : List.of("tail_pointer", "tail_vtable")) {
                assertTrue(scans.get(f).exits().stream().anyMatch(e -> e.kind() == Kind.INDIRECT_JMP),
                        f + ": " + scans.get(f));
                assertTrue(scans.get(f).jumpTables().isEmpty(), f + ": " + scans.get(f));
            }
        }
    }

    private static final String RUST_SOURCE = """
            use std::hint::black_box;
            #[inline(never)] pub fn leaf(x: u64) -> u64 { black_box(x).wrapping_mul(31) }
            #[inline(never)] pub fn tail_direct(x: u64) -> u64 { leaf(x + 1) }
            #[inline(never)] pub fn tail_ptr(f: fn(u64) -> u64, x: u64) -> u64 { f(x ^ 7) }
            pub trait Shape { fn area(&self, k: u64) -> u64; }
            struct Sq(u64);
            impl Shape for Sq { fn area(&self, k: u64) -> u64 { self.0 * self.0 + k } }
            #[inline(never)] pub fn tail_dyn(s: &dyn Shape, k: u64) -> u64 { s.area(k + 3) }
            #[inline(never)] pub fn table(x: u32, y: u64) -> u64 {
                match x { 0 => y + 11, 1 => y * 3, 2 => y ^ 0x55, 3 => y.rotate_left(5), 4 => y / 7,
                  5 => y.wrapping_sub(99), 6 => y | 0x1000, 7 => y.count_ones() as u64, 8 => y >> 3,
                  9 => y.leading_zeros() as u64, _ => 0 }
            }
            fn main() {
                let n = std::env::args().count() as u64;
                let s = Sq(n);
                println!("{} {} {} {}", tail_direct(n), tail_ptr(black_box(leaf), n), tail_dyn(black_box(&s), n),
                    table(n as u32, n));
            }
            """;

    @Test
    void rustcTailCallsAndMatchTable(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("exits.rs"), RUST_SOURCE);
        Path bin = dir.resolve("exits");
        Binaries.run("rustc", "-O", "-C", "codegen-units=1", "-o", bin.toString(), dir.resolve("exits.rs").toString());
        Map<String, ExitFinder.Scan> scans = compareWithObjdump(bin, 100);
        java.util.function.Function<String, ExitFinder.Scan> of = name -> scans.entrySet().stream()
                .filter(e -> e.getKey().contains("5exits" + name.length() + name)).map(Map.Entry::getValue)
                .findFirst().orElseThrow(() -> new AssertionError("no function " + name));
        ExitFinder.Scan table = of.apply("table");
        assertFalse(table.jumpTables().isEmpty(), table.toString());
        assertTrue(table.exits().stream().noneMatch(e -> e.kind() == Kind.INDIRECT_JMP), table.toString());
        assertTrue(of.apply("tail_direct").exits().stream().anyMatch(e -> e.kind() == Kind.TAIL_JMP));
        for (String f : List.of("tail_ptr", "tail_dyn")) {
            ExitFinder.Scan s = of.apply(f);
            assertTrue(s.exits().stream().anyMatch(e -> e.kind() == Kind.INDIRECT_JMP), f + ": " + s);
            assertTrue(s.jumpTables().isEmpty(), f + ": " + s);
        }
    }
}
