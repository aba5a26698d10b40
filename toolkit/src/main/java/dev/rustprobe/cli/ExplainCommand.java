// `rustprobe explain BINARY PATTERN [--json]`: for each matching function, its out-of-line copies and aliases,
// its inlined call sites, its signature, and one sentence on which calls a uprobe on the symbol alone would miss.
package dev.rustprobe.cli;

import dev.rustprobe.index.AliasGroup;
import dev.rustprobe.index.AddressRange;
import dev.rustprobe.index.DebugInfo;
import dev.rustprobe.index.Function;
import dev.rustprobe.index.FunctionIndex;
import dev.rustprobe.index.IndexedBinary;
import dev.rustprobe.index.InlineSite;
import dev.rustprobe.index.Instance;
import dev.rustprobe.index.Parameter;
import dev.rustprobe.index.Pattern;
import dev.rustprobe.index.Signature;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeSet;

public final class ExplainCommand implements Command {
    /** More matches than this are listed by name only: explain is for looking closely at a few functions. */
    static final int MAX_EXPLAINED = 50;

    @Override
    public String name() {
        return "explain";
    }

    @Override
    public String summary() {
        return "show a function's copies, aliases, inlined sites, signature, and what a plain uprobe would miss";
    }

    static Options options() {
        return new Options()
                .addOption(null, "json", false, "print one JSON document (schema in README.md)")
                .addOption("h", "help", false, "show this help");
    }

    /** Everything explain says about one function, computed before anything is printed. */
    record Explained(Function function, List<CopyInfo> copies, List<String> genericSiblings, List<InlineSite> sites,
                     Optional<Signature> signature, boolean dwarf, String verdict) {
    }

    /** locations: where each parameter and the return value are at this copy's entry (dev.rustprobe.abi), or empty. */
    record CopyInfo(Instance instance, OptionalLong fileOffset, String hash, List<String> aliases,
                    List<String> locations) {
    }

    @Override
    public int run(String[] args, PrintStream out, PrintStream err) {
        CommandLine cl = CliSupport.parse(options(), args);
        if (cl.hasOption("help")) {
            CliSupport.help(out, "explain BINARY PATTERN [--json]",
                    "PATTERN: a path, '*' within a segment, '**' across segments, '::h<hash>' or '<generic args>' "
                            + "to pick one copy.", options());
            return 0;
        }
        List<String> rest = cl.getArgList();
        if (rest.size() != 2) {
            throw new UsageException(rest.size() < 2 ? "BINARY and PATTERN are required" : "too many arguments: " + rest);
        }
        Pattern pattern = CliSupport.pattern(rest.get(1));
        IndexedBinary binary = CliSupport.open(rest.get(0), pattern);
        DebugInfo debug = binary.debugInfo();
        if (debug.damaged()) {
            throw new dev.rustprobe.RustprobeException(debug.unavailableReason().orElseThrow()
                    .replace("; symbols still listed", "; run 'rustprobe ls' to list the symbols"));
        }
        boolean dwarf = debug.unavailableReason().isEmpty();
        List<Function> matches = binary.match(pattern, dwarf);
        if (matches.isEmpty()) {
            throw CliSupport.noMatch(binary, pattern, dwarf);
        }
        String note = CliSupport.missingNote(binary, false, debug);
        List<Explained> explained = new ArrayList<>();
        for (Function f : matches.subList(0, Math.min(matches.size(), MAX_EXPLAINED))) {
            explained.add(explain(binary, f, debug, dwarf));
        }
        List<String> notShown = matches.subList(explained.size(), matches.size()).stream().map(Function::name).toList();
        String doc = cl.hasOption("json") ? json(binary, pattern, explained, notShown, dwarf, note)
                : text(explained, notShown);
        out.print(doc);
        out.flush();
        if (note != null) {
            err.println("rustprobe: " + note);
        }
        return 0;
    }

    static Explained explain(IndexedBinary binary, Function f, DebugInfo debug, boolean dwarf) {
        FunctionIndex index = binary.index();
        List<CopyInfo> copies = new ArrayList<>();
        for (Instance i : f.instances()) {
            AliasGroup g = index.aliasesAt(i.address());
            List<String> aliases = g == null ? List.of()
                    : g.names().stream().filter(n -> !n.equals(f.name())).toList();
            copies.add(new CopyInfo(i, binary.elf().fileOffsetOf(i.address()), i.crateHash(), aliases,
                    binary.hasDwarf() ? entryLocations(binary, i, aliases.size() + 1) : List.of()));
        }
        List<String> siblings = index.genericSiblings(f).stream().map(Function::name).toList();
        List<InlineSite> sites = debug.inlineSites(f);
        Optional<Signature> signature = debug.signature(f);
        boolean described = dwarf && ListCommand.describes(f, debug, sites.size());
        return new Explained(f, copies, siblings, sites, signature, described,
                verdict(f, copies, siblings, sites, dwarf, index));
    }

