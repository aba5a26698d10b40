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
 * Inlined calls (INLINE_CALL) push frames too, marked INLINE_FRAME in their site word: their rsp is the caller's at
 * the copy's first instruction, so several frames may share one rsp (a caller and the copies inlined into it,
 * nested copies entered at one address, in either order of firing). Hence at rsp R
 *  - a CALL leaves inline frames at R alive, an INLINE_CALL every frame at R but its own site's (a copy entered
 *    again before its exit was seen), a RETURN every frame at R that is not inline (the caller is leaving);
 *  - an inline frame found dead other than at a CATCH is reported with FLAG_EXIT_UNSEEN, not as an unwind: the copy
 *    was left by a way no exit probe saw (FLAG_REENTERED: the same copy was entered again at the same rsp);
 *  - an inline copy's exits (Spec.inlineExits, on the INLINE_EXIT program at the exit and on every other program at
 *    that address, so the order in which probes at one address fire does not matter) pop the frame of that entry
 *    site whose rsp is the exit's rsp minus the copy's stack delta there, searched among the top
 *    INLINE_EXIT_SEARCH frames, and write a TYPE_INLINE_RETURN record for it. A path that reaches the exit without
 *    entering the copy finds no such frame and pops nothing;
 *  - a CATCH marks the inline frames it leaves on top CAUGHT_ABOVE: the catch ran in their caller's frame, so a
 *    copy among them that is never exited was unwound by that panic, and is reported as an unwind when found dead.
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
    /** Inline exits one program may pop (entry sites exiting at one address, nested copies included). */
    public static final int MAX_INLINE_EXITS = 16;
    /** How many frames from the top an inline exit looks through for its copy's frame. */
    public static final int INLINE_EXIT_SEARCH = 4;
    /** Set in a frame's site word (above the 32-bit site id) when an inlined call pushed it. */
    public static final long INLINE_FRAME = 1L << 32;
    /**
     * Set on an inline frame left on top when a panic is caught (CATCH): the panic was caught in the function that
     * holds the copy, so the copy either holds the catch (its exit comes later) or was unwound. Found dead later, it
     * is reported as an unwind, not as an exit not seen.
     */
    public static final long CAUGHT_ABOVE = 1L << 33;

    /** bpf_ringbuf_submit flags, and bpf_ringbuf_query's BPF_RB_AVAIL_DATA (linux/bpf.h). */
    static final int BPF_RB_NO_WAKEUP = 1;
    static final int BPF_RB_FORCE_WAKEUP = 2;
    static final int BPF_RB_AVAIL_DATA = 0;
    static final int BPF_NOEXIST = 1;

    /** What a site does with the call stack. */
    public enum Role {
        /** A function's entry: record the call and push its frame, so that a return pairs with it. */
        CALL,
        /**
         * A call nothing will return from as far as we can see (an inlined copy whose exits are unknown,
         * --returns=none): no frame.
         */
        CALL_UNPAIRED,
        /**
         * An inlined call's first instruction: record the call and push a frame marked INLINE_FRAME, which only its
         * copy's exits (INLINE_EXIT) pop.
         */
        INLINE_CALL,
        /**
         * Where control leaves inlined copies: pops the frames Spec.inlineExits names (a TYPE_INLINE_RETURN record
         * each) and records nothing else.
         */
        INLINE_EXIT,
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
     * An inlined copy left here: the entry site whose frame to pop, and rspDelta, the rsp here minus the rsp at that
     * entry (what the copy pushed and popped on the way), so that the frame's rsp is this rsp minus rspDelta.
     */
    public record InlineExit(int entrySite, long rspDelta) {
        public InlineExit {
            if (entrySite < 0 || rspDelta != (int) rspDelta) {
                throw new IllegalArgumentException("an inline exit needs a site id and a 32-bit rsp delta, not "
                        + entrySite + ", " + rspDelta);
            }
        }
    }

    /**
     * One program's code. jccCondition: for a conditional tail jump, its x86 condition code (0-15): the program
     * records nothing unless the jump is taken, judged from the saved EFLAGS; -1 for every other site.
     * inlineExits: the inlined copies that are left at this program's address, popped before anything else.
     * entryRspDelta: for an entry probe moved past instructions that lowered rsp (EntryHop), what they took off:
     * entry rsp = rsp + entryRspDelta. The program uses the entry rsp wherever it uses rsp (the record, reads based
     * on rsp, the frame pushed for pairing), so nothing downstream knows the probe moved.
     */
    public record Spec(Role role, int jccCondition, FetchPlan plan, List<InlineExit> inlineExits,
                       int entryRspDelta) {
        public Spec(Role role, int jccCondition, FetchPlan plan) {
            this(role, jccCondition, plan, List.of(), 0);
        }

        public Spec(Role role, int jccCondition, FetchPlan plan, List<InlineExit> inlineExits) {
            this(role, jccCondition, plan, inlineExits, 0);
        }

        public Spec(Role role, int jccCondition, FetchPlan plan, int entryRspDelta) {
            this(role, jccCondition, plan, List.of(), entryRspDelta);
        }

        public Spec withInlineExits(List<InlineExit> exits) {
            return new Spec(role, jccCondition, plan, exits, entryRspDelta);
        }

        public Spec {
            inlineExits = List.copyOf(inlineExits);
            if (inlineExits.size() > MAX_INLINE_EXITS) {
                throw new IllegalArgumentException("a program pops at most " + MAX_INLINE_EXITS + " inline exits, not "
                        + inlineExits.size());
            }
            if (role == Role.INLINE_EXIT && inlineExits.isEmpty()) {
                throw new IllegalArgumentException("an INLINE_EXIT program needs the inline exits it pops");
            }
            if (!inlineExits.isEmpty() && role != Role.INLINE_EXIT && role != Role.CALL && role != Role.INLINE_CALL
                    && role != Role.RETURN) {
                throw new IllegalArgumentException("a " + role + " program cannot pop inline exits");
            }
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
    }

    /**
     * The kernel objects a program refers to. stackMapFd: the tid -> frames hash map (u32 key, STACK_VALUE_SIZE
     * value); zeroMapFd: a one-entry array map of the same value size that stays zero (a new thread's stack is
     * initialised from it). tgid: record only this process (0: every process). wakeThreshold: the reader is woken
     * only when this many bytes are waiting (and otherwise reads on its own timer).
     */
    public record Maps(RingBuffer ring, int stackMapFd, int zeroMapFd, int tgid, int wakeThreshold,
                       ReadOnlyImage readOnly) {
        /** Maps without a read-only image: every read is made in the probe. */
        public Maps(RingBuffer ring, int stackMapFd, int zeroMapFd, int tgid, int wakeThreshold) {
            this(ring, stackMapFd, zeroMapFd, tgid, wakeThreshold, ReadOnlyImage.NONE);
        }
    }

    /** The largest |site address - image base| a cookie carries: the upper half holds it biased by 2^31. */
    private static final long MAX_FILE_DISTANCE = 1L << 30;

    /**
     * The cookie of site id: its id in the lower 32 bits and, when its reads may be taken from the read-only image
     * (the probe's rip is then the site's address plus the load bias, which a uretprobe's is not), the site's
     * distance from the image's base plus 2^31 in the upper 32 bits (0: not from the file).
     */
    public static long cookie(int id, long siteAddress, boolean ripIsSite, ReadOnlyImage image) {
        long d = siteAddress - image.base();
        if (!ripIsSite || image.isEmpty() || Math.abs(d) >= MAX_FILE_DISTANCE) {
            return id & 0xffffffffL;
        }
        return (id & 0xffffffffL) | ((d + (1L << 31)) << 32);
    }

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
    private static final int S_UNW_FLAGS = -88;
    /** 1 when this site's reads may be taken from the read-only image; then S_FILE_X + pointer = its image offset. */
    private static final int S_FILE_ON = -96;
    private static final int S_FILE_X = -104;

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
        a.mov64Reg(Reg.R1, CTX).call(Helper.GET_ATTACH_COOKIE).mov32Reg(Reg.R1, Reg.R0).stxdw(Reg.R10, S_SITE, Reg.R1);
        boolean fromFile = !maps.readOnly().isEmpty() && layout.anyFileEligible();
        if (fromFile) {
            emitFileOffset(a);
        }
        a.stImm(Size.DW, Reg.R10, S_FLAGS, 0)
                .stImm(Size.DW, Reg.R10, S_ENTRY_KTIME, 0)
                .stImm(Size.DW, Reg.R10, S_ENTRY_SITE, 0);
        if (spec.role() == Role.CATCH || spec.role() == Role.INLINE_EXIT) {
            emitCallStack(a, spec, maps);
            a.label("exit").mov64Imm(Reg.R0, 0).exit();
            return a.build();
        }
        if (spec.role() != Role.CALL_UNPAIRED) {
            emitCallStack(a, spec, maps);
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
            emitRead(a, layout, reads, i, fromFile && layout.fileEligible(i) ? maps.readOnly() : ReadOnlyImage.NONE,
                    spec.entryRspDelta());
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
     * The thread's frames: looked up, created for a new thread, the inline copies left here popped, dead frames
     * popped (each reported as an unwind, or as an inline call whose exit was not seen), then the call pushed or the
     * return paired. Ends by jumping to "record" ("exit" for a CATCH or INLINE_EXIT, which record nothing of their
     * own); FRAMES is not used after it.
     */
    private static void emitCallStack(Asm a, Spec spec, Maps maps) {
        Role role = spec.role();
        boolean catcher = role == Role.CATCH;
        a.mov64Reg(Reg.R1, PID_TGID).stxw(Reg.R10, S_TID, Reg.R1);
        emitLookupStack(a, maps);
        if (catcher || role == Role.INLINE_EXIT) {
            a.jeq(Reg.R0, 0, "exit"); // a thread without frames has nothing to unwind or pop
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
        for (InlineExit x : spec.inlineExits()) {
            emitInlineExit(a, x, maps);
        }
        if (role == Role.INLINE_EXIT) {
            a.ja("exit");
            return;
        }

        // At a catch, as at a call, a frame at this very rsp is dead: it was a sibling call made from the same frame.
        boolean call = role == Role.CALL || role == Role.INLINE_CALL || catcher;
        // A stack never holds more than MAX_FRAMES frames, so a catch that pops that many has popped them all.
        int pops = catcher ? MAX_FRAMES : MAX_UNWINDS_PER_EVENT;
        for (int k = 0; k < pops; k++) {
            emitTopFrame(a, "popped");
            // r2 = the top frame, r3 = its rsp, r4 = this site's rsp
            emitSiteRsp(a, Reg.R4, role, spec.entryRspDelta());
            String dead = a.newLabel("dead");
            String flagged = a.newLabel("flagged");
            // alive: frame rsp > R; at R, as the header comment says for each role
            a.jmpReg(JmpOp.JGT, Reg.R3, Reg.R4, "popped");
            if (role == Role.INLINE_CALL) {
                String again = a.newLabel("again");
                a.jne(Reg.R3, Reg.R4, dead)
                        .ldxdw(Reg.R5, Reg.R2, 24).ldxdw(Reg.R1, Reg.R10, S_SITE).ld64Imm(Reg.R0, INLINE_FRAME)
                        .or(Reg.R1, Reg.R0).jeq(Reg.R5, Reg.R1, again)
                        .ld64Imm(Reg.R0, CAUGHT_ABOVE).or(Reg.R1, Reg.R0).jne(Reg.R5, Reg.R1, "popped")
                        .ja(dead) // this copy, open when a panic was caught in its caller: unwound
                        .label(again)
                        .stImm(Size.DW, Reg.R10, S_UNW_FLAGS, RecordLayout.FLAG_MATCHED | RecordLayout.FLAG_EXIT_UNSEEN
                                | RecordLayout.FLAG_REENTERED)
                        .ja(flagged);
            } else if (!catcher) {
                // a CALL keeps the inline frames at R (a copy inlined where the caller starts), a RETURN the others
                a.jne(Reg.R3, Reg.R4, dead).ldxdw(Reg.R5, Reg.R2, 24).rsh(Reg.R5, 32)
                        .jmpImm(call ? JmpOp.JNE : JmpOp.JEQ, Reg.R5, 0, "popped");
            }
            a.label(dead).stImm(Size.DW, Reg.R10, S_UNW_FLAGS, RecordLayout.FLAG_MATCHED);
            if (!catcher) {
                // an inline frame (1 above the site id) is an exit not seen; out-of-line (0) or caught (3): an unwind
                a.ldxdw(Reg.R5, Reg.R2, 24).rsh(Reg.R5, 32).jne(Reg.R5, 1, flagged)
                        .stImm(Size.DW, Reg.R10, S_UNW_FLAGS, RecordLayout.FLAG_MATCHED | RecordLayout.FLAG_EXIT_UNSEEN);
            }
            a.label(flagged);
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
                    .ldxdw(Reg.R1, Reg.R10, S_UNW_FLAGS).stxw(Reg.R0, RecordLayout.FLAGS, Reg.R1);
            RingBuffer.emitSubmit(a, Reg.R0);
            a.label(next);
        }
        a.label("popped");
        if (catcher) {
            emitMarkCaught(a);
            a.ja("exit");
        } else if (call) {
            a.ldxdw(Reg.R1, FRAMES, 0).jge(Reg.R1, MAX_FRAMES, "full")
                    .mov64Reg(Reg.R2, Reg.R1).mul(Reg.R2, FRAME_SIZE).add(Reg.R2, FRAMES);
            emitSiteRsp(a, Reg.R3, role, spec.entryRspDelta());
            a.stxdw(Reg.R2, 8, Reg.R3)
                    .ldxdw(Reg.R3, Reg.R10, S_NOW).stxdw(Reg.R2, 16, Reg.R3)
                    .ldxdw(Reg.R3, Reg.R10, S_SITE);
            if (role == Role.INLINE_CALL) {
                a.ld64Imm(Reg.R4, INLINE_FRAME).or(Reg.R3, Reg.R4);
            }
            a.stxdw(Reg.R2, 24, Reg.R3)
                    .add(Reg.R1, 1).stxdw(FRAMES, 0, Reg.R1)
                    .stImm(Size.DW, Reg.R10, S_FLAGS, RecordLayout.FLAG_PUSHED)
                    .ja("record")
                    .label("full").stImm(Size.DW, Reg.R10, S_FLAGS, RecordLayout.FLAG_STACK_FULL)
                    .ja("record");
        } else {
            emitTopFrame(a, "record");
            emitSiteRsp(a, Reg.R4, role, 0);
            a.jne(Reg.R3, Reg.R4, "record")
                    .ldxdw(Reg.R5, Reg.R2, 24).rsh(Reg.R5, 32).jne(Reg.R5, 0, "record")
                    .ldxdw(Reg.R3, Reg.R2, 16).stxdw(Reg.R10, S_ENTRY_KTIME, Reg.R3)
                    .ldxdw(Reg.R3, Reg.R2, 24).stxdw(Reg.R10, S_ENTRY_SITE, Reg.R3)
                    .ldxdw(Reg.R1, FRAMES, 0).sub(Reg.R1, 1).stxdw(FRAMES, 0, Reg.R1)
                    .stImm(Size.DW, Reg.R10, S_FLAGS, RecordLayout.FLAG_MATCHED)
                    .ja("record");
        }
    }

    /** Marks CAUGHT_ABOVE the inline frames on top of the stack, down to the first out-of-line one. */
    private static void emitMarkCaught(Asm a) {
        for (int p = 0; p < INLINE_EXIT_SEARCH; p++) {
            a.ldxdw(Reg.R1, FRAMES, 0).jle(Reg.R1, p, "exit").jgt(Reg.R1, MAX_FRAMES, "exit")
                    .sub(Reg.R1, p + 1).mov64Reg(Reg.R2, Reg.R1).mul(Reg.R2, FRAME_SIZE).add(Reg.R2, FRAMES)
                    .ldxdw(Reg.R5, Reg.R2, 24).mov64Reg(Reg.R3, Reg.R5).rsh(Reg.R3, 32).jeq(Reg.R3, 0, "exit")
                    .ld64Imm(Reg.R4, CAUGHT_ABOVE).or(Reg.R5, Reg.R4).stxdw(Reg.R2, 24, Reg.R5);
        }
    }

    /**
     * Pops the frame of x's entry site whose rsp is this rsp minus x.rspDelta, if one is among the top
     * INLINE_EXIT_SEARCH frames (closing the gap: frames pushed above it at the same address, in whichever order
     * their probes fired, move down one), and writes a TYPE_INLINE_RETURN record for it.
     */
    private static void emitInlineExit(Asm a, InlineExit x, Maps maps) {
        String done = a.newLabel("inline_exit_done");
        for (int p = 0; p < INLINE_EXIT_SEARCH; p++) {
            String miss = a.newLabel("inline_exit_miss");
            // r2 = the frame p below the top (FRAMES + (depth-1-p)*24), whose words are at r2+8, +16, +24
            a.ldxdw(Reg.R1, FRAMES, 0).jle(Reg.R1, p, done).jgt(Reg.R1, MAX_FRAMES, done)
                    .sub(Reg.R1, p + 1).mov64Reg(Reg.R2, Reg.R1).mul(Reg.R2, FRAME_SIZE).add(Reg.R2, FRAMES)
                    .ldxdw(Reg.R3, Reg.R2, 24).ld64Imm(Reg.R4, ~CAUGHT_ABOVE).and(Reg.R3, Reg.R4)
                    .ld64Imm(Reg.R4, INLINE_FRAME | x.entrySite()).jne(Reg.R3, Reg.R4, miss)
                    .ldxdw(Reg.R3, Reg.R2, 8).ldxdw(Reg.R4, CTX, PtRegs.RSP.offset());
            if (x.rspDelta() != 0) {
                a.sub(Reg.R4, (int) x.rspDelta());
            }
            a.jne(Reg.R3, Reg.R4, miss).ldxdw(Reg.R3, Reg.R2, 16).stxdw(Reg.R10, S_UNW_KTIME, Reg.R3);
            for (int j = 0; j < p; j++) {
                for (int w = 8; w <= 24; w += 8) {
                    a.ldxdw(Reg.R3, Reg.R2, FRAME_SIZE * (j + 1) + w).stxdw(Reg.R2, FRAME_SIZE * j + w, Reg.R3);
                }
            }
            a.ldxdw(Reg.R1, FRAMES, 0).sub(Reg.R1, 1).stxdw(FRAMES, 0, Reg.R1);
            maps.ring().emitReserve(a, RecordLayout.INLINE_RETURN_SIZE, Reg.R0, S_SCRATCH, done);
            a.stImm(Size.W, Reg.R0, RecordLayout.TYPE, RecordLayout.TYPE_INLINE_RETURN)
                    .stImm(Size.W, Reg.R0, RecordLayout.SITE, x.entrySite())
                    .stImm(Size.W, Reg.R0, RecordLayout.ENTRY_SITE, x.entrySite())
                    .stxdw(Reg.R0, RecordLayout.PID_TGID, PID_TGID)
                    .ldxdw(Reg.R1, Reg.R10, S_NOW).stxdw(Reg.R0, RecordLayout.KTIME, Reg.R1)
                    .ldxdw(Reg.R1, Reg.R10, S_UNW_KTIME).stxdw(Reg.R0, RecordLayout.ENTRY_KTIME, Reg.R1)
                    .stImm(Size.W, Reg.R0, RecordLayout.FLAGS, RecordLayout.FLAG_MATCHED);
            RingBuffer.emitSubmit(a, Reg.R0);
            a.ja(done);
            a.label(miss);
        }
        a.label(done);
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

    /**
     * S_FILE_ON and S_FILE_X from the cookie (r0): the upper half, when not 0, is the site's distance from the
     * image's base biased by 2^31, and rip is the site's address plus the load bias, so pointer + (distance - rip)
     * is the pointer's offset from the image's base in the file's address space.
     */
    private static void emitFileOffset(Asm a) {
        String off = a.newLabel("file_off");
        a.stImm(Size.DW, Reg.R10, S_FILE_ON, 0).stImm(Size.DW, Reg.R10, S_FILE_X, 0)
                .rsh(Reg.R0, 32).jeq(Reg.R0, 0, off)
                .ld64Imm(Reg.R1, 1L << 31).sub(Reg.R0, Reg.R1)
                .ldxdw(Reg.R1, CTX, PtRegs.RIP.offset()).sub(Reg.R0, Reg.R1)
                .stxdw(Reg.R10, S_FILE_X, Reg.R0).stImm(Size.DW, Reg.R10, S_FILE_ON, 1)
                .label(off);
    }

    /**
     * Read i: address and byte count into its header, the bytes into its data area; a failure records 0 bytes.
     * With a non-empty image (read i is a leaf), bytes wholly inside one of its ranges are not read but marked
     * READ_FROM_FILE, for user space to take from the file.
     */
    private static void emitRead(Asm a, RecordLayout layout, List<FetchPlan.Read> reads, int i,
                                 ReadOnlyImage image, int entryRspDelta) {
        FetchPlan.Read r = reads.get(i);
        int at = layout.readOffset(i);
        String fail = a.newLabel("read_failed");
        String done = a.newLabel("read_done");
        a.stImm(Size.DW, RECORD, at + RecordLayout.READ_ADDRESS, 0)
                .stImm(Size.W, RECORD, at + RecordLayout.READ_FLAGS, 0);
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
        if (!image.isEmpty()) {
            emitFromFile(a, image, at, done);
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

    /**
     * With r3 = the address and r2 = the byte count (1 or more) of a read: when [r3, r3 + r2) lies in one range of
     * the image, records the count and READ_FROM_FILE and jumps to done; otherwise falls through to the real read.
     */
    private static void emitFromFile(Asm a, ReadOnlyImage image, int at, String done) {
        String live = a.newLabel("read_live");
        String file = a.newLabel("read_file");
        a.ldxdw(Reg.R4, Reg.R10, S_FILE_ON).jeq(Reg.R4, 0, live)
                .ldxdw(Reg.R4, Reg.R10, S_FILE_X).add(Reg.R4, Reg.R3);
        for (ReadOnlyImage.Range range : image.ranges()) {
            String next = a.newLabel("read_range");
            // unsigned: r5 = offset into the range, in it when below its size, and the end no further than its end
            a.mov64Reg(Reg.R5, Reg.R4).ld64Imm(Reg.R0, range.vaddr() - image.base()).sub(Reg.R5, Reg.R0)
                    .ld64Imm(Reg.R0, range.size()).jge(Reg.R5, Reg.R0, next)
                    .add(Reg.R5, Reg.R2).jgt(Reg.R5, Reg.R0, next)
                    .ja(file)
                    .label(next);
        }
        a.ja(live)
                .label(file)
                .stxw(RECORD, at + RecordLayout.READ_COUNT, Reg.R2)
                .stImm(Size.W, RECORD, at + RecordLayout.READ_FLAGS, RecordLayout.READ_FROM_FILE)
                .ja(done)
                .label(live);
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
