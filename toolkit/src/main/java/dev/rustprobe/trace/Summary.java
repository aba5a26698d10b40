// The end-of-trace summary: per function, calls split by site (each copy's entry, each inlined site), returns,
// unwinds and a log2 latency histogram of paired calls; and the records lost, exactly.
package dev.rustprobe.trace;

import dev.rustprobe.probe.ProbeSite;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

public final class Summary {
    private static final int BUCKETS = 64;

    private static final class Stats {
        /**
         * Calls by where they were made: "entry", or the inlined call site (one site may have several entries); [0]
         * the calls, [1] for an inlined site the calls paired with their end.
         */
        final Map<String, long[]> callsBySite = new LinkedHashMap<>();
        long returns;
        long unwinds;
        long exitsUnseen;
        long returnsWithoutCall;
        final long[] hist = new long[BUCKETS];
    }

    private final Map<String, Stats> byFunction = new LinkedHashMap<>();
    private final Map<String, Integer> entryCopies = new LinkedHashMap<>();

    private final EventFormat format;
    /** Per site id, its function's Stats and its label's call counter, found once: add() runs for every event. */
    private SiteStats[] sites = new SiteStats[16];

    private static final class SiteStats {
        final ProbeSite site;
        final Stats stats;
        /** The counter of the site's label in stats.callsBySite, made at its first call (the map keeps that order). */
        long[] calls;

        SiteStats(ProbeSite site, Stats stats) {
            this.site = site;
            this.stats = stats;
        }
    }

    public Summary(List<ProbeSite> plan, EventFormat format) {
        this.format = format;
        for (ProbeSite s : plan) {
            if (s.kind() == ProbeSite.Kind.CATCH) {
                continue; // std's catch points are no function the user asked for; their unwinds count elsewhere
            }
            if (s.kind() == ProbeSite.Kind.ENTRY) {
                entryCopies.merge(s.function(), 1, Integer::sum);
            }
            byFunction.computeIfAbsent(s.function(), k -> new Stats());
        }
    }

    private SiteStats siteStats(ProbeSite s) {
        int id = s.id();
        if (id < 0) {
            return new SiteStats(s, byFunction.computeIfAbsent(s.function(), k -> new Stats()));
        }
        if (id >= sites.length) {
            sites = java.util.Arrays.copyOf(sites, Math.max(id + 1, sites.length * 2));
        }
        SiteStats ss = sites[id];
        if (ss == null || ss.site != s) {
            ss = new SiteStats(s, byFunction.computeIfAbsent(s.function(), k -> new Stats()));
            sites[id] = ss;
        }
        return ss;
    }

    public void add(TraceEvent e) {
        SiteStats ss = siteStats(e.site());
        Stats st = ss.stats;
        switch (e.kind()) {
            case CALL -> counter(ss)[0]++;
            case RETURN -> {
                st.returns++;
                if (e.site().kind() == ProbeSite.Kind.INLINE) {
                    counter(ss)[1]++;
                }
                if (e.durationNs() >= 0) {
                    st.hist[bucket(e.durationNs())]++;
                } else {
                    st.returnsWithoutCall++;
                }
            }
            case UNWIND -> st.unwinds++;
            case EXIT_UNSEEN -> st.exitsUnseen++;
        }
    }

    private long[] counter(SiteStats ss) {
        if (ss.calls == null) {
            ss.calls = ss.stats.callsBySite.computeIfAbsent(label(ss.site), k -> new long[2]);
        }
        return ss.calls;
    }

    /** "entry" (with the copy's address when the function has several), or "inlined into C at file:line:col". */
    String label(ProbeSite s) {
        if (s.kind() == ProbeSite.Kind.INLINE) {
            return "inlined into " + s.caller() + " at " + format.shortFile(s.callSite());
        }
        return "entry" + (entryCopies.getOrDefault(s.function(), 0) > 1 ? " of the copy at 0x"
                + Long.toHexString(s.copyAddress()) : "")
                + (s.aliases().isEmpty() ? "" : " (also named " + String.join(", ", s.aliases()) + ")");
    }

    /** Calls of a function by site label (see label). */
    public Map<String, Long> callsBySite(String function) {
        return bySite(function, 0);
    }

    /** Of an inlined function's calls by site label, those paired with their end (an inline return). */
    public Map<String, Long> returnsBySite(String function) {
        return bySite(function, 1);
    }

    private Map<String, Long> bySite(String function, int counter) {
        Stats st = byFunction.get(function);
        Map<String, Long> out = new LinkedHashMap<>();
        if (st != null) {
            st.callsBySite.forEach((k, v) -> out.put(k, v[counter]));
        }
        return Map.copyOf(out);
    }

