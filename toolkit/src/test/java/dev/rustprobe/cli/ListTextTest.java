// ls prints a listing that is not all ASCII as print(String) of its text would, in the stream's own charset, and one
// that is ASCII as the same bytes in any charset: names from a generated ELF whose legacy symbols escape non-ASCII.
package dev.rustprobe.cli;

import dev.rustprobe.testing.HostileFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ListTextTest {
    @TempDir
    Path dir;

    private static byte[] ls(Path file, Charset cs) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(new String[] {"ls", file.toString()}, new PrintStream(out, true, cs),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(0, code, err.toString(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    @Test
    void nonAsciiNamesAreEncodedInTheStreamsCharset() throws IOException {
        Path f = Files.write(dir.resolve("names"), HostileFiles.withSymbols(List.of(
                "_ZN7hostile10caf$u00e9$17h0123456789abcdefE", "_ZN7hostile12crab$u1f980$17h0123456789abcdefE",
                "_ZN7hostile5plain17h0123456789abcdefE")));
        String text = new String(ls(f, StandardCharsets.UTF_8), StandardCharsets.UTF_8);
        assertTrue(text.contains(" hostile::café\n") && text.contains(" hostile::crab🦀\n")
                && text.contains(" hostile::plain\n"), text);
        for (Charset cs : List.of(StandardCharsets.US_ASCII, StandardCharsets.ISO_8859_1, StandardCharsets.UTF_16LE)) {
            assertArrayEquals(text.getBytes(cs), ls(f, cs), "ls printed in " + cs);
        }
    }

    @Test
    void anAsciiListingIsTheSameBytesInAnyAsciiCompatibleCharset() throws IOException {
        Path f = Files.write(dir.resolve("ascii"), HostileFiles.withSymbols(List.of(
                "_ZN7hostile1f17h0123456789abcdefE", "_ZN7hostile1g17h0123456789abcdefE")));
        byte[] utf8 = ls(f, StandardCharsets.UTF_8);
        String text = new String(utf8, StandardCharsets.UTF_8);
        assertTrue(text.contains(" hostile::f\n") && text.contains(" hostile::g\n"), text);
        assertArrayEquals(utf8, ls(f, StandardCharsets.US_ASCII));
        assertArrayEquals(utf8, ls(f, StandardCharsets.ISO_8859_1));
    }
}
