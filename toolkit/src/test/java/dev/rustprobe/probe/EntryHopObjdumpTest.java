// EntryHop against objdump over every function of the sample-rust builds and the first functions of
// librustc_driver: each moved entry skips exactly straight-line code, lands on an instruction boundary, on an
// instruction the kernel emulates, with the rsp delta and stores objdump's own reading of the skipped code implies,
// and no branch anywhere in the disassembled range targets the skipped code or the new address.
package dev.rustprobe.probe;

import dev.rustprobe.elf.ElfFile;
import dev.rustprobe.testing.SampleRust;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EntryHopObjdumpTest {

    /** What one comparison found. */
    static final class Tally {
        int functions, singleStepped, moved;
        final Map<String, Integer> reasons = new TreeMap<>();
        final List<String> wrong = new ArrayList<>();
    }

    private static final Pattern TARGET = Pattern.compile("^(j\\w+|call|loop\\w*|jrcxz)\\s+([0-9a-f]+)( <.*)?$");
    private static final Pattern PREFIX = Pattern.compile(
            "^(bnd|notrack|rep|repz|repnz|repe|repne|data16|addr32|cs|ds|ss|es|fs|gs|lock|rex(\\.[WRXB]+)?)\\s");
    private static final Pattern RSP_IMM = Pattern.compile("^(sub|add)\\s+rsp,0x([0-9a-f]+)$");
    private static final Pattern LEA_RSP = Pattern.compile("^lea\\s+rsp,\\[rsp([+-])0x([0-9a-f]+)]$");
    /** A store: a memory first operand [REG], [REG+0x..] or anything else (group 1 then "?"). */
    private static final Pattern STORE = Pattern.compile(
            "^\\S+\\s+\\S+ PTR (?:\\w+:)?\\[(\\w+|.*?)(?:([+-])0x([0-9a-f]+))?],.*");
    /** A register first operand. */
    private static final Pattern DESTINATION = Pattern.compile("^\\S+\\s+([a-z0-9]+),.*");
    /** mov REG,rsp or lea REG,[rsp+-0x..]. */
    private static final Pattern FROM_RSP = Pattern.compile("^(mov\\s+\\w+,rsp|lea\\s+\\w+,\\[rsp(?:([+-])0x([0-9a-f]+))?])$");
    private static final Map<String, String> FULL = fullNames();

    /** eax, ax, al, ah, r8d, r8w, r8b... by the 64-bit register they are part of. */
    private static Map<String, String> fullNames() {
        Map<String, String> m = new java.util.HashMap<>();
        String[][] legacy = {{"rax", "eax", "ax", "al", "ah"}, {"rbx", "ebx", "bx", "bl", "bh"},
                {"rcx", "ecx", "cx", "cl", "ch"}, {"rdx", "edx", "dx", "dl", "dh"}, {"rsi", "esi", "si", "sil"},
                {"rdi", "edi", "di", "dil"}, {"rbp", "ebp", "bp", "bpl"}, {"rsp", "esp", "sp", "spl"}};
        for (String[] names : legacy) {
            for (String n : names) {
                m.put(n, names[0]);
            }
        }
        for (int k = 8; k < 16; k++) {
            for (String suffix : new String[] {"d", "w", "b"}) {
                m.put("r" + k + suffix, "r" + k);
            }
        }
        return m;
    }

    /** The reason's first words, to count why entries stay. */
    static String reasonClass(String reason) {
        String r = reason.replaceAll("0x[0-9a-f]+", "N").replaceAll("\\(.*?\\)", "").replaceAll("\\s+", " ");
        r = r.replaceFirst("^not moved( to \\+N)?: ", "");
        r = r.replaceFirst("^the instruction( [0-9a-f]{2})+ at", "the instruction at");
        return r.length() > 90 ? r.substring(0, 90) : r;
    }

    static Tally check(Path file, long from, long to) throws Exception {
        ElfFile elf = ElfFile.open(file);
        Binaries.Section text = Binaries.section(file, ".text");
        long lo = Math.max(from, text.address());
        long hi = Math.min(to, text.address() + text.size());
        TreeMap<Long, String> insns = new TreeMap<>();
        Binaries.objdump(text, lo, hi, l -> insns.put(l.address(), l.text().replaceAll("\\s+#.*$", "").trim()));
        Set<Long> targets = new HashSet<>();
        for (String t : insns.values()) {
            Matcher m = TARGET.matcher(PREFIX.matcher(t).replaceAll(""));
            if (m.matches()) {
                targets.add(Long.parseLong(m.group(2), 16));
            }
        }
        Tally tally = new Tally();
        for (Binaries.Function f : Binaries.functions(file)) {
            if (f.address() < lo || f.address() + f.size() > hi) {
                continue;
            }
            byte[] code = FunctionCode.read(elf, f.address(), f.size());
            if (code == null) {
                continue;
            }
            tally.functions++;
            // no register read, no return probe: the largest set of moves the control-flow rules allow
            EntryHop.Decision d = EntryHop.decide(code, f.address(), f.size(), 0, false, Set.of());
            if (d.entryHandling() == UprobeCost.Handling.SINGLE_STEP) {
                tally.singleStepped++;
                if (!d.moved()) {
                    tally.reasons.merge(reasonClass(d.reason()), 1, Integer::sum);
                }
            }
            if (!d.moved()) {
                continue;
            }
            tally.moved++;
            String why = wrong(d, f, insns, targets);
            if (why != null && tally.wrong.size() < 20) {
                tally.wrong.add(f.name() + " @0x" + Long.toHexString(f.address()) + ": " + why);
            }
        }
        System.out.printf("EntryHop vs objdump, %s [%x,%x): %d functions, %d entries single-stepped, %d moved%n",
                file.getFileName(), lo, hi, tally.functions, tally.singleStepped, tally.moved);
        tally.reasons.entrySet().stream().sorted((a, b) -> b.getValue() - a.getValue()).limit(12)
                .forEach(e -> System.out.printf("  %6d  %s%n", e.getValue(), e.getKey()));
        tally.wrong.forEach(w -> System.out.println("  WRONG " + w));
        return tally;
    }

    /** What objdump's text says is wrong with a move, or null. */
    static String wrong(EntryHop.Decision d, Binaries.Function f, TreeMap<Long, String> insns, Set<Long> targets) {
        if (!insns.containsKey(d.probe())) {
            return "0x" + Long.toHexString(d.probe()) + " is not an instruction boundary in objdump's listing";
        }
        Map<Long, String> skipped = insns.subMap(d.entry(), true, d.probe(), false);
        if (skipped.size() != d.skipped()) {
            return "objdump shows " + skipped.size() + " instructions before the probe, EntryHop skipped " + d.skipped();
        }
        long rsp = 0;
        // registers objdump's text shows set to the entry rsp plus a constant, by their 64-bit names
        Map<String, Long> known = new java.util.HashMap<>();
        for (var e : skipped.entrySet()) {
            String t = e.getValue();
            String bare = PREFIX.matcher(t).replaceAll("");
            var flow = X86DecoderObjdumpTest.objdumpFlow(t);
            if (flow != Instruction.Flow.OTHER && flow != Instruction.Flow.ENDBR64) {
                return "skipped '" + t + "' at 0x" + Long.toHexString(e.getKey()) + " is not straight-line code";
            }
            Matcher imm = RSP_IMM.matcher(bare);
            Matcher lea = LEA_RSP.matcher(bare);
            if (imm.matches()) {
                long v = Long.parseLong(imm.group(2), 16);
                rsp += imm.group(1).equals("sub") ? -v : v;
            } else if (lea.matches()) {
                long v = Long.parseLong(lea.group(2), 16);
                rsp += lea.group(1).equals("-") ? -v : v;
            } else if (bare.startsWith("push ")) {
                rsp -= 8;
            } else if (bare.matches("^\\S+\\s+(rsp|esp|sp|spl),.*") && !bare.startsWith("cmp") && !bare.startsWith("test")) {
                return "skipped '" + t + "' writes rsp in a way objdump's text does not fix";
            }
            Matcher into = STORE.matcher(bare);
            if (into.matches() && !bare.matches("^(cmp|test)\\S*\\s.*")) {
                Long base = into.group(1).equals("rsp") ? Long.valueOf(rsp) : known.get(into.group(1));
                if (base == null) {
                    return "skipped '" + t + "' stores somewhere other than the new frame";
                }
                long off = into.group(3) == null ? 0 : Long.parseLong(into.group(3), 16)
                        * (into.group(2).equals("-") ? -1 : 1);
                if (base + off >= 0) {
                    return "skipped '" + t + "' stores at entry rsp + " + (base + off);
                }
            }
            Matcher dst = DESTINATION.matcher(bare);
            if (dst.matches() && !bare.matches("^(cmp|test)\\S*\\s.*")) {
                String r = FULL.getOrDefault(dst.group(1), dst.group(1));
                known.remove(r);
                Matcher fromRsp = FROM_RSP.matcher(bare);
                if (fromRsp.matches() && dst.group(1).equals(r)) {
                    long v = fromRsp.group(2) == null ? 0 : Long.parseLong(fromRsp.group(3), 16)
                            * (fromRsp.group(2).equals("-") ? -1 : 1);
                    known.put(r, rsp + v);
                }
            }
        }
        if (-rsp != d.entryRspDelta()) {
            return "objdump's skipped code moves rsp by " + rsp + ", EntryHop says delta " + d.entryRspDelta();
        }
        String at = PREFIX.matcher(insns.get(d.probe())).find() ? "prefixed" : insns.get(d.probe());
        boolean emulated = at.startsWith("push ") || at.matches("^(j\\w+|call)\\s+[0-9a-f]+( <.*)?$")
                || at.startsWith("nop") || at.equals("xchg   ax,ax");
        if (!emulated) {
            return "the probe's instruction '" + insns.get(d.probe()) + "' is not one the kernel emulates";
        }
        for (long t : targets) {
            if (t > d.entry() && t <= d.probe()) {
                return "a branch in the listing targets 0x" + Long.toHexString(t) + ", inside the skipped range";
            }
        }
        return null;
    }

    @ParameterizedTest
    @EnumSource(SampleRust.Variant.class)
    void everyMovedEntryOfSampleRustAgreesWithObjdump(SampleRust.Variant v) throws Exception {
        Tally t = check(SampleRust.binary(v), 0, Long.MAX_VALUE);
        assertEquals(List.of(), t.wrong);
        assertTrue(t.functions > 500, "functions: " + t.functions);
        assertTrue(t.moved * 3 > t.singleStepped, "a good share of single-stepped entries move: " + t.moved + " of "
                + t.singleStepped);
    }

    @Test
    void theFirstFunctionsOfLibrustcDriverAgreeWithObjdump() throws Exception {
        Path lib = Binaries.librustcDriver();
        Binaries.Section s = Binaries.section(lib, ".text");
        List<Long> starts = Binaries.functions(lib).stream().map(Binaries.Function::address)
                .filter(a -> a >= s.address() && a < s.address() + s.size()).sorted().toList();
        Tally t = check(lib, starts.get(0), starts.get(Math.min(starts.size() - 1, 4000)));
        assertEquals(List.of(), t.wrong);
        assertTrue(t.moved > 250, "moved: " + t.moved + " of " + t.singleStepped);
    }
}
