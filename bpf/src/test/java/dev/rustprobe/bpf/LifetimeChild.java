// Child process for LifetimeTest: loads programs, attaches them both ways, opens a ring buffer, prints
// "READY <prog id> <prog id>" and then blocks in a ring buffer poll until it is killed or interrupted.
package dev.rustprobe.bpf;

import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;

public final class LifetimeChild {
    public static void main(String[] args) {
        Path target = Path.of(args[0]);
        String name = args[1];
        long hit = TestSupport.offsetOf(target, "rp_hit");
        RingBuffer rb = RingBuffer.open(name, 1 << 16);
        BpfMap<Integer, Long> counts = BpfMap.array(name, Codec.U64, 2);
        Program multi = Program.load(ProgramType.UPROBE_MULTI, HitCounter.byCookie(counts.fd()), "GPL", name);
        Program each = Program.load(ProgramType.KPROBE, HitCounter.byCookie(counts.fd()), "GPL", name);
        UprobeAttach.attach(multi, target, List.of(Probe.entry(hit, 0), Probe.ret(hit, 1)), OptionalInt.empty());
        UprobeAttach.attach(each, target, List.of(Probe.entry(hit, 0)), OptionalInt.empty());
        System.out.println("READY " + multi.id() + " " + each.id());
        System.out.flush();
        while (true) {
            rb.poll(-1, b -> { });
        }
    }
}
