// The vtables DWARF names ("<Square as Area>::{vtable}"), grouped by trait path, so a &dyn value's vtable
// pointer tells which concrete type its data pointer points to.
package dev.rustprobe.abi;

import dev.rustprobe.dwarf.Dwarf;
import dev.rustprobe.dwarf.Type;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

public final class DwarfVtables implements Shape.Vtables {
    private final Dwarf dwarf;
    private Map<String, Map<Long, Type>> byTrait;

    private DwarfVtables(Dwarf dwarf) {
        this.dwarf = dwarf;
    }

    /** Vtables read lazily from this DWARF: nothing is parsed until a &dyn type is met. */
    public static Shape.Vtables of(Dwarf dwarf) {
        return new DwarfVtables(dwarf);
    }

    @Override
    public Map<Long, Type> of(String trait) {
        if (byTrait == null) {
            byTrait = new HashMap<>();
            for (Dwarf.Vtable v : dwarf.vtables()) {
                String[] parts = split(v.name());
                if (parts != null && v.concrete() != null) {
                    byTrait.computeIfAbsent(path(parts[1]), k -> new LinkedHashMap<>())
                            .put(v.address(), v.concrete().get());
                }
            }
        }
        return byTrait.getOrDefault(path(trait), Map.of());
    }

    /**
     * The trait's path without generic arguments or extra bounds: "core::ops::function::Fn<(u32), Output=u32>" and
     * "core::ops::function::Fn<(u32)>" are both "core::ops::function::Fn" (the vtable address decides anyway).
     */
    static String path(String trait) {
        int end = trait.length();
        for (int i = 0; i < trait.length(); i++) {
            char c = trait.charAt(i);
            if (c == '<' || c == ' ' || c == '+') {
                end = i;
                break;
            }
        }
        return trait.substring(0, end);
    }

    /** "<A as B>::{vtable}" -> {A, B}, splitting at the " as " outside any angle brackets; null if not that form. */
    static String[] split(String name) {
        String suffix = ">::{vtable}";
        if (!name.startsWith("<") || !name.endsWith(suffix)) {
            return null;
        }
        String inner = name.substring(1, name.length() - suffix.length());
        int depth = 0;
        for (int i = 0; i + 4 <= inner.length(); i++) {
            char c = inner.charAt(i);
            if (c == '<') {
                depth++;
            } else if (c == '>') {
                depth--;
            } else if (depth == 0 && inner.startsWith(" as ", i)) {
                return new String[]{inner.substring(0, i), inner.substring(i + 4)};
            }
        }
        return null;
    }
}
