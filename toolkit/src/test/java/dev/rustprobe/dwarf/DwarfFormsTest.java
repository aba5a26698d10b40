// Forms rustc rarely or never emits (strx1-4, addrx1-4, data16, implicit_const, indirect, ref_udata, ref_sig8,
// flag, line_strp), location lists of every DW_LLE kind and location selection by PC, on hand-assembled DWARF 5
// whose expected values come from how the bytes were written (DWARF 5 standard, sections 7.5.5, 7.7.3, 7.29).
package dev.rustprobe.dwarf;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DwarfFormsTest {

    /** A little-endian byte builder. */
    static final class Bytes {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Bytes u8(int... v) {
            for (int x : v) {
                out.write(x);
            }
            return this;
        }

        Bytes u16(int v) {
            return u8(v & 0xff, (v >> 8) & 0xff);
        }

        Bytes u24(int v) {
            return u8(v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff);
        }

        Bytes u32(long v) {
            return u16((int) (v & 0xffff)).u16((int) ((v >> 16) & 0xffff));
        }

        Bytes u64(long v) {
            return u32(v & 0xffffffffL).u32(v >>> 32);
        }

        Bytes uleb(long v) {
            do {
                int b = (int) (v & 0x7f);
                v >>>= 7;
                out.write(v != 0 ? b | 0x80 : b);
            } while (v != 0);
            return this;
        }

        Bytes sleb(long v) {
            while (true) {
                int b = (int) (v & 0x7f);
                v >>= 7;
                boolean done = (v == 0 && (b & 0x40) == 0) || (v == -1 && (b & 0x40) != 0);
                out.write(done ? b : b | 0x80);
                if (done) {
                    return this;
                }
            }
        }

        Bytes raw(byte[] b) {
            out.writeBytes(b);
            return this;
        }

        Bytes cstr(String s) {
            out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
            return u8(0);
        }

        int size() {
            return out.size();
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }

    private static final long LOW = 0x401000;

    /** One DWARF 5 unit: a root, a function with a parameter and a variable, a second and third function. */
    private static Map<String, byte[]> sections() {
        Bytes str = new Bytes().u8(0);
        int producer = str.size();
        str.cstr("handmade");
        int unitName = str.size();
        str.cstr("unit.rs");
        int u64 = str.size();
        str.cstr("u64");
        int lk1 = str.size();
        str.cstr("_ZN4unit1f17h0000000000000001E");
        int p1 = str.size();
        str.cstr("p1");
        int v1 = str.size();
        str.cstr("v1");
        int f2 = str.size();
        str.cstr("f2");
        int f3 = str.size();
        str.cstr("f3");
        // string offsets: 8-byte header, then offsets indexed 0.. ; index 300 needs strx2, 70000 strx3
        Bytes strOffsets = new Bytes().u32(4 + 4L * 70002).u16(5).u16(0);
        for (int i = 0; i < 70002; i++) {
            int v = switch (i) {
                case 0 -> producer;
                case 1 -> f2;
                case 2 -> f3;
                case 3 -> p1;
                case 4 -> v1;
                case 300 -> unitName;
                case 70000 -> lk1;
                default -> 0;
            };
            strOffsets.u32(v);
        }
        Bytes lineStr = new Bytes().cstr("/comp");
        // addresses: 8-byte header, then [0]=LOW, [1]=LOW+0x10, [2]=LOW+0x40, [3]=LOW+0x50, [4]=LOW+0x60
        Bytes addr = new Bytes().u32(4 + 8 * 5).u16(5).u8(8, 0);
        for (long a : new long[]{LOW, LOW + 0x10, LOW + 0x40, LOW + 0x50, LOW + 0x60}) {
            addr.u64(a);
        }
        Bytes abbrev = new Bytes()
                .uleb(1).uleb(0x11).u8(1)
                .uleb(0x25).uleb(0x25) // producer strx1
                .uleb(0x03).uleb(0x26) // name strx2
                .uleb(0x1b).uleb(0x1f) // comp_dir line_strp
                .uleb(0x72).uleb(0x17) // str_offsets_base
                .uleb(0x73).uleb(0x17) // addr_base
                .uleb(0x8c).uleb(0x17) // loclists_base
                .uleb(0x11).uleb(0x29) // low_pc addrx1
                .uleb(0x12).uleb(0x06) // high_pc data4
                .uleb(0x13).uleb(0x21).sleb(0x1c) // language implicit_const
                .uleb(0).uleb(0)
                .uleb(2).uleb(0x2e).u8(1)
                .uleb(0x11).uleb(0x1b) // low_pc addrx
                .uleb(0x12).uleb(0x07) // high_pc data8
                .uleb(0x03).uleb(0x08) // name string
                .uleb(0x6e).uleb(0x27) // linkage_name strx3
                .uleb(0x3f).uleb(0x19) // external flag_present
                .uleb(0x40).uleb(0x18) // frame_base exprloc
                .uleb(0x3b).uleb(0x16) // decl_line indirect
                .uleb(0).uleb(0)
                .uleb(3).uleb(0x05).u8(0)
                .uleb(0x03).uleb(0x28) // name strx4
                .uleb(0x1c).uleb(0x1e) // const_value data16
                .uleb(0x49).uleb(0x15) // type ref_udata
                .uleb(0).uleb(0)
                .uleb(4).uleb(0x34).u8(0)
                .uleb(0x03).uleb(0x1a) // name strx
                .uleb(0x02).uleb(0x22) // location loclistx
                .uleb(0x49).uleb(0x20) // type ref_sig8 (a type unit we do not have)
                .uleb(0).uleb(0)
                .uleb(5).uleb(0x24).u8(0)
                .uleb(0x03).uleb(0x0e) // name strp
                .uleb(0x0b).uleb(0x0b) // byte_size data1
                .uleb(0x3e).uleb(0x0b) // encoding data1
                .uleb(0).uleb(0)
                .uleb(6).uleb(0x2e).u8(0)
                .uleb(0x11).uleb(0x2a) // low_pc addrx2
                .uleb(0x12).uleb(0x2c) // high_pc addrx4 (an address form)
                .uleb(0x03).uleb(0x25) // name strx1
                .uleb(0x3f).uleb(0x0c) // external flag
                .uleb(0).uleb(0)
                .uleb(7).uleb(0x2e).u8(0)
                .uleb(0x11).uleb(0x2b) // low_pc addrx3
                .uleb(0x12).uleb(0x05) // high_pc data2
                .uleb(0x03).uleb(0x25) // name strx1
                .uleb(0).uleb(0)
                .uleb(0);
        // location lists: 12-byte header with one offset entry, then the list
        Bytes lists = new Bytes();
        lists.u8(0x01).uleb(0);                                  // base_addressx [0] = LOW
        lists.u8(0x04).uleb(0x00).uleb(0x08).uleb(1).u8(0x55);   // offset_pair [LOW, LOW+8): reg5
        lists.u8(0x02).uleb(1).uleb(2).uleb(1).u8(0x54);         // startx_endx [LOW+0x10, LOW+0x40): reg4
        lists.u8(0x03).uleb(2).uleb(4).uleb(2).u8(0x91).sleb(8); // startx_length [LOW+0x40, +4): fbreg +8
        lists.u8(0x06).u64(0x500000);                            // base_address 0x500000
        lists.u8(0x04).uleb(0x10).uleb(0x20).uleb(1).u8(0x50);   // offset_pair [0x500010, 0x500020): reg0
        lists.u8(0x07).u64(0x600000).u64(0x600010).uleb(3)       // start_end: entry_value(reg5), stack_value
                .u8(0xa3).uleb(1).u8(0x55);
        lists.u8(0x08).u64(0x700000).uleb(0x30).uleb(2).u8(0x31, 0x9f); // start_length: lit1 stack_value
        lists.u8(0x05).uleb(1).u8(0x53);                         // default_location: reg3
        lists.u8(0x00);
        Bytes loclists = new Bytes().u32(12 + lists.size()).u16(5).u8(8, 0).u32(1).u32(4).raw(lists.bytes());
        Bytes body = new Bytes();
        // root: producer strx1 [0], name strx2 [300], comp_dir line_strp, three bases, low_pc addrx1 [0], size 0x100
        body.uleb(1).u8(0).u16(300).u32(0).u32(8).u32(8).u32(12).u8(0).u32(0x100);
        int baseType = 12 + body.size(); // the header is 12 bytes; references are unit-relative and the unit is at 0
        body.uleb(5).u32(u64).u8(8).u8(0x07);
        // f: low_pc addrx [0], size 0x30, name "f", linkage strx3 [70000], frame_base reg7, decl_line indirect udata 42
        body.uleb(2).uleb(0).u64(0x30).cstr("f").u24(70000).uleb(1).u8(0x57).uleb(0x0f).uleb(42);
        byte[] data16 = new byte[16];
        for (int i = 0; i < 16; i++) {
            data16[i] = (byte) (i + 1);
        }
        body.uleb(3).u32(3).raw(data16).uleb(baseType);   // p1: strx4 [3], data16, ref_udata
        body.uleb(4).uleb(4).uleb(0).u64(0x1234);           // v1: strx [4], loclistx [0], ref_sig8
        body.uleb(0);                                       // end of f's children
        body.uleb(6).u16(1).u32(3).u8(1).u8(1);             // f2: addrx2 [1], high_pc addrx4 [3], strx1 [1], flag
        body.uleb(7).u24(4).u16(0x10).u8(2);                // f3: addrx3 [4], size 0x10, strx1 [2]
        body.uleb(0);                                       // end of the root's children
        Bytes info = new Bytes().u32(8 + body.size()).u16(5).u8(0x01, 8).u32(0).raw(body.bytes());
        Map<String, byte[]> m = new HashMap<>();
        m.put(".debug_str", str.bytes());
        m.put(".debug_str_offsets", strOffsets.bytes());
        m.put(".debug_line_str", lineStr.bytes());
        m.put(".debug_addr", addr.bytes());
        m.put(".debug_abbrev", abbrev.bytes());
        m.put(".debug_loclists", loclists.bytes());
        byte[] infoBytes = info.bytes();
        m.put(".debug_info", infoBytes);
        return m;
    }

    @Test
    void everyFormDecodes() {
        Dwarf d = Dwarf.open(new TestSections(sections()));
        CompileUnit cu = d.units().get(0);
        assertEquals(5, cu.version());
        assertEquals("unit.rs", cu.name());
        assertEquals("/comp", cu.compDir());
        assertEquals("handmade", cu.producer());
        assertEquals(CompileUnit.LANG_RUST, cu.language());
        assertEquals(List.of(new PcRange(LOW, LOW + 0x100)), cu.ranges());

        List<Subprogram> subs = d.subprograms(cu);
        assertEquals(3, subs.size());
        Subprogram f = subs.get(0);
        assertEquals("f", f.name());
        assertEquals("_ZN4unit1f17h0000000000000001E", f.linkageName());
        assertEquals(List.of(new PcRange(LOW, LOW + 0x30)), f.ranges());
        assertTrue(f.external());
        assertEquals(42, f.declLine());
        assertEquals("DW_OP_reg7 RSP", f.frameBase().toString());

        Variable p = f.parameters().get(0);
        assertEquals("p1", p.name());
        assertArrayEquals(new byte[]{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}, p.constValue().bytes());
        Type.Base u64 = assertInstanceOf(Type.Base.class, p.type());
        assertEquals("u64", u64.name());
        assertEquals(8, u64.byteSize());
        assertEquals(Type.Encoding.UNSIGNED, u64.encoding());

        Variable v = f.variables().get(0);
        assertEquals("v1", v.name());
        Type.Unknown sig = assertInstanceOf(Type.Unknown.class, v.type(), "a type-unit signature is not followed");
        assertTrue(sig.reason().contains("0x1234"), sig.reason());
        LocationDescription.LocationList list = assertInstanceOf(LocationDescription.LocationList.class, v.location());
        assertEquals(List.of(
                "[0x401000, 0x401008): DW_OP_reg5 RDI",
                "[0x401010, 0x401040): DW_OP_reg4 RSI",
                "[0x401040, 0x401044): DW_OP_fbreg +8",
                "[0x500010, 0x500020): DW_OP_reg0 RAX",
                "[0x600000, 0x600010): DW_OP_entry_value(DW_OP_reg5 RDI)",
                "[0x700000, 0x700030): DW_OP_lit1, DW_OP_stack_value",
                "default: DW_OP_reg3 RBX"), list.entries().stream().map(Object::toString).toList());
        assertEquals("DW_OP_reg5 RDI", v.location().at(LOW + 7).orElseThrow().get(0).toString());
        assertEquals("DW_OP_reg4 RSI", v.location().at(LOW + 0x10).orElseThrow().get(0).toString());
        assertEquals("DW_OP_reg3 RBX", v.location().at(LOW + 8).orElseThrow().get(0).toString(),
                "between entries the default location applies");
        assertEquals(5, v.location().at(0x600004).orElseThrow().get(0).nested().get(0).register());

        Subprogram f2 = subs.get(1);
        assertEquals("f2", f2.name());
        assertEquals(List.of(new PcRange(LOW + 0x10, LOW + 0x50)), f2.ranges());
        assertTrue(f2.external());
        Subprogram f3 = subs.get(2);
        assertEquals("f3", f3.name());
        assertEquals(List.of(new PcRange(LOW + 0x60, LOW + 0x70)), f3.ranges());
        assertFalse(f3.external());

        assertEquals("f3", d.subprogramAt(LOW + 0x65).orElseThrow().name());
        assertEquals("f2", d.subprogramAt(LOW + 0x35).orElseThrow().name());
        assertEquals("f", d.subprogramAt(LOW + 0x20).orElseThrow().name(), "the innermost (smallest) covering function");
        assertEquals("f", d.subprogramByLinkageName("_ZN4unit1f17h0000000000000001E").orElseThrow().name());
        assertTrue(d.subprogramAt(LOW + 0x200).isEmpty());
    }

    @Test
    void sixtyFourBitDwarfUnitsOfVersion4And5Read() {
        Bytes str = new Bytes().u8(0).cstr("wide.rs");
        Bytes abbrev = new Bytes().uleb(1).uleb(0x11).u8(0)
                .uleb(0x03).uleb(0x0e)  // name strp: 8 bytes in 64-bit DWARF
                .uleb(0x11).uleb(0x01)  // low_pc addr
                .uleb(0x12).uleb(0x07)  // high_pc data8
                .uleb(0).uleb(0).uleb(0);
        Bytes info = new Bytes()
                .u32(0xffffffffL).u64(36).u16(4).u64(0).u8(8)
                .uleb(1).u64(1).u64(0x2000).u64(0x20)
                .u32(0xffffffffL).u64(37).u16(5).u8(0x01, 8).u64(0)
                .uleb(1).u64(1).u64(0x3000).u64(0x10);
        Map<String, byte[]> m = new HashMap<>();
        m.put(".debug_str", str.bytes());
        m.put(".debug_abbrev", abbrev.bytes());
        m.put(".debug_info", info.bytes());
        List<CompileUnit> units = Dwarf.open(new TestSections(m)).units();
        assertEquals(2, units.size());
        for (CompileUnit u : units) {
            assertTrue(u.dwarf64());
            assertEquals("wide.rs", u.name());
        }
        assertEquals(4, units.get(0).version());
        assertEquals(List.of(new PcRange(0x2000, 0x2020)), units.get(0).ranges());
        assertEquals(5, units.get(1).version());
        assertEquals(0x30, units.get(1).offset());
        assertEquals(List.of(new PcRange(0x3000, 0x3010)), units.get(1).ranges());
    }
}
