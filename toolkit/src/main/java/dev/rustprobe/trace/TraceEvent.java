// One thing a trace saw, decoded: a call (with its arguments), a return (with the value and, when paired, the
// call it ends and its duration), or an unwind (a call left without a return: a panic unwound through it).
package dev.rustprobe.trace;

import dev.rustprobe.abi.RustValue;
import dev.rustprobe.probe.ProbeSite;

import java.util.List;

/**
 * @param site       the probe site that fired: an entry or inlined site for calls and unwinds, a return site for returns
 * @param timeNs     CLOCK_MONOTONIC nanoseconds (bpf_ktime_get_ns) when it fired
 * @param args       the call's arguments in declaration order (for a return or unwind: those of its call, if recorded)
 * @param ret        the returned value (returns only; for an inlined call, unavailable with the reason; else null;
 *                   for EXIT_UNSEEN the reason no end was seen)
 * @param durationNs for a paired return or an unwind: time since the call; -1 when no call was paired
 * @param call       for a return or unwind: the call event it ends, or null when that call was not recorded
 * @param rendered   when the session writes values as it drains (text or JSON): them, already in that form; args is
 *                   then empty and ret null. Null when the session decodes to values.
 */
public record TraceEvent(Kind kind, ProbeSite site, int pid, int tid, long timeNs, List<Arg> args, RustValue ret,
                         long durationNs, TraceEvent call, Rendered rendered) {
    public TraceEvent {
        args = List.copyOf(args);
    }

    /** An event with decoded values. */
    public TraceEvent(Kind kind, ProbeSite site, int pid, int tid, long timeNs, List<Arg> args, RustValue ret,
                      long durationNs, TraceEvent call) {
        this(kind, site, pid, tid, timeNs, args, ret, durationNs, call, null);
    }

    /**
     * EXIT_UNSEEN: an inlined call whose frame was found left without any exit probe seeing it (ProbeProgram's
     * FLAG_EXIT_UNSEEN); ret then holds the reason as an unavailable value, and there is no duration.
     */
    public enum Kind { CALL, RETURN, UNWIND, EXIT_UNSEEN }

    public record Arg(String name, RustValue value) {}

    /**
     * Values written out already (RecordRenderer): the call's arguments and the returned value, as text or as JSON
     * (json); either is null when the event has none (a return whose call was not recorded has no arguments).
     */
    public record Rendered(boolean json, byte[] args, byte[] ret) {}

    /** The site of the call: the event's own site for a call or unwind, the paired call's for a return. */
    public ProbeSite callSite() {
        return kind == Kind.RETURN ? (call == null ? null : call.site()) : site;
    }
}
