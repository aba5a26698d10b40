// Where the llvm-dwarfdump facts for a sample-rust build come from: the committed fixtures when they were made
// from this very build (same .text and .debug_info), else a fresh run of regenerate.sh into target/ when
// llvm-dwarfdump is installed (sample-rust changed since the fixtures were committed); else a clear failure.
package dev.rustprobe.dwarf;

import dev.rustprobe.testing.SampleRust;
import dev.rustprobe.testing.SampleRust.Variant;
import dev.rustprobe.elf.ElfFile;
import dev.rustprobe.elf.Section;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

public final class DwarfFixtures {
    private static Path regenerated;

    private DwarfFixtures() {}

    private static Path committed() {
        return SampleRust.root().resolve("toolkit/src/test/resources/dwarf");
    }

    /** The fixture lines of a file (comments dropped) that describe the current build of the variant. */
    public static List<String> lines(Variant v, String file) {
        Path dir = directory(v);
        try {
            return Files.readAllLines(dir.resolve(v.buildName()).resolve(file)).stream()
                    .filter(l -> !l.startsWith("#")).toList();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read fixture " + file + " of " + v.buildName() + ": " + e, e);
        }
    }

    private static synchronized Path directory(Variant v) {
        String actual = fingerprint(SampleRust.binary(v));
        if (actual.equals(recorded(committed(), v))) {
            return committed();
        }
        if (regenerated == null) {
            Path out = SampleRust.root().resolve("toolkit/target/dwarf-fixtures");
            if (!onPath("llvm-dwarfdump")) {
                throw new IllegalStateException("the committed DWARF fixtures of " + v.buildName() + " were made "
                        + "from another build of sample-rust (" + recorded(committed(), v) + " vs " + actual
                        + "), and llvm-dwarfdump is not installed to remake them: run "
                        + "toolkit/src/test/resources/dwarf/regenerate.sh (needs the Debian package llvm) and commit");
            }
            run(List.of(committed().resolve("regenerate.sh").toString(), out.toString()));
            regenerated = out;
        }
        if (!actual.equals(recorded(regenerated, v))) {
            throw new IllegalStateException("regenerated fixtures of " + v.buildName() + " do not match the build");
        }
        return regenerated;
    }

    private static String recorded(Path dir, Variant v) {
        try {
            StringBuilder sb = new StringBuilder();
            for (String l : Files.readAllLines(dir.resolve(v.buildName()).resolve("fingerprint.tsv"))) {
                if (l.startsWith("text\t") || l.startsWith("debug_info\t")) {
                    sb.append(l).append('\n');
                }
            }
            return sb.toString();
        } catch (IOException e) {
            return "(none)";
        }
    }

    /** .text address and size, .debug_info size, as regenerate.sh writes them with readelf. */
    private static String fingerprint(Path bin) {
        ElfFile f = ElfFile.open(bin);
        Section text = f.sectionHeader(".text").orElseThrow(() -> new IllegalStateException(bin + " has no .text"));
        Section info = f.sectionHeader(".debug_info").orElseThrow(() -> new IllegalStateException(bin + " has no .debug_info"));
        return String.format("text\t%016x %06x\ndebug_info\t%06x\n", text.address(), text.size(), info.size());
    }

    private static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    private static void run(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String log = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
                throw new IllegalStateException(command + " failed: " + log);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + command + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
