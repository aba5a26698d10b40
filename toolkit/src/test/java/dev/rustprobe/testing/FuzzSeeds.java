// Seed inputs for the reader fuzz targets, made from real rustc output on demand (nothing large is committed):
// a small crate linked into a shared library per DWARF version, its sections, and sample-rust's binaries.
package dev.rustprobe.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

public final class FuzzSeeds {
    private FuzzSeeds() {
    }

    /**
     * Compiles toolkit/src/test/resources/dwarf/fuzz/small.rs with the given DWARF version, once, under
     * toolkit/target, and links the object into a shared library with ld (so the debug sections' relocations are
     * applied) without std, whose DWARF would dwarf ours.
     */
    public static synchronized Path smallLibrary(int dwarfVersion) {
        Path root = SampleRust.root();
        Path src = root.resolve("toolkit/src/test/resources/dwarf/fuzz/small.rs");
        Path obj = root.resolve("toolkit/target/dwarf-fuzz/small-dwarf" + dwarfVersion + ".o");
        Path out = root.resolve("toolkit/target/dwarf-fuzz/small-dwarf" + dwarfVersion + ".so");
        try {
            if (Files.exists(out) && Files.getLastModifiedTime(out).compareTo(Files.getLastModifiedTime(src)) > 0) {
                return out;
            }
            Files.createDirectories(out.getParent());
            run("rustc", "--edition=2021", "--crate-type=lib", "--emit=obj", "-O",
                    "-C", "debuginfo=2", "-C", "dwarf-version=" + dwarfVersion, "-C", "codegen-units=1",
                    "-o", obj.toString(), src.toString());
            run("ld", "-shared", "-o", out.toString(), obj.toString());
            return out;
        } catch (IOException e) {
            throw new IllegalStateException("cannot build " + out + ": " + e.getMessage(), e);
        }
    }

    /** smallLibrary(version) with its debug sections compressed by objcopy (zlib or zstd). */
    public static synchronized Path compressedSmallLibrary(int dwarfVersion, String compression) {
        Path in = smallLibrary(dwarfVersion);
        Path out = in.resolveSibling("small-dwarf" + dwarfVersion + "-" + compression + ".so");
        try {
            if (!Files.exists(out) || Files.getLastModifiedTime(out).compareTo(Files.getLastModifiedTime(in)) < 0) {
                run("objcopy", "--compress-debug-sections=" + compression, in.toString(), out.toString());
            }
            return out;
        } catch (IOException e) {
            throw new IllegalStateException("cannot build " + out + ": " + e.getMessage(), e);
        }
    }

    /** The small libraries for DWARF 4 and 5, plain and compressed, as bytes: seeds for whole-file targets. */
    public static List<byte[]> smallLibraries() {
        List<byte[]> out = new ArrayList<>();
        try {
            for (int v : new int[] {4, 5}) {
                out.add(Files.readAllBytes(smallLibrary(v)));
            }
            out.add(Files.readAllBytes(compressedSmallLibrary(4, "zlib")));
            out.add(Files.readAllBytes(compressedSmallLibrary(5, "zstd")));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }

    private static void run(String... command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        try {
            if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed: " + log);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
