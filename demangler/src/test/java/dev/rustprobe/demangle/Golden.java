// Reads the golden files written by src/test/resources/golden/regenerate.sh: input, rustfilt's output without
// hashes, rustfilt -h's output, tab-separated, one case a line (gzip-compressed when the name ends in .gz).
package dev.rustprobe.demangle;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

record Golden(String input, String plain, String hashed) {
    static List<Golden> load(String name) {
        try (InputStream raw = Golden.class.getResourceAsStream("/golden/" + name)) {
            if (raw == null) {
                throw new IllegalStateException("missing test resource golden/" + name + "; run regenerate.sh");
            }
            InputStream in = name.endsWith(".gz") ? new GZIPInputStream(raw, 1 << 16) : raw;
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16);
            List<Golden> rows = new ArrayList<>();
            for (String line; (line = r.readLine()) != null; ) {
                String[] f = line.split("\t", -1);
                if (f.length != 3) {
                    throw new IllegalStateException("golden/" + name + ": line " + (rows.size() + 1) + " has " + f.length + " fields");
                }
                rows.add(new Golden(f[0], f[1], f[2]));
            }
            return rows;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
