// The proof that the fast path (CompiledValue, RecordRenderer) prints exactly what the Decoder's path prints: for
// every site of a trace of all of sample-rust (release-legacy and debug builds, --max-bytes 64 and 4), records are
// built from the gdb captures through the site's FetchPlan as the probe would write them, then bent (reads cut
// short, reads failed, registers and data replaced by random bytes or random text), and every value of every
// record must come out byte for byte as RustValue renders the Decoder's value, as text and as JSON.
package dev.rustprobe.trace;

import dev.rustprobe.abi.GdbCaptures;
import dev.rustprobe.abi.RustValue;
import dev.rustprobe.abi.SiteValue;
import dev.rustprobe.abi.ValueLocation;
import dev.rustprobe.abi.Capture;
import dev.rustprobe.index.IndexedBinary;
import dev.rustprobe.index.Pattern;
import dev.rustprobe.probe.ProbePlanner;
import dev.rustprobe.probe.ProbeRecord;
import dev.rustprobe.probe.ProbeSite;
import dev.rustprobe.probe.RecordLayout;
import dev.rustprobe.probe.TracePlan;
import dev.rustprobe.testing.SampleRust;
import dev.rustprobe.testing.SampleRust.Variant;
import dev.rustprobe.text.Utf8Buffer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FastPathEquivalenceTest {
    /** Captures of other functions fed to each site too: values of the wrong shape are the unusual cases. */
    static final int FOREIGN = 6;

    static final class Tally {
        long records;
        long values;
        long fast;
        long fellBack;
        long exactFast;
        long exactValues;
        int sitesWithOwnCaptures;
        final List<String> mismatches = new ArrayList<>();
    }

    @ParameterizedTest
    @EnumSource(value = Variant.class, names = {"RELEASE_LEGACY", "DEBUG"})
    void everyValueOfEverySitePrintsAsTheDecoderPrintsIt(Variant v) {
        IndexedBinary binary = IndexedBinary.open(SampleRust.binary(v));
        GdbCaptures.Run run = GdbCaptures.read(v);
        List<GdbCaptures.Event> pool = new ArrayList<>(run.entries());
        pool.addAll(run.inlines());
        pool.addAll(run.returns().values());
        for (int maxBytes : new int[] {64, 4}) {
            TracePlan plan = ProbePlanner.plan(binary, List.of(Pattern.parse("sample_rust::**")),
                    new ProbePlanner.Options(true, ProbePlanner.Returns.RETS, maxBytes));
            Tally t = run(plan, run, pool);
            System.out.printf("%s --max-bytes %d: %d sites (%d with their own captures), %d records, %d values: %d"
                            + " by the fast path, %d left to the Decoder; of the values as recorded, %d of %d fast%n",
                    v, maxBytes, plan.sites().size(), t.sitesWithOwnCaptures, t.records, t.values, t.fast,
                    t.fellBack, t.exactFast, t.exactValues);
            assertEquals(List.of(), t.mismatches.subList(0, Math.min(20, t.mismatches.size())),
                    v + ": " + t.mismatches.size() + " values print differently on the fast path");
            assertTrue(t.sitesWithOwnCaptures > 50, "too few sites met their own calls: " + t.sitesWithOwnCaptures);
            // the fast path must carry most values as they were recorded, or it is no fast path at all
            assertTrue(t.exactFast * 10 >= t.exactValues * 7, "fast: " + t.exactFast + " of " + t.exactValues);
            assertTrue(t.fellBack > 1000, "the bent records must reach the Decoder often: " + t.fellBack);
        }
    }

    static Tally run(TracePlan plan, GdbCaptures.Run run, List<GdbCaptures.Event> pool) {
        Tally t = new Tally();
        RecordLayout[] layouts = TraceSession.layouts(plan);
        RecordRenderer text = new RecordRenderer(plan.sites(), layouts, false);
        RecordRenderer json = new RecordRenderer(plan.sites(), layouts, true);
        CompiledValue.Scratch scratch = new CompiledValue.Scratch();
        for (ProbeSite site : plan.sites()) {
            if (site.values().isEmpty()) {
                continue;
            }
            List<GdbCaptures.Event> own = own(site, run);
            if (!own.isEmpty()) {
                t.sitesWithOwnCaptures++;
            }
            List<GdbCaptures.Event> feed = new ArrayList<>(own.subList(0, Math.min(own.size(), 12)));
            for (int k = 0; k < FOREIGN; k++) {
                feed.add(pool.get((int) ((site.id() * 7919L + k * 104729L) % pool.size())));
            }
            RecordLayout layout = layouts[site.id()];
            List<CompiledValue> compiled = site.values().stream().map(x -> CompiledValue.compile(x, layout)).toList();
            int type = site.kind() == ProbeSite.Kind.RETURN ? RecordLayout.TYPE_RETURN : RecordLayout.TYPE_CALL;
            for (int c = 0; c < feed.size(); c++) {
                GdbCaptures.GdbCapture capture = feed.get(c).capture();
                Random random = new Random(site.id() * 31L + c);
                for (Bend bend : Bend.values()) {
                    Capture process = bend == Bend.RANDOM_REGISTERS ? randomRegisters(capture, random) : capture;
                    ByteBuffer record = RecordBuilder.build(site.spec().plan(), type, site.id(), process);
                    bend.apply(record, layout, random);
                    t.records++;
                    check(t, site, layout, compiled, record, capture.loadBias(), scratch, text, json,
                            bend == Bend.AS_RECORDED && c < own.size());
                }
            }
        }
        return t;
    }

    private static void check(Tally t, ProbeSite site, RecordLayout layout, List<CompiledValue> compiled,
                              ByteBuffer record, long bias, CompiledValue.Scratch scratch, RecordRenderer text,
                              RecordRenderer json, boolean exact) {
        ProbeRecord r = new ProbeRecord(record.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN), layout);
        r.setLoadBias(bias);
        StringBuilder wantText = new StringBuilder();
        StringBuilder wantJson = new StringBuilder();
        for (int i = 0; i < compiled.size(); i++) {
            SiteValue sv = site.values().get(i);
            RustValue want = TraceSession.decode(sv, r);
            String wt = RustValue.render(want);
            String wj = RustValue.toJson(want);
            wantText.append(i == 0 ? "" : ", ").append(sv.name()).append(": ").append(wt);
            wantJson.append(i == 0 ? "" : ",").append(RustValue.jsonString(sv.name())).append(':').append(wj);
            for (boolean asJson : new boolean[] {false, true}) {
                Utf8Buffer out = new Utf8Buffer(16);
                out.put('<'); // what is there already must stay
                boolean fast = compiled.get(i).write(r, scratch, out, asJson);
                String want1 = "<" + (fast ? (asJson ? wj : wt) : "");
                t.values++;
                if (exact) {
                    t.exactValues++;
                }
                if (fast) {
                    t.fast++;
                    if (exact) {
                        t.exactFast++;
                    }
                } else {
                    t.fellBack++;
                }
                if (!Arrays.equals(want1.getBytes(StandardCharsets.UTF_8), out.copy(0))) {
                    t.mismatches.add(site.function() + " " + site.kind() + " " + sv.name() + ": " + sv.typeName()
                            + " at " + ValueLocation.render(sv.location()) + (asJson ? " (JSON)" : "")
                            + ": Decoder " + want1 + ", fast path " + out);
                }
            }
        }
        // the renderer: fast where it can, the Decoder where not, joined as EventFormat prints them
        String gotText = new String(site.kind() == ProbeSite.Kind.RETURN ? text.ret(site, r) : text.args(site, r),
                StandardCharsets.UTF_8);
        String gotJson = new String(site.kind() == ProbeSite.Kind.RETURN ? json.ret(site, r) : json.args(site, r),
                StandardCharsets.UTF_8);
        String wt = site.kind() == ProbeSite.Kind.RETURN ? wantText.substring(wantText.indexOf(": ") + 2)
                : wantText.toString();
        String wj = site.kind() == ProbeSite.Kind.RETURN ? wantJson.substring(wantJson.indexOf("\":") + 2)
                : wantJson.toString();
        if (!gotText.equals(wt)) {
            t.mismatches.add(site.function() + " " + site.kind() + " renderer: Decoder " + wt + ", renderer " + gotText);
        }
        if (!gotJson.equals(wj)) {
            t.mismatches.add(site.function() + " " + site.kind() + " renderer (JSON): Decoder " + wj + ", renderer "
                    + gotJson);
        }
    }

    /** The captures of this site's own calls (entries at its address, inlined hits there, returns of its copy). */
    static List<GdbCaptures.Event> own(ProbeSite site, GdbCaptures.Run run) {
        List<GdbCaptures.Event> out = new ArrayList<>();
        if (site.kind() == ProbeSite.Kind.ENTRY) {
            run.entries().stream().filter(e -> e.linkAddress() == site.address()).forEach(out::add);
        } else if (site.kind() == ProbeSite.Kind.INLINE) {
            run.inlines().stream().filter(e -> e.linkAddress() == site.address()).forEach(out::add);
        } else {
            for (GdbCaptures.Event e : run.entries()) {
                GdbCaptures.Event ret = run.returns().get(e.hit());
                if (e.linkAddress() == site.copyAddress() && ret != null) {
                    out.add(ret);
                }
            }
        }
        return out;
    }

    /** Ways a record is bent after it is built. */
    enum Bend {
        AS_RECORDED,
        /** every read cut to half its bytes (a clamp the decoder must notice) */
        HALF_READS,
        /** every other read failed */
        SOME_READS_FAILED,
        ALL_READS_FAILED,
        /** registers replaced by random words (the reads follow them, and mostly fail) */
        RANDOM_REGISTERS,
        /** the bytes read replaced by random bytes: garbage tags, lengths, bools, chars, invalid UTF-8 */
        RANDOM_DATA,
        /** the bytes read replaced by random text: escapes, marks, controls, multi-byte characters */
        RANDOM_TEXT;

        void apply(ByteBuffer b, RecordLayout layout, Random random) {
            for (int i = 0; i < layout.reads(); i++) {
                int count = layout.readOffset(i) + RecordLayout.READ_COUNT;
                int data = layout.readOffset(i) + RecordLayout.READ_DATA;
                int n = b.getInt(count);
                switch (this) {
                    case HALF_READS -> b.putInt(count, n / 2);
                    case SOME_READS_FAILED -> b.putInt(count, i % 2 == 1 ? 0 : n);
                    case ALL_READS_FAILED -> b.putInt(count, 0);
                    case RANDOM_DATA -> {
                        for (int k = 0; k < layout.readMax(i); k++) {
                            b.put(data + k, (byte) random.nextInt(256));
                        }
                    }
                    case RANDOM_TEXT -> {
                        byte[] text = randomText(random, layout.readMax(i));
                        b.put(data, text);
                    }
                    default -> { }
                }
            }
        }
    }

    private static final int[] CODE_POINTS = {'a', 'Z', ' ', '"', '\'', '\\', '\t', '\n', '\r', 0, 0x1b, 0x7f, 0xe9,
        0x85, 0x301, 0x20dd, 0x3bb, 0x4e2d, 0x1f600, 0x10ffff, 0xfeff, 0x200b};

    /** Up to max bytes of UTF-8 text of the code points above; the last character may be cut. */
    static byte[] randomText(Random random, int max) {
        StringBuilder s = new StringBuilder();
        while (s.toString().getBytes(StandardCharsets.UTF_8).length < max) {
            s.appendCodePoint(CODE_POINTS[random.nextInt(CODE_POINTS.length)]);
        }
        return Arrays.copyOf(s.toString().getBytes(StandardCharsets.UTF_8), max);
    }

    private static Capture randomRegisters(Capture inner, Random random) {
        long[] words = new long[32];
        for (int i = 0; i < words.length; i++) {
            // small numbers (valid tags, bools, lengths) as often as wild ones
            words[i] = random.nextBoolean() ? random.nextInt(4) : random.nextLong();
        }
        return new Capture() {
            @Override
            public OptionalLong register(String name) {
                return OptionalLong.of(words[Math.floorMod(name.hashCode(), words.length)]);
            }

            @Override
            public byte[] memory(long address, int length) {
                return inner.memory(address, length);
            }

            @Override
            public long loadBias() {
                return inner.loadBias();
            }
        };
    }
}
