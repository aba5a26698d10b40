// A BPF ring buffer read from Java: the kernel's consumer and producer pages are mmapped, records are read in
// place, and epoll wakes the reader. Programs write records with the code emitted by emitReserve, which also
// counts each record the kernel could not reserve in a per-CPU counter that lostCount() sums exactly.
package dev.rustprobe.bpf;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import dev.rustprobe.bpf.asm.Asm;
import dev.rustprobe.bpf.asm.Helper;
import dev.rustprobe.bpf.asm.Reg;
import dev.rustprobe.bpf.asm.Size;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

public final class RingBuffer implements AutoCloseable {
    /** Record header flags in the top bits of its u32 length (BPF_RINGBUF_BUSY_BIT, BPF_RINGBUF_DISCARD_BIT). */
    private static final int BUSY = 1 << 31;
    private static final int DISCARD = 1 << 30;
    private static final int HEADER = 8;
    private static final int MAX_SIZE = 256 << 20;
    /** Bytes consumed before the consumer position is published within a batch (at most an eighth of the ring). */
    private static final long PUBLISH_BYTES = 16 << 10;

    private static final VarHandle LONG = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    private final String name;
    private final int size;
    private final long mask;
    private final int page;
    private final OwnedFd map;
    private final PerCpuArray<Long> lost;
    private final OwnedFd epoll;
    private final Memory epollEvents = new Memory(12);
    private final Pointer consumerPage;
    private final Pointer producerPages;
    /** Consumer position (read-write page); we are its only writer. */
    private final ByteBuffer consumer;
    /** Producer position at 0, then the data area (mapped twice back to back) from one page in. */
    private final ByteBuffer producer;
    /** The same pages as a read-only view: records are handed out as slices of it, so a write cannot fault. */
    private final ByteBuffer records;
    private final ReentrantLock lock = new ReentrantLock();
    private boolean closed;

    private RingBuffer(String name, int size) {
        this.name = name;
        this.size = size;
        this.mask = size - 1L;
        this.page = pageSize();
        OwnedFd mapFd = null;
        PerCpuArray<Long> lostMap = null;
        OwnedFd ep = null;
        Pointer cons = null;
        Pointer prod = null;
        try {
            // Ring buffer maps have no key or value; max_entries is the data size in bytes.
            mapFd = BpfMap.createFd(MapType.RINGBUF, name, 0, 0, size);
            lostMap = PerCpuArray.create(name + "_lost", Codec.U64, 1);
            cons = mmap(page, Libc.PROT_READ | Libc.PROT_WRITE, mapFd.get(), 0, "consumer page");
            // Producer page plus the data area twice over, so a record that wraps is still contiguous.
            prod = mmap(page + 2L * size, Libc.PROT_READ, mapFd.get(), page, "producer pages");
            int e = Libc.epoll_create1(Libc.EPOLL_CLOEXEC);
            if (e < 0) {
                throw BpfException.ofErrno("Creating an epoll instance for ring buffer '" + name + "'", Libc.errno());
            }
            ep = new OwnedFd(e, "epoll for ring buffer '" + name + "'");
            // struct epoll_event is packed on x86_64: u32 events @0, u64 data @4.
            Memory ev = new Memory(12);
            ev.clear();
            ev.setInt(0, Libc.EPOLLIN);
            if (Libc.epoll_ctl(ep.get(), Libc.EPOLL_CTL_ADD, mapFd.get(), ev) < 0) {
                throw BpfException.ofErrno("Watching ring buffer '" + name + "' with epoll", Libc.errno());
            }
        } catch (RuntimeException ex) {
            if (prod != null) {
                Libc.munmap(prod, page + 2L * size);
            }
            if (cons != null) {
                Libc.munmap(cons, page);
            }
            if (ep != null) {
                ep.close();
            }
            if (lostMap != null) {
                lostMap.close();
            }
            if (mapFd != null) {
                mapFd.close();
            }
            throw ex;
        }
        this.map = mapFd;
        this.lost = lostMap;
        this.epoll = ep;
        this.consumerPage = cons;
        this.producerPages = prod;
        this.consumer = cons.getByteBuffer(0, page).order(ByteOrder.LITTLE_ENDIAN);
        this.producer = prod.getByteBuffer(0, page + 2L * size).order(ByteOrder.LITTLE_ENDIAN);
        this.records = producer.asReadOnlyBuffer();
        Lifetime.register(this);
    }

