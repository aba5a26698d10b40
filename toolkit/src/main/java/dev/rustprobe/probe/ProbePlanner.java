// Plans a trace: for every function matching the patterns, a probe site at each out-of-line copy's entry (aliases
// once), at each inlined call site with code, and at each way the copy is left (ret, tail jump), with the values
// each site records and the FetchPlan that records them.
package dev.rustprobe.probe;

import dev.rustprobe.RustprobeException;
import dev.rustprobe.abi.DwarfVtables;
import dev.rustprobe.abi.Shape;
import dev.rustprobe.abi.SitePlans;
import dev.rustprobe.abi.SiteValue;
import dev.rustprobe.abi.ValueLocation;
import dev.rustprobe.demangle.Demangler;
import dev.rustprobe.dwarf.Dwarf;
import dev.rustprobe.dwarf.InlinedCall;
import dev.rustprobe.dwarf.Subprogram;
import dev.rustprobe.elf.ElfFile;
import dev.rustprobe.elf.Section;
import dev.rustprobe.index.AliasGroup;
import dev.rustprobe.index.DebugInfo;
import dev.rustprobe.index.Function;
import dev.rustprobe.index.IndexedBinary;
import dev.rustprobe.index.InlineSite;
import dev.rustprobe.index.Instance;
import dev.rustprobe.index.Pattern;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

public final class ProbePlanner {
    /**
     * How returns are seen: AUTO, per copy a uretprobe where no panic can unwind through it (UnwindSafety) and
     * otherwise RETS; RETS, uprobes on each ret and tail jump (safe, but the kernel single-steps a ret); URETPROBE
     * everywhere (a panic unwinding through one aborts the process); NONE, calls only.
     */
    public enum Returns { AUTO, RETS, URETPROBE, NONE }

    /**
     * exactEntry: keep each entry probe at the copy's first instruction instead of moving it to the first one the
     * kernel emulates (EntryHop).
     */
    public record Options(boolean inline, Returns returns, int maxBytes, boolean exactEntry) {
        public Options(boolean inline, Returns returns, int maxBytes) {
            this(inline, returns, maxBytes, false);
        }
    }

    private final IndexedBinary binary;
    private final Options options;
    private final Optional<Dwarf> dwarf;
    private final Shape.Vtables vtables;
    private final List<ProbeSite> sites = new ArrayList<>();
    private final List<String> warnings = new ArrayList<>();
    private final UnwindSafety unwind;
    /** Entry sites moved by EntryHop, by site id, with the decision. */
    private final Map<Integer, EntryHop.Decision> hops = new java.util.HashMap<>();

    private ProbePlanner(IndexedBinary binary, Options options) {
        this.binary = binary;
        this.options = options;
        this.dwarf = binary.debugInfo().dwarf();
        this.vtables = dwarf.map(d -> (Shape.Vtables) DwarfVtables.of(d)).orElse(Shape.Vtables.NONE);
        this.unwind = new UnwindSafety(binary.elf());
    }

    /** Fails with a RustprobeException naming the nearest functions when a pattern matches nothing. */
    public static TracePlan plan(IndexedBinary binary, List<Pattern> patterns, Options options) {
        return new ProbePlanner(binary, options).run(patterns);
    }

