// A unit's line number program (.debug_line, versions 2 to 5): its file table and the rows the program produces.
package dev.rustprobe.dwarf;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

public final class LineTable {
    /** One row of the line table matrix. file is an index into {@link #files()} as the program numbers them. */
    public record Row(long address, int file, int line, int column, boolean isStmt, boolean basicBlock,
                      boolean endSequence, boolean prologueEnd, boolean epilogueBegin, int isa, int discriminator) {}

    /** One file entry: its full path (directory joined), and the MD5 DWARF 5 may carry (null if absent). */
    public record FileEntry(String path, byte[] md5) {}

    private final int version;
    private final List<FileEntry> files;
    /** Index of files.get(0) in the program's numbering: 0 in DWARF 5, 1 before. */
    private final int firstFileIndex;
    private final List<Row> rows;

    LineTable(int version, List<FileEntry> files, int firstFileIndex, List<Row> rows) {
        this.version = version;
        this.files = List.copyOf(files);
        this.firstFileIndex = firstFileIndex;
        this.rows = rows == null ? null : List.copyOf(rows);
    }

    public int version() {
        return version;
    }

    public List<FileEntry> files() {
        return files;
    }

    /** The rows in program order (sequences as emitted; each ends with an end_sequence row). */
    public List<Row> rows() {
        return rows;
    }

    /** The path of a file index as DW_AT_decl_file/DW_AT_call_file and the rows use it; null if out of range. */
    public String fileName(long index) {
        long i = index - firstFileIndex;
        return i < 0 || i >= files.size() ? null : files.get((int) i).path();
    }

    /** The address of the first row flagged prologue_end within [begin, end), if any. */
    public OptionalLong prologueEnd(long begin, long end) {
        long best = -1;
        for (Row r : rows) {
            if (r.prologueEnd() && !r.endSequence() && Long.compareUnsigned(r.address(), begin) >= 0
                    && Long.compareUnsigned(r.address(), end) < 0
                    && (best == -1 || Long.compareUnsigned(r.address(), best) < 0)) {
                best = r.address();
            }
        }
        return best == -1 ? OptionalLong.empty() : OptionalLong.of(best);
    }