    /** One line per parameter and for the return value, with the trust verdict, from the ABI model and DWARF. */
    private static List<String> entryLocations(IndexedBinary binary, Instance i, int names) {
        try {
            java.util.Optional<dev.rustprobe.dwarf.Subprogram> s =
                    dev.rustprobe.dwarf.Dwarf.open(binary.elf()).subprogramAt(i.address());
            if (s.isEmpty()) {
                return List.of();
            }
            dev.rustprobe.abi.FunctionVerdict v = dev.rustprobe.abi.FunctionVerdict.atEntry(s.get(), !i.isGlobal(), names);
            List<String> out = new ArrayList<>();
            out.add("trust: " + v.sentence());
            for (dev.rustprobe.abi.FunctionVerdict.ParamVerdict p : v.params().values()) {
                out.add(p.name() + " at entry: " + dev.rustprobe.abi.ValueLocation.render(p.location()) + " (" + p.note() + ")");
            }
            out.add("return value: " + dev.rustprobe.abi.ValueLocation.render(v.returnLocation()));
            return out;
        } catch (RuntimeException e) {
            return List.of("locations: unknown (" + e.getMessage() + ")");
        }
    }

    /** The one plain sentence on what a uprobe on the symbol alone would and would not see. */
    static String verdict(Function f, List<CopyInfo> copies, List<String> siblings, List<InlineSite> sites,
                          boolean dwarf, FunctionIndex index) {
        String name = shortName(f.name());
        List<String> parts = new ArrayList<>();
        List<InlineSite> withCode = sites.stream().filter(InlineSite::probeable).toList();
        int folded = sites.size() - withCode.size();
        if (!sites.isEmpty()) {
            String where = sitesByCaller(sites);
            if (copies.isEmpty()) {
                parts.add(name + " has no out-of-line copy: it exists only inlined " + where
                        + "; there is no symbol to put a uprobe on, only probes at the inlined sites can see its calls");
            } else {
                parts.add(name + " is inlined " + where + "; a uprobe on the symbol sees none of "
                        + (sites.size() == 1 ? "it" : "them"));
            }
            if (folded > 0) {
                parts.add((folded == sites.size() ? (sites.size() == 1 ? "that site" : "all of them")
                        : folded + " of them") + " left no code (constant-folded away), so nothing there can be probed");
            }
        } else if (!dwarf) {
            parts.add("without DWARF the inlined calls of " + name + " cannot be known; a uprobe on the symbol sees only its"
                    + " out-of-line calls");
        } else if (!copies.isEmpty()) {
            parts.add("DWARF records no inlined copy of " + name + ", so a uprobe on the symbol sees every call"
                    + " that reaches this code");
        }
        int otherCopies = copies.size() - 1 + siblings.size();
        if (otherCopies > 0) {
            parts.add(name + " has " + (otherCopies + 1) + " out-of-line copies (monomorphizations) at different addresses;"
                    + " a uprobe on one symbol misses the calls to the other " + otherCopies);
        }
        TreeSet<String> aliases = new TreeSet<>();
        for (CopyInfo c : copies) {
            aliases.addAll(c.aliases());
        }
        if (!aliases.isEmpty()) {
            parts.add("its code is shared with " + String.join(", ", limit(new ArrayList<>(aliases), 5))
                    + " (one address, several names), so a uprobe there also fires for their calls");
        }
        if (parts.isEmpty()) {
            return "a uprobe on " + name + " sees its calls.";
        }
        StringBuilder b = new StringBuilder();
        for (String p : parts) {
            if (b.length() > 0) {
                b.append("; ");
            }
            b.append(p);
        }
        return b.append('.').toString();
    }

