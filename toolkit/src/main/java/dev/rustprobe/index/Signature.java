// A function's parameters and return type from DWARF; returnType is "()" for functions that return nothing.
package dev.rustprobe.index;

import java.util.List;

public record Signature(List<Parameter> parameters, String returnType) {
    public Signature {
        parameters = List.copyOf(parameters);
    }
}
