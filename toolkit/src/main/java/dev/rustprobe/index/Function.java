// A function as a user names it: one demangled path (hash dropped) and the out-of-line copies that carry it.
package dev.rustprobe.index;

import java.util.List;

/**
 * @param name          demangled path without hash; for v0 symbols it keeps generic arguments ("largest::&lt;u32&gt;"),
 *                      legacy symbols have none, and C symbols are their plain name
 * @param genericFamily {@code name} without generic arguments: every monomorphized copy of a generic shares it
 * @param rust          false for symbols the demangler does not recognise (C, assembly)
 * @param instances     the out-of-line copies, by address
 */
public record Function(String name, String genericFamily, boolean rust, List<Instance> instances) {
    public Function {
        instances = List.copyOf(instances);
    }

    public Instance first() {
        return instances.get(0);
    }

    public boolean anyGlobal() {
        for (int k = 0; k < instances.size(); k++) { // indexed, no iterator: ls asks this of every function
            if (instances.get(k).isGlobal()) {
                return true;
            }
        }
        return false;
    }
}
