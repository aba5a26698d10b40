// How the probe programs pair inlined calls with their exits, on the real kernel against a gcc-built target whose
// "inlined copies" are labelled stretches of hand-written functions: an exit at a join point that other paths reach
// without entering the copy, a copy entered again at the same rsp (its exit unseen), a caller's ret with an open
// copy on top, and nested copies entered at one address and left at one or two addresses, probes attached in both
// orders.
package dev.rustprobe.trace;

import dev.rustprobe.bpf.Probe;
import dev.rustprobe.elf.ElfFile;
import dev.rustprobe.elf.ElfSymbol;
import dev.rustprobe.index.AddressRange;
import dev.rustprobe.probe.FetchPlan;
import dev.rustprobe.probe.InlineExits;
import dev.rustprobe.probe.ProbeProgram;
import dev.rustprobe.probe.ProbeProgram.InlineExit;
import dev.rustprobe.probe.ProbeProgram.Role;
import dev.rustprobe.probe.ProbeRecord;
import dev.rustprobe.probe.RecordLayout;
import dev.rustprobe.probe.UnwindSafety;
import dev.rustprobe.testing.ExternalTools;
import dev.rustprobe.testing.KernelCheck;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InlinePairingKernelTest {
    static final String SOURCE = """
            #include <stdio.h>
            long rp_join(long k);
            long rp_reenter(long n);
            long rp_nest(long k);
            /* rp_join: a copy [rp_join_copy, rp_join_end) that pushes rbx and is left with it pushed, at a join the
               k == 0 path reaches too (also with rbx pushed, but without entering the copy) */
            __asm__(".text\\n.globl rp_join\\n.type rp_join,@function\\nrp_join:\\n xor %eax, %eax\\n"
                    " test %rdi, %rdi\\n jne rp_join_copy\\n push %rbx\\n jmp rp_join_end\\n"
                    ".globl rp_join_copy\\nrp_join_copy:\\n push %rbx\\n add $5, %rax\\n"
                    ".globl rp_join_end\\nrp_join_end:\\n pop %rbx\\n add $1, %rax\\n ret\\n.size rp_join, .-rp_join\\n"
            /* rp_reenter: a copy at the function's own rsp, entered n times by a loop, with no exit probed */
                    ".globl rp_reenter\\n.type rp_reenter,@function\\nrp_reenter:\\n xor %eax, %eax\\n"
                    ".globl rp_reenter_copy\\nrp_reenter_copy:\\n add $1, %rax\\n cmp %rdi, %rax\\n jb rp_reenter_copy\\n"
                    ".globl rp_reenter_ret\\nrp_reenter_ret:\\n ret\\n.size rp_reenter, .-rp_reenter\\n"
            /* rp_nest: an outer and an inner copy that start at rp_nest_copy; the inner one ends at
               rp_nest_inner_end or (in the other layout) both at rp_nest_end, where a third copy starts, which the
               function's ret leaves */
                    ".globl rp_nest\\n.type rp_nest,@function\\nrp_nest:\\n push %rbx\\n"
                    ".globl rp_nest_copy\\nrp_nest_copy:\\n lea 1(%rdi), %rax\\n nop\\n"
                    ".globl rp_nest_inner_end\\nrp_nest_inner_end:\\n add $2, %rax\\n"
                    ".globl rp_nest_end\\nrp_nest_end:\\n add $3, %rax\\n pop %rbx\\n"
                    ".globl rp_nest_ret\\nrp_nest_ret:\\n ret\\n.size rp_nest, .-rp_nest\\n");
            int main(void) {
                long s = rp_join(1) + rp_join(0) + rp_reenter(3) + rp_nest(1);
                printf("%ld\\n", s);
                return 0;
            }
            """;

    static Path target;
    static ElfFile elf;
    static final FetchPlan NONE = new FetchPlan(List.of());

    @BeforeAll
    static void build(@TempDir Path dir) {
        KernelCheck.assumeBpf();
        target = ExternalTools.gcc(dir, "rp_inline", SOURCE, "-O1");
        elf = ElfFile.open(target);
    }

    static long address(String name) {
        return elf.symbols().stream().filter(s -> s.name().equals(name)).findFirst().map(ElfSymbol::value).orElseThrow();
    }

    static long offset(String name) {
        return elf.fileOffsetOf(address(name)).getAsLong();
    }

    static LiveProbes.Group group(Role role, List<InlineExit> exits, String label, int cookie) {
        return new LiveProbes.Group(new ProbeProgram.Spec(role, -1, NONE, exits), List.of(Probe.entry(offset(label), cookie)));
    }

    static List<ProbeRecord> of(List<ProbeRecord> recs, int type) {
        return recs.stream().filter(r -> r.type() == type).toList();
    }

    /** The one call record of site. */
    static ProbeRecord call(List<ProbeRecord> recs, int site) {
        List<ProbeRecord> c = recs.stream().filter(r -> r.type() == RecordLayout.TYPE_CALL && r.site() == site).toList();
        assertEquals(1, c.size(), "calls of site " + site + " in " + describe(recs));
        return c.get(0);
    }

    /** The inline return of site, which pairs with its call. */
    static void assertInlineReturn(List<ProbeRecord> recs, int site) {
        List<ProbeRecord> r = of(recs, RecordLayout.TYPE_INLINE_RETURN).stream().filter(x -> x.site() == site).toList();
        assertEquals(1, r.size(), "inline returns of site " + site + " in " + describe(recs));
        ProbeRecord c = call(recs, site);
        assertTrue(c.has(RecordLayout.FLAG_PUSHED));
        assertEquals(site, r.get(0).entrySite());
        assertEquals(c.ktime(), r.get(0).entryKtime(), "the return pairs with its own call");
        assertTrue(r.get(0).has(RecordLayout.FLAG_MATCHED) && r.get(0).ktime() > c.ktime());
    }

    static String describe(List<ProbeRecord> recs) {
        List<String> out = new ArrayList<>();
        for (ProbeRecord r : recs) {
            out.add("type " + r.type() + " site " + r.site() + " entry " + r.entrySite() + " flags " + r.flags());
        }
        return out.toString();
    }

    @Test
    void aJoinReachedWithoutEnteringPopsNothingAndACopyLeftWithRbxPushedPairsAtItsDelta() {
        long[] fn = new UnwindSafety(elf).functionAt(address("rp_join"));
        InlineExits.Result exits = InlineExits.find(elf, List.of(new AddressRange(address("rp_join_copy"),
                address("rp_join_end"))), address("rp_join_copy"), fn);
        assertTrue(exits.paired(), exits.unpairedReason());
        assertEquals(List.of(new InlineExits.Exit(address("rp_join_end"), InlineExits.How.FALL_THROUGH, -8, -1)),
                exits.exits());
        List<InlineExit> pop = List.of(new InlineExit(2, exits.exits().get(0).rspDelta()));
        List<ProbeRecord> recs = ProbeProgramKernelTest.trace(target, List.of(
                group(Role.CALL, List.of(), "rp_join", 1),
                group(Role.INLINE_CALL, List.of(), "rp_join_copy", 2),
                group(Role.INLINE_EXIT, pop, "rp_join_end", 3),
                new LiveProbes.Group(new ProbeProgram.Spec(Role.RETURN, -1, NONE),
                        List.of(Probe.entry(elf.fileOffsetOf(address("rp_join_end") + 5).getAsLong(), 4)))));
        // rp_join(1): the call, the copy, its end, the return; rp_join(0): the call and the return only
        assertEquals(2, of(recs, RecordLayout.TYPE_CALL).stream().filter(r -> r.site() == 1).count(), describe(recs));
        assertInlineReturn(recs, 2);
        List<ProbeRecord> rets = of(recs, RecordLayout.TYPE_RETURN);
        assertEquals(2, rets.size(), describe(recs));
        assertTrue(rets.stream().allMatch(r -> r.has(RecordLayout.FLAG_MATCHED) && r.entrySite() == 1), describe(recs));
        assertEquals(0, of(recs, RecordLayout.TYPE_UNWIND).size(), "nothing is unwound: " + describe(recs));
    }

    @Test
    void aCopyEnteredAgainAtTheSameRspIsAnExitUnseenNotAnUnwindAndTheCallerStillPairs() {
        List<ProbeRecord> recs = ProbeProgramKernelTest.trace(target, List.of(
                group(Role.CALL, List.of(), "rp_reenter", 1),
                group(Role.INLINE_CALL, List.of(), "rp_reenter_copy", 2),
                group(Role.RETURN, List.of(), "rp_reenter_ret", 3)));
        assertEquals(3, of(recs, RecordLayout.TYPE_CALL).stream().filter(r -> r.site() == 2).count(), describe(recs));
        List<ProbeRecord> dead = of(recs, RecordLayout.TYPE_UNWIND);
        assertEquals(3, dead.size(), "two entries again, and the copy still open at the ret: " + describe(recs));
        assertTrue(dead.stream().allMatch(r -> r.entrySite() == 2 && r.has(RecordLayout.FLAG_EXIT_UNSEEN)),
                describe(recs));
        assertEquals(2, dead.stream().filter(r -> r.has(RecordLayout.FLAG_REENTERED)).count(), describe(recs));
        // the caller's ret skips the inline frame at its own rsp and pairs with the caller's call
        List<ProbeRecord> rets = of(recs, RecordLayout.TYPE_RETURN);
        assertEquals(1, rets.size());
        assertTrue(rets.get(0).has(RecordLayout.FLAG_MATCHED), describe(recs));
        assertEquals(1, rets.get(0).entrySite());
        assertEquals(call(recs, 1).ktime(), rets.get(0).entryKtime());
    }

    /** Outer 10 and inner 11 entered at one address, in the given order of attachment. */
    static List<LiveProbes.Group> nested(boolean innerFirst, List<LiveProbes.Group> rest) {
        List<LiveProbes.Group> g = new ArrayList<>();
        LiveProbes.Group outer = group(Role.INLINE_CALL, List.of(), "rp_nest_copy", 10);
        LiveProbes.Group inner = group(Role.INLINE_CALL, List.of(), "rp_nest_copy", 11);
        g.add(innerFirst ? inner : outer);
        g.add(innerFirst ? outer : inner);
        g.addAll(rest);
        return g;
    }

    /** Which of the two nested entries fired first (its call record came first). */
    static int firstEntry(List<ProbeRecord> recs) {
        return of(recs, RecordLayout.TYPE_CALL).stream().filter(r -> r.site() == 10 || r.site() == 11)
                .findFirst().orElseThrow().site();
    }

    /**
     * Runs until the nested entries have fired in both orders (the order of attachment is alternated, and programs
     * load on several threads, so the kernel's order of its consumers is not the list's), at most MAX_RUNS times.
     */
    static final int MAX_RUNS = 10;

    @Test
    void nestedCopiesEnteredAtOneAddressPairInEitherOrderLeftAtTwoAddresses() {
        List<Integer> firsts = new ArrayList<>();
        for (int run = 0; run < MAX_RUNS && new java.util.TreeSet<>(firsts).size() < 2; run++) {
            boolean innerFirst = run % 2 == 0;
            List<ProbeRecord> recs = ProbeProgramKernelTest.trace(target, nested(innerFirst, List.of(
                    group(Role.INLINE_EXIT, List.of(new InlineExit(11, 0)), "rp_nest_inner_end", 12),
                    group(Role.INLINE_EXIT, List.of(new InlineExit(10, 0)), "rp_nest_end", 13))));
            assertInlineReturn(recs, 10);
            assertInlineReturn(recs, 11);
            assertEquals(0, of(recs, RecordLayout.TYPE_UNWIND).size(), describe(recs));
            firsts.add(firstEntry(recs));
        }
        assertEquals(2, new java.util.TreeSet<>(firsts).size(), "the two runs fired the entries in both orders: " + firsts);
    }

    @Test
    void nestedCopiesLeftAtOneAddressWhereAThirdStartsPairInEitherOrder() {
        List<Integer> firsts = new ArrayList<>();
        List<InlineExit> both = List.of(new InlineExit(11, 0), new InlineExit(10, 0));
        for (int run = 0; run < MAX_RUNS && new java.util.TreeSet<>(firsts).size() < 2; run++) {
            boolean innerFirst = run % 2 == 0;
            // at rp_nest_end: the exit program and the third copy's entry, each able to pop both, attached in
            // the order opposite to the entries'; the function's ret leaves the third copy, 8 bytes higher
            LiveProbes.Group exit = group(Role.INLINE_EXIT, both, "rp_nest_end", 12);
            LiveProbes.Group third = group(Role.INLINE_CALL, both, "rp_nest_end", 13);
            List<ProbeRecord> recs = ProbeProgramKernelTest.trace(target, nested(innerFirst, List.of(
                    innerFirst ? exit : third, innerFirst ? third : exit,
                    group(Role.INLINE_EXIT, List.of(new InlineExit(13, 8)), "rp_nest_ret", 14))));
            assertInlineReturn(recs, 10);
            assertInlineReturn(recs, 11);
            assertInlineReturn(recs, 13);
            assertEquals(0, of(recs, RecordLayout.TYPE_UNWIND).size(), describe(recs));
            firsts.add(firstEntry(recs));
        }
        assertEquals(2, new java.util.TreeSet<>(firsts).size(), "the two runs fired the entries in both orders: " + firsts);
    }
}
