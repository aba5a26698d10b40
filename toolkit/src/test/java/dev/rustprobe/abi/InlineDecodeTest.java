// Inlined call sites: gdb stopped at the start of every code range of each inlined sample_rust::inline helper
// (release builds; the debug build calls them out of line) and recorded every general register. The site's value
// plan (DWARF at that address) must decode each argument to what the program printed on its INLINE line, or say
// why it cannot; decoding from only the fetch plan's reads must agree.
package dev.rustprobe.abi;

import dev.rustprobe.dwarf.Dwarf;
import dev.rustprobe.dwarf.InlinedCall;
import dev.rustprobe.elf.ElfFile;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InlineDecodeTest {

    record InlineLine(int tid, String function, LinkedHashMap<String, String> args, int callLine) {}

    @ParameterizedTest
    @EnumSource(value = Variant.class, names = {"DEBUG"}, mode = EnumSource.Mode.EXCLUDE)
    void inlinedSiteArgumentsDecodeToWhatTheProgramPrinted(Variant v) {
        Dwarf dwarf = Dwarf.open(ElfFile.open(SampleRust.binary(v)));
        Shape.Vtables vtables = DwarfVtables.of(dwarf);
        GdbCaptures.Run run = GdbCaptures.read(v);
        Map<String, List<GdbCaptures.Event>> hits = new LinkedHashMap<>();
        for (GdbCaptures.Event e : run.inlines()) {
            hits.computeIfAbsent(e.callLine() + "/" + e.tid(), k -> new ArrayList<>()).add(e);
        }
        Map<String, List<InlineLine>> lines = new LinkedHashMap<>();
        for (InlineLine l : lines(v)) {
            lines.computeIfAbsent(l.callLine() + "/" + l.tid(), k -> new ArrayList<>()).add(l);
        }
        List<String> failures = new ArrayList<>();
        List<String> unavailable = new ArrayList<>();
        int exact = 0;
        int sites = 0;
        for (Map.Entry<String, List<InlineLine>> g : lines.entrySet()) {
            List<GdbCaptures.Event> hs = hits.getOrDefault(g.getKey(), List.of());
            if (hs.size() != g.getValue().size()) {
                failures.add("line " + g.getKey() + ": " + hs.size() + " hits, " + g.getValue().size() + " truth lines");
                continue;
            }
            for (int i = 0; i < hs.size(); i++) {
                GdbCaptures.Event hit = hs.get(i);
                InlineLine line = g.getValue().get(i);
                InlinedCall site = siteAt(dwarf, hit.linkAddress());
                if (site == null) {
                    failures.add(line.function() + " @" + line.callLine() + ": no inlined call starts a range at 0x"
                            + Long.toHexString(hit.linkAddress()));
                    continue;
                }
                sites++;
                List<SiteValue> values = SitePlans.inlined(site, hit.linkAddress(), vtables);
                FetchPlan plan = FetchPlanner.plan(values, DecodeTruthTest.MAX_BYTES);
                RecordedCapture recorded = FetchPlanExecutor.run(plan, hit.capture());
                assertEquals(new ArrayList<>(line.args().keySet()), names(values), line.function() + " parameters");
                for (SiteValue sv : values) {
                    String want = line.args().get(sv.name());
                    String got = RustValue.render(Decoder.decode(sv, hit.capture()));
                    String viaPlan = RustValue.render(Decoder.decode(sv, recorded));
                    String where = line.function() + " @" + line.callLine() + " " + sv.name();
                    if (got.equals(want) && viaPlan.equals(got)) {
                        exact++;
                    } else if (got.startsWith("<unavailable: optimized out") && viaPlan.equals(got)) {
                        unavailable.add(where + " " + got);
                    } else {
                        failures.add(where + ": decoded " + got + " (via plan " + viaPlan + "), truth " + want + " ["
                                + ValueLocation.render(sv.location()) + "]");
                    }
                }
            }
        }
        System.out.printf("%s: %d inlined-site hits, %d arguments exact, %d unavailable %s%n", v, sites, exact,
                unavailable.size(), unavailable);
        assertEquals(List.of(), failures, v + ": inlined-site values");
        assertEquals(13, sites, v + ": inlined-site hits checked");
        assertTrue(exact >= 20, v + ": exact inlined arguments: " + exact);
    }

    private static List<String> names(List<SiteValue> values) {
        return values.stream().map(SiteValue::name).toList();
    }

    /** The inlined sample_rust::inline call one of whose code ranges begins at pc. */
    private static InlinedCall siteAt(Dwarf dwarf, long pc) {
        for (InlinedCall c : dwarf.inlinedCallsAt(pc)) {
            if (c.origin().qualifiedName().startsWith("sample_rust::inline::")
                    && c.ranges().stream().anyMatch(r -> r.begin() == pc)) {
                return c;
            }
        }
        return null;
    }

    private static List<InlineLine> lines(Variant v) {
        List<InlineLine> out = new ArrayList<>();
        try (InputStream in = InlineDecodeTest.class.getResourceAsStream("/abi/stdout-" + v.buildName() + ".txt")) {
            for (String l : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                String[] f = l.split("\t");
                if (!f[0].equals("INLINE")) {
                    continue;
                }
                LinkedHashMap<String, String> args = new LinkedHashMap<>();
                int callLine = -1;
                for (int i = 3; i < f.length; i++) {
                    if (f[i].startsWith("@ ")) {
                        callLine = Integer.parseInt(f[i].substring(f[i].lastIndexOf(':') + 1));
                    } else if (!f[i].startsWith("-> ")) {
                        int eq = f[i].indexOf('=');
                        args.put(f[i].substring(0, eq), f[i].substring(eq + 1));
                    }
                }
                out.add(new InlineLine(Integer.parseInt(f[1]), f[2], args, callLine));
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out;
    }
}