    private TracePlan run(List<Pattern> patterns) {
        // Finding the catch points reads every symbol name (about 100 ms for librustc_driver): on the other core.
        java.util.concurrent.CompletableFuture<List<PanicCatch.Point>> catches = options.returns() == Returns.NONE
                ? null : java.util.concurrent.CompletableFuture.supplyAsync(() -> PanicCatch.find(binary.elf()));
        DebugInfo debug = binary.debugInfo();
        boolean useDwarf = debug.unavailableReason().isEmpty();
        if (!useDwarf) {
            warnings.add(debug.unavailableReason().get().replace("; symbols still listed", "")
                    + "; calls of the symbols are traced without their values");
        }
        Map<String, Function> matched = new LinkedHashMap<>();
        for (Pattern p : patterns) {
            List<Function> m = binary.match(p, useDwarf);
            if (m.isEmpty()) {
                throw binary.noMatch(p, useDwarf);
            }
            m.forEach(f -> matched.putIfAbsent(f.name(), f));
        }
        Map<String, List<InlineSite>> inlineSites = options.inline()
                ? debug.inlineSites(List.copyOf(matched.values())) : Map.of();
        Set<Long> copies = new HashSet<>();
        for (Function f : matched.values()) {
            for (Instance i : f.instances()) {
                if (copies.add(i.address())) {
                    planCopy(f, i);
                }
            }
            if (options.inline()) {
                planInlineSites(f, inlineSites.getOrDefault(f.name(), List.of()));
            }
        }
        planInlineExits();
        if (catches != null && sites.stream().anyMatch(ProbeSite::paired)) {
            planCatch(catches);
        }
        unhopCrossed();
        if (sites.isEmpty()) {
            throw new RustprobeException("nothing to probe: the matching functions (" + String.join(", ",
                    matched.keySet().stream().limit(5).toList()) + ") have no code in " + binary.path());
        }
        return new TracePlan(binary.path(), sites, List.copyOf(matched.keySet()), warnings,
                ReadOnlyImage.enabled() ? ReadOnlyImage.of(binary.elf()) : ReadOnlyImage.NONE);
    }

    private void planCopy(Function f, Instance i) {
        ElfFile elf = binary.elf();
        OptionalLong off = elf.fileOffsetOf(i.address());
        if (off.isEmpty()) {
            warnings.add(f.name() + " at 0x" + Long.toHexString(i.address()) + " is not in a loaded segment: not probed");
            return;
        }
        AliasGroup g = binary.index().aliasesAt(i.address());
        List<String> aliases = g == null ? List.of() : g.names().stream().filter(n -> !n.equals(f.name())).toList();
        Optional<Subprogram> s = subprogramAt(i.address());
        // Of several names at one address, DWARF describes one: the sites take its name, so that the values,
        // decoded with its types, print under the name they belong to.
        String name = f.name();
        String described = s.map(Subprogram::linkageName).map(l -> Demangler.demangle(l, false)).orElse(null);
        if (described != null && !described.equals(name) && aliases.contains(described)) {
            List<String> others = new ArrayList<>(aliases);
            others.remove(described);
            others.add(name);
            aliases = others;
            name = described;
        }
        List<SiteValue> entryValues = List.of();
        List<SiteValue> returnValues = null;
        if (s.isPresent()) {
            try {
                entryValues = SitePlans.entry(s.get(), !i.isGlobal(), aliases.size() + 1, vtables);
                returnValues = SitePlans.ret(s.get(), vtables);
            } catch (RuntimeException e) {
                warnings.add("the DWARF of " + f.name() + " could not be evaluated (" + e.getMessage()
                        + "): its values are not shown");
            }
        } else if (binary.hasDwarf()) {
            warnings.add("DWARF does not describe " + f.name() + " at 0x" + Long.toHexString(i.address())
                    + ": its arguments and return value are not shown");
        }
        // A copy whose first instruction already leaves it (a jmp to the real body) has no call of its own to
        // pair: a return probe there would fire with the entry probe, in either order.
        List<Exit> exits = exits(f, i).stream().filter(e -> e.uretprobe() || e.address() != i.address()).toList();
        ProbeProgram.Role role = exits.isEmpty() ? ProbeProgram.Role.CALL_UNPAIRED : ProbeProgram.Role.CALL;
        add(ProbeSite.Kind.ENTRY, name, aliases, i.address(), i.address(), off.getAsLong(), null, null, null, role, -1,
                false, entryValues, returnValues != null);
        if (!options.exactEntry()) {
            hop(i, exits);
        }
        for (Exit e : exits) {
            ProbeProgram.Role r = e.uretprobe() ? ProbeProgram.Role.RETURN_AFTER : ProbeProgram.Role.RETURN;
            long at = e.uretprobe() ? off.getAsLong() : elf.fileOffsetOf(e.address()).orElse(-1);
            if (at < 0) {
                continue;
            }
            // At a tail jump the callee has yet to compute the value: it returns to our caller directly.
            List<SiteValue> value = returnValues == null || returnValues.isEmpty() ? List.of()
                    : e.how().startsWith("tail") || e.how().startsWith("indirect")
                    ? List.of(new SiteValue("return", returnValues.get(0).typeName(), new ValueLocation.Constant(0, 0),
                    new Shape.Unsupported(0, "left by a tail call: the callee returns the value later"), ""))
                    : returnValues;
            add(ProbeSite.Kind.RETURN, name, aliases, i.address(), e.address(), at, null, null, e.how(), r, e.jcc(),
                    e.uretprobe(), value, returnValues != null);
        }
    }

