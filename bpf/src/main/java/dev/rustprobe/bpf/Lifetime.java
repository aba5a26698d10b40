// Tracks every kernel object the process still owns, so that a JVM shutdown (Ctrl-C, System.exit) closes
// them in reverse order of creation even when the caller forgot to.
package dev.rustprobe.bpf;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

public final class Lifetime {
    private Lifetime() {
    }

    private static final Map<AutoCloseable, Long> OPEN = new ConcurrentHashMap<>();
    private static final AtomicLong SEQUENCE = new AtomicLong();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(Lifetime::closeAll, "rustprobe-bpf-cleanup"));
    }

    static void register(AutoCloseable resource) {
        OPEN.put(resource, SEQUENCE.incrementAndGet());
    }

    static void unregister(AutoCloseable resource) {
        OPEN.remove(resource);
    }

    /** How many registered objects are still open: 0 once every session, link, map and program is closed. */
    public static int openCount() {
        return OPEN.size();
    }

    /** Closes everything still open, newest first (links before programs before maps). */
    public static void closeAll() {
        List<Map.Entry<AutoCloseable, Long>> open = new ArrayList<>(OPEN.entrySet());
        open.sort(Map.Entry.<AutoCloseable, Long>comparingByValue(Comparator.reverseOrder()));
        for (Map.Entry<AutoCloseable, Long> e : open) {
            try {
                e.getKey().close();
            } catch (Exception ignored) {
                // At shutdown there is nobody left to tell; the kernel reclaims the fd at exit anyway.
            }
        }
    }
}
