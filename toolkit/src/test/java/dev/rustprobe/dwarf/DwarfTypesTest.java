// Compares every type the sample-rust crate's units describe (structs with Rust's reordered member offsets,
// enums with variant parts and discriminant values, C-like enums, base types, pointers, arrays, typedefs)
// with llvm-dwarfdump's view of the same DIEs (fixture types.tsv, from regenerate.sh).
package dev.rustprobe.dwarf;

import dev.rustprobe.testing.SampleRust;
import dev.rustprobe.testing.SampleRust.Variant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DwarfTypesTest {

    private static String hex(long v) {
        return "0x" + Long.toHexString(v);
    }

    private static String ref(TypeRef t) {
        return t == null ? "-" : hex(t.offset());
    }

    private static String member(Type.Member m) {
        return (m.name() == null ? "-" : m.name()) + "@" + m.offset() + ":" + ref(m.type());
    }

    private static String encoding(Type.Encoding e) {
        return switch (e) {
            case ADDRESS -> "DW_ATE_address";
            case BOOLEAN -> "DW_ATE_boolean";
            case COMPLEX_FLOAT -> "DW_ATE_complex_float";
            case FLOAT -> "DW_ATE_float";
            case SIGNED -> "DW_ATE_signed";
            case SIGNED_CHAR -> "DW_ATE_signed_char";
            case UNSIGNED -> "DW_ATE_unsigned";
            case UNSIGNED_CHAR -> "DW_ATE_unsigned_char";
            case UTF -> "DW_ATE_UTF";
            case OTHER -> "";
        };
    }

    /** kind, name, size and sorted details, in the fixture's words. */
    static String describe(Type t) {
        List<String> details = new ArrayList<>();
        String kind;
        if (t instanceof Type.Struct s) {
            kind = s.kind() == Type.StructKind.UNION ? "union" : "struct";
            s.members().forEach(m -> details.add("m " + member(m)));
            s.templateParameters().forEach(p -> details.add("t " + p.name() + "=" + ref(p.type())));
        } else if (t instanceof Type.VariantEnum e) {
            kind = "struct";
            details.add("discr " + (e.discriminant() == null ? "-" : member(e.discriminant())));
            e.variants().forEach(v -> details.add("v " + (v.discriminant() == null ? "default"
                    : Long.toUnsignedString(v.discriminant())) + " " + (v.member() == null ? "-" : member(v.member()))));
            e.otherMembers().forEach(m -> details.add("m " + member(m)));
            e.templateParameters().forEach(p -> details.add("t " + p.name() + "=" + ref(p.type())));
        } else if (t instanceof Type.Enumeration e) {
            kind = "enum";
            details.add("u " + ref(e.underlying()));
            e.enumerators().forEach(x -> details.add("e " + x.name() + "=" + Long.toUnsignedString(x.value())));
        } else if (t instanceof Type.Base b) {
            kind = "base";
            details.add(encoding(b.encoding()));
        } else if (t instanceof Type.Pointer p) {
            kind = "pointer";
            details.add(ref(p.pointee()));
        } else if (t instanceof Type.Typedef td) {
            kind = "typedef";
            details.add(ref(td.target()));
        } else if (t instanceof Type.Array a) {
            kind = "array";
            details.add(ref(a.element()));
            a.counts().forEach(n -> details.add("n " + n));
        } else {
            kind = t.getClass().getSimpleName() + " " + t;
        }
        details.sort(null);
        // a typedef's size is its target's, but DWARF puts none on the typedef DIE
        long size = t instanceof Type.Typedef ? -1 : t.byteSize();
        return kind + "\t" + (t.name() == null ? "-" : t.name()) + "\t" + (size < 0 ? "-" : size) + "\t"
                + String.join(" ;; ", details);
    }

    @ParameterizedTest
    @EnumSource(Variant.class)
    void typesMatchLlvmDwarfdump(Variant v) {
        List<String> lines = DwarfFixtures.lines(v, "types.tsv");
        Dwarf d = Dwarf.open(TestSections.of(SampleRust.binary(v)));
        int variantEnums = 0;
        int reordered = 0;
        for (String line : lines) {
            String[] f = line.split("\t", -1);
            List<String> details = new ArrayList<>(Arrays.asList(f[4].isEmpty() ? new String[0] : f[4].split(" ;; ")));
            details.sort(null);
            // a pointer DIE without DW_AT_byte_size has the unit's address size, which the reader fills in
            String size = f[1].equals("pointer") && f[3].equals("-") ? "8" : f[3];
            String expected = f[1] + "\t" + f[2] + "\t" + size + "\t" + String.join(" ;; ", details);
            Type t = d.typeAt(Long.decode(f[0]));
            assertEquals(expected, describe(t), "type at " + f[0]);
            if (t instanceof Type.VariantEnum) {
                variantEnums++;
            }
            if (t instanceof Type.Struct s && s.members().size() > 1
                    && s.members().get(0).offset() > s.members().get(1).offset()) {
                reordered++;
            }
        }
        assertTrue(lines.size() > 1000, "only " + lines.size() + " types");
        assertTrue(variantEnums > 20, variantEnums + " data enums");
        assertTrue(reordered > 0, "no struct with fields reordered by rustc");
    }
}
