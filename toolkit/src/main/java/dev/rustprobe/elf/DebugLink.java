// The .gnu_debuglink section: the separate debug file's name and the CRC32 of its whole contents.
package dev.rustprobe.elf;

public record DebugLink(String fileName, int crc32) {
}