    /** A line program has at most this many rows per byte of program (each opcode makes at most one). */
    static LineTable parse(Dwarf dwarf, long offset, String compDir, boolean withRows) {
        ByteReader section = dwarf.section(".debug_line");
        ByteReader.Block block = section.block(offset, "line program");
        boolean dwarf64 = block.dwarf64();
        long end = block.end();
        ByteReader r = block.body();
        int version = r.u16();
        if (version < 2 || version > 5) {
            throw r.fail(offset, "line program has version " + version + "; only 2 to 5 are supported");
        }
        int addressSize = 8;
        if (version >= 5) {
            addressSize = r.u8();
            r.u8(); // segment selector size
        }
        long headerLength = r.offset(dwarf64);
        long programStart = r.pos() + headerLength;
        if (headerLength < 0 || programStart > end) {
            throw r.fail(offset, "line program header length runs past the program");
        }
        int minInstLength = r.u8();
        int maxOps = version >= 4 ? r.u8() : 1;
        boolean defaultIsStmt = r.u8() != 0;
        int lineBase = r.s8();
        int lineRange = r.u8();
        int opcodeBase = r.u8();
        if (lineRange == 0) {
            throw r.fail(offset, "line program has line_range 0");
        }
        if (maxOps == 0) {
            throw r.fail(offset, "line program has maximum_operations_per_instruction 0");
        }
        int[] opLengths = new int[Math.max(opcodeBase, 1)];
        for (int i = 1; i < opcodeBase; i++) {
            opLengths[i] = r.u8();
        }
        List<String> dirs = new ArrayList<>();
        List<FileEntry> files = new ArrayList<>();
        if (version >= 5) {
            List<String[]> dirEntries = entries(dwarf, r, dwarf64, offset);
            for (String[] e : dirEntries) {
                dirs.add(e[0] == null ? "" : e[0]);
            }
            List<String[]> fileEntries = entries(dwarf, r, dwarf64, offset);
            for (String[] e : fileEntries) {
                files.add(file(dirs, compDir, e[0], e[1] == null ? 0 : Long.parseLong(e[1]), true, e[2]));
            }
        } else {
            dirs.add(compDir == null ? "" : compDir);
            while (true) {
                String d = r.cstring();
                if (d.isEmpty()) {
                    break;
                }
                dirs.add(d);
            }
            while (true) {
                String f = r.cstring();
                if (f.isEmpty()) {
                    break;
                }
                long dir = r.uleb();
                r.uleb();
                r.uleb();
                files.add(file(dirs, compDir, f, dir, false, null));
            }
        }
        int firstFile = version >= 5 ? 0 : 1;
        if (!withRows) {
            return new LineTable(version, files, firstFile, null);
        }
        r.seek(programStart);
        List<Row> rows = new ArrayList<>();
        // state machine registers
        long address = 0;
        int opIndex = 0;
        int file = 1;
        int line = 1;
        int column = 0;
        boolean isStmt = defaultIsStmt;
        boolean basicBlock = false;
        boolean prologueEnd = false;
        boolean epilogueBegin = false;
        int isa = 0;
        int discriminator = 0;
        while (r.hasMore()) {
            int at = r.pos();
            int op = r.u8();
            if (op >= opcodeBase) {
                int adj = op - opcodeBase;
                long adv = adj / lineRange;
                address += minInstLength * ((opIndex + adv) / maxOps);
                opIndex = (int) ((opIndex + adv) % maxOps);
                line += lineBase + adj % lineRange;
                rows.add(new Row(address, file, line, column, isStmt, basicBlock, false, prologueEnd, epilogueBegin,
                        isa, discriminator));
                basicBlock = false;
                prologueEnd = false;
                epilogueBegin = false;
                discriminator = 0;
            } else if (op == 0) {
                long len = r.uleb();
                if (len == 0 || len > r.remaining()) {
                    throw r.fail(at, "extended line opcode has length " + len);
                }
                int next = (int) (r.pos() + len);
                int sub = r.u8();
                switch (sub) {
                    case Dw.LNE_end_sequence -> {
                        rows.add(new Row(address, file, line, column, isStmt, basicBlock, true, prologueEnd,
                                epilogueBegin, isa, discriminator));
                        address = 0;
                        opIndex = 0;
                        file = 1;
                        line = 1;
                        column = 0;
                        isStmt = defaultIsStmt;
                        basicBlock = false;
                        prologueEnd = false;
                        epilogueBegin = false;
                        isa = 0;
                        discriminator = 0;
                    }
                    case Dw.LNE_set_address -> {
                        int size = (int) (len - 1);
                        if (size != 4 && size != 8) {
                            throw r.fail(at, "DW_LNE_set_address with a " + size + "-byte address");
                        }
                        address = r.unsigned(size);
                        opIndex = 0;
                    }
                    case Dw.LNE_define_file -> {
                        String f = r.cstring();
                        long dir = r.uleb();
                        r.uleb();
                        r.uleb();
                        files.add(file(dirs, compDir, f, dir, false, null));
                    }
                    case Dw.LNE_set_discriminator -> discriminator = (int) r.uleb();
                    default -> { } // vendor extensions: skipped by their length
                }
                r.seek(next);
            } else {
                switch (op) {
                    case Dw.LNS_copy -> {
                        rows.add(new Row(address, file, line, column, isStmt, basicBlock, false, prologueEnd,
                                epilogueBegin, isa, discriminator));
                        basicBlock = false;
                        prologueEnd = false;
                        epilogueBegin = false;
                        discriminator = 0;
                    }
                    case Dw.LNS_advance_pc -> {
                        long adv = r.uleb();
                        address += minInstLength * ((opIndex + adv) / maxOps);
                        opIndex = (int) ((opIndex + adv) % maxOps);
                    }
                    case Dw.LNS_advance_line -> line += (int) r.sleb();
                    case Dw.LNS_set_file -> file = (int) r.uleb();
                    case Dw.LNS_set_column -> column = (int) r.uleb();
                    case Dw.LNS_negate_stmt -> isStmt = !isStmt;
                    case Dw.LNS_set_basic_block -> basicBlock = true;
                    case Dw.LNS_const_add_pc -> {
                        long adv = (255 - opcodeBase) / lineRange;
                        address += minInstLength * ((opIndex + adv) / maxOps);
                        opIndex = (int) ((opIndex + adv) % maxOps);
                    }
                    case Dw.LNS_fixed_advance_pc -> {
                        address += r.u16();
                        opIndex = 0;
                    }
                    case Dw.LNS_set_prologue_end -> prologueEnd = true;
                    case Dw.LNS_set_epilogue_begin -> epilogueBegin = true;
                    case Dw.LNS_set_isa -> isa = (int) r.uleb();
                    default -> {
                        for (int i = 0; i < opLengths[op]; i++) {
                            r.uleb(); // an opcode this reader does not know: skip its declared operands
                        }
                    }
                }
            }
        }
        return new LineTable(version, files, firstFile, rows);
    }

