// Evaluates the DWARF expressions rustc emits (registers, breg/fbreg, pieces, stack_value arithmetic, entry_value,
// const_value) at one PC into a ValueLocation: a description of where to read, never a read of process memory.
package dev.rustprobe.abi;

import dev.rustprobe.dwarf.DwarfOp;
import dev.rustprobe.dwarf.LocationDescription;
import dev.rustprobe.dwarf.Variable;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;

public final class LocationEvaluator {

    private static final String[] REGS = {"rax", "rdx", "rcx", "rbx", "rsi", "rdi", "rbp", "rsp",
        "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"};

    private LocationEvaluator() {}

    /** A DWARF register as a location of the given width; xmm registers are unavailable to uprobes. */
    static ValueLocation register(long dwarfReg, long width) {
        if (dwarfReg >= 0 && dwarfReg < REGS.length) {
            return new ValueLocation.Register(REGS[(int) dwarfReg], width);
        }
        if (dwarfReg >= 17 && dwarfReg <= 32) {
            return new ValueLocation.Unavailable(ValueLocation.Reason.FLOAT_REGISTER, "xmm" + (dwarfReg - 17));
        }
        return new ValueLocation.Unavailable(ValueLocation.Reason.COMPUTED, "DWARF register " + dwarfReg);
    }

    /**
     * Where the variable is at pc. atEntry says pc is the function's first instruction, where entry_value(reg) is
     * the register itself and DW_OP_call_frame_cfa is rsp+8.
     */
    public static ValueLocation evaluate(Variable v, long pc, LocationDescription frameBase, boolean atEntry) {
        long size = v.type() == null ? 8 : Math.max(0, v.type().byteSize());
        LocationDescription loc = v.location();
        if (loc == null && v.constValue() != null) {
            loc = v.constValue();
        }
        if (loc instanceof LocationDescription.ConstantValue c) {
            return new ValueLocation.Constant(c.value(), size);
        }
        if (loc == null) {
            return new ValueLocation.Unavailable(ValueLocation.Reason.OPTIMIZED_OUT, "no DW_AT_location");
        }
        Optional<List<DwarfOp>> ops = loc.at(pc);
        if (ops.isEmpty() || ops.get().isEmpty()) {
            return new ValueLocation.Unavailable(ValueLocation.Reason.OPTIMIZED_OUT,
                    String.format("no location list entry covers 0x%x", pc));
        }
        List<DwarfOp> all = ops.get();
        if (all.stream().noneMatch(o -> o.opcode() == DwarfOp.PIECE)) {
            return simple(all, size, frameBase, pc, atEntry);
        }
        List<ValueLocation.Piece> pieces = new ArrayList<>();
        List<DwarfOp> seg = new ArrayList<>();
        long offset = 0;
        int rank = 0;
        for (DwarfOp op : all) {
            if (op.opcode() != DwarfOp.PIECE) {
                seg.add(op);
                continue;
            }
            long n = op.operand1();
            ValueLocation l = seg.isEmpty()
                    ? new ValueLocation.Unavailable(ValueLocation.Reason.OPTIMIZED_OUT, "piece at offset " + offset)
                    : simple(seg, n, frameBase, pc, atEntry);
            pieces.add(new ValueLocation.Piece(offset, n, rank++, l));
            offset += n;
            seg.clear();
        }
        // DWARF pieces come in memory order; rank them in declaration order (Rust reorders fields)
        if (AbiModel.classify(v.type()) instanceof AbiModel.Pair pair) {
            List<ValueLocation.Piece> ranked = new ArrayList<>();
            for (ValueLocation.Piece x : pieces) {
                int r = x.offset() == pair.first().offset() ? pair.first().rank()
                        : x.offset() == pair.second().offset() ? pair.second().rank() : x.declarationRank();
                ranked.add(new ValueLocation.Piece(x.offset(), x.size(), r, x.location()));
            }
            pieces = ranked;
        }
        return new ValueLocation.Pieces(pieces);
    }

    private static ValueLocation simple(List<DwarfOp> ops, long width, LocationDescription frameBase, long pc,
                                        boolean atEntry) {
        DwarfOp first = ops.get(0);
        int op = first.opcode();
        if (ops.size() == 1) {
            if (op >= DwarfOp.REG0 && op <= DwarfOp.REG31) {
                return register(op - DwarfOp.REG0, width);
            }
            if (op == DwarfOp.REGX) {
                return register(first.operand1(), width);
            }
            if (op >= DwarfOp.BREG0 && op <= DwarfOp.BREG31) {
                return memoryAt(op - DwarfOp.BREG0, first.operand1());
            }
            if (op == DwarfOp.BREGX) {
                return memoryAt(first.operand1(), first.operand2());
            }
            if (op == DwarfOp.FBREG) {
                return frameRelative(first.operand1(), frameBase, pc, atEntry);
            }
        }
        if (ops.get(ops.size() - 1).opcode() == DwarfOp.STACK_VALUE) {
            return stackValue(ops.subList(0, ops.size() - 1), width, atEntry);
        }
        if (ops.size() == 1 && (op == DwarfOp.ENTRY_VALUE || op == DwarfOp.GNU_ENTRY_VALUE)) {
            return entryValue(first, width, atEntry);
        }
        return new ValueLocation.Unavailable(ValueLocation.Reason.COMPUTED, ops.toString());
    }

