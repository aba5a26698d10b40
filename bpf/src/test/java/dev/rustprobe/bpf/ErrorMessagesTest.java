// Failures read as sentences a user can act on: missing privileges (from a child that really lacks them),
// a kernel without the uprobe PMU, unknown errno values.
package dev.rustprobe.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ErrorMessagesTest {
    @Test
    void withoutCapabilitiesTheMessageSaysWhatIsNeeded() {
        TestSupport.assumeBpf();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // setpriv (util-linux) drops the capabilities from the bounding set, so even root lacks them afterwards.
        String out = TestSupport.run(List.of("setpriv", "--inh-caps=-all", "--bounding-set=-bpf,-perfmon,-sys_admin",
                "--", java, "-cp", System.getProperty("java.class.path"), NoCapabilityChild.class.getName()));
        assertEquals("Loading BPF program 'rpt_nocap' failed: tracing with eBPF needs root, or CAP_BPF and"
                + " CAP_PERFMON (EPERM)", out.strip());
    }

    @Test
    void kernelWithoutUprobePmuSaysSo(@TempDir Path dir) {
        BpfException e = assertThrows(BpfException.class, () -> UprobePmu.read(dir.resolve("uprobe")));
        assertTrue(e.getMessage().startsWith("this kernel has no uprobe support"), e.getMessage());
        assertTrue(e.getMessage().contains("CONFIG_UPROBE_EVENTS"), e.getMessage());
    }

    @Test
    void uprobePmuFormatIsParsed(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("format"));
        Files.writeString(dir.resolve("type"), "9\n");
        Files.writeString(dir.resolve("format/retprobe"), "config:3\n");
        assertEquals(new UprobePmu(9, 3), UprobePmu.read(dir));
        Files.writeString(dir.resolve("format/retprobe"), "garbage\n");
        assertThrows(BpfException.class, () -> UprobePmu.read(dir));
    }

    @Test
    void thisKernelsUprobePmuMatchesSysfs() throws Exception {
        TestSupport.assumeBpf();
        UprobePmu pmu = UprobePmu.read();
        assertEquals(Integer.parseInt(Files.readString(UprobePmu.SYSFS.resolve("type")).strip()), pmu.type());
        assertEquals("config:" + pmu.retprobeBit(), Files.readString(UprobePmu.SYSFS.resolve("format/retprobe")).strip());
    }

    @Test
    void errnoNamesAndHints() {
        BpfException e = BpfException.ofErrno("Creating BPF map 'x'", 1);
        assertEquals("Creating BPF map 'x' failed: tracing with eBPF needs root, or CAP_BPF and CAP_PERFMON (EPERM)",
                e.getMessage());
        assertEquals(1, e.errno());
        assertTrue(BpfException.ofErrno("x", 24).getMessage().contains("ulimit -n"));
        assertTrue(BpfException.ofErrno("x", 4242).getMessage().endsWith("(errno 4242)"));
    }

    @Test
    void possibleCpuListsAreCounted() {
        assertEquals(1, PerCpuArray.parseCpuList("0"));
        assertEquals(2, PerCpuArray.parseCpuList("0-1"));
        assertEquals(7, PerCpuArray.parseCpuList("0-3,8,10-11"));
        assertThrows(NumberFormatException.class, () -> PerCpuArray.parseCpuList("x"));
    }
}
