// Small programs the kernel tests attach (besides HitCounter): record a cookie-selected register.
package dev.rustprobe.bpf;

import dev.rustprobe.bpf.asm.Asm;
import dev.rustprobe.bpf.asm.Helper;
import dev.rustprobe.bpf.asm.Insn;
import dev.rustprobe.bpf.asm.Reg;
import java.util.List;

final class Programs {
    private Programs() {
    }

    /** values[cookie] = the pt_regs field regs[cookie], choosing the load by comparing the cookie. */
    static List<Insn> recordRegisterByCookie(int valuesFd, List<PtRegs> regs) {
        Asm a = new Asm();
        a.mov64Reg(Reg.R6, Reg.R1)
                .call(Helper.GET_ATTACH_COOKIE)
                .mov64Reg(Reg.R7, Reg.R0);
        for (int k = 0; k < regs.size(); k++) {
            a.jeq(Reg.R7, k, "reg" + k);
        }
        a.ja("out");
        for (int k = 0; k < regs.size(); k++) {
            a.label("reg" + k).ldxdw(Reg.R8, Reg.R6, regs.get(k).offset()).ja("store");
        }
        a.label("store")
                .stxw(Reg.R10, -4, Reg.R7)
                .ldMapFd(Reg.R1, valuesFd)
                .mov64Reg(Reg.R2, Reg.R10)
                .add(Reg.R2, -4)
                .call(Helper.MAP_LOOKUP_ELEM)
                .jeq(Reg.R0, 0, "out")
                .stxdw(Reg.R0, 0, Reg.R8)
                .label("out")
                .mov64Imm(Reg.R0, 0)
                .exit();
        return a.build();
    }
}
