// EntryHop's effect model on hand-made instruction bytes and on a gcc-built program of assembly functions: it moves
// past prefixes it can prove harmless and refuses each unsafe case (each refusal is a movable case changed in one
// property, so it fails if that check is removed).
package dev.rustprobe.probe;

import dev.rustprobe.bpf.PtRegs;
import dev.rustprobe.elf.ElfFile;
import dev.rustprobe.elf.ElfSymbol;
import dev.rustprobe.testing.ExternalTools;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EntryHopTest {
    static final long AT = 0x1000;

    static byte[] code(int... bytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int b : bytes) {
            out.write(b);
        }
        // padding as compilers leave it, so the copy decodes to its end
        for (int k = 0; k < 4; k++) {
            out.write(0xcc);
        }
        return out.toByteArray();
    }

    static long regs(PtRegs... rs) {
        long m = (1L << (PtRegs.RIP.offset() / 8)) | (1L << (PtRegs.RSP.offset() / 8));
        for (PtRegs r : rs) {
            m |= 1L << (r.offset() / 8);
        }
        return m;
    }

    static EntryHop.Decision decide(byte[] c, long regs) {
        return EntryHop.decide(c, AT, c.length, regs, false, Set.of());
    }

    // sub rsp,0x18 ; mov [rsp+0x10],rdi ; lea rax,[rsp+8] ; call +0 ; add rsp,0x18 ; ret
    static final int[] FRAME = {0x48, 0x83, 0xec, 0x18, 0x48, 0x89, 0x7c, 0x24, 0x10, 0x48, 0x8d, 0x44, 0x24, 0x08,
            0xe8, 0, 0, 0, 0, 0x48, 0x83, 0xc4, 0x18, 0xc3};

    @Test
    void movesPastAFramePrologueAndKnowsHowFarRspMoved() {
        EntryHop.Decision d = decide(code(FRAME), regs(PtRegs.RDI, PtRegs.RSI));
        assertTrue(d.moved(), d.sentence());
        assertEquals(AT + 14, d.probe());
        assertEquals(3, d.skipped());
        assertEquals(0x18, d.entryRspDelta(), "entry rsp = probe rsp + 0x18");
        assertEquals(UprobeCost.Handling.EMULATED, d.probeHandling());
        assertEquals("entry probe at +0xe (call, emulated), moved past 3 instructions that leave rdi, rsi untouched;"
                + " they lower rsp by 0x18, which the probe adds back; at +0 (sub) the kernel"
                + " would single-step it", d.sentence());
    }

    @Test
    void anEntryTheKernelAlreadyEmulatesStays() {
        EntryHop.Decision d = decide(code(0x55, 0x48, 0x89, 0xe5, 0x5d, 0xc3), regs(PtRegs.RDI));
        assertFalse(d.moved());
        assertEquals(null, d.reason());
        assertEquals("entry probe at +0 (push, emulated)", d.sentence());
    }

    // mov rax,rdi ; mov rcx,rsi ; test edx,edx ; jne +2 ; xor eax,eax ; ret ; ret
    static final int[] ARGS = {0x48, 0x89, 0xf8, 0x48, 0x89, 0xf1, 0x85, 0xd2, 0x75, 0x03, 0x31, 0xc0, 0xc3, 0xc3};

    @Test
    void refusesWhenASkippedInstructionWritesARegisterTheProbeReads() {
        assertTrue(decide(code(ARGS), regs(PtRegs.RDI, PtRegs.RSI, PtRegs.RDX)).moved(), "rax, rcx: not read");
        EntryHop.Decision d = decide(code(ARGS), regs(PtRegs.RDI, PtRegs.RCX));
        assertFalse(d.moved());
        assertEquals(AT + 8, d.target(), "the jne is where it would go");
        assertEquals("entry probe at +0 (mov, single-stepped): not moved to +0x8 (jne): the mov at +0x3 writes rcx,"
                + " which the probe records", d.sentence());
    }

    @Test
    void partialWritesCountAsWrites() {
        // mov bh,al (no REX: register 7 is bh, part of rbx) ; push rbp
        int[] bh = {0x88, 0xc7, 0x55, 0xc3};
        assertTrue(decide(code(bh), regs(PtRegs.RDI)).moved(), "bh is not dil");
        assertFalse(decide(code(bh), regs(PtRegs.RBX)).moved());
        // mov dil,al (REX: register 7 is dil, part of rdi) ; push rbp
        int[] dil = {0x40, 0x88, 0xc7, 0x55, 0xc3};
        assertTrue(decide(code(dil), regs(PtRegs.RBX)).moved());
        assertFalse(decide(code(dil), regs(PtRegs.RDI)).moved());
        // setne sil ; push rbp   and   cmovne esi,edx ; push rbp
        assertFalse(decide(code(0x40, 0x0f, 0x95, 0xc6, 0x55, 0xc3), regs(PtRegs.RSI)).moved());
        assertFalse(decide(code(0x0f, 0x45, 0xf2, 0x55, 0xc3), regs(PtRegs.RSI)).moved());
        assertTrue(decide(code(0x0f, 0x45, 0xf2, 0x55, 0xc3), regs(PtRegs.RDX)).moved(), "cmov reads edx only");
    }

    @Test
    void refusesAStoreThroughAnyPointerButTheNewFrame() {
        // mov [rsp-8],rdi (below the entry rsp: the red zone, the new frame) ; push rbp
        assertTrue(decide(code(0x48, 0x89, 0x7c, 0x24, 0xf8, 0x55, 0xc3), regs(PtRegs.RDI)).moved());
        // mov [rdi],rsi ; push rbp: could change memory a read takes
        EntryHop.Decision d = decide(code(0x48, 0x89, 0x37, 0x55, 0xc3), regs(PtRegs.RDI));
        assertFalse(d.moved());
        assertTrue(d.reason().contains("stores through rdi"), d.reason());
        // mov [rsp],rdi ; push rbp: overwrites the return address, at the entry rsp itself
        d = decide(code(0x48, 0x89, 0x3c, 0x24, 0x55, 0xc3), regs(PtRegs.RDI));
        assertFalse(d.moved());
        assertTrue(d.reason().contains("not strictly below the entry rsp"), d.reason());
        // sub rsp,0x18 ; mov [rsp+0x20],rdi: a stack argument's slot, above the entry rsp
        d = decide(code(0x48, 0x83, 0xec, 0x18, 0x48, 0x89, 0x7c, 0x24, 0x20, 0x55, 0xc3), regs());
        assertFalse(d.moved());
        assertTrue(d.reason().contains("entry rsp+0x8"), d.reason());
        // mov [rip+0],edi ; push rbp: a global
        assertFalse(decide(code(0x89, 0x3d, 0, 0, 0, 0, 0x55, 0xc3), regs()).moved());
        // a register known to hold an address in the new frame is as good as rsp:
        // sub rsp,0x18 ; lea rcx,[rsp+0xc] ; mov dword [rcx],5 ; push rbp
        int[] viaRcx = {0x48, 0x83, 0xec, 0x18, 0x48, 0x8d, 0x4c, 0x24, 0x0c, 0xc7, 0x01, 5, 0, 0, 0, 0x55, 0xc3};
        assertTrue(decide(code(viaRcx), regs(PtRegs.RDI)).moved());
        // ...but not once it is overwritten: mov rcx,rdi in between
        int[] overwritten = {0x48, 0x83, 0xec, 0x18, 0x48, 0x8d, 0x4c, 0x24, 0x0c, 0x48, 0x89, 0xf9, 0xc7, 0x01, 5, 0,
                0, 0, 0x55, 0xc3};
        assertFalse(decide(code(overwritten), regs(PtRegs.RDI)).moved());
    }

    @Test
    void refusesWhenABranchTargetsTheSkippedRangeOrTheNewAddress() {
        // mov rax,rdi ; mov rcx,rsi ; push rbp ; pop rbp ; jmp <to>
        int[] base = {0x48, 0x89, 0xf8, 0x48, 0x89, 0xf1, 0x55, 0x5d, 0xeb, 0};
        int[] pastIt = base.clone();
        pastIt[9] = (byte) (7 - 10); // jmp to +7 (pop): past the probe at +6
        assertTrue(decide(code(pastIt), regs()).moved());
        int[] intoIt = base.clone();
        intoIt[9] = (byte) (3 - 10); // jmp to +3: the second skipped instruction
        EntryHop.Decision d = decide(code(intoIt), regs());
        assertFalse(d.moved());
        assertTrue(d.reason().contains("the jmp at +0x8 jumps to +0x3"), d.reason());
        int[] ontoIt = base.clone();
        ontoIt[9] = (byte) (6 - 10); // jmp to +6: the new probe address itself (a loop back to the push)
        assertFalse(decide(code(ontoIt), regs()).moved());
        int[] toEntry = base.clone();
        toEntry[9] = (byte) (0 - 10); // to the entry: the whole prefix runs again, fine
        assertTrue(decide(code(toEntry), regs()).moved());
    }

    @Test
    void refusesWithAnIndirectJumpButNotWithATailCallThroughOneSlot() {
        // mov rax,rdi ; push rbp ; pop rbp ; jmp rax
        EntryHop.Decision d = decide(code(0x48, 0x89, 0xf8, 0x55, 0x5d, 0xff, 0xe0), regs());
        assertFalse(d.moved());
        assertTrue(d.reason().contains("indirect jmp"), d.reason());
        // ... jmp [rip+0]: a GOT-style tail call, not a jump table
        assertTrue(decide(code(0x48, 0x89, 0xf8, 0x55, 0x5d, 0xff, 0x25, 0, 0, 0, 0), regs()).moved());
        // ... jmp [rax*8+0]: a jump table
        assertFalse(decide(code(0x48, 0x89, 0xf8, 0x55, 0x5d, 0xff, 0x24, 0xc5, 0, 0, 0, 0), regs()).moved());
    }

    @Test
    void refusesWhenTheReturnsAreTakenWithAUretprobeOrTheNewAddressIsAnExit() {
        byte[] c = code(FRAME);
        assertTrue(EntryHop.decide(c, AT, c.length, regs(), false, Set.of()).moved());
        EntryHop.Decision d = EntryHop.decide(c, AT, c.length, regs(), true, Set.of());
        assertFalse(d.moved());
        assertTrue(d.reason().contains("uretprobe"), d.reason());
        assertFalse(EntryHop.decide(c, AT, c.length, regs(), false, Set.of(AT + 14)).moved(), "an exit at the call");
        assertTrue(EntryHop.decide(c, AT, c.length, regs(), false, Set.of(AT + 23)).moved(), "the ret is further on");
    }

    @Test
    void stopsAtWhatItCannotModel() {
        // and rsp,-16 (rsp by an unknown amount) ; push rbp
        assertTrue(decide(code(0x48, 0x83, 0xe4, 0xf0, 0x55, 0xc3), regs()).reason().contains("changes rsp"));
        // mov rsp,rax
        assertFalse(decide(code(0x48, 0x89, 0xc4, 0x55, 0xc3), regs()).moved());
        // add rsp,8 at entry: rsp above the entry rsp (the return address would be below it)
        assertFalse(decide(code(0x48, 0x83, 0xc4, 0x08, 0x55, 0xc3), regs()).moved());
        // cqo (writes rdx implicitly), xchg, lock inc, rdtsc: not modelled
        assertFalse(decide(code(0x48, 0x99, 0x55, 0xc3), regs()).moved());
        assertFalse(decide(code(0x48, 0x87, 0xfe, 0x55, 0xc3), regs()).moved());
        assertFalse(decide(code(0xf0, 0xff, 0x07, 0x55, 0xc3), regs()).moved());
        assertFalse(decide(code(0x0f, 0x31, 0x55, 0xc3), regs()).moved());
        // a ret before any emulated instruction
        assertTrue(decide(code(0x89, 0xf8, 0xc3, 0x55), regs()).reason().contains("the ret at +0x2"));
        // eflags recorded: flags change under the skipped test
        long flags = regs() | (1L << (PtRegs.EFLAGS.offset() / 8));
        assertFalse(decide(code(0x85, 0xff, 0x55, 0xc3), flags).moved());
        assertTrue(decide(code(0x85, 0xff, 0x55, 0xc3), regs()).moved());
        // more than MAX_SKIPPED instructions: 13 x (mov eax,ecx), push rbp
        int[] many = new int[2 * (EntryHop.MAX_SKIPPED + 1) + 2];
        for (int k = 0; k < EntryHop.MAX_SKIPPED + 1; k++) {
            many[2 * k] = 0x89;
            many[2 * k + 1] = 0xc8;
        }
        many[many.length - 2] = 0x55;
        many[many.length - 1] = 0xc3;
        assertTrue(decide(code(many), regs()).reason().contains("none of its first"));
        int[] fewer = java.util.Arrays.copyOfRange(many, 2, many.length);
        assertTrue(decide(code(fewer), regs()).moved(), "12 skipped is the limit");
    }

    @Test
    void sseInstructionsWriteOnlyTheRegistersTheyNameAndTheirStoresAreChecked() {
        // sub rsp,0x28 ; movups xmm0,[rdi] ; movaps [rsp],xmm0 ; call +0
        int[] c = {0x48, 0x83, 0xec, 0x28, 0x0f, 0x10, 0x07, 0x0f, 0x29, 0x04, 0x24, 0xe8, 0, 0, 0, 0, 0xc3};
        EntryHop.Decision d = decide(code(c), regs(PtRegs.RDI));
        assertTrue(d.moved(), d.sentence());
        assertEquals(0x28, d.entryRspDelta());
        // movaps [rdi],xmm0 instead: a store through an argument
        int[] through = c.clone();
        through[9] = 0x07;
        through[10] = 0x90; // keep the length: the store becomes 3 bytes, a nop follows
        assertFalse(decide(code(through), regs(PtRegs.RDI)).moved());
        // pcmpeqb xmm0,xmm1 writes an xmm register only; pmovmskb edi,xmm0 and tzcnt rdi,rax write rdi
        assertTrue(decide(code(0x66, 0x0f, 0x74, 0xc1, 0x55, 0xc3), regs(PtRegs.RDI)).moved());
        assertFalse(decide(code(0x66, 0x0f, 0xd7, 0xf8, 0x55, 0xc3), regs(PtRegs.RDI)).moved());
        assertTrue(decide(code(0x66, 0x0f, 0xd7, 0xf8, 0x55, 0xc3), regs(PtRegs.RSI)).moved());
        assertFalse(decide(code(0xf3, 0x48, 0x0f, 0xbc, 0xf8, 0x55, 0xc3), regs(PtRegs.RDI)).moved());
        // bt rdi,25 reads only; bts rdi,25 writes rdi
        assertTrue(decide(code(0x48, 0x0f, 0xba, 0xe7, 0x19, 0x55, 0xc3), regs(PtRegs.RDI)).moved());
        assertFalse(decide(code(0x48, 0x0f, 0xba, 0xef, 0x19, 0x55, 0xc3), regs(PtRegs.RDI)).moved());
    }

    // ---- the same rules on a real ELF: gcc-built assembly functions, read through FunctionCode like the planner

    static final String ASM = """
            #define FN(name) ".globl " #name "\\n.type " #name ",@function\\n" #name ":\\n"
            #define END(name) ".size " #name ", .-" #name "\\n"
            __asm__(".text\\n"
                FN(frame_hop) "sub $0x18,%rsp\\n mov %rdi,0x10(%rsp)\\n mov %rsi,%rax\\n call leaf\\n"
                    " add $0x18,%rsp\\n ret\\n" END(frame_hop)
                FN(writes_arg) "mov (%rdi),%rdi\\n push %rbx\\n pop %rbx\\n ret\\n" END(writes_arg)
                FN(stores_ptr) "mov %rdi,(%rdx)\\n push %rbx\\n pop %rbx\\n ret\\n" END(stores_ptr)
                FN(branch_into) "mov %rdi,%rax\\n 1: mov %rsi,%rcx\\n push %rbx\\n pop %rbx\\n dec %rcx\\n jne 1b\\n"
                    " ret\\n" END(branch_into)
                FN(jump_table) "mov %rdi,%rax\\n push %rbx\\n pop %rbx\\n lea 2f(%rip),%rcx\\n jmp *(%rcx,%rax,8)\\n"
                    " 2: ret\\n" END(jump_table)
                FN(leaf) "lea (%rdi,%rsi),%rax\\n ret\\n" END(leaf)
            );
            long frame_hop(long, long);
            int main(int argc, char **argv) { return (int) frame_hop(argc, 2); }
            """;

    static ElfFile elf;

    @BeforeAll
    static void build(@TempDir Path dir) {
        elf = ElfFile.open(ExternalTools.gcc(dir, "rp_hops", ASM, "-O1"));
    }

    static EntryHop.Decision of(String name, long regs) {
        ElfSymbol s = elf.symbols().stream().filter(x -> x.name().equals(name) && x.isFunction()).findFirst()
                .orElseThrow();
        return EntryHop.decide(FunctionCode.read(elf, s.value(), s.size()), s.value(), s.size(), regs, false, Set.of());
    }

    @Test
    void assemblyFunctionsOfARealBinary() {
        long args = regs(PtRegs.RDI, PtRegs.RSI);
        EntryHop.Decision frame = of("frame_hop", args);
        assertTrue(frame.moved(), frame.sentence());
        assertEquals(3, frame.skipped());
        assertEquals(0x18, frame.entryRspDelta());
        assertEquals("call", frame.probeInstruction());

        assertTrue(of("writes_arg", regs(PtRegs.RSI)).moved(), "rdi is not read");
        assertTrue(of("writes_arg", args).reason().contains("writes rdi"));

        assertTrue(of("stores_ptr", args).reason().contains("stores through rdx"));

        assertTrue(of("branch_into", regs()).reason().contains("jumps to +0x3"), of("branch_into", regs()).reason());

        assertTrue(of("jump_table", regs()).reason().contains("indirect jmp"));
        assertFalse(of("leaf", regs()).moved(), "lea, then ret: nothing emulated to move to");
    }
}
