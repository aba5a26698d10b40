// A half-open range of code addresses [low, high).
package dev.rustprobe.index;

public record AddressRange(long low, long high) {
    public long length() {
        return high - low;
    }
}