    /** "into main at 3 call sites: src/main.rs:12, :13, :17" (grouped by caller, repeated file names shortened). */
    static String sitesByCaller(List<InlineSite> sites) {
        Map<String, List<InlineSite>> byCaller = new LinkedHashMap<>();
        for (InlineSite s : sites) {
            byCaller.computeIfAbsent(callerText(s, true), k -> new ArrayList<>()).add(s);
        }
        List<String> groups = new ArrayList<>();
        for (Map.Entry<String, List<InlineSite>> e : byCaller.entrySet()) {
            List<InlineSite> list = e.getValue();
            StringBuilder b = new StringBuilder("into " + e.getKey() + " at " + list.size()
                    + (list.size() == 1 ? " call site: " : " call sites: "));
            String lastFile = null;
            int shown = 0;
            for (InlineSite s : list) {
                if (shown == 8) {
                    b.append(", …");
                    break;
                }
                if (shown > 0) {
                    b.append(", ");
                }
                if (s.callFile() != null && s.callFile().equals(lastFile)) {
                    b.append(':').append(s.callLine());
                } else {
                    b.append(s.callFile() == null ? "?" : s.callFile()).append(':').append(s.callLine());
                }
                lastFile = s.callFile();
                shown++;
            }
            groups.add(b.toString());
        }
        if (groups.size() > 4) {
            int more = groups.size() - 4;
            groups = new ArrayList<>(groups.subList(0, 4));
            groups.add("and into " + more + " more callers");
        }
        return String.join("; ", groups);
    }

    /**
     * The function the call is written in and, when that one was itself inlined, the out-of-line function that holds
     * the code: "outer (itself inlined into main)", "a (itself inlined into b, then into main)".
     */
    static String callerText(InlineSite s, boolean shortNames) {
        java.util.function.UnaryOperator<String> n = shortNames ? ExplainCommand::shortName : x -> x;
        if (s.inlinedCallers().isEmpty()) {
            return n.apply(s.caller());
        }
        StringBuilder b = new StringBuilder(n.apply(s.directCaller())).append(" (itself inlined into ");
        for (String outer : s.inlinedCallers().subList(1, s.inlinedCallers().size())) {
            b.append(n.apply(outer)).append(", then into ");
        }
        return b.append(n.apply(s.caller())).append(')').toString();
    }

    private static List<String> limit(List<String> l, int n) {
        if (l.size() <= n) {
            return l;
        }
        List<String> out = new ArrayList<>(l.subList(0, n));
        out.add("and " + (l.size() - n) + " more");
        return out;
    }

    /** The last path segment: sentences name "place", not "sample_rust::orders::place". */
    static String shortName(String path) {
        List<String> segs = dev.rustprobe.index.RustPath.split(path);
        String last = segs.get(segs.size() - 1);
        if (dev.rustprobe.index.RustPath.segments(path).size() < segs.size() && segs.size() >= 2) {
            return segs.get(segs.size() - 2) + "::" + last; // keep "largest::<u32>" together
        }
        return last;
    }

    private static String text(List<Explained> all, List<String> notShown) {
        StringBuilder b = new StringBuilder();
        for (Explained e : all) {
            Function f = e.function();
            b.append(f.name()).append('\n');
            if (e.copies().isEmpty()) {
                b.append("  out-of-line copies: none\n");
            } else {
                b.append("  out-of-line copies: ").append(e.copies().size()).append('\n');
                for (CopyInfo c : e.copies()) {
                    Instance i = c.instance();
                    b.append("    ").append(CliSupport.hex(i.address()));
                    c.fileOffset().ifPresent(o -> b.append(" (file offset ").append(CliSupport.hex(o)).append(')'));
                    b.append(" size ").append(i.size()).append(' ').append(i.isGlobal() ? "global" : "local");
                    if (c.hash() != null) {
                        b.append(" hash ").append(c.hash());
                    }
                    b.append("  ").append(i.mangledName()).append('\n');
                    if (!c.aliases().isEmpty()) {
                        b.append("      aliases at this address: ").append(String.join(", ", c.aliases())).append('\n');
                    }
                    for (String l : c.locations()) {
                        b.append("      ").append(l).append('\n');
                    }
                }
            }
            if (!e.genericSiblings().isEmpty()) {
                b.append("  other monomorphizations: ").append(String.join(", ", e.genericSiblings())).append('\n');
            }
            if (e.sites().isEmpty()) {
                b.append("  inlined call sites: none").append(e.dwarf() || !e.copies().isEmpty() ? "" : " known").append('\n');
            } else {
                b.append("  inlined call sites: ").append(e.sites().size()).append('\n');
                for (InlineSite s : e.sites()) {
                    b.append("    into ").append(callerText(s, false)).append(" at ").append(s.callFile()).append(':')
                            .append(s.callLine()).append(':').append(s.callColumn());
                    if (s.probeable()) {
                        b.append("  ");
                        appendRanges(b, s.ranges());
                    } else {
                        b.append("  (no code: constant-folded away, not probe-able)");
                    }
                    b.append('\n');
                }
            }
            if (e.signature().isPresent()) {
                Signature sig = e.signature().get();
                b.append("  parameters: ");
                if (sig.parameters().isEmpty()) {
                    b.append("none");
                }
                for (int k = 0; k < sig.parameters().size(); k++) {
                    Parameter p = sig.parameters().get(k);
                    b.append(k == 0 ? "" : ", ").append(p.name() == null ? "_" : p.name()).append(": ").append(p.type());
                }
                b.append("\n  returns: ").append(sig.returnType()).append('\n');
            } else {
                b.append("  parameters: unknown (no DWARF for it)\n");
            }
            b.append("  a plain uprobe: ").append(e.verdict()).append("\n\n");
        }
        if (!notShown.isEmpty()) {
            b.append(notShown.size()).append(" more matches not explained (narrow the pattern): ")
                    .append(String.join(", ", limit(notShown, 20))).append('\n');
        }
        return b.toString();
    }

