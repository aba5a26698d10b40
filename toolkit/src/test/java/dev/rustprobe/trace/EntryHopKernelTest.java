// Moved entry probes on the real kernel, on gcc-built assembly functions whose prologue lowers rsp before the first
// emulated instruction: the record of a probe moved by EntryHop equals the record at the first instruction (rsp,
// registers, stack arguments read through rsp), and calls pair with their returns, recursion included.
package dev.rustprobe.trace;

import dev.rustprobe.bpf.Probe;
import dev.rustprobe.bpf.PtRegs;
import dev.rustprobe.elf.ElfFile;
import dev.rustprobe.elf.ElfSymbol;
import dev.rustprobe.probe.EntryHop;
import dev.rustprobe.probe.FetchPlan;
import dev.rustprobe.probe.FetchPlan.Read;
import dev.rustprobe.probe.FetchPlan.Word;
import dev.rustprobe.probe.FunctionCode;
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
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EntryHopKernelTest {
    /*
     * rp_stacked(a..f, g, h): g and h on the stack. Its prologue lowers rsp by 0x28 and stores into the new frame
     * before a call, which the kernel emulates. rp_down(k) recurses to k = 0 behind the same kind of prologue
     * (sub, store, test) before a je.
     */
    static final String SOURCE = """
            #include <stdio.h>
            #define FN(name) ".globl " #name "\\n.type " #name ",@function\\n" #name ":\\n"
            #define END(name) ".size " #name ", .-" #name "\\n"
            __asm__(".text\\n"
                FN(rp_add) "lea (%rdi,%rsi),%rax\\n ret\\n" END(rp_add)
                FN(rp_stacked) "sub $0x28,%rsp\\n mov %rdi,0x8(%rsp)\\n mov %rsi,0x10(%rsp)\\n call rp_add\\n"
                    " add 0x30(%rsp),%rax\\n add 0x38(%rsp),%rax\\n add $0x28,%rsp\\n ret\\n" END(rp_stacked)
                FN(rp_down) "sub $0x18,%rsp\\n mov %rdi,(%rsp)\\n xor %eax,%eax\\n test %rdi,%rdi\\n je 1f\\n"
                    " lea -1(%rdi),%rdi\\n call rp_down\\n add (%rsp),%rax\\n 1: add $0x18,%rsp\\n ret\\n" END(rp_down)
            );
            long rp_stacked(long, long, long, long, long, long, long, long);
            long rp_down(long);
            int main(void) {
                long s = rp_stacked(1, 2, 3, 4, 5, 6, 7000, 8000);
                s += rp_stacked(10, 20, 30, 40, 50, 60, 70, 80);
                s += rp_down(4);
                printf("%ld\\n", s);
                return 0;
            }
            """;

    static Path target;
    static ElfFile elf;

    @BeforeAll
    static void build(@TempDir Path dir) {
        KernelCheck.assumeBpf();
        target = ExternalTools.gcc(dir, "rp_hop_target", SOURCE, "-O1");
        elf = ElfFile.open(target);
    }

    static ElfSymbol symbol(String name) {
        return ProbeProgramKernelTest.function(elf, name);
    }

    /** EntryHop's decision for a function, reading the registers and reads of plan. */
    static EntryHop.Decision hop(String name, FetchPlan plan) {
        ElfSymbol s = symbol(name);
        EntryHop.Decision d = EntryHop.decide(FunctionCode.read(elf, s.value(), s.size()), s.value(), s.size(),
                plan.registers(), false, Set.of());
        assertTrue(d.moved(), d.sentence());
        return d;
    }

    static long offset(long address) {
        return elf.fileOffsetOf(address).getAsLong();
    }

    /** Attaches the groups, runs the target (checking what it prints) and returns its records. */
    static List<ProbeRecord> trace(List<LiveProbes.Group> groups) {
        List<ProbeRecord> out = ProbeProgramKernelTest.trace(target, groups);
        assertEquals(List.of("15193"), List.of(ProbeProgramKernelTest.printed), "3+7000+8000 + 30+70+80 + 10");
        return out;
    }

    @Test
    void aMovedProbeRecordsWhatTheFirstInstructionWouldIncludingStackArguments() {
        // rdi, rsi, and the 16 bytes of stack arguments at entry rsp + 8, read through rsp
        FetchPlan plan = new FetchPlan(List.of(Read.fixed(new Word.Register("rsp"), 8, 16)),
                (1L << (PtRegs.RDI.offset() / 8)) | (1L << (PtRegs.RSI.offset() / 8))
                        | (1L << (PtRegs.RIP.offset() / 8)) | (1L << (PtRegs.RSP.offset() / 8)));
        EntryHop.Decision d = hop("rp_stacked", plan);
        assertEquals(0x28, d.entryRspDelta());
        assertEquals("call", d.probeInstruction());
        long entry = symbol("rp_stacked").value();
        List<ProbeRecord> recs = trace(List.of(
                new LiveProbes.Group(new ProbeProgram.Spec(Role.CALL_UNPAIRED, -1, plan),
                        List.of(Probe.entry(offset(entry), 1))),
                new LiveProbes.Group(new ProbeProgram.Spec(Role.CALL_UNPAIRED, -1, plan, d.entryRspDelta()),
                        List.of(Probe.entry(offset(d.probe()), 2)))));
        List<ProbeRecord> exact = recs.stream().filter(r -> r.site() == 1).toList();
        List<ProbeRecord> moved = recs.stream().filter(r -> r.site() == 2).toList();
        assertEquals(2, exact.size());
        assertEquals(2, moved.size());
        long[][] stack = {{7000, 8000}, {70, 80}};
        long[] first = {1, 10};
        for (int k = 0; k < 2; k++) {
            ProbeRecord e = exact.get(k);
            ProbeRecord m = moved.get(k);
            assertEquals(e.register("rsp").getAsLong(), m.register("rsp").getAsLong(), "the entry rsp, both");
            assertEquals(first[k], m.register("rdi").getAsLong());
            assertEquals(e.register("rsi").getAsLong(), m.register("rsi").getAsLong());
            assertEquals(e.readAddress(0), m.readAddress(0));
            assertArrayEquals(e.readBytes(0), m.readBytes(0));
            ByteBuffer b = ByteBuffer.wrap(m.readBytes(0)).order(ByteOrder.LITTLE_ENDIAN);
            assertEquals(stack[k][0], b.getLong(0), "g, the first stack argument");
            assertEquals(stack[k][1], b.getLong(8), "h");
            // rip is the probed address, so the load bias learnt from it is the same at either site
            assertEquals(d.probe() - entry, m.register("rip").getAsLong() - e.register("rip").getAsLong());
            assertEquals(e.biasAt(entry), m.biasAt(d.probe()));
        }
    }

    @Test
    void callsAtAMovedProbePairWithTheirReturnsThroughRecursion() {
        FetchPlan plan = new FetchPlan(List.of(), (1L << (PtRegs.RDI.offset() / 8))
                | (1L << (PtRegs.RIP.offset() / 8)) | (1L << (PtRegs.RSP.offset() / 8)));
        EntryHop.Decision d = hop("rp_down", plan);
        assertEquals(0x18, d.entryRspDelta());
        ElfSymbol down = symbol("rp_down");
        byte[] code = FunctionCode.read(elf, down.value(), down.size());
        long ret = down.value() + down.size() - 1;
        assertEquals((byte) 0xc3, code[code.length - 1], "rp_down ends with its only ret");
        List<ProbeRecord> recs = trace(List.of(
                new LiveProbes.Group(new ProbeProgram.Spec(Role.CALL, -1, plan, d.entryRspDelta()),
                        List.of(Probe.entry(offset(d.probe()), 1))),
                new LiveProbes.Group(new ProbeProgram.Spec(Role.RETURN, -1, new FetchPlan(List.of())),
                        List.of(Probe.entry(offset(ret), 2)))));
        Map<Long, ProbeRecord> calls = new HashMap<>();
        recs.stream().filter(r -> r.type() == RecordLayout.TYPE_CALL).forEach(r -> {
            assertTrue(r.has(RecordLayout.FLAG_PUSHED));
            calls.put(r.ktime(), r);
        });
        assertEquals(5, calls.size(), "rp_down(4) runs at k = 4..0");
        List<ProbeRecord> rets = recs.stream().filter(r -> r.type() == RecordLayout.TYPE_RETURN).toList();
        assertEquals(5, rets.size());
        assertEquals(0, recs.stream().filter(r -> r.type() == RecordLayout.TYPE_UNWIND).count(),
                "no frame taken for dead: each was pushed with its entry rsp");
        for (ProbeRecord r : rets) {
            assertTrue(r.has(RecordLayout.FLAG_MATCHED), "every return pairs with its call");
            ProbeRecord call = calls.get(r.entryKtime());
            assertEquals(call.register("rsp").getAsLong(), r.register("rsp").getAsLong(), "the same entry rsp");
        }
    }
}
