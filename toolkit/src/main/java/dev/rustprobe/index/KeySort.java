// Sorts entries by byte-string keys with a multikey quicksort, eight bytes a level: Rust paths share long prefixes
// ("<rustc_middle::ty::"), which a comparison sort would compare again on every comparison.
package dev.rustprobe.index;

import java.util.Arrays;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;

final class KeySort {
    /** Ranges below this are insertion-sorted by whole keys. */
    private static final int SMALL = 12;

    /** Orders entries whose keys are equal (the same name): the tie-break. */
    interface Ties {
        int compare(int a, int b);
    }

    private final byte[][] bytes;
    private final int[] from;
    private final int[] length;
    private final Ties ties;

    /** Entry e's key is bytes[e][from[e], from[e] + length[e]), compared as unsigned bytes, a prefix first. */
    KeySort(byte[][] bytes, int[] from, int[] length, Ties ties) {
        this.bytes = bytes;
        this.from = from;
        this.length = length;
        this.ties = ties;
    }

    /**
     * Bytes [d, d + 8) of e's key, big-endian, zeros past its end, with the sign bit flipped: signed order of these
     * is unsigned order of the bytes. Eight bytes a level: Rust paths share prefixes of dozens of bytes.
     */
    private long word(int e, int d) {
        byte[] b = bytes[e];
        int p = from[e] + d;
        int n = Math.min(8, length[e] - d);
        long w = 0;
        for (int i = 0; i < n; i++) {
            w = (w << 8) | (b[p + i] & 0xff);
        }
        return (n >= 8 ? w : w << ((8 - Math.max(0, n)) << 3)) ^ Long.MIN_VALUE;
    }

    /**
     * Sorts the entry numbers in a by key, then by the tie-break; a big array as two halves on two threads, then
     * merged. Returns the sorted array (a itself, or a new one).
     */
    int[] sort(int[] a) {
        if (a.length < PARALLEL) {
            sort(a, 0, a.length);
            return a;
        }
        int mid = a.length >>> 1;
        // the second half on the common pool, the first here (no lambda: a class is cheaper to start than one)
        ForkJoinTask<?> second = ForkJoinPool.commonPool().submit(new Runnable() {
            @Override
            public void run() {
                sort(a, mid, a.length);
            }
        });
        sort(a, 0, mid);
        second.join();
        int[] out = new int[a.length];
        int i = 0;
        int j = mid;
        int k = 0;
        while (i < mid && j < a.length) {
            out[k++] = compare(a[j], a[i], 0) < 0 ? a[j++] : a[i++];
        }
        System.arraycopy(a, i, out, k, mid - i);
        System.arraycopy(a, j, out, k + mid - i, a.length - j);
        return out;
    }

    /** Below this many entries one thread sorts alone. */
    private static final int PARALLEL = 20_000;

    /** Sorts a[lo, hi). */
    void sort(int[] a, int lo0, int hi0) {
        int[] stack = new int[96];
        int top = 0;
        stack[top++] = lo0;
        stack[top++] = hi0;
        stack[top++] = 0;
        while (top > 0) {
            int d = stack[--top];
            int hi = stack[--top];
            int lo = stack[--top];
            while (hi - lo > 1) {
                if (hi - lo < SMALL) {
                    insertionSort(a, lo, hi, d);
                    break;
                }
                long v = median(word(a[lo], d), word(a[(lo + hi) >>> 1], d), word(a[hi - 1], d));
                // three ways: [lo, lt) below v, [lt, gt] at v, (gt, hi) above v
                int lt = lo;
                int gt = hi - 1;
                int i = lo;
                while (i <= gt) {
                    long c = word(a[i], d);
                    if (c < v) {
                        swap(a, lt++, i++);
                    } else if (c > v) {
                        swap(a, i, gt--);
                    } else {
                        i++;
                    }
                }
                if (top + 6 > stack.length) {
                    stack = Arrays.copyOf(stack, stack.length * 2);
                }
                if (lt - lo > 1) {
                    stack[top++] = lo;
                    stack[top++] = lt;
                    stack[top++] = d;
                }
                if (hi - gt - 1 > 1) {
                    stack[top++] = gt + 1;
                    stack[top++] = hi;
                    stack[top++] = d;
                }
                boolean ended = false;
                for (int k = lt; k <= gt && !ended; k++) {
                    ended = length[a[k]] <= d + 8;
                }
                if (ended) {
                    // a key ends in this word: the rest (equal keys, nearly always) is ordered by whole keys
                    mergeSort(a, lt, gt + 1, d);
                    break;
                }
                lo = lt;
                hi = gt + 1;
                d += 8;
            }
        }
    }

    private static long median(long x, long y, long z) {
        return x < y ? (y < z ? y : Math.max(x, z)) : (x < z ? x : Math.max(y, z));
    }

    private static void swap(int[] a, int i, int j) {
        int t = a[i];
        a[i] = a[j];
        a[j] = t;
    }

    /** Keys share their first d bytes: compares the rest, then the tie-break. */
    private int compare(int x, int y, int d) {
        int c = Arrays.compareUnsigned(bytes[x], from[x] + d, from[x] + length[x], bytes[y], from[y] + d, from[y] + length[y]);
        return c != 0 ? c : ties.compare(x, y);
    }

    private void insertionSort(int[] a, int lo, int hi, int d) {
        for (int i = lo + 1; i < hi; i++) {
            int e = a[i];
            int j = i;
            while (j > lo && compare(a[j - 1], e, d) > 0) {
                a[j] = a[j - 1];
                j--;
            }
            a[j] = e;
        }
    }

    /** a[lo, hi), keys sharing their first d bytes, by {@link #compare}: a merge sort (a legacy name can have thousands of copies). */
    private void mergeSort(int[] a, int lo, int hi, int d) {
        if (hi - lo < SMALL) {
            insertionSort(a, lo, hi, d);
            return;
        }
        int mid = (lo + hi) >>> 1;
        mergeSort(a, lo, mid, d);
        mergeSort(a, mid, hi, d);
        int[] left = Arrays.copyOfRange(a, lo, mid);
        int i = 0;
        int j = mid;
        int k = lo;
        while (i < left.length && j < hi) {
            a[k++] = compare(a[j], left[i], d) < 0 ? a[j++] : left[i++];
        }
        System.arraycopy(left, i, a, k, left.length - i);
    }
}