    /**
     * Moves the entry site just added to the copy's first instruction the kernel emulates, when EntryHop proves
     * the values read there are the entry's.
     */
    private void hop(Instance i, List<Exit> exits) {
        ProbeSite entry = sites.get(sites.size() - 1);
        byte[] code = FunctionCode.read(binary.elf(), i.address(), i.size());
        Set<Long> exitAddresses = new HashSet<>();
        boolean uretprobe = false;
        for (Exit e : exits) {
            exitAddresses.add(e.address());
            uretprobe |= e.uretprobe();
        }
        EntryHop.Decision d = EntryHop.decide(code, i.address(), i.size(), entry.spec().plan().registers(),
                uretprobe, exitAddresses);
        OptionalLong at = d.moved() ? binary.elf().fileOffsetOf(d.probe()) : OptionalLong.empty();
        if (at.isEmpty()) {
            return;
        }
        ProbeProgram.Spec spec = new ProbeProgram.Spec(entry.spec().role(), -1, entry.spec().plan(),
                d.entryRspDelta());
        sites.set(entry.id(), new ProbeSite(entry.id(), entry.kind(), entry.function(), entry.aliases(),
                entry.copyAddress(), d.probe(), at.getAsLong(), null, null, null, spec, false, entry.values(),
                entry.described()));
        hops.put(entry.id(), d);
    }

    /**
     * A moved entry probe must still fire before any other probe of the same call (a frame pushed later at a lower
     * rsp would be taken for dead): if another site (an inlined call, another copy's entry) lies in the instructions
     * it skipped or at its new address, it goes back to the copy's first instruction.
     */
    private void unhopCrossed() {
        java.util.TreeSet<Long> others = new java.util.TreeSet<>();
        for (ProbeSite s : sites) {
            if (!hops.containsKey(s.id())) {
                others.add(s.address());
            }
        }
        for (ProbeSite s : sites) {
            if (s.kind() == ProbeSite.Kind.ENTRY && s.address() != s.copyAddress()) {
                others.add(s.copyAddress());
            }
        }
        for (var it = hops.entrySet().iterator(); it.hasNext(); ) {
            var h = it.next();
            ProbeSite s = sites.get(h.getKey());
            Long crossed = others.ceiling(s.copyAddress() + 1);
            if (crossed != null && crossed <= s.address()) {
                ProbeProgram.Spec spec = new ProbeProgram.Spec(s.spec().role(), -1, s.spec().plan());
                sites.set(s.id(), new ProbeSite(s.id(), s.kind(), s.function(), s.aliases(), s.copyAddress(),
                        s.copyAddress(), binary.elf().fileOffsetOf(s.copyAddress()).getAsLong(), null, null, null,
                        spec, false, s.values(), s.described()));
                it.remove();
            }
        }
    }

