// Typed lookup, update, delete and key listing on the kernel's array, hash, LRU hash and per-CPU array maps,
// and the kernel's own answers (EEXIST, ENOENT, LRU eviction) surfacing as the Java API says.
package dev.rustprobe.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class MapTest {
    @BeforeEach
    void needsBpf() {
        TestSupport.assumeBpf();
    }

    @Test
    void arrayMapsStartZeroedAndCannotDelete() {
        try (BpfMap<Integer, Long> m = BpfMap.array("rpt_arr", Codec.U64, 8)) {
            assertEquals(Optional.of(0L), m.lookup(7));
            assertEquals(Optional.empty(), m.lookup(8), "outside the array");
            m.update(3, 0x1122334455667788L);
            assertEquals(Optional.of(0x1122334455667788L), m.lookup(3));
            BpfException e = assertThrows(BpfException.class, () -> m.delete(3));
            assertTrue(e.getMessage().contains("(EINVAL)"), e.getMessage());
            assertEquals(8, m.keys().size());
        }
    }

    @Test
    void hashMapsInsertUpdateDeleteAndList() {
        try (BpfMap<Long, byte[]> m = BpfMap.hash("rpt_hash", Codec.U64, Codec.bytes(12), 4)) {
            byte[] v = "hello world!".getBytes();
            m.update(10L, v, BpfMap.Update.NOEXIST);
            BpfException dup = assertThrows(BpfException.class, () -> m.update(10L, v, BpfMap.Update.NOEXIST));
            assertEquals(Errno.EEXIST, dup.errno());
            BpfException missing = assertThrows(BpfException.class, () -> m.update(11L, v, BpfMap.Update.EXIST));
            assertEquals(Errno.ENOENT, missing.errno());
            m.update(11L, "0123456789ab".getBytes());
            m.update(12L, "xxxxxxxxxxxx".getBytes());
            assertEquals("0123456789ab", new String(m.lookup(11L).orElseThrow()));
            assertEquals(new TreeSet<>(List.of(10L, 11L, 12L)), new TreeSet<>(m.keys()));
            assertTrue(m.delete(11L));
            assertFalse(m.delete(11L));
            assertEquals(Optional.empty(), m.lookup(11L));
            m.update(13L, v);
            m.update(14L, v);
            BpfException full = assertThrows(BpfException.class, () -> m.update(15L, v));
            assertEquals(Errno.E2BIG, full.errno(), "a full hash map refuses new keys");
            assertThrows(BpfException.class, () -> m.update(16L, new byte[3]));
        }
    }

    @Test
    void lruHashEvictsInsteadOfRefusing() {
        try (BpfMap<Integer, Integer> m = BpfMap.lruHash("rpt_lru", Codec.U32, Codec.U32, 64)) {
            for (int i = 0; i < 1000; i++) {
                m.update(i, i * 2);
            }
            List<Integer> keys = m.keys();
            assertTrue(keys.size() <= 64 + 2 * PerCpuArray.possibleCpus() * 64, "bounded: " + keys.size());
            assertTrue(keys.size() < 1000);
            assertEquals(Optional.of(1998), m.lookup(999), "the newest key survives");
        }
    }

    @Test
    void perCpuArrayHoldsOneValuePerPossibleCpu() {
        try (PerCpuArray<Long> m = PerCpuArray.create("rpt_pcpu", Codec.U64, 2)) {
            assertEquals(PerCpuArray.possibleCpus(), m.cpus());
            assertEquals(m.cpus(), m.lookup(1).size());
            m.update(1, 5L);
            assertEquals(java.util.Collections.nCopies(m.cpus(), 5L), m.lookup(1));
            assertEquals(java.util.Collections.nCopies(m.cpus(), 0L), m.lookup(0));
            assertThrows(BpfException.class, () -> m.lookup(2));
        }
    }
}
