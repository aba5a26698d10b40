// In-process throughput of Demangler over real symbols: one invocation demangles the whole list, so the score
// in ops/s times the list's size is symbols per second (run.sh prints that product).
package dev.rustprobe.bench;

import dev.rustprobe.demangle.Demangler;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@Fork(value = 1, jvmArgsAppend = {"-XX:+UseSerialGC", "-Xmx1g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class DemangleBenchmark {
    /** A file of symbols, one a line (run.sh passes the librustc_driver symbols). */
    @Param("")
    public String symbols;

    private String[] names;
    private final StringBuilder sb = new StringBuilder(1 << 12);

    @Setup
    public void load() throws IOException {
        List<String> lines = Files.readAllLines(Path.of(symbols));
        names = lines.toArray(String[]::new);
    }

    @Benchmark
    public int withoutHashes() {
        int n = 0;
        for (String s : names) {
            sb.setLength(0);
            Demangler.appendDisplay(s, false, sb);
            n += sb.length();
        }
        return n;
    }

    @Benchmark
    public int withHashes() {
        int n = 0;
        for (String s : names) {
            sb.setLength(0);
            Demangler.appendDisplay(s, true, sb);
            n += sb.length();
        }
        return n;
    }
}
