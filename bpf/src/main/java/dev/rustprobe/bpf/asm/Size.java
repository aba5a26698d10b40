// Access widths of loads and stores, with their BPF_SIZE encodings (bits 3-4 of the opcode).
package dev.rustprobe.bpf.asm;

public enum Size {
    W(0x00, 4, "u32"),
    H(0x08, 2, "u16"),
    B(0x10, 1, "u8"),
    DW(0x18, 8, "u64");

    final int code;
    private final int bytes;
    final String cType;

    Size(int code, int bytes, String cType) {
        this.code = code;
        this.bytes = bytes;
        this.cType = cType;
    }

    public int bytes() {
        return bytes;
    }

    public static Size ofBytes(int n) {
        return switch (n) {
            case 1 -> B;
            case 2 -> H;
            case 4 -> W;
            case 8 -> DW;
            default -> throw new IllegalArgumentException("no BPF access width of " + n + " bytes");
        };
    }
}
