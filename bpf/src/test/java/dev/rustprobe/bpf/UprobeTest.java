// Attaches uprobes and uretprobes to a gcc-built binary through both kernel paths (uprobe_multi links and
// perf-event links) and checks what the kernel reports against what the binary is known to do.
package dev.rustprobe.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class UprobeTest {
    private Path target;

    @BeforeEach
    void setUp() {
        TestSupport.assumeBpf();
        target = TestSupport.probeTarget();
    }

    @Test
    void kernelHasUprobeMulti() {
        assertTrue(UprobeAttach.multiSupported(), "kernel 6.6+ has uprobe_multi links");
        assertEquals(ProgramType.UPROBE_MULTI, UprobeAttach.preferredProgramType());
    }

    @Test
    void theAttachSwitchForcesAPathOrSaysWhatItTakes() {
        try {
            System.setProperty(UprobeAttach.ATTACH_PROPERTY, "perf-event");
            assertEquals(ProgramType.KPROBE, UprobeAttach.preferredProgramType());
            try (BpfMap<Integer, Long> counts = BpfMap.array("rpt_counts", Codec.U64, 1);
                 AttachedProgram a = AttachedProgram.loadAndAttach(HitCounter.byCookie(counts.fd()), "GPL",
                         TestSupport.uniqueName("rpt_sw"), target,
                         List.of(Probe.entry(TestSupport.offsetOf(target, "rp_hit"), 0)), OptionalInt.empty())) {
                assertEquals(UprobeLinks.Kind.PERF_EVENT, a.links().kind());
                TestSupport.run(List.of(target.toString(), "count", "12", "0"));
                assertEquals(12L, counts.lookup(0).orElseThrow());
            }
            System.setProperty(UprobeAttach.ATTACH_PROPERTY, " multi ");
            assertEquals(ProgramType.UPROBE_MULTI, UprobeAttach.preferredProgramType());
            System.setProperty(UprobeAttach.ATTACH_PROPERTY, "auto");
            assertEquals(ProgramType.UPROBE_MULTI, UprobeAttach.preferredProgramType());
            System.setProperty(UprobeAttach.ATTACH_PROPERTY, "perf");
            BpfException e = assertThrows(BpfException.class, UprobeAttach::preferredProgramType);
            assertEquals("-Drustprobe.attach='perf' is not an attach mode: use perf-event, multi or auto",
                    e.getMessage());
        } finally {
            System.clearProperty(UprobeAttach.ATTACH_PROPERTY);
        }
    }

    @ParameterizedTest
    @EnumSource(value = ProgramType.class, names = {"KPROBE", "UPROBE_MULTI"})
    void countsExactlyTheCallsOfEachProbedFunction(ProgramType type) {
        long hit = TestSupport.offsetOf(target, "rp_hit");
        long other = TestSupport.offsetOf(target, "rp_other");
        try (BpfMap<Integer, Long> counts = BpfMap.array("rpt_counts", Codec.U64, 4);
             Program p = Program.load(type, HitCounter.byCookie(counts.fd()), "GPL", TestSupport.uniqueName("rpt_cnt"));
             UprobeLinks links = UprobeAttach.attach(p, target,
                     List.of(Probe.entry(hit, 0), Probe.entry(other, 1), Probe.ret(other, 2)), OptionalInt.empty())) {
            assertEquals(type == ProgramType.UPROBE_MULTI ? UprobeLinks.Kind.MULTI : UprobeLinks.Kind.PERF_EVENT,
                    links.kind());
            TestSupport.run(List.of(target.toString(), "count", "1234", "567"));
            assertEquals(1234L, counts.lookup(0).orElseThrow());
            assertEquals(567L, counts.lookup(1).orElseThrow());
            assertEquals(567L, counts.lookup(2).orElseThrow(), "one return per call");
            assertEquals(0L, counts.lookup(3).orElseThrow());
        }
    }

    @ParameterizedTest
    @EnumSource(value = ProgramType.class, names = {"KPROBE", "UPROBE_MULTI"})
    void readsArgumentRegistersReturnValueAndIpThroughTheCookieSelectedPath(ProgramType type) {
        long args = TestSupport.offsetOf(target, "rp_args");
        List<PtRegs> regs = List.of(PtRegs.RDI, PtRegs.RSI, PtRegs.RDX, PtRegs.RCX, PtRegs.R8, PtRegs.R9,
                PtRegs.RAX, PtRegs.RIP);
        List<Probe> probes = new ArrayList<>();
        for (int k = 0; k < 6; k++) {
            probes.add(Probe.entry(args, k));
        }
        probes.add(Probe.ret(args, 6));
        probes.add(Probe.entry(args, 7));
        try (BpfMap<Integer, Long> values = BpfMap.array("rpt_regs", Codec.U64, regs.size());
             Program p = Program.load(type, Programs.recordRegisterByCookie(values.fd(), regs), "GPL",
                     TestSupport.uniqueName("rpt_regs"));
             UprobeLinks links = UprobeAttach.attach(p, target, probes, OptionalInt.empty())) {
            String out = TestSupport.run(List.of(target.toString(), "args"));
            // The values rp_args is called with in probe_target.c, in System V argument order.
            long[] expected = {0x1122334455667788L, 0x2233445566778899L, 0x33445566778899aaL,
                0x445566778899aabbL, 0x5566778899aabbccL, 0x66778899aabbccddL};
            long xor = 0;
            for (int k = 0; k < 6; k++) {
                assertEquals(expected[k], values.lookup(k).orElseThrow(), regs.get(k) + " at entry");
                xor ^= expected[k];
            }
            assertEquals(xor, values.lookup(6).orElseThrow(), "rax at return is rp_args's result");
            long printed = Long.parseUnsignedLong(out.strip().substring(2), 16);
            assertEquals(printed, values.lookup(7).orElseThrow(), "rip at entry is rp_args's runtime address");
        }
    }

    @ParameterizedTest
    @EnumSource(value = ProgramType.class, names = {"KPROBE", "UPROBE_MULTI"})
    void pidFilterCountsOnlyThatProcess(ProgramType type) throws Exception {
        long hit = TestSupport.offsetOf(target, "rp_hit");
        Process a = new ProcessBuilder(target.toString(), "-w", "count", "300", "0").start();
        Process b = new ProcessBuilder(target.toString(), "-w", "count", "300", "0").start();
        try {
            int pidA = Integer.parseInt(new BufferedReader(new InputStreamReader(a.getInputStream())).readLine());
            new BufferedReader(new InputStreamReader(b.getInputStream())).readLine();
            try (BpfMap<Integer, Long> counts = BpfMap.array("rpt_pid", Codec.U64, 1);
                 Program p = Program.load(type, HitCounter.byCookie(counts.fd()), "GPL",
                         TestSupport.uniqueName("rpt_pid"));
                 UprobeLinks links = UprobeAttach.attach(p, target, List.of(Probe.entry(hit, 0)),
                         OptionalInt.of(pidA))) {
                for (Process x : List.of(a, b)) {
                    OutputStream in = x.getOutputStream();
                    in.write("go\n".getBytes(StandardCharsets.US_ASCII));
                    in.flush();
                }
                assertTrue(a.waitFor(30, TimeUnit.SECONDS) && b.waitFor(30, TimeUnit.SECONDS));
                assertEquals(300L, counts.lookup(0).orElseThrow(), "only the calls of pid " + pidA);
            }
        } finally {
            a.destroyForcibly();
            b.destroyForcibly();
        }
    }

    @ParameterizedTest
    @EnumSource(value = ProgramType.class, names = {"KPROBE", "UPROBE_MULTI"})
    void attachesManyProbesEachWithItsOwnCookie(ProgramType type) {
        // Perf-event uprobes detach one RCU grace period at a time (about 0.1 s each on kernel 6.18), so the
        // one-link-per-probe path is checked with fewer probes; bench/bpf times both at 1,000.
        int n = type == ProgramType.UPROBE_MULTI ? 1000 : 40;
        Path many = ManyFunctions.binary(1000);
        var offsets = TestSupport.functionOffsets(many);
        List<Probe> probes = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            probes.add(Probe.entry(offsets.get("rp_f" + i), i));
        }
        try (BpfMap<Integer, Long> counts = BpfMap.array("rpt_many", Codec.U64, n);
             Program p = Program.load(type, HitCounter.byCookie(counts.fd()), "GPL", TestSupport.uniqueName("rpt_many"));
             UprobeLinks links = UprobeAttach.attach(p, many, probes, OptionalInt.empty())) {
            assertEquals(n, links.probeCount());
            assertEquals(type == ProgramType.UPROBE_MULTI ? 1 : n, links.linkCount());
            TestSupport.run(List.of(many.toString()));
            for (int i = 0; i < n; i++) {
                assertEquals(ManyFunctions.calls(i), counts.lookup(i).orElseThrow(), "calls of rp_f" + i);
            }
        }
    }

    @Test
    void attachFailuresSaySomethingActionable() {
        try (BpfMap<Integer, Long> counts = BpfMap.array("rpt_err", Codec.U64, 1);
             Program multi = Program.load(ProgramType.UPROBE_MULTI, HitCounter.byCookie(counts.fd()), "GPL",
                     TestSupport.uniqueName("rpt_err"));
             Program each = Program.load(ProgramType.KPROBE, HitCounter.byCookie(counts.fd()), "GPL",
                     TestSupport.uniqueName("rpt_err"))) {
            BpfException missing = assertThrows(BpfException.class, () -> UprobeAttach.attach(multi,
                    Path.of("/no/such/binary"), List.of(Probe.entry(0, 0)), OptionalInt.empty()));
            assertTrue(missing.getMessage().contains("not a regular file"), missing.getMessage());
            BpfException wrongType = assertThrows(BpfException.class, () -> UprobeAttach.attachMulti(each, target,
                    List.of(Probe.entry(0, 0)), OptionalInt.empty()));
            assertTrue(wrongType.getMessage().contains("UPROBE_MULTI"), wrongType.getMessage());
            BpfException beyond = assertThrows(BpfException.class, () -> UprobeAttach.attach(each, target,
                    List.of(Probe.entry(1L << 40, 0)), OptionalInt.empty()));
            assertTrue(beyond.getMessage().contains("(EINVAL)"), beyond.getMessage());
            BpfException noPid = assertThrows(BpfException.class, () -> UprobeAttach.attach(each, target,
                    List.of(Probe.entry(TestSupport.offsetOf(target, "rp_hit"), 0)), OptionalInt.of(999_999_999)));
            assertTrue(noPid.getMessage().contains("no process"), noPid.getMessage());
        }
    }
}