    /** A ring buffer of sizeBytes of data: a power of two and a multiple of the page size. */
    public static RingBuffer open(int sizeBytes) {
        return open("ringbuf", sizeBytes);
    }

    public static RingBuffer open(String name, int sizeBytes) {
        int page = pageSize();
        if (sizeBytes < page || Integer.bitCount(sizeBytes) != 1 || sizeBytes > MAX_SIZE) {
            throw new BpfException("a ring buffer's size must be a power of two between " + page + " and " + MAX_SIZE
                    + " bytes, not " + sizeBytes);
        }
        return new RingBuffer(name, sizeBytes);
    }

    private static Pointer mmap(long length, int prot, int fd, long offset, String what) {
        Pointer p = Libc.mmap(null, length, prot, Libc.MAP_SHARED, fd, offset);
        if (p == null || Pointer.nativeValue(p) == Libc.MAP_FAILED) {
            throw BpfException.ofErrno("Mapping the ring buffer's " + what, Libc.errno());
        }
        return p;
    }

    static int pageSize() {
        return 4096;
    }

    /**
     * Hands every committed record to handler, in order; waits up to timeoutMillis (0: don't wait, -1: forever)
     * when none is ready. The ByteBuffer is a read-only little-endian view valid only during the call.
     * Returns the number of records handed over. Discarded records are skipped; a record still being written
     * (busy) ends the batch and is delivered by a later poll.
     */
    public int poll(int timeoutMillis, Consumer<ByteBuffer> handler) {
        lock.lock();
        try {
            checkOpen();
            int n = drain(handler);
            if (n > 0 || timeoutMillis == 0) {
                return n;
            }
            int r = Libc.epoll_wait(epoll.get(), epollEvents, 1, timeoutMillis);
            if (r < 0 && Libc.errno() != Errno.EINTR) {
                throw BpfException.ofErrno("Waiting on ring buffer '" + name + "'", Libc.errno());
            }
            return drain(handler);
        } finally {
            lock.unlock();
        }
    }

    private int drain(Consumer<ByteBuffer> handler) {
        return drain(consumer, producer, records, page, mask, handler);
    }

    /**
     * The consumer protocol on the kernel's layout: consumer position at consumer[0]; producer position at
     * producer[0]; data from byte page on, mask + 1 bytes mapped twice so a wrapping record is contiguous;
     * each record an 8-byte header (u32 length with the busy and discard bits, u32 page offset) and its
     * payload, padded to 8 bytes. records is a read-only view of producer.
     */
    static int drain(ByteBuffer consumer, ByteBuffer producer, ByteBuffer records, int page, long mask,
                     Consumer<ByteBuffer> handler) {
        int delivered = 0;
        long cons = (long) LONG.getAcquire(consumer, 0);
        long published = cons;
        // The consumer position is published every so many bytes and when the batch ends, not after each record:
        // the kernel reads it on every reserve from another CPU, so each store moves a cache line between the two.
        long publishEvery = Math.min(PUBLISH_BYTES, (mask + 1) / 8);
        try {
            boolean progress = true;
            while (progress) {
                progress = false;
                long prod = (long) LONG.getAcquire(producer, 0);
                while (cons < prod) {
                    int at = page + (int) (cons & mask);
                    // a plain load and an acquire fence: the same ordering as INT.getAcquire, which C1 compiles
                    // to a method-handle call per record
                    int len = producer.getInt(at);
                    VarHandle.acquireFence();
                    if ((len & BUSY) != 0) {
                        return delivered;
                    }
                    int payload = len & ~(BUSY | DISCARD);
                    long next = cons + ((payload + HEADER + 7) & ~7L);
                    try {
                        if ((len & DISCARD) == 0) {
                            handler.accept(records.slice(at + HEADER, payload).order(ByteOrder.LITTLE_ENDIAN));
                            delivered++;
                        }
                    } finally {
                        cons = next; // a record whose handler failed is consumed all the same
                    }
                    if (cons - published >= publishEvery) {
                        // Release: the kernel may reuse the space only after we are done reading it.
                        LONG.setRelease(consumer, 0, cons);
                        published = cons;
                    }
                    progress = true;
                }
            }
            return delivered;
        } finally {
            if (cons != published) {
                LONG.setRelease(consumer, 0, cons);
            }
        }
    }