    private static ValueLocation memoryAt(long dwarfReg, long offset) {
        ValueLocation base = register(dwarfReg, 8);
        return base instanceof ValueLocation.Register ? new ValueLocation.Memory(base, offset) : base;
    }

    /** fbreg: rustc's frame base is DW_OP_reg7 RSP (memory at rsp+off) or DW_OP_call_frame_cfa (rsp+8 at entry). */
    private static ValueLocation frameRelative(long off, LocationDescription frameBase, long pc, boolean atEntry) {
        List<DwarfOp> fb = frameBase == null ? List.of() : frameBase.at(pc).orElse(List.of());
        if (fb.size() == 1 && fb.get(0).opcode() == DwarfOp.REG0 + 7) {
            return new ValueLocation.Memory(new ValueLocation.Register("rsp", 8), off);
        }
        if (fb.size() == 1 && fb.get(0).opcode() == DwarfOp.CALL_FRAME_CFA && atEntry) {
            return new ValueLocation.Memory(new ValueLocation.Register("rsp", 8), off + 8);
        }
        return new ValueLocation.Unavailable(ValueLocation.Reason.COMPUTED, "frame base " + fb);
    }

    private static ValueLocation entryValue(DwarfOp op, long width, boolean atEntry) {
        List<DwarfOp> inner = op.nested();
        if (atEntry && inner != null && inner.size() == 1 && inner.get(0).isRegister()) {
            return register(inner.get(0).register(), width);
        }
        return new ValueLocation.Unavailable(ValueLocation.Reason.COMPUTED,
                "entry value of a register that may have been overwritten since entry");
    }

    /**
     * A computed value: constants fold to a Constant; "breg R 0, (constu M, and)*" is R masked (how rustc
     * describes a bool); entry_value(R) at entry is R. Anything else is not evaluated.
     */
    private static ValueLocation stackValue(List<DwarfOp> ops, long width, boolean atEntry) {
        if (ops.isEmpty()) {
            return new ValueLocation.Unavailable(ValueLocation.Reason.COMPUTED, "DW_OP_stack_value of an empty stack");
        }
        if (ops.size() == 1 && (ops.get(0).opcode() == DwarfOp.ENTRY_VALUE
                || ops.get(0).opcode() == DwarfOp.GNU_ENTRY_VALUE)) {
            return entryValue(ops.get(0), width, atEntry);
        }
        DwarfOp head = ops.get(0);
        if (head.opcode() >= DwarfOp.BREG0 && head.opcode() <= DwarfOp.BREG31 && head.operand1() == 0) {
            boolean masks = true;
            for (int i = 1; i + 1 < ops.size() + 1 && i < ops.size(); i += 2) {
                masks &= i + 1 < ops.size() && isConst(ops.get(i)) && ops.get(i + 1).opcode() == DwarfOp.AND;
            }
            if (masks) {
                return register(head.opcode() - DwarfOp.BREG0, width);
            }
        }
        Deque<Long> stack = new ArrayDeque<>();
        for (DwarfOp o : ops) {
            int c = o.opcode();
            if (c >= DwarfOp.LIT0 && c <= DwarfOp.LIT31) {
                stack.push((long) (c - DwarfOp.LIT0));
            } else if (isConst(o)) {
                stack.push(o.operand1());
            } else if (stack.size() >= 2 && binary(c)) {
                long b = stack.pop();
                long a = stack.pop();
                stack.push(apply(c, a, b));
            } else if (c == DwarfOp.PLUS_UCONST && !stack.isEmpty()) {
                stack.push(stack.pop() + o.operand1());
            } else if (c == DwarfOp.NEG && !stack.isEmpty()) {
                stack.push(-stack.pop());
            } else {
                return new ValueLocation.Unavailable(ValueLocation.Reason.COMPUTED, ops.toString());
            }
        }
        return stack.size() == 1 ? new ValueLocation.Constant(stack.pop(), width)
                : new ValueLocation.Unavailable(ValueLocation.Reason.COMPUTED, ops.toString());
    }

    private static boolean isConst(DwarfOp o) {
        int c = o.opcode();
        return c >= DwarfOp.CONST1U && c <= DwarfOp.CONSTS;
    }

    private static boolean binary(int c) {
        return c == DwarfOp.PLUS || c == DwarfOp.MINUS || c == DwarfOp.MUL || c == DwarfOp.AND || c == DwarfOp.OR
                || c == DwarfOp.XOR || c == DwarfOp.SHL || c == DwarfOp.SHR || c == DwarfOp.SHRA;
    }

    private static long apply(int c, long a, long b) {
        if (c == DwarfOp.PLUS) return a + b;
        if (c == DwarfOp.MINUS) return a - b;
        if (c == DwarfOp.MUL) return a * b;
        if (c == DwarfOp.AND) return a & b;
        if (c == DwarfOp.OR) return a | b;
        if (c == DwarfOp.XOR) return a ^ b;
        if (c == DwarfOp.SHL) return a << b;
        if (c == DwarfOp.SHR) return a >>> b;
        return a >> b;
    }
}
