// A live trace: the plan's probes attached (LiveProbes), the ring buffer drained on the caller's thread, every
// record decoded into a TraceEvent (its values decoded, or written out as text or JSON by a RecordRenderer), and
// returns and unwinds joined to the calls they end. Owns every fd; close() detaches everything.
package dev.rustprobe.trace;

import dev.rustprobe.abi.Decoder;
import dev.rustprobe.abi.RustValue;
import dev.rustprobe.abi.SiteValue;
import dev.rustprobe.bpf.Probe;
import dev.rustprobe.probe.ProbeProgram;
import dev.rustprobe.probe.ProbeRecord;
import dev.rustprobe.probe.ProbeSite;
import dev.rustprobe.probe.ReadOnlyImage;
import dev.rustprobe.probe.RecordLayout;
import dev.rustprobe.probe.TracePlan;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.function.Consumer;

public final class TraceSession implements AutoCloseable {
    /**
     * Ring buffer size: room for about 350,000 records of one string argument (184 bytes). A probe at an emulated
     * entry now records faster (about 0.65 µs a call) than the reader drains (about 0.7 µs a record), so 16 MiB
     * lost records in a burst of 2,000,000 calls and 64 MiB did not.
     */
    public static final int RING_BYTES = 64 << 20;
    /** Calls waiting for their return, kept per session; beyond this the oldest are given up as unreturned. */
    static final int MAX_PENDING = 1 << 20;

    private final TracePlan plan;
    private final LiveProbes live;
    private final RecordLayout[] layouts;
    private final Consumer<TraceEvent> listener;
    private final Consumer<ByteBuffer> handler = this::handle;
    /** Writes values as text or JSON while the record is at hand; null: values are decoded (Values.DECODED). */
    private final RecordRenderer renderer;
    /** Calls that pushed a frame and have not returned yet, by (tid, entry ktime). */
    private final LinkedHashMap<Key, TraceEvent> pending = new LinkedHashMap<>();
    /** Load bias per pid, learnt from the first record of a site that fires at its own address. */
    private final Map<Integer, Long> biases = new java.util.HashMap<>();
    /** Per site: its probe may leave reads into the binary's read-only image to us (its cookie says so). */
    private final boolean[] fromFile;
    private final ReadOnlyImage readOnly;
    private long fileReads;
    private long records;
    private long unknownRecords;
    /** The pid and bias last put in biases: most records repeat them, and the map need not be touched then. */
    private int lastPid = -1;
    private long lastBias;

    /** What the listener's events carry: decoded values, or the values already written as text or as JSON. */
    public enum Values { DECODED, TEXT, JSON }

    private record Key(int tid, long ktime) {
        // by hand: a record's generated hashCode and equals go through a method handle, dear under C1, per event
        @Override
        public int hashCode() {
            return tid * 31 + Long.hashCode(ktime);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.tid == tid && k.ktime == ktime;
        }
    }

    private TraceSession(TracePlan plan, LiveProbes live, Consumer<TraceEvent> listener, RecordLayout[] layouts,
                         RecordRenderer renderer, ReadOnlyImage readOnly) {
        this.plan = plan;
        this.live = live;
        this.listener = listener;
        this.layouts = layouts;
        this.renderer = renderer;
        this.readOnly = readOnly;
        this.fromFile = new boolean[layouts.length];
        for (ProbeSite s : plan.sites()) {
            fromFile[s.id()] = (cookie(s, readOnly) >>> 32) != 0 && layouts[s.id()].anyFileEligible();
        }
    }

    /** A site's cookie: its id, and whether its reads may be taken from the read-only image (ProbeProgram.cookie). */
    static long cookie(ProbeSite s, ReadOnlyImage readOnly) {
        return ProbeProgram.cookie(s.id(), s.address(), !s.uretprobe(), readOnly);
    }

    static RecordLayout[] layouts(TracePlan plan) {
        RecordLayout[] layouts = new RecordLayout[plan.sites().size()];
        for (ProbeSite s : plan.sites()) {
            layouts[s.id()] = new RecordLayout(s.spec().plan());
        }
        return layouts;
    }

    /** Attaches every site of the plan; pid: trace only that process (and its threads). */
    public static TraceSession start(TracePlan plan, OptionalInt pid, Consumer<TraceEvent> listener) {
        return start(plan, pid, listener, RING_BYTES);
    }

    /** As start, with a ring buffer of ringBytes (a power of two, at least a page). */
    public static TraceSession start(TracePlan plan, OptionalInt pid, Consumer<TraceEvent> listener, int ringBytes) {
        return start(plan, pid, listener, ringBytes, Values.DECODED);
    }

