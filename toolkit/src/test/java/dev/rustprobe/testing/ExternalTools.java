// Runs the independent tools (readelf, objcopy, nm, llvm-dwarfdump, gcc) whose output tests compare against.
package dev.rustprobe.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

public final class ExternalTools {
    private ExternalTools() {
    }

    /** Runs a command, fails the test if it exits non-zero, returns its stdout. */
    public static String run(String... command) {
        return run(Map.of(), command);
    }

    public static String run(Map<String, String> env, String... command) {
        try {
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(false);
            pb.environment().putAll(env);
            Path err = Files.createTempFile("tool", ".err");
            pb.redirectError(err.toFile());
            Process p = pb.start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(300, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("timed out: " + String.join(" ", command));
            }
            String stderr = Files.readString(err);
            Files.deleteIfExists(err);
            if (p.exitValue() != 0) {
                throw new AssertionError(String.join(" ", command) + " exited " + p.exitValue() + ": " + stderr);
            }
            return new String(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new AssertionError("cannot run " + String.join(" ", command) + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Compiles one C source with gcc and the given flags into {@code dir/name}. */
    public static Path gcc(Path dir, String name, String source, String... flags) {
        try {
            Path c = dir.resolve(name + ".c");
            Files.writeString(c, source);
            Path out = dir.resolve(name);
            List<String> cmd = new ArrayList<>(List.of("gcc", "-o", out.toString(), c.toString()));
            cmd.addAll(List.of(flags));
            run(cmd.toArray(String[]::new));
            return out;
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** The Rust toolchain's own objcopy (LLVM 22): GNU objcopy 2.40 here cannot write zstd sections. */
    public static String[] rustObjcopy(String... args) {
        String sysroot = run("rustc", "--print", "sysroot").trim();
        Path tool = Path.of(sysroot, "lib", "rustlib", "x86_64-unknown-linux-gnu", "bin", "rust-objcopy");
        List<String> cmd = new ArrayList<>(List.of(tool.toString()));
        cmd.addAll(List.of(args));
        return cmd.toArray(String[]::new);
    }

    public static Map<String, String> rustToolEnv() {
        String sysroot = run("rustc", "--print", "sysroot").trim();
        return Map.of("LD_LIBRARY_PATH", sysroot + "/lib");
    }
}
