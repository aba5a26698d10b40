// The kernel verifier accepts well-formed programs we assemble and rejects a bad one with its log.
package dev.rustprobe.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rustprobe.bpf.asm.Asm;
import dev.rustprobe.bpf.asm.Helper;
import dev.rustprobe.bpf.asm.Reg;
import dev.rustprobe.bpf.asm.Size;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ProgramLoadTest {
    @BeforeEach
    void needsBpf() {
        TestSupport.assumeBpf();
    }

    @Test
    void verifierAcceptsProgramsUsingMapsHelpersAndJumps() {
        String name = TestSupport.uniqueName("rpt_load");
        try (BpfMap<Integer, Long> counts = BpfMap.array("rpt_counts", Codec.U64, 4)) {
            Asm a = new Asm();
            a.mov64Reg(Reg.R6, Reg.R1)
                    .call(Helper.GET_ATTACH_COOKIE)
                    .jgt(Reg.R0, 3, "out")
                    .stxw(Reg.R10, -4, Reg.R0)
                    .ldMapFd(Reg.R1, counts.fd())
                    .mov64Reg(Reg.R2, Reg.R10)
                    .add(Reg.R2, -4)
                    .call(Helper.MAP_LOOKUP_ELEM)
                    .jeq(Reg.R0, 0, "out")
                    .mov64Imm(Reg.R1, 1)
                    .atomicAdd(Size.DW, Reg.R0, 0, Reg.R1)
                    .ld64Imm(Reg.R2, 0x1122334455667788L)
                    .label("loop")
                    .rsh(Reg.R2, 8)
                    .jne(Reg.R2, 0, "loop")
                    .label("out")
                    .mov64Imm(Reg.R0, 0)
                    .exit();
            for (ProgramType type : new ProgramType[] {ProgramType.KPROBE, ProgramType.UPROBE_MULTI}) {
                try (Program p = Program.load(type, a.build(), "GPL", name)) {
                    assertTrue(p.fd() >= 0);
                    int id = p.id();
                    assertTrue(KernelObjects.programs().stream().anyMatch(i -> i.id() == id && i.name().equals(name)
                            && i.type() == 2), "the kernel lists the program under its name");
                }
            }
        }
    }

    @Test
    void verifierRejectionCarriesTheLog() {
        // r0 is never set before exit: the verifier must refuse with "R0 !read_ok".
        var bad = new Asm().mov64Imm(Reg.R1, 1).exit().build();
        BpfException e = assertThrows(BpfException.class,
                () -> Program.load(ProgramType.KPROBE, bad, "GPL", TestSupport.uniqueName("rpt_bad")));
        assertTrue(e.getMessage().startsWith("The kernel verifier rejected BPF program"), e.getMessage());
        assertTrue(e.getMessage().contains("R0 !read_ok"), e.getMessage());
        assertTrue(e.verifierLog().orElseThrow().contains("R0 !read_ok"));
        assertEquals(Errno.EACCES, e.errno());
    }

    @Test
    void mapValueUsedWithoutNullCheckIsRejectedWithTheReason() {
        try (BpfMap<Integer, Long> m = BpfMap.hash("rpt_nullchk", Codec.U32, Codec.U64, 1)) {
            var bad = new Asm()
                    .stImm(Size.W, Reg.R10, -4, 0)
                    .ldMapFd(Reg.R1, m.fd())
                    .mov64Reg(Reg.R2, Reg.R10)
                    .add(Reg.R2, -4)
                    .call(Helper.MAP_LOOKUP_ELEM)
                    .ldxdw(Reg.R0, Reg.R0, 0)
                    .exit()
                    .build();
            BpfException e = assertThrows(BpfException.class,
                    () -> Program.load(ProgramType.KPROBE, bad, "GPL", TestSupport.uniqueName("rpt_bad")));
            assertTrue(e.verifierLog().orElseThrow().contains("map_value_or_null"), e.getMessage());
        }
    }

    @Test
    void badNamesAndEmptyProgramsAreRefusedBeforeTheKernel() {
        var ok = new Asm().mov64Imm(Reg.R0, 0).exit().build();
        assertThrows(BpfException.class, () -> Program.load(ProgramType.KPROBE, ok, "GPL", "has space"));
        assertThrows(BpfException.class, () -> Program.load(ProgramType.KPROBE, ok, "GPL", "much_too_long_a_name"));
        assertThrows(BpfException.class, () -> Program.load(ProgramType.KPROBE, java.util.List.of(), "GPL", "empty"));
    }
}
