// Test helper: builds sample-rust on demand (once per JVM and variant, through sample-rust/build.sh) and runs it,
// parsing the truth lines it prints so tests can compare what rustprobe records with what really happened.
package dev.rustprobe.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

public final class SampleRust {

    /** The builds of sample-rust that build.sh knows; the name is build.sh's argument. */
    public enum Variant {
        RELEASE_LEGACY("release-legacy", true, false, 4),
        RELEASE_V0("release-v0", true, true, 4),
        DEBUG("debug", false, false, 4),
        RELEASE_DWARF5("release-dwarf5", true, false, 5),
        RELEASE_V0_DWARF5("release-v0-dwarf5", true, true, 5);

        private final String buildName;
        private final boolean release;
        private final boolean v0Mangling;
        private final int dwarfVersion;

        Variant(String buildName, boolean release, boolean v0Mangling, int dwarfVersion) {
            this.buildName = buildName;
            this.release = release;
            this.v0Mangling = v0Mangling;
            this.dwarfVersion = dwarfVersion;
        }

        public String buildName() { return buildName; }
        public boolean release() { return release; }
        public boolean v0Mangling() { return v0Mangling; }
        public int dwarfVersion() { return dwarfVersion; }
    }

    /** The first field of a truth line. */
    public enum Kind {
        /** printed first: args pid=, repeat= */
        START,
        /** a call the program made and printed around */
        CALL,
        /** a call a traced function made itself (recursion, a vtable or closure call, a private helper) */
        NESTED,
        /** a call of an {@code #[inline]} helper, with its call site */
        INLINE,
        /** a call that panicked; ret is the panic message, caught by catch_unwind */
        PANIC,
        /** printed last: arg lines= */
        DONE
    }

    /**
     * One line of sample-rust's stdout. Values are Rust {@code {:?}} text. {@code ret} is null for START and DONE;
     * {@code callSite} ("src/main.rs:148") is null except for INLINE lines.
     */
    public record TruthLine(Kind kind, int tid, String function, Map<String, String> args, String ret,
                            String callSite) {
        public TruthLine {
            args = Collections.unmodifiableMap(new LinkedHashMap<>(args));
        }

        public String arg(String name) {
            String v = args.get(name);
            if (v == null) {
                throw new IllegalArgumentException(function + " has no argument " + name + " in " + args.keySet());
            }
            return v;
        }

        /** The line number of callSite. */
        public int callLine() {
            if (callSite == null) {
                throw new IllegalStateException(kind + " line of " + function + " has no call site");
            }
            return Integer.parseInt(callSite.substring(callSite.lastIndexOf(':') + 1));
        }
    }

    /** What one run of the binary produced. */
    public record Run(int exitCode, List<String> stdout, String stderr) {}

    private static final long BUILD_TIMEOUT_MINUTES = 15;
    private static final long RUN_TIMEOUT_SECONDS = 120;
    private static final Map<Variant, Path> BUILT = new EnumMap<>(Variant.class);

    private SampleRust() {}

