// Renders trace events: one text line per call in Rust syntax, or one JSON object per event (schema in README).
// Written as UTF-8 bytes into a Utf8Buffer; what does not change from event to event (a site's names, its JSON
// fields) is encoded once per site.
package dev.rustprobe.trace;

import dev.rustprobe.abi.RustValue;
import dev.rustprobe.probe.ProbeSite;
import dev.rustprobe.text.Utf8Buffer;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

public final class EventFormat {
    private static final byte[] ELLIPSIS = "…".getBytes(StandardCharsets.UTF_8);
    private static final byte[] MICROS = "µs".getBytes(StandardCharsets.UTF_8);
    private static final byte[] ARROW = ascii(" -> ");
    private static final byte[] TID = ascii("tid ");
    private static final byte[] PID = ascii("pid ");
    private static final byte[] EVENT_CALL = ascii("{\"event\":\"call\"");
    private static final byte[] EVENT_RETURN = ascii("{\"event\":\"return\"");
    private static final byte[] EVENT_UNWIND = ascii("{\"event\":\"unwind\"");
    private static final byte[] EVENT_EXIT_UNSEEN = ascii("{\"event\":\"exit_unseen\"");
    private static final byte[] JSON_REASON = ascii(",\"reason\":");
    private static final byte[] JSON_PID = ascii(",\"pid\":");
    private static final byte[] JSON_TID = ascii(",\"tid\":");
    private static final byte[] JSON_TIME = ascii(",\"time_ns\":");
    private static final byte[] JSON_ARGS = ascii(",\"args\":{");
    private static final byte[] JSON_RET = ascii(",\"ret\":");
    private static final byte[] JSON_DURATION = ascii(",\"duration_ns\":");

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private final boolean showPid;
    private final Path cwd = Path.of("").toAbsolutePath();
    /** Per site id: the site's text and JSON pieces, made on its first event. */
    private SiteText[] sites = new SiteText[16];

    /** What an event line takes from its site, as bytes. */
    private static final class SiteText {
        final ProbeSite site;
        final byte[] function;
        /** "  [same code as …]" and "  [inlined into … at …]", as they apply. */
        final byte[] notes;
        /** ,"function":… and ,"aliases":[…] */
        final byte[] jsonFunction;
        /** ,"site":… with caller and call_site, or exit */
        final byte[] jsonSite;

        SiteText(ProbeSite s, EventFormat f) {
            site = s;
            function = s.function().getBytes(StandardCharsets.UTF_8);
            StringBuilder n = new StringBuilder();
            if (!s.aliases().isEmpty()) {
                // one address, several names: the probe cannot tell which name the caller used
                n.append("  [same code as ").append(String.join(", ", s.aliases())).append(']');
            }
            if (s.kind() == ProbeSite.Kind.INLINE) {
                n.append("  [inlined into ").append(s.caller()).append(" at ").append(f.shortFile(s.callSite()))
                        .append(']');
            }
            notes = n.toString().getBytes(StandardCharsets.UTF_8);
            StringBuilder j = new StringBuilder(",\"function\":").append(RustValue.jsonString(s.function()));
            if (!s.aliases().isEmpty()) {
                j.append(",\"aliases\":[");
                for (int i = 0; i < s.aliases().size(); i++) {
                    j.append(i == 0 ? "" : ",").append(RustValue.jsonString(s.aliases().get(i)));
                }
                j.append(']');
            }
            jsonFunction = j.toString().getBytes(StandardCharsets.UTF_8);
            String where;
            if (s.kind() == ProbeSite.Kind.INLINE) {
                where = ",\"site\":\"inline\",\"caller\":" + RustValue.jsonString(s.caller()) + ",\"call_site\":"
                        + RustValue.jsonString(f.shortFile(s.callSite()));
            } else if (s.kind() == ProbeSite.Kind.RETURN) {
                where = ",\"site\":\"return\",\"exit\":" + RustValue.jsonString(s.exit());
            } else {
                where = ",\"site\":\"entry\"";
            }
            jsonSite = where.getBytes(StandardCharsets.UTF_8);
        }
    }

