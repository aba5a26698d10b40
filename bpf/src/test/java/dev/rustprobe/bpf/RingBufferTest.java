// Records pushed by a uprobe program through the ring buffer and read in Java: in order and complete at a low
// rate across many wrap-arounds, discarded records skipped, two CPUs producing at once, and at overload an
// exact count of the records the kernel could not reserve.
package dev.rustprobe.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rustprobe.bpf.asm.AluOp;
import dev.rustprobe.bpf.asm.Asm;
import dev.rustprobe.bpf.asm.Helper;
import dev.rustprobe.bpf.asm.Insn;
import dev.rustprobe.bpf.asm.Reg;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RingBufferTest {
    static final int RECORD = 64;
    private Path target;
    private long hit;

    @BeforeEach
    void setUp() {
        TestSupport.assumeBpf();
        target = TestSupport.probeTarget();
        hit = TestSupport.offsetOf(target, "rp_hit");
    }

    /** Decoded record: the argument i of rp_hit, the cookie, the producer's tgid; checks the filler words. */
    record Rec(long i, long cookie, int tgid) {
        static Rec of(ByteBuffer b) {
            assertEquals(RECORD, b.remaining());
            long i = b.getLong(0);
            for (int off = 24; off < 56; off += 8) {
                assertEquals(i ^ off, b.getLong(off), "filler word at " + off);
            }
            assertEquals(i * 3, b.getLong(56), "last word");
            return new Rec(i, b.getLong(8), (int) (b.getLong(16) >>> 32));
        }
    }

    /**
     * rp_hit(i) -> record {i, cookie, pid_tgid, i^24, i^32, i^40, i^48, i*3}; with discardEveryThird, records with
     * i % 3 == 0 are reserved and then discarded.
     */
    static List<Insn> producer(RingBuffer rb, boolean discardEveryThird) {
        Asm a = new Asm();
        a.mov64Reg(Reg.R6, Reg.R1)
                .call(Helper.GET_ATTACH_COOKIE)
                .mov64Reg(Reg.R7, Reg.R0);
        rb.emitReserve(a, RECORD, Reg.R8, -8, "out");
        a.call(Helper.GET_CURRENT_PID_TGID)
                .stxdw(Reg.R8, 16, Reg.R0)
                .ldxdw(Reg.R9, Reg.R6, PtRegs.RDI.offset())
                .stxdw(Reg.R8, 0, Reg.R9)
                .stxdw(Reg.R8, 8, Reg.R7);
        for (int off = 24; off < 56; off += 8) {
            a.mov64Reg(Reg.R1, Reg.R9).alu64Imm(AluOp.XOR, Reg.R1, off).stxdw(Reg.R8, off, Reg.R1);
        }
        a.mov64Reg(Reg.R1, Reg.R9).mul(Reg.R1, 3).stxdw(Reg.R8, 56, Reg.R1);
        if (discardEveryThird) {
            a.mov64Reg(Reg.R1, Reg.R9).alu64Imm(AluOp.MOD, Reg.R1, 3).jne(Reg.R1, 0, "submit");
            RingBuffer.emitDiscard(a, Reg.R8);
            a.ja("out");
        }
        a.label("submit");
        RingBuffer.emitSubmit(a, Reg.R8);
        a.label("out").mov64Imm(Reg.R0, 0).exit();
        return a.build();
    }

    /** Runs the target while a consumer thread drains rb; returns every record, in arrival order. */
    private List<Rec> runAndConsume(RingBuffer rb, List<List<String>> commands) throws Exception {
        List<Rec> got = new ArrayList<>();
        List<Process> ps = new ArrayList<>();
        for (List<String> c : commands) {
            ps.add(new ProcessBuilder(c).redirectErrorStream(true).start());
        }
        while (ps.stream().anyMatch(Process::isAlive)) {
            rb.poll(50, b -> got.add(Rec.of(b)));
        }
        for (Process p : ps) {
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue());
        }
        while (rb.poll(0, b -> got.add(Rec.of(b))) > 0) {
            // drain what arrived after the last process exited
        }
        return got;
    }

    @Test
    void lowRateDeliversEveryRecordInOrderAcrossWrapArounds() throws Exception {
        // 512 KiB holds about 7,000 records: over half a second of slack for a descheduled reader at this pace.
        int n = 40_000;
        try (RingBuffer rb = RingBuffer.open("rpt_rb", 512 << 10);
             Program p = Program.load(ProgramType.UPROBE_MULTI, producer(rb, false), "GPL", TestSupport.uniqueName("rpt_rb"));
             UprobeLinks l = UprobeAttach.attach(p, target, List.of(Probe.entry(hit, 77)), OptionalInt.empty())) {
            List<Rec> got = runAndConsume(rb, List.of(List.of(target.toString(), "paced", "" + n, "10")));
            assertEquals(0, rb.lostCount());
            assertEquals(n, got.size());
            for (int i = 0; i < n; i++) {
                assertEquals(i, got.get(i).i());
                assertEquals(77, got.get(i).cookie());
            }
            assertTrue((long) n * (RECORD + 8) > 4L * rb.size(), "the test wraps the buffer several times");
            assertEquals(0, rb.pending());
        }
    }

    @Test
    void overloadCountsExactlyTheRecordsThatDidNotFit() throws Exception {
        int n = 5_000;
        try (RingBuffer rb = RingBuffer.open("rpt_rbfull", 4096);
             Program p = Program.load(ProgramType.KPROBE, producer(rb, false), "GPL", TestSupport.uniqueName("rpt_full"));
             UprobeLinks l = UprobeAttach.attach(p, target, List.of(Probe.entry(hit, 1)), OptionalInt.empty())) {
            // Nobody reads while the target runs, so the page fills and every later reservation fails.
            TestSupport.run(List.of(target.toString(), "count", "" + n, "0"));
            List<Rec> got = new ArrayList<>();
            while (rb.poll(0, b -> {
                got.add(Rec.of(b));
                assertThrows(java.nio.ReadOnlyBufferException.class, () -> b.putLong(0, 1), "records are read-only");
            }) > 0) {
                // drain
            }
            assertEquals(4096 / (RECORD + 8), got.size(), "a page holds 56 records of 64 bytes plus header");
            for (int i = 0; i < got.size(); i++) {
                assertEquals(i, got.get(i).i(), "the records that fit are the first ones");
            }
            assertEquals(n - got.size(), rb.lostCount());
            // The drained space is reused: a short second run arrives complete and the count stays put.
            List<Rec> again = runAndConsume(rb, List.of(List.of(target.toString(), "count", "30", "0")));
            assertEquals(30, again.size());
            assertEquals(n - got.size(), rb.lostCount());
        }
    }

    @Test
    void discardedRecordsAreSkipped() throws Exception {
        int n = 3_000;
        try (RingBuffer rb = RingBuffer.open("rpt_rbdisc", 1 << 20);
             Program p = Program.load(ProgramType.UPROBE_MULTI, producer(rb, true), "GPL", TestSupport.uniqueName("rpt_disc"));
             UprobeLinks l = UprobeAttach.attach(p, target, List.of(Probe.entry(hit, 5)), OptionalInt.empty())) {
            List<Rec> got = runAndConsume(rb, List.of(List.of(target.toString(), "count", "" + n, "0")));
            List<Long> expected = new ArrayList<>();
            for (long i = 0; i < n; i++) {
                if (i % 3 != 0) {
                    expected.add(i);
                }
            }
            assertEquals(expected, got.stream().map(Rec::i).toList());
            assertEquals(0, rb.lostCount());
        }
    }

    @Test
    void twoProducersAtFullSpeedWhileJavaReads() throws Exception {
        int n = 50_000;
        try (RingBuffer rb = RingBuffer.open("rpt_rbtwo", 16 << 20);
             Program p = Program.load(ProgramType.UPROBE_MULTI, producer(rb, false), "GPL", TestSupport.uniqueName("rpt_two"));
             UprobeLinks l = UprobeAttach.attach(p, target, List.of(Probe.entry(hit, 9)), OptionalInt.empty())) {
            List<String> cmd = List.of(target.toString(), "count", "" + n, "0");
            List<Rec> got = runAndConsume(rb, List.of(cmd, cmd));
            assertEquals(0, rb.lostCount());
            assertEquals(2 * n, got.size());
            Map<Integer, List<Long>> byProducer = new HashMap<>();
            for (Rec r : got) {
                byProducer.computeIfAbsent(r.tgid(), k -> new ArrayList<>()).add(r.i());
            }
            assertEquals(2, byProducer.size());
            for (List<Long> seq : byProducer.values()) {
                assertEquals(n, seq.size());
                for (int i = 0; i < n; i++) {
                    assertEquals(i, seq.get(i), "each producer's records arrive in its order");
                }
            }
        }
    }

    @Test
    void aReaderWaitingForeverIsWokenByTheFirstRecord() throws Exception {
        try (RingBuffer rb = RingBuffer.open("rpt_rbwake", 1 << 16);
             Program p = Program.load(ProgramType.UPROBE_MULTI, producer(rb, false), "GPL", TestSupport.uniqueName("rpt_wake"));
             UprobeLinks l = UprobeAttach.attach(p, target, List.of(Probe.entry(hit, 3)), OptionalInt.empty())) {
            List<Rec> got = java.util.Collections.synchronizedList(new ArrayList<>());
            // Only epoll can end a wait without a timeout: if the kernel's wake-up were missed, this would hang.
            Thread reader = new Thread(() -> rb.poll(-1, b -> got.add(Rec.of(b))));
            reader.setDaemon(true);
            reader.start();
            Thread.sleep(200);
            assertTrue(reader.isAlive(), "nothing to read yet, so the reader waits");
            TestSupport.run(List.of(target.toString(), "count", "1", "0"));
            reader.join(20_000);
            assertFalse(reader.isAlive(), "the record woke the reader");
            assertEquals(List.of(new Rec(0, 3, got.get(0).tgid())), got);
        }
    }

    @Test
    void sizeMustBeAPowerOfTwoOfWholePages() {
        assertThrows(BpfException.class, () -> RingBuffer.open(1000));
        assertThrows(BpfException.class, () -> RingBuffer.open(3 * 4096));
        assertThrows(BpfException.class, () -> RingBuffer.open(1 << 30));
    }
}
