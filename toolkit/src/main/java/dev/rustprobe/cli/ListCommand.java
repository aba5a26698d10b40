// `rustprobe ls BINARY [PATTERN] [--json]`: one line per function with its address, size, binding, copies,
// aliases, inline-site count and whether DWARF describes it.
package dev.rustprobe.cli;

import dev.rustprobe.RustprobeException;
import dev.rustprobe.index.DebugInfo;
import dev.rustprobe.index.Function;
import dev.rustprobe.index.FunctionIndex;
import dev.rustprobe.index.IndexedBinary;
import dev.rustprobe.index.Instance;
import dev.rustprobe.index.Pattern;
import dev.rustprobe.text.Utf8Buffer;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;

public final class ListCommand implements Command {
    @Override
    public String name() {
        return "ls";
    }

    @Override
    public String summary() {
        return "list the functions of a binary (optionally those matching a pattern)";
    }

    static Options options() {
        return new Options()
                .addOption(null, "json", false, "print one JSON document (schema in README.md)")
                .addOption(null, "no-dwarf", false, "do not read DWARF: inline-site and DWARF columns show '-'")
                .addOption("h", "help", false, "show this help");
    }

    @Override
    public int run(String[] args, PrintStream out, PrintStream err) {
        CommandLine cl = CliSupport.parse(options(), args);
        if (cl.hasOption("help")) {
            CliSupport.help(out, "ls BINARY [PATTERN] [--json] [--no-dwarf]",
                    "PATTERN: a path (sample_rust::orders::place), '*' within a segment, '**' across segments, "
                            + "'::h<hash>' or '<generic args>' to pick one copy.", options());
            return 0;
        }
        List<String> rest = cl.getArgList();
        if (rest.isEmpty() || rest.size() > 2) {
            throw new UsageException(rest.isEmpty() ? "BINARY is missing" : "too many arguments: " + rest);
        }
        Pattern pattern = rest.size() == 2 ? CliSupport.pattern(rest.get(1)) : null;
        boolean json = cl.hasOption("json");

        long t0 = System.nanoTime();
        IndexedBinary binary = CliSupport.open(rest.get(0), pattern);
        long t1 = System.nanoTime();
        boolean useDwarf = !cl.hasOption("no-dwarf") && binary.hasDwarf();
        DebugInfo debug = useDwarf ? binary.debugInfo() : null;
        if (debug != null && debug.damaged()) {
            // bad input gets a non-zero exit and no half-listing; --no-dwarf is the way to what still works
            throw new dev.rustprobe.RustprobeException(debug.unavailableReason().orElseThrow()
                    .replace("; symbols still listed", "") + "; 'rustprobe ls --no-dwarf " + rest.get(0)
                    + "' lists its symbols without it");
        }
        if (debug != null && debug.unavailableReason().isPresent()) {
            useDwarf = false;
        }
        List<Function> functions = pattern == null
                ? (useDwarf ? binary.allFunctions() : binary.index().functions())
                : binary.match(pattern, useDwarf);
        if (pattern != null && functions.isEmpty()) {
            throw CliSupport.noMatch(binary, pattern, useDwarf);
        }
        Map<String, Integer> sites = useDwarf ? debug.inlineSiteCounts() : Map.of();
        FunctionIndex index = binary.index();

        String note = CliSupport.missingNote(binary, cl.hasOption("no-dwarf"), debug);
        List<String> jsonText = json ? json(binary, functions, index, sites, debug, useDwarf, note) : null;
        List<Utf8Buffer> text = json ? null : text(functions, index, sites, debug, useDwarf);
        long t2 = System.nanoTime();
        if (json) {
            for (String piece : jsonText) {
                // ASCII (nearly always) is the same bytes in any charset: written as they are, past the encoder
                byte[] bytes = piece.getBytes(java.nio.charset.StandardCharsets.UTF_8);
                if (bytes.length == piece.length()) {
                    out.write(bytes, 0, bytes.length);
                } else {
                    out.print(piece);
                }
            }
        } else {
            for (Utf8Buffer b : text) {
                b.writeTo(out);
            }
        }
        out.flush();
        if (System.getenv("RUSTPROBE_TIMING") != null) {
            err.printf("timing: index %d ms (%s), render %d ms, print %d ms%n", (t1 - t0) / 1_000_000,
                    binary.index().buildTimings(), (t2 - t1) / 1_000_000, (System.nanoTime() - t2) / 1_000_000);
        }
        if (note != null) {
            err.println("rustprobe: " + note);
        }
        return 0;
    }

    /** Lines rendered per chunk: chunks are rendered on both cores and written in order. */
    private static final int CHUNK = 8192;

