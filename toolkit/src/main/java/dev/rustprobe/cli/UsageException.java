// A command line that cannot be understood: printed with a hint, exit code 2.
package dev.rustprobe.cli;

public final class UsageException extends RuntimeException {
    public UsageException(String message) {
        super(message);
    }
}
