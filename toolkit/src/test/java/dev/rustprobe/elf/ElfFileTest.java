// ElfFile against readelf, objdump and objcopy on small gcc-built programs, PIE and non-PIE.
package dev.rustprobe.elf;

import dev.rustprobe.testing.ExternalTools;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ElfFileTest {
    static final String SOURCE = """
            #include <stdio.h>
            static int local_helper(int x) { return x * 3 + 1; }
            int global_counter = 7;
            __attribute__((noinline)) int exported_fn(int a) { return local_helper(a) + global_counter; }
            int main(int argc, char **argv) { printf("%d\\n", exported_fn(argc)); return 0; }
            """;

    @TempDir
    static Path dir;
    static Path pie;
    static Path noPie;

    @BeforeAll
    static void build() {
        pie = ExternalTools.gcc(dir, "pie", SOURCE, "-g", "-O1", "-fPIE", "-pie", "-Wl,--build-id=sha1");
        noPie = ExternalTools.gcc(dir, "nopie", SOURCE, "-g", "-O1", "-fno-pie", "-no-pie", "-Wl,--build-id=sha1");
    }

    record ReadelfSection(int index, String name, long address, long offset, long size) {
    }

    static List<ReadelfSection> readelfSections(Path file) {
        Pattern line = Pattern.compile("^\\s*\\[\\s*(\\d+)\\]\\s+(\\S+)\\s+\\S+\\s+([0-9a-f]+)\\s+([0-9a-f]+)\\s+([0-9a-f]+)");
        List<ReadelfSection> out = new ArrayList<>();
        for (String l : ExternalTools.run("readelf", "-SW", file.toString()).split("\n")) {
            Matcher m = line.matcher(l);
            if (m.find() && !m.group(1).equals("0")) {
                out.add(new ReadelfSection(Integer.parseInt(m.group(1)), m.group(2), Long.parseUnsignedLong(m.group(3), 16),
                        Long.parseUnsignedLong(m.group(4), 16), Long.parseUnsignedLong(m.group(5), 16)));
            }
        }
        return out;
    }

    /** readelf -sW rows as "table name value size type bind ndx" strings, version suffixes dropped. */
    static List<String> readelfSymbols(Path file) {
        Pattern header = Pattern.compile("Symbol table '(\\S+)'");
        Pattern row = Pattern.compile("^\\s*(\\d+):\\s+([0-9a-f]+)\\s+(\\S+)\\s+(\\S+)\\s+(\\S+)\\s+(\\S+)\\s+(\\S+)\\s*(.*)$");
        List<String> out = new ArrayList<>();
        String table = null;
        for (String l : ExternalTools.run("readelf", "-sW", file.toString()).split("\n")) {
            Matcher h = header.matcher(l);
            if (h.find()) {
                table = h.group(1);
                continue;
            }
            Matcher m = row.matcher(l);
            if (table == null || !m.find() || m.group(1).equals("0")) {
                continue;
            }
            String sizeText = m.group(3);
            long size = sizeText.startsWith("0x") ? Long.parseLong(sizeText.substring(2), 16) : Long.parseLong(sizeText);
            String name = m.group(8);
            int at = name.indexOf('@');
            if (at > 0 && table.equals(".dynsym")) {
                name = name.substring(0, at);
            }
            String type = m.group(4).equals("IFUNC") ? "GNU_IFUNC" : m.group(4);
            out.add(table + " " + name + " " + Long.parseUnsignedLong(m.group(2), 16) + " " + size + " " + type + " " + m.group(5));
        }
        return out;
    }

    static List<String> ours(ElfFile f) {
        List<String> out = new ArrayList<>();
        for (ElfSymbol s : f.symbols()) {
            out.add((s.fromDynsym() ? ".dynsym" : ".symtab") + " " + s.name() + " " + s.value() + " " + s.size() + " "
                    + s.type() + " " + s.binding());
        }
        return out;
    }

    /** readelf lists tables in section order, ElfFile .symtab first: compare each table's rows in order. */
    static List<String> byTable(List<String> rows) {
        List<String> sorted = new ArrayList<>(rows);
        sorted.sort(java.util.Comparator.comparing(r -> r.substring(0, r.indexOf(' '))));
        return sorted;
    }

    @Test
    void sectionsMatchReadelf() {
        for (Path p : List.of(pie, noPie)) {
            ElfFile f = ElfFile.open(p);
            List<ReadelfSection> expected = readelfSections(p);
            assertEquals(expected.size() + 1, f.sections().size());
            for (ReadelfSection e : expected) {
                Section s = f.sections().get(e.index());
                assertEquals(e, new ReadelfSection(s.index(), s.name(), s.address(), s.offset(), s.size()));
            }
        }
    }

    @Test
    void symbolsMatchReadelf() {
        for (Path p : List.of(pie, noPie)) {
            ElfFile f = ElfFile.open(p);
            assertEquals(byTable(readelfSymbols(p)), byTable(ours(f)));
            assertTrue(f.symbols().stream().anyMatch(s -> s.name().equals("exported_fn") && s.binding() == SymbolBinding.GLOBAL));
        }
    }

    @Test
    void onlyDynsymAfterStripAll() {
        Path stripped = dir.resolve("pie-stripped");
        ExternalTools.run("strip", "-s", "-o", stripped.toString(), pie.toString());
        ElfFile f = ElfFile.open(stripped);
        assertFalse(f.hasSymtab());
        assertFalse(f.hasDwarf());
        assertTrue(f.symbols().stream().allMatch(ElfSymbol::fromDynsym));
        assertEquals(byTable(readelfSymbols(stripped)), byTable(ours(f)));
    }

    @Test
    void elfTypeDistinguishesPie() {
        assertEquals(ElfFile.ET_DYN, ElfFile.open(pie).elfType());
        assertEquals(ElfFile.ET_EXEC, ElfFile.open(noPie).elfType());
    }

    /**
     * fileOffsetOf must point at the function's bytes: compare what lies at that file offset with the instruction
     * bytes objdump disassembles at the symbol's address.
     */
    @Test
    void fileOffsetOfPointsAtTheFunctionsCode() {
        for (Path p : List.of(pie, noPie)) {
            ElfFile f = ElfFile.open(p);
            ElfSymbol fn = f.symbols().stream().filter(s -> s.name().equals("exported_fn") && !s.fromDynsym()).findFirst().orElseThrow();
            long offset = f.fileOffsetOf(fn.value()).orElseThrow();
            String dump = ExternalTools.run("objdump", "-d", "--start-address=0x" + Long.toHexString(fn.value()),
                    "--stop-address=0x" + Long.toHexString(fn.value() + fn.size()), p.toString());
            StringBuilder hex = new StringBuilder();
            Pattern insn = Pattern.compile("^\\s*[0-9a-f]+:\\t((?:[0-9a-f]{2} )+)");
            for (String l : dump.split("\n")) {
                Matcher m = insn.matcher(l);
                if (m.find()) {
                    hex.append(m.group(1).replace(" ", ""));
                }
            }
            byte[] expected = HexFormat.of().parseHex(hex.toString());
            assertEquals(fn.size(), expected.length, "objdump bytes for exported_fn in " + p);
            byte[] actual = new byte[expected.length];
            try {
                byte[] file = Files.readAllBytes(p);
                System.arraycopy(file, (int) offset, actual, 0, actual.length);
            } catch (java.io.IOException e) {
                throw new AssertionError(e);
            }
            assertArrayEquals(expected, actual, "bytes at file offset 0x" + Long.toHexString(offset) + " of " + p);
            if (f.elfType() == ElfFile.ET_EXEC) {
                assertTrue(fn.value() >= 0x400000L, "a non-PIE executable has absolute addresses");
                assertTrue(fn.value() != offset);
            }
        }
        assertTrue(ElfFile.open(pie).fileOffsetOf(0x7fff_ffff_0000L).isEmpty());
    }

    @Test
    void buildIdMatchesReadelf() {
        for (Path p : List.of(pie, noPie)) {
            Matcher m = Pattern.compile("Build ID: ([0-9a-f]+)").matcher(ExternalTools.run("readelf", "-n", p.toString()));
            assertTrue(m.find());
            assertEquals(m.group(1), ElfFile.open(p).buildId().orElseThrow());
        }
    }

    @Test
    void separateDebugFileByDebuglinkWithCrcCheck() throws Exception {
        Path sub = Files.createDirectories(dir.resolve("linked"));
        Path bin = sub.resolve("prog");
        Path debug = sub.resolve("prog.dbg");
        ExternalTools.run("objcopy", "--only-keep-debug", pie.toString(), debug.toString());
        ExternalTools.run("objcopy", "--strip-debug", "--add-gnu-debuglink=" + debug, pie.toString(), bin.toString());
        ElfFile f = ElfFile.open(bin);
        assertFalse(f.hasDwarf());
        DebugLink link = f.debugLink().orElseThrow();
        assertEquals("prog.dbg", link.fileName());
        String crc = ExternalTools.run("python3", "-c",
                "import zlib,sys; print(zlib.crc32(open(sys.argv[1],'rb').read()))", debug.toString()).trim();
        assertEquals(Long.parseLong(crc), Integer.toUnsignedLong(link.crc32()));
        assertEquals(Integer.toUnsignedLong(link.crc32()), Integer.toUnsignedLong(ElfFile.open(debug).crc32()));

        Path none = dir.resolve("no-debug-root");
        assertEquals(debug, DebugFileLocator.find(f, List.of(none)).orElseThrow());
        assertTrue(ElfFile.open(DebugFileLocator.find(f, List.of(none)).orElseThrow()).hasDwarf());

        // In .debug/ beside the binary.
        Path dotDebug = Files.createDirectories(sub.resolve(".debug"));
        Files.move(debug, dotDebug.resolve("prog.dbg"));
        assertEquals(dotDebug.resolve("prog.dbg"), DebugFileLocator.find(f, List.of(none)).orElseThrow());

        // Under <root>/<binary's directory>/.
        Path root = dir.resolve("debugroot");
        Path inRoot = root.resolve(sub.toAbsolutePath().toString().substring(1)).resolve("prog.dbg");
        Files.createDirectories(inRoot.getParent());
        Files.move(dotDebug.resolve("prog.dbg"), inRoot);
        assertEquals(inRoot, DebugFileLocator.find(f, List.of(root)).orElseThrow());

        // A file of that name whose CRC differs is refused.
        Files.write(inRoot, new byte[] {1}, java.nio.file.StandardOpenOption.APPEND);
        assertTrue(DebugFileLocator.find(f, List.of(root)).isEmpty());
    }

    @Test
    void separateDebugFileByBuildId() throws Exception {
        Path bin = dir.resolve("prog-bid");
        ExternalTools.run("objcopy", "--strip-debug", pie.toString(), bin.toString());
        String id = ElfFile.open(bin).buildId().orElseThrow();
        Path root = dir.resolve("bidroot");
        Path debug = root.resolve(".build-id").resolve(id.substring(0, 2)).resolve(id.substring(2) + ".debug");
        Files.createDirectories(debug.getParent());
        ExternalTools.run("objcopy", "--only-keep-debug", pie.toString(), debug.toString());
        assertEquals(debug, DebugFileLocator.find(ElfFile.open(bin), List.of(root)).orElseThrow());
        // A debug file for another build at that path is refused.
        ExternalTools.run("objcopy", "--only-keep-debug", noPie.toString(), debug.toString());
        assertTrue(DebugFileLocator.find(ElfFile.open(bin), List.of(root)).isEmpty());
    }

    static byte[] dumpSection(Path file, String name) throws Exception {
        Path out = Files.createTempFile(dir, "sec", ".bin");
        ExternalTools.run("objcopy", "--dump-section", name + "=" + out, file.toString(), dir.resolve("discard-" + out.getFileName()).toString());
        return Files.readAllBytes(out);
    }

    static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    @Test
    void zlibCompressedSectionsMatchObjcopysDecompression() throws Exception {
        Path z = dir.resolve("pie-zlib");
        ExternalTools.run("objcopy", "--compress-debug-sections=zlib", pie.toString(), z.toString());
        checkCompressed(z, 1);
    }

    @Test
    void zstdCompressedSectionsMatchObjcopysDecompression() throws Exception {
        Path z = dir.resolve("pie-zstd");
        ExternalTools.run(ExternalTools.rustToolEnv(), ExternalTools.rustObjcopy("--compress-debug-sections=zstd", pie.toString(), z.toString()));
        checkCompressed(z, 2);
    }

    private void checkCompressed(Path compressed, int expectedType) throws Exception {
        Path plain = dir.resolve(compressed.getFileName() + "-decompressed");
        ExternalTools.run("objcopy", "--decompress-debug-sections", compressed.toString(), plain.toString());
        ElfFile f = ElfFile.open(compressed);
        int checked = 0;
        for (Section s : f.sections()) {
            if (!s.name().startsWith(".debug_")) {
                continue;
            }
            if (s.isCompressed()) {
                assertEquals(expectedType, f.raw(s).getInt(0), s.name() + " compression type");
                checked++;
            }
            assertArrayEquals(dumpSection(plain, s.name()), bytes(f.section(s.name()).orElseThrow()), s.name());
        }
        assertTrue(checked >= 3, "expected several compressed debug sections, saw " + checked);
    }

    @Test
    void damagedCompressedSectionIsOneSentence() throws Exception {
        Path z = dir.resolve("pie-zlib-damaged");
        ExternalTools.run("objcopy", "--compress-debug-sections=zlib", pie.toString(), z.toString());
        ElfFile f = ElfFile.open(z);
        Section info = f.sectionHeader(".debug_info").orElseThrow();
        byte[] file = Files.readAllBytes(z);
        for (int i = 24; i < info.size(); i++) {
            file[(int) info.offset() + i] ^= (byte) 0x5a;
        }
        Files.write(z, file);
        ElfException e = org.junit.jupiter.api.Assertions.assertThrows(ElfException.class,
                () -> ElfFile.open(z).section(".debug_info"));
        assertTrue(e.getMessage().contains(".debug_info is damaged"), e.getMessage());
    }

    @Test
    void badInputIsOneSentence() throws Exception {
        Path notElf = dir.resolve("text.txt");
        Files.writeString(notElf, "hello, this is text\n");
        assertEquals(notElf + " is not an ELF file", message(notElf));
        Path empty = dir.resolve("empty");
        Files.write(empty, new byte[0]);
        assertEquals(empty + " is not an ELF file", message(empty));
        assertEquals(dir.resolve("missing") + ": no such file", message(dir.resolve("missing")));
        assertEquals(dir + " is a directory, not an ELF file", message(dir));

        byte[] whole = Files.readAllBytes(pie);
        for (int cut : new int[] {10, 40, 1000, whole.length / 2, whole.length - 100}) {
            Path t = dir.resolve("truncated-" + cut);
            Files.write(t, java.util.Arrays.copyOf(whole, cut));
            String m = message(t);
            assertTrue(m.startsWith(t + " is truncated: "), m);
            assertTrue(m.endsWith("file is " + cut + " bytes"), m);
        }
    }

    private static String message(Path p) {
        try {
            ElfFile f = ElfFile.open(p);
            f.symbols();
            f.section(".debug_info");
            return "(opened)";
        } catch (ElfException e) {
            return e.getMessage();
        }
    }

    @Test
    void lowerCaseHexBuildId() {
        String id = ElfFile.open(pie).buildId().orElseThrow();
        assertEquals(id.toLowerCase(Locale.ROOT), id);
        assertEquals(40, id.length());
    }
}