    private static List<Utf8Buffer> text(List<Function> functions, FunctionIndex index, Map<String, Integer> sites,
                                         DebugInfo debug, boolean useDwarf) {
        int chunks = (functions.size() + CHUNK - 1) / CHUNK;
        Utf8Buffer[] out = new Utf8Buffer[Math.max(1, chunks)];
        boolean positional = functions == index.functions(); // then copies are looked up by position, not name
        boolean ascii = positional && index.asciiNames();
        java.util.stream.IntStream.range(0, out.length).parallel().forEach(c -> {
            int from = Math.min(functions.size(), c * CHUNK);
            List<Function> part = functions.subList(from, Math.min(functions.size(), (c + 1) * CHUNK));
            Utf8Buffer b = new Utf8Buffer(part.size() * 256 + 128); // lines of a big Rust library average ~210 bytes
            if (c == 0) {
                b.ascii("ADDRESS             SIZE BIND   COPIES ALIASES INLINED DWARF NAME\n");
            }
            for (int k = 0; k < part.size(); k++) {
                line(b, part.get(k), positional ? from + k : -1, ascii, index, sites, debug, useDwarf);
            }
            out[c] = b;
        });
        return List.of(out);
    }

    /** One line; position: f's in index.functions(), or -1; ascii: f's name is known to be ASCII. */
    private static void line(Utf8Buffer b, Function f, int position, boolean ascii, FunctionIndex index,
                             Map<String, Integer> sites, DebugInfo debug, boolean useDwarf) {
        if (f.instances().isEmpty()) {
            b.ascii("-               ").ascii("      -").ascii(" inline");
        } else {
            Instance i = f.first();
            b.hex16(i.address());
            b.right(i.size(), 7);
            b.ascii(f.anyGlobal() ? " global" : " local ");
        }
        b.right(f.instances().isEmpty() ? 0 : position >= 0 ? index.copiesAt(position) : index.copies(f), 7);
        b.right(index.aliasCount(f), 8);
        if (useDwarf) {
            Integer s = sites.get(f.name());
            b.right(s == null ? 0 : s, 8);
            b.ascii(describes(f, debug, s) ? " yes   " : " no    ");
        } else {
            b.ascii("       -").ascii(" -     ");
        }
        (ascii ? b.ascii(f.name()) : b.utf8(f.name())).ascii("\n");
    }

    static boolean describes(Function f, DebugInfo debug, Integer inlineSites) {
        if (inlineSites != null && inlineSites > 0) {
            return true;
        }
        for (Instance i : f.instances()) {
            if (debug.describes(i)) {
                return true;
            }
        }
        return false;
    }

    /** The JSON document in pieces, to be printed in turn: the functions are rendered in chunks on both cores. */
    private static List<String> json(IndexedBinary binary, List<Function> functions, FunctionIndex index,
                                     Map<String, Integer> sites, DebugInfo debug, boolean useDwarf, String note) {
        JsonWriter head = new JsonWriter().beginObject();
        CliSupport.binaryFields(head, binary, useDwarf, note);
        head.name("functions").beginArray();
        boolean positional = functions == index.functions();
        int chunks = (functions.size() + CHUNK - 1) / CHUNK;
        String[] pieces = new String[chunks + 2];
        pieces[0] = head.toString();
        java.util.stream.IntStream.range(0, chunks).parallel().forEach(c -> {
            int from = c * CHUNK;
            int to = Math.min(functions.size(), from + CHUNK);
            JsonWriter w = new JsonWriter((to - from) * 300).elementsBefore(c > 0); // ~280 bytes a function
            for (int k = from; k < to; k++) {
                Function f = functions.get(k);
                w.beginObject().field("name", f.name()).field("rust", f.rust());
                if (f.instances().isEmpty()) {
                    w.name("address").value((String) null).name("size").value((String) null).field("binding", "inline-only");
                } else {
                    Instance i = f.first();
                    w.field("address", CliSupport.hex(i.address())).field("size", i.size())
                            .field("binding", f.anyGlobal() ? "global" : "local");
                }
                w.field("copies", f.instances().isEmpty() ? 0 : positional ? index.copiesAt(k) : index.copies(f))
                        .field("aliases", index.aliasCount(f));
                if (useDwarf) {
                    Integer s = sites.get(f.name());
                    w.field("inlineSites", s == null ? 0 : s).field("dwarf", describes(f, debug, s));
                } else {
                    w.name("inlineSites").value((String) null).name("dwarf").value((String) null);
                }
                w.endObject();
            }
            pieces[c + 1] = w.toString();
        });
        pieces[chunks + 1] = "]}\n";
        return List.of(pieces);
    }
}
