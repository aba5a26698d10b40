// The hostile-file corpus, generated (nothing but this code is committed): a tiny x86_64 ELF with one Rust
// function hostile::f and its DWARF 4, written byte by byte, and variants of it that are truncated, point past
// their end, overlap, claim huge counts, loop through their DIEs and abbreviations, never end their location
// lists, carry over-long LEB128 numbers, 1 MB mangled names or v0 generics nested beyond any limit.
package dev.rustprobe.testing;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

public final class HostileFiles {
    /** The function every file defines: its symbol, and the path `explain` is asked about. */
    public static final String SYMBOL = "_ZN7hostile1f17h0123456789abcdefE";
    public static final String PATH = "hostile::f";
    private static final long TEXT_ADDR = 0x1000;
    private static final int TEXT_SIZE = 0x40;

    private HostileFiles() {
    }

    /** How a command should end on a case: FAIL (non-zero, one line naming the problem) or OK (exit 0). */
    public enum Outcome { FAIL, OK }

    /**
     * One hostile file and how ls and explain must end on it. {@code expected} is a fragment of what explain says
     * about it (its one-line error, or for a file it can read in part, its "unknown (...)" note) and of the
     * one-line error of ls when ls fails; null when the file is fine to read.
     */
    public record Case(String name, byte[] bytes, Outcome ls, Outcome explain, String expected) {}

    // ---- the generator of well-formed files ----

    /** A section to write: name, type, flags, bytes, link, entry size. */
    record Sec(String name, int type, long flags, byte[] data, int link, long entsize) {}

