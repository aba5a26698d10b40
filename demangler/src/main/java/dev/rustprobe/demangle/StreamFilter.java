// rustfilt's stdin filter over a byte stream: symbols are replaced by their demangled form, every other byte is
// copied unchanged (so input that is not UTF-8 passes through), in bounded memory and one pass.
package dev.rustprobe.demangle;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

public final class StreamFilter {
    /** A run of symbol characters longer than this is copied unchanged instead of being held in memory whole. */
    public static final int DEFAULT_MAX_RUN = 32 << 20;

    private final boolean withHash;
    private final int chunk;
    private final int maxRun;
    private StringBuilder rendered = new StringBuilder(256);
    private byte[] out = new byte[1 << 16];
    private int outLen;
    /** With workers: blocks of complete text being demangled, in input order (at most 2 per worker). */
    private ExecutorService workers;
    private int maxPending;
    private final ArrayDeque<Future<byte[]>> pending = new ArrayDeque<>();

    public StreamFilter(boolean withHash) {
        this(withHash, 1 << 16, DEFAULT_MAX_RUN);
    }

    /** chunk: bytes read at a time; maxRun: the longest symbol-character run held whole (see DEFAULT_MAX_RUN). */
    public StreamFilter(boolean withHash, int chunk, int maxRun) {
        if (chunk < 1 || maxRun < chunk) {
            throw new IllegalArgumentException("chunk " + chunk + ", maxRun " + maxRun);
        }
        this.withHash = withHash;
        this.chunk = chunk;
        this.maxRun = maxRun;
    }

