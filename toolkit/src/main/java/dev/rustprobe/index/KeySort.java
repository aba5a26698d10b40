// Sorts entries by byte-string keys with a multikey quicksort: Rust paths share long prefixes ("<rustc_middle::ty::"),
// which a comparison sort would compare again on every comparison; this one looks at each byte position once per level.
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

    /** The byte of e's key at depth d (0..255), or -1 past its end. */
    private int at(int e, int d) {
        return d < length[e] ? bytes[e][from[e] + d] & 0xff : -1;
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
                int v = median(at(a[lo], d), at(a[(lo + hi) >>> 1], d), at(a[hi - 1], d));
                // three ways: [lo, lt) below v, [lt, gt] at v, (gt, hi) above v
                int lt = lo;
                int gt = hi - 1;
                int i = lo;
                while (i <= gt) {
                    int c = at(a[i], d);
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
                if (v < 0) {
                    tieSort(a, lt, gt + 1); // whole keys equal
                    break;
                }
                lo = lt;
                hi = gt + 1;
                d++;
            }
        }
    }

    private static int median(int x, int y, int z) {
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

    /** Entries with equal keys by the tie-break alone (a legacy name can have thousands of copies): a merge sort. */
    private void tieSort(int[] a, int lo, int hi) {
        if (hi - lo < SMALL) {
            for (int i = lo + 1; i < hi; i++) {
                int e = a[i];
                int j = i;
                while (j > lo && ties.compare(a[j - 1], e) > 0) {
                    a[j] = a[j - 1];
                    j--;
                }
                a[j] = e;
            }
            return;
        }
        int mid = (lo + hi) >>> 1;
        tieSort(a, lo, mid);
        tieSort(a, mid, hi);
        int[] left = Arrays.copyOfRange(a, lo, mid);
        int i = 0;
        int j = mid;
        int k = lo;
        while (i < left.length && j < hi) {
            a[k++] = ties.compare(a[j], left[i]) < 0 ? a[j++] : left[i++];
        }
        System.arraycopy(left, i, a, k, left.length - i);
    }
}