    /** As start; values: what the events carry (TEXT and JSON: see TraceEvent.rendered). */
    public static TraceSession start(TracePlan plan, OptionalInt pid, Consumer<TraceEvent> listener, int ringBytes,
                                     Values values) {
        RecordLayout[] layouts = layouts(plan);
        RecordRenderer renderer = values == Values.DECODED ? null
                : new RecordRenderer(plan.sites(), layouts, values == Values.JSON);
        LiveProbes live = LiveProbes.attach(plan.binary(), groups(plan), pid, ringBytes, plan.readOnly());
        return new TraceSession(plan, live, listener, layouts, renderer, plan.readOnly());
    }

    /**
     * A session with no probes, its records given to feed() by hand: the record path alone, for tests (and for
     * measuring it) without a kernel. lost() and the live probes are not there.
     */
    static TraceSession detached(TracePlan plan, Consumer<TraceEvent> listener, Values values) {
        RecordLayout[] layouts = layouts(plan);
        return new TraceSession(plan, null, listener, layouts, values == Values.DECODED ? null
                : new RecordRenderer(plan.sites(), layouts, values == Values.JSON), ReadOnlyImage.NONE);
    }

    /** Handles one record as if the ring buffer had delivered it (detached sessions). */
    void feed(ByteBuffer record) {
        handle(record);
    }

    /**
     * One program per distinct generated code (role, condition, fetch plan), attached to all sites that share it.
     * A uprobe_multi link takes each file offset once, so sites at the same offset go to separate groups.
     */
    static List<LiveProbes.Group> groups(TracePlan plan) {
        Map<ProbeProgram.Spec, List<List<ProbeSite>>> bySpec = new LinkedHashMap<>();
        for (ProbeSite s : plan.sites()) {
            List<List<ProbeSite>> lists = bySpec.computeIfAbsent(s.spec(), k -> new ArrayList<>());
            List<ProbeSite> target = null;
            for (List<ProbeSite> l : lists) {
                if (l.stream().noneMatch(o -> o.fileOffset() == s.fileOffset() && o.uretprobe() == s.uretprobe())) {
                    target = l;
                    break;
                }
            }
            if (target == null) {
                target = new ArrayList<>();
                lists.add(target);
            }
            target.add(s);
        }
        List<LiveProbes.Group> out = new ArrayList<>();
        bySpec.forEach((spec, lists) -> {
            for (List<ProbeSite> l : lists) {
                List<Probe> probes = l.stream()
                        .map(s -> new Probe(s.fileOffset(), cookie(s, plan.readOnly()), s.uretprobe())).toList();
                out.add(new LiveProbes.Group(spec, probes));
            }
        });
        return out;
    }

    public TracePlan plan() {
        return plan;
    }

    /** Drains what is waiting (waiting up to timeoutMillis when nothing is) and delivers the events. */
    public int poll(int timeoutMillis) {
        return live.poll(timeoutMillis, handler);
    }

    /** Drains until the buffer is empty. */
    public void drain() {
        while (live.poll(0, handler) > 0) {
            // keep going: records may still be arriving from the last probe hits
        }
    }

    /** The calls still waiting for a return (the thread is still inside them, or the return was lost). */
    public List<TraceEvent> unreturned() {
        return new ArrayList<>(pending.values());
    }

    /** Records whose reads were partly taken from the binary's read-only image instead of made by the probe. */
    public long fileBackedRecords() {
        return fileReads;
    }

    public long lost() {
        return live.lost();
    }

    public long records() {
        return records;
    }

    /** Records whose site id the plan does not know (never expected; counted rather than dropped silently). */
    public long unknownRecords() {
        return unknownRecords;
    }

    public LiveProbes live() {
        return live;
    }

