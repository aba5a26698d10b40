// Generates the BPF program for one kind of probe site from its FetchPlan: copy pt_regs into a ring-buffer record,
// execute the plan's reads with bpf_probe_read_user, and keep the per-thread call stack that pairs calls with returns.
package dev.rustprobe.probe;

import dev.rustprobe.bpf.BpfException;
import dev.rustprobe.bpf.PtRegs;
import dev.rustprobe.bpf.RingBuffer;
import dev.rustprobe.bpf.asm.AluOp;
import dev.rustprobe.bpf.asm.Asm;
import dev.rustprobe.bpf.asm.Helper;
import dev.rustprobe.bpf.asm.Insn;
import dev.rustprobe.bpf.asm.JmpOp;
import dev.rustprobe.bpf.asm.Reg;
import dev.rustprobe.bpf.asm.Size;

import java.util.List;

/*
 * Pairing lives in BPF: a hash map tid -> {depth, frames[MAX_FRAMES] of {entry rsp, entry ktime, site}}.
 * A live frame's callees always run at a lower rsp, so
 *  - at a call with rsp R, every frame with rsp <= R is dead: its function was left without a traced return
 *    (a panic unwound through it), and it is reported as an unwind record before the call is pushed;
 *  - at a return with rsp R (R = entry rsp at a ret or tail jump, entry rsp + 8 after a uretprobe), frames with
 *    rsp < R are dead the same way, and the frame with rsp == R is the call returning now;
 *  - at the entry of a function the catch_unwind landing pad calls (CATCH: std's do_catch or cleanup, see
 *    PanicCatch), the unwinder has already left every frame with rsp <= R: they are all popped and reported at
 *    once, so a panic's unwinds do not wait for the thread's next traced event.
 * User space then only joins a return with the call record that has the same tid and entry ktime.
 */
public final class ProbeProgram {
    /** Frames per thread; deeper calls are recorded but not paired (FLAG_STACK_FULL). */
    public static final int MAX_FRAMES = 32;
    /** Dead frames popped per call or return; more are popped by the thread's next events (a CATCH pops all). */
    public static final int MAX_UNWINDS_PER_EVENT = 8;
    public static final int FRAME_SIZE = 24;
    /** Stack-map value: u64 depth, then the frames. */
    public static final int STACK_VALUE_SIZE = 8 + MAX_FRAMES * FRAME_SIZE;
    /** As many reads as the fetch planner may plan for one site (FetchPlanner.MAX_READS). */
    public static final int MAX_READS = 64;

    /** bpf_ringbuf_submit flags, and bpf_ringbuf_query's BPF_RB_AVAIL_DATA (linux/bpf.h). */
    static final int BPF_RB_NO_WAKEUP = 1;
    static final int BPF_RB_FORCE_WAKEUP = 2;
    static final int BPF_RB_AVAIL_DATA = 0;
    static final int BPF_NOEXIST = 1;

    /** What a site does with the call stack. */
    public enum Role {
        /** A function's entry: record the call and push its frame, so that a return pairs with it. */
        CALL,
        /** A call nothing will return from as far as we can see (an inlined site, --returns=none): no frame. */
        CALL_UNPAIRED,
        /** A ret or tail jump of the function: rsp is the entry rsp again. */
        RETURN,
        /** A uretprobe: it fires after the ret, so rsp is the entry rsp + 8. */
        RETURN_AFTER,
        /**
         * Where a caught panic lands (PanicCatch: the entry of a function catch_unwind's landing pad calls): every
         * frame at or below this rsp was unwound. Pops them all, each reported as an unwind, and records nothing else.
         */
        CATCH
    }

