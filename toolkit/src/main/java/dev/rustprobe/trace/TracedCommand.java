// Starts `-- COMMAND` so that probes are live before its first instruction: a shell stops itself, rustprobe attaches
// for its pid, then continues it and the shell execs the command (same pid). The command keeps rustprobe's stdin,
// stdout and stderr, so it behaves as it would without tracing.
package dev.rustprobe.trace;

import com.sun.jna.Library;
import com.sun.jna.Native;
import dev.rustprobe.RustprobeException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

public final class TracedCommand implements AutoCloseable {
    private static final int SIGKILL = 9;
    private static final int SIGCONT = 18;
    private static final long START_TIMEOUT_MS = 10_000;

    interface CLib extends Library {
        int kill(int pid, int signal);
    }

    private static volatile CLib libc;

    private final Process process;
    private final List<String> command;
    private boolean resumed;

    private TracedCommand(Process process, List<String> command) {
        this.process = process;
        this.command = command;
    }

    /** Starts the command stopped before exec. Fails with one sentence when the command cannot be found. */
    public static TracedCommand startStopped(List<String> command, boolean inheritIo) {
        if (command.isEmpty()) {
            throw new RustprobeException("no command after '--'");
        }
        resolve(command.get(0));
        List<String> argv = new ArrayList<>(List.of("/bin/sh", "-c", "kill -STOP $$; exec \"$@\"", "rustprobe-wrapper"));
        argv.addAll(command);
        ProcessBuilder pb = new ProcessBuilder(argv);
        if (inheritIo) {
            pb.inheritIO();
        } else {
            // for tests: stdin empty, stdout and stderr to pipes the caller reads from process()
            pb.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        }
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new RustprobeException("cannot start " + command.get(0) + ": " + e.getMessage());
        }
        TracedCommand c = new TracedCommand(p, List.copyOf(command));
        c.awaitStopped();
        return c;
    }

    /** The executable a command names, as the shell would find it; a RustprobeException when there is none. */
    static Path resolve(String name) {
        if (name.contains("/")) {
            Path p = Path.of(name);
            if (!Files.isRegularFile(p)) {
                throw new RustprobeException("command not found: " + name);
            }
            if (!Files.isExecutable(p)) {
                throw new RustprobeException("command not executable: " + name);
            }
            return p;
        }
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
        for (String dir : path.split(":")) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, name);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return p;
            }
        }
        throw new RustprobeException("command not found: " + name + " (not in PATH)");
    }

    private void awaitStopped() {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(START_TIMEOUT_MS);
        Path stat = Path.of("/proc", Long.toString(process.pid()), "stat");
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new RustprobeException("the wrapper shell for " + command.get(0) + " exited (status "
                        + process.exitValue() + ") before the command started");
            }
            try {
                String s = Files.readString(stat);
                int close = s.lastIndexOf(')');
                if (close > 0 && close + 2 < s.length() && s.charAt(close + 2) == 'T') {
                    return;
                }
            } catch (IOException e) {
                // not there yet, or gone: the loop decides
            }
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        kill(SIGKILL);
        throw new RustprobeException("the command " + command.get(0) + " did not get ready within "
                + START_TIMEOUT_MS / 1000 + " s");
    }

    public int pid() {
        return (int) process.pid();
    }

    public Process process() {
        return process;
    }

    public List<String> command() {
        return command;
    }

    /** Lets the stopped shell continue into exec of the command. */
    public void resume() {
        resumed = true;
        kill(SIGCONT);
    }

    private void kill(int signal) {
        CLib c = libc;
        if (c == null) {
            c = Native.load("c", CLib.class);
            libc = c;
        }
        c.kill((int) process.pid(), signal);
    }

    /** One line on how the command ended, or null when it exited 0. */
    public String exitNote() {
        if (process.isAlive()) {
            return null;
        }
        int code = process.exitValue();
        String name = command.get(0);
        if (code == 0) {
            return null;
        }
        if (code > 128 && code < 128 + 65) {
            int sig = code - 128;
            return name + " (pid " + pid() + ") exited with status " + code + " (killed by signal " + sig
                    + (sig == 6 ? ", SIGABRT: it aborted, e.g. a panic that could not unwind" : sig == 11
                    ? ", SIGSEGV" : sig == 9 ? ", SIGKILL" : sig == 2 ? ", SIGINT" : "") + ")";
        }
        return name + " (pid " + pid() + ") exited with status " + code;
    }

    /** If the command never got going (attach failed), it is killed rather than left stopped. */
    @Override
    public void close() {
        if (!resumed && process.isAlive()) {
            kill(SIGKILL);
            try {
                process.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
