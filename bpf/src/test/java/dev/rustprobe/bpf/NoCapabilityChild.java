// Child process for ErrorMessagesTest, started without CAP_BPF, CAP_PERFMON and CAP_SYS_ADMIN: tries to load a
// kprobe program and prints the message of the failure.
package dev.rustprobe.bpf;

import dev.rustprobe.bpf.asm.Asm;
import dev.rustprobe.bpf.asm.Reg;

public final class NoCapabilityChild {
    public static void main(String[] args) {
        try {
            Program.load(ProgramType.KPROBE, new Asm().mov64Imm(Reg.R0, 0).exit().build(), "GPL", "rpt_nocap").close();
            System.out.println("LOADED");
        } catch (BpfException e) {
            System.out.println(e.getMessage());
        }
    }
}