    /**
     * One program's code. jccCondition: for a conditional tail jump, its x86 condition code (0-15): the program
     * records nothing unless the jump is taken, judged from the saved EFLAGS; -1 for every other site.
     * entryRspDelta: for an entry probe moved past instructions that lowered rsp (EntryHop), what they took off:
     * entry rsp = rsp + entryRspDelta. The program uses the entry rsp wherever it uses rsp (the record, reads based
     * on rsp, the frame pushed for pairing), so nothing downstream knows the probe moved.
     */
    public record Spec(Role role, int jccCondition, FetchPlan plan, int entryRspDelta) {
        public Spec {
            if (jccCondition < -1 || jccCondition > 15) {
                throw new IllegalArgumentException("x86 condition codes are 0-15, not " + jccCondition);
            }
            if (entryRspDelta < 0 || entryRspDelta > 1 << 20) {
                throw new IllegalArgumentException("a moved entry probe lies past instructions that lower rsp, so"
                        + " its rsp delta is between 0 and 1 MiB, not " + entryRspDelta);
            }
            if (entryRspDelta != 0 && role != Role.CALL && role != Role.CALL_UNPAIRED) {
                throw new IllegalArgumentException("only an entry probe can be moved, not a " + role);
            }
            if (plan.reads().size() > MAX_READS) {
                throw new IllegalArgumentException("a site can read at most " + MAX_READS + " places, not "
                        + plan.reads().size());
            }
        }

        /** A probe at the site's own address. */
        public Spec(Role role, int jccCondition, FetchPlan plan) {
            this(role, jccCondition, plan, 0);
        }
    }

    /**
     * The kernel objects a program refers to. stackMapFd: the tid -> frames hash map (u32 key, STACK_VALUE_SIZE
     * value); zeroMapFd: a one-entry array map of the same value size that stays zero (a new thread's stack is
     * initialised from it). tgid: record only this process (0: every process). wakeThreshold: the reader is woken
     * only when this many bytes are waiting (and otherwise reads on its own timer).
     */
    public record Maps(RingBuffer ring, int stackMapFd, int zeroMapFd, int tgid, int wakeThreshold) {}

    // Stack slots (offsets from r10).
    private static final int S_NOW = -8;
    private static final int S_SITE = -16;
    private static final int S_TID = -24;
    private static final int S_FLAGS = -32;
    private static final int S_ENTRY_KTIME = -40;
    private static final int S_ENTRY_SITE = -48;
    private static final int S_UNW_KTIME = -56;
    private static final int S_UNW_SITE = -64;
    private static final int S_SCRATCH = -72;
    private static final int S_LEN = -80;

    // Register roles for the whole program.
    private static final Reg CTX = Reg.R6;
    private static final Reg PID_TGID = Reg.R7;
    private static final Reg FRAMES = Reg.R8;
    private static final Reg RECORD = Reg.R9;

    private ProbeProgram() {}

    public static List<Insn> generate(Spec spec, Maps maps) {
        RecordLayout layout = new RecordLayout(spec.plan());
        if (layout.size() > maps.ring().size() / 2) {
            throw new BpfException("a record of " + layout.size() + " bytes does not fit the ring buffer");
        }
        Asm a = new Asm();
        a.mov64Reg(CTX, Reg.R1);
        if (spec.jccCondition() >= 0) {
            emitJccTaken(a, spec.jccCondition());
        }
        a.call(Helper.GET_CURRENT_PID_TGID).mov64Reg(PID_TGID, Reg.R0);
        if (maps.tgid() != 0) {
            a.mov64Reg(Reg.R1, PID_TGID).rsh(Reg.R1, 32).jne(Reg.R1, maps.tgid(), "exit");
        }
        a.call(Helper.KTIME_GET_NS).stxdw(Reg.R10, S_NOW, Reg.R0);
        a.mov64Reg(Reg.R1, CTX).call(Helper.GET_ATTACH_COOKIE).stxdw(Reg.R10, S_SITE, Reg.R0);
        a.stImm(Size.DW, Reg.R10, S_FLAGS, 0)
                .stImm(Size.DW, Reg.R10, S_ENTRY_KTIME, 0)
                .stImm(Size.DW, Reg.R10, S_ENTRY_SITE, 0);
        if (spec.role() == Role.CATCH) {
            emitCallStack(a, spec.role(), maps, 0);
            a.label("exit").mov64Imm(Reg.R0, 0).exit();
            return a.build();
        }
        if (spec.role() != Role.CALL_UNPAIRED) {
            emitCallStack(a, spec.role(), maps, spec.entryRspDelta());
        }
        a.label("record");
        maps.ring().emitReserve(a, layout.size(), RECORD, S_SCRATCH, "exit");
        emitHeader(a, spec.role() == Role.RETURN || spec.role() == Role.RETURN_AFTER
                ? RecordLayout.TYPE_RETURN : RecordLayout.TYPE_CALL);
        a.ldxdw(Reg.R1, Reg.R10, S_ENTRY_KTIME).stxdw(RECORD, RecordLayout.ENTRY_KTIME, Reg.R1)
                .ldxdw(Reg.R1, Reg.R10, S_ENTRY_SITE).stxw(RECORD, RecordLayout.ENTRY_SITE, Reg.R1)
                .ldxdw(Reg.R1, Reg.R10, S_FLAGS).stxw(RECORD, RecordLayout.FLAGS, Reg.R1);
        for (PtRegs r : PtRegs.values()) {
            int at = layout.registerOffset(r);
            if (at >= 0) {
                a.ldxdw(Reg.R1, CTX, r.offset());
                if (r == PtRegs.RSP && spec.entryRspDelta() != 0) {
                    a.add(Reg.R1, spec.entryRspDelta());
                }
                a.stxdw(RECORD, at, Reg.R1);
            }
        }
        List<FetchPlan.Read> reads = spec.plan().reads();
        for (int i = 0; i < reads.size(); i++) {
            emitRead(a, layout, reads, i, spec.entryRspDelta());
        }
        emitSubmitBatched(a, maps, RECORD, layout.size());
        a.label("exit").mov64Imm(Reg.R0, 0).exit();
        return a.build();
    }

