// The index's multikey quicksort must order like a plain comparison sort on (unsigned bytes, tie-break), whatever
// the keys: long shared prefixes, prefixes of each other, NUL and high bytes, many equal keys, keys at offsets.
package dev.rustprobe.index;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Comparator;
import java.util.Random;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

class KeySortTest {
    @Test
    void ordersAsAComparisonSortOnBytesThenTieBreak() {
        Random random = new Random(3);
        for (int round = 0; round < 40; round++) {
            int n = round < 30 ? 1 + random.nextInt(300) : 20_000 + random.nextInt(30_000); // the last go parallel
            byte[][] bytes = new byte[n][];
            int[] from = new int[n];
            int[] length = new int[n];
            String[] prefixes = {"", "<rustc_middle::ty::context::TyCtxt>::", "core::ptr::drop_in_place::<"};
            for (int e = 0; e < n; e++) {
                byte[] prefix = prefixes[random.nextInt(prefixes.length)].getBytes();
                int tail = random.nextInt(random.nextBoolean() ? 3 : 20);
                byte[] key = Arrays.copyOf(prefix, prefix.length + tail);
                for (int i = prefix.length; i < key.length; i++) {
                    int pick = random.nextInt(10);
                    key[i] = (byte) (pick == 0 ? 0 : pick == 1 ? 0xC3 : 'a' + random.nextInt(3)); // NUL, high, few letters
                }
                int offset = random.nextInt(5);
                bytes[e] = new byte[offset + key.length + random.nextInt(3)];
                Arrays.fill(bytes[e], (byte) 'z'); // what lies past a key must not count
                System.arraycopy(key, 0, bytes[e], offset, key.length);
                from[e] = offset;
                length[e] = key.length;
            }
            long[] address = random.longs(n, 0, 4).toArray(); // few addresses: many full ties, broken by entry
            KeySort.Ties ties = (a, b) -> {
                int c = Long.compareUnsigned(address[a], address[b]);
                return c != 0 ? c : Integer.compare(a, b);
            };
            Comparator<Integer> reference = (a, b) -> {
                int c = Arrays.compareUnsigned(bytes[a], from[a], from[a] + length[a], bytes[b], from[b], from[b] + length[b]);
                return c != 0 ? c : ties.compare(a, b);
            };
            int[] want = IntStream.range(0, n).boxed().sorted(reference).mapToInt(Integer::intValue).toArray();
            int[] order = IntStream.range(0, n).toArray();
            // shuffled input, so that the sort cannot lean on entry order
            for (int i = n - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
            assertArrayEquals(want, new KeySort(bytes, from, length, ties).sort(order), "round " + round + ", " + n + " keys");
        }
    }
}
