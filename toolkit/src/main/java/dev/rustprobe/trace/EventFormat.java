// Renders trace events: one text line per call in Rust syntax, or one JSON object per event (schema in README).
package dev.rustprobe.trace;

import dev.rustprobe.abi.RustValue;
import dev.rustprobe.probe.ProbeSite;

import java.nio.file.Path;
import java.util.List;

public final class EventFormat {
    private final boolean showPid;
    private final Path cwd = Path.of("").toAbsolutePath();

    /** showPid: print the pid too (when tracing every process). */
    public EventFormat(boolean showPid) {
        this.showPid = showPid;
    }

    /**
     * "path(a: 1, b: "x") -> Ok(2)  1.8µs  tid 7" for a paired call, the same without "-> …" for a call with no
     * return to wait for, "… unwound  5.0µs" for a call a panic left, and a note when the call was not recorded.
     */
    public String text(TraceEvent e) {
        StringBuilder b = new StringBuilder(96);
        ProbeSite callSite = e.callSite();
        ProbeSite named = callSite != null ? callSite : e.site();
        b.append(named.function()).append('(');
        if (e.kind() == TraceEvent.Kind.RETURN && e.call() == null || !named.described()) {
            b.append('…');
        } else {
            appendArgs(b, e.args());
        }
        b.append(')');
        if (e.kind() == TraceEvent.Kind.RETURN) {
            b.append(" -> ").append(e.ret() == null ? "?" : RustValue.render(e.ret()));
        } else if (e.kind() == TraceEvent.Kind.UNWIND) {
            b.append(" unwound (no return: a panic left it)");
        }
        if (!named.aliases().isEmpty()) {
            // one address, several names: the probe cannot tell which name the caller used
            b.append("  [same code as ").append(String.join(", ", named.aliases())).append(']');
        }
        if (named.kind() == ProbeSite.Kind.INLINE) {
            b.append("  [inlined into ").append(named.caller()).append(" at ").append(shortFile(named.callSite()))
                    .append(']');
        }
        if (e.durationNs() >= 0) {
            b.append("  ").append(duration(e.durationNs()));
        }
        b.append("  ");
        if (showPid) {
            b.append("pid ").append(e.pid()).append(' ');
        }
        b.append("tid ").append(e.tid());
        if (e.kind() != TraceEvent.Kind.CALL && e.call() == null) {
            b.append(e.durationNs() >= 0 ? "  (call record lost)" : "  (call not seen: it began before tracing)");
        }
        return b.toString();
    }

    /** A call still open when tracing stopped. */
    public String unreturned(TraceEvent call) {
        StringBuilder b = new StringBuilder(call.site().function()).append('(');
        if (call.site().described()) {
            appendArgs(b, call.args());
        } else {
            b.append('…');
        }
        b.append(")  (no return seen before tracing stopped)  ");
        if (showPid) {
            b.append("pid ").append(call.pid()).append(' ');
        }
        return b.append("tid ").append(call.tid()).toString();
    }

    private static void appendArgs(StringBuilder b, List<TraceEvent.Arg> args) {
        for (int i = 0; i < args.size(); i++) {
            if (i > 0) {
                b.append(", ");
            }
            b.append(args.get(i).name()).append(": ").append(RustValue.render(args.get(i).value()));
        }
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
        // by hand rather than String.format: this runs once per event
        if (ns < 1_000) {
            return ns + "ns";
        } else if (ns < 999_950) {
            long tenths = (ns + 50) / 100;
            return tenths / 10 + "." + tenths % 10 + "µs";
        } else if (ns < 999_950_000) {
            long tenths = (ns + 50_000) / 100_000;
            return tenths / 10 + "." + tenths % 10 + "ms";
        }
        long hundredths = (ns + 5_000_000) / 10_000_000;
        return hundredths / 100 + "." + (hundredths % 100 < 10 ? "0" : "") + hundredths % 100 + "s";
    }

    /**
     * One JSON object: event, function, pid, tid, time_ns, site ("entry" or "inline", with caller and call_site),
     * args (name -> value) for calls and unwinds, ret and duration_ns for returns, duration_ns for unwinds.
     */
    public String json(TraceEvent e) {
        StringBuilder b = new StringBuilder(128);
        ProbeSite cs = e.site();
        b.append("{\"event\":\"").append(e.kind().name().toLowerCase(java.util.Locale.ROOT)).append('"')
                .append(",\"function\":").append(RustValue.jsonString(cs.function()));
        if (!cs.aliases().isEmpty()) {
            b.append(",\"aliases\":[");
            for (int i = 0; i < cs.aliases().size(); i++) {
                b.append(i == 0 ? "" : ",").append(RustValue.jsonString(cs.aliases().get(i)));
            }
            b.append(']');
        }
        b.append(",\"pid\":").append(e.pid()).append(",\"tid\":").append(e.tid())
                .append(",\"time_ns\":").append(e.timeNs());
        if (cs.kind() == ProbeSite.Kind.INLINE) {
            b.append(",\"site\":\"inline\",\"caller\":").append(RustValue.jsonString(cs.caller()))
                    .append(",\"call_site\":").append(RustValue.jsonString(shortFile(cs.callSite())));
        } else if (cs.kind() == ProbeSite.Kind.RETURN) {
            b.append(",\"site\":\"return\",\"exit\":").append(RustValue.jsonString(cs.exit()));
        } else {
            b.append(",\"site\":\"entry\"");
        }
        if (e.kind() != TraceEvent.Kind.RETURN) {
            b.append(",\"args\":{");
            List<TraceEvent.Arg> args = e.args();
            for (int i = 0; i < args.size(); i++) {
                b.append(i == 0 ? "" : ",").append(RustValue.jsonString(args.get(i).name())).append(':')
                        .append(RustValue.toJson(args.get(i).value()));
            }
            b.append('}');
        } else {
            b.append(",\"ret\":").append(e.ret() == null ? "null" : RustValue.toJson(e.ret()));
        }
        if (e.kind() != TraceEvent.Kind.CALL) {
            b.append(",\"duration_ns\":").append(e.durationNs() >= 0 ? Long.toString(e.durationNs()) : "null");
        }
        return b.append('}').toString();
    }
}
