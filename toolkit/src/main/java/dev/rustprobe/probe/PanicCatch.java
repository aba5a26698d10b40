// Where a Rust binary catches panics, so that a caught panic's unwound calls are reported when it is caught: the
// entries of the functions std's catch_unwind (also the ones around main and each spawned thread) calls from its
// landing pad.
package dev.rustprobe.probe;

import dev.rustprobe.demangle.Demangler;
import dev.rustprobe.elf.ElfFile;
import dev.rustprobe.elf.ElfSymbol;

import java.util.ArrayList;
import java.util.List;

/*
 * At any function's entry, every traced frame whose entry rsp is at or below the current rsp is dead (its function
 * is not running any more); that is the CATCH role's rule. It finds all the frames a panic unwound only where the
 * probed function is called straight from the frame that caught (the catch_unwind frame F): dead frames were called
 * from F or deeper, so their entry rsp is at most F's rsp - 8, the entry rsp of anything F calls. The landing pad
 * calls do_catch (inlined into F in release builds, its own function in debug ones), which calls cleanup, a
 * non-generic std function that cannot be inlined into F, which calls __rust_panic_cleanup. So the catch points are
 * every out-of-line do_catch and cleanup; __rust_panic_cleanup, one frame deeper, is kept as the last resort (it
 * misses the calls F itself made, whose frames lie between it and F).
 */
public final class PanicCatch {
    /** Demangled paths without hash and generic arguments: rustc 1.95's names, then those of older std. */
    static final List<String> CATCH_PATHS = List.of("std::panicking::catch_unwind::do_catch",
            "std::panicking::catch_unwind::cleanup", "std::panicking::try::do_catch", "std::panicking::try::cleanup",
            "__rustc::__rust_panic_cleanup", "__rust_panic_cleanup");

    /** Said once when the binary has no catch point of its own but returns are paired. */
    public static final String MISSING = "no panic catch point (std's catch_unwind cleanup) in this binary (std"
            + " linked as a shared library, or not a Rust program): a call a panic unwinds is reported when its"
            + " thread next enters or leaves a traced function, or else as unreturned";

    /** One probe-able catch point: its demangled name and address. */
    public record Point(String name, long address) {}

    private PanicCatch() {}

    /** The catch points the binary defines, each address once: in CATCH_PATHS order (the last resort last), by address. */
    public static List<Point> find(ElfFile elf) {
        List<Point> out = new ArrayList<>();
        java.util.Set<Long> seen = new java.util.HashSet<>();
        elf.forEachSymbol(true, s -> {
            if (s.value() == 0 || !candidate(s.name())) {
                return;
            }
            if (catchPath(s.name()) != null && seen.add(s.value())) {
                out.add(new Point(demangled(s.name()), s.value()));
            }
        });
        out.sort(java.util.Comparator.comparingInt((Point p) -> CATCH_PATHS.indexOf(catchPath(p.name())))
                .thenComparingLong(Point::address));
        return out;
    }

    private static String demangled(String raw) {
        String d = Demangler.demangle(raw, false);
        return d == null ? raw : d; // not a Rust name: the plain __rust_panic_cleanup of older rustc
    }

    /** A cheap test on the raw name, so that only a handful of symbols are demangled. */
    static boolean candidate(String raw) {
        return raw.endsWith("__rust_panic_cleanup") || raw.contains("9panicking")
                && (raw.contains("8do_catch") || raw.contains("7cleanup"));
    }

    /** The catch path a symbol is an instance of, or null. */
    static String catchPath(String raw) {
        String d = demangled(raw);
        for (String p : CATCH_PATHS) {
            if (d.equals(p) || d.startsWith(p + "::<") || d.startsWith(p + "<")) {
                return p;
            }
        }
        return null;
    }
}
