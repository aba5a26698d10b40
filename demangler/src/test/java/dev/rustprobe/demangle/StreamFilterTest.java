// The streaming byte filter against rustfilt's stdin filter, with read sizes that split symbols anywhere.
package dev.rustprobe.demangle;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class StreamFilterTest {
    private static String text(List<Golden> rows, boolean expected, boolean hash) {
        StringBuilder sb = new StringBuilder();
        for (Golden g : rows) {
            sb.append(expected ? (hash ? g.hashed() : g.plain()) : g.input()).append('\n');
        }
        return sb.toString();
    }

    private static byte[] run(byte[] input, boolean hash, int chunk, int maxRun) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new StreamFilter(hash, chunk, maxRun).filter(new ByteArrayInputStream(input), out);
        return out.toByteArray();
    }

    @Test
    void matchesRustfiltWhateverTheReadSize() throws IOException {
        List<Golden> rows = Golden.load("filter.tsv.gz");
        byte[] in = text(rows, false, false).getBytes(StandardCharsets.UTF_8);
        String plain = text(rows, true, false);
        String hashed = text(rows, true, true);
        for (int chunk : new int[] {1, 2, 3, 7, 64, 4096, 1 << 16}) {
            assertEquals(plain, new String(run(in, false, chunk, StreamFilter.DEFAULT_MAX_RUN), StandardCharsets.UTF_8), "chunk " + chunk);
        }
        assertEquals(hashed, new String(run(in, true, 1 << 16, StreamFilter.DEFAULT_MAX_RUN), StandardCharsets.UTF_8));
    }

    @Test
    void onSeveralThreadsTheOutputIsTheSame() throws IOException {
        List<Golden> rows = Golden.load("filter.tsv.gz");
        byte[] in = text(rows, false, false).getBytes(StandardCharsets.UTF_8);
        for (int chunk : new int[] {5, 4096}) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            new StreamFilter(false, chunk, 1 << 20).filter(new ByteArrayInputStream(in), out, 3);
            assertEquals(text(rows, true, false), out.toString(StandardCharsets.UTF_8), "chunk " + chunk);
        }
        String run = "_ZN" + "1a".repeat(5000) + "E";
        byte[] longRun = ("x _ZN3fooE " + run + " _ZN3fooE\n").getBytes(StandardCharsets.US_ASCII);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new StreamFilter(false, 100, 1000).filter(new ByteArrayInputStream(longRun), out, 2);
        assertEquals("x foo " + run + " foo\n", out.toString(StandardCharsets.US_ASCII));
    }

    @Test
    void shortReadsFromTheStreamDoNotMatter() throws IOException {
        List<Golden> rows = Golden.load("filter.tsv.gz").subList(0, 500);
        byte[] in = text(rows, false, false).getBytes(StandardCharsets.UTF_8);
        InputStream trickle = new FilterInputStream(new ByteArrayInputStream(in)) {
            private int k;

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return super.read(b, off, Math.min(len, 1 + (k++ % 5)));
            }
        };
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new StreamFilter(false).filter(trickle, out);
        assertEquals(text(rows, true, false), out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void bytesThatAreNotUtf8PassThrough() throws IOException {
        byte[] in = {(byte) 0xff, ' ', '_', 'Z', 'N', '3', 'f', 'o', 'o', 'E', (byte) 0xc3, '\n', (byte) 0x80};
        byte[] expected = {(byte) 0xff, ' ', 'f', 'o', 'o', (byte) 0xc3, '\n', (byte) 0x80};
        assertArrayEquals(expected, run(in, false, 3, 64));
    }

    @Test
    void anOverlongRunIsCopiedUnchangedInBoundedMemory() throws IOException {
        String run = "_ZN" + "1a".repeat(5000) + "E";
        byte[] in = ("x " + run + " _ZN3fooE\n").getBytes(StandardCharsets.US_ASCII);
        assertEquals("x " + run + " foo\n", new String(run(in, false, 100, 1000), StandardCharsets.US_ASCII));
        // below the limit the same run is a symbol
        assertEquals("x " + "a::".repeat(4999) + "a foo\n", new String(run(in, false, 100, 20000), StandardCharsets.US_ASCII));
    }
}
