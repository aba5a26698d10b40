// Starts `-- COMMAND` so that probes are live before its first instruction: a shell waits on a release pipe,
// rustprobe attaches for its pid, then writes "go" and the shell execs the command (same pid). If rustprobe dies
// before that (even by SIGKILL), the pipe's last writer is gone, the shell reads EOF and exits 125 without running
// the command: it is never left waiting. The command keeps rustprobe's stdin, stdout and stderr.
package dev.rustprobe.trace;

import dev.rustprobe.RustprobeException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

public final class TracedCommand implements AutoCloseable {
    /** The wrapper's exit status when rustprobe ended before releasing it (the command never ran). */
    public static final int NOT_RELEASED = 125;
    /**
     * $1 is rustprobe's read end of the release pipe, opened through /proc (a pipe opened so shares the pipe). The
     * redirection fails when rustprobe is already gone; read fails at EOF when it dies meanwhile.
     */
    private static final String WRAPPER = "r=$1; shift; if read -r go 2>/dev/null <\"$r\" && [ \"$go\" = go ]; then"
            + " exec \"$@\"; fi; echo \"rustprobe: $1 was not started: rustprobe ended before releasing it\" >&2;"
            + " exit " + NOT_RELEASED;

    private final Process process;
    private final List<String> command;
    private final int[] release;
    private boolean resumed;

    private TracedCommand(Process process, List<String> command, int[] release) {
        this.process = process;
        this.command = command;
        this.release = release;
    }

    /** Starts the command held before exec. Fails with one sentence when the command cannot be found. */
    public static TracedCommand startStopped(List<String> command, boolean inheritIo) {
        if (command.isEmpty()) {
            throw new RustprobeException("no command after '--'");
        }
        resolve(command.get(0));
        int[] fds = new int[2];
        if (Posix.c().pipe2(fds, Posix.O_CLOEXEC) != 0) {
            throw new RustprobeException("cannot create the pipe that starts " + command.get(0) + " (errno "
                    + Posix.errno() + ")");
        }
        List<String> argv = new ArrayList<>(List.of("/bin/sh", "-c", WRAPPER, "rustprobe-wrapper",
                "/proc/" + ProcessHandle.current().pid() + "/fd/" + fds[0]));
        argv.addAll(command);
        ProcessBuilder pb = new ProcessBuilder(argv);
        if (inheritIo) {
            pb.inheritIO();
        } else {
            // for tests: stdin empty, stdout and stderr to pipes the caller reads from process()
            pb.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        }
        try {
            return new TracedCommand(pb.start(), List.copyOf(command), fds);
        } catch (IOException e) {
            closePipe(fds);
            throw new RustprobeException("cannot start " + command.get(0) + ": " + e.getMessage());
        }
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

    public int pid() {
        return (int) process.pid();
    }

    public Process process() {
        return process;
    }

    public List<String> command() {
        return command;
    }

    /** Lets the waiting shell exec the command. */
    public void resume() {
        resumed = true;
        byte[] go = "go\n".getBytes(StandardCharsets.US_ASCII);
        Posix.c().write(release[1], go, go.length);
        // the line stays in the pipe for the shell to read after both of our ends are closed
        closePipe(release);
    }

    private static void closePipe(int[] fds) {
        for (int i = 0; i < fds.length; i++) {
            if (fds[i] >= 0) {
                Posix.c().close(fds[i]);
                fds[i] = -1;
            }
        }
    }

    /** One line on how the command ended (status 128+N is reported as signal N: Java cannot tell them apart). */
    public String exitNote() {
        if (process.isAlive()) {
            return null;
        }
        int code = process.exitValue();
        String name = command.get(0);
        if (code > 128 && code < 128 + 65) {
            int sig = code - 128;
            return name + " (pid " + pid() + ") exited with status " + code + " (killed by signal " + sig
                    + (sig == 6 ? ", SIGABRT: it aborted, e.g. a panic that could not unwind" : sig == 11
                    ? ", SIGSEGV" : sig == 9 ? ", SIGKILL" : sig == 2 ? ", SIGINT" : sig == 15 ? ", SIGTERM" : "")
                    + ")";
        }
        return name + " (pid " + pid() + ") exited with status " + code;
    }

    /** If the command never got going (attach failed or was interrupted), it is killed rather than released. */
    @Override
    public void close() {
        if (!resumed && process.isAlive()) {
            Posix.c().kill((int) process.pid(), Posix.SIGKILL);
            try {
                process.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        closePipe(release);
    }
}
