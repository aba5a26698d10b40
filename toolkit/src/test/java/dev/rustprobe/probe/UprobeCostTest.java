// Checks UprobeCost's prediction for each kind of first instruction against what the running kernel does: a
// single-stepped probe makes the kernel map its out-of-line area "[uprobes]" into the process, an emulated one never.
package dev.rustprobe.probe;

import dev.rustprobe.bpf.BpfMap;
import dev.rustprobe.bpf.BpfSupport;
import dev.rustprobe.bpf.Codec;
import dev.rustprobe.bpf.HitCounter;
import dev.rustprobe.bpf.Probe;
import dev.rustprobe.bpf.Program;
import dev.rustprobe.bpf.UprobeAttach;
import dev.rustprobe.bpf.UprobeLinks;
import dev.rustprobe.elf.ElfFile;
import dev.rustprobe.elf.ElfSymbol;
import dev.rustprobe.testing.ExternalTools;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class UprobeCostTest {
    private static Path target;

    @BeforeAll
    static void build() throws Exception {
        Optional<String> why = BpfSupport.unavailableReason();
        assumeTrue(why.isEmpty(), () -> "BPF is unavailable here: " + why.orElse(""));
        Path dir = Path.of("target", "test-binaries").toAbsolutePath();
        Files.createDirectories(dir);
        try (var in = UprobeCostTest.class.getResourceAsStream("insn_kinds.c")) {
            target = ExternalTools.gcc(dir, "insn_kinds", new String(in.readAllBytes(), StandardCharsets.UTF_8), "-O1");
        }
    }

    @Test
    void predictionMatchesWhatTheKernelDoesForEveryInstructionKind() throws Exception {
        ElfFile elf = ElfFile.open(target);
        Map<String, ElfSymbol> kinds = new TreeMap<>();
        for (ElfSymbol s : elf.symbols()) {
            if (s.isFunction() && s.name().startsWith("k_")) {
                kinds.put(s.name().substring(2), s);
            }
        }
        assertTrue(kinds.size() >= 25, "the target defines its instruction kinds: " + kinds.keySet());
        List<String> wrong = new ArrayList<>();
        int emulated = 0;
        int stepped = 0;
        try (BpfMap<Integer, Long> hits = BpfMap.array("rp_cost_hits", Codec.U64, 1);
             Program p = Program.load(UprobeAttach.preferredProgramType(), HitCounter.byCookie(hits.fd()), "GPL", "rp_cost")) {
            for (Map.Entry<String, ElfSymbol> k : kinds.entrySet()) {
                ElfSymbol s = k.getValue();
                long fileOffset = elf.fileOffsetOf(s.value()).orElseThrow();
                UprobeCost.Handling predicted = UprobeCost.of(codeAt(elf, fileOffset, s.size()), 0);
                hits.update(0, 0L);
                List<String> maps = runProbed(p, fileOffset, k.getKey());
                assertEquals(3L, hits.lookup(0).orElseThrow(), k.getKey() + ": the probe fired for each call");
                boolean xol = maps.contains("[uprobes]");
                boolean trampoline = maps.contains("[uprobes-trampoline]");
                boolean ok = switch (predicted) {
                    case EMULATED -> !xol && !trampoline;
                    case SINGLE_STEP -> xol;
                    case TRAMPOLINE -> trampoline || !xol; // kernels before 6.18 emulate a 5-byte nop
                    case REFUSED -> false;
                };
                emulated += predicted == UprobeCost.Handling.EMULATED ? 1 : 0;
                stepped += predicted == UprobeCost.Handling.SINGLE_STEP ? 1 : 0;
                if (!ok) {
                    wrong.add(k.getKey() + ": predicted " + predicted + ", kernel mapped " + maps);
                }
            }
        }
        assertEquals(List.of(), wrong);
        assertTrue(emulated >= 8 && stepped >= 8, "both kinds are exercised: " + emulated + "/" + stepped);
    }

    /** Runs the target calling k_NAME under a probe on its first byte; returns the uprobe mappings it reported. */
    private static List<String> runProbed(Program p, long fileOffset, String name) throws Exception {
        Process proc = new ProcessBuilder(target.toString(), name, "3").redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(proc.getInputStream(),
                    StandardCharsets.UTF_8));
            int pid = Integer.parseInt(out.readLine().strip());
            List<String> maps = new ArrayList<>();
            try (UprobeLinks links = UprobeAttach.attach(p, target, List.of(Probe.entry(fileOffset, 0)),
                    OptionalInt.of(pid))) {
                OutputStream in = proc.getOutputStream();
                in.write("go\n".getBytes(StandardCharsets.US_ASCII));
                in.flush();
                for (String line; (line = out.readLine()) != null; ) {
                    if (line.startsWith("map:")) {
                        maps.add(line.substring(4).strip());
                    }
                }
                assertTrue(proc.waitFor(30, TimeUnit.SECONDS), name + " finishes");
                assertEquals(0, proc.exitValue(), name + " exits cleanly");
            }
            return maps;
        } finally {
            proc.destroyForcibly();
        }
    }

    private static byte[] codeAt(ElfFile elf, long fileOffset, long size) throws Exception {
        byte[] code = new byte[(int) Math.max(size, 16)];
        try (var ch = Files.newByteChannel(elf.path())) {
            ch.position(fileOffset);
            ch.read(ByteBuffer.wrap(code));
        }
        return code;
    }
}
