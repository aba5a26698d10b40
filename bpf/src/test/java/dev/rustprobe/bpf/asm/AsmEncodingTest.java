// Checks the assembler's encodings against llvm-objdump's independent reading of them (the committed
// llvm-objdump.txt, see regen-llvm-listing.sh), and against RFC 9669's tables where llvm 14 cannot decode.
package dev.rustprobe.bpf.asm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class AsmEncodingTest {
    /** One line of llvm-objdump -d: slot, hex bytes (8 or 16), text, optional " <.text+0x..>" jump target. */
    private static final Pattern LINE =
            Pattern.compile("^\\s*(\\d+):\\t([0-9a-f ]+?)\\t(.*?)(?: <\\.text[^>]*>)?$");

    record Listed(String hex, String text) {
    }

    static Map<Integer, Listed> llvmListing() throws IOException {
        Map<Integer, Listed> out = new HashMap<>();
        try (InputStream in = AsmEncodingTest.class.getResourceAsStream("llvm-objdump.txt")) {
            assertNotNull(in, "llvm-objdump.txt fixture");
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.startsWith("#")) {
                    continue;
                }
                Matcher m = LINE.matcher(line);
                assertTrue(m.matches(), "fixture line: " + line);
                out.put(Integer.parseInt(m.group(1)), new Listed(m.group(2).strip(), m.group(3)));
            }
        }
        return out;
    }

    static String hex(List<Insn> insns, int from, int count) {
        StringBuilder sb = new StringBuilder();
        for (int i = from; i < from + count; i++) {
            for (byte b : insns.get(i).bytes()) {
                sb.append(sb.length() == 0 ? "" : " ").append(String.format("%02x", b & 0xff));
            }
        }
        return sb.toString();
    }

    @Test
    void everySampleMeansWhatTheIsaSaysAccordingToLlvm() throws IOException {
        Map<Integer, Listed> llvm = llvmListing();
        List<Insn> program = AsmSamples.program();
        Asm a = new Asm();
        int checkedByLlvm = 0;
        for (AsmSamples.Sample s : AsmSamples.samples()) {
            int at = a.size();
            s.emit().accept(a);
            Listed listed = llvm.get(at);
            assertNotNull(listed, "llvm listed slot " + at);
            int slots = program.get(at).isWide() ? 2 : 1;
            assertEquals(listed.hex(), hex(program, at, slots), "bytes of '" + s.expected() + "' match the fixture");
            if (listed.text().equals("<unknown>")) {
                assertNotNull(s.specBytes(), "llvm 14 cannot read '" + s.expected() + "': give its bytes from the RFC");
                assertEquals(s.specBytes(), hex(program, at, 1), s.expected());
            } else {
                assertEquals(s.expected(), listed.text(), "llvm's reading of our encoding");
                checkedByLlvm++;
            }
        }
        assertEquals(program.size(), a.size());
        assertTrue(checkedByLlvm >= 55, "most forms are checked by llvm: " + checkedByLlvm);
    }

    @Test
    void dumpPrintsWhatLlvmPrints() {
        List<Insn> program = AsmSamples.program();
        String[] lines = Asm.dump(program).split("\n");
        Asm a = new Asm();
        for (AsmSamples.Sample s : AsmSamples.samples()) {
            int at = a.size();
            s.emit().accept(a);
            String line = java.util.Arrays.stream(lines).filter(l -> l.startsWith(String.format("%5d:", at)))
                    .findFirst().orElseThrow();
            assertTrue(line.endsWith(" " + s.expected()), line + " should end with " + s.expected());
        }
    }

    @Test
    void mapFdLoadUsesThePseudoSourceRegister() {
        // BPF_LD | BPF_DW | BPF_IMM = 0x18, src_reg = BPF_PSEUDO_MAP_FD (1), dst r1, imm = fd; second slot zero.
        List<Insn> p = new Asm().ldMapFd(Reg.R1, 7).build();
        assertEquals("18 11 00 00 07 00 00 00 00 00 00 00 00 00 00 00", hex(p, 0, 2));
        assertTrue(Asm.dump(p).contains("r1 = map_fd(7) ll"));
    }

    @Test
    void labelsResolveForwardAndBackward() {
        List<Insn> p = new Asm()
                .label("top")          // 0
                .add(Reg.R1, 1)        // 0
                .jeq(Reg.R1, 10, "end") // 1 -> 4: +2
                .ld64Imm(Reg.R2, 5)    // 2, 3
                .ja("top")             // 4 -> 0: -5
                .label("end")
                .exit()                // 5
                .build();
        assertEquals(3, p.get(1).off(), "forward jump from slot 1 lands on exit at slot 5");
        assertEquals(-5, p.get(4).off());
    }

    @Test
    void labelMistakesAreCaughtAtBuild() {
        assertThrows(IllegalStateException.class, () -> new Asm().ja("nowhere").build());
        assertThrows(IllegalArgumentException.class, () -> new Asm().label("x").label("x"));
        assertThrows(IllegalArgumentException.class, () -> new Asm().ldxdw(Reg.R0, Reg.R1, 40000));
    }

    @Test
    void decodeInvertsEncode() {
        List<Insn> p = AsmSamples.program();
        assertEquals(p, Asm.decode(Asm.encode(p)));
        assertEquals("b7 01 00 00 2a 00 00 00", HexFormat.ofDelimiter(" ").formatHex(p.get(0).bytes()));
    }
}
