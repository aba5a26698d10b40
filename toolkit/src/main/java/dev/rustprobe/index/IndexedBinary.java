// A binary opened for naming functions: its ELF file, the symbol index (built at once), and the DWARF facts
// (looked up only when first asked for, in the binary itself or in its separate debug file).
package dev.rustprobe.index;

import dev.rustprobe.elf.DebugFileLocator;
import dev.rustprobe.elf.ElfFile;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

public final class IndexedBinary {
    private final ElfFile elf;
    private final FunctionIndex index;
    private DebugInfo debugInfo;
    private Path debugFile;

    private final boolean filtered;

    private IndexedBinary(ElfFile elf, Pattern wanted) {
        this.elf = elf;
        this.index = FunctionIndex.build(elf, wanted);
        this.filtered = wanted != null;
    }

    public static IndexedBinary open(Path path) {
        return new IndexedBinary(ElfFile.open(path), null);
    }

    /**
     * Opens a binary to look up one pattern: only symbols that could match it (and those sharing their addresses) are
     * demangled and indexed; {@link #nearest} still searches every name.
     */
    public static IndexedBinary open(Path path, Pattern wanted) {
        return new IndexedBinary(ElfFile.open(path), wanted);
    }

    public ElfFile elf() {
        return elf;
    }

    public FunctionIndex index() {
        return index;
    }

    /** Whether DWARF is at hand without reading it: in the binary, or a separate debug file found for it. */
    public boolean hasDwarf() {
        return elf.hasDwarf() || separateDebugFile().isPresent();
    }

    /** The separate debug file used for DWARF, when the binary itself has none. */
    public Optional<Path> separateDebugFile() {
        if (debugFile == null && !elf.hasDwarf()) {
            debugFile = DebugFileLocator.find(elf).orElse(Path.of(""));
        }
        return debugFile == null || debugFile.toString().isEmpty() ? Optional.empty() : Optional.of(debugFile);
    }

    /** DWARF facts, read on first use; a binary without DWARF gets {@link DebugInfo#unavailable}. */
    public synchronized DebugInfo debugInfo() {
        if (debugInfo == null) {
            debugInfo = DwarfDebugInfo.load(this);
        }
        return debugInfo;
    }

    /**
     * Every function: the symbol index's, plus the functions DWARF knows only as inlined copies (no symbol at all),
     * sorted by name. Reads DWARF.
     */
    public List<Function> allFunctions() {
        List<Function> extra = inlineOnly();
        if (extra.isEmpty()) {
            return index.functions();
        }
        List<Function> out = new ArrayList<>(index.functions());
        out.addAll(extra);
        out.sort(Comparator.comparing(Function::name));
        return out;
    }

    /**
     * Functions matching the pattern, including inline-only ones when {@code useDwarf}. A pattern without wildcards that
     * matches no whole path is tried again as a path suffix ("place" finds "sample_rust::orders::place").
     */
    public List<Function> match(Pattern p, boolean useDwarf) {
        List<Function> found = matchExactly(p, useDwarf);
        if (found.isEmpty() && !p.isWildcard()) {
            found = matchExactly(p.asSuffix(), useDwarf);
        }
        return found;
    }

    private List<Function> matchExactly(Pattern p, boolean useDwarf) {
        List<Function> found = new ArrayList<>(index.matchExactly(p));
        if (useDwarf && p.hash() == null) {
            for (Function f : inlineOnly(p.literalWords())) {
                if (p.matchesPath(p.hasGenericArgs() ? f.name() : f.genericFamily())) {
                    found.add(f);
                }
            }
            found.sort(Comparator.comparing(Function::name));
        }
        return found;
    }

    /** Functions DWARF knows only as inlined copies: no symbol names them. */
    public List<Function> inlineOnly() {
        return inlineOnly(List.of());
    }

    /** Inline-only functions among the paths that could hold every word (only those DWARF names are demangled). */
    private List<Function> inlineOnly(List<String> words) {
        List<Function> out = new ArrayList<>();
        for (String name : debugInfo().inlineSiteCounts(words).keySet()) {
            if (index.byName(name) == null) {
                out.add(new Function(name, RustPath.withoutGenericArgs(name), true, List.of()));
            }
        }
        return out;
    }

    /** The nearest names to a pattern that matched nothing. */
    public List<String> nearest(Pattern p, int limit, boolean useDwarf) {
        List<String> names = new ArrayList<>();
        for (Function f : (filtered ? FunctionIndex.build(elf) : index).functions()) {
            names.add(f.genericFamily());
        }
        if (useDwarf) {
            for (Function f : inlineOnly()) {
                names.add(f.genericFamily());
            }
        }
        return FunctionIndex.nearest(p, names, limit);
    }

    /** The failure for a pattern that matched nothing, naming the nearest functions. */
    public dev.rustprobe.RustprobeException noMatch(Pattern p, boolean useDwarf) {
        List<String> near = nearest(p, 3, useDwarf);
        return new dev.rustprobe.RustprobeException("no function matches '" + p.text() + "'"
                + (near.isEmpty() ? "" : "; nearest: " + String.join(", ", near)));
    }

    public Path path() {
        return elf.path();
    }
}
