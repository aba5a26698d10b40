// The ring buffer's consumer protocol on hand-built pages laid out as the kernel documents them
// (kernel/bpf/ringbuf.c, include/uapi/linux/bpf.h: BPF_RINGBUF_BUSY_BIT 31, BPF_RINGBUF_DISCARD_BIT 30,
// BPF_RINGBUF_HDR_SZ 8): busy records stop the batch, discarded ones are skipped, wrapping ones read whole.
package dev.rustprobe.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RingProtocolTest {
    static final int PAGE = 4096;
    static final int SIZE = 4096;
    static final long MASK = SIZE - 1;

    final ByteBuffer consumer = ByteBuffer.allocateDirect(PAGE).order(ByteOrder.LITTLE_ENDIAN);
    final ByteBuffer producer = ByteBuffer.allocateDirect(PAGE + 2 * SIZE).order(ByteOrder.LITTLE_ENDIAN);
    long prod;

    /** Writes a record the way the producer would, into both copies of the data area. */
    void put(int flags, byte[] payload) {
        int total = (payload.length + 8 + 7) & ~7;
        ByteBuffer rec = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
        rec.putInt(payload.length | flags).putInt(0).put(payload);
        for (int i = 0; i < total; i++) {
            int at = (int) ((prod + i) & MASK);
            producer.put(PAGE + at, rec.get(i));
            producer.put(PAGE + SIZE + at, rec.get(i));
        }
        prod += total;
        producer.putLong(0, prod);
    }

    List<String> drain() {
        List<String> got = new ArrayList<>();
        RingBuffer.drain(consumer, producer, producer.asReadOnlyBuffer(), PAGE, MASK, b -> {
            byte[] x = new byte[b.remaining()];
            b.get(x);
            got.add(new String(x));
        });
        return got;
    }

    @Test
    void deliversInOrderAndAdvancesPastPadding() {
        put(0, "abc".getBytes());
        put(0, "defghijkl".getBytes());
        assertEquals(List.of("abc", "defghijkl"), drain());
        assertEquals(16 + 24, consumer.getLong(0), "3 + 8 rounds to 16, 9 + 8 to 24");
        assertEquals(List.of(), drain());
    }

    @Test
    void discardedRecordsAreSkippedButConsumed() {
        put(0, "one".getBytes());
        put(1 << 30, "gone".getBytes());
        put(0, "two".getBytes());
        assertEquals(List.of("one", "two"), drain());
        assertEquals(prod, consumer.getLong(0));
    }

    @Test
    void aBusyRecordStopsTheBatchUntilItIsCommitted() {
        put(0, "ready".getBytes());
        long busyAt = prod;
        put(1 << 31, "late".getBytes());
        put(0, "after".getBytes());
        assertEquals(List.of("ready"), drain());
        assertEquals(busyAt, consumer.getLong(0), "the consumer stops at the busy record");
        // The producer commits: it clears the busy bit in the header (both copies).
        int at = (int) (busyAt & MASK);
        producer.putInt(PAGE + at, 4);
        producer.putInt(PAGE + SIZE + at, 4);
        assertEquals(List.of("late", "after"), drain());
    }

    @Test
    void aRecordWrappingTheEndIsReadWhole() {
        // Move both positions near the end so the next record straddles it.
        prod = SIZE - 16;
        producer.putLong(0, prod);
        consumer.putLong(0, prod);
        String payload = "0123456789abcdefghijklmnopqrstuv";
        put(0, payload.getBytes());
        put(0, "next".getBytes());
        assertEquals(List.of(payload, "next"), drain());
        assertEquals(prod, consumer.getLong(0));
    }
}