    /** Header fields every record has: type, site, pid_tgid, ktime (RECORD must hold the reserved record). */
    private static void emitHeader(Asm a, int type) {
        a.stImm(Size.W, RECORD, RecordLayout.TYPE, type)
                .ldxdw(Reg.R1, Reg.R10, S_SITE).stxw(RECORD, RecordLayout.SITE, Reg.R1)
                .stxdw(RECORD, RecordLayout.PID_TGID, PID_TGID)
                .ldxdw(Reg.R1, Reg.R10, S_NOW).stxdw(RECORD, RecordLayout.KTIME, Reg.R1);
    }

    /**
     * The thread's frames: looked up, created for a new thread, dead frames popped (each reported as an unwind),
     * then the call pushed or the return paired. Ends by jumping to "record" ("exit" for a CATCH, which records
     * nothing of its own); FRAMES is not used after it.
     */
    private static void emitCallStack(Asm a, Role role, Maps maps, int entryRspDelta) {
        boolean catcher = role == Role.CATCH;
        a.mov64Reg(Reg.R1, PID_TGID).stxw(Reg.R10, S_TID, Reg.R1);
        emitLookupStack(a, maps);
        if (catcher) {
            a.jeq(Reg.R0, 0, "exit"); // a thread without frames has nothing to unwind
        } else {
            a.jne(Reg.R0, 0, "stack_found");
            // A new thread: insert a zero stack (copied from the zero map, since 776 bytes do not fit the BPF stack).
            a.stImm(Size.W, Reg.R10, S_SCRATCH, 0)
                    .ldMapFd(Reg.R1, maps.zeroMapFd()).mov64Reg(Reg.R2, Reg.R10).add(Reg.R2, S_SCRATCH)
                    .call(Helper.MAP_LOOKUP_ELEM).jeq(Reg.R0, 0, "record")
                    .ldMapFd(Reg.R1, maps.stackMapFd()).mov64Reg(Reg.R2, Reg.R10).add(Reg.R2, S_TID)
                    .mov64Reg(Reg.R3, Reg.R0).mov64Imm(Reg.R4, BPF_NOEXIST).call(Helper.MAP_UPDATE_ELEM);
            emitLookupStack(a, maps);
            a.jeq(Reg.R0, 0, "record");
        }
        a.label("stack_found").mov64Reg(FRAMES, Reg.R0);

        // At a catch, as at a call, a frame at this very rsp is dead: it was a sibling call made from the same frame.
        boolean call = role == Role.CALL || catcher;
        // A stack never holds more than MAX_FRAMES frames, so a catch that pops that many has popped them all.
        int pops = catcher ? MAX_FRAMES : MAX_UNWINDS_PER_EVENT;
        for (int k = 0; k < pops; k++) {
            emitTopFrame(a, "popped");
            // r2 = the top frame, r3 = its rsp, r4 = this site's rsp
            emitSiteRsp(a, Reg.R4, role, entryRspDelta);
            // alive: frame rsp > R at a call; frame rsp >= R at a return
            a.jmpReg(call ? JmpOp.JGT : JmpOp.JGE, Reg.R3, Reg.R4, "popped");
            a.ldxdw(Reg.R3, Reg.R2, 16).stxdw(Reg.R10, S_UNW_KTIME, Reg.R3)
                    .ldxdw(Reg.R3, Reg.R2, 24).stxdw(Reg.R10, S_UNW_SITE, Reg.R3)
                    .ldxdw(Reg.R1, FRAMES, 0).sub(Reg.R1, 1).stxdw(FRAMES, 0, Reg.R1);
            String next = a.newLabel("unwound");
            maps.ring().emitReserve(a, RecordLayout.UNWIND_SIZE, Reg.R0, S_SCRATCH, next);
            a.stImm(Size.W, Reg.R0, RecordLayout.TYPE, RecordLayout.TYPE_UNWIND)
                    .ldxdw(Reg.R1, Reg.R10, S_UNW_SITE).stxw(Reg.R0, RecordLayout.SITE, Reg.R1)
                    .stxw(Reg.R0, RecordLayout.ENTRY_SITE, Reg.R1)
                    .stxdw(Reg.R0, RecordLayout.PID_TGID, PID_TGID)
                    .ldxdw(Reg.R1, Reg.R10, S_NOW).stxdw(Reg.R0, RecordLayout.KTIME, Reg.R1)
                    .ldxdw(Reg.R1, Reg.R10, S_UNW_KTIME).stxdw(Reg.R0, RecordLayout.ENTRY_KTIME, Reg.R1)
                    .stImm(Size.W, Reg.R0, RecordLayout.FLAGS, RecordLayout.FLAG_MATCHED);
            RingBuffer.emitSubmit(a, Reg.R0);
            a.label(next);
        }
        a.label("popped");
        if (catcher) {
            a.ja("exit");
        } else if (call) {
            a.ldxdw(Reg.R1, FRAMES, 0).jge(Reg.R1, MAX_FRAMES, "full")
                    .mov64Reg(Reg.R2, Reg.R1).mul(Reg.R2, FRAME_SIZE).add(Reg.R2, FRAMES);
            emitSiteRsp(a, Reg.R3, role, entryRspDelta);
            a.stxdw(Reg.R2, 8, Reg.R3)
                    .ldxdw(Reg.R3, Reg.R10, S_NOW).stxdw(Reg.R2, 16, Reg.R3)
                    .ldxdw(Reg.R3, Reg.R10, S_SITE).stxdw(Reg.R2, 24, Reg.R3)
                    .add(Reg.R1, 1).stxdw(FRAMES, 0, Reg.R1)
                    .stImm(Size.DW, Reg.R10, S_FLAGS, RecordLayout.FLAG_PUSHED)
                    .ja("record")
                    .label("full").stImm(Size.DW, Reg.R10, S_FLAGS, RecordLayout.FLAG_STACK_FULL)
                    .ja("record");
        } else {
            emitTopFrame(a, "record");
            emitSiteRsp(a, Reg.R4, role, 0);
            a.jne(Reg.R3, Reg.R4, "record")
                    .ldxdw(Reg.R3, Reg.R2, 16).stxdw(Reg.R10, S_ENTRY_KTIME, Reg.R3)
                    .ldxdw(Reg.R3, Reg.R2, 24).stxdw(Reg.R10, S_ENTRY_SITE, Reg.R3)
                    .ldxdw(Reg.R1, FRAMES, 0).sub(Reg.R1, 1).stxdw(FRAMES, 0, Reg.R1)
                    .stImm(Size.DW, Reg.R10, S_FLAGS, RecordLayout.FLAG_MATCHED)
                    .ja("record");
        }
    }

