// The trace plan for sample-rust without a kernel: which sites each option gives, that return sites are real exits
// of their copy, that an alias group is probed once, and that every generic copy has its entry.
package dev.rustprobe.probe;

import dev.rustprobe.elf.ElfFile;
import dev.rustprobe.index.IndexedBinary;
import dev.rustprobe.index.Pattern;
import dev.rustprobe.testing.ExternalTools;
import dev.rustprobe.testing.SampleRust;
import dev.rustprobe.testing.SampleRust.Variant;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProbePlannerTest {
    static TracePlan plan(ProbePlanner.Options o, String... patterns) {
        IndexedBinary b = IndexedBinary.open(SampleRust.binary(Variant.RELEASE_LEGACY));
        return ProbePlanner.plan(b, java.util.Arrays.stream(patterns).map(Pattern::parse).toList(), o);
    }

    static final ProbePlanner.Options DEFAULT = new ProbePlanner.Options(true, ProbePlanner.Returns.AUTO, 64);

    @Test
    void returnSitesAreRetsOrJumpsInsideTheirCopy() {
        TracePlan p = plan(DEFAULT, "sample_rust::**");
        ElfFile elf = ElfFile.open(SampleRust.binary(Variant.RELEASE_LEGACY));
        assertTrue(p.count(ProbeSite.Kind.RETURN) > 100, "return sites: " + p.count(ProbeSite.Kind.RETURN));
        int leaves = 0;
        for (ProbeSite s : p.sites()) {
            if (s.kind() != ProbeSite.Kind.RETURN) {
                continue;
            }
            if (s.uretprobe()) {
                // by default only a copy no panic can unwind through gets one; objdump's code must agree
                String why = Objdump.reachesUnknownCode(disassembly(), s.copyAddress());
                assertEquals(null, why, s.function() + " has a uretprobe but " + why);
                assertEquals(ProbeProgram.Role.RETURN_AFTER, s.spec().role());
                leaves++;
                continue;
            }
            var sec = elf.sectionAt(s.address()).orElseThrow();
            ByteBuffer raw = elf.raw(sec);
            int at = (int) (s.address() - sec.address());
            int op = raw.get(at) & 0xff;
            boolean ok = switch (s.exit()) {
                case "ret" -> op == 0xc3 || op == 0xc2;
                case "tail jmp" -> op == 0xe9 || op == 0xeb;
                case "indirect tail jmp" -> op == 0xff || op == 0x3e || (op & 0xf0) == 0x40 && (raw.get(at + 1) & 0xff) == 0xff;
                default -> s.exit().equals("tail jcc") && s.spec().jccCondition() >= 0;
            };
            assertTrue(ok, s.function() + " exit " + s.exit() + " at 0x" + Long.toHexString(s.address())
                    + " starts with 0x" + Integer.toHexString(op));
            assertTrue(s.address() > s.copyAddress(), "not at the copy's first instruction");
            assertEquals(elf.fileOffsetOf(s.address()).getAsLong(), s.fileOffset());
        }
        assertTrue(leaves >= 10, "sample-rust has many functions no panic can unwind through (orders::place among"
                + " them): " + leaves);
        assertTrue(p.sites().stream().anyMatch(s -> s.function().equals("sample_rust::orders::place") && s.uretprobe()));
    }

    private static Objdump disassembly;

    /** objdump -d of the whole release-legacy binary, parsed once. */
    static Objdump disassembly() {
        if (disassembly == null) {
            disassembly = Objdump.parse(ExternalTools.run("objdump", "-d", "--no-show-raw-insn",
                    SampleRust.binary(Variant.RELEASE_LEGACY).toString()));
        }
        return disassembly;
    }

    /** objdump's functions by start address, each a list of "mnemonic operands" strings: the test's own oracle. */
    record Objdump(java.util.TreeMap<Long, List<String>> functions) {
        static Objdump parse(String text) {
            java.util.TreeMap<Long, List<String>> fs = new java.util.TreeMap<>();
            List<String> cur = null;
            for (String l : text.lines().toList()) {
                java.util.regex.Matcher h = java.util.regex.Pattern.compile("^([0-9a-f]+) <.*>:$").matcher(l);
                if (h.matches()) {
                    cur = new ArrayList<>();
                    fs.put(Long.parseLong(h.group(1), 16), cur);
                } else if (cur != null && l.matches("^ +[0-9a-f]+:\t.*")) {
                    cur.add(l.split("\t", 2)[1].trim());
                }
            }
            return new Objdump(fs);
        }

        /** Why the function at start may reach code that unwinds (a call through a pointer or into the PLT), or null. */
        static String reachesUnknownCode(Objdump d, long start) {
            java.util.ArrayDeque<Long> todo = new java.util.ArrayDeque<>(List.of(start));
            java.util.Set<Long> seen = new java.util.HashSet<>(todo);
            while (!todo.isEmpty()) {
                long f = todo.poll();
                Long next = d.functions().higherKey(f);
                for (String insn : d.functions().get(f)) {
                    String[] p = insn.split("\\s+");
                    boolean call = p[0].startsWith("call");
                    if (!call && !p[0].startsWith("j") || p.length < 2) {
                        continue;
                    }
                    if (p[1].startsWith("*")) {
                        if (call) {
                            return "0x" + Long.toHexString(f) + " calls through a pointer: " + insn;
                        }
                        continue;   // a jump table or a tail call: objdump cannot tell, ExitFinder decides
                    }
                    if (insn.contains("@plt")) {
                        return "0x" + Long.toHexString(f) + " calls into the PLT: " + insn;
                    }
                    long t = Long.parseLong(p[1], 16);
                    if (t >= f && (next == null || t < next)) {
                        continue;
                    }
                    Long holder = d.functions().floorKey(t);
                    if (holder == null) {
                        return "0x" + Long.toHexString(f) + " reaches unknown code: " + insn;
                    }
                    if (seen.add(holder)) {
                        todo.add(holder);
                    }
                }
            }
            return null;
        }
    }

    @Test
    void aRecordKeepsOnlyTheRegistersItsValuesName() {
        TracePlan p = plan(DEFAULT, "sample_rust::orders::place");
        ProbeSite entry = p.sites().stream().filter(s -> s.kind() == ProbeSite.Kind.ENTRY).findFirst().orElseThrow();
        ProbeSite ret = p.sites().stream().filter(s -> s.kind() == ProbeSite.Kind.RETURN).findFirst().orElseThrow();
        // place(id: u32 in rdi, name: &str in rsi:rdx, qty: Option<u32> in rcx:r8) -> rax:rdx; rip and rsp always
        assertEquals(List.of("R8", "RCX", "RDX", "RSI", "RDI", "RIP", "RSP"), kept(entry));
        assertEquals(List.of("RAX", "RDX", "RIP", "RSP"), kept(ret));
        RecordLayout l = new RecordLayout(entry.spec().plan());
        assertEquals(-1, l.registerOffset(dev.rustprobe.bpf.PtRegs.RAX));
        assertEquals(RecordLayout.REGS, l.registerOffset(dev.rustprobe.bpf.PtRegs.R8), "kept in pt_regs order");
        assertEquals(RecordLayout.REGS + 4 * 8, l.registerOffset(dev.rustprobe.bpf.PtRegs.RDI));
        assertEquals(RecordLayout.REGS + 7 * 8, l.readOffset(0), "the reads follow the 7 registers");
    }

    static List<String> kept(ProbeSite s) {
        RecordLayout l = new RecordLayout(s.spec().plan());
        return java.util.Arrays.stream(dev.rustprobe.bpf.PtRegs.values()).filter(r -> l.registerOffset(r) >= 0)
                .map(Enum::name).toList();
    }

    @Test
    void optionsChooseTheSites() {
        TracePlan noInline = plan(new ProbePlanner.Options(false, ProbePlanner.Returns.RETS, 64), "sample_rust::inline::**",
                "sample_rust::orders::place");
        assertEquals(0, noInline.count(ProbeSite.Kind.INLINE));
        TracePlan inline = plan(DEFAULT, "sample_rust::inline::**");
        assertEquals(9, inline.count(ProbeSite.Kind.INLINE), "7 call sites, one unrolled into 3 copies");
        assertEquals(0, inline.count(ProbeSite.Kind.ENTRY), "the helpers have no out-of-line copy in release");

        TracePlan none = plan(new ProbePlanner.Options(true, ProbePlanner.Returns.NONE, 64), "sample_rust::orders::place");
        assertEquals(0, none.count(ProbeSite.Kind.RETURN));
        assertTrue(none.sites().stream().noneMatch(ProbeSite::paired));
        assertEquals(0, none.count(ProbeSite.Kind.CATCH), "nothing to unwind without paired calls");
        // inlined calls pair with their exits (a panic may unwind them too), except with --returns=none
        assertTrue(inline.sites().stream().filter(s -> s.kind() == ProbeSite.Kind.INLINE).allMatch(ProbeSite::paired));
        assertTrue(inline.count(ProbeSite.Kind.INLINE_EXIT) >= 9, "an exit per copy at least");
        TracePlan inlineNone = plan(new ProbePlanner.Options(true, ProbePlanner.Returns.NONE, 64), "sample_rust::inline::**");
        assertEquals(9, inlineNone.count(ProbeSite.Kind.INLINE));
        assertTrue(inlineNone.sites().stream().allMatch(s -> s.spec().role() == ProbeProgram.Role.CALL_UNPAIRED));
        assertEquals(0, inlineNone.count(ProbeSite.Kind.INLINE_EXIT));
        assertEquals(0, inlineNone.count(ProbeSite.Kind.CATCH));

        TracePlan uret = plan(new ProbePlanner.Options(true, ProbePlanner.Returns.URETPROBE, 64), "sample_rust::orders::place");
        List<ProbeSite> rets = uret.sites().stream().filter(s -> s.kind() == ProbeSite.Kind.RETURN).toList();
        ProbeSite entry = uret.sites().stream().filter(s -> s.kind() == ProbeSite.Kind.ENTRY).findFirst().orElseThrow();
        assertEquals(1, rets.size());
        assertTrue(rets.get(0).uretprobe() && rets.get(0).fileOffset() == entry.fileOffset());
        assertEquals(ProbeProgram.Role.RETURN_AFTER, rets.get(0).spec().role());

        // Paired calls bring std's catch points, at the addresses of their symbols, recording nothing
        var elf = dev.rustprobe.elf.ElfFile.open(SampleRust.binary(Variant.RELEASE_LEGACY));
        java.util.Map<String, Long> catchSymbols = new java.util.TreeMap<>();
        for (var sym : elf.symbols()) {
            String d = dev.rustprobe.demangle.Demangler.demangle(sym.name(), false);
            if ("std::panicking::catch_unwind::cleanup".equals(d) || "__rustc::__rust_panic_cleanup".equals(d)) {
                catchSymbols.put(d, sym.value());
            }
        }
        for (TracePlan p : List.of(uret, plan(DEFAULT, "sample_rust::orders::place"), inline)) {
            java.util.Map<String, Long> planned = new java.util.TreeMap<>();
            p.sites().stream().filter(s -> s.kind() == ProbeSite.Kind.CATCH).forEach(s -> {
                assertEquals(ProbeProgram.Role.CATCH, s.spec().role());
                assertTrue(s.values().isEmpty() && s.spec().plan().reads().isEmpty());
                assertEquals(elf.fileOffsetOf(s.address()).getAsLong(), s.fileOffset());
                planned.put(s.function(), s.address());
            });
            assertEquals(catchSymbols, planned);
            assertTrue(p.warnings().stream().noneMatch(w -> w.contains("catch point")), p.warnings().toString());
        }
    }

    @Test
    void anAliasGroupIsProbedOnceAndGenericCopiesEachHaveAnEntry() {
        TracePlan p = plan(DEFAULT, "sample_rust::geometry::pair_hash", "sample_rust::geometry::span_hash",
                "sample_rust::generics::describe");
        List<ProbeSite> hash = p.sites().stream().filter(s -> s.kind() == ProbeSite.Kind.ENTRY
                && s.function().endsWith("_hash")).toList();
        assertEquals(1, hash.size(), "one address, one probe");
        assertEquals(1, hash.get(0).aliases().size());
        assertEquals(4, p.sites().stream().filter(s -> s.kind() == ProbeSite.Kind.ENTRY
                && s.function().equals("sample_rust::generics::describe")).map(ProbeSite::address).distinct().count());
    }

    @Test
    void entryProbesMoveOnlyWhereEntryHopAllowsAndNeverWithAUretprobe() {
        ElfFile elf = ElfFile.open(SampleRust.binary(Variant.RELEASE_LEGACY));
        java.util.Map<String, Integer> movedBy = new java.util.TreeMap<>();
        for (ProbePlanner.Returns r : ProbePlanner.Returns.values()) {
            TracePlan p = plan(new ProbePlanner.Options(true, r, 64), "sample_rust::**");
            java.util.Set<Long> uretprobed = new java.util.HashSet<>();
            java.util.Map<Long, java.util.Set<Long>> exits = new java.util.HashMap<>();
            for (ProbeSite s : p.sites()) {
                if (s.kind() == ProbeSite.Kind.RETURN) {
                    exits.computeIfAbsent(s.copyAddress(), k -> new java.util.HashSet<>()).add(s.address());
                    if (s.uretprobe()) {
                        uretprobed.add(s.copyAddress());
                    }
                }
            }
            int moved = 0;
            for (ProbeSite s : p.sites()) {
                if (s.kind() != ProbeSite.Kind.ENTRY) {
                    continue;
                }
                long size = elf.symbols().stream().filter(x -> x.value() == s.copyAddress() && x.isFunction())
                        .mapToLong(x -> x.size()).max().orElseThrow();
                EntryHop.Decision d = EntryHop.decide(FunctionCode.read(elf, s.copyAddress(), size), s.copyAddress(),
                        size, s.spec().plan().registers(), uretprobed.contains(s.copyAddress()),
                        exits.getOrDefault(s.copyAddress(), java.util.Set.of()));
                if (s.address() == s.copyAddress()) {
                    assertEquals(0, s.spec().entryRspDelta());
                    continue;
                }
                moved++;
                assertFalse(uretprobed.contains(s.copyAddress()), s.function() + ": moved with a uretprobe");
                assertEquals(d.probe(), s.address(), s.function() + ": " + d.sentence());
                assertEquals(d.entryRspDelta(), s.spec().entryRspDelta(), s.function());
                assertEquals(elf.fileOffsetOf(s.address()).getAsLong(), s.fileOffset());
                assertTrue(p.sites().stream().noneMatch(o -> o != s && o.address() > s.copyAddress()
                        && o.address() <= s.address()), s.function() + ": another probe in the skipped range");
            }
            movedBy.put(r.name(), moved);
        }
        TracePlan exact = plan(new ProbePlanner.Options(true, ProbePlanner.Returns.RETS, 64, true), "sample_rust::**");
        assertTrue(exact.sites().stream().allMatch(s -> s.kind() != ProbeSite.Kind.ENTRY
                || s.address() == s.copyAddress() && s.spec().entryRspDelta() == 0), "--exact-entry moves nothing");
        System.out.println("sample-rust release-legacy entry probes moved, by --returns: " + movedBy);
        assertEquals(0, movedBy.get("URETPROBE"));
        assertTrue(movedBy.get("RETS") >= 5 && movedBy.get("NONE") >= movedBy.get("RETS"), movedBy.toString());
    }

    @Test
    void anEntryProbeStaysWhereAnotherProbeLiesInTheInstructionsItWouldSkip() {
        // drop_in_place::<String> and friends skip a few instructions to their first emulated one, where RawVec's
        // drop begins inlined: traced together, the inlined call's probe would fire before its caller's entry
        ProbePlanner.Options none = new ProbePlanner.Options(true, ProbePlanner.Returns.NONE, 64);
        TracePlan alone = plan(none, "core::ptr::drop_in_place");
        TracePlan with = plan(none, "core::ptr::drop_in_place", "alloc::raw_vec::**");
        java.util.Set<Long> movedAlone = new java.util.HashSet<>();
        alone.sites().stream().filter(s -> s.kind() == ProbeSite.Kind.ENTRY && s.address() != s.copyAddress())
                .forEach(s -> movedAlone.add(s.copyAddress()));
        int stayed = 0;
        for (ProbeSite s : with.sites()) {
            if (s.kind() != ProbeSite.Kind.ENTRY || !movedAlone.contains(s.copyAddress())) {
                continue;
            }
            ProbeSite was = alone.sites().stream().filter(a -> a.kind() == ProbeSite.Kind.ENTRY
                    && a.copyAddress() == s.copyAddress()).findFirst().orElseThrow();
            boolean crossed = with.sites().stream().anyMatch(o -> o.kind() == ProbeSite.Kind.INLINE
                    && o.address() > s.copyAddress() && o.address() <= was.address());
            if (crossed) {
                assertEquals(s.copyAddress(), s.address(), s.function() + " stays at its first instruction");
                assertEquals(0, s.spec().entryRspDelta());
                assertEquals(dev.rustprobe.elf.ElfFile.open(SampleRust.binary(Variant.RELEASE_LEGACY))
                        .fileOffsetOf(s.copyAddress()).getAsLong(), s.fileOffset());
                stayed++;
            } else {
                assertEquals(was.address(), s.address(), s.function() + ": nothing in the way, so it still moves");
            }
        }
        assertTrue(stayed >= 1, "entry probes kept at +0 by an inlined site in their prefix: " + stayed);
    }

    @Test
    void aPatternMatchingNothingNamesTheNearest() {
        var e = assertThrows(dev.rustprobe.RustprobeException.class, () -> plan(DEFAULT, "sample_rust::orders::plase"));
        assertTrue(e.getMessage().startsWith("no function matches 'sample_rust::orders::plase'; nearest: "
                + "sample_rust::orders::place"), e.getMessage());
    }

    @Test
    void conditionCodesOfShortAndNearJccWithHintPrefixes() {
        assertEquals(0x5, ProbePlanner.conditionCode(new byte[] {0x75, 0x10}, 0));
        assertEquals(0xe, ProbePlanner.conditionCode(new byte[] {0x0f, (byte) 0x8e, 0, 0, 0, 0}, 0));
        assertEquals(0x4, ProbePlanner.conditionCode(new byte[] {(byte) 0x90, 0x3e, 0x74, 0x02}, 1));
        assertEquals(-1, ProbePlanner.conditionCode(new byte[] {(byte) 0xeb, 0x02}, 0));
    }
}
