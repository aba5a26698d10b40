// Finds a binary's separate debug file, the way gdb does: by build-id under <root>/.build-id/, then by
// .gnu_debuglink beside the binary, in its .debug/ directory, and under <root>/<binary's directory>; the
// debuglink candidates must match the recorded CRC32, the build-id candidates the build-id.
package dev.rustprobe.elf;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

public final class DebugFileLocator {
    public static final Path DEFAULT_ROOT = Path.of("/usr/lib/debug");

    private DebugFileLocator() {
    }

    public static Optional<Path> find(ElfFile binary) {
        return find(binary, List.of(DEFAULT_ROOT));
    }

    public static Optional<Path> find(ElfFile binary, List<Path> debugRoots) {
        Path self = binary.path().toAbsolutePath().normalize();
        Optional<String> buildId = binary.buildId();
        if (buildId.isPresent() && buildId.get().length() > 2) {
            String id = buildId.get();
            for (Path root : debugRoots) {
                Path candidate = root.resolve(".build-id").resolve(id.substring(0, 2)).resolve(id.substring(2) + ".debug");
                if (isOther(candidate, self) && buildIdMatches(candidate, id)) {
                    return Optional.of(candidate);
                }
            }
        }
        Optional<DebugLink> link = binary.debugLink();
        if (link.isPresent()) {
            for (Path candidate : debugLinkCandidates(self, link.get().fileName(), debugRoots)) {
                if (isOther(candidate, self) && crcMatches(candidate, link.get().crc32())) {
                    return Optional.of(candidate);
                }
            }
        }
        return Optional.empty();
    }

    static List<Path> debugLinkCandidates(Path binary, String name, List<Path> debugRoots) {
        List<Path> out = new ArrayList<>();
        Path dir = binary.getParent() == null ? Path.of("/") : binary.getParent();
        out.add(dir.resolve(name));
        out.add(dir.resolve(".debug").resolve(name));
        String relativeDir = dir.toString().replaceFirst("^/+", "");
        for (Path root : debugRoots) {
            out.add(root.resolve(relativeDir).resolve(name));
        }
        return out;
    }

    private static boolean isOther(Path candidate, Path self) {
        return Files.isRegularFile(candidate) && !candidate.toAbsolutePath().normalize().equals(self);
    }

    private static boolean buildIdMatches(Path candidate, String id) {
        try {
            return ElfFile.open(candidate).buildId().map(id::equals).orElse(false);
        } catch (ElfException e) {
            return false;
        }
    }

    private static boolean crcMatches(Path candidate, int crc) {
        try {
            return ElfFile.open(candidate).crc32() == crc;
        } catch (ElfException e) {
            return false;
        }
    }
}
