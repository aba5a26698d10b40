// One sub-command of the rustprobe command line.
package dev.rustprobe.cli;

import java.io.PrintStream;

public interface Command {
    /** The word that selects this command, e.g. {@code demangle}. */
    String name();

    /** One line for the top-level help. */
    String summary();

    /**
     * Runs the command. User errors are thrown as {@link dev.rustprobe.RustprobeException} or
     * {@link UsageException}; the return value is the process exit code.
     */
    int run(String[] args, PrintStream out, PrintStream err) throws Exception;
}
