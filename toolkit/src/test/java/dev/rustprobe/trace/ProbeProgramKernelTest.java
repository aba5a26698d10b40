// The generated probe programs on the real kernel, against a gcc-built target with known data: hand-built
// FetchPlans (pointer chasing, clamped lengths, failed and empty reads), and call/return pairing with recursion
// and with frames skipped by longjmp (reported as unwinds, at the next traced event or at once at a catch point).
package dev.rustprobe.trace;

import dev.rustprobe.bpf.Probe;
import dev.rustprobe.elf.ElfFile;
import dev.rustprobe.elf.ElfSymbol;
import dev.rustprobe.probe.ExitFinder;
import dev.rustprobe.probe.FetchPlan;
import dev.rustprobe.probe.FetchPlan.Read;
import dev.rustprobe.probe.FetchPlan.Word;
import dev.rustprobe.probe.ProbeProgram;
import dev.rustprobe.probe.ProbeProgram.Role;
import dev.rustprobe.probe.ProbeRecord;
import dev.rustprobe.probe.RecordLayout;
import dev.rustprobe.testing.ExternalTools;
import dev.rustprobe.testing.KernelCheck;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProbeProgramKernelTest {
    static final String SOURCE = """
            #include <setjmp.h>
            #include <stdio.h>
            #include <stdlib.h>
            #include <string.h>
            #define PROBED __attribute__((noinline, used))
            struct node { struct node *next; long value; const char *name; long len; };
            PROBED long rp_chase(struct node *n, const char *s, long len, long zero, long bad) {
                __asm__ volatile("" ::: "memory");
                return n->value + len + zero + bad;
            }
            PROBED long rp_recurse(long k) {
                if (k == 0) return 0;
                long r = rp_recurse(k - 1);
                __asm__ volatile("" ::: "memory");
                return r + k;
            }
            static jmp_buf env;
            PROBED long rp_jump(long k) {
                if (k == 0) longjmp(env, 1);
                long r = rp_jump(k - 1);
                __asm__ volatile("" ::: "memory");
                return r + 1;
            }
            /* a panic and its catch, as std has them: frames left by a longjmp, then the catch point is called */
            static jmp_buf deep_env;
            PROBED long rp_deep(long k) {
                if (k == 0) longjmp(deep_env, 1);
                long r = rp_deep(k - 1);
                __asm__ volatile("" ::: "memory");
                return r + 1;
            }
            PROBED void rp_catch(void) { __asm__ volatile("" ::: "memory"); }
            PROBED long rp_guard(long k) {
                if (setjmp(deep_env) == 0) return rp_deep(k);
                rp_catch();
                return -1;
            }
            PROBED long rp_after(long k) { __asm__ volatile("" ::: "memory"); return k * 3; }
            PROBED long rp_leaf(long x) { __asm__ volatile("" ::: "memory"); return x + 1; }
            /* conditional tail calls, as LLVM emits them when optimizing for size: jg (cc 0xf), jbe (cc 6) */
            long rp_jg(long x);
            long rp_jbe(long x);
            __asm__(".text\\n.globl rp_jg\\n.type rp_jg,@function\\nrp_jg:\\n cmp $3, %rdi\\n jg rp_leaf\\n"
                    " xor %eax, %eax\\n ret\\n.size rp_jg, .-rp_jg\\n"
                    ".globl rp_jbe\\n.type rp_jbe,@function\\nrp_jbe:\\n cmp $3, %rdi\\n .byte 0x0f, 0x86\\n"
                    " .long rp_leaf - . - 4\\n mov $7, %eax\\n ret\\n.size rp_jbe, .-rp_jbe\\n");
            int main(void) {
                static struct node second = {0, 222, "second-node-name", 16};
                static struct node first = {&second, 111, "first", 5};
                static char text[101];
                memset(text, 'x', 100);
                long sink = rp_chase(&first, text, 100, 0, 0);
                sink += rp_recurse(5);
                if (setjmp(env) == 0) sink += rp_jump(3);
                sink += rp_after(7);
                for (long i = 0; i < 8; i++) sink += rp_jg(i) + rp_jbe(i);
                sink += rp_guard(20);
                printf("%p %p %p %ld\\n", (void *)&first, (void *)&second, (void *)text, sink);
                return 0;
            }
            """;

    static Path target;
    static ElfFile elf;
    static String[] printed;
    /** How the last trace attached its probes. */
    static List<dev.rustprobe.bpf.UprobeLinks.Kind> linkKinds;

    @BeforeAll
    static void build(@TempDir Path dir) {
        KernelCheck.assumeBpf();
        target = ExternalTools.gcc(dir, "rp_target", SOURCE, "-O1", "-fno-inline");
        elf = ElfFile.open(target);
    }

    static ElfSymbol symbol(String name) {
        return function(elf, name);
    }

    /** The function symbol name of a gcc-built target (the kernel tests' targets share this lookup). */
    static ElfSymbol function(ElfFile elf, String name) {
        return elf.symbols().stream().filter(s -> s.name().equals(name) && s.isFunction()).findFirst().orElseThrow();
    }

    static long entry(String name) {
        return elf.fileOffsetOf(symbol(name).value()).getAsLong();
    }

    /** File offsets of the function's ret instructions, found by ExitFinder. */
    static List<Long> rets(String name) {
        ElfSymbol s = symbol(name);
        var text = elf.sectionAt(s.value()).orElseThrow();
        ByteBuffer raw = elf.raw(text);
        byte[] code = new byte[(int) s.size()];
        raw.get((int) (s.value() - text.address()), code);
        ExitFinder.Scan scan = ExitFinder.scan(code, s.value(), s.size());
        assertTrue(scan.complete(), name);
        List<Long> out = new ArrayList<>();
        for (ExitFinder.ExitSite e : scan.exits()) {
            assertEquals(ExitFinder.Kind.RET, e.kind(), name + " leaves only by ret at -O1");
            out.add(elf.fileOffsetOf(e.address()).getAsLong());
        }
        assertFalse(out.isEmpty(), name + " has a ret");
        return out;
    }

    /** One RETURN program on every ret of the functions, site ids from 100 up. */
    static LiveProbes.Group returnGroup(String... functions) {
        List<Probe> returns = new ArrayList<>();
        for (String f : functions) {
            for (long off : rets(f)) {
                returns.add(Probe.entry(off, 100 + returns.size()));
            }
        }
        return new LiveProbes.Group(new ProbeProgram.Spec(Role.RETURN, -1, new FetchPlan(List.of())), returns);
    }

    /** Attaches the groups, runs the target, and returns every record (copied) with the layout of its site. */
    static List<ProbeRecord> trace(List<LiveProbes.Group> groups) {
        return trace(target, groups);
    }

    /** As trace(groups), on another gcc-built program (which prints one line of words). */
    static List<ProbeRecord> trace(Path target, List<LiveProbes.Group> groups) {
        Map<Integer, RecordLayout> layouts = new HashMap<>();
        for (LiveProbes.Group g : groups) {
            for (Probe p : g.probes()) {
                layouts.put((int) p.cookie(), new RecordLayout(g.spec().plan()));
            }
        }
        List<ProbeRecord> out = new ArrayList<>();
        List<Integer> progs;
        try (LiveProbes live = LiveProbes.attach(target, groups, OptionalInt.empty(), 1 << 20)) {
            progs = live.programIds();
            linkKinds = live.linkKinds();
            printed = ExternalTools.run(target.toString()).strip().split(" ");
            Function<ByteBuffer, ProbeRecord> copy = b -> {
                byte[] bytes = new byte[b.remaining()];
                b.duplicate().get(bytes);
                int type = ProbeRecord.type(b);
                return new ProbeRecord(bytes, type == RecordLayout.TYPE_UNWIND || type == RecordLayout.TYPE_INLINE_RETURN ? null
                        : layouts.get(ProbeRecord.site(b)));
            };
            while (live.poll(200, b -> out.add(copy.apply(b))) > 0) {
                // drain everything the run produced
            }
            assertEquals(0, live.lost());
        }
        KernelCheck.assertGone(progs);
        return out;
    }

    static long hex(String s) {
        return Long.parseUnsignedLong(s.substring(2), 16);
    }

    @Test
    void executesPointerChasingClampedFailedAndEmptyReads() {
        FetchPlan plan = new FetchPlan(List.of(
                Read.fixed(new Word.Register("rdi"), 0, 32),                                   // 0: first node
                Read.fixed(new Word.FromRead(0, 0), 0, 32),                                    // 1: *first.next
                Read.counted(new Word.Register("rsi"), 0, new Word.Register("rdx"), 1, 16),    // 2: text, clamped
                Read.counted(new Word.FromRead(1, 16), 0, new Word.FromRead(1, 24), 1, 64),   // 3: second.name
                Read.fixed(new Word.Register("r8"), 0, 8),                                     // 4: NULL: fails
                Read.fixed(new Word.FromRead(4, 0), 0, 8),                                     // 5: word of a failed read
                Read.counted(new Word.Register("rsi"), 0, new Word.Register("rcx"), 1, 16),    // 6: length 0
                Read.counted(new Word.Register("rdi"), 8, new Word.Register("rdx"), 8, 24)));  // 7: 100 u64s, clamped to 3
        List<ProbeRecord> recs = trace(List.of(new LiveProbes.Group(new ProbeProgram.Spec(Role.CALL_UNPAIRED, -1, plan),
                List.of(Probe.entry(entry("rp_chase"), 42)))));
        assertEquals(1, recs.size());
        ProbeRecord r = recs.get(0);
        long first = hex(printed[0]);
        long second = hex(printed[1]);
        long text = hex(printed[2]);
        assertEquals(RecordLayout.TYPE_CALL, r.type());
        assertEquals(42, r.site());
        assertEquals(first, r.register("rdi").getAsLong());
        assertEquals(100, r.register("rdx").getAsLong());

        assertEquals(first, r.readAddress(0));
        assertEquals(32, r.readCount(0));
        ByteBuffer n0 = ByteBuffer.wrap(r.readBytes(0)).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        assertEquals(second, n0.getLong(0));
        assertEquals(111, n0.getLong(8));

        assertEquals(second, r.readAddress(1));
        ByteBuffer n1 = ByteBuffer.wrap(r.readBytes(1)).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        assertEquals(222, n1.getLong(8));
        assertEquals(16, n1.getLong(24));

        assertEquals(text, r.readAddress(2));
        assertEquals(16, r.readCount(2), "100 bytes clamped to the read's maximum");
        assertEquals("x".repeat(16), new String(r.readBytes(2), StandardCharsets.US_ASCII));

        assertEquals(n1.getLong(16), r.readAddress(3));
        assertEquals("second-node-name", new String(r.readBytes(3), StandardCharsets.US_ASCII));

        assertEquals(0, r.readAddress(4));
        assertEquals(0, r.readCount(4), "a NULL pointer reads nothing");
        assertEquals(0, r.readCount(5), "a word from a failed read is not followed");
        assertEquals(0, r.readCount(6), "length 0 reads nothing");
        assertEquals(first + 8, r.readAddress(7));
        assertEquals(24, r.readCount(7), "element count clamped before multiplying: 3 of 8 bytes");

        // The Capture view: memory by address, prefixes, and nothing for what was not read.
        assertArrayEquals(Arrays.copyOfRange(r.readBytes(0), 8, 16), r.memory(first + 8, 8));
        assertEquals(16, r.memory(text, 100).length, "a clamped read gives its prefix");
        assertEquals(4, r.memory(text + 12, 100).length);
        assertNull(r.memory(text + 16, 1));
        assertNull(r.memory(0, 8));
        assertTrue(r.register("xmm0").isEmpty());

        // The load bias from rip at the probed instruction is the one the data addresses show (a PIE target).
        long firstLinked = elf.symbols().stream().filter(x -> x.name().startsWith("first.")).findFirst()
                .orElseThrow().value();
        assertEquals(first - firstLinked, r.biasAt(symbol("rp_chase").value()));
        assertTrue(first - firstLinked != 0, "gcc builds PIE here, so the bias is not 0");
    }

    @Test
    void aConditionalTailJumpIsAReturnOnlyWhenTaken() {
        FetchPlan none = new FetchPlan(List.of());
        List<LiveProbes.Group> groups = new ArrayList<>();
        groups.add(new LiveProbes.Group(new ProbeProgram.Spec(Role.CALL, -1, none),
                List.of(Probe.entry(entry("rp_jg"), 1), Probe.entry(entry("rp_jbe"), 2))));
        Map<Integer, String> exitKind = new HashMap<>();
        int id = 10;
        for (String f : List.of("rp_jg", "rp_jbe")) {
            ElfSymbol s = symbol(f);
            var text = elf.sectionAt(s.value()).orElseThrow();
            byte[] code = new byte[(int) s.size()];
            elf.raw(text).get((int) (s.value() - text.address()), code);
            ExitFinder.Scan scan = ExitFinder.scan(code, s.value(), s.size());
            assertEquals(2, scan.exits().size(), f + ": a jcc to rp_leaf and a ret");
            for (ExitFinder.ExitSite e : scan.exits()) {
                int cc = e.kind() == ExitFinder.Kind.TAIL_JCC
                        ? dev.rustprobe.probe.ProbePlanner.conditionCode(code, (int) (e.address() - s.value())) : -1;
                assertEquals(e.kind() == ExitFinder.Kind.TAIL_JCC ? (f.equals("rp_jg") ? 0xf : 0x6) : -1, cc);
                groups.add(new LiveProbes.Group(new ProbeProgram.Spec(Role.RETURN, cc, none),
                        List.of(Probe.entry(elf.fileOffsetOf(e.address()).getAsLong(), id))));
                exitKind.put(id++, f + " " + e.kind());
            }
        }
        List<ProbeRecord> recs = trace(groups);
        Map<String, Integer> returns = new java.util.TreeMap<>();
        for (ProbeRecord r : recs) {
            if (r.type() == RecordLayout.TYPE_RETURN) {
                assertTrue(r.has(RecordLayout.FLAG_MATCHED), "every return pairs with its call");
                returns.merge(exitKind.get(r.site()), 1, Integer::sum);
            }
        }
        // rp_jg(i) tail-calls for i = 4..7 and returns 0 for i = 0..3; rp_jbe the other way round
        assertEquals(Map.of("rp_jg TAIL_JCC", 4, "rp_jg RET", 4, "rp_jbe TAIL_JCC", 4, "rp_jbe RET", 4), returns);
        assertEquals(0, recs.stream().filter(r -> r.type() == RecordLayout.TYPE_UNWIND).count());
    }

    @Test
    void pairsRecursiveCallsWithTheirReturnsAndReportsFramesSkippedByLongjmpAsUnwinds() {
        FetchPlan none = new FetchPlan(List.of());
        List<LiveProbes.Group> groups = new ArrayList<>();
        List<Probe> calls = List.of(Probe.entry(entry("rp_recurse"), 1), Probe.entry(entry("rp_jump"), 2),
                Probe.entry(entry("rp_after"), 3));
        groups.add(new LiveProbes.Group(new ProbeProgram.Spec(Role.CALL, -1, none), calls));
        groups.add(returnGroup("rp_recurse", "rp_jump", "rp_after"));
        List<ProbeRecord> recs = trace(groups);

        List<ProbeRecord> recurseCalls = recs.stream().filter(r -> r.type() == RecordLayout.TYPE_CALL && r.site() == 1)
                .toList();
        assertEquals(6, recurseCalls.size(), "rp_recurse(5) runs at k = 5..0");
        Map<Long, ProbeRecord> byKtime = new HashMap<>();
        recs.stream().filter(r -> r.type() == RecordLayout.TYPE_CALL).forEach(r -> {
            assertTrue(r.has(RecordLayout.FLAG_PUSHED));
            byKtime.put(r.ktime(), r);
        });
        List<ProbeRecord> rets = recs.stream().filter(r -> r.type() == RecordLayout.TYPE_RETURN).toList();
        // rp_recurse: 6 returns; rp_jump: none (longjmp); rp_after: 1.
        assertEquals(7, rets.size());
        for (ProbeRecord ret : rets) {
            assertTrue(ret.has(RecordLayout.FLAG_MATCHED), "every return pairs with its call");
            ProbeRecord call = byKtime.get(ret.entryKtime());
            assertEquals(call.site(), ret.entrySite());
            assertEquals(call.register("rsp").getAsLong(), ret.register("rsp").getAsLong());
            assertTrue(ret.ktime() >= call.ktime());
            if (call.site() == 1) {
                long k = call.register("rdi").getAsLong();
                assertEquals(k * (k + 1) / 2, ret.register("rax").getAsLong(), "return paired with its own level");
            }
        }
        List<ProbeRecord> unwinds = recs.stream().filter(r -> r.type() == RecordLayout.TYPE_UNWIND).toList();
        assertEquals(4, unwinds.size(), "rp_jump(3..0) were left by longjmp");
        ProbeRecord after = recs.stream().filter(r -> r.type() == RecordLayout.TYPE_CALL && r.site() == 3)
                .findFirst().orElseThrow();
        for (ProbeRecord u : unwinds) {
            assertEquals(2, u.site());
            assertEquals(RecordLayout.TYPE_CALL, byKtime.get(u.entryKtime()).type());
            assertEquals(after.ktime(), u.ktime(), "found dead when rp_after was entered at a higher rsp");
            assertTrue(recs.indexOf(u) < recs.indexOf(after), "unwinds come before the call that found them");
        }
    }

    @Test
    void aCatchPointReportsEveryFrameBelowItAtOnceAndLeavesTheFramesAboveIt() {
        FetchPlan none = new FetchPlan(List.of());
        List<LiveProbes.Group> groups = new ArrayList<>();
        groups.add(new LiveProbes.Group(new ProbeProgram.Spec(Role.CALL, -1, none),
                List.of(Probe.entry(entry("rp_guard"), 1), Probe.entry(entry("rp_deep"), 2))));
        groups.add(returnGroup("rp_guard", "rp_deep"));
        groups.add(new LiveProbes.Group(new ProbeProgram.Spec(Role.CATCH, -1, none),
                List.of(Probe.entry(entry("rp_catch"), 7))));
        List<ProbeRecord> recs = trace(groups);

        assertTrue(recs.stream().noneMatch(r -> r.site() == 7), "a catch point records nothing of its own");
        List<ProbeRecord> deepCalls = recs.stream().filter(r -> r.type() == RecordLayout.TYPE_CALL && r.site() == 2)
                .toList();
        assertEquals(21, deepCalls.size(), "rp_deep(20) runs at k = 20..0");
        List<ProbeRecord> unwinds = recs.stream().filter(r -> r.type() == RecordLayout.TYPE_UNWIND).toList();
        assertEquals(21, unwinds.size(), "every rp_deep frame was left by the jump, more than "
                + ProbeProgram.MAX_UNWINDS_PER_EVENT + " at one event");
        long caught = unwinds.get(0).ktime();
        ProbeRecord guardCall = recs.stream().filter(r -> r.type() == RecordLayout.TYPE_CALL && r.site() == 1)
                .findFirst().orElseThrow();
        ProbeRecord guardReturn = recs.stream().filter(r -> r.type() == RecordLayout.TYPE_RETURN)
                .filter(r -> r.entrySite() == 1).findFirst().orElseThrow();
        assertEquals(1, recs.stream().filter(r -> r.type() == RecordLayout.TYPE_RETURN).count(),
                "only rp_guard returns");
        // innermost first, each paired with its own call
        for (int i = 0; i < unwinds.size(); i++) {
            ProbeRecord u = unwinds.get(i);
            ProbeRecord call = deepCalls.get(deepCalls.size() - 1 - i);
            assertEquals(2, u.site());
            assertEquals(2, u.entrySite());
            assertTrue(u.has(RecordLayout.FLAG_MATCHED));
            assertEquals(call.ktime(), u.entryKtime());
            assertEquals(caught, u.ktime(), "all found dead by the one catch event");
        }
        assertTrue(caught > deepCalls.get(20).ktime() && caught < guardReturn.ktime(),
                "caught between the innermost call and rp_guard's return");
        assertTrue(recs.indexOf(unwinds.get(20)) < recs.indexOf(guardReturn));
        // the frame above the catch point stayed: rp_guard's return pairs with its call
        assertTrue(guardReturn.has(RecordLayout.FLAG_MATCHED), "rp_guard's frame was left alone by the catch");
        assertEquals(guardCall.ktime(), guardReturn.entryKtime());
        assertEquals(-1, guardReturn.register("rax").getAsLong());
    }

    @Test
    void withoutACatchPointAReturnFindsOnlyAFewDeadFramesAndDoesNotPair() {
        // The case the catch point exists for: rp_guard's return pops MAX_UNWINDS_PER_EVENT dead frames, and the
        // rest still sit above its own frame, so it cannot pair.
        FetchPlan none = new FetchPlan(List.of());
        List<LiveProbes.Group> groups = new ArrayList<>();
        groups.add(new LiveProbes.Group(new ProbeProgram.Spec(Role.CALL, -1, none),
                List.of(Probe.entry(entry("rp_guard"), 1), Probe.entry(entry("rp_deep"), 2))));
        groups.add(returnGroup("rp_guard"));
        List<ProbeRecord> recs = trace(groups);
        assertEquals(ProbeProgram.MAX_UNWINDS_PER_EVENT, recs.stream()
                .filter(r -> r.type() == RecordLayout.TYPE_UNWIND).count());
        ProbeRecord guardReturn = recs.stream().filter(r -> r.type() == RecordLayout.TYPE_RETURN).findFirst()
                .orElseThrow();
        assertFalse(guardReturn.has(RecordLayout.FLAG_MATCHED));
    }
}
