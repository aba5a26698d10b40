// The toolkit's one user-facing failure: its message is a sentence the user can act on.
package dev.rustprobe;

public class RustprobeException extends RuntimeException {
    public RustprobeException(String message) {
        super(message);
    }

    public RustprobeException(String message, Throwable cause) {
        super(message, cause);
    }
}
