// One decoded DWARF expression operation (DW_OP_*), kept as data: the ABI layer evaluates, this layer only reads.
package dev.rustprobe.dwarf;

import java.util.List;

/**
 * An operation and its operands. {@code operand1}/{@code operand2} hold the numeric operands in the order the
 * standard lists them (for DW_OP_addrx/constx the resolved address is operand2, the index operand1); {@code block}
 * holds DW_OP_implicit_value/const_type bytes; {@code nested} the sub-expression of DW_OP_entry_value.
 */
public record DwarfOp(int opcode, long operand1, long operand2, byte[] block, List<DwarfOp> nested) {
    public static final int ADDR = 0x03, DEREF = 0x06, CONST1U = 0x08, CONST1S = 0x09, CONST2U = 0x0a,
            CONST2S = 0x0b, CONST4U = 0x0c, CONST4S = 0x0d, CONST8U = 0x0e, CONST8S = 0x0f, CONSTU = 0x10,
            CONSTS = 0x11, DUP = 0x12, DROP = 0x13, OVER = 0x14, PICK = 0x15, SWAP = 0x16, ROT = 0x17,
            XDEREF = 0x18, ABS = 0x19, AND = 0x1a, DIV = 0x1b, MINUS = 0x1c, MOD = 0x1d, MUL = 0x1e, NEG = 0x1f,
            NOT = 0x20, OR = 0x21, PLUS = 0x22, PLUS_UCONST = 0x23, SHL = 0x24, SHR = 0x25, SHRA = 0x26,
            XOR = 0x27, BRA = 0x28, EQ = 0x29, GE = 0x2a, GT = 0x2b, LE = 0x2c, LT = 0x2d, NE = 0x2e, SKIP = 0x2f,
            LIT0 = 0x30, LIT31 = 0x4f, REG0 = 0x50, REG31 = 0x6f, BREG0 = 0x70, BREG31 = 0x8f, REGX = 0x90,
            FBREG = 0x91, BREGX = 0x92, PIECE = 0x93, DEREF_SIZE = 0x94, XDEREF_SIZE = 0x95, NOP = 0x96,
            PUSH_OBJECT_ADDRESS = 0x97, CALL2 = 0x98, CALL4 = 0x99, CALL_REF = 0x9a, FORM_TLS_ADDRESS = 0x9b,
            CALL_FRAME_CFA = 0x9c, BIT_PIECE = 0x9d, IMPLICIT_VALUE = 0x9e, STACK_VALUE = 0x9f,
            IMPLICIT_POINTER = 0xa0, ADDRX = 0xa1, CONSTX = 0xa2, ENTRY_VALUE = 0xa3, CONST_TYPE = 0xa4,
            REGVAL_TYPE = 0xa5, DEREF_TYPE = 0xa6, XDEREF_TYPE = 0xa7, CONVERT = 0xa8, REINTERPRET = 0xa9,
            GNU_PUSH_TLS_ADDRESS = 0xe0, GNU_UNINIT = 0xf0, GNU_IMPLICIT_POINTER = 0xf2, GNU_ENTRY_VALUE = 0xf3,
            GNU_CONST_TYPE = 0xf4, GNU_REGVAL_TYPE = 0xf5, GNU_DEREF_TYPE = 0xf6, GNU_CONVERT = 0xf7,
            GNU_REINTERPRET = 0xf9, GNU_PARAMETER_REF = 0xfa, GNU_ADDR_INDEX = 0xfb, GNU_CONST_INDEX = 0xfc;

    private static final String[] X86_64_REGS = {"RAX", "RDX", "RCX", "RBX", "RSI", "RDI", "RBP", "RSP", "R8", "R9",
            "R10", "R11", "R12", "R13", "R14", "R15", "RIP", "XMM0", "XMM1", "XMM2", "XMM3", "XMM4", "XMM5", "XMM6",
            "XMM7", "XMM8", "XMM9", "XMM10", "XMM11", "XMM12", "XMM13", "XMM14", "XMM15"};

    public DwarfOp {
        nested = nested == null ? List.of() : List.copyOf(nested);
    }

