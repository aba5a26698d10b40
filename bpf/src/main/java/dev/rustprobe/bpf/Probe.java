// One uprobe to attach: where in the binary (a file offset, not a virtual address), the cookie the program
// reads with bpf_get_attach_cookie, and whether it fires on return (uretprobe) instead of entry.
package dev.rustprobe.bpf;

public record Probe(long fileOffset, long cookie, boolean ret) {
    public Probe {
        if (fileOffset < 0) {
            throw new BpfException("a uprobe's file offset cannot be negative (" + fileOffset + ")");
        }
    }

    public static Probe entry(long fileOffset, long cookie) {
        return new Probe(fileOffset, cookie, false);
    }

    public static Probe ret(long fileOffset, long cookie) {
        return new Probe(fileOffset, cookie, true);
    }
}
