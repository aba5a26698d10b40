// Reads the raw gdb captures (capture-VARIANT.jsonl.gz, made by gdb_capture.py): per hit, the registers, stack
// words and memory dumps gdb saw at a function's entry and at its return, as Capture objects.
package dev.rustprobe.abi;

import dev.rustprobe.testing.SampleRust.Variant;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;

public final class GdbCaptures {
    /**
     * One breakpoint hit: "entry" (linkAddress: the function's link-time address), "return", or "inline" (at the
     * start of a code range of an inlined helper; callLine: the line of its call).
     */
    public record Event(String kind, int hit, int tid, long linkAddress, int callLine, GdbCapture capture) {}

    /** Entries in hit order, the return of each hit that returned (not those that unwound), inline hits in order. */
    public record Run(long base, List<Event> entries, Map<Integer, Event> returns, List<Event> inlines) {}

    private GdbCaptures() {}

    public static Run read(Variant v) {
        String resource = "/abi/capture-" + v.buildName() + ".jsonl.gz";
        List<Map<String, Object>> raw = new ArrayList<>();
        try (InputStream in = GdbCaptures.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + resource);
            }
            BufferedReader r = new BufferedReader(new InputStreamReader(new GZIPInputStream(in), StandardCharsets.UTF_8));
            for (String l; (l = r.readLine()) != null; ) {
                if (!l.isBlank()) {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> m = (Map<String, Object>) new Json(l).value();
                    raw.add(m);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        long base = 0;
        List<Event> entries = new ArrayList<>();
        Map<Integer, Event> returns = new HashMap<>();
        List<Event> inlines = new ArrayList<>();
        for (Map<String, Object> m : raw) {
            String kind = (String) m.get("event");
            if (kind.equals("base")) {
                base = Long.parseUnsignedLong((String) m.get("base"), 16);
                continue;
            }
            int hit = ((Number) m.get("hit")).intValue();
            int tid = ((Number) m.get("tid")).intValue();
            GdbCapture c = capture(m, base);
            if (kind.equals("entry")) {
                entries.add(new Event(kind, hit, tid, Long.parseUnsignedLong((String) m.get("addr"), 16), 0, c));
            } else if (kind.equals("inline")) {
                inlines.add(new Event(kind, hit, tid, Long.parseUnsignedLong((String) m.get("addr"), 16),
                        ((Number) m.get("line")).intValue(), c));
            } else {
                returns.put(hit, new Event(kind, hit, tid, -1, 0, c));
            }
        }
        return new Run(base, entries, returns, inlines);
    }

    @SuppressWarnings("unchecked")
    private static GdbCapture capture(Map<String, Object> m, long base) {
        Map<String, Long> regs = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : ((Map<String, Object>) m.get("regs")).entrySet()) {
            regs.put(e.getKey(), Long.parseUnsignedLong((String) e.getValue(), 16));
        }
        TreeMap<Long, byte[]> mem = new TreeMap<>();
        for (Map.Entry<String, Object> e : ((Map<String, Object>) m.get("mem")).entrySet()) {
            mem.put(Long.parseUnsignedLong(e.getKey(), 16), hex((String) e.getValue()));
        }
        if (m.containsKey("stack") && regs.containsKey("rsp")) {
            List<Object> words = (List<Object>) m.get("stack");
            byte[] stack = new byte[words.size() * 8];
            for (int i = 0; i < words.size(); i++) {
                long w = Long.parseUnsignedLong((String) words.get(i), 16);
                for (int k = 0; k < 8; k++) {
                    stack[i * 8 + k] = (byte) (w >>> (8 * k));
                }
            }
            mem.merge(regs.get("rsp"), stack, (a, b) -> a.length >= b.length ? a : b);
        }
        return new GdbCapture(regs, mem, base);
    }

    private static byte[] hex(String s) {
        byte[] b = new byte[s.length() / 2];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16);
        }
        return b;
    }

    /** What gdb recorded at one hit: only general and xmm registers it read, and the memory it dumped. */
    public static final class GdbCapture implements Capture {
        final Map<String, Long> registers;
        private final TreeMap<Long, byte[]> memory;
        private final long base;

        GdbCapture(Map<String, Long> registers, TreeMap<Long, byte[]> memory, long base) {
            this.registers = registers;
            this.memory = memory;
            this.base = base;
        }

        @Override
        public OptionalLong register(String name) {
            // uprobes see no xmm state, so neither does the decoder
            Long v = name.startsWith("xmm") ? null : registers.get(name);
            return v == null ? OptionalLong.empty() : OptionalLong.of(v);
        }

        /** The longest run of recorded bytes from address (dumps may overlap or abut), at most length. */
        @Override
        public byte[] memory(long address, int length) {
            byte[] out = new byte[length];
            int n = 0;
            while (n < length) {
                long at = address + n;
                Map.Entry<Long, byte[]> best = null;
                for (Map.Entry<Long, byte[]> e : memory.headMap(at, true).descendingMap().entrySet()) {
                    if (at < e.getKey() + e.getValue().length) {
                        best = e;
                        break;
                    }
                    if (at - e.getKey() > 4096) {
                        break;
                    }
                }
                if (best == null) {
                    break;
                }
                int from = (int) (at - best.getKey());
                int take = Math.min(length - n, best.getValue().length - from);
                System.arraycopy(best.getValue(), from, out, n, take);
                n += take;
            }
            return n == 0 ? (length == 0 ? new byte[0] : null) : java.util.Arrays.copyOf(out, n);
        }

        @Override
        public long loadBias() {
            return base;
        }
    }

    /** A minimal JSON reader for the capture lines: objects, arrays, strings, integers. */
    private static final class Json {
        private final String s;
        private int i;

        Json(String s) {
            this.s = s;
        }

        Object value() {
            ws();
            char c = s.charAt(i);
            if (c == '{') {
                i++;
                Map<String, Object> m = new LinkedHashMap<>();
                ws();
                if (s.charAt(i) == '}') {
                    i++;
                    return m;
                }
                while (true) {
                    ws();
                    String k = (String) value();
                    ws();
                    i++; // ':'
                    m.put(k, value());
                    ws();
                    if (s.charAt(i++) == '}') {
                        return m;
                    }
                }
            }
            if (c == '[') {
                i++;
                List<Object> l = new ArrayList<>();
                ws();
                if (s.charAt(i) == ']') {
                    i++;
                    return l;
                }
                while (true) {
                    l.add(value());
                    ws();
                    if (s.charAt(i++) == ']') {
                        return l;
                    }
                }
            }
            if (c == '"') {
                int end = s.indexOf('"', i + 1);
                String v = s.substring(i + 1, end);
                i = end + 1;
                return v;
            }
            int start = i;
            while (i < s.length() && "-0123456789".indexOf(s.charAt(i)) >= 0) {
                i++;
            }
            return Long.parseLong(s.substring(start, i));
        }

        private void ws() {
            while (i < s.length() && s.charAt(i) == ' ') {
                i++;
            }
        }
    }
}
