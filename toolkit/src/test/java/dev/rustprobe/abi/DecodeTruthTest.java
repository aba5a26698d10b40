// The proof of the decoding rules: for every call sample-rust made under gdb (all five builds), each argument
// decoded at the function's raw entry, and the return value decoded at the return, from gdb's machine state,
// must print exactly as the program printed it (stdout-VARIANT.txt), or be unavailable for a stated reason.
// Each value is decoded twice: from the whole gdb capture, and from only what the site's FetchPlan read.
package dev.rustprobe.abi;

import dev.rustprobe.demangle.Demangler;
import dev.rustprobe.dwarf.Dwarf;
import dev.rustprobe.dwarf.Subprogram;
import dev.rustprobe.elf.ElfFile;
import dev.rustprobe.elf.ElfSymbol;
import dev.rustprobe.elf.SymbolBinding;
import dev.rustprobe.probe.FetchPlan;
import dev.rustprobe.probe.FetchPlanner;
import dev.rustprobe.probe.RecordedCapture;
import dev.rustprobe.testing.SampleRust;
import dev.rustprobe.testing.SampleRust.Variant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DecodeTruthTest {
    static final int MAX_BYTES = 64;

    /** Returns the truth prints as a placeholder (a closure has no Debug): what we decode instead, per k. */
    private static final Map<String, String> CLOSURE_RETURNS = Map.of(
            "sample_rust::closures::make_adder", "<closure k=%s>",
            "sample_rust::closures::make_scaler", "<closure k=%s>");

    /** One truth line: kind, tid, function, arguments in order, the return text (null for none). */
    record Line(String kind, int tid, String function, LinkedHashMap<String, String> args, String ret) {}

    /** How each value came out. */
    static final class Tally {
        int exact;
        int viaPlan;
        final List<String> floats = new ArrayList<>();
        final List<String> optimizedOut = new ArrayList<>();
        final List<String> aliased = new ArrayList<>();
        final List<String> closures = new ArrayList<>();
        final List<String> failures = new ArrayList<>();
        int reads;
        int recordedBytes;
        int clamped;
    }

    @ParameterizedTest
    @EnumSource(Variant.class)
    void everyArgumentAndReturnDecodesToWhatTheProgramPrinted(Variant v) {
        Tally t = run(v);
        System.out.printf("%s: %d exact (%d also via the fetch plan, %d reads, %d bytes recorded; %d cut short at"
                        + " --max-bytes 4), %d float-register"
                        + " unavailable %s, %d optimized-out %s, %d aliases decoded with the surviving copy's types %s,"
                        + " closures %s%n", v, t.exact, t.viaPlan, t.reads, t.recordedBytes, t.clamped, t.floats.size(),
                t.floats,
                t.optimizedOut.size(), t.optimizedOut, t.aliased.size(), t.aliased, t.closures);
        assertEquals(List.of(), t.failures, v + ": values that do not decode to the truth");
        assertTrue(t.exact > 250, v + ": too few exact values: " + t.exact);
        assertEquals(t.exact + t.aliased.size() + t.closures.size(), t.viaPlan,
                v + ": every decodable value must decode the same from the fetch plan's reads alone");
        // only the release builds rewrite signatures of crate-private functions
        assertTrue(t.optimizedOut.size() <= (v.release() ? 4 : 0), "optimized out: " + t.optimizedOut);
        assertEquals(2, t.closures.size(), "closure returns: " + t.closures);
        assertTrue(t.clamped > 20, "values cut short at --max-bytes 4: " + t.clamped);
    }

    static Tally run(Variant v) {
        ElfFile elf = ElfFile.open(SampleRust.binary(v));
        Dwarf dwarf = Dwarf.open(elf);
        Shape.Vtables vtables = DwarfVtables.of(dwarf);
        GdbCaptures.Run capture = GdbCaptures.read(v);
        Map<String, List<Long>> symbols = Truth.symbols(v);
        Map<Long, Long> parent = new HashMap<>();
        for (List<Long> addrs : symbols.values()) {
            for (long a : addrs) {
                union(parent, addrs.get(0), a);
            }
        }
        Map<String, List<GdbCaptures.Event>> hits = new LinkedHashMap<>();
        for (GdbCaptures.Event e : capture.entries()) {
            hits.computeIfAbsent(find(parent, e.linkAddress()) + "/" + e.tid(), k -> new ArrayList<>()).add(e);
        }
        Map<String, List<Line>> lines = new LinkedHashMap<>();
        for (Line l : lines(v)) {
            List<Long> addrs = symbols.get(l.function());
            lines.computeIfAbsent(find(parent, addrs.get(0)) + "/" + l.tid(), k -> new ArrayList<>()).add(l);
        }
        Tally t = new Tally();
        Map<Long, Subprogram> byAddress = new HashMap<>();
        for (Map.Entry<String, List<Line>> g : lines.entrySet()) {
            List<GdbCaptures.Event> hs = hits.getOrDefault(g.getKey(), List.of());
            if (hs.size() != g.getValue().size()) {
                t.failures.add(g.getValue().get(0).function() + ": " + hs.size() + " gdb hits, "
                        + g.getValue().size() + " truth lines");
                continue;
            }
            for (int i = 0; i < hs.size(); i++) {
                GdbCaptures.Event hit = hs.get(i);
                Line line = g.getValue().get(i);
                Subprogram s = byAddress.computeIfAbsent(hit.linkAddress(), a -> dwarf.subprogramAt(a).orElse(null));
                if (s == null) {
                    t.failures.add(line.function() + ": no DWARF subprogram at 0x" + Long.toHexString(hit.linkAddress()));
                    continue;
                }
                List<ElfSymbol> here = elf.symbols().stream()
                        .filter(x -> x.value() == hit.linkAddress() && x.isFunction()).toList();
                boolean local = here.stream().allMatch(x -> x.binding() == SymbolBinding.LOCAL);
                boolean alias = here.stream().map(ElfSymbol::name).distinct().count() > 1
                        && !owns(s, line.function());
                FunctionVerdict verdict = FunctionVerdict.atEntry(s, local, here.size());
                List<SiteValue> entry = SitePlans.entry(verdict, s, vtables);
                check(v, t, line, entry, hit.capture(), verdict.trust(), alias, false);
                GdbCaptures.Event ret = capture.returns().get(hit.hit());
                if (!line.kind().equals("PANIC") && ret != null && line.ret() != null) {
                    List<SiteValue> rets = SitePlans.ret(s, vtables);
                    if (rets.isEmpty()) {
                        if (line.ret().equals("()")) {
                            t.exact++;
                            t.viaPlan++;
                        } else {
                            t.failures.add(line.function() + " return: no return value planned, truth " + line.ret());
                        }
                    } else {
                        LinkedHashMap<String, String> want = new LinkedHashMap<>();
                        want.put("return", line.ret());
                        check(v, t, new Line(line.kind(), line.tid(), line.function(), want, null), rets, ret.capture(),
                                verdict.trust(), alias, true);
                    }
                }
            }
        }
        return t;
    }

    private static void check(Variant v, Tally t, Line line, List<SiteValue> values, GdbCaptures.GdbCapture capture,
                              FunctionVerdict.Trust trust, boolean alias, boolean isReturn) {
        FetchPlan plan = FetchPlanner.plan(values, MAX_BYTES);
        RecordedCapture recorded = FetchPlanExecutor.run(plan, capture);
        // --max-bytes 4: strings, slices and pointees are cut, and must say so rather than print something else
        RecordedCapture clamped = FetchPlanExecutor.run(FetchPlanner.plan(values, 4), capture);
        t.reads += plan.reads().size();
        t.recordedBytes += recorded.recordedBytes();
        List<String> names = new ArrayList<>(line.args().keySet());
        for (int k = 0; k < names.size(); k++) {
            String name = names.get(k);
            String want = line.args().get(name);
            String where = line.function() + " " + name + (isReturn ? "" : " (entry)");
            SiteValue sv = null;
            for (SiteValue x : values) {
                if (x.name().equals(name)) {
                    sv = x;
                }
            }
            if (sv == null && values.size() == names.size()) {
                sv = values.get(k); // an alias's parameter names are the surviving copy's, or DWARF left it unnamed
            }
            if (sv == null) {
                t.failures.add(where + ": no planned value among " + values.stream().map(SiteValue::name).toList());
                continue;
            }
            RustValue full = Decoder.decode(sv, capture);
            RustValue planned = Decoder.decode(sv, recorded);
            String got = RustValue.render(full);
            String viaPlan = RustValue.render(planned);
            String closure = isReturn ? CLOSURE_RETURNS.get(line.function()) : null;
            if (closure != null) {
                String expected = String.format(closure, Truth.argument(v, line.function(), "k"));
                if (got.equals(expected)) {
                    t.closures.add(line.function() + " -> " + got + " (truth prints " + want + ")");
                    countPlan(t, where, got, viaPlan);
                } else {
                    t.failures.add(where + ": decoded " + got + ", expected " + expected);
                }
            } else if (got.equals(want)) {
                t.exact++;
                countPlan(t, where, got, viaPlan);
                String cut = RustValue.render(Decoder.decode(sv, clamped));
                if (!cut.equals(want)) {
                    if (cut.contains("…(") || cut.contains("was recorded only for")) {
                        t.clamped++;
                    } else {
                        t.failures.add(where + ": with --max-bytes 4 " + cut + ", truth " + want);
                    }
                }
            } else if (full instanceof RustValue.Unavailable || got.contains("<unavailable: ")) {
                List<String> reasons = reasons(got);
                boolean floats = reasons.stream().allMatch(r -> r.startsWith("float register"));
                boolean rewritten = reasons.stream().allMatch(r -> r.startsWith("value folded away")
                        || r.startsWith("optimized out")) && trust == FunctionVerdict.Trust.DWARF_ONLY;
                if ((floats || rewritten) && matchesAround(got, want)) {
                    (floats ? t.floats : t.optimizedOut).add(line.function() + " " + name);
                } else {
                    t.failures.add(where + ": decoded " + got + ", truth " + want + " [" + sv.typeName() + " at "
                            + ValueLocation.render(sv.location()) + "]");
                }
            } else if (alias && leaves(got).equals(leaves(want))) {
                t.aliased.add(line.function() + " " + name + " = " + got);
                countPlan(t, where, got, viaPlan);
            } else {
                t.failures.add(where + ": decoded " + got + ", truth " + want + " [" + sv.typeName() + " at "
                        + ValueLocation.render(sv.location()) + (alias ? ", alias" : "") + "]");
            }
        }
    }

    private static void countPlan(Tally t, String where, String got, String viaPlan) {
        if (viaPlan.equals(got)) {
            t.viaPlan++;
        } else {
            t.failures.add(where + ": from the fetch plan's reads " + viaPlan + ", from the whole capture " + got);
        }
    }

    private static final Pattern UNAVAILABLE = Pattern.compile("<unavailable: ([^>]*)>");

    private static List<String> reasons(String rendered) {
        List<String> out = new ArrayList<>();
        Matcher m = UNAVAILABLE.matcher(rendered);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    /** Everything but the unavailable parts must be exactly the truth ("Point { x: <unavailable…>, y: … }"). */
    private static boolean matchesAround(String rendered, String truth) {
        StringBuilder re = new StringBuilder();
        int last = 0;
        Matcher m = UNAVAILABLE.matcher(rendered);
        while (m.find()) {
            re.append(Pattern.quote(rendered.substring(last, m.start()))).append(".+?");
            last = m.end();
        }
        re.append(Pattern.quote(rendered.substring(last)));
        return truth.matches(re.toString());
    }

    /** The numbers and strings of a rendered value, in order: what an alias shares with its twin. */
    private static List<String> leaves(String rendered) {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|-?\\d+(?:\\.\\d+)?").matcher(rendered);
        while (m.find()) {
            out.add(m.group());
        }
        return out;
    }

    /** Whether the DWARF subprogram is the truth function's own (not the twin it was folded into). */
    private static boolean owns(Subprogram s, String function) {
        if (s.linkageName() == null) {
            return false;
        }
        String owner = Demangler.demangle(s.linkageName(), false);
        String legacy = function.replaceAll("\\{closure#\\d+\\}", "{{closure}}").replaceAll("::<.*>$", "")
                .replaceAll("^<([^ ]+)>::", "$1::");
        return owner.equals(function) || owner.equals(legacy);
    }

    private static List<Line> lines(Variant v) {
        List<Line> out = new ArrayList<>();
        try (InputStream in = DecodeTruthTest.class.getResourceAsStream("/abi/stdout-" + v.buildName() + ".txt")) {
            for (String l : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                String[] f = l.split("\t");
                if (f.length < 3 || !(f[0].equals("CALL") || f[0].equals("NESTED") || f[0].equals("PANIC"))) {
                    continue;
                }
                LinkedHashMap<String, String> args = new LinkedHashMap<>();
                String ret = null;
                for (int i = 3; i < f.length; i++) {
                    if (f[i].startsWith("-> ")) {
                        ret = f[i].substring(3);
                    } else if (!f[i].startsWith("@ ")) {
                        int eq = f[i].indexOf('=');
                        args.put(f[i].substring(0, eq), f[i].substring(eq + 1));
                    }
                }
                out.add(new Line(f[0], Integer.parseInt(f[1]), f[2], args, ret));
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out;
    }

    private static long find(Map<Long, Long> parent, long x) {
        while (parent.getOrDefault(x, x) != x) {
            x = parent.get(x);
        }
        return x;
    }

    private static void union(Map<Long, Long> parent, long a, long b) {
        long ra = find(parent, a);
        long rb = find(parent, b);
        if (ra != rb) {
            parent.put(rb, ra);
        }
    }

}
