// One value a probe site records: a parameter (by its Rust name) or the return value ("return").
package dev.rustprobe.abi;

/**
 * @param name     the parameter's name, or "return"
 * @param typeName the Rust type as DWARF names it ("&str", "Option<u32>")
 * @param location where it lives at the site's PC
 * @param shape    how to decode its bytes
 * @param note     why this location was chosen (trust), for explain; may be empty
 */
public record SiteValue(String name, String typeName, ValueLocation location, Shape shape, String note) {}
