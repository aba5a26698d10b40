// Instruction boundaries and control-flow classes of X86Decoder against objdump over whole .text sections of real binaries
// (C, C++ and Rust, with SSE/AVX/AVX-512 code), counted exactly.
package dev.rustprobe.probe;

import dev.rustprobe.probe.Instruction.Flow;
import dev.rustprobe.testing.SampleRust;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class X86DecoderObjdumpTest {

    /** Counts of one comparison. */
    static final class Tally {
        long compared, mismatches, objdumpBad, badAlsoInvalid, deliberate;
        final List<String> examples = new ArrayList<>();

        void mismatch(String s) {
            mismatches++;
            if (examples.size() < 15) {
                examples.add(s);
            }
        }
    }

    /**
     * Where we follow the CPU (Intel) rather than objdump's AMD64 reading, counted apart: a near branch with an
     * operand-size prefix (objdump: rel16 "jmpw"; Intel and the kernel's decoder: rel32) and a REX prefix before a
     * VEX prefix (objdump decodes it; the CPU raises #UD). Both occur only in data inside .text.
     */
    private static final java.util.regex.Pattern AMD16 = java.util.regex.Pattern.compile("(jmpw|callw|j[a-z]+w) ");
    private static final java.util.regex.Pattern REX_VEX = java.util.regex.Pattern.compile("rex\\.\\w* v");

    private static final java.util.regex.Pattern PREFIX_WORD = java.util.regex.Pattern.compile(
            "^((bnd|notrack|rep|repz|repnz|repe|repne|data16|addr32|cs|ds|ss|es|fs|gs|lock|rex(\\.[WRXB]+)?)\\s+)+");
    private static final java.util.regex.Pattern HEX_TARGET = java.util.regex.Pattern.compile("[0-9a-f]+( <.*)?");

    /** The control-flow class objdump's text implies, read from its mnemonic alone. */
    static Flow objdumpFlow(String text) {
        String t = PREFIX_WORD.matcher(text).replaceFirst("");
        String[] parts = t.split("\\s+", 2);
        String mnemonic = parts[0], operand = parts.length > 1 ? parts[1] : "";
        boolean direct = HEX_TARGET.matcher(operand).matches();
        return switch (mnemonic) {
            case "ret", "retw", "retq" -> Flow.RET;
            case "retf", "retfw", "retfq", "lret" -> Flow.RET_FAR;
            case "jmp", "jmpw" -> direct ? Flow.JMP : Flow.JMP_INDIRECT;
            case "call", "callw" -> direct ? Flow.CALL : Flow.CALL_INDIRECT;
            case "loop", "loope", "loopne", "jrcxz", "jecxz" -> Flow.JCC;
            case "ud2" -> Flow.UD2;
            case "int3" -> Flow.INT3;
            case "hlt" -> Flow.HLT;
            case "endbr64" -> Flow.ENDBR64;
            default -> mnemonic.startsWith("j") && direct ? Flow.JCC : Flow.OTHER;
        };
    }

    static Tally compare(Path file, long from, long to) throws Exception {
        Binaries.Section s = Binaries.section(file, ".text");
        long lo = Math.max(from, s.address()), hi = Math.min(to, s.address() + s.size());
        byte[] bytes = s.read(lo, Math.toIntExact(hi - lo));
        X86Decoder decoder = new X86Decoder(ByteBuffer.wrap(bytes), lo);
        Tally t = new Tally();
        long[] expected = {-1};
        String[] previous = {""};
        Binaries.objdump(s, lo, hi, line -> {
            if (!line.restart() && expected[0] >= 0 && expected[0] != line.address() && previous[0].contains(" AMD16")) {
                t.deliberate++;
            } else if (!line.restart() && expected[0] >= 0 && expected[0] != line.address()) {
                t.mismatch(String.format("after %s: we end at %x, objdump's next instruction is at %x",
                        previous[0], expected[0], line.address()));
            }
            Instruction insn = decoder.decodeAt(line.address());
            previous[0] = String.format("%x '%s' (our length %d, %s)", line.address(), line.text(), insn.length(),
                    insn.flow());
            // "(bad)": not an instruction; ".byte": objdump stopped an instruction at the next symbol.
            if (line.text().contains("(bad)") || line.text().startsWith(".byte")) {
                t.objdumpBad++;
                if (insn.flow() == Flow.INVALID) {
                    t.badAlsoInvalid++;
                }
                expected[0] = -1; // resynchronise at objdump's next boundary
                return;
            }
            if (AMD16.matcher(line.text()).lookingAt()) {
                previous[0] += " AMD16";
            }
            if (insn.flow() == Flow.INVALID && REX_VEX.matcher(line.text()).lookingAt()) {
                t.deliberate++;
                expected[0] = -1;
                return;
            }
            if (insn.flow() == Flow.INVALID) {
                if (insn.address() + 15 < hi) { // an instruction cut by the range end is not a disagreement
                    t.mismatch("we find no instruction at " + previous[0]);
                }
                expected[0] = -1;
                return;
            }
            t.compared++;
            Flow want = objdumpFlow(line.text());
            if (want != insn.flow()) {
                t.mismatch(String.format("%x '%s': objdump means %s, we say %s", line.address(), line.text(), want,
                        insn.flow()));
            }
            expected[0] = insn.end();
        });
        System.out.printf("objdump boundaries %s [%x,%x): %d instructions compared, %d mismatches, "
                + "%d (bad) of which %d INVALID for us, %d deliberate (CPU, not objdump)%n", file, lo, hi, t.compared,
                t.mismatches, t.objdumpBad, t.badAlsoInvalid, t.deliberate);
        t.examples.forEach(e -> System.out.println("  " + e));
        return t;
    }

    static void assertAgrees(Tally t, long atLeast) {
        assertEquals(0, t.mismatches, () -> "boundary mismatches, e.g.\n" + String.join("\n", t.examples));
        assertTrue(t.compared >= atLeast, "only " + t.compared + " instructions compared");
    }

    @Test
    void libcWholeText() throws Exception {
        assertAgrees(compare(Path.of("/lib/x86_64-linux-gnu/libc.so.6"), 0, Long.MAX_VALUE), 100_000);
    }

    @Test
    void libjvmWholeText() throws Exception {
        assertAgrees(compare(Binaries.libjvm(), 0, Long.MAX_VALUE), 1_000_000);
    }

    @Test
    void libcryptoWholeText() throws Exception {
        // OpenSSL's hand-written AVX-512/AVX2/SHA/AES-NI assembly, with constant tables inside .text
        Path lib = Path.of("/usr/lib/x86_64-linux-gnu/libcrypto.so.3");
        assertAgrees(compare(lib, 0, Long.MAX_VALUE), 300_000);
    }

    @Test
    void objdumpItself() throws Exception {
        assertAgrees(compare(Path.of("/usr/bin/objdump"), 0, Long.MAX_VALUE), 10_000);
    }

    @Test
    void sampleRustReleaseWholeText() throws Exception {
        assertAgrees(compare(SampleRust.binary(SampleRust.Variant.RELEASE_LEGACY), 0, Long.MAX_VALUE), 10_000);
    }

    @Test
    void librustcDriverSampledWindows() throws Exception {
        Path lib = Binaries.librustcDriver();
        Binaries.Section s = Binaries.section(lib, ".text");
        long window = 1 << 20;
        for (int i = 0; i < 3; i++) {
            long from = s.address() + (s.size() - window) * i / 2;
            assertAgrees(compare(lib, from, from + window), 100_000);
        }
    }
}
