// Ctrl-C (SIGINT) and SIGTERM stop a trace cleanly instead of killing the JVM: the trace loop sees a flag,
// detaches and prints the summary.
package dev.rustprobe.cli;

import sun.misc.Signal;
import sun.misc.SignalHandler;

import java.util.HashMap;
import java.util.Map;
import java.util.function.IntConsumer;

final class Signals {
    static final int SIGINT = 2;
    static final int SIGTERM = 15;

    private static final Map<String, SignalHandler> previous = new HashMap<>();

    private Signals() {}

    /** action gets the signal's number; it runs on the JVM's signal thread. */
    static synchronized void onInterrupt(IntConsumer action) {
        for (String name : new String[] {"INT", "TERM"}) {
            try {
                previous.put(name, Signal.handle(new Signal(name), s -> action.accept(s.getNumber())));
            } catch (IllegalArgumentException e) {
                // the JVM keeps this signal for itself (e.g. with -Xrs): Ctrl-C then ends the JVM as usual
            }
        }
    }

    static String name(int signal) {
        return signal == SIGINT ? "SIGINT" : signal == SIGTERM ? "SIGTERM" : "signal " + signal;
    }

    static synchronized void restore() {
        previous.forEach((name, h) -> {
            try {
                Signal.handle(new Signal(name), h);
            } catch (IllegalArgumentException e) {
                // nothing to restore
            }
        });
        previous.clear();
    }
}
