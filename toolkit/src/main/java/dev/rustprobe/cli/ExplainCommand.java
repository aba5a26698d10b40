// `rustprobe explain BINARY PATTERN [--json]`: for each matching function, its out-of-line copies and aliases,
// its inlined call sites, its signature, and one sentence on which calls a uprobe on the symbol alone would miss.
package dev.rustprobe.cli;

import dev.rustprobe.abi.DwarfVtables;
import dev.rustprobe.abi.FunctionVerdict;
import dev.rustprobe.abi.Shape;
import dev.rustprobe.abi.SitePlans;
import dev.rustprobe.abi.SiteValue;
import dev.rustprobe.abi.ValueLocation;
import dev.rustprobe.dwarf.Dwarf;
import dev.rustprobe.dwarf.InlinedCall;
import dev.rustprobe.dwarf.Subprogram;
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
import dev.rustprobe.probe.EntryHop;
import dev.rustprobe.probe.ExitFinder;
import dev.rustprobe.probe.FetchPlanner;
import dev.rustprobe.probe.FunctionCode;
import dev.rustprobe.probe.Instruction;
import dev.rustprobe.probe.PanicCatch;
import dev.rustprobe.probe.UnwindSafety;
import dev.rustprobe.probe.UprobeCost;
import dev.rustprobe.probe.InlineExits;
import dev.rustprobe.probe.ProbePlanner;
import dev.rustprobe.probe.X86Decoder;
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
    /** siteValues: per inline site (same order as sites), its parameters at the site's first address. */
    record Explained(Function function, List<CopyInfo> copies, List<String> genericSiblings, List<InlineSite> sites,
                     List<List<SiteValue>> siteValues, List<ProbeCost> siteCosts, List<List<InlineExitInfo>> siteExits,
                     Optional<Signature> signature, boolean dwarf, String verdict) {
    }

    /**
     * Where one entry of an inlined copy is left (InlineExits: what trace pairs the call with), each exit with the
     * cost of its probe; or why it cannot be paired.
     */
    record InlineExitInfo(long entry, InlineExits.Result result, List<ProbeCost> costs) {
    }

    /** locations: where each parameter and the return value are at this copy's entry (dev.rustprobe.abi), or empty. */
    record CopyInfo(Instance instance, OptionalLong fileOffset, String hash, List<String> aliases,
                    List<String> locations, ProbeSites sites) {
    }

    /**
     * The value plans of one out-of-line copy, or null without DWARF for it: the trust sentence, each parameter at
     * entry, the return value at every exit (each ret and tail jump ExitFinder finds), and why exits may be missing.
     */
    record ProbeSites(String trust, List<SiteValue> entry, List<SiteValue> ret, List<ExitFinder.ExitSite> exits,
                      String exitNote, ProbeCost entryCost, List<ProbeCost> exitCosts, EntryHop.Decision hop,
                      EntryHop.Decision hopWithoutUretprobe) {
    }

    /** What the kernel does with the instruction a probe replaces (emulate or single-step), and its bytes. */
    record ProbeCost(UprobeCost.Handling handling, String bytes) {
        static ProbeCost of(byte[] code, int offset) {
            if (code == null || offset < 0 || offset >= code.length) {
                return null;
            }
            Instruction insn = new X86Decoder(code, 0).decode(offset);
            StringBuilder hex = new StringBuilder();
            for (int k = offset; k < Math.min(code.length, offset + insn.length()); k++) {
                hex.append(hex.length() == 0 ? "" : " ").append(String.format("%02x", code[k] & 0xff));
            }
            return new ProbeCost(UprobeCost.of(code, offset), hex.toString());
        }

        String label() {
            return handling.label();
        }
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
        List<PanicCatch.Point> catches = PanicCatch.find(binary.elf());
        String doc = cl.hasOption("json") ? json(binary, pattern, explained, notShown, dwarf, note, catches)
                : text(explained, notShown, catches);
        out.print(doc);
        out.flush();
        if (note != null) {
            err.println("rustprobe: " + note);
        }
        return 0;
    }

    static Explained explain(IndexedBinary binary, Function f, DebugInfo debug, boolean dwarf) {
        FunctionIndex index = binary.index();
        Dwarf dw = binary.hasDwarf() ? Dwarf.open(binary.elf()) : null;
        Shape.Vtables vtables = dw == null ? Shape.Vtables.NONE : DwarfVtables.of(dw);
        List<CopyInfo> copies = new ArrayList<>();
        UnwindSafety unwind = new UnwindSafety(binary.elf());
        for (Instance i : f.instances()) {
            AliasGroup g = index.aliasesAt(i.address());
            List<String> aliases = g == null ? List.of()
                    : g.names().stream().filter(n -> !n.equals(f.name())).toList();
            ProbeSites ps = dw == null ? null : probeSites(binary, dw, vtables, unwind, i, aliases.size() + 1);
            copies.add(new CopyInfo(i, binary.elf().fileOffsetOf(i.address()), i.crateHash(), aliases,
                    ps == null ? List.of() : entryLines(ps), ps));
        }
        List<String> siblings = index.genericSiblings(f).stream().map(Function::name).toList();
        List<InlineSite> sites = debug.inlineSites(f);
        List<List<SiteValue>> siteValues = new ArrayList<>();
        List<ProbeCost> siteCosts = new ArrayList<>();
        List<List<InlineExitInfo>> siteExits = new ArrayList<>();
        for (InlineSite site : sites) {
            siteValues.add(dw == null || !site.probeable() ? List.of() : inlineValues(dw, vtables, site));
            siteCosts.add(site.probeable() ? ProbeCost.of(firstInstruction(binary, site.entry()), 0) : null);
            List<InlineExitInfo> exits = new ArrayList<>();
            if (site.probeable()) {
                for (long pc : ProbePlanner.inlineEntries(binary.elf(), site)) {
                    InlineExits.Result r = InlineExits.find(binary.elf(), site.ranges(), pc, unwind.functionAt(pc));
                    exits.add(new InlineExitInfo(pc, r, r.exits().stream()
                            .map(x -> ProbeCost.of(firstInstruction(binary, x.address()), 0)).toList()));
                }
            }
            siteExits.add(exits);
        }
        Optional<Signature> signature = debug.signature(f);
        boolean described = dwarf && ListCommand.describes(f, debug, sites.size());
        return new Explained(f, copies, siblings, sites, siteValues, siteCosts, siteExits, signature, described,
                verdict(f, copies, siblings, sites, dwarf, index));
    }

    /** The value plans at one copy's entry and exits (dev.rustprobe.abi), or null if DWARF has no subprogram there. */
    private static ProbeSites probeSites(IndexedBinary binary, Dwarf dw, Shape.Vtables vtables, UnwindSafety unwind,
                                         Instance i,
                                         int names) {
        try {
            Optional<Subprogram> s = dw.subprogramAt(i.address());
            if (s.isEmpty()) {
                return null;
            }
            FunctionVerdict v = FunctionVerdict.atEntry(s.get(), !i.isGlobal(), names);
            List<ExitFinder.ExitSite> exits = List.of();
            List<ProbeCost> exitCosts = new ArrayList<>();
            String exitNote = null;
            // as trace's default (--returns=auto) decides: a uretprobe unless the exits are known and a panic may
            // unwind through the copy
            boolean uretprobe = true;
            byte[] code = FunctionCode.read(binary.elf(), i.address(), i.size());
            if (code == null) {
                exitNote = "the function's code could not be read, so its exits are unknown";
            } else {
                ExitFinder.Scan scan = ExitFinder.scan(code, i.address(), i.size());
                exits = scan.exits();
                for (ExitFinder.ExitSite x : exits) {
                    exitCosts.add(ProbeCost.of(code, (int) (x.address() - i.address())));
                }
                if (!scan.complete()) {
                    exitNote = "decoding stopped at " + CliSupport.hex(scan.desyncAt())
                            + ", so exits may be missing (trace falls back to a uretprobe)";
                } else if (scan.exits().stream().allMatch(x -> x.certain())) {
                    UnwindSafety.Verdict u = unwind.of(i.address(), i.size());
                    uretprobe = !u.canUnwind();
                    exitNote = u.canUnwind()
                            ? "a panic may unwind through it: " + u.why() + "; trace probes each exit"
                            : u.why() + ", so no panic can unwind through it: by default trace takes its returns"
                            + " with a uretprobe, whose return is not single-stepped";
                }
            }
            List<SiteValue> entry = SitePlans.entry(v, s.get(), vtables);
            long read = FetchPlanner.plan(entry, TraceCommand.DEFAULT_MAX_BYTES).registers();
            java.util.Set<Long> exitAddresses = new java.util.HashSet<>();
            exits.forEach(x -> exitAddresses.add(x.address()));
            EntryHop.Decision hop = EntryHop.decide(code, i.address(), i.size(), read, uretprobe,
                    uretprobe ? java.util.Set.of() : exitAddresses);
            EntryHop.Decision withoutUretprobe = uretprobe && code != null
                    ? EntryHop.decide(code, i.address(), i.size(), read, false, exitAddresses) : null;
            return new ProbeSites(v.sentence(), entry, SitePlans.ret(s.get(), vtables),
                    exits, exitNote, ProbeCost.of(code, 0), exitCosts, code == null ? null : hop, withoutUretprobe);
        } catch (RuntimeException e) {
            return new ProbeSites("unknown (" + e.getMessage() + ")", List.of(), List.of(), List.of(), null, null,
                    List.of(), null, null);
        }
    }

    /** Up to 15 bytes (the longest x86 instruction) at address, cut at the end of its section; or null. */
    private static byte[] firstInstruction(IndexedBinary binary, long address) {
        Optional<dev.rustprobe.elf.Section> sec = binary.elf().sectionAt(address);
        return sec.isEmpty() ? null
                : FunctionCode.read(binary.elf(), address, Math.min(15, sec.get().address() + sec.get().size() - address));
    }

    /** The bytes of [address, address+size) from the section that holds them, or null. */
    /** The inlined call DWARF has for an index site: the one starting there whose origin is the site's function. */
    private static List<SiteValue> inlineValues(Dwarf dw, Shape.Vtables vtables, InlineSite site) {
        try {
            InlinedCall best = null;
            for (InlinedCall c : dw.inlinedCallsAt(site.entry())) {
                if (c.lowPc() != site.entry()) {
                    continue;
                }
                String origin = c.origin().linkageName() == null ? c.origin().qualifiedName()
                        : dev.rustprobe.demangle.Demangler.demangle(c.origin().linkageName(), false);
                if (best == null || site.function().equals(origin)) {
                    best = c;
                }
            }
            return best == null ? List.of() : SitePlans.inlined(best, vtables);
        } catch (RuntimeException e) {
            return List.of();
        }
    }

    /** One line per parameter and for the return value, with the trust verdict, from the ABI model and DWARF. */
    private static List<String> entryLines(ProbeSites ps) {
        List<String> out = new ArrayList<>();
        out.add("trust: " + ps.trust());
        if (ps.entryCost() != null) {
            out.add("entry probe: " + entryProbe(ps));
        }
        for (SiteValue p : ps.entry()) {
            out.add(p.name() + " at entry: " + ValueLocation.render(p.location()) + " (" + p.note() + ")");
        }
        String ret = ps.ret().isEmpty() ? "none (returns ())" : ValueLocation.render(ps.ret().get(0).location());
        out.add("return value: " + ret);
        StringBuilder exits = new StringBuilder("exits: ");
        if (ps.exits().isEmpty()) {
            exits.append("none found");
        }
        for (int k = 0; k < ps.exits().size(); k++) {
            ExitFinder.ExitSite e = ps.exits().get(k);
            exits.append(k == 0 ? "" : ", ").append(CliSupport.hex(e.address())).append(' ').append(exitKind(e.kind()));
            ProbeCost cost = k < ps.exitCosts().size() ? ps.exitCosts().get(k) : null;
            if (cost != null) {
                exits.append(" (").append(cost.label()).append(')');
            }
        }
        boolean rets = ps.exits().stream().anyMatch(x -> x.kind() == ExitFinder.Kind.RET);
        boolean jumps = ps.exits().stream().anyMatch(x -> x.kind() != ExitFinder.Kind.RET);
        if (!ps.ret().isEmpty() && rets) {
            exits.append("; at each ret the return value is ").append(ret).append(sretNote(ps.ret().get(0)));
        }
        if (!ps.ret().isEmpty() && jumps) {
            exits.append("; at a jump out the function it jumps to has yet to compute the return value,"
                    + " so only the call is seen there");
        }
        if (ps.exitNote() != null) {
            exits.append(" (").append(ps.exitNote()).append(')');
        }
        out.add(exits.toString());
        return out;
    }

    /**
     * Where trace's entry probe sits and why: moved to the first instruction the kernel emulates (EntryHop), or at
     * the first instruction with the reason it could not move (with what --returns=rets or none would do when only
     * the default's uretprobe kept it there).
     */
    private static String entryProbe(ProbeSites ps) {
        EntryHop.Decision d = ps.hop();
        String first = "first instruction " + ps.entryCost().bytes();
        if (d != null && d.moved()) {
            return d.movedClause() + "; at +0 (" + d.entryInstruction() + ", " + first + ") the kernel would "
                    + (d.entryHandling() == UprobeCost.Handling.SINGLE_STEP ? "single-step it" : "refuse it");
        }
        String out = ps.entryCost().handling().sentence() + " (" + first + ")";
        if (d != null && d.reason() != null) {
            out += "; " + d.reason();
        }
        EntryHop.Decision alt = ps.hopWithoutUretprobe();
        if (d != null && d.reason() != null && alt != null && alt.moved()) {
            out += "; with --returns=rets or none it would be " + alt.movedClause();
        }
        return out;
    }

    static String exitKind(ExitFinder.Kind k) {
        return switch (k) {
            case RET -> "ret";
            case TAIL_JMP -> "tail-jmp";
            case TAIL_JCC -> "tail-jcc";
            case INDIRECT_JMP -> "indirect-jmp";
        };
    }

    /** The note on a return value worth printing: only the sret one says something a reader would not guess. */
    private static String sretNote(SiteValue v) {
        return v.note().startsWith("returned through") ? " (" + v.note() + ")" : "";
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

    /** Once per binary: where trace learns that a caught panic unwound calls, or why it cannot. */
    static String panicSentence(List<PanicCatch.Point> catches) {
        if (catches.isEmpty()) {
            return PanicCatch.MISSING;
        }
        List<String> named = catches.stream().map(c -> c.name() + " (" + CliSupport.hex(c.address()) + ")").toList();
        return "trace reports the calls a caught panic unwound when it is caught, at the entry of std's catch point"
                + (catches.size() == 1 ? " " : "s ") + String.join(", ", limit(named, 3));
    }

    private static String text(List<Explained> all, List<String> notShown, List<PanicCatch.Point> catches) {
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
                for (int k = 0; k < e.sites().size(); k++) {
                    InlineSite s = e.sites().get(k);
                    b.append("    into ").append(callerText(s, false)).append(" at ").append(s.callFile()).append(':')
                            .append(s.callLine()).append(':').append(s.callColumn());
                    if (s.probeable()) {
                        b.append("  ");
                        appendRanges(b, s.ranges());
                    } else {
                        b.append("  (no code: constant-folded away, not probe-able)");
                    }
                    b.append('\n');
                    List<SiteValue> values = e.siteValues().get(k);
                    ProbeCost cost = e.siteCosts().get(k);
                    if (cost != null) {
                        b.append("      probe at ").append(CliSupport.hex(s.entry())).append(": ")
                                .append(cost.handling().sentence()).append(" (").append(cost.bytes()).append(")\n");
                    }
                    List<InlineExitInfo> exits = e.siteExits().get(k);
                    for (InlineExitInfo x : exits) {
                        b.append("      exits").append(exits.size() > 1 ? " of the copy entered at "
                                + CliSupport.hex(x.entry()) : "").append(": ");
                        appendInlineExits(b, x);
                        b.append('\n');
                    }
                    if (!values.isEmpty()) {
                        b.append("      at ").append(CliSupport.hex(s.entry())).append(": ");
                        for (int j = 0; j < values.size(); j++) {
                            b.append(j == 0 ? "" : ", ").append(values.get(j).name()).append(' ')
                                    .append(ValueLocation.render(values.get(j).location()));
                        }
                        b.append('\n');
                    }
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
        b.append("panics: ").append(panicSentence(catches)).append('\n');
        return b.toString();
    }

    /** [{name, type, location, readable, note}]: where each value is at a probe site. */
    private static void values(JsonWriter w, List<SiteValue> values) {
        w.beginArray();
        for (SiteValue v : values) {
            value(w, v);
        }
        w.endArray();
    }

    private static void value(JsonWriter w, SiteValue v) {
        w.beginObject().field("name", v.name()).field("type", v.typeName())
                .field("location", ValueLocation.render(v.location()))
                .field("readable", ValueLocation.readable(v.location())).field("note", v.note()).endObject();
    }

    /** {handling, bytes, sentence} of a probe site's instruction, or null. */
    private static void probeCost(JsonWriter w, ProbeCost c) {
        if (c == null) {
            w.value((String) null);
            return;
        }
        w.beginObject().field("handling", c.label()).field("bytes", c.bytes())
                .field("sentence", c.handling().sentence()).endObject();
    }

    /** "0x27d20 fall-through (single-stepped), 0x27d40 jump out (emulated, rsp +8)", or why there are none. */
    private static void appendInlineExits(StringBuilder b, InlineExitInfo x) {
        if (!x.result().paired()) {
            b.append("unknown, so trace records its calls without their end: ").append(x.result().unpairedReason());
            return;
        }
        List<InlineExits.Exit> exits = x.result().exits();
        for (int j = 0; j < exits.size(); j++) {
            InlineExits.Exit ex = exits.get(j);
            ProbeCost cost = x.costs().get(j);
            b.append(j == 0 ? "" : ", ").append(CliSupport.hex(ex.address())).append(' ').append(ex.how().text())
                    .append(" (").append(cost == null ? "not probe-able" : cost.label());
            if (ex.rspDelta() != 0) {
                b.append(", rsp ").append(ex.rspDelta() > 0 ? "+" : "").append(ex.rspDelta());
            }
            b.append(')');
        }
    }

    /** {moved, address, offset, instruction, handling, skipped, entryRspDelta, reason, sentence}, or null. */
    private static void entryHop(JsonWriter w, EntryHop.Decision d) {
        if (d == null) {
            w.value((String) null);
            return;
        }
        w.beginObject().field("moved", d.moved()).field("address", CliSupport.hex(d.probe()))
                .field("offset", d.probe() - d.entry()).field("instruction", d.probeInstruction())
                .field("handling", d.probeLabel()).field("skipped", d.skipped())
                .field("entryRspDelta", d.entryRspDelta()).field("reason", d.reason())
                .field("sentence", d.sentence()).endObject();
    }

    private static void appendRanges(StringBuilder b, List<AddressRange> ranges) {
        for (int k = 0; k < ranges.size(); k++) {
            AddressRange r = ranges.get(k);
            b.append(k == 0 ? "" : ", ").append(CliSupport.hex(r.low())).append('-').append(CliSupport.hex(r.high()));
        }
    }

    private static String json(IndexedBinary binary, Pattern pattern, List<Explained> all, List<String> notShown,
                               boolean dwarf, String note, List<PanicCatch.Point> catches) {
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
                w.endArray();
                ProbeSites ps = c.sites();
                w.field("trust", ps == null ? null : ps.trust());
                probeCost(w.name("entryProbe"), ps == null ? null : ps.entryCost());
                entryHop(w.name("entryHop"), ps == null ? null : ps.hop());
                entryHop(w.name("entryHopWithoutUretprobe"), ps == null ? null : ps.hopWithoutUretprobe());
                if (ps == null) {
                    w.name("entry").value((String) null).name("returnValue").value((String) null)
                            .name("exits").value((String) null);
                } else {
                    values(w.name("entry"), ps.entry());
                    if (ps.ret().isEmpty()) {
                        w.name("returnValue").value((String) null);
                    } else {
                        value(w.name("returnValue"), ps.ret().get(0));
                    }
                    w.name("exits").beginArray();
                    for (ExitFinder.ExitSite x : ps.exits()) {
                        w.beginObject().field("address", CliSupport.hex(x.address())).field("kind", exitKind(x.kind()))
                                .field("certain", x.certain())
                                .field("returnValueHere", x.kind() == ExitFinder.Kind.RET && !ps.ret().isEmpty());
                        probeCost(w.name("probe"), ps.exitCosts().size() > ps.exits().indexOf(x)
                                ? ps.exitCosts().get(ps.exits().indexOf(x)) : null);
                        w.endObject();
                    }
                    w.endArray().field("exitsNote", ps.exitNote());
                }
                w.endObject();
            }
            w.endArray();
            w.name("otherMonomorphizations").beginArray();
            for (String s : e.genericSiblings()) {
                w.value(s);
            }
            w.endArray();
            w.name("inlineSites").beginArray();
            for (int k = 0; k < e.sites().size(); k++) {
                InlineSite s = e.sites().get(k);
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
                w.endArray();
                values(w.name("values"), e.siteValues().get(k));
                probeCost(w.name("probe"), e.siteCosts().get(k));
                w.name("exits").beginArray();
                String unpaired = null;
                for (InlineExitInfo x : e.siteExits().get(k)) {
                    unpaired = unpaired != null ? unpaired : x.result().unpairedReason();
                    for (int j = 0; j < x.result().exits().size(); j++) {
                        InlineExits.Exit ex = x.result().exits().get(j);
                        w.beginObject().field("entry", CliSupport.hex(x.entry()))
                                .field("address", CliSupport.hex(ex.address())).field("how", ex.how().text())
                                .field("rspDelta", ex.rspDelta());
                        probeCost(w.name("probe"), x.costs().get(j));
                        w.endObject();
                    }
                }
                w.endArray().field("exitsNote", unpaired);
                w.endObject();
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
        w.endArray();
        w.name("panicCatchPoints").beginArray();
        for (PanicCatch.Point c : catches) {
            w.beginObject().field("name", c.name()).field("address", CliSupport.hex(c.address())).endObject();
        }
        w.endArray().field("panics", panicSentence(catches)).endObject();
        return w + "\n";
    }
}
