// The kernel's uprobe PMU as sysfs describes it: its perf event type, and which config bit asks for a
// return probe. Missing files mean the kernel was built without uprobe support.
package dev.rustprobe.bpf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

public record UprobePmu(int type, int retprobeBit) {
    public static final Path SYSFS = Path.of("/sys/bus/event_source/devices/uprobe");
    private static final Pattern CONFIG_BIT = Pattern.compile("config:(\\d+)");

    public static UprobePmu read() {
        return read(SYSFS);
    }

    /** Reads dir/type and dir/format/retprobe ("config:N"). */
    public static UprobePmu read(Path dir) {
        Path typeFile = dir.resolve("type");
        Path retFile = dir.resolve("format").resolve("retprobe");
        if (!Files.isRegularFile(typeFile)) {
            throw new BpfException("this kernel has no uprobe support: " + typeFile
                    + " is missing (it needs a kernel built with CONFIG_UPROBE_EVENTS, and sysfs mounted)");
        }
        try {
            int type = Integer.parseInt(Files.readString(typeFile).strip());
            int bit = 0;
            if (Files.isRegularFile(retFile)) {
                Matcher m = CONFIG_BIT.matcher(Files.readString(retFile).strip());
                if (!m.matches()) {
                    throw new BpfException("cannot understand " + retFile + " (expected config:N)");
                }
                bit = Integer.parseInt(m.group(1));
            } else {
                throw new BpfException("this kernel's uprobe PMU has no return probes: " + retFile + " is missing");
            }
            return new UprobePmu(type, bit);
        } catch (IOException | NumberFormatException e) {
            throw new BpfException("cannot read the uprobe PMU from " + dir + ": " + e.getMessage());
        }
    }
}