    private void handle(ByteBuffer b) {
        records++;
        int type = ProbeRecord.type(b);
        int siteId = ProbeRecord.site(b);
        if (siteId < 0 || siteId >= layouts.length || type < 0 || type > RecordLayout.TYPE_INLINE_RETURN) {
            unknownRecords++;
            return;
        }
        // read in place, not copied: nothing keeps the record past this call (its values are decoded or written here)
        boolean headerOnly = type == RecordLayout.TYPE_UNWIND || type == RecordLayout.TYPE_INLINE_RETURN;
        ProbeRecord r = new ProbeRecord(b.position() == 0 ? b : b.slice(), headerOnly ? null : layouts[siteId]);
        ProbeSite site = plan.sites().get(siteId);
        if (!headerOnly) {
            // A uretprobe fires at the return address, in the caller: its rip says nothing of the site.
            Long known = site.uretprobe() ? biases.get(r.pid()) : null;
            long bias = known != null ? known : r.biasAt(site.address());
            if (!site.uretprobe() && (r.pid() != lastPid || bias != lastBias)) {
                biases.put(r.pid(), bias);
                lastPid = r.pid();
                lastBias = bias;
            }
            r.setLoadBias(bias);
            if (fromFile[siteId] && r.takeFileReads(readOnly)) {
                fileReads++;
            }
        }
        TraceEvent e;
        if (type == RecordLayout.TYPE_CALL) {
            List<TraceEvent.Arg> args = List.of();
            TraceEvent.Rendered rendered = null;
            if (renderer != null) {
                rendered = new TraceEvent.Rendered(renderer.json(), renderer.args(site, r), null);
            } else {
                args = new ArrayList<>(site.values().size());
                for (SiteValue v : site.values()) {
                    args.add(new TraceEvent.Arg(v.name(), decode(v, r)));
                }
            }
            e = new TraceEvent(TraceEvent.Kind.CALL, site, r.pid(), r.tid(), r.ktime(), args, null, -1, null,
                    rendered);
            if (r.has(RecordLayout.FLAG_PUSHED)) {
                if (pending.size() >= MAX_PENDING) {
                    pending.remove(pending.keySet().iterator().next());
                }
                pending.put(new Key(r.tid(), r.ktime()), e);
            }
        } else {
            boolean matched = r.has(RecordLayout.FLAG_MATCHED);
            TraceEvent call = matched ? pending.remove(new Key(r.tid(), r.entryKtime())) : null;
            long duration = matched ? r.ktime() - r.entryKtime() : -1;
            List<TraceEvent.Arg> args = call == null ? List.of() : call.args();
            // the call's arguments as its record left them (written out already when the session renders)
            TraceEvent.Rendered callRendered = call == null ? null : call.rendered();
            if (type == RecordLayout.TYPE_RETURN) {
                RustValue ret = null;
                TraceEvent.Rendered rendered = null;
                if (renderer != null) {
                    rendered = new TraceEvent.Rendered(renderer.json(),
                            callRendered == null ? null : callRendered.args(), renderer.ret(site, r));
                } else {
                    // no return value planned for a function DWARF describes: it returns ()
                    ret = !site.values().isEmpty() ? decode(site.values().get(0), r) : site.described() ? UNIT : null;
                }
                e = new TraceEvent(TraceEvent.Kind.RETURN, site, r.pid(), r.tid(), r.ktime(), args, ret, duration, call,
                        rendered);
            } else if (type == RecordLayout.TYPE_INLINE_RETURN) {
                // SITE is the inlined call's own entry site: an inline copy has no return site, and no return value
                TraceEvent.Rendered rendered = renderer == null ? null : new TraceEvent.Rendered(renderer.json(),
                        callRendered == null ? null : callRendered.args(), renderer.json() ? INLINE_RET_JSON : null);
                e = new TraceEvent(TraceEvent.Kind.RETURN, site, r.pid(), r.tid(), r.ktime(), args,
                        renderer == null ? INLINE_RET : null, duration, call, rendered);
            } else if (r.has(RecordLayout.FLAG_EXIT_UNSEEN)) {
                ProbeSite entry = r.entrySite() >= 0 && r.entrySite() < layouts.length
                        ? plan.sites().get(r.entrySite()) : site;
                e = new TraceEvent(TraceEvent.Kind.EXIT_UNSEEN, entry, r.pid(), r.tid(), r.ktime(), args,
                        r.has(RecordLayout.FLAG_REENTERED) ? REENTERED : EXIT_NOT_SEEN, -1, call, callRendered);
            } else {
                ProbeSite entry = r.entrySite() >= 0 && r.entrySite() < layouts.length
                        ? plan.sites().get(r.entrySite()) : site;
                e = new TraceEvent(TraceEvent.Kind.UNWIND, entry, r.pid(), r.tid(), r.ktime(), args, null, duration,
                        call, callRendered);
            }
        }
        listener.accept(e);
    }

    static final RustValue UNIT = new RustValue.Struct("()", List.of(), RustValue.StructStyle.TUPLE);
    /** What an inlined call returns, as far as a probe can tell. */
    static final RustValue INLINE_RET = new RustValue.Unavailable("inlined: DWARF gives no location for an inlined"
            + " call's return value");
    private static final byte[] INLINE_RET_JSON = RustValue.toJson(INLINE_RET)
            .getBytes(java.nio.charset.StandardCharsets.UTF_8);
    /** Why an inlined call has no end (the ret field of an EXIT_UNSEEN event). */
    static final RustValue REENTERED = new RustValue.Unavailable("its copy was entered again at the same stack depth"
            + " before any exit probe saw it left");
    static final RustValue EXIT_NOT_SEEN = new RustValue.Unavailable("its copy was left by a way no exit probe saw"
            + " (its caller went on or returned first)");

    /** Decodes one value; a decoder failure becomes an unavailable value with the reason, never a lost event. */
    public static RustValue decode(SiteValue v, ProbeRecord r) {
        try {
            return Decoder.decode(v, r);
        } catch (RuntimeException ex) {
            return new RustValue.Unavailable("cannot decode " + v.typeName() + ": " + ex);
        }
    }

    @Override
    public void close() {
        if (live != null) {
            live.close();
        }
    }
}
