// Shared by the kernel tests: skip where BPF is unavailable (with the reason), build the gcc test binaries into
// target/, find a function's file offset in them, and name kernel objects uniquely per test.
package dev.rustprobe.bpf;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

public final class TestSupport {
    private TestSupport() {
    }

    public static final Path BIN_DIR = Path.of("target", "test-binaries").toAbsolutePath();

    private static Optional<String> unavailable;

    public static void assumeBpf() {
        if (unavailable == null) {
            unavailable = BpfSupport.unavailableReason();
        }
        assumeTrue(unavailable.isEmpty(), () -> "BPF is unavailable here: " + unavailable.orElse(""));
    }

    /** A program or map name no other test (or earlier run) uses: prefix plus 6 hex digits, at most 15 chars. */
    public static String uniqueName(String prefix) {
        return prefix + String.format("%06x", ThreadLocalRandom.current().nextInt(1 << 24));
    }

    /** Compiles the C test target from test resources (once per build). */
    public static synchronized Path probeTarget() {
        try (InputStream in = TestSupport.class.getResourceAsStream("probe_target.c")) {
            return compile("probe_target", new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Compiles C source with gcc -O1 into target/test-binaries/name, unless the same source was built already. */
    public static synchronized Path compile(String name, String source) {
        try {
            Files.createDirectories(BIN_DIR);
            Path src = BIN_DIR.resolve(name + ".c");
            Path bin = BIN_DIR.resolve(name);
            if (Files.exists(bin) && Files.exists(src) && Files.readString(src).equals(source)) {
                return bin;
            }
            Files.writeString(src, source);
            Process p = new ProcessBuilder("gcc", "-O1", "-o", bin.toString(), src.toString())
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("gcc failed for " + name + ":\n" + out);
            }
            return bin;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Runs a command to completion and returns its standard output; fails on a non-zero exit. */
    public static String run(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("timed out: " + command);
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException("exit " + p.exitValue() + ": " + command + "\n" + out);
            }
            return out;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * File offsets of the defined function symbols of an ELF64 little-endian file: symbol value minus its
     * section's address plus that section's file offset (Elf64_Shdr and Elf64_Sym layouts from the ELF spec).
     */
    public static Map<String, Long> functionOffsets(Path elf) {
        try {
            ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(elf)).order(ByteOrder.LITTLE_ENDIAN);
            long shoff = b.getLong(0x28);
            int shentsize = b.getShort(0x3a) & 0xffff;
            int shnum = b.getShort(0x3c) & 0xffff;
            long[] addr = new long[shnum];
            long[] off = new long[shnum];
            Map<String, Long> out = new HashMap<>();
            for (int i = 0; i < shnum; i++) {
                int s = (int) (shoff + (long) i * shentsize);
                addr[i] = b.getLong(s + 16);
                off[i] = b.getLong(s + 24);
            }
            for (int i = 0; i < shnum; i++) {
                int s = (int) (shoff + (long) i * shentsize);
                if (b.getInt(s + 4) != 2) { // SHT_SYMTAB
                    continue;
                }
                int symOff = (int) b.getLong(s + 24);
                int symSize = (int) b.getLong(s + 32);
                int strSec = b.getInt(s + 40);
                int strOff = (int) off[strSec];
                for (int at = symOff; at + 24 <= symOff + symSize; at += 24) {
                    int type = b.get(at + 4) & 0xf;
                    int shndx = b.getShort(at + 6) & 0xffff;
                    if (type != 2 || shndx == 0 || shndx >= shnum) { // STT_FUNC, defined
                        continue;
                    }
                    int nameAt = strOff + b.getInt(at);
                    int end = nameAt;
                    while (b.get(end) != 0) {
                        end++;
                    }
                    String name = new String(b.array(), nameAt, end - nameAt, StandardCharsets.UTF_8);
                    out.put(name, b.getLong(at + 8) - addr[shndx] + off[shndx]);
                }
            }
            return out;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static long offsetOf(Path elf, String function) {
        Long o = functionOffsets(elf).get(function);
        if (o == null) {
            throw new IllegalStateException(function + " not found in " + elf);
        }
        return o;
    }
}
