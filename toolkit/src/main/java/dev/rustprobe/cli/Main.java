// Entry point: picks the sub-command, turns every failure into one line and an exit code.
package dev.rustprobe.cli;

import dev.rustprobe.RustprobeException;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

public final class Main {
    static final int EXIT_FAILURE = 1;
    static final int EXIT_USAGE = 2;

    private Main() {
    }

    /** Every command, in the order the help lists them. */
    static List<Command> commands() {
        return List.of(new DemangleCommand(), new ListCommand(), new ExplainCommand(), new TraceCommand());
    }

    public static void main(String[] args) {
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), false);
        int code = run(args, out, System.err);
        out.flush();
        System.exit(code);
    }

    /** Runs one command line; never throws. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        boolean debug = Arrays.asList(args).contains("--debug");
        String[] rest = Arrays.stream(args).filter(a -> !a.equals("--debug")).toArray(String[]::new);
        Map<String, Command> byName = new LinkedHashMap<>();
        for (Command c : commands()) {
            byName.put(c.name(), c);
        }
        if (rest.length == 0 || rest[0].equals("-h") || rest[0].equals("--help") || rest[0].equals("help")) {
            printHelp(byName, rest.length == 0 ? err : out);
            return rest.length == 0 ? EXIT_USAGE : 0;
        }
        Command command = byName.get(rest[0]);
        if (command == null) {
            err.println("rustprobe: unknown command '" + rest[0] + "'; commands are: " + String.join(", ", byName.keySet()));
            return EXIT_USAGE;
        }
        try {
            return command.run(Arrays.copyOfRange(rest, 1, rest.length), out, err);
        } catch (UsageException e) {
            err.println("rustprobe " + command.name() + ": " + e.getMessage());
            err.println("try 'rustprobe " + command.name() + " --help'");
            return EXIT_USAGE;
        } catch (RustprobeException e) {
            err.println("rustprobe: " + e.getMessage());
            if (debug) {
                e.printStackTrace(err);
            }
            return EXIT_FAILURE;
        } catch (OutOfMemoryError e) {
            err.println("rustprobe: ran out of memory; give the JVM more with JAVA_OPTS=-Xmx…");
            return EXIT_FAILURE;
        } catch (Exception | StackOverflowError e) {
            // A bug of ours, not the user's: still one line unless --debug asks for the trace.
            err.println("rustprobe: internal error: " + e + (debug ? "" : " (run with --debug for the stack trace)"));
            if (debug) {
                e.printStackTrace(err);
            }
            return EXIT_FAILURE;
        } finally {
            out.flush();
        }
    }

    private static void printHelp(Map<String, Command> byName, PrintStream to) {
        to.println("usage: rustprobe COMMAND [ARGS...]   (add --debug for stack traces)");
        to.println();
        for (Command c : byName.values()) {
            to.printf("  %-10s %s%n", c.name(), c.summary());
        }
    }
}