    private static void emitLookupStack(Asm a, Maps maps) {
        a.ldMapFd(Reg.R1, maps.stackMapFd()).mov64Reg(Reg.R2, Reg.R10).add(Reg.R2, S_TID)
                .call(Helper.MAP_LOOKUP_ELEM);
    }

    /** r2 = the top frame (FRAMES + (depth-1)*24), r3 = its rsp; jumps to empty when there is none. */
    private static void emitTopFrame(Asm a, String empty) {
        a.ldxdw(Reg.R1, FRAMES, 0).jeq(Reg.R1, 0, empty).jgt(Reg.R1, MAX_FRAMES, empty)
                .sub(Reg.R1, 1).mov64Reg(Reg.R2, Reg.R1).mul(Reg.R2, FRAME_SIZE).add(Reg.R2, FRAMES)
                .ldxdw(Reg.R3, Reg.R2, 8);
    }

    /**
     * dst = the rsp a frame of this site's call has: the entry rsp, found from the current rsp (plus entryRspDelta
     * at a moved entry probe).
     */
    private static void emitSiteRsp(Asm a, Reg dst, Role role, int entryRspDelta) {
        a.ldxdw(dst, CTX, PtRegs.RSP.offset());
        if (role == Role.RETURN_AFTER) {
            a.sub(dst, 8);
        } else if (entryRspDelta != 0) {
            a.add(dst, entryRspDelta);
        }
    }

