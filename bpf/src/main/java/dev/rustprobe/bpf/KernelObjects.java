// Lists the programs, maps and links loaded in the whole kernel (BPF_*_GET_NEXT_ID, then GET_FD_BY_ID and
// OBJ_GET_INFO_BY_FD), so tests and the user can check that nothing of ours was left behind.
package dev.rustprobe.bpf;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

public final class KernelObjects {
    private KernelObjects() {
    }

    static final int PROG_INFO_SIZE = 256;
    static final int MAP_INFO_SIZE = 128;
    static final int LINK_INFO_SIZE = 128;

    public record ProgInfo(int id, int type, String name) {
    }

    public record MapInfo(int id, int type, String name) {
    }

    public record LinkInfo(int id, int type, int progId) {
    }

    /** Every loaded program: bpf_prog_info type @0, id @4, name[16] @64. */
    public static List<ProgInfo> programs() {
        List<ProgInfo> out = new ArrayList<>();
        for (int id : ids(Bpf.PROG_GET_NEXT_ID)) {
            Attr info = infoById(Bpf.PROG_GET_FD_BY_ID, id, PROG_INFO_SIZE);
            if (info != null) {
                out.add(new ProgInfo(info.u32(4), info.u32(0), name(info, 64)));
            }
        }
        return out;
    }

    /** Every map: bpf_map_info type @0, id @4, name[16] @24. */
    public static List<MapInfo> maps() {
        List<MapInfo> out = new ArrayList<>();
        for (int id : ids(Bpf.MAP_GET_NEXT_ID)) {
            Attr info = infoById(Bpf.MAP_GET_FD_BY_ID, id, MAP_INFO_SIZE);
            if (info != null) {
                out.add(new MapInfo(info.u32(4), info.u32(0), name(info, 24)));
            }
        }
        return out;
    }

    /** Every link: bpf_link_info type @0, id @4, prog_id @8. */
    public static List<LinkInfo> links() {
        List<LinkInfo> out = new ArrayList<>();
        for (int id : ids(Bpf.LINK_GET_NEXT_ID)) {
            Attr info = infoById(Bpf.LINK_GET_FD_BY_ID, id, LINK_INFO_SIZE);
            if (info != null) {
                out.add(new LinkInfo(info.u32(4), info.u32(0), info.u32(8)));
            }
        }
        return out;
    }

    /** GET_NEXT_ID attr: start_id @0, next_id @4. ENOENT ends the walk. */
    private static List<Integer> ids(int cmd) {
        List<Integer> ids = new ArrayList<>();
        int start = 0;
        while (true) {
            Attr a = Attr.bpf().u32(0, start);
            long r = Bpf.callRaw(cmd, a);
            if (r == -Errno.ENOENT) {
                return ids;
            }
            if (r < 0) {
                throw BpfException.ofErrno("Listing the kernel's BPF objects", (int) -r);
            }
            start = a.u32(4);
            ids.add(start);
        }
    }

    /** GET_FD_BY_ID attr: id @0, next_id @4, open_flags @8. An object freed meanwhile gives ENOENT: skip it. */
    private static Attr infoById(int cmd, int id, int infoSize) {
        long r = Bpf.callRaw(cmd, Attr.bpf().u32(0, id));
        if (r == -Errno.ENOENT) {
            return null;
        }
        if (r < 0) {
            throw BpfException.ofErrno("Opening BPF object " + id, (int) -r);
        }
        int fd = (int) r;
        try {
            return Bpf.objInfo(fd, infoSize);
        } finally {
            Libc.close(fd);
        }
    }

    private static String name(Attr info, int offset) {
        byte[] b = info.mem.getByteArray(offset, 16);
        int n = 0;
        while (n < 16 && b[n] != 0) {
            n++;
        }
        return new String(b, 0, n, StandardCharsets.US_ASCII);
    }
}
