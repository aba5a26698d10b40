// An opened 64-bit little-endian ELF file: sections, symbols, segments, notes, decompressed debug sections.
// Parsed directly from a read-only memory map (see README "Why not jelf"): nothing is copied to the heap
// except names, symbol records and the sections a caller asks to have decompressed.
package dev.rustprobe.elf;

import dev.rustprobe.dwarf.DwarfSections;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.zip.CRC32;

public final class ElfFile implements DwarfSections {
    public static final int ET_EXEC = 2;
    public static final int ET_DYN = 3;
    private static final int EHDR_SIZE = 64;
    private static final int SHDR_SIZE = 64;
    private static final int PHDR_SIZE = 56;
    private static final int SYM_SIZE = 24;
    private static final int NT_GNU_BUILD_ID = 3;

    private final Path path;
    private final String displayName;
    private final ByteBuffer data;
    private final long fileSize;
    private final int elfType;
    private final int machine;
    private final long entry;
    private final List<Section> sections;
    private final List<Segment> segments;
    private final Map<String, Section> sectionsByName;
    private final Map<String, Optional<ByteBuffer>> sectionContents = new ConcurrentHashMap<>();

    private ElfFile(Path path, ByteBuffer data) {
        this.path = path;
        this.displayName = path.toString();
        this.data = data;
        this.fileSize = data.capacity();
        if (fileSize < 4 || data.get(0) != 0x7f || data.get(1) != 'E' || data.get(2) != 'L' || data.get(3) != 'F') {
            throw new ElfException(displayName + " is not an ELF file");
        }
        if (fileSize < 16) {
            throw truncated("the ELF identification ends at 16", 16);
        }
        if (data.get(4) != 2) {
            throw new ElfException(displayName + " is a 32-bit ELF file; rustprobe reads 64-bit ELF files only");
        }
        if (data.get(5) != 1) {
            throw new ElfException(displayName + " is a big-endian ELF file; rustprobe reads little-endian (x86_64) files only");
        }
        if (fileSize < EHDR_SIZE) {
            throw truncated("the ELF header ends at " + EHDR_SIZE, EHDR_SIZE);
        }
        elfType = u16(16);
        machine = u16(18);
        entry = data.getLong(24);
        long phoff = data.getLong(32);
        long shoff = data.getLong(40);
        int phentsize = u16(54);
        int phnum = u16(56);
        int shentsize = u16(58);
        int shnum = u16(60);
        int shstrndx = u16(62);

        if (shoff != 0 && shentsize != SHDR_SIZE) {
            throw new ElfException(displayName + " is corrupt: section header entries are " + shentsize + " bytes, not " + SHDR_SIZE);
        }
        if (shoff != 0 && (shnum == 0 || shstrndx == 0xffff)) {
            // Extended numbering: the real counts live in section header 0.
            requireRange(shoff, SHDR_SIZE, "section header 0");
            if (shnum == 0) {
                shnum = checkedInt(data.getLong((int) shoff + 32), "section count in section header 0");
            }
            if (shstrndx == 0xffff) {
                shstrndx = data.getInt((int) shoff + 40);
            }
        }
        if (shoff != 0) {
            requireRange(shoff, (long) shnum * SHDR_SIZE, "section headers");
        }
        if (phoff != 0 && phnum > 0) {
            if (phentsize != PHDR_SIZE) {
                throw new ElfException(displayName + " is corrupt: program header entries are " + phentsize + " bytes, not " + PHDR_SIZE);
            }
            requireRange(phoff, (long) phnum * PHDR_SIZE, "program headers");
        }

        List<Segment> segs = new ArrayList<>(phnum);
        for (int i = 0; phoff != 0 && i < phnum; i++) {
            int p = (int) (phoff + (long) i * PHDR_SIZE);
            segs.add(new Segment(data.getInt(p), data.getInt(p + 4), data.getLong(p + 8), data.getLong(p + 16),
                    data.getLong(p + 32), data.getLong(p + 40), data.getLong(p + 48)));
        }
        segments = List.copyOf(segs);

        List<Section> secs = new ArrayList<>(shnum);
        long shstrOffset = -1;
        long shstrSize = 0;
        if (shoff != 0 && shstrndx > 0 && shstrndx < shnum) {
            int p = (int) (shoff + (long) shstrndx * SHDR_SIZE);
            shstrOffset = data.getLong(p + 24);
            shstrSize = data.getLong(p + 32);
            requireRange(shstrOffset, shstrSize, "the section name table");
        }
        for (int i = 0; shoff != 0 && i < shnum; i++) {
            int p = (int) (shoff + (long) i * SHDR_SIZE);
            int nameOffset = data.getInt(p);
            String name = shstrOffset < 0 ? "" : cString(shstrOffset, shstrSize, Integer.toUnsignedLong(nameOffset));
            secs.add(new Section(i, name, data.getInt(p + 4), data.getLong(p + 8), data.getLong(p + 16),
                    data.getLong(p + 24), data.getLong(p + 32), data.getInt(p + 40), data.getInt(p + 44),
                    data.getLong(p + 48), data.getLong(p + 56)));
        }
        sections = List.copyOf(secs);
        Map<String, Section> byName = new HashMap<>();
        for (Section s : sections) {
            byName.putIfAbsent(s.name(), s);
        }
        sectionsByName = byName;
    }