    /**
     * Exits unless the conditional jump with condition code cc is taken, judging from EFLAGS in pt_regs
     * (CF bit 0, PF 2, ZF 6, SF 7, OF 11): an odd code is the negation of the even one below it.
     */
    static void emitJccTaken(Asm a, int cc) {
        Reg f = Reg.R1;
        Reg t = Reg.R2;
        a.ldxdw(f, CTX, PtRegs.EFLAGS.offset());
        switch (cc & ~1) {
            case 0x0 -> a.mov64Reg(t, f).rsh(t, 11);
            case 0x2 -> a.mov64Reg(t, f);
            case 0x4 -> a.mov64Reg(t, f).rsh(t, 6);
            case 0x6 -> a.mov64Reg(t, f).rsh(t, 6).or(t, f);
            case 0x8 -> a.mov64Reg(t, f).rsh(t, 7);
            case 0xa -> a.mov64Reg(t, f).rsh(t, 2);
            case 0xc -> a.mov64Reg(t, f).rsh(t, 7).mov64Reg(Reg.R3, f).rsh(Reg.R3, 11).xor(t, Reg.R3);
            default -> a.mov64Reg(t, f).rsh(t, 7).mov64Reg(Reg.R3, f).rsh(Reg.R3, 11).xor(t, Reg.R3)
                    .mov64Reg(Reg.R3, f).rsh(Reg.R3, 6).or(t, Reg.R3);
        }
        a.and(t, 1);
        if ((cc & 1) != 0) {
            a.alu64Imm(AluOp.XOR, t, 1);
        }
        a.jeq(t, 0, "exit");
    }

    /** Read i: address and byte count into its header, the bytes into its data area; a failure records 0 bytes. */
    private static void emitRead(Asm a, RecordLayout layout, List<FetchPlan.Read> reads, int i, int entryRspDelta) {
        FetchPlan.Read r = reads.get(i);
        int at = layout.readOffset(i);
        String fail = a.newLabel("read_failed");
        String done = a.newLabel("read_done");
        a.stImm(Size.DW, RECORD, at + RecordLayout.READ_ADDRESS, 0);
        emitWord(a, Reg.R3, r.base(), layout, reads, i, fail, entryRspDelta);
        if (r.offset() == (int) r.offset()) {
            a.add(Reg.R3, (int) r.offset());
        } else {
            a.ld64Imm(Reg.R4, r.offset()).add(Reg.R3, Reg.R4);
        }
        a.stxdw(RECORD, at + RecordLayout.READ_ADDRESS, Reg.R3);
        int max = layout.readMax(i);
        if (r.lengthFrom() == null) {
            if (max == 0) {
                a.ja(fail);
            } else {
                a.mov64Imm(Reg.R2, max);
            }
        } else {
            if (r.elementSize() <= 0 || max == 0) {
                a.ja(fail);
            } else {
                // Clamp the element count before multiplying, so a garbage length cannot wrap around.
                int maxCount = max / r.elementSize();
                String ok = a.newLabel("len_ok");
                emitWord(a, Reg.R2, r.lengthFrom(), layout, reads, i, fail, entryRspDelta);
                a.jle(Reg.R2, maxCount, ok).mov64Imm(Reg.R2, maxCount).label(ok);
                if (r.elementSize() != 1) {
                    a.mul(Reg.R2, r.elementSize());
                }
                a.jeq(Reg.R2, 0, fail);
            }
        }
        a.stxdw(Reg.R10, S_LEN, Reg.R2)
                .mov64Reg(Reg.R1, RECORD).add(Reg.R1, at + RecordLayout.READ_DATA)
                .call(Helper.PROBE_READ_USER)
                .jne(Reg.R0, 0, fail)
                .ldxdw(Reg.R1, Reg.R10, S_LEN).stxw(RECORD, at + RecordLayout.READ_COUNT, Reg.R1)
                .ja(done)
                .label(fail).stImm(Size.W, RECORD, at + RecordLayout.READ_COUNT, 0)
                .label(done);
    }