    /** Records that programs could not reserve because the buffer was full, summed over all CPUs. */
    public long lostCount() {
        lock.lock();
        try {
            checkOpen();
            long sum = 0;
            for (long v : lost.lookup(0)) {
                sum += v;
            }
            return sum;
        } finally {
            lock.unlock();
        }
    }

    /** Bytes written by programs and not yet consumed. */
    public long pending() {
        return (long) LONG.getAcquire(producer, 0) - (long) LONG.getAcquire(consumer, 0);
    }

    public int mapFd() {
        return map.get();
    }

    public int size() {
        return size;
    }

    // ---- code for programs ------------------------------------------------------------------------------

    /**
     * Emits: dst = bpf_ringbuf_reserve(this, size, 0). When the buffer is full it atomically adds one to this
     * CPU's lost counter and jumps to onFull (with no record to submit). Clobbers r0-r5 and the 4-byte stack slot
     * at r10 + scratchStackOffset (a negative offset the caller does not use for anything else).
     */
    public void emitReserve(Asm a, int recordSize, Reg dst, int scratchStackOffset, String onFull) {
        if (recordSize <= 0 || recordSize > size / 2) {
            throw new BpfException("a ring buffer record must be 1 to " + size / 2 + " bytes, not " + recordSize);
        }
        if (dst.number() >= 1 && dst.number() <= 5) {
            throw new BpfException("the reserved record must go to r0 or r6-r9, since calls clobber r1-r5");
        }
        String ok = a.newLabel("rb_reserved");
        a.ldMapFd(Reg.R1, map.get())
                .mov64Imm(Reg.R2, recordSize)
                .mov64Imm(Reg.R3, 0)
                .call(Helper.RINGBUF_RESERVE)
                .jne(Reg.R0, 0, ok);
        emitCountLost(a, scratchStackOffset, onFull);
        a.label(ok);
        if (dst != Reg.R0) {
            a.mov64Reg(dst, Reg.R0);
        }
    }

    /** Emits the lost-record count: lost[0] += 1 on this CPU (atomically), then goto next. Clobbers r0-r5. */
    public void emitCountLost(Asm a, int scratchStackOffset, String next) {
        a.stImm(Size.W, Reg.R10, scratchStackOffset, 0)
                .ldMapFd(Reg.R1, lost.fd())
                .mov64Reg(Reg.R2, Reg.R10)
                .add(Reg.R2, scratchStackOffset)
                .call(Helper.MAP_LOOKUP_ELEM)
                .jeq(Reg.R0, 0, next)
                .mov64Imm(Reg.R1, 1)
                .atomicAdd(Size.DW, Reg.R0, 0, Reg.R1)
                .ja(next);
    }

    /** Emits bpf_ringbuf_submit(record, 0). Clobbers r0-r5. */
    public static void emitSubmit(Asm a, Reg record) {
        a.mov64Reg(Reg.R1, record).mov64Imm(Reg.R2, 0).call(Helper.RINGBUF_SUBMIT);
    }

    /** Emits bpf_ringbuf_discard(record, 0): the space is released and the reader never sees it. */
    public static void emitDiscard(Asm a, Reg record) {
        a.mov64Reg(Reg.R1, record).mov64Imm(Reg.R2, 0).call(Helper.RINGBUF_DISCARD);
    }

    private void checkOpen() {
        if (closed) {
            throw new BpfException("ring buffer '" + name + "' is already closed");
        }
    }

    /** Unmaps and closes; waits for a poll in progress on another thread to return first. */
    @Override
    public void close() {
        boolean locked;
        try {
            locked = lock.tryLock(2, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            locked = false;
        }
        if (!locked) {
            // A reader is stuck in a long wait (say, at JVM shutdown): release the kernel objects but leave the
            // mapping in place, since unmapping under the reader would crash it; process exit unmaps it.
            epoll.close();
            lost.close();
            map.close();
            Lifetime.unregister(this);
            return;
        }
        try {
            if (closed) {
                return;
            }
            closed = true;
            Libc.munmap(producerPages, page + 2L * size);
            Libc.munmap(consumerPage, page);
            epoll.close();
            lost.close();
            map.close();
            Lifetime.unregister(this);
        } finally {
            lock.unlock();
        }
    }
}