    /** The repository root: the system property rustprobe.root, or the nearest parent holding sample-rust/build.sh. */
    public static Path root() {
        String prop = System.getProperty("rustprobe.root");
        if (prop != null && !prop.isBlank()) {
            Path p = Path.of(prop).toAbsolutePath().normalize();
            if (Files.isRegularFile(p.resolve("sample-rust/build.sh"))) {
                return p;
            }
            throw new IllegalStateException("rustprobe.root=" + prop + " has no sample-rust/build.sh");
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("sample-rust/build.sh"))) {
                return p;
            }
        }
        throw new IllegalStateException("cannot find the repository root (no sample-rust/build.sh above "
                + Path.of("").toAbsolutePath() + "); set -Drustprobe.root");
    }

    /** The binary of one variant, built by build.sh the first time it is asked for in this JVM. */
    public static synchronized Path binary(Variant v) {
        Path cached = BUILT.get(v);
        if (cached != null) {
            return cached;
        }
        Path root = root();
        Path log = root.resolve("sample-rust/target/build-" + v.buildName() + ".log");
        try {
            Files.createDirectories(log.getParent());
            Process p = new ProcessBuilder(root.resolve("sample-rust/build.sh").toString(), v.buildName())
                    .directory(root.toFile())
                    .redirectError(log.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    .start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(BUILD_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IllegalStateException("building sample-rust " + v.buildName() + " took over "
                        + BUILD_TIMEOUT_MINUTES + " minutes; see " + log);
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException("building sample-rust " + v.buildName() + " failed (exit "
                        + p.exitValue() + "): " + Files.readString(log).strip());
            }
            Path bin = Path.of(out);
            if (!bin.isAbsolute() || !Files.isExecutable(bin)) {
                throw new IllegalStateException("build.sh " + v.buildName() + " printed '" + out
                        + "', not the path of an executable");
            }
            BUILT.put(v, bin);
            return bin;
        } catch (IOException e) {
            throw new IllegalStateException("cannot run sample-rust/build.sh: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while building sample-rust", e);
        }
    }

    /** Runs the binary of a variant with arguments (stdin empty) and returns what it printed. */
    public static Run execute(Variant v, String... args) {
        Path bin = binary(v);
        List<String> command = new ArrayList<>();
        command.add(bin.toString());
        command.addAll(List.of(args));
        try {
            Path err = Files.createTempFile("sample-rust-", ".stderr");
            try {
                Process p = new ProcessBuilder(command)
                        .redirectError(err.toFile())
                        .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                        .start();
                byte[] out = p.getInputStream().readAllBytes();
                if (!p.waitFor(RUN_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new IllegalStateException(command + " ran over " + RUN_TIMEOUT_SECONDS + " s");
                }
                return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8).lines().toList(),
                        Files.readString(err));
            } finally {
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + bin + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + bin, e);
        }
    }

    /** Runs the binary and parses its truth lines; fails unless it exits 0 and ends with DONE. */
    public static List<TruthLine> run(Variant v, String... args) {
        Run r = execute(v, args);
        if (r.exitCode() != 0) {
            throw new IllegalStateException("sample-rust " + v.buildName() + " exited " + r.exitCode() + ": "
                    + r.stderr().strip());
        }
        List<TruthLine> lines = r.stdout().stream().map(SampleRust::parse).toList();
        if (lines.isEmpty() || lines.get(lines.size() - 1).kind() != Kind.DONE) {
            throw new IllegalStateException("sample-rust " + v.buildName() + " did not finish with DONE");
        }
        return lines;
    }

    /**
     * Parses one truth line: KIND TAB tid TAB function, then TAB name=value per argument, then TAB "-> " ret,
     * then for INLINE lines TAB "@ " file:line. Values never contain a tab ({:?} escapes it).
     */
    public static TruthLine parse(String line) {
        String[] f = line.split("\t", -1);
        if (f.length < 3) {
            throw new IllegalArgumentException("truth line has fewer than 3 tab-separated fields: " + line);
        }
        Kind kind;
        int tid;
        try {
            kind = Kind.valueOf(f[0]);
            tid = Integer.parseInt(f[1]);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("truth line has no known kind and numeric tid: " + line, e);
        }
        if (f[2].isEmpty()) {
            throw new IllegalArgumentException("truth line has an empty function: " + line);
        }
        Map<String, String> args = new LinkedHashMap<>();
        String ret = null;
        String site = null;
        for (int i = 3; i < f.length; i++) {
            String field = f[i];
            if (field.startsWith("-> ") && ret == null && site == null) {
                ret = field.substring(3);
            } else if (field.startsWith("@ ") && ret != null && site == null) {
                site = field.substring(2);
            } else {
                int eq = field.indexOf('=');
                if (ret != null || eq <= 0 || !field.substring(0, eq).matches("[A-Za-z_][A-Za-z0-9_]*")) {
                    throw new IllegalArgumentException("bad field '" + field + "' in truth line: " + line);
                }
                if (args.put(field.substring(0, eq), field.substring(eq + 1)) != null) {
                    throw new IllegalArgumentException("argument repeated in truth line: " + line);
                }
            }
        }
        boolean hasRet = kind != Kind.START && kind != Kind.DONE;
        if (hasRet != (ret != null)) {
            throw new IllegalArgumentException(kind + " line " + (hasRet ? "lacks" : "has") + " a return: " + line);
        }
        if ((kind == Kind.INLINE) != (site != null) || (site != null && !site.matches(".+:[0-9]+"))) {
            throw new IllegalArgumentException("call site must be file:line on INLINE lines only: " + line);
        }
        return new TruthLine(kind, tid, f[2], args, ret, site);
    }

    /**
     * The name nm -C prints for a truth-line function. Truth lines use v0 demangling; legacy demangling drops type
     * arguments and closure indexes and writes an inherent method as "path::Type::f", not "<path::Type>::f".
     */
    public static String demangledName(String function, Variant v) {
        if (v.v0Mangling()) {
            return function;
        }
        String legacy = stripTypeArguments(function).replaceAll("\\{closure#[0-9]+}", "{{closure}}");
        return legacy.matches("<[^<> ]+>::.*") ? legacy.substring(1).replaceFirst(">::", "::") : legacy;
    }

    /** Removes every "::<...>" type-argument list (balanced), leaving "<A as B>::f" qualified paths alone. */
    public static String stripTypeArguments(String name) {
        StringBuilder b = new StringBuilder();
        int depth = 0;
        for (int i = 0; i < name.length(); i++) {
            if (depth == 0 && name.startsWith("::<", i)) {
                depth = 1;
                i += 2;
            } else if (depth > 0) {
                char c = name.charAt(i);
                if (c == '<') depth++;
                if (c == '>' && name.charAt(i - 1) != '-') depth--;
            } else {
                b.append(name.charAt(i));
            }
        }
        return b.toString();
    }
}