    /**
     * The panic catch points (PanicCatch), so that the calls a caught panic unwound are reported when it is caught;
     * without them they are found dead only at the thread's next traced event.
     */
    private void planCatch(java.util.concurrent.CompletableFuture<List<PanicCatch.Point>> catches) {
        List<PanicCatch.Point> points;
        try {
            points = catches.join();
        } catch (java.util.concurrent.CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
        int added = 0;
        for (PanicCatch.Point p : points) {
            OptionalLong off = binary.elf().fileOffsetOf(p.address());
            if (off.isPresent()) {
                add(ProbeSite.Kind.CATCH, p.name(), List.of(), p.address(), p.address(), off.getAsLong(), null, null,
                        null, ProbeProgram.Role.CATCH, -1, false, List.of(), false);
                added++;
            }
        }
        if (added == 0) {
            warnings.add(PanicCatch.MISSING);
        }
    }

    private record Exit(long address, String how, int jcc, boolean uretprobe) {}

    /** How a copy is left, by the chosen return mode; falls back to a uretprobe (with a warning) when unsure. */
    private List<Exit> exits(Function f, Instance i) {
        if (options.returns() == Returns.NONE) {
            return List.of();
        }
        if (options.returns() == Returns.URETPROBE) {
            return List.of(new Exit(i.address(), "uretprobe", -1, true));
        }
        byte[] code = FunctionCode.read(binary.elf(), i.address(), i.size());
        String why;
        if (code == null || i.size() <= 0) {
            why = "its code size is unknown";
        } else {
            ExitFinder.Scan scan = ExitFinder.scan(code, i.address(), i.size());
            List<ExitFinder.ExitSite> unsure = scan.exits().stream().filter(e -> !e.certain()).toList();
            if (!scan.complete()) {
                why = "its machine code could not be decoded past 0x" + Long.toHexString(scan.desyncAt());
            } else if (!unsure.isEmpty()) {
                why = "it has an indirect jump that may leave it (" + unsure.get(0).why() + ")";
            } else if (options.returns() == Returns.AUTO && !unwind.of(i.address(), i.size()).canUnwind()) {
                // safe, and cheaper: the kernel single-steps a ret but not a uretprobe's return trampoline
                return List.of(new Exit(i.address(), "uretprobe", -1, true));
            } else {
                List<Exit> out = new ArrayList<>();
                for (ExitFinder.ExitSite e : scan.exits()) {
                    int at = (int) (e.address() - i.address());
                    switch (e.kind()) {
                        case RET -> out.add(new Exit(e.address(), "ret", -1, false));
                        case TAIL_JMP -> out.add(new Exit(e.address(), "tail jmp", -1, false));
                        case INDIRECT_JMP -> out.add(new Exit(e.address(), "indirect tail jmp", -1, false));
                        case TAIL_JCC -> {
                            int cc = conditionCode(code, at);
                            if (cc < 0) {
                                warnings.add("the conditional tail jump of " + f.name() + " at 0x"
                                        + Long.toHexString(e.address()) + " has no condition code we know; its returns"
                                        + " there are not seen");
                            } else {
                                out.add(new Exit(e.address(), "tail jcc", cc, false));
                            }
                        }
                    }
                }
                return out;
            }
        }
        warnings.add("returns of " + f.name() + " at 0x" + Long.toHexString(i.address()) + " are traced with a"
                + " uretprobe because " + why + "; a panic unwinding through it would abort the process");
        return List.of(new Exit(i.address(), "uretprobe", -1, true));
    }

    /** The x86 condition code of a jcc at code[at]: 0x70+cc (rel8) or 0x0f 0x80+cc (rel32), after hint prefixes. */
    public static int conditionCode(byte[] code, int at) {
        int k = at;
        while (k < code.length && ((code[k] & 0xff) == 0x2e || (code[k] & 0xff) == 0x3e || (code[k] & 0xff) == 0xf2)) {
            k++;
        }
        if (k < code.length && (code[k] & 0xf0) == 0x70) {
            return code[k] & 0x0f;
        }
        if (k + 1 < code.length && (code[k] & 0xff) == 0x0f && (code[k + 1] & 0xf0) == 0x80) {
            return code[k + 1] & 0x0f;
        }
        return -1;
    }

    private void planInlineSites(Function f, List<InlineSite> inlineSites) {
        int folded = 0;
        int unpaired = 0;
        String firstUnpaired = null;
        for (InlineSite site : inlineSites) {
            if (!site.probeable()) {
                folded++;
                continue;
            }
            Optional<InlinedCall> call = inlinedCall(site);
            for (long pc : inlineEntries(binary.elf(), site)) {
                OptionalLong off = binary.elf().fileOffsetOf(pc);
                if (off.isEmpty()) {
                    continue;
                }
                List<SiteValue> values = List.of();
                if (call.isPresent()) {
                    try {
                        values = SitePlans.inlined(call.get(), pc, vtables);
                    } catch (RuntimeException e) {
                        warnings.add("the DWARF of " + f.name() + " inlined at " + callSite(site) + " could not be"
                                + " evaluated (" + e.getMessage() + "): its values are not shown");
                    }
                }
                InlineExits.Result exits = options.returns() == Returns.NONE ? null
                        : InlineExits.find(binary.elf(), site.ranges(), pc, unwind.functionAt(pc));
                boolean paired = exits != null && exits.paired();
                if (exits != null && !paired && unpaired++ == 0) {
                    firstUnpaired = "at " + callSite(site) + " (0x" + Long.toHexString(pc) + "): "
                            + exits.unpairedReason();
                }
                int id = sites.size();
                add(ProbeSite.Kind.INLINE, f.name(), List.of(), site.entry(), pc, off.getAsLong(), site.caller(),
                        callSite(site), null, paired ? ProbeProgram.Role.INLINE_CALL : ProbeProgram.Role.CALL_UNPAIRED,
                        -1, false, values, call.isPresent());
                if (paired) {
                    for (InlineExits.Exit x : exits.exits()) {
                        pendingExits.computeIfAbsent(new ExitAt(x.address(), x.jcc()), k -> new ArrayList<>())
                                .add(new PendingExit(id, x));
                    }
                }
            }
        }
        if (folded > 0) {
            warnings.add(folded + " inlined call site" + (folded == 1 ? "" : "s") + " of " + f.name()
                    + " left no code (constant-folded away): nothing there can be probed");
        }
        if (unpaired > 0) {
            warnings.add(unpaired + " inlined call" + (unpaired == 1 ? "" : "s") + " of " + f.name() + " cannot be"
                    + " paired with " + (unpaired == 1 ? "its end" : "their ends") + " and " + (unpaired == 1
                    ? "is" : "are") + " recorded without a duration; the first " + firstUnpaired);
        }
    }

    private record ExitAt(long address, int jcc) {}

    private record PendingExit(int entrySite, InlineExits.Exit exit) {}

    /** Inline exits by address (and condition), in the order the entries were planned. */
    private final Map<ExitAt, List<PendingExit>> pendingExits = new LinkedHashMap<>();

    /**
     * One INLINE_EXIT site per exit address, popping every copy left there; and the same exits on each other
     * program at that address (an inline entry that follows the copy, the caller's ret), so that whichever of the
     * probes at one address fires first pops them.
     */
    private void planInlineExits() {
        for (Map.Entry<ExitAt, List<PendingExit>> e : pendingExits.entrySet()) {
            long address = e.getKey().address();
            int jcc = e.getKey().jcc();
            List<PendingExit> list = e.getValue();
            OptionalLong off = binary.elf().fileOffsetOf(address);
            if (off.isEmpty()) {
                warnings.add("the inlined copies left at 0x" + Long.toHexString(address) + " are not in a loaded"
                        + " segment there: their exits are not seen");
                continue;
            }
            if (list.size() > ProbeProgram.MAX_INLINE_EXITS) {
                warnings.add(list.size() + " inlined copies are left at 0x" + Long.toHexString(address) + "; only the"
                        + " first " + ProbeProgram.MAX_INLINE_EXITS + " are paired there");
                list = list.subList(0, ProbeProgram.MAX_INLINE_EXITS);
            }
            List<ProbeProgram.InlineExit> pops = list.stream()
                    .map(p -> new ProbeProgram.InlineExit(p.entrySite(), p.exit().rspDelta())).toList();
            for (int k = 0; k < sites.size(); k++) {
                ProbeSite s = sites.get(k);
                ProbeProgram.Role r = s.spec().role();
                if (s.fileOffset() == off.getAsLong() && !s.uretprobe() && s.spec().jccCondition() == jcc
                        && (r == ProbeProgram.Role.CALL || r == ProbeProgram.Role.INLINE_CALL
                        || r == ProbeProgram.Role.RETURN) && s.spec().inlineExits().isEmpty()) {
                    sites.set(k, s.withSpec(s.spec().withInlineExits(pops)));
                }
            }
            ProbeSite first = sites.get(list.get(0).entrySite());
            FetchPlan none = FetchPlanner.plan(List.of(), options.maxBytes());
            sites.add(new ProbeSite(sites.size(), ProbeSite.Kind.INLINE_EXIT, first.function(), List.of(),
                    first.address(), address, off.getAsLong(), first.caller(), first.callSite(),
                    list.get(0).exit().how().text(), new ProbeProgram.Spec(ProbeProgram.Role.INLINE_EXIT, jcc, none,
                    pops), false, List.of(), false));
        }
    }

    /**
     * Where control enters one inlined copy: its first range. A site whose ranges all have the same length and do
     * not jump into each other is an unrolled loop (one copy per iteration, each entered from the caller), so every
     * range is an entry; otherwise later ranges continue the same call (a cold part, a cleanup path) and are not.
     */
    public static List<Long> inlineEntries(ElfFile elf, InlineSite site) {
        List<dev.rustprobe.index.AddressRange> ranges = site.ranges().stream().filter(r -> r.length() > 0).toList();
        List<Long> out = new ArrayList<>();
        if (ranges.isEmpty()) {
            return out;
        }
        out.add(ranges.get(0).low());
        long len = ranges.get(0).length();
        if (ranges.size() == 1 || ranges.stream().anyMatch(r -> r.length() != len)) {
            return out;
        }
        Set<Long> targets = new HashSet<>();
        for (dev.rustprobe.index.AddressRange r : ranges) {
            byte[] code = FunctionCode.read(elf, r.low(), r.length());
            if (code == null) {
                return out;
            }
            X86Decoder d = new X86Decoder(code, r.low());
            for (int at = 0; at < code.length; ) {
                Instruction i = d.decode(at);
                if (i.flow() == Instruction.Flow.INVALID || i.length() <= 0) {
                    return out;
                }
                if (i.flow() == Instruction.Flow.JMP || i.flow() == Instruction.Flow.JCC) {
                    targets.add(i.target());
                }
                at += i.length();
            }
        }
        for (dev.rustprobe.index.AddressRange r : ranges.subList(1, ranges.size())) {
            if (!targets.contains(r.low())) {
                out.add(r.low());
            }
        }
        return out;
    }

    private static String callSite(InlineSite s) {
        return (s.callFile() == null ? "?" : s.callFile()) + ":" + s.callLine() + ":" + s.callColumn();
    }

    private Optional<InlinedCall> inlinedCall(InlineSite site) {
        return binary.debugInfo().inlinedCall(site);
    }

    private Optional<Subprogram> subprogramAt(long address) {
        if (dwarf.isEmpty()) {
            return Optional.empty();
        }
        try {
            return dwarf.get().subprogramAt(address).filter(s -> s.lowPc() == address);
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /** The bytes of [address, address+size) from the section that holds them, or null. */
    private void add(ProbeSite.Kind kind, String function, List<String> aliases, long copy, long address, long fileOffset,
                     String caller, String callSite, String exit, ProbeProgram.Role role, int jcc, boolean uretprobe,
                     List<SiteValue> values, boolean described) {
        FetchPlan plan = FetchPlanner.plan(values, options.maxBytes());
        sites.add(new ProbeSite(sites.size(), kind, function, aliases, copy, address, fileOffset, caller, callSite,
                exit, new ProbeProgram.Spec(role, jcc, plan), uretprobe, values, described));
    }
}