    /** showPid: print the pid too (when tracing every process). */
    public EventFormat(boolean showPid) {
        this.showPid = showPid;
    }

    private SiteText site(ProbeSite s) {
        int id = s.id();
        if (id < 0) {
            return new SiteText(s, this);
        }
        if (id >= sites.length) {
            sites = Arrays.copyOf(sites, Math.max(id + 1, sites.length * 2));
        }
        SiteText t = sites[id];
        if (t == null || t.site != s) {
            t = new SiteText(s, this);
            sites[id] = t;
        }
        return t;
    }

    /**
     * "path(a: 1, b: "x") -> Ok(2)  1.8µs  tid 7" for a paired call, the same without "-> …" for a call with no
     * return to wait for, "… unwound  5.0µs" for a call a panic left, and a note when the call was not recorded.
     */
    public String text(TraceEvent e) {
        Utf8Buffer b = new Utf8Buffer(128);
        text(e, b);
        return b.toString();
    }

    /** text(e), written into out (without a line end). */
    public void text(TraceEvent e, Utf8Buffer out) {
        ProbeSite callSite = e.callSite();
        ProbeSite named = callSite != null ? callSite : e.site();
        SiteText t = site(named);
        out.put(t.function).put('(');
        if (e.kind() == TraceEvent.Kind.RETURN && e.call() == null || !named.described()) {
            out.put(ELLIPSIS);
        } else {
            args(e, out, false);
        }
        out.put(')');
        if (e.kind() == TraceEvent.Kind.RETURN && named.kind() != ProbeSite.Kind.INLINE) {
            // an inlined call's return value has no DWARF location: its line has no "->"
            out.put(ARROW);
            ret(e, out, false);
        } else if (e.kind() == TraceEvent.Kind.UNWIND) {
            out.ascii(" unwound (no return: a panic left it)");
        }
        out.put(t.notes);
        if (e.durationNs() >= 0) {
            out.put(' ').put(' ');
            duration(e.durationNs(), out);
        }
        out.put(' ').put(' ');
        if (showPid) {
            out.put(PID).decimal(e.pid()).put(' ');
        }
        out.put(TID).decimal(e.tid());
        if (e.kind() == TraceEvent.Kind.EXIT_UNSEEN) {
            out.ascii("  (no exit seen: ").utf8(reason(e)).put(')');
        } else if (e.kind() != TraceEvent.Kind.CALL && e.call() == null) {
            out.ascii(e.durationNs() >= 0 ? "  (call record lost)" : "  (call not seen: it began before tracing)");
        }
    }

    /** A call still open when tracing stopped. */
    public String unreturned(TraceEvent call) {
        Utf8Buffer b = new Utf8Buffer(128);
        unreturned(call, b);
        return b.toString();
    }

    public void unreturned(TraceEvent call, Utf8Buffer out) {
        out.put(site(call.site()).function).put('(');
        if (call.site().described()) {
            args(call, out, false);
        } else {
            out.put(ELLIPSIS);
        }
        out.ascii(")  (no return seen before tracing stopped)  ");
        if (showPid) {
            out.ascii("pid ").decimal(call.pid()).put(' ');
        }
        out.ascii("tid ").decimal(call.tid());
    }

    /** The event's arguments: as the session wrote them, or rendered from their values. */
    private static void args(TraceEvent e, Utf8Buffer out, boolean json) {
        TraceEvent.Rendered r = e.rendered();
        if (r != null && r.args() != null) {
            out.put(form(r, json).args());
            return;
        }
        List<TraceEvent.Arg> args = e.args();
        for (int i = 0; i < args.size(); i++) {
            TraceEvent.Arg a = args.get(i);
            if (json) {
                out.ascii(i == 0 ? "" : ",").utf8(RustValue.jsonString(a.name())).put(':')
                        .utf8(RustValue.toJson(a.value()));
            } else {
                out.ascii(i == 0 ? "" : ", ").utf8(a.name()).put(':').put(' ').utf8(RustValue.render(a.value()));
            }
        }
    }

