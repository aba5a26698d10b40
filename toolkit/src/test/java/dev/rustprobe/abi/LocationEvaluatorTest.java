// The evaluator on hand-written expressions whose meaning the DWARF 5 spec fixes (section 2.5 and 2.6).
package dev.rustprobe.abi;

import dev.rustprobe.dwarf.DwarfOp;
import dev.rustprobe.dwarf.LocationDescription;
import dev.rustprobe.dwarf.Variable;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class LocationEvaluatorTest {

    private static DwarfOp op(int code, long a) {
        return new DwarfOp(code, a, 0, null, List.of());
    }

    private static String at(LocationDescription loc, LocationDescription frameBase, boolean entry) {
        Variable v = new Variable("v", null, true, loc, null, 0, false, 0, -1);
        return ValueLocation.render(LocationEvaluator.evaluate(v, 0x1000, frameBase, entry));
    }

    private static LocationDescription expr(DwarfOp... ops) {
        return new LocationDescription.Expression(List.of(ops));
    }

    @Test
    void registersBregAndXmm() {
        assertEquals("rdi", at(expr(op(DwarfOp.REG0 + 5, 0)), null, true));
        assertEquals("*rsi+16", at(expr(op(DwarfOp.BREG0 + 4, 16)), null, true));
        assertEquals("xmm1", at(expr(op(DwarfOp.REG0 + 18, 0)), null, true));
    }

    @Test
    void frameBaseRspAndCfa() {
        assertEquals("[rsp+8]", at(expr(op(DwarfOp.FBREG, 8)), expr(op(DwarfOp.REG0 + 7, 0)), true));
        assertEquals("[rsp+8]", at(expr(op(DwarfOp.FBREG, 0)), expr(op(DwarfOp.CALL_FRAME_CFA, 0)), true));
    }

    @Test
    void piecesWithAMissingHalf() {
        String r = at(expr(op(DwarfOp.PIECE, 8), op(DwarfOp.REG0 + 3, 0), op(DwarfOp.PIECE, 8)), null, false);
        assertEquals("unavailable (optimized out: DWARF has no location at this PC: piece at offset 0):rbx", r);
    }

    @Test
    void stackValueArithmeticAndBoolMask() {
        assertEquals("const 13", at(expr(op(DwarfOp.LIT0 + 13, 0), op(DwarfOp.STACK_VALUE, 0)), null, false));
        assertEquals("const 20", at(expr(op(DwarfOp.CONSTU, 4), op(DwarfOp.CONSTU, 5), op(DwarfOp.MUL, 0),
                op(DwarfOp.STACK_VALUE, 0)), null, false));
        assertEquals("rdi", at(expr(op(DwarfOp.BREG0 + 5, 0), op(DwarfOp.CONSTU, 0xffffffffL), op(DwarfOp.AND, 0),
                op(DwarfOp.CONSTU, 1), op(DwarfOp.AND, 0), op(DwarfOp.STACK_VALUE, 0)), null, true));
    }

    @Test
    void stackValueWithNothingOnTheStackIsUnavailable() {
        // found by LocationEvaluatorFuzzTest: a lone DW_OP_stack_value, or one opening a piece, threw
        // IndexOutOfBoundsException
        String computed = "unavailable (computed from several places (a DWARF expression we do not evaluate): "
                + "DW_OP_stack_value of an empty stack)";
        assertEquals(computed, at(expr(op(DwarfOp.STACK_VALUE, 0)), null, true));
        assertEquals(computed + ":rsi", at(expr(op(DwarfOp.STACK_VALUE, 0), op(DwarfOp.PIECE, 8),
                op(DwarfOp.REG0 + 4, 0), op(DwarfOp.PIECE, 8)), null, false));
    }

    @Test
    void entryValueIsTheRegisterOnlyAtEntry() {
        DwarfOp ev = new DwarfOp(DwarfOp.GNU_ENTRY_VALUE, 0, 0, null, List.of(op(DwarfOp.REG0 + 5, 0)));
        LocationDescription loc = expr(ev, op(DwarfOp.STACK_VALUE, 0));
        assertEquals("rdi", at(loc, null, true));
        assertEquals("unavailable (computed from several places (a DWARF expression we do not evaluate): entry value"
                + " of a register that may have been overwritten since entry)", at(loc, null, false));
    }

    @Test
    void noEntryAtThePcIsOptimizedOut() {
        LocationDescription list = new LocationDescription.LocationList(0, List.of(
                new LocationDescription.Entry(0x2000, 0x2010, false, List.of(op(DwarfOp.REG0 + 5, 0)))));
        assertEquals("unavailable (optimized out: DWARF has no location at this PC: no location list entry covers"
                + " 0x1000)", at(list, null, true));
    }
}
