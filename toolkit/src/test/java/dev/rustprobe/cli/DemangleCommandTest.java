// `rustprobe demangle` through Main.run, against rustfilt's output committed by the demangler's golden script
// (demangler/src/test/resources/golden/regenerate.sh): the filter on text, names as arguments, -o, errors.
package dev.rustprobe.cli;

import dev.rustprobe.cli.BadInputTest.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

import static dev.rustprobe.cli.BadInputTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DemangleCommandTest {
    private static final Path GOLDEN = Path.of(System.getProperty("rustprobe.root", ".."), "demangler/src/test/resources/golden");

    /** input, rustfilt, rustfilt -h */
    private static List<String[]> rows(String name) throws IOException {
        List<String[]> rows = new ArrayList<>();
        var raw = Files.newInputStream(GOLDEN.resolve(name));
        try (BufferedReader r = new BufferedReader(new InputStreamReader(
                name.endsWith(".gz") ? new GZIPInputStream(raw) : raw, StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                rows.add(line.split("\t", -1));
            }
        }
        return rows;
    }

    private static String column(List<String[]> rows, int i) {
        StringBuilder sb = new StringBuilder();
        for (String[] r : rows) {
            sb.append(r[i]).append('\n');
        }
        return sb.toString();
    }

    @Test
    void filtersAFileLikeRustfiltWithAndWithoutHashes(@TempDir Path dir) throws IOException {
        List<String[]> rows = rows("filter.tsv.gz");
        Path in = dir.resolve("in.txt");
        Files.writeString(in, column(rows, 0));
        Result plain = run("demangle", "-i", in.toString());
        assertEquals(0, plain.code(), plain.err());
        assertEquals(column(rows, 1), plain.out());
        Result hashed = run("demangle", "--hash", "--input", in.toString());
        assertEquals(column(rows, 2), hashed.out());
        assertEquals(column(rows, 2), run("demangle", "-h", "-i", in.toString()).out());
    }

    @Test
    void demanglesEachArgumentOnItsOwnLine() throws IOException {
        List<String[]> rows = rows("cases.tsv").stream().filter(r -> r[0].length() < 2000).toList();
        String[] args = new String[rows.size() + 1];
        args[0] = "demangle";
        for (int i = 0; i < rows.size(); i++) {
            args[i + 1] = rows.get(i)[0];
        }
        assertTrue(rows.size() > 100);
        assertEquals(column(rows, 1), run(args).out());
        String[] hashArgs = new String[args.length + 1];
        hashArgs[0] = "demangle";
        hashArgs[1] = "--hash";
        System.arraycopy(args, 1, hashArgs, 2, args.length - 1);
        assertEquals(column(rows, 2), run(hashArgs).out());
    }

    @Test
    void writesTheOutputFileWhole(@TempDir Path dir) throws IOException {
        Path out = dir.resolve("out.txt");
        Result r = run("demangle", "-o", out.toString(), "_ZN3foo3bar17h0123456789abcdefE", "_RNvCs1234_3foo3bar");
        assertEquals(0, r.code(), r.err());
        assertEquals("", r.out());
        assertEquals("foo::bar\nfoo::bar\n", Files.readString(out));
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "no temporary file left behind");
        }
    }

    @Test
    void badInputIsOneLineAndANonZeroExit(@TempDir Path dir) {
        Result missing = run("demangle", "-i", dir.resolve("missing").toString());
        assertEquals(1, missing.code());
        assertEquals("rustprobe: cannot read " + dir.resolve("missing") + ": no such file or directory\n", missing.err());
        Result unknown = run("demangle", "--frobnicate");
        assertEquals(2, unknown.code());
        assertTrue(unknown.err().startsWith("rustprobe demangle: Unrecognized option: --frobnicate"), unknown.err());
        Result both = run("demangle", "-i", "x", "_ZN3fooE");
        assertEquals(2, both.code());
        Result unwritable = run("demangle", "-o", dir.resolve("no/such/dir/out").toString(), "_ZN3fooE");
        assertEquals(1, unwritable.code());
        assertTrue(unwritable.err().startsWith("rustprobe: cannot write "), unwritable.err());
    }

    @Test
    void helpListsTheOptions() {
        Result help = run("demangle", "--help");
        assertEquals(0, help.code());
        assertTrue(help.out().contains("--hash") && help.out().contains("--input") && help.out().contains("--output"), help.out());
        assertTrue(run("--help").out().contains("demangle"));
    }
}