    /**
     * Filters all of in to sink like {@link #filter(InputStream, OutputStream)}, demangling blocks of the input
     * on {@code threads} threads (output order and content are the same; memory stays bounded: at most two
     * blocks per thread are held).
     */
    public void filter(InputStream in, OutputStream sink, int threads) throws IOException {
        if (threads <= 1) {
            filter(in, sink);
            return;
        }
        workers = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "demangle");
            t.setDaemon(true);
            return t;
        });
        maxPending = 2 * threads;
        try {
            filter(in, sink);
        } finally {
            workers.shutdownNow();
            workers = null;
            pending.clear();
        }
    }

    /** Filters all of in to sink (not closing either); sink sees writes of at most 64 KiB. */
    public void filter(InputStream in, OutputStream sink) throws IOException {
        byte[] buf = new byte[chunk * 2];
        // Held bytes [0, len) are a run of symbol characters that may go on in the next read; all before was
        // written. passingRun: inside an overlong run that is being copied unchanged up to its end.
        int len = 0;
        boolean passingRun = false;
        while (true) {
            if (buf.length - len < chunk) {
                byte[] bigger = new byte[Math.max(buf.length * 2, len + chunk)];
                System.arraycopy(buf, 0, bigger, 0, len);
                buf = bigger;
            }
            int n = in.read(buf, len, chunk);
            if (n < 0) {
                break;
            }
            int start = len;
            len += n;
            if (passingRun) {
                drain(0, sink);
                int i = 0;
                while (i < len && Demangler.isSymbolChar(buf[i])) {
                    i++;
                }
                emit(buf, 0, i, sink);
                System.arraycopy(buf, i, buf, 0, len - i);
                len -= i;
                if (len == 0) {
                    continue;
                }
                passingRun = false;
                start = 0;
            }
            int cut = len;
            while (cut > start && Demangler.isSymbolChar(buf[cut - 1])) {
                cut--;
            }
            if (cut > start) {
                complete(buf, cut, sink);
                System.arraycopy(buf, cut, buf, 0, len - cut);
                len -= cut;
            } else if (len >= maxRun) {
                drain(0, sink);
                emit(buf, 0, len, sink);
                len = 0;
                passingRun = true;
            }
        }
        if (!passingRun) {
            complete(buf, len, sink);
        }
        drain(0, sink);
        flush(sink);
    }

    /** Complete text buf[0, to): filtered here, or handed to a worker when there are workers. */
    private void complete(byte[] buf, int to, OutputStream sink) throws IOException {
        if (workers == null) {
            process(buf, 0, to, sink);
            return;
        }
        byte[] block = java.util.Arrays.copyOf(buf, to);
        pending.add(workers.submit(() -> {
            ByteArrayOutputStream result = new ByteArrayOutputStream(block.length + (block.length >> 1));
            StreamFilter worker = new StreamFilter(withHash, chunk, maxRun);
            worker.process(block, 0, block.length, result);
            worker.flush(result);
            return result.toByteArray();
        }));
        drain(maxPending, sink);
    }

    /** Writes finished blocks, in order, until at most {@code keep} are pending. */
    private void drain(int keep, OutputStream sink) throws IOException {
        while (pending.size() > keep) {
            byte[] done;
            try {
                done = pending.remove().get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while demangling", e);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof UncheckedIOException u) {
                    throw u.getCause();
                }
                throw new IllegalStateException("demangling a block failed", e.getCause());
            }
            emit(done, 0, done.length, sink);
        }
    }

    /** Filters the complete text buf[from, to) (no symbol continues past to). */
    private void process(byte[] buf, int from, int to, OutputStream sink) throws IOException {
        if (from >= to) {
            return;
        }
        int copied = from;
        int i = from;
        while (i < to - 1) {
            if (buf[i] == '_' && (buf[i + 1] == 'R' || (buf[i + 1] == 'Z' && i + 2 < to && buf[i + 2] == 'N'))) {
                int j = i + 2;
                while (j < to && Demangler.isSymbolChar(buf[j])) {
                    j++;
                }
                emit(buf, copied, i, sink);
                @SuppressWarnings("deprecation") // ASCII bytes to chars one for one, the fastest String there is
                String symbol = new String(buf, 0, i, j - i);
                rendered.setLength(0);
                Demangler.appendDisplay(symbol, withHash, rendered);
                if (emitChars(rendered, sink)) {
                    rendered = new StringBuilder(256); // keep the builder Latin-1, the fast kind
                }
                copied = i = j;
                continue;
            }
            i++;
        }
        emit(buf, copied, to, sink);
    }

    private void emit(byte[] b, int from, int to, OutputStream sink) throws IOException {
        int n = to - from;
        if (n > out.length - outLen) {
            flush(sink);
            if (n > out.length) {
                sink.write(b, from, n);
                return;
            }
        }
        System.arraycopy(b, from, out, outLen, n);
        outLen += n;
    }

    /** UTF-8 of the rendered name into the output buffer; true when it had characters beyond Latin-1. */
    private boolean emitChars(CharSequence s, OutputStream sink) throws IOException {
        int n = s.length();
        boolean wide = false;
        for (int i = 0; i < n; i++) {
            if (out.length - outLen < 4) {
                flush(sink);
            }
            char c = s.charAt(i);
            if (c < 0x80) {
                out[outLen++] = (byte) c;
            } else if (c < 0x800) {
                wide |= c > 0xFF;
                out[outLen++] = (byte) (0xC0 | (c >> 6));
                out[outLen++] = (byte) (0x80 | (c & 0x3F));
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                wide = true;
                int cp = Character.toCodePoint(c, s.charAt(++i));
                out[outLen++] = (byte) (0xF0 | (cp >> 18));
                out[outLen++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
                out[outLen++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
                out[outLen++] = (byte) (0x80 | (cp & 0x3F));
            } else {
                wide = true;
                out[outLen++] = (byte) (0xE0 | (c >> 12));
                out[outLen++] = (byte) (0x80 | ((c >> 6) & 0x3F));
                out[outLen++] = (byte) (0x80 | (c & 0x3F));
            }
        }
        return wide || n != 0 && s.length() != n;
    }

    private void flush(OutputStream sink) throws IOException {
        if (outLen > 0) {
            sink.write(out, 0, outLen);
            outLen = 0;
        }
    }
}
