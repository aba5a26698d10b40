// `rustprobe demangle`: a drop-in for rustfilt. Names given as arguments are demangled one a line; with none,
// the input (stdin, or -i FILE) is filtered, every Rust symbol in it replaced by its demangled form.
package dev.rustprobe.cli;

import dev.rustprobe.RustprobeException;
import dev.rustprobe.demangle.Demangler;
import dev.rustprobe.demangle.StreamFilter;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.DefaultParser;
import org.apache.commons.cli.HelpFormatter;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.apache.commons.cli.ParseException;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

public final class DemangleCommand implements Command {
    /** Demangling threads for the filter: large inputs (nm of a whole binary) are split in blocks. */
    private static final int THREADS = Math.min(2, Runtime.getRuntime().availableProcessors());
    private static final Options OPTIONS = new Options()
            .addOption("h", "hash", false, "keep the hashes (legacy h<hex> tails, v0 crate disambiguators)")
            .addOption(Option.builder("i").longOpt("input").hasArg().argName("FILE")
                    .desc("the file to replace mangled names in, or '-' for stdin (the default)").build())
            .addOption(Option.builder("o").longOpt("output").hasArg().argName("FILE")
                    .desc("where to write, or '-' for stdout (the default)").build())
            .addOption(Option.builder().longOpt("help").desc("print this help").build());

    @Override
    public String name() {
        return "demangle";
    }

    @Override
    public String summary() {
        return "demangle Rust symbols given as arguments, or every one found in the input (like rustfilt)";
    }

    @Override
    public int run(String[] args, PrintStream out, PrintStream err) throws IOException {
        CommandLine line;
        try {
            line = new DefaultParser().parse(OPTIONS, args);
        } catch (ParseException e) {
            throw new UsageException(e.getMessage());
        }
        if (line.hasOption("help")) {
            printHelp(out);
            return 0;
        }
        boolean withHash = line.hasOption("hash");
        String input = line.getOptionValue("input", "-");
        String output = line.getOptionValue("output", "-");
        String[] names = line.getArgs();
        if (!isEmpty(names) && !input.equals("-")) {
            throw new UsageException("give names to demangle or --input, not both");
        }
        if (output.equals("-")) {
            write(names, input, withHash, out);
            out.flush();
            return 0;
        }
        // write beside the target and move it into place, so a failure leaves no half-written file
        Path target = Path.of(output);
        Path dir = target.toAbsolutePath().getParent();
        Path temp;
        try {
            temp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp");
        } catch (IOException e) {
            throw new RustprobeException("cannot write " + output + ": " + reason(e));
        }
        boolean moved = false;
        try (OutputStream file = Files.newOutputStream(temp)) {
            write(names, input, withHash, file);
            file.close();
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            moved = true;
        } finally {
            if (!moved) {
                Files.deleteIfExists(temp);
            }
        }
        return 0;
    }

    private static boolean isEmpty(String[] a) {
        return a.length == 0;
    }

    private static void write(String[] names, String input, boolean withHash, OutputStream sink) throws IOException {
        if (names.length > 0) {
            OutputStream buffered = new BufferedOutputStream(sink, 1 << 16);
            StringBuilder sb = new StringBuilder(256);
            for (String name : names) {
                sb.setLength(0);
                Demangler.appendDisplay(name, withHash, sb);
                buffered.write(sb.append('\n').toString().getBytes(StandardCharsets.UTF_8));
            }
            buffered.flush();
            return;
        }
        StreamFilter filter = new StreamFilter(withHash, 1 << 18, StreamFilter.DEFAULT_MAX_RUN);
        if (input.equals("-")) {
            filter.filter(System.in, sink, THREADS);
            return;
        }
        InputStream in;
        try {
            in = Files.newInputStream(Path.of(input));
        } catch (IOException e) {
            throw new RustprobeException("cannot read " + input + ": " + reason(e));
        }
        try (in) {
            filter.filter(in, sink, THREADS);
        }
    }

    private static String reason(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file or directory";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        return e.getMessage();
    }

    private static void printHelp(PrintStream out) {
        PrintWriter w = new PrintWriter(out);
        new HelpFormatter().printHelp(w, 100, "rustprobe demangle [-h|--hash] [-i FILE] [-o FILE] [NAME...]",
                "Demangles Rust symbol names (legacy _ZN... and v0 _R...) like rustfilt: each NAME, one a line, or with"
                        + " no NAME every symbol found in the input; everything else is copied unchanged.",
                OPTIONS, 2, 4, "Without --hash, hashes are left out, as rustfilt does.");
        w.flush();
    }
}