    /** Opens and memory-maps {@code path}; every failure is an {@link ElfException} with a sentence. */
    public static ElfFile open(Path path) {
        if (Files.isDirectory(path)) {
            throw new ElfException(path + " is a directory, not an ELF file");
        }
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size > Integer.MAX_VALUE) {
                throw new ElfException(path + " is " + size + " bytes; rustprobe reads ELF files up to 2 GiB");
            }
            ByteBuffer map = channel.map(FileChannel.MapMode.READ_ONLY, 0, size).order(ByteOrder.LITTLE_ENDIAN);
            return new ElfFile(path, map);
        } catch (NoSuchFileException e) {
            throw new ElfException(path + ": no such file");
        } catch (AccessDeniedException e) {
            throw new ElfException(path + ": permission denied");
        } catch (IOException e) {
            throw new ElfException("cannot read " + path + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads an ELF image already in memory (a test corpus, a fuzz input); {@code name} stands for the file in
     * messages. The same checks as {@link #open(Path)}: every failure is an {@link ElfException}.
     */
    public static ElfFile of(String name, ByteBuffer contents) {
        return new ElfFile(Path.of(name), contents.slice().order(ByteOrder.LITTLE_ENDIAN));
    }

    public Path path() {
        return path;
    }

    /** The whole file, read-only (mapped, not copied). */
    public ByteBuffer contents() {
        return data.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    public long fileSize() {
        return fileSize;
    }

    /** ET_EXEC (fixed addresses, e.g. gcc -no-pie) or ET_DYN (PIE executables and shared libraries). */
    public int elfType() {
        return elfType;
    }

    public int machine() {
        return machine;
    }

    public long entry() {
        return entry;
    }

    public List<Section> sections() {
        return sections;
    }

    public List<Segment> segments() {
        return segments;
    }

    public Optional<Section> sectionHeader(String name) {
        return Optional.ofNullable(sectionsByName.get(name));
    }

    /**
     * The file offset a uprobe needs for the code at virtual address {@code vaddr}: vaddr - p_vaddr + p_offset of the
     * PT_LOAD segment whose file-backed part contains it. Empty when no such segment exists.
     */
    public OptionalLong fileOffsetOf(long vaddr) {
        for (Segment s : segments) {
            if (s.isLoad() && s.containsInFile(vaddr)) {
                return OptionalLong.of(vaddr - s.virtualAddress() + s.offset());
            }
        }
        return OptionalLong.empty();
    }

    /** True when {@code vaddr} lies in the file-backed part of an executable PT_LOAD segment. */
    public boolean isExecutableAddress(long vaddr) {
        for (Segment s : segments) {
            if (s.isLoad() && s.isExecutable() && s.containsInFile(vaddr)) {
                return true;
            }
        }
        return false;
    }

    /** The section whose address range holds {@code vaddr}, if any (only sections that are loaded). */
    public Optional<Section> sectionAt(long vaddr) {
        for (Section s : sections) {
            if ((s.flags() & Section.SHF_ALLOC) != 0 && Long.compareUnsigned(vaddr - s.address(), s.size()) < 0) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }

    /** True when the file has a .symtab (a binary stripped with {@code strip -s} keeps only .dynsym). */
    public boolean hasSymtab() {
        return sections.stream().anyMatch(s -> s.type() == Section.SHT_SYMTAB);
    }

    /** True when DWARF is present (possibly compressed): a .debug_info section with bytes in this file. */
    public boolean hasDwarf() {
        Section s = sectionsByName.getOrDefault(".debug_info", sectionsByName.get(".zdebug_info"));
        return s != null && s.hasFileData() && s.size() > 0;
    }

    /** Every symbol of .symtab, then of .dynsym, in file order. */
    public List<ElfSymbol> symbols() {
        List<ElfSymbol> out = new ArrayList<>();
        forEachSymbol(out::add);
        return out;
    }

    /** Streams the symbols of .symtab and then .dynsym without building a list. */
    public void forEachSymbol(Consumer<ElfSymbol> sink) {
        forEachSymbol(false, sink);
    }

    /**
     * Streams the symbols of .symtab and then .dynsym; with {@code definedFunctionsOnly}, other symbols are skipped
     * before their names are decoded (most of the cost on a big library).
     */
    public void forEachSymbol(boolean definedFunctionsOnly, Consumer<ElfSymbol> sink) {
        for (Section s : sections) {
            if (s.type() == Section.SHT_SYMTAB) {
                readSymbols(s, false, definedFunctionsOnly, sink);
            }
        }
        for (Section s : sections) {
            if (s.type() == Section.SHT_DYNSYM) {
                readSymbols(s, true, definedFunctionsOnly, sink);
            }
        }
    }

    private void readSymbols(Section table, boolean dynamic, boolean definedFunctionsOnly, Consumer<ElfSymbol> sink) {
        Section strtab = stringTableOf(table);
        long count = table.size() / SYM_SIZE;
        long strOffset = strtab.offset();
        long strSize = strtab.size();
        for (long i = 1; i < count; i++) { // entry 0 is the reserved null symbol
            int p = (int) (table.offset() + i * SYM_SIZE);
            int nameOffset = data.getInt(p);
            int info = data.get(p + 4) & 0xff;
            int shndx = data.getShort(p + 6) & 0xffff;
            if (definedFunctionsOnly && (shndx == ElfSymbol.SHN_UNDEF || ((info & 0xf) != 2 && (info & 0xf) != 10))) {
                continue;
            }
            long value = data.getLong(p + 8);
            long size = data.getLong(p + 16);
            String name = cString(strOffset, strSize, Integer.toUnsignedLong(nameOffset));
            sink.accept(new ElfSymbol(name, value, size, SymbolType.of(info & 0xf), SymbolBinding.of(info >>> 4),
                    shndx, dynamic));
        }
    }

    /**
     * The defined function symbols with names, as {@link #forEachSymbol(boolean, Consumer)} would give them, in
     * columns: the symbol tables are read in bulk and each string table copied once, so no object is made per symbol.
     */
    public FunctionSymbols functionSymbols() {
        List<Section> tables = new ArrayList<>();
        for (int type : new int[]{Section.SHT_SYMTAB, Section.SHT_DYNSYM}) {
            for (Section s : sections) {
                if (s.type() == type) {
                    tables.add(s);
                }
            }
        }
        long entries = 0;
        long nameBytes = 0;
        Map<Integer, Integer> copied = new HashMap<>(4); // string table index -> where its copy starts in names
        for (Section table : tables) {
            Section strtab = stringTableOf(table);
            entries += table.size() / SYM_SIZE;
            if (copied.putIfAbsent(strtab.index(), (int) nameBytes) == null) {
                nameBytes += strtab.size() + 1;
            }
        }
        if (nameBytes > Integer.MAX_VALUE - 16 || entries > Integer.MAX_VALUE / 3) {
            throw new ElfException(displayName + " has implausibly large symbol tables");
        }
        byte[] names = new byte[(int) nameBytes];
        int[] nameAt = new int[(int) entries];
        long[] value = new long[(int) entries];
        long[] size = new long[(int) entries];
        byte[] info = new byte[(int) entries];
        boolean[] dynamic = new boolean[(int) entries];
        for (Map.Entry<Integer, Integer> e : copied.entrySet()) {
            Section strtab = sections.get(e.getKey());
            data.get((int) strtab.offset(), names, e.getValue(), (int) strtab.size()); // the NUL after it stays
        }
        int n = 0;
        for (Section table : tables) {
            Section strtab = stringTableOf(table);
            int base = copied.get(strtab.index());
            long strSize = strtab.size();
            boolean isDynsym = table.type() == Section.SHT_DYNSYM;
            int count = table.hasFileData() ? (int) (table.size() / SYM_SIZE) : 0;
            long[] words = new long[count * 3];
            data.slice((int) table.offset(), count * SYM_SIZE).order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(words);
            for (int i = 1; i < count; i++) { // entry 0 is the reserved null symbol
                long w = words[3 * i];
                long nameOffset = w & 0xffff_ffffL;
                int symInfo = (int) (w >>> 32) & 0xff;
                int shndx = (int) (w >>> 48);
                int type = symInfo & 0xf;
                if (shndx == ElfSymbol.SHN_UNDEF || (type != 2 && type != 10) || nameOffset >= strSize
                        || names[base + (int) nameOffset] == 0) {
                    continue;
                }
                nameAt[n] = base + (int) nameOffset;
                value[n] = words[3 * i + 1];
                size[n] = words[3 * i + 2];
                info[n] = (byte) symInfo;
                dynamic[n] = isDynsym;
                n++;
            }
        }
        return new FunctionSymbols(names, nameAt, value, size, info, dynamic, n);
    }

    /** The string table a symbol table names, both checked to lie within the file. */
    private Section stringTableOf(Section table) {
        requireSectionData(table);
        if (table.link() <= 0 || table.link() >= sections.size()) {
            throw new ElfException(displayName + " is corrupt: symbol table " + label(table) + " names no string table");
        }
        Section strtab = sections.get(table.link());
        if (!strtab.hasFileData()) {
            throw new ElfException(displayName + " is corrupt: symbol table " + label(table)
                    + " names a string table without bytes in the file");
        }
        requireSectionData(strtab);
        return strtab;
    }

    /** The GNU build-id (NT_GNU_BUILD_ID) as lower-case hex, from a note section or else a PT_NOTE segment. */
    public Optional<String> buildId() {
        for (Section s : sections) {
            if (s.type() == Section.SHT_NOTE && s.hasFileData()) {
                Optional<String> id = buildIdIn(s.offset(), s.size(), Math.max(4, s.addressAlign()));
                if (id.isPresent()) {
                    return id;
                }
            }
        }
        for (Segment s : segments) {
            if (s.type() == Segment.PT_NOTE) {
                Optional<String> id = buildIdIn(s.offset(), s.fileSize(), Math.max(4, s.align()));
                if (id.isPresent()) {
                    return id;
                }
            }
        }
        return Optional.empty();
    }

    private Optional<String> buildIdIn(long offset, long size, long align) {
        if (offset < 0 || size < 0 || offset + size > fileSize || offset + size < offset) {
            return Optional.empty(); // a damaged note is no build-id, not a reason to refuse the file
        }
        long p = offset;
        long end = offset + size;
        while (p + 12 <= end) {
            long nameSize = Integer.toUnsignedLong(data.getInt((int) p));
            long descSize = Integer.toUnsignedLong(data.getInt((int) p + 4));
            int type = data.getInt((int) p + 8);
            long nameAt = p + 12;
            long descAt = nameAt + alignUp(nameSize, align);
            long next = descAt + alignUp(descSize, align);
            if (descAt + descSize > end || next <= p) {
                return Optional.empty();
            }
            if (type == NT_GNU_BUILD_ID && nameSize == 4 && data.get((int) nameAt) == 'G' && data.get((int) nameAt + 1) == 'N'
                    && data.get((int) nameAt + 2) == 'U' && data.get((int) nameAt + 3) == 0 && descSize > 0) {
                byte[] id = new byte[(int) descSize];
                data.get((int) descAt, id);
                return Optional.of(HexFormat.of().formatHex(id));
            }
            p = next;
        }
        return Optional.empty();
    }

    private static long alignUp(long v, long align) {
        return (v + align - 1) / align * align;
    }

    /** The .gnu_debuglink section, if present and well-formed. */
    public Optional<DebugLink> debugLink() {
        Section s = sectionsByName.get(".gnu_debuglink");
        if (s == null || !s.hasFileData()) {
            return Optional.empty();
        }
        requireSectionData(s);
        int nul = -1;
        for (long i = 0; i < s.size(); i++) {
            if (data.get((int) (s.offset() + i)) == 0) {
                nul = (int) i;
                break;
            }
        }
        if (nul <= 0) {
            return Optional.empty();
        }
        long crcAt = alignUp(nul + 1, 4);
        if (crcAt + 4 > s.size()) {
            return Optional.empty();
        }
        byte[] name = new byte[nul];
        data.get((int) s.offset(), name);
        return Optional.of(new DebugLink(new String(name, StandardCharsets.UTF_8), data.getInt((int) (s.offset() + crcAt))));
    }

    /** CRC32 of the whole file, as .gnu_debuglink records it for the debug file. */
    public int crc32() {
        CRC32 crc = new CRC32();
        crc.update(data.duplicate().clear());
        return (int) crc.getValue();
    }

    /**
     * The contents of section {@code name}, decompressed when it is SHF_COMPRESSED (zlib or zstd) or a legacy
     * {@code .zdebug_*} section; little-endian, read-only. Empty when absent or without file data.
     */
    @Override
    public Optional<ByteBuffer> section(String name) {
        return sectionContents.computeIfAbsent(name, this::loadSection).map(ByteBuffer::duplicate)
                .map(b -> b.order(ByteOrder.LITTLE_ENDIAN));
    }

    private Optional<ByteBuffer> loadSection(String name) {
        Section s = sectionsByName.get(name);
        if (s == null && name.startsWith(".debug_")) {
            Section z = sectionsByName.get(".zdebug_" + name.substring(".debug_".length()));
            if (z != null && z.hasFileData()) {
                requireSectionData(z);
                return Optional.of(SectionDecompressor.legacyZdebug(this, z, raw(z)));
            }
        }
        if (s == null || !s.hasFileData()) {
            return Optional.empty();
        }
        requireSectionData(s);
        ByteBuffer raw = raw(s);
        if (s.isCompressed()) {
            return Optional.of(SectionDecompressor.decompress(this, s, raw));
        }
        return Optional.of(raw.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN));
    }

    /** The on-disk bytes of a section (still compressed, if it is), without copying. */
    public ByteBuffer raw(Section s) {
        requireSectionData(s);
        return data.slice((int) s.offset(), (int) s.size()).order(ByteOrder.LITTLE_ENDIAN);
    }

    String displayName() {
        return displayName;
    }

    private void requireSectionData(Section s) {
        if (!s.hasFileData()) {
            return;
        }
        long end = s.offset() + s.size();
        if (s.offset() < 0 || s.size() < 0 || end < s.offset() || end > fileSize) {
            throw new ElfException(displayName + " is truncated: section " + label(s)
                    + " ends at " + Long.toUnsignedString(end) + ", file is " + fileSize + " bytes");
        }
    }

    /** A section as messages name it: its name if that is short and printable, else its index (names are data). */
    static String label(Section s) {
        String n = s.name();
        boolean printable = !n.isEmpty() && n.length() <= 64 && n.chars().allMatch(c -> c > 0x20 && c < 0x7f);
        return printable ? n : "#" + s.index();
    }

    private void requireRange(long offset, long length, String what) {
        long end = offset + length;
        if (offset < 0 || length < 0 || end < offset || end > fileSize) {
            throw truncated(what + " end at " + Long.toUnsignedString(end), end);
        }
    }

    private ElfException truncated(String what, long end) {
        return new ElfException(displayName + " is truncated: " + what + ", file is " + fileSize + " bytes");
    }

    private int checkedInt(long v, String what) {
        if (v < 0 || v > Integer.MAX_VALUE) {
            throw new ElfException(displayName + " is corrupt: implausible " + what + ": " + Long.toUnsignedString(v));
        }
        return (int) v;
    }

    private int u16(int at) {
        return data.getShort(at) & 0xffff;
    }

    /** The NUL-terminated string at {@code index} of the table at [tableOffset, tableOffset+tableSize). */
    private String cString(long tableOffset, long tableSize, long index) {
        if (index >= tableSize) {
            return "";
        }
        int start = (int) (tableOffset + index);
        int limit = (int) (tableOffset + tableSize);
        int end = start;
        boolean ascii = true;
        boolean found = false;
        // Eight bytes at a time (a zero-byte test on the little-endian word): ls reads some 100,000 names.
        while (!found && end + 8 <= limit && data.order() == ByteOrder.LITTLE_ENDIAN) {
            long w = data.getLong(end);
            long zeros = (w - 0x0101010101010101L) & ~w & 0x8080808080808080L;
            int n = zeros == 0 ? 8 : Long.numberOfTrailingZeros(zeros) >>> 3; // bytes before the first zero
            ascii &= (w & 0x8080808080808080L & (n == 8 ? -1L : (1L << (n << 3)) - 1)) == 0;
            end += n;
            found = n < 8;
        }
        while (!found && end < limit) {
            byte b = data.get(end);
            if (b == 0) {
                break;
            }
            if (b < 0) {
                ascii = false;
            }
            end++;
        }
        byte[] bytes = new byte[end - start];
        data.get(start, bytes);
        return new String(bytes, ascii ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_8);
    }

    /** Section names in file order, for messages ("sections present: ..."). */
    public List<String> sectionNames() {
        List<String> names = new ArrayList<>();
        for (Section s : sections) {
            if (!s.name().isEmpty()) {
                names.add(s.name());
            }
        }
        return Collections.unmodifiableList(names);
    }

    @Override
    public String toString() {
        return "ElfFile[" + displayName + "]";
    }
}