    /** dst = an 8-byte word: a saved register, or bytes of an earlier read (jumping to fail if it read too little). */
    private static void emitWord(Asm a, Reg dst, FetchPlan.Word w, RecordLayout layout, List<FetchPlan.Read> reads,
                                 int current, String fail, int entryRspDelta) {
        if (w instanceof FetchPlan.Word.Register reg) {
            PtRegs r = ptReg(reg.name());
            a.ldxdw(dst, CTX, r.offset());
            if (r == PtRegs.RSP && entryRspDelta != 0) {
                a.add(dst, entryRspDelta);
            }
        } else {
            FetchPlan.Word.FromRead f = (FetchPlan.Word.FromRead) w;
            if (f.read() < 0 || f.read() >= current) {
                throw new IllegalArgumentException("read " + current + " takes a word from read " + f.read()
                        + ", which does not come before it");
            }
            if (f.offset() < 0 || f.offset() + 8 > layout.readMax(f.read())) {
                throw new IllegalArgumentException("read " + current + " takes bytes " + f.offset() + "-"
                        + (f.offset() + 8) + " of read " + f.read() + ", which reads at most "
                        + layout.readMax(f.read()));
            }
            int src = layout.readOffset(f.read());
            a.ldxw(dst, RECORD, src + RecordLayout.READ_COUNT)
                    .jlt(dst, f.offset() + 8, fail)
                    .ldxdw(dst, RECORD, src + RecordLayout.READ_DATA + f.offset());
        }
    }

    /** The pt_regs slot of an x86_64 register name ("rdi"). */
    public static PtRegs ptReg(String name) {
        try {
            PtRegs r = PtRegs.valueOf(name.toUpperCase(java.util.Locale.ROOT));
            if (r.offset() < RecordLayout.REGS_SIZE) {
                return r;
            }
        } catch (IllegalArgumentException e) {
            // fall through
        }
        throw new IllegalArgumentException("no general-purpose register '" + name + "' in pt_regs");
    }

    /**
     * Submits the record without waking the reader, which drains on its own timer, except when the data waiting
     * has just grown past wakeThreshold or past each further step of a quarter of it. A reader that has fallen
     * behind is busy draining anyway: waking it for every record (as plain BPF_RB_FORCE_WAKEUP above the threshold
     * would) costs the traced thread an irq_work interrupt per record, several µs in a VM. Stepping, rather than
     * waking at the threshold alone, means a crossing missed in a race between CPUs is made up one step later.
     */
    private static void emitSubmitBatched(Asm a, Maps maps, Reg record, int recordSize) {
        String submit = a.newLabel("submit");
        int step = Math.max(8, Integer.highestOneBit(Math.max(1, maps.wakeThreshold())) >> 2);
        // what this record added to the waiting data: its payload and the ring's 8-byte header, 8-byte aligned
        int added = ((recordSize + 7) & ~7) + 8;
        a.ldMapFd(Reg.R1, maps.ring().mapFd()).mov64Imm(Reg.R2, BPF_RB_AVAIL_DATA).call(Helper.RINGBUF_QUERY)
                .mov64Imm(Reg.R2, BPF_RB_NO_WAKEUP)
                .jlt(Reg.R0, maps.wakeThreshold(), submit)
                .and(Reg.R0, step - 1)
                .jge(Reg.R0, added, submit)
                .mov64Imm(Reg.R2, BPF_RB_FORCE_WAKEUP)
                .label(submit)
                .mov64Reg(Reg.R1, record)
                .call(Helper.RINGBUF_SUBMIT);
    }
}