    /** The ELF: header, one PT_LOAD over the whole file at address = offset, sections, then the section headers. */
    static byte[] elf(List<String> symbols, Map<String, byte[]> debug) {
        ByteArrayOutputStream strtab = new ByteArrayOutputStream();
        ByteArrayOutputStream symtab = new ByteArrayOutputStream();
        strtab.write(0);
        symtab.writeBytes(new byte[24]);
        int i = 0;
        for (String s : symbols) {
            int nameAt = strtab.size();
            strtab.writeBytes(s.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            strtab.write(0);
            ByteBuffer sym = le(24);
            sym.putInt(nameAt).put((byte) 0x12).put((byte) 0).putShort((short) 1) // GLOBAL FUNC in .text
                    .putLong(TEXT_ADDR + (i++ % 4) * 0x10).putLong(0x10);
            symtab.writeBytes(sym.array());
        }
        List<Sec> secs = new ArrayList<>();
        byte[] text = new byte[TEXT_SIZE];
        java.util.Arrays.fill(text, (byte) 0xc3); // ret
        secs.add(new Sec(".text", 1, 0x6, text, 0, 0));
        secs.add(new Sec(".symtab", 2, 0, symtab.toByteArray(), 3, 24));
        secs.add(new Sec(".strtab", 3, 0, strtab.toByteArray(), 0, 0));
        debug.forEach((n, b) -> secs.add(new Sec(n, 1, 0, b, 0, 0)));
        ByteArrayOutputStream shstr = new ByteArrayOutputStream();
        shstr.write(0);
        int[] nameOffsets = new int[secs.size() + 1];
        for (int k = 0; k < secs.size(); k++) {
            nameOffsets[k] = shstr.size();
            shstr.writeBytes(secs.get(k).name().getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            shstr.write(0);
        }
        nameOffsets[secs.size()] = shstr.size();
        shstr.writeBytes(".shstrtab\0".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        secs.add(new Sec(".shstrtab", 3, 0, shstr.toByteArray(), 0, 0));

        // layout: header 64, phdr 56, .text at TEXT_ADDR, then the other sections, then section headers
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(new byte[(int) TEXT_ADDR]);
        long[] offsets = new long[secs.size()];
        for (int k = 0; k < secs.size(); k++) {
            while (body.size() % 8 != 0) {
                body.write(0);
            }
            offsets[k] = body.size();
            body.writeBytes(secs.get(k).data());
        }
        while (body.size() % 8 != 0) {
            body.write(0);
        }
        long shoff = body.size();
        int shnum = secs.size() + 1;
        ByteBuffer sh = le(64 * shnum);
        sh.position(64);
        for (int k = 0; k < secs.size(); k++) {
            Sec s = secs.get(k);
            boolean alloc = (s.flags() & 2) != 0;
            sh.putInt(nameOffsets[k]).putInt(s.type()).putLong(s.flags()).putLong(alloc ? offsets[k] : 0)
                    .putLong(offsets[k]).putLong(s.data().length).putInt(s.link()).putInt(s.type() == 2 ? 1 : 0)
                    .putLong(alloc ? 16 : 1).putLong(s.entsize());
        }
        body.writeBytes(sh.array());
        byte[] out = body.toByteArray();
        ByteBuffer h = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
        h.put(new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1, 0}).position(16);
        h.putShort((short) 3).putShort((short) 62).putInt(1).putLong(TEXT_ADDR).putLong(64).putLong(shoff)
                .putInt(0).putShort((short) 64).putShort((short) 56).putShort((short) 1).putShort((short) 64)
                .putShort((short) shnum).putShort((short) (shnum - 1));
        h.position(64);
        h.putInt(1).putInt(5).putLong(0).putLong(0).putLong(0).putLong(out.length).putLong(out.length).putLong(0x1000);
        return out;
    }

    private static ByteBuffer le(int n) {
        return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Offset of section header k (0 is the null header) in a file made by {@link #elf}. */
    static int sectionHeader(byte[] f, int k) {
        return (int) (ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN).getLong(40) + 64L * k);
    }

    /** Index of the section header named name in a file made by {@link #elf} (names are in a fixed order). */
    static int sectionIndex(Map<String, byte[]> debug, String name) {
        List<String> names = new ArrayList<>(List.of(".text", ".symtab", ".strtab"));
        names.addAll(debug.keySet());
        names.add(".shstrtab");
        return names.indexOf(name) + 1;
    }

    // ---- DWARF 4, written by hand ----

    /** Attribute and form codes used below (DWARF 4, section 7.5). */
    private static final int NAME = 0x03, LOW_PC = 0x11, HIGH_PC = 0x12, FRAME_BASE = 0x40, LINKAGE = 0x6e,
            LOCATION = 0x02, TYPE = 0x49, BYTE_SIZE = 0x0b, ENCODING = 0x3e, ORIGIN = 0x31, SPEC = 0x47,
            MEMBER_LOC = 0x38;
    private static final int ADDR = 0x01, DATA1 = 0x0b, DATA8 = 0x07, STRING = 0x08, EXPRLOC = 0x18, REF4 = 0x13,
            SEC_OFFSET = 0x17, INDIRECT = 0x16;

    /** The abbreviations: 1 unit, 2 subprogram, 3 parameter (exprloc), 4 base type, 5 lexical block,
     *  6 subprogram by abstract origin, 7 parameter (location list), 8 struct, 9 member, 10 indirect name. */
    static byte[] abbrevs() {
        Bytes a = new Bytes();
        a.uleb(1).uleb(0x11).u8(1).uleb(NAME).uleb(STRING).uleb(LOW_PC).uleb(ADDR).uleb(HIGH_PC).uleb(DATA8).uleb(0).uleb(0);
        a.uleb(2).uleb(0x2e).u8(1).uleb(LINKAGE).uleb(STRING).uleb(NAME).uleb(STRING).uleb(LOW_PC).uleb(ADDR)
                .uleb(HIGH_PC).uleb(DATA8).uleb(FRAME_BASE).uleb(EXPRLOC).uleb(0).uleb(0);
        a.uleb(3).uleb(0x05).u8(0).uleb(NAME).uleb(STRING).uleb(LOCATION).uleb(EXPRLOC).uleb(TYPE).uleb(REF4)
                .uleb(0).uleb(0);
        a.uleb(4).uleb(0x24).u8(0).uleb(NAME).uleb(STRING).uleb(BYTE_SIZE).uleb(DATA1).uleb(ENCODING).uleb(DATA1)
                .uleb(0).uleb(0);
        a.uleb(5).uleb(0x0b).u8(1).uleb(0).uleb(0);
        a.uleb(6).uleb(0x2e).u8(0).uleb(ORIGIN).uleb(REF4).uleb(LOW_PC).uleb(ADDR).uleb(HIGH_PC).uleb(DATA8)
                .uleb(0).uleb(0);
        a.uleb(7).uleb(0x05).u8(0).uleb(NAME).uleb(STRING).uleb(LOCATION).uleb(SEC_OFFSET).uleb(TYPE).uleb(REF4)
                .uleb(0).uleb(0);
        a.uleb(8).uleb(0x13).u8(1).uleb(NAME).uleb(STRING).uleb(BYTE_SIZE).uleb(DATA1).uleb(0).uleb(0);
        a.uleb(9).uleb(0x0d).u8(0).uleb(NAME).uleb(STRING).uleb(TYPE).uleb(REF4).uleb(MEMBER_LOC).uleb(DATA1)
                .uleb(0).uleb(0);
        a.uleb(10).uleb(0x2e).u8(0).uleb(NAME).uleb(INDIRECT).uleb(0).uleb(0);
        a.u8(0);
        return a.bytes();
    }

    /** A unit: header, the unit's DIE (name and code range), the DIEs body writes, then the closing 0. */
    static byte[] unit(java.util.function.Consumer<Bytes> body) {
        Bytes u = new Bytes();
        u.u32(0).u16(4).u32(0).u8(8);
        u.uleb(1).cstr("hostile.rs").u64(TEXT_ADDR).u64(TEXT_SIZE);
        body.accept(u);
        u.u8(0);
        byte[] b = u.bytes();
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(0, b.length - 4);
        return b;
    }

    /** The well-formed function: f(x: u64) at TEXT_ADDR, x in rdi; the base type u64 at its returned offset. */
    static void function(Bytes u, int paramAbbrev, byte[] location, boolean structParam) {
        int u64 = u.size();
        u.uleb(4).cstr("u64").u8(8).u8(7);
        int type = u64;
        if (structParam) {
            type = u.size();
            u.uleb(8).cstr("Loop").u8(16);
            u.uleb(9).cstr("next").u32(type).u8(0); // a struct that contains itself by value
            u.u8(0);
        }
        u.uleb(2).cstr(SYMBOL).cstr("f").u64(TEXT_ADDR).u64(0x10).uleb(1).u8(0x57);
        u.uleb(paramAbbrev).cstr("x");
        if (paramAbbrev == 3) {
            u.uleb(location.length).raw(location);
        } else {
            u.u32(0);
        }
        u.u32(type);
        u.u8(0);
    }

    static Map<String, byte[]> dwarf(byte[] abbrev, byte[] info) {
        Map<String, byte[]> m = new LinkedHashMap<>();
        m.put(".debug_abbrev", abbrev);
        m.put(".debug_info", info);
        return m;
    }

    /** The healthy file every other case starts from. */
    /** A well-formed file with these (mangled) function symbols and no DWARF. */
    public static byte[] withSymbols(List<String> symbols) {
        return elf(symbols, Map.of());
    }

    public static byte[] healthy() {
        return elf(List.of(SYMBOL), dwarf(abbrevs(), unit(u -> function(u, 3, new byte[] {0x55}, false))));
    }

    // ---- the cases ----

    public static List<Case> all() {
        List<Case> out = new ArrayList<>();
        Map<String, byte[]> healthyDwarf = dwarf(abbrevs(), unit(u -> function(u, 3, new byte[] {0x55}, false)));
        byte[] healthy = elf(List.of(SYMBOL), healthyDwarf);
        out.add(new Case("healthy", healthy, Outcome.OK, Outcome.OK, null));

        // truncated at every section boundary (each section's start and end) and inside the section headers
        ByteBuffer hb = ByteBuffer.wrap(healthy).order(ByteOrder.LITTLE_ENDIAN);
        int shnum = hb.getShort(60) & 0xffff;
        java.util.TreeSet<Integer> cuts = new java.util.TreeSet<>(List.of(0, 3, 16, 40, 64, 120));
        for (int k = 1; k < shnum; k++) {
            int at = sectionHeader(healthy, k);
            long off = hb.getLong(at + 24);
            cuts.add((int) off);
            cuts.add((int) (off + hb.getLong(at + 32)));
        }
        cuts.add(sectionHeader(healthy, 0));
        cuts.add(sectionHeader(healthy, shnum - 1) + 10);
        cuts.add(healthy.length - 1);
        for (int cut : cuts) {
            out.add(new Case("truncated-at-" + cut, java.util.Arrays.copyOf(healthy, cut), Outcome.FAIL, Outcome.FAIL,
                    cut < 4 ? "is not an ELF file" : "is truncated"));
        }

        // section headers pointing past the end
        int symtab = sectionHeader(healthy, 2);
        out.add(new Case("symtab-past-end", patchLong(healthy, symtab + 24, healthy.length + 4096), Outcome.FAIL,
                Outcome.FAIL, "is truncated: section .symtab ends at"));
        int info = sectionHeader(healthy, sectionIndex(healthyDwarf, ".debug_info"));
        out.add(new Case("debug-info-past-end", patchLong(healthy, info + 32, 1L << 40), Outcome.FAIL, Outcome.FAIL,
                "section .debug_info ends at"));
        out.add(new Case("section-headers-past-end", patchLong(healthy, 40, healthy.length - 64), Outcome.FAIL,
                Outcome.FAIL, "section headers end at"));

        // the fuzzers' ELF findings: a symbol table whose string table has no bytes in the file (it read past the
        // end), a section name with a newline in a message (two lines), a damaged zstd frame (IllegalStateException)
        out.add(new Case("symtab-names-nobits-strtab", patchInt(healthy, sectionHeader(healthy, 3) + 4, 8),
                Outcome.FAIL, Outcome.FAIL, "names a string table without bytes in the file"));
        int shstrtab = (int) hb.getLong(sectionHeader(healthy, shnum - 1) + 24);
        int symtabName = shstrtab + hb.getInt(symtab);
        byte[] newline = patchLong(healthy, symtab + 24, healthy.length + 4096);
        newline[symtabName + 2] = '\n';
        out.add(new Case("section-name-with-newline", newline, Outcome.FAIL, Outcome.FAIL,
                "is truncated: section #2 ends at"));
        Map<String, byte[]> zstd = dwarf(abbrevs(), new Bytes().u32(2).u32(0).u64(4096).u64(1)
                .raw(new byte[] {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd, 0, 0, 0, 0, 0, 0, 0, 0}).bytes());
        byte[] badZstd = elf(List.of(SYMBOL), zstd);
        badZstd = patchLong(badZstd, sectionHeader(badZstd, sectionIndex(zstd, ".debug_info")) + 8, 0x800);
        out.add(new Case("zstd-frame-damaged", badZstd, Outcome.FAIL, Outcome.FAIL, "invalid zstd data"));

        // overlapping sections: the abbreviations are the unit's bytes; the string table is the symbol table
        int abbrev = sectionHeader(healthy, sectionIndex(healthyDwarf, ".debug_abbrev"));
        byte[] overlap = patchLong(healthy, abbrev + 24, hb.getLong(info + 24));
        out.add(new Case("abbrev-overlaps-info", overlap, Outcome.FAIL, Outcome.FAIL, "DWARF"));
        int strtab = sectionHeader(healthy, 3);
        byte[] strOverSym = patchLong(patchLong(healthy, strtab + 24, hb.getLong(symtab + 24)), strtab + 32,
                hb.getLong(symtab + 32));
        out.add(new Case("strtab-overlaps-symtab", strOverSym, Outcome.OK, Outcome.FAIL, "no function matches"));

        // huge counts
        out.add(new Case("e_shnum-65535", patchShort(healthy, 60, 0xffff), Outcome.FAIL, Outcome.FAIL,
                "section headers end at"));
        out.add(new Case("e_phnum-65535", patchShort(healthy, 56, 0xffff), Outcome.FAIL, Outcome.FAIL,
                "program headers end at"));
        byte[] extended = patchShort(healthy, 60, 0);
        extended = patchLong(extended, sectionHeader(healthy, 0) + 32, 1L << 40);
        out.add(new Case("extended-section-count-2^40", extended, Outcome.FAIL, Outcome.FAIL, "section count"));
        out.add(new Case("symbol-count-2^36", patchLong(healthy, symtab + 32, 24L << 36), Outcome.FAIL,
                Outcome.FAIL, "is truncated: section .symtab ends at"));

        // DIEs that refer to themselves, reference cycles, abbreviation loops
        out.add(new Case("self-referencing-die", elf(List.of(SYMBOL), dwarf(abbrevs(), unit(u -> {
            int at = u.size();
            u.uleb(6).u32(at).u64(TEXT_ADDR).u64(0x10);
        }))), Outcome.OK, Outcome.OK, "own origin"));
        out.add(new Case("origin-cycle", elf(List.of(SYMBOL), dwarf(abbrevs(), unit(u -> {
            int a = u.size();
            u.uleb(6).u32(a + 21).u64(TEXT_ADDR).u64(0x10); // 21 bytes per DIE: code, ref4, addr, data8
            u.uleb(6).u32(a).u64(TEXT_ADDR).u64(0x10);
        }))), Outcome.OK, Outcome.OK, "chain longer than"));
        out.add(new Case("indirect-form-loop", elf(List.of(SYMBOL), dwarf(abbrevs(), unit(u -> {
            function(u, 3, new byte[] {0x55}, false);
            u.uleb(10);
            for (int k = 0; k < 100; k++) {
                u.uleb(INDIRECT); // DW_FORM_indirect naming DW_FORM_indirect, again and again
            }
            u.uleb(STRING).cstr("g");
        }))), Outcome.FAIL, Outcome.FAIL, "DW_FORM_indirect"));
        byte[] twice = new Bytes().raw(java.util.Arrays.copyOf(abbrevs(), abbrevs().length - 1))
                .uleb(1).uleb(0x11).u8(1).uleb(0).uleb(0).u8(0).bytes();
        out.add(new Case("abbreviation-declared-twice", elf(List.of(SYMBOL), dwarf(twice,
                unit(u -> function(u, 3, new byte[] {0x55}, false)))), Outcome.FAIL, Outcome.FAIL, "declared twice"));
        out.add(new Case("abbreviation-code-undeclared", elf(List.of(SYMBOL), dwarf(abbrevs(), unit(u -> {
            function(u, 3, new byte[] {0x55}, false);
            u.uleb(0x7777);
        }))), Outcome.FAIL, Outcome.FAIL, "does not declare"));

        // location lists that never end: 70,000 entries without the terminating pair; a list cut by the section end
        Bytes loc = new Bytes();
        for (int k = 0; k < 70_000; k++) {
            loc.u64(TEXT_ADDR).u64(TEXT_ADDR + 1).u16(1).u8(0x55);
        }
        Map<String, byte[]> endless = dwarf(abbrevs(), unit(u -> function(u, 7, null, false)));
        endless.put(".debug_loc", loc.bytes());
        out.add(new Case("location-list-70000-entries", elf(List.of(SYMBOL), endless), Outcome.OK, Outcome.FAIL,
                "without ending"));
        Map<String, byte[]> cut = dwarf(abbrevs(), unit(u -> function(u, 7, null, false)));
        cut.put(".debug_loc", new Bytes().u64(TEXT_ADDR).u64(TEXT_ADDR + 1).u16(1).u8(0x55).u64(TEXT_ADDR).bytes());
        out.add(new Case("location-list-cut-by-section-end", elf(List.of(SYMBOL), cut), Outcome.OK, Outcome.FAIL,
                "truncated"));

        // LEB128 numbers of 100 bytes: as an abbreviation code, and as an expression operand
        out.add(new Case("leb128-100-bytes-abbrev-code", elf(List.of(SYMBOL), dwarf(abbrevs(), unit(u -> {
            for (int k = 0; k < 99; k++) {
                u.u8(0x80);
            }
            u.u8(0x01);
        }))), Outcome.FAIL, Outcome.FAIL, "LEB128 number longer than 10 bytes"));
        byte[] longOperand = new byte[101];
        longOperand[0] = 0x10; // DW_OP_constu, then a 100-byte ULEB128
        java.util.Arrays.fill(longOperand, 1, 100, (byte) 0x80);
        longOperand[100] = 1;
        out.add(new Case("leb128-100-bytes-expression", elf(List.of(SYMBOL), dwarf(abbrevs(),
                unit(u -> function(u, 3, longOperand, false)))), Outcome.OK, Outcome.FAIL, "LEB128"));

        // DIEs nested 100,000 deep (lexical blocks inside the function), and a struct that contains itself
        out.add(new Case("dies-nested-100000-deep", elf(List.of(SYMBOL), dwarf(abbrevs(), unit(u -> {
            int u64 = u.size();
            u.uleb(4).cstr("u64").u8(8).u8(7);
            u.uleb(2).cstr(SYMBOL).cstr("f").u64(TEXT_ADDR).u64(0x10).uleb(1).u8(0x57);
            for (int k = 0; k < 100_000; k++) {
                u.uleb(5);
            }
            u.uleb(3).cstr("x").uleb(1).u8(0x55).u32(u64);
            for (int k = 0; k < 100_000; k++) {
                u.u8(0);
            }
            u.u8(0);
        }))), Outcome.OK, Outcome.OK, null));
        out.add(new Case("struct-contains-itself", elf(List.of(SYMBOL), dwarf(abbrevs(),
                unit(u -> function(u, 3, new byte[] {0x55}, true)))), Outcome.OK, Outcome.OK, null));

        // 1 MB mangled names (a valid legacy one, an invalid one) and v0 generics nested 100,000 deep
        String megaLegacy = "_ZN" + "3abc".repeat(250_000) + "17h0123456789abcdefE";
        String megaInvalid = "_ZN" + "9".repeat(1 << 20);
        String deepV0 = "_R" + "INvC1a1b".repeat(100_000) + "h" + "E".repeat(100_000);
        String deepV0Limit = "_R" + "INvC1a1b".repeat(400) + "h" + "E".repeat(400);
        out.add(new Case("mangled-name-1mb", elf(List.of(SYMBOL, megaLegacy), healthyDwarf), Outcome.OK, Outcome.OK,
                null));
        out.add(new Case("mangled-name-1mb-invalid", elf(List.of(SYMBOL, megaInvalid), healthyDwarf), Outcome.OK,
                Outcome.OK, null));
        out.add(new Case("v0-generics-nested-100000-deep", elf(List.of(SYMBOL, deepV0, deepV0Limit), healthyDwarf),
                Outcome.OK, Outcome.OK, null));
        return out;
    }

    private static byte[] patchLong(byte[] f, int at, long v) {
        byte[] out = f.clone();
        ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN).putLong(at, v);
        return out;
    }

    private static byte[] patchInt(byte[] f, int at, int v) {
        byte[] out = f.clone();
        ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN).putInt(at, v);
        return out;
    }

    private static byte[] patchShort(byte[] f, int at, int v) {
        byte[] out = f.clone();
        ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN).putShort(at, (short) v);
        return out;
    }

    /** A little-endian byte writer with DWARF's LEB128 and C strings. */
    public static final class Bytes {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        int size() {
            return out.size();
        }

        Bytes u8(int v) {
            out.write(v);
            return this;
        }

        Bytes u16(int v) {
            return u8(v).u8(v >>> 8);
        }

        Bytes u32(long v) {
            return u16((int) v).u16((int) (v >>> 16));
        }

        Bytes u64(long v) {
            return u32(v).u32(v >>> 32);
        }

        Bytes uleb(long v) {
            do {
                int b = (int) (v & 0x7f);
                v >>>= 7;
                out.write(v == 0 ? b : b | 0x80);
            } while (v != 0);
            return this;
        }

        Bytes cstr(String s) {
            out.writeBytes(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return u8(0);
        }

        Bytes raw(byte[] b) {
            out.writeBytes(b);
            return this;
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }
}