    private static void appendRanges(StringBuilder b, List<AddressRange> ranges) {
        for (int k = 0; k < ranges.size(); k++) {
            AddressRange r = ranges.get(k);
            b.append(k == 0 ? "" : ", ").append(CliSupport.hex(r.low())).append('-').append(CliSupport.hex(r.high()));
        }
    }

    private static String json(IndexedBinary binary, Pattern pattern, List<Explained> all, List<String> notShown,
                               boolean dwarf, String note) {
        JsonWriter w = new JsonWriter().beginObject();
        CliSupport.binaryFields(w, binary, dwarf, note);
        w.field("pattern", pattern.text());
        w.name("matches").beginArray();
        for (Explained e : all) {
            Function f = e.function();
            w.beginObject().field("name", f.name()).field("genericFamily", f.genericFamily()).field("rust", f.rust())
                    .field("dwarf", e.dwarf());
            w.name("copies").beginArray();
            for (CopyInfo c : e.copies()) {
                Instance i = c.instance();
                w.beginObject().field("address", CliSupport.hex(i.address()))
                        .field("fileOffset", c.fileOffset().isPresent() ? CliSupport.hex(c.fileOffset().getAsLong()) : null)
                        .field("size", i.size()).field("binding", i.isGlobal() ? "global" : "local")
                        .field("mangled", i.mangledName()).field("hash", c.hash()).field("dynsym", i.fromDynsym());
                w.name("aliases").beginArray();
                for (String a : c.aliases()) {
                    w.value(a);
                }
                w.endArray().endObject();
            }
            w.endArray();
            w.name("otherMonomorphizations").beginArray();
            for (String s : e.genericSiblings()) {
                w.value(s);
            }
            w.endArray();
            w.name("inlineSites").beginArray();
            for (InlineSite s : e.sites()) {
                w.beginObject().field("caller", s.caller()).field("file", s.callFile()).field("line", s.callLine())
                        .field("column", s.callColumn()).field("probeable", s.probeable())
                        .field("directCaller", s.directCaller()).field("depth", s.depth());
                w.name("inlinedCallers").beginArray();
                for (String c : s.inlinedCallers()) {
                    w.value(c);
                }
                w.endArray();
                w.name("ranges").beginArray();
                for (AddressRange r : s.ranges()) {
                    w.beginObject().field("low", CliSupport.hex(r.low())).field("high", CliSupport.hex(r.high())).endObject();
                }
                w.endArray().endObject();
            }
            w.endArray();
            if (e.signature().isPresent()) {
                w.name("parameters").beginArray();
                for (Parameter p : e.signature().get().parameters()) {
                    w.beginObject().field("name", p.name()).field("type", p.type()).endObject();
                }
                w.endArray().field("returnType", e.signature().get().returnType());
            } else {
                w.name("parameters").value((String) null).name("returnType").value((String) null);
            }
            w.field("plainUprobe", e.verdict());
            w.endObject();
        }
        w.endArray();
        w.name("notExplained").beginArray();
        for (String n : notShown) {
            w.value(n);
        }
        w.endArray().endObject();
        return w + "\n";
    }
}
