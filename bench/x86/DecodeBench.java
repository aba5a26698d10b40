// Benchmark body: decodes [from, from+length) of a file linearly with X86Decoder, several times, and prints the
// median instructions per second. Run by run.sh with the toolkit's classes on the class path.
import dev.rustprobe.probe.Instruction;
import dev.rustprobe.probe.X86Decoder;

import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.util.Arrays;

public class DecodeBench {
    public static void main(String[] a) throws Exception {
        String file = a[0];
        long fileOffset = Long.decode(a[1]);
        int length = Integer.decode(a[2]);
        long address = Long.decode(a[3]);
        int runs = Integer.parseInt(a[4]);
        byte[] code = new byte[length];
        try (RandomAccessFile f = new RandomAccessFile(file, "r")) {
            f.seek(fileOffset);
            f.readFully(code);
        }
        X86Decoder d = new X86Decoder(ByteBuffer.wrap(code), address);
        double[] rates = new double[runs];
        long count = 0;
        for (int r = -2; r < runs; r++) { // two warm-up rounds
            long t0 = System.nanoTime();
            count = 0;
            long sink = 0;
            for (int off = 0; off < length; ) {
                Instruction i = d.decode(off);
                off += i.length();
                sink += i.flow().ordinal();
                count++;
            }
            double s = (System.nanoTime() - t0) / 1e9;
            if (r >= 0) {
                rates[r] = count / s;
            }
            if (sink == 42) System.out.print("");
        }
        Arrays.sort(rates);
        System.out.printf("java X86Decoder: %d instructions, median %.1f M instructions/s over %d runs%n", count,
                rates[runs / 2] / 1e6, runs);
    }
}
