// The exits of inlined copies: for every inlined call site trace pairs in sample-rust's release builds, the exits the
// plan probes against an oracle of the test's own (objdump -d of the caller followed from each entry, llvm-dwarfdump's
// ranges of the DW_TAG_inlined_subroutine from the DWARF fixtures); and the rules on hand-assembled code (rsp moved by push and
// sub, ret and tail jumps leaving the caller, what keeps a copy unpaired).
package dev.rustprobe.probe;

import dev.rustprobe.dwarf.DwarfFixtures;
import dev.rustprobe.index.AddressRange;
import dev.rustprobe.testing.ExternalTools;
import dev.rustprobe.testing.SampleRust;
import dev.rustprobe.testing.SampleRust.Variant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InlineExitsTest {
    /** One objdump line: address, mnemonic, first operand (or ""), and the function label it falls under. */
    record Insn(long address, String mnemonic, String operand, long function) {}

    /** objdump -d of a whole binary: instructions by address, and each function label's start. */
    record Listing(TreeMap<Long, Insn> insns, TreeSet<Long> functions) {
        static Listing of(String text) {
            TreeMap<Long, Insn> insns = new TreeMap<>();
            TreeSet<Long> functions = new TreeSet<>();
            java.util.regex.Pattern label = java.util.regex.Pattern.compile("^([0-9a-f]+) <.*>:$");
            java.util.regex.Pattern line = java.util.regex.Pattern.compile("^ +([0-9a-f]+):\t(\\S+)\\s*(\\S*).*");
            long fn = -1;
            for (String l : text.lines().toList()) {
                Matcher h = label.matcher(l);
                if (h.matches()) {
                    fn = Long.parseLong(h.group(1), 16);
                    functions.add(fn);
                    continue;
                }
                Matcher m = line.matcher(l);
                if (m.matches() && fn >= 0) {
                    long at = Long.parseLong(m.group(1), 16);
                    insns.put(at, new Insn(at, m.group(2), m.group(3), fn));
                }
            }
            return new Listing(insns, functions);
        }

        /** The address after the instruction at, or the next function's start. */
        long next(long at) {
            Long n = insns.higherKey(at);
            return n == null ? Long.MAX_VALUE : n;
        }

        long functionEnd(long fn) {
            Long n = functions.higher(fn);
            return n == null ? Long.MAX_VALUE : n;
        }
    }

    /**
     * The oracle: where control leaves the ranges, following objdump's instructions from each entry. An edge to an
     * address outside every range is an exit there (the next instruction after one that falls through, the target
     * of a direct jmp or jcc); a ret, and a jump out of the caller's function (a tail call), are exits at themselves.
     * A call that is the caller's last instruction does not come back. Null when an indirect jmp is reached.
     */
    static Set<Long> oracle(Listing l, List<AddressRange> ranges, List<Long> entries) {
        Set<Long> out = new TreeSet<>();
        java.util.ArrayDeque<Long> todo = new java.util.ArrayDeque<>(entries);
        Set<Long> seen = new java.util.HashSet<>();
        while (!todo.isEmpty()) {
            long pc = todo.poll();
            if (ranges.stream().noneMatch(x -> pc >= x.low() && pc < x.high())) {
                out.add(pc);
                continue;
            }
            if (!seen.add(pc)) {
                continue;
            }
            Insn i = l.insns().get(pc);
            assertTrue(i != null, "objdump has an instruction at 0x" + Long.toHexString(pc));
            String m = i.mnemonic();
            long next = l.next(pc);
            if (m.startsWith("ret")) {
                out.add(pc);
            } else if (m.startsWith("j")) {
                if (i.operand().startsWith("*")) {
                    return null;
                }
                long t = Long.parseLong(i.operand(), 16);
                if (t >= i.function() && t < l.functionEnd(i.function())) {
                    todo.add(t);
                } else {
                    out.add(pc);
                }
                if (!m.equals("jmp")) {
                    todo.add(next);
                }
            } else if (m.startsWith("call")) {
                if (next < l.functionEnd(i.function())) {
                    todo.add(next);
                }
            } else if (!m.equals("ud2") && !m.equals("int3") && !m.equals("hlt")) {
                todo.add(next);
            }
        }
        return out;
    }

    /** llvm-dwarfdump's ranges of each inlined call, by "call_file:line:column" and first address. */
    static Map<String, List<AddressRange>> fixtureRanges(Variant v) {
        Map<String, List<AddressRange>> out = new HashMap<>();
        String root = SampleRust.root().toString();
        for (String row : DwarfFixtures.lines(v, "inlined.tsv")) {
            String[] f = row.split("\t", -1);
            if (f[5].isEmpty() || f[5].equals("-")) {
                continue;
            }
            List<AddressRange> ranges = new ArrayList<>();
            for (String r : f[5].split(",")) {
                String[] lh = r.split("-");
                ranges.add(new AddressRange(Long.parseLong(lh[0], 16), Long.parseLong(lh[1], 16)));
            }
            String site = f[2].replace("$ROOT", root) + ":" + f[3] + ":" + f[4];
            out.put(site + "@" + Long.toHexString(ranges.get(0).low()), ranges);
        }
        return out;
    }

    @ParameterizedTest
    @EnumSource(value = Variant.class, names = {"RELEASE_LEGACY", "RELEASE_V0", "RELEASE_DWARF5", "RELEASE_V0_DWARF5"})
    void theExitsOfEveryPairedInlinedCopyAreWhereObjdumpSaysControlLeavesItsDwarfRanges(Variant v) {
        TracePlan plan = ProbePlanner.plan(dev.rustprobe.index.IndexedBinary.open(SampleRust.binary(v)),
                List.of(dev.rustprobe.index.Pattern.parse("sample_rust::**")), ProbePlannerTest.DEFAULT);
        Listing listing = Listing.of(ExternalTools.run("objdump", "-d", "--no-show-raw-insn",
                SampleRust.binary(v).toString()));
        Map<String, List<AddressRange>> dwarf = fixtureRanges(v);
        // the plan's exits per inlined call site (all entries of an unrolled copy together)
        Map<String, Set<Long>> planned = new LinkedHashMap<>();
        Map<String, List<Long>> entries = new HashMap<>();
        Map<Integer, String> siteOf = new HashMap<>();
        int unpaired = 0;
        for (ProbeSite s : plan.sites()) {
            if (s.kind() != ProbeSite.Kind.INLINE) {
                continue;
            }
            String key = s.callSite() + "@" + Long.toHexString(s.copyAddress());
            if (!s.paired()) {
                unpaired++;
                assertNull(oracle(listing, dwarf.get(key), List.of(s.address())), "only an indirect jump keeps a copy"
                        + " of sample-rust unpaired, not at " + key);
                continue;
            }
            siteOf.put(s.id(), key);
            entries.computeIfAbsent(key, k -> new ArrayList<>()).add(s.address());
            planned.computeIfAbsent(key, k -> new TreeSet<>());
        }
        for (ProbeSite s : plan.sites()) {
            if (s.kind() == ProbeSite.Kind.INLINE_EXIT) {
                assertEquals(ProbeProgram.Role.INLINE_EXIT, s.spec().role());
                for (ProbeProgram.InlineExit x : s.spec().inlineExits()) {
                    planned.get(siteOf.get(x.entrySite())).add(s.address());
                }
            }
        }
        assertTrue(planned.size() > 100, "sample-rust has many inlined call sites: " + planned.size());
        List<String> wrong = new ArrayList<>();
        for (Map.Entry<String, Set<Long>> e : planned.entrySet()) {
            List<AddressRange> ranges = dwarf.get(e.getKey());
            assertTrue(ranges != null, "llvm-dwarfdump has the inlined call " + e.getKey());
            Set<Long> expected = oracle(listing, ranges, entries.get(e.getKey()));
            if (!e.getValue().equals(expected)) {
                wrong.add(e.getKey() + ": planned " + hex(e.getValue()) + ", objdump " + hex(expected));
            }
        }
        assertTrue(wrong.isEmpty(), wrong.size() + " of " + planned.size() + " copies:\n" + String.join("\n", wrong));
        System.out.println(v + ": " + planned.size() + " inlined call sites paired, " + unpaired + " entries unpaired");
    }

    private static String hex(Set<Long> s) {
        return s == null ? "null" : s.stream().map(Long::toHexString).toList().toString();
    }

    /** Code at 0x1000 as a function of its own; ranges as pairs of offsets. */
    static InlineExits.Result find(String hex, long entryOffset, long... rangeOffsets) {
        byte[] code = java.util.HexFormat.of().parseHex(hex.replace(" ", ""));
        List<AddressRange> ranges = new ArrayList<>();
        for (int k = 0; k < rangeOffsets.length; k += 2) {
            ranges.add(new AddressRange(0x1000 + rangeOffsets[k], 0x1000 + rangeOffsets[k + 1]));
        }
        return InlineExits.find(code, 0x1000, ranges, 0x1000 + entryOffset);
    }

    @Test
    void rspMovesWithPushPopSubAndAddAndExitsCarryIt() {
        // 0: push rbx; 1: sub rsp,0x10; 5: add rsp,0x8; 9: mov eax,1 (copy ends at 9: rsp -16)
        InlineExits.Result r = find("53 4883ec10 4883c408 b801000000 c3", 0, 0, 9);
        assertTrue(r.paired(), r.unpairedReason());
        assertEquals(List.of(new InlineExits.Exit(0x1009, InlineExits.How.FALL_THROUGH, -16, -1)), r.exits());
        // 0: push rbx; 1: jne +2 (to 5); 3: pop rbx; 4: ret; 5: lea rsp,[rsp+8]; 10: nop (copy [0, 10))
        r = find("53 7502 5b c3 488d642408 90", 0, 0, 10);
        assertTrue(r.paired(), r.unpairedReason());
        assertEquals(List.of(new InlineExits.Exit(0x1004, InlineExits.How.RET, 0, -1),
                new InlineExits.Exit(0x100a, InlineExits.How.FALL_THROUGH, 0, -1)), sorted(r.exits()));
    }

    @Test
    void jumpsOutAreExitsAtTheirTargetsAndTailJumpsAtTheJump() {
        // 0: test edi,edi; 2: je +5 (to 9, outside); 4: jmp -0x1009 (to 0, outside the caller); 9: nop (copy [0, 9))
        InlineExits.Result r = find("85ff 7405 e9f7efffff 90", 0, 0, 9);
        assertTrue(r.paired(), r.unpairedReason());
        assertEquals(List.of(new InlineExits.Exit(0x1004, InlineExits.How.TAIL_JMP, 0, -1),
                new InlineExits.Exit(0x1009, InlineExits.How.JUMP_OUT, 0, -1)), sorted(r.exits()));
        // the same with a conditional jump out of the caller: jne (cc 5) at 2, its condition kept
        r = find("85ff 0f85f8efffff 90", 0, 0, 8);
        assertTrue(r.paired(), r.unpairedReason());
        assertEquals(List.of(new InlineExits.Exit(0x1002, InlineExits.How.TAIL_JCC, 0, 5),
                new InlineExits.Exit(0x1008, InlineExits.How.FALL_THROUGH, 0, -1)), sorted(r.exits()));
        // two ranges: a jump from the first into the second stays inside
        r = find("eb03 90 90 90 90 90", 0, 0, 2, 5, 6);
        assertEquals(List.of(new InlineExits.Exit(0x1006, InlineExits.How.FALL_THROUGH, 0, -1)), r.exits());
    }

    @Test
    void whatKeepsACopyUnpaired() {
        assertFalse(find("ffe0 90", 0, 0, 2).paired(), "jmp rax");
        assertTrue(find("ffe0 90", 0, 0, 2).unpairedReason().contains("indirect jump"));
        assertTrue(find("c9 90", 0, 0, 1).unpairedReason().contains("rsp"), "leave");
        assertTrue(find("4889c4 90", 0, 0, 3).unpairedReason().contains("rsp"), "mov rsp, rax");
        // je to 4 with rsp as at entry, fall-through pushes first: the two paths meet at 4 with different rsp
        assertTrue(find("7401 50 90 90", 0, 0, 4).unpairedReason().contains("differs"));
        assertTrue(find("0f0b", 0, 0, 2).unpairedReason().contains("no way out"), "ud2 only");
        assertTrue(find("ff", 0, 0, 1).unpairedReason().contains("decoded"));
        // SSE moves between xmm4 and xmm6 (register numbers 4 and 6) leave rsp alone
        assertTrue(find("660f6ff4 90", 0, 0, 4).paired(), "movdqa xmm6, xmm4");
    }

    private static List<InlineExits.Exit> sorted(List<InlineExits.Exit> exits) {
        return exits.stream().sorted(java.util.Comparator.comparingLong(InlineExits.Exit::address)).toList();
    }
}
