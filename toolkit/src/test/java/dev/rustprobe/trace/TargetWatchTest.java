// TargetWatch's reading of /proc: a mapping is found by the file's device and inode as /proc/PID/maps prints them,
// and a process is running unless it is gone or a zombie.
package dev.rustprobe.trace;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TargetWatchTest {
    @Test
    void findsTheJvmsOwnExecutableInItsMapsByDeviceAndInode() throws Exception {
        Path exe = Path.of("/proc/self/exe").toRealPath();
        long dev = ((Number) Files.getAttribute(exe, "unix:dev")).longValue();
        long ino = ((Number) Files.getAttribute(exe, "unix:ino")).longValue();
        String maps = Files.readString(Path.of("/proc/self/maps"));
        assertTrue(TargetWatch.maps(maps, dev, ino), exe + " " + Long.toHexString(dev) + " " + ino);
        assertFalse(TargetWatch.maps(maps, dev, ino + 1_000_003));
        assertFalse(TargetWatch.maps(maps, dev + 1, ino));
    }

    @Test
    void aZombieIsNotRunning() throws Exception {
        assertTrue(TargetWatch.running((int) ProcessHandle.current().pid()));
        assertFalse(TargetWatch.running(Integer.MAX_VALUE));
        // a child that exits while its parent (a shell busy sleeping) does not reap it
        // the child outlives the shell's exec of sleep, so no shell can reap it before sleep (which never does)
        Process sh = new ProcessBuilder("/bin/sh", "-c", "sh -c 'sleep 0.3' & echo $!; exec sleep 5").start();
        try {
            int child = Integer.parseInt(new java.io.BufferedReader(new java.io.InputStreamReader(sh.getInputStream()))
                    .readLine().trim());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(4);
            while (TargetWatch.running(child) && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertTrue(Files.exists(Path.of("/proc/" + child)), "the zombie is still there");
            assertFalse(TargetWatch.running(child), "but it is not running");
        } finally {
            sh.destroyForcibly();
        }
    }
}
