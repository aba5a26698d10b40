// Reads the committed gdb-derived truth tables (src/test/resources/abi, made by regenerate-truth.sh) and matches a
// computed location against them.
package dev.rustprobe.abi;

import dev.rustprobe.testing.SampleRust.Variant;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

final class Truth {
    /** One row: the alternatives gdb's machine state allows ("?" = the value was found nowhere). */
    record Row(String function, String param, List<String> alternatives) {
        boolean unknown() {
            return alternatives.equals(List.of("?"));
        }

        /** True if the rendered location is one the machine state allows ('*' in the truth is an unknown piece). */
        boolean allows(String rendered) {
            for (String alt : alternatives) {
                String[] want = alt.split(":");
                String[] got = rendered.split(":");
                if (alt.equals(rendered)) {
                    return true;
                }
                if (want.length == got.length) {
                    boolean ok = true;
                    for (int i = 0; i < want.length; i++) {
                        ok &= want[i].equals("*") || want[i].equals(got[i]);
                    }
                    if (ok) {
                        return true;
                    }
                }
            }
            return false;
        }
    }

    private Truth() {}

    static List<Row> rows(Variant v) {
        List<Row> out = new ArrayList<>();
        for (String line : lines("truth-" + v.buildName() + ".tsv")) {
            String[] f = line.split("\t");
            out.add(new Row(f[0], f[1], List.of(f[2].split("\\|"))));
        }
        return out;
    }

    /** Truth function name -> link-time addresses of its symbols (several for legacy generic copies). */
    static Map<String, List<Long>> symbols(Variant v) {
        Map<String, List<Long>> out = new LinkedHashMap<>();
        for (String line : lines("symbols-" + v.buildName() + ".tsv")) {
            String[] f = line.split("\t");
            List<Long> addrs = new ArrayList<>();
            for (String a : f[1].split(",")) {
                addrs.add(Long.parseUnsignedLong(a, 16));
            }
            out.put(f[0], addrs);
        }
        return out;
    }

    /** The {:?} text of one argument in the first truth line of a function (stdout-VARIANT.txt, the gdb run). */
    static String argument(Variant v, String function, String param) {
        for (String line : lines("stdout-" + v.buildName() + ".txt")) {
            String[] f = line.split("\t");
            if (f.length > 2 && f[2].equals(function)) {
                for (int i = 3; i < f.length; i++) {
                    if (f[i].startsWith(param + "=")) {
                        return f[i].substring(param.length() + 1);
                    }
                }
            }
        }
        return null;
    }

    private static List<String> lines(String resource) {
        try (InputStream in = Truth.class.getResourceAsStream("/abi/" + resource)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource abi/" + resource);
            }
            List<String> out = new ArrayList<>();
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String l; (l = r.readLine()) != null; ) {
                if (!l.isBlank() && !l.startsWith("#")) {
                    out.add(l);
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