    /** The x86_64 name of a DWARF register number (0 RAX, 5 RDI, 17 XMM0, ...), or "reg N". */
    public static String registerName(long dwarfRegister) {
        return dwarfRegister >= 0 && dwarfRegister < X86_64_REGS.length ? X86_64_REGS[(int) dwarfRegister]
                : "reg" + dwarfRegister;
    }

    public boolean isRegister() {
        return (opcode >= REG0 && opcode <= REG31) || opcode == REGX;
    }

    /** The register of DW_OP_reg*, DW_OP_breg* and their x forms; -1 for other operations. */
    public long register() {
        if (opcode >= REG0 && opcode <= REG31) {
            return opcode - REG0;
        }
        if (opcode >= BREG0 && opcode <= BREG31) {
            return opcode - BREG0;
        }
        if (opcode == REGX || opcode == BREGX) {
            return operand1;
        }
        return -1;
    }

    public String name() {
        if (opcode >= LIT0 && opcode <= LIT31) {
            return "DW_OP_lit" + (opcode - LIT0);
        }
        if (opcode >= REG0 && opcode <= REG31) {
            return "DW_OP_reg" + (opcode - REG0);
        }
        if (opcode >= BREG0 && opcode <= BREG31) {
            return "DW_OP_breg" + (opcode - BREG0);
        }
        return switch (opcode) {
            case ADDR -> "DW_OP_addr";
            case DEREF -> "DW_OP_deref";
            case CONST1U -> "DW_OP_const1u";
            case CONST1S -> "DW_OP_const1s";
            case CONST2U -> "DW_OP_const2u";
            case CONST2S -> "DW_OP_const2s";
            case CONST4U -> "DW_OP_const4u";
            case CONST4S -> "DW_OP_const4s";
            case CONST8U -> "DW_OP_const8u";
            case CONST8S -> "DW_OP_const8s";
            case CONSTU -> "DW_OP_constu";
            case CONSTS -> "DW_OP_consts";
            case DUP -> "DW_OP_dup";
            case DROP -> "DW_OP_drop";
            case OVER -> "DW_OP_over";
            case PICK -> "DW_OP_pick";
            case SWAP -> "DW_OP_swap";
            case ROT -> "DW_OP_rot";
            case XDEREF -> "DW_OP_xderef";
            case ABS -> "DW_OP_abs";
            case AND -> "DW_OP_and";
            case DIV -> "DW_OP_div";
            case MINUS -> "DW_OP_minus";
            case MOD -> "DW_OP_mod";
            case MUL -> "DW_OP_mul";
            case NEG -> "DW_OP_neg";
            case NOT -> "DW_OP_not";
            case OR -> "DW_OP_or";
            case PLUS -> "DW_OP_plus";
            case PLUS_UCONST -> "DW_OP_plus_uconst";
            case SHL -> "DW_OP_shl";
            case SHR -> "DW_OP_shr";
            case SHRA -> "DW_OP_shra";
            case XOR -> "DW_OP_xor";
            case BRA -> "DW_OP_bra";
            case EQ -> "DW_OP_eq";
            case GE -> "DW_OP_ge";
            case GT -> "DW_OP_gt";
            case LE -> "DW_OP_le";
            case LT -> "DW_OP_lt";
            case NE -> "DW_OP_ne";
            case SKIP -> "DW_OP_skip";
            case REGX -> "DW_OP_regx";
            case FBREG -> "DW_OP_fbreg";
            case BREGX -> "DW_OP_bregx";
            case PIECE -> "DW_OP_piece";
            case DEREF_SIZE -> "DW_OP_deref_size";
            case XDEREF_SIZE -> "DW_OP_xderef_size";
            case NOP -> "DW_OP_nop";
            case PUSH_OBJECT_ADDRESS -> "DW_OP_push_object_address";
            case CALL2 -> "DW_OP_call2";
            case CALL4 -> "DW_OP_call4";
            case CALL_REF -> "DW_OP_call_ref";
            case FORM_TLS_ADDRESS -> "DW_OP_form_tls_address";
            case CALL_FRAME_CFA -> "DW_OP_call_frame_cfa";
            case BIT_PIECE -> "DW_OP_bit_piece";
            case IMPLICIT_VALUE -> "DW_OP_implicit_value";
            case STACK_VALUE -> "DW_OP_stack_value";
            case IMPLICIT_POINTER -> "DW_OP_implicit_pointer";
            case ADDRX -> "DW_OP_addrx";
            case CONSTX -> "DW_OP_constx";
            case ENTRY_VALUE -> "DW_OP_entry_value";
            case CONST_TYPE -> "DW_OP_const_type";
            case REGVAL_TYPE -> "DW_OP_regval_type";
            case DEREF_TYPE -> "DW_OP_deref_type";
            case XDEREF_TYPE -> "DW_OP_xderef_type";
            case CONVERT -> "DW_OP_convert";
            case REINTERPRET -> "DW_OP_reinterpret";
            case GNU_PUSH_TLS_ADDRESS -> "DW_OP_GNU_push_tls_address";
            case GNU_UNINIT -> "DW_OP_GNU_uninit";
            case GNU_IMPLICIT_POINTER -> "DW_OP_GNU_implicit_pointer";
            case GNU_ENTRY_VALUE -> "DW_OP_GNU_entry_value";
            case GNU_CONST_TYPE -> "DW_OP_GNU_const_type";
            case GNU_REGVAL_TYPE -> "DW_OP_GNU_regval_type";
            case GNU_DEREF_TYPE -> "DW_OP_GNU_deref_type";
            case GNU_CONVERT -> "DW_OP_GNU_convert";
            case GNU_REINTERPRET -> "DW_OP_GNU_reinterpret";
            case GNU_PARAMETER_REF -> "DW_OP_GNU_parameter_ref";
            case GNU_ADDR_INDEX -> "DW_OP_GNU_addr_index";
            case GNU_CONST_INDEX -> "DW_OP_GNU_const_index";
            default -> "DW_OP_0x" + Integer.toHexString(opcode);
        };
    }

