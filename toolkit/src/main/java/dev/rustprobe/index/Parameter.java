// A formal parameter as DWARF describes it.
package dev.rustprobe.index;

public record Parameter(String name, String type) {
}
