// The probe programs' ring-buffer wake-ups on the real kernel: records are submitted without waking the reader,
// which drains on its timer, except when the waiting data grows past the threshold (a quarter of the ring) or a
// further step of it. This checks that the wake-up does come, so a reader asleep on a long timeout is not left
// to find a full ring.
package dev.rustprobe.trace;

import dev.rustprobe.bpf.Probe;
import dev.rustprobe.elf.ElfFile;
import dev.rustprobe.probe.FetchPlan;
import dev.rustprobe.probe.ProbeProgram;
import dev.rustprobe.testing.ExternalTools;
import dev.rustprobe.testing.KernelCheck;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RingWakeKernelTest {
    static final String SOURCE = """
            #include <stdlib.h>
            __attribute__((noinline, used)) long rp_tick(long i) { __asm__ volatile("" ::: "memory"); return i; }
            int main(int argc, char **argv) {
                long n = atol(argv[1]), sink = 0;
                for (long i = 0; i < n; i++) sink += rp_tick(i);
                return sink == 42;
            }
            """;
    /** 64 KiB ring: the threshold is 16 KiB, a step 4 KiB; a record with one 64-byte read is about 300 bytes. */
    static final int RING = 64 << 10;

    static Path target;
    static long tick;

    @BeforeAll
    static void build(@TempDir Path dir) {
        KernelCheck.assumeBpf();
        target = ExternalTools.gcc(dir, "rp_ticks", SOURCE, "-O1");
        ElfFile elf = ElfFile.open(target);
        long at = ProbeProgramKernelTest.function(elf, "rp_tick").value();
        tick = elf.fileOffsetOf(at).getAsLong();
    }

    static List<LiveProbes.Group> tickProbe() {
        FetchPlan plan = new FetchPlan(List.of(FetchPlan.Read.fixed(new FetchPlan.Word.Register("rsp"), 0, 64)));
        return List.of(new LiveProbes.Group(new ProbeProgram.Spec(ProbeProgram.Role.CALL_UNPAIRED, -1, plan),
                List.of(Probe.entry(tick, 1))));
    }

    @Test
    void aReaderAsleepIsWokenOnceTheThresholdIsPassed() throws Exception {
        List<Integer> progs;
        try (LiveProbes live = LiveProbes.attach(target, tickProbe(), OptionalInt.empty(), RING)) {
            progs = live.programIds();
            // 100 records (~30 KiB) pass the 16 KiB threshold; nothing else would end a 20-second wait early
            CompletableFuture<Void> run = CompletableFuture.runAsync(() -> ExternalTools.run(target.toString(), "100"));
            long t0 = System.nanoTime();
            int first = live.poll(20_000, b -> { });
            long waitedMs = (System.nanoTime() - t0) / 1_000_000;
            run.get(20, TimeUnit.SECONDS);
            int total = first;
            while (true) {
                int n = live.poll(100, b -> { });
                if (n == 0) {
                    break;
                }
                total += n;
            }
            assertTrue(first > 0, "the reader was woken with records waiting");
            assertTrue(waitedMs < 10_000, "woken by the threshold, not by the 20 s timeout: " + waitedMs + " ms");
            assertEquals(100, total);
            assertEquals(0, live.lost());
        }
        KernelCheck.assertGone(progs);
    }
}
