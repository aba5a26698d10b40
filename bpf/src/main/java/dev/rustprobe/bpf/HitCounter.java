// The smallest useful probe program: counts hits per attach cookie in an array map. Tests and measurements attach
// it where only "did the probe fire, how often" matters.
package dev.rustprobe.bpf;

import dev.rustprobe.bpf.asm.Asm;
import dev.rustprobe.bpf.asm.Helper;
import dev.rustprobe.bpf.asm.Insn;
import dev.rustprobe.bpf.asm.Reg;
import dev.rustprobe.bpf.asm.Size;
import java.util.List;

public final class HitCounter {
    private HitCounter() {
    }

    /** counts[cookie] += 1 (atomically), for cookies inside the array; others are not counted. */
    public static List<Insn> byCookie(int countsFd) {
        return new Asm()
                .call(Helper.GET_ATTACH_COOKIE) // r1 is still ctx on entry
                .stxw(Reg.R10, -4, Reg.R0)
                .ldMapFd(Reg.R1, countsFd)
                .mov64Reg(Reg.R2, Reg.R10)
                .add(Reg.R2, -4)
                .call(Helper.MAP_LOOKUP_ELEM)
                .jeq(Reg.R0, 0, "out")
                .mov64Imm(Reg.R1, 1)
                .atomicAdd(Size.DW, Reg.R0, 0, Reg.R1)
                .label("out")
                .mov64Imm(Reg.R0, 0)
                .exit()
                .build();
    }
}
