package dev.rustprobe.dwarf;
public interface DwarfSections { java.util.Optional<java.nio.ByteBuffer> section(String name); } // decompressed, empty if absent