    /** Text in llvm-dwarfdump's style: "DW_OP_breg5 RDI+0", "DW_OP_piece 0x8", "DW_OP_entry_value(DW_OP_reg5 RDI)". */
    @Override
    public String toString() {
        String n = name();
        if (opcode >= REG0 && opcode <= REG31) {
            return n + " " + registerName(opcode - REG0);
        }
        if (opcode >= BREG0 && opcode <= BREG31) {
            return n + " " + registerName(opcode - BREG0) + signed(operand1);
        }
        return switch (opcode) {
            case REGX -> n + " " + registerName(operand1);
            case BREGX -> n + " " + registerName(operand1) + signed(operand2);
            case FBREG, CONSTS, CONST1S, CONST2S, CONST4S, CONST8S, SKIP, BRA -> n + " " + (operand1 < 0 ? "" : "+")
                    + operand1;
            case ADDR, CONST1U, CONST2U, CONST4U, CONST8U, CONSTU, PLUS_UCONST, PIECE, DEREF_SIZE, XDEREF_SIZE,
                 PICK, CALL2, CALL4, CALL_REF, CONVERT, REINTERPRET, GNU_CONVERT, GNU_REINTERPRET,
                 GNU_PARAMETER_REF -> n + " 0x" + Long.toHexString(operand1);
            case ADDRX, CONSTX, GNU_ADDR_INDEX, GNU_CONST_INDEX -> n + " 0x" + Long.toHexString(operand1)
                    + " (0x" + Long.toHexString(operand2) + ")";
            case BIT_PIECE, IMPLICIT_POINTER, GNU_IMPLICIT_POINTER, REGVAL_TYPE, GNU_REGVAL_TYPE, DEREF_TYPE,
                 GNU_DEREF_TYPE, XDEREF_TYPE -> n + " 0x" + Long.toHexString(operand1) + " " + operand2;
            case ENTRY_VALUE, GNU_ENTRY_VALUE -> n + "(" + String.join(", ", nested.stream()
                    .map(DwarfOp::toString).toList()) + ")";
            case IMPLICIT_VALUE, CONST_TYPE, GNU_CONST_TYPE -> n + " " + (block == null ? 0 : block.length)
                    + " bytes";
            default -> n;
        };
    }

    private static String signed(long v) {
        return v < 0 ? String.valueOf(v) : "+" + v;
    }
}