    private static FileEntry file(List<String> dirs, String compDir, String name, long dir, boolean v5, String md5) {
        byte[] sum = md5 == null ? null : java.util.HexFormat.of().parseHex(md5);
        if (name == null) {
            return new FileEntry(null, sum);
        }
        if (name.startsWith("/")) {
            return new FileEntry(name, sum);
        }
        String d = dir >= 0 && dir < dirs.size() ? dirs.get((int) dir) : "";
        if (!d.startsWith("/") && compDir != null && !compDir.isEmpty()) {
            d = d.isEmpty() ? compDir : compDir + "/" + d;
        }
        return new FileEntry(d.isEmpty() ? name : d + "/" + name, sum);
    }

    /** A DWARF 5 directory or file table: [path, directory index, md5 hex] per entry. */
    private static List<String[]> entries(Dwarf dwarf, ByteReader r, boolean dwarf64, long offset) {
        int formatCount = r.u8();
        int[] types = new int[formatCount];
        int[] forms = new int[formatCount];
        for (int i = 0; i < formatCount; i++) {
            types[i] = r.ulebInt("line entry content type");
            forms[i] = r.ulebInt("line entry form");
        }
        long count = r.uleb();
        if (count > r.remaining()) {
            throw r.fail(r.pos(), "line table declares " + count + " entries in " + r.remaining() + " bytes");
        }
        List<String[]> out = new ArrayList<>();
        for (long n = 0; n < count; n++) {
            String[] e = new String[3];
            for (int i = 0; i < formatCount; i++) {
                int form = forms[i];
                String s = null;
                long v = 0;
                byte[] block = null;
                switch (form) {
                    case Dw.FORM_string -> s = r.cstring();
                    case Dw.FORM_line_strp -> s = dwarf.section(".debug_line_str").cstringAt(r.offset(dwarf64));
                    case Dw.FORM_strp -> s = dwarf.section(".debug_str").cstringAt(r.offset(dwarf64));
                    case Dw.FORM_udata -> v = r.uleb();
                    case Dw.FORM_data1 -> v = r.u8();
                    case Dw.FORM_data2 -> v = r.u16();
                    case Dw.FORM_data4 -> v = r.u32();
                    case Dw.FORM_data8 -> v = r.u64();
                    case Dw.FORM_data16 -> block = r.bytes(16);
                    case Dw.FORM_block -> block = r.bytes(r.uleb());
                    default -> throw r.fail(r.pos(), "line table entry uses form 0x" + Integer.toHexString(form));
                }
                switch (types[i]) {
                    case Dw.LNCT_path -> e[0] = s;
                    case Dw.LNCT_directory_index -> e[1] = Long.toString(v);
                    case Dw.LNCT_MD5 -> e[2] = block == null ? null : java.util.HexFormat.of().formatHex(block);
                    default -> { }
                }
            }
            out.add(e);
        }
        return out;
    }
}
