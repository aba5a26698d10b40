// Test helper: code bytes and function symbols of real binaries, read through readelf and the file itself, and
// objdump's disassembly of a range, streamed line by line.
package dev.rustprobe.probe;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

final class Binaries {

    /** A section's bytes and where they are loaded. */
    record Section(Path file, String name, long address, long offset, long size) {
        byte[] read(long fromAddress, int length) throws IOException {
            try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
                byte[] b = new byte[length];
                f.seek(offset + (fromAddress - address));
                f.readFully(b);
                return b;
            }
        }
    }

    /** A function symbol with its size. */
    record Function(String name, long address, long size) {}

    private Binaries() {}

    static List<String> run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        List<String> out;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            out = r.lines().toList();
        }
        if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + String.join("\n", out));
        }
        return out;
    }

    private static final Pattern SECTION = Pattern.compile(
            "\\s*\\[\\s*\\d+]\\s+(\\S+)\\s+\\S+\\s+([0-9a-f]+)\\s+([0-9a-f]+)\\s+([0-9a-f]+)\\s.*");

    static Section section(Path file, String name) throws IOException, InterruptedException {
        for (String line : run("readelf", "-SW", file.toString())) {
            Matcher m = SECTION.matcher(line);
            if (m.matches() && m.group(1).equals(name)) {
                return new Section(file, name, Long.parseLong(m.group(2), 16), Long.parseLong(m.group(3), 16),
                        Long.parseLong(m.group(4), 16));
            }
        }
        throw new IOException(file + " has no section " + name);
    }

    private static final Pattern SYMBOL = Pattern.compile(
            "\\s*\\d+:\\s+([0-9a-f]+)\\s+(\\d+|0x[0-9a-f]+)\\s+FUNC\\s+\\S+\\s+\\S+\\s+(\\d+)\\s+(\\S+).*");

    /** Defined FUNC symbols of nonzero size from the symbol table (readelf -sW), one per address. */
    static List<Function> functions(Path file) throws IOException, InterruptedException {
        List<Function> out = new ArrayList<>();
        java.util.Set<Long> seen = new java.util.HashSet<>();
        for (String line : run("readelf", "-sW", "--wide", file.toString())) {
            Matcher m = SYMBOL.matcher(line);
            if (m.matches()) {
                long size = m.group(2).startsWith("0x") ? Long.parseLong(m.group(2).substring(2), 16)
                        : Long.parseLong(m.group(2));
                long addr = Long.parseLong(m.group(1), 16);
                if (size > 0 && seen.add(addr)) {
                    out.add(new Function(m.group(4), addr, size));
                }
            }
        }
        return out;
    }

    /** One line of objdump -d output that matters: an instruction, or a point where objdump restarts decoding. */
    record Line(long address, String text, boolean restart) {}

    private static final Pattern INSN = Pattern.compile("\\s*([0-9a-f]+):\\t(.*)");
    private static final Pattern LABEL = Pattern.compile("([0-9a-f]+) <.*>:");

    /**
     * Streams objdump -d --no-show-raw-insn -M intel over [from, to) of a section. Symbol headers and "..." (skipped
     * zeros) become restart lines carrying the next address.
     */
    static void objdump(Section s, long from, long to, Consumer<Line> sink) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("objdump", "-d", "--no-show-raw-insn", "-M", "intel", "-j", s.name(),
                "--start-address=0x" + Long.toHexString(from), "--stop-address=0x" + Long.toHexString(to),
                s.file().toString()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        boolean restart = true;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8),
                1 << 16)) {
            String line;
            while ((line = r.readLine()) != null) {
                Matcher m = INSN.matcher(line);
                if (m.matches()) {
                    sink.accept(new Line(Long.parseLong(m.group(1), 16), m.group(2), restart));
                    restart = false;
                } else if (line.equals("\t...") || LABEL.matcher(line).matches()) {
                    restart = true;
                }
            }
        }
        if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IOException("objdump failed on " + s.file());
        }
    }

    /** The JDK's libjvm.so, found from the running JVM. */
    static Path libjvm() {
        return Path.of(System.getProperty("java.home"), "lib", "server", "libjvm.so");
    }

    /** librustc_driver-*.so of the default toolchain's sysroot. */
    static Path librustcDriver() throws IOException, InterruptedException {
        Path lib = Path.of(run("rustc", "--print", "sysroot").get(0).strip(), "lib");
        try (var files = Files.list(lib)) {
            return files.filter(f -> f.getFileName().toString().matches("librustc_driver-.*\\.so")).findFirst()
                    .orElseThrow(() -> new IOException("no librustc_driver-*.so in " + lib));
        }
    }
}
