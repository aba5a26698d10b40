// ReadOnlyImage: its ranges against readelf's program headers, its bytes against the file read independently, and
// records that take their READ_FROM_FILE reads from it (ProbeRecord.takeFileReads): the file's bytes at the read's
// link-time address, a read the file cannot serve as failed, the probe's own reads untouched. And which reads may be
// file-backed at all.
package dev.rustprobe.probe;

import dev.rustprobe.elf.ElfFile;
import dev.rustprobe.elf.Segment;
import dev.rustprobe.testing.SampleRust;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReadOnlyImageTest {
    private static final long BIAS = 0x5555_0000_0000L;

    @Test
    void rangesAreTheReadOnlyLoadSegmentsReadelfLists() throws Exception {
        for (SampleRust.Variant v : SampleRust.Variant.values()) {
            Path bin = SampleRust.binary(v);
            List<ReadOnlyImage.Range> expected = new ArrayList<>();
            Pattern load = Pattern.compile("^\\s*LOAD\\s+0x(\\p{XDigit}+)\\s+0x(\\p{XDigit}+)\\s+0x\\p{XDigit}+"
                    + "\\s+0x(\\p{XDigit}+)\\s+0x\\p{XDigit}+\\s+([RWE ]+?)\\s+0x");
            for (String line : run("readelf", "-lW", bin.toString()).lines().toList()) {
                Matcher m = load.matcher(line);
                if (m.find() && !m.group(4).contains("W")) {
                    long off = Long.parseLong(m.group(1), 16);
                    long vaddr = Long.parseLong(m.group(2), 16);
                    long size = Long.parseLong(m.group(3), 16);
                    ReadOnlyImage.Range last = expected.isEmpty() ? null : expected.get(expected.size() - 1);
                    if (last != null && last.vaddr() + last.size() == vaddr && last.fileOffset() + last.size() == off) {
                        expected.set(expected.size() - 1, new ReadOnlyImage.Range(last.vaddr(), last.size() + size,
                                last.fileOffset()));
                    } else {
                        expected.add(new ReadOnlyImage.Range(vaddr, size, off));
                    }
                }
            }
            assertFalse(expected.isEmpty(), "readelf lists read-only segments of " + bin);
            assertEquals(expected, ReadOnlyImage.of(ElfFile.open(bin)).ranges(), v.toString());
        }
    }

    @Test
    void copiesTheFilesBytesAtALinkTimeAddressAndNothingOutsideTheRanges() throws Exception {
        Path bin = SampleRust.binary(SampleRust.Variant.RELEASE_LEGACY);
        ElfFile elf = ElfFile.open(bin);
        ReadOnlyImage image = ReadOnlyImage.of(elf);
        byte[] file = Files.readAllBytes(bin);
        // a string literal sample-rust passes: where the file holds it, and so its address in the R segment
        byte[] literal = "quoted \"words\"\tand tabs".getBytes(StandardCharsets.UTF_8);
        assertArrayEquals(literal, image.bytes(literalAddress(image, file, literal), literal.length));

        ReadOnlyImage.Range lastRange = image.ranges().get(image.ranges().size() - 1);
        long end = lastRange.vaddr() + lastRange.size();
        assertArrayEquals(Arrays.copyOfRange(file, (int) (lastRange.fileOffset() + lastRange.size() - 4),
                (int) (lastRange.fileOffset() + lastRange.size())), image.bytes(end - 4, 4), "a range's last bytes");
        assertNull(image.bytes(end - 4, 5), "one byte past a range's end");
        assertNull(image.bytes(-8, 4));
        long writable = elf.segments().stream().filter(s -> s.isLoad() && (s.flags() & Segment.PF_W) != 0).findFirst()
                .orElseThrow().virtualAddress();
        assertNull(image.bytes(writable, 8), "a writable segment's bytes can change: never from the file");
    }

    @Test
    void aRecordReadsItsFileBackedReadsFromTheFileAndOnesOutsideAsFailed() throws Exception {
        Path bin = SampleRust.binary(SampleRust.Variant.RELEASE_LEGACY);
        ReadOnlyImage image = ReadOnlyImage.of(ElfFile.open(bin));
        byte[] file = Files.readAllBytes(bin);
        byte[] literal = "wörld".getBytes(StandardCharsets.UTF_8);
        long vaddr = literalAddress(image, file, literal);

        // three leaf reads (a &str's bytes each): one into the image, one outside it, one the probe made
        FetchPlan plan = new FetchPlan(List.of(
                FetchPlan.Read.counted(new FetchPlan.Word.Register("rdi"), 0, new FetchPlan.Word.Register("rsi"), 1, 64),
                FetchPlan.Read.counted(new FetchPlan.Word.Register("rdx"), 0, new FetchPlan.Word.Register("rcx"), 1, 64),
                FetchPlan.Read.counted(new FetchPlan.Word.Register("r8"), 0, new FetchPlan.Word.Register("r9"), 1, 64)));
        RecordLayout layout = new RecordLayout(plan);
        ByteBuffer rec = ByteBuffer.allocate(layout.size()).order(ByteOrder.LITTLE_ENDIAN);
        ProbeRecord plain = new ProbeRecord(rec, layout);
        assertFalse(plain.takeFileReads(image), "no read is marked: nothing to take");

        put(rec, layout, 0, vaddr + BIAS, literal.length, RecordLayout.READ_FROM_FILE);
        put(rec, layout, 1, 0x10, 4, RecordLayout.READ_FROM_FILE); // not in any range
        put(rec, layout, 2, 0x7fff_0000L, 2, 0);
        rec.put(layout.readOffset(2) + RecordLayout.READ_DATA, (byte) 'o').put(layout.readOffset(2)
                + RecordLayout.READ_DATA + 1, (byte) 'k');
        ProbeRecord p = new ProbeRecord(rec, layout);
        p.setLoadBias(BIAS);
        assertTrue(p.takeFileReads(image));
        assertArrayEquals(literal, p.readBytes(0));
        assertArrayEquals(literal, p.memory(vaddr + BIAS, literal.length));
        assertArrayEquals(Arrays.copyOfRange(literal, 1, 3), p.memory(vaddr + BIAS + 1, 2));
        assertEquals(0, p.readCount(1), "outside the image: a failed read");
        assertNull(p.memory(0x10, 1));
        assertArrayEquals("ok".getBytes(StandardCharsets.US_ASCII), p.memory(0x7fff_0000L, 2), "the probe's bytes");
        assertNull(p.fileData(2));
    }

    @Test
    void onlyReadsNoLaterReadDependsOnMayComeFromTheFile() {
        // a by-reference &str: the pair's read feeds the bytes' read, which feeds nothing
        FetchPlan plan = new FetchPlan(List.of(
                FetchPlan.Read.fixed(new FetchPlan.Word.Register("rdi"), 0, 16),
                FetchPlan.Read.counted(new FetchPlan.Word.FromRead(0, 0), 0, new FetchPlan.Word.FromRead(0, 8), 1, 64),
                FetchPlan.Read.fixed(new FetchPlan.Word.Register("rsi"), 8, 4)));
        RecordLayout layout = new RecordLayout(plan);
        assertFalse(layout.fileEligible(0));
        assertTrue(layout.fileEligible(1));
        assertTrue(layout.fileEligible(2));
        ByteBuffer rec = ByteBuffer.allocate(layout.size()).order(ByteOrder.LITTLE_ENDIAN);
        rec.putInt(layout.readOffset(0) + RecordLayout.READ_FLAGS, RecordLayout.READ_FROM_FILE);
        assertFalse(layout.fromFile(rec, 0), "a read others depend on is never taken as file-backed");
    }

    private static void put(ByteBuffer rec, RecordLayout layout, int read, long address, int count, int flags) {
        int at = layout.readOffset(read);
        rec.putLong(at + RecordLayout.READ_ADDRESS, address);
        rec.putInt(at + RecordLayout.READ_COUNT, count);
        rec.putInt(at + RecordLayout.READ_FLAGS, flags);
    }

    /** Where sample-rust's file holds a literal it passes, as a link-time address in one of the image's ranges. */
    private static long literalAddress(ReadOnlyImage image, byte[] file, byte[] literal) {
        int at = indexOf(file, literal);
        assertTrue(at > 0, "sample-rust holds its literal");
        ReadOnlyImage.Range r = image.ranges().stream()
                .filter(x -> at >= x.fileOffset() && at + literal.length <= x.fileOffset() + x.size())
                .findFirst().orElseThrow();
        return r.vaddr() + (at - r.fileOffset());
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static String run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), String.join(" ", cmd));
        return out;
    }
}
