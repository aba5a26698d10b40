// Address -> unit lookup, from .debug_aranges when present, else from the units' own ranges.
package dev.rustprobe.dwarf;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

final class Aranges {
    private final Dwarf dwarf;
    private final long[] begins;
    private final long[] ends;
    private final long[] units;

    private Aranges(Dwarf dwarf, long[] begins, long[] ends, long[] units) {
        this.dwarf = dwarf;
        this.begins = begins;
        this.ends = ends;
        this.units = units;
    }

    static Aranges read(Dwarf dwarf) {
        ByteReader s = dwarf.section(".debug_aranges");
        List<long[]> entries = new ArrayList<>();
        long off = 0;
        while (off < s.size()) {
            ByteReader.Block block = s.block(off, "address range set");
            boolean dwarf64 = block.dwarf64();
            long end = block.end();
            ByteReader r = block.body();
            int version = r.u16();
            if (version != 2) {
                throw s.fail(off, "address range set has version " + version + ", expected 2");
            }
            long unit = r.offset(dwarf64);
            int addrSize = r.u8();
            int segSize = r.u8();
            if ((addrSize != 4 && addrSize != 8) || segSize != 0) {
                throw s.fail(off, "address range set has address size " + addrSize + ", segment size " + segSize);
            }
            long tuple = 2L * addrSize;
            long rel = r.pos() - off;
            long pad = (tuple - rel % tuple) % tuple;
            r.skip(pad);
            while (r.remaining() >= tuple) {
                long b = r.unsigned(addrSize);
                long n = r.unsigned(addrSize);
                if (b == 0 && n == 0) {
                    break;
                }
                if (b != 0 && n != 0) { // address 0: discarded by the linker
                    entries.add(new long[]{b, b + n, unit});
                }
            }
            off = end;
        }
        entries.sort(Comparator.comparingLong((long[] e) -> e[0]));
        int n = entries.size();
        long[] b = new long[n];
        long[] e = new long[n];
        long[] u = new long[n];
        for (int i = 0; i < n; i++) {
            b[i] = entries.get(i)[0];
            e[i] = entries.get(i)[1];
            u[i] = entries.get(i)[2];
        }
        return new Aranges(dwarf, b, e, u);
    }

    /** The units that may hold code at pc: from .debug_aranges if it covers pc, else every unit whose ranges do. */
    List<Long> unitsAt(long pc) {
        Set<Long> out = new LinkedHashSet<>();
        int i = Arrays.binarySearch(begins, pc);
        if (i < 0) {
            i = -i - 2;
        }
        // entries sorted by begin; ranges can overlap only slightly, so look back a few
        for (int j = i; j >= 0 && j > i - 64; j--) {
            if (Long.compareUnsigned(pc, begins[j]) >= 0 && Long.compareUnsigned(pc, ends[j]) < 0) {
                out.add(units[j]);
            }
        }
        if (out.isEmpty()) {
            for (CompileUnit cu : dwarf.units()) {
                if (cu.contains(pc)) {
                    out.add(cu.offset());
                }
            }
        }
        return new ArrayList<>(out);
    }
}
