// What ls and explain share: option parsing, opening a binary, the "no match" sentence, notes on missing data.
package dev.rustprobe.cli;

import dev.rustprobe.RustprobeException;
import dev.rustprobe.index.DebugInfo;
import dev.rustprobe.index.IndexedBinary;
import dev.rustprobe.index.Pattern;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.DefaultParser;
import org.apache.commons.cli.HelpFormatter;
import org.apache.commons.cli.Options;
import org.apache.commons.cli.ParseException;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;

final class CliSupport {
    private CliSupport() {
    }

    static CommandLine parse(Options options, String[] args) {
        try {
            return new DefaultParser().parse(options, args);
        } catch (ParseException e) {
            throw new UsageException(e.getMessage());
        }
    }

    static void help(PrintStream out, String usage, String footer, Options options) {
        PrintWriter pw = new PrintWriter(out);
        new HelpFormatter().printHelp(pw, 100, "rustprobe " + usage, "", options, 2, 4, footer);
        pw.flush();
    }

    static Pattern pattern(String text) {
        try {
            return Pattern.parse(text);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    static IndexedBinary open(String path, Pattern wanted) {
        return wanted == null ? IndexedBinary.open(Path.of(path)) : IndexedBinary.open(Path.of(path), wanted);
    }

    static RustprobeException noMatch(IndexedBinary binary, Pattern p, boolean useDwarf) {
        return binary.noMatch(p, useDwarf);
    }

    /**
     * One line on what this binary lacks and what still works, or null when nothing is missing. Strip levels:
     * strip -s leaves only .dynsym; strip --strip-debug (or objcopy --strip-debug) removes DWARF only.
     */
    static String missingNote(IndexedBinary binary, boolean dwarfDeclined, DebugInfo debug) {
        boolean symtab = binary.elf().hasSymtab();
        String dwarfProblem = null;
        if (!dwarfDeclined) {
            if (!binary.hasDwarf()) {
                dwarfProblem = "no DWARF";
            } else if (debug != null && debug.unavailableReason().isPresent()) {
                return debug.unavailableReason().get() + (symtab ? "" : "; no .symtab either: only .dynsym's exported functions are listed");
            }
        }
        if (!symtab && dwarfProblem != null) {
            return "no .symtab and no DWARF (stripped with strip -s?): only the exported functions of .dynsym are listed;"
                    + " parameter types and inline sites unavailable";
        }
        if (!symtab) {
            return "no .symtab (stripped with strip -s?): only the exported functions of .dynsym are listed";
        }
        if (dwarfProblem != null) {
            return "no DWARF: parameter types and inline sites unavailable; symbols still listed";
        }
        return null;
    }

    static void binaryFields(JsonWriter w, IndexedBinary binary, boolean useDwarf, String note) {
        w.field("binary", binary.path().toString())
                .field("buildId", binary.elf().buildId().orElse(null))
                .field("pie", binary.elf().elfType() == dev.rustprobe.elf.ElfFile.ET_DYN)
                .field("symtab", binary.elf().hasSymtab())
                .field("dwarfRead", useDwarf)
                .field("debugFile", binary.separateDebugFile().map(Path::toString).orElse(null))
                .field("note", note);
    }

    static String hex(long v) {
        return "0x" + Long.toHexString(v);
    }
}
