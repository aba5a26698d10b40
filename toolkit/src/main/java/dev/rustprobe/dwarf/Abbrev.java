// One abbreviation declaration from .debug_abbrev, and the table of them a unit refers to.
package dev.rustprobe.dwarf;

import java.util.HashMap;
import java.util.Map;

final class Abbrev {
    final int code;
    final int tag;
    final boolean hasChildren;
    final int[] names;
    final int[] forms;
    /** The value of each DW_FORM_implicit_const attribute (0 for other forms). */
    final long[] implicitConsts;

    private Abbrev(int code, int tag, boolean hasChildren, int[] names, int[] forms, long[] implicitConsts) {
        this.code = code;
        this.tag = tag;
        this.hasChildren = hasChildren;
        this.names = names;
        this.forms = forms;
        this.implicitConsts = implicitConsts;
    }

    int indexOf(int name) {
        for (int i = 0; i < names.length; i++) {
            if (names[i] == name) {
                return i;
            }
        }
        return -1;
    }

    /** The abbreviations of one table, by code. */
    static final class Table {
        /** Dense codes (rustc numbers them 1, 2, 3, ...) go in the array, the rest in the map. */
        private final Abbrev[] dense;
        private final Map<Integer, Abbrev> sparse;

        private Table(Abbrev[] dense, Map<Integer, Abbrev> sparse) {
            this.dense = dense;
            this.sparse = sparse;
        }

        Abbrev get(int code) {
            if (code > 0 && code < dense.length) {
                return dense[code];
            }
            return sparse.get(code);
        }

        /** Parses the table at offset; it ends at the code 0 (or fails at the end of the section). */
        static Table parse(ByteReader section, long offset) {
            ByteReader r = section.at(offset);
            Map<Integer, Abbrev> all = new HashMap<>();
            int maxCode = 0;
            int[] names = new int[16];
            int[] forms = new int[16];
            long[] consts = new long[16];
            while (true) {
                int at = r.pos();
                int code = r.ulebInt("abbreviation code");
                if (code == 0) {
                    break;
                }
                int tag = r.ulebInt("tag");
                int children = r.u8();
                if (children > 1) {
                    throw r.fail(at, "abbreviation " + code + " has a children flag of " + children);
                }
                int n = 0;
                while (true) {
                    int name = r.ulebInt("attribute name");
                    int form = r.ulebInt("attribute form");
                    long c = form == Dw.FORM_implicit_const ? r.sleb() : 0;
                    if (name == 0 && form == 0) {
                        break;
                    }
                    if (n == names.length) {
                        names = java.util.Arrays.copyOf(names, n * 2);
                        forms = java.util.Arrays.copyOf(forms, n * 2);
                        consts = java.util.Arrays.copyOf(consts, n * 2);
                    }
                    names[n] = name;
                    forms[n] = form;
                    consts[n] = c;
                    n++;
                }
                if (all.containsKey(code)) {
                    throw r.fail(at, "abbreviation code " + code + " is declared twice in the table at 0x"
                            + Long.toHexString(offset));
                }
                all.put(code, new Abbrev(code, tag, children == 1, java.util.Arrays.copyOf(names, n),
                        java.util.Arrays.copyOf(forms, n), java.util.Arrays.copyOf(consts, n)));
                maxCode = Math.max(maxCode, code);
            }
            if (maxCode < 4 * all.size() + 16) {
                Abbrev[] dense = new Abbrev[maxCode + 1];
                all.forEach((k, v) -> dense[k] = v);
                return new Table(dense, Map.of());
            }
            return new Table(new Abbrev[0], all);
        }
    }
}
