// Checks the ABI model, the DWARF evaluator and the entry verdicts against the gdb-derived truth tables
// (src/test/resources/abi/truth-*.tsv, made by regenerate-truth.sh from raw registers, not from DWARF).
package dev.rustprobe.abi;

import dev.rustprobe.dwarf.Dwarf;
import dev.rustprobe.dwarf.Subprogram;
import dev.rustprobe.elf.ElfFile;
import dev.rustprobe.elf.ElfSymbol;
import dev.rustprobe.elf.SymbolBinding;
import dev.rustprobe.testing.SampleRust;
import dev.rustprobe.testing.SampleRust.Variant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AbiTruthTest {

    /** Returns whose {:?} the truth script cannot encode (closures): nothing to compare. */
    private static final Set<String> OPAQUE_RETURNS = Set.of("sample_rust::closures::make_adder",
            "sample_rust::closures::make_scaler");

    @ParameterizedTest
    @EnumSource(Variant.class)
    void everyParameterAndReturnMatchesTheMachineState(Variant v) {
        ElfFile elf = ElfFile.open(SampleRust.binary(v));
        Dwarf dwarf = Dwarf.open(elf);
        Map<String, List<Long>> syms = Truth.symbols(v);
        List<String> failures = new ArrayList<>();
        int checked = 0;
        int unavailable = 0;
        for (Truth.Row row : Truth.rows(v)) {
            Subprogram s = subprogram(dwarf, syms.get(row.function()), row.function());
            if (s == null) {
                failures.add(row.function() + ": no DWARF subprogram at its symbol");
                continue;
            }
            long addr = s.lowPc();
            boolean local = elf.symbols().stream().filter(x -> x.value() == addr && x.isFunction())
                    .allMatch(x -> x.binding() == SymbolBinding.LOCAL);
            int aliases = (int) elf.symbols().stream().filter(x -> x.value() == addr && x.isFunction()).count();
            FunctionVerdict verdict = FunctionVerdict.atEntry(s, local, aliases);
            ValueLocation got;
            if (row.param().equals("return")) {
                if (OPAQUE_RETURNS.contains(row.function())) {
                    continue;
                }
                got = verdict.returnLocation();
            } else {
                FunctionVerdict.ParamVerdict p = param(verdict, row);
                if (p == null) {
                    failures.add(row.function() + " " + row.param() + ": not in DWARF " + verdict.params().keySet());
                    continue;
                }
                got = p.location();
            }
            checked++;
            String rendered = ValueLocation.render(got);
            boolean unreadable = got instanceof ValueLocation.Unavailable u
                    && u.reason() != ValueLocation.Reason.FLOAT_REGISTER;
            if (unreadable) {
                unavailable++;
                // saying "unavailable" is honest only where the optimizer may have rewritten the signature
                if (verdict.trust() != FunctionVerdict.Trust.DWARF_ONLY) {
                    failures.add(row.function() + " " + row.param() + ": " + rendered + " but truth " + row.alternatives());
                }
            } else if (got instanceof ValueLocation.Constant c && c.width() > 0) {
                // a constant needs no register: it must be the value the program passed (its truth line)
                String passed = Truth.argument(v, row.function(), row.param());
                if (!String.valueOf(c.value()).equals(passed)) {
                    failures.add(row.function() + " " + row.param() + ": constant " + c.value() + ", passed " + passed);
                }
            } else if (!row.allows(rendered)) {
                failures.add(row.function() + " " + row.param() + ": computed " + rendered + ", machine state "
                        + row.alternatives() + " [" + verdict.trust() + "]");
            }
        }
        assertEquals(List.of(), failures, v + ": " + checked + " values checked");
        assertTrue(checked > 200, "too few rows checked: " + checked);
        assertTrue(unavailable <= (v.release() ? 4 : 0), "unavailable answers: " + unavailable);
    }

    private static FunctionVerdict.ParamVerdict param(FunctionVerdict verdict, Truth.Row row) {
        FunctionVerdict.ParamVerdict p = verdict.params().get(row.param());
        if (p != null) {
            return p;
        }
        // an alias (span_hash has pair_hash's DWARF) or a parameter DWARF leaves unnamed (`_m: Marker`):
        // the one DWARF parameter whose name is not a source name of this function
        List<String> unnamed = new ArrayList<>();
        for (String k : verdict.params().keySet()) {
            if (k.startsWith("arg") || verdict.params().size() == 1) {
                unnamed.add(k);
            }
        }
        return unnamed.size() == 1 ? verdict.params().get(unnamed.get(0)) : null;
    }

    /** The subprogram of a truth function: for legacy generic copies (one name, many addresses) the DWARF name decides. */
    static Subprogram subprogram(Dwarf dwarf, List<Long> addrs, String function) {
        Subprogram best = null;
        Set<Long> seen = new HashSet<>();
        for (long a : addrs) {
            if (!seen.add(a)) {
                continue;
            }
            Subprogram c = dwarf.subprogramAt(a).orElse(null);
            if (c == null) {
                continue;
            }
            if (best == null || function.replace("::<", "<").equals(c.qualifiedName())) {
                best = c;
            }
        }
        return best;
    }
}