    /** Why an EXIT_UNSEEN event's call has no end. */
    private static String reason(TraceEvent e) {
        return e.ret() instanceof RustValue.Unavailable u ? u.reason() : "unknown";
    }

    private static void ret(TraceEvent e, Utf8Buffer out, boolean json) {
        TraceEvent.Rendered r = e.rendered();
        if (r != null && r.ret() != null) {
            out.put(form(r, json).ret());
        } else if (e.ret() == null) {
            out.ascii(json ? "null" : "?");
        } else {
            out.utf8(json ? RustValue.toJson(e.ret()) : RustValue.render(e.ret()));
        }
    }

    private static TraceEvent.Rendered form(TraceEvent.Rendered r, boolean json) {
        if (r.json() != json) {
            throw new IllegalStateException("the session wrote its values as " + (r.json() ? "JSON" : "text")
                    + ", not as " + (json ? "JSON" : "text"));
        }
        return r;
    }

    /** A call site's file relative to the working directory when it lies below it. */
    String shortFile(String callSite) {
        if (callSite == null) {
            return "?";
        }
        try {
            Path p = Path.of(callSite);
            if (p.isAbsolute() && p.startsWith(cwd)) {
                return cwd.relativize(p).toString();
            }
        } catch (RuntimeException e) {
            // not a path: print it as it is
        }
        return callSite;
    }

    /** "850ns", "1.8µs", "12.3ms", "1.25s". */
    public static String duration(long ns) {
        Utf8Buffer b = new Utf8Buffer(16);
        duration(ns, b);
        return b.toString();
    }

    static void duration(long ns, Utf8Buffer out) {
        if (ns < 1_000) {
            out.decimal(ns).put('n').put('s');
        } else if (ns < 999_950) {
            long tenths = (ns + 50) / 100;
            out.decimal(tenths / 10).put('.').decimal(tenths % 10).put(MICROS);
        } else if (ns < 999_950_000) {
            long tenths = (ns + 50_000) / 100_000;
            out.decimal(tenths / 10).put('.').decimal(tenths % 10).put('m').put('s');
        } else {
            long hundredths = (ns + 5_000_000) / 10_000_000;
            out.decimal(hundredths / 100).put('.');
            if (hundredths % 100 < 10) {
                out.put('0');
            }
            out.decimal(hundredths % 100).put('s');
        }
    }

    /**
     * One JSON object: event, function, pid, tid, time_ns, site ("entry" or "inline", with caller and call_site),
     * args (name -> value) for calls and unwinds, ret and duration_ns for returns, duration_ns for unwinds.
     */
    public String json(TraceEvent e) {
        Utf8Buffer b = new Utf8Buffer(160);
        json(e, b);
        return b.toString();
    }

    public void json(TraceEvent e, Utf8Buffer out) {
        SiteText t = site(e.site());
        out.put(e.kind() == TraceEvent.Kind.CALL ? EVENT_CALL
                : e.kind() == TraceEvent.Kind.RETURN ? EVENT_RETURN
                : e.kind() == TraceEvent.Kind.UNWIND ? EVENT_UNWIND : EVENT_EXIT_UNSEEN);
        out.put(t.jsonFunction);
        out.put(JSON_PID).decimal(e.pid()).put(JSON_TID).decimal(e.tid()).put(JSON_TIME).decimal(e.timeNs());
        out.put(t.jsonSite);
        if (e.kind() != TraceEvent.Kind.RETURN) {
            out.put(JSON_ARGS);
            args(e, out, true);
            out.put('}');
            if (e.kind() == TraceEvent.Kind.EXIT_UNSEEN) {
                out.put(JSON_REASON).utf8(RustValue.jsonString(reason(e)));
            }
        } else {
            out.put(JSON_RET);
            ret(e, out, true);
        }
        if (e.kind() != TraceEvent.Kind.CALL) {
            out.put(JSON_DURATION);
            if (e.durationNs() >= 0) {
                out.decimal(e.durationNs());
            } else {
                out.ascii("null");
            }
        }
        out.put('}');
    }
}
