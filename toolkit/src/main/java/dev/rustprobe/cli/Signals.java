// Ctrl-C (SIGINT) and SIGTERM stop a trace cleanly instead of killing the JVM: the trace loop sees a flag,
// detaches and prints the summary.
package dev.rustprobe.cli;

import sun.misc.Signal;
import sun.misc.SignalHandler;

import java.util.HashMap;
import java.util.Map;

final class Signals {
    private static final Map<String, SignalHandler> previous = new HashMap<>();

    private Signals() {}

    static synchronized void onInterrupt(Runnable action) {
        for (String name : new String[] {"INT", "TERM"}) {
            try {
                previous.put(name, Signal.handle(new Signal(name), s -> action.run()));
            } catch (IllegalArgumentException e) {
                // the JVM keeps this signal for itself (e.g. with -Xrs): Ctrl-C then ends the JVM as usual
            }
        }
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