    public long calls(String function) {
        Stats st = byFunction.get(function);
        return st == null ? 0 : calls(st);
    }

    private static long calls(Stats st) {
        long n = 0;
        for (long[] c : st.callsBySite.values()) {
            n += c[0];
        }
        return n;
    }

    public long returns(String function) {
        Stats st = byFunction.get(function);
        return st == null ? 0 : st.returns;
    }

    /** Inlined calls whose end no exit probe saw (TraceEvent.Kind.EXIT_UNSEEN). */
    public long exitsUnseen(String function) {
        Stats st = byFunction.get(function);
        return st == null ? 0 : st.exitsUnseen;
    }

    public long unwinds(String function) {
        Stats st = byFunction.get(function);
        return st == null ? 0 : st.unwinds;
    }

    /** Bucket k holds [2^k, 2^(k+1)) ns; bucket 0 also holds 0. */
    static int bucket(long ns) {
        return ns <= 1 ? 0 : 63 - Long.numberOfLeadingZeros(ns);
    }

    /** The summary text; functions that were never called are listed in one line at the end. */
    public String render(long lost, long records) {
        StringBuilder b = new StringBuilder("\n--- rustprobe summary: ").append(records).append(" records, ")
                .append(lost).append(" lost").append(lost > 0 ? " (the ring buffer was full; those calls are missing above)" : "")
                .append(" ---\n");
        List<String> silent = new ArrayList<>();
        for (Map.Entry<String, Stats> f : byFunction.entrySet()) {
            Stats st = f.getValue();
            long calls = calls(st);
            if (calls == 0 && st.returns == 0 && st.unwinds == 0 && st.exitsUnseen == 0) {
                silent.add(f.getKey());
                continue;
            }
            b.append(f.getKey()).append(": ").append(calls).append(calls == 1 ? " call" : " calls");
            b.append(", ").append(st.returns).append(st.returns == 1 ? " return" : " returns");
            if (st.unwinds > 0) {
                b.append(", ").append(st.unwinds).append(st.unwinds == 1 ? " unwind" : " unwinds");
            }
            if (st.exitsUnseen > 0) {
                b.append(", ").append(st.exitsUnseen).append(" inlined ").append(st.exitsUnseen == 1 ? "call" : "calls")
                        .append(" whose exit was not seen");
            }
            if (st.returnsWithoutCall > 0) {
                b.append(" (").append(st.returnsWithoutCall).append(" without a recorded call)");
            }
            b.append('\n');
            for (Map.Entry<String, long[]> c : st.callsBySite.entrySet()) {
                b.append("  ").append(String.format("%8d", c.getValue()[0])).append("  ").append(c.getKey());
                if (c.getValue()[1] > 0) {
                    b.append("  (").append(c.getValue()[1]).append(" ended)");
                }
                b.append('\n');
            }
            appendHistogram(b, st.hist);
        }
        if (!silent.isEmpty()) {
            b.append("not called: ").append(String.join(", ", silent.subList(0, Math.min(silent.size(), 30))))
                    .append(silent.size() > 30 ? " and " + (silent.size() - 30) + " more" : "").append('\n');
        }
        return b.toString();
    }

    /** Like bpftrace's hist(): one row per non-empty log2 bucket from the first to the last, with a bar. */
    static void appendHistogram(StringBuilder b, long[] hist) {
        int lo = -1;
        int hi = -1;
        long max = 0;
        for (int k = 0; k < hist.length; k++) {
            if (hist[k] > 0) {
                lo = lo < 0 ? k : lo;
                hi = k;
                max = Math.max(max, hist[k]);
            }
        }
        if (lo < 0) {
            return;
        }
        b.append("  latency (ns):\n");
        for (int k = lo; k <= hi; k++) {
            int bar = (int) Math.round(40.0 * hist[k] / max);
            b.append(String.format("    [%s, %s)%s %8d |%-40s|%n", size(k == 0 ? 0 : 1L << k), size(1L << (k + 1)),
                    " ".repeat(Math.max(0, 12 - size(k == 0 ? 0 : 1L << k).length() - size(1L << (k + 1)).length())),
                    hist[k], "@".repeat(bar)));
        }
    }

    /** 512, 1K, 2M: powers of two with bpftrace's suffixes. */
    static String size(long v) {
        if (v >= 1L << 30 && v % (1L << 30) == 0) {
            return (v >> 30) + "G";
        } else if (v >= 1L << 20 && v % (1L << 20) == 0) {
            return (v >> 20) + "M";
        } else if (v >= 1L << 10 && v % (1L << 10) == 0) {
            return (v >> 10) + "K";
        }
        return Long.toString(v);
    }
}
