// The pieces of trace output that do not need a kernel: durations, log2 buckets and the histogram rows.
package dev.rustprobe.trace;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class EventFormatTest {
    @Test
    void durationsReadLikeHumansWriteThem() {
        assertEquals("0ns", EventFormat.duration(0));
        assertEquals("999ns", EventFormat.duration(999));
        assertEquals("1.0µs", EventFormat.duration(1_000));
        assertEquals("1.8µs", EventFormat.duration(1_849));
        assertEquals("1.9µs", EventFormat.duration(1_850));
        assertEquals("999.9µs", EventFormat.duration(999_949));
        assertEquals("1.0ms", EventFormat.duration(999_950));
        assertEquals("12.3ms", EventFormat.duration(12_345_678));
        assertEquals("1.00s", EventFormat.duration(999_950_000));
        assertEquals("1.25s", EventFormat.duration(1_249_999_999));
        assertEquals("61.05s", EventFormat.duration(61_050_000_000L));
    }

    @Test
    void histogramBucketsArePowersOfTwo() {
        assertEquals(0, Summary.bucket(0));
        assertEquals(0, Summary.bucket(1));
        assertEquals(1, Summary.bucket(2));
        assertEquals(1, Summary.bucket(3));
        assertEquals(10, Summary.bucket(1024));
        assertEquals(10, Summary.bucket(2047));
        assertEquals(62, Summary.bucket(Long.MAX_VALUE));
        assertEquals("1K", Summary.size(1024));
        assertEquals("2M", Summary.size(2L << 20));
        assertEquals("3", Summary.size(3));
        long[] hist = new long[64];
        hist[10] = 4;
        hist[12] = 2;
        StringBuilder b = new StringBuilder();
        Summary.appendHistogram(b, hist);
        assertEquals("""
                  latency (ns):
                    [1K, 2K)                4 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|
                    [2K, 4K)                0 |                                        |
                    [4K, 8K)                2 |@@@@@@@@@@@@@@@@@@@@                    |
                """, b.toString());
    }
}
