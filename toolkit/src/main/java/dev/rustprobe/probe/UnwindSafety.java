// Whether a Rust panic can unwind through a function's frame, decided from the machine code: only if the function
// can reach, through direct calls and tail jumps, code that starts or passes on an unwind. Where none can, a
// uretprobe on the function is safe (the return address it swaps in is never seen by an unwinder), and cheaper than
// probing each ret, which the kernel single-steps.
package dev.rustprobe.probe;

import dev.rustprobe.elf.ElfFile;
import dev.rustprobe.demangle.Demangler;
import dev.rustprobe.elf.FunctionSymbols;
import dev.rustprobe.elf.Section;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/*
 * An unwind starts in a call (rustc's panic runtime calls _Unwind_RaiseException; pthread_exit and C++ throw are
 * calls too) and goes on only from landing pads, which are reached by an unwind that started below. So a function
 * can be unwound through only if some code it can call can start one. The search follows every direct call and
 * tail jump to the function holding its target, and gives up ("may unwind") at the first thing it cannot follow:
 *  - a call through a pointer (a vtable, a closure, a fn pointer): the callee is unknown;
 *  - a call into the PLT or to an address no function symbol covers: code outside this file (libgcc's unwinder,
 *    libc; no attempt is made to know which library functions never unwind);
 *  - code the decoder cannot finish, or an indirect jump that may leave the function;
 *  - more than MAX_FUNCTIONS functions to look at.
 * Rust does not unwind out of signal handlers, so a signal arriving in the function does not count.
 */
public final class UnwindSafety {
    /** Functions one question may look at before giving up. */
    static final int MAX_FUNCTIONS = 2048;

    /** canUnwind false: no panic can pass through the function's frame; why says what was found either way. */
    public record Verdict(boolean canUnwind, String why) {}

    private final ElfFile elf;
    private long[] starts;
    private long[] sizes;
    /** For each start, the FunctionSymbols index of the symbol chosen there (named only when a verdict says so). */
    private int[] symbolOf;
    private FunctionSymbols symbols;
    /** Functions already shown to reach no unwind (by start address). */
    private final Set<Long> safe = new HashSet<>();
    private final Map<Long, Verdict> verdicts = new HashMap<>();

    public UnwindSafety(ElfFile elf) {
        this.elf = elf;
    }

    /** The verdict for the function whose code is [address, address + size). */
    public Verdict of(long address, long size) {
        Verdict known = verdicts.get(address);
        if (known != null) {
            return known;
        }
        Verdict v = search(address, size);
        verdicts.put(address, v);
        return v;
    }

    private Verdict search(long address, long size) {
        ArrayDeque<long[]> todo = new ArrayDeque<>();
        Set<Long> seen = new HashSet<>();
        List<Long> visited = new ArrayList<>();
        todo.add(new long[] {address, size});
        seen.add(address);
        List<String> callees = new ArrayList<>();
        while (!todo.isEmpty()) {
            long[] f = todo.poll();
            if (safe.contains(f[0])) {
                continue;
            }
            if (visited.size() >= MAX_FUNCTIONS) {
                return new Verdict(true, "it reaches more than " + MAX_FUNCTIONS + " functions, too many to check");
            }
            visited.add(f[0]);
            String who = f[0] == address ? "it" : nameOf(f[0]);
            byte[] code = FunctionCode.read(elf, f[0], f[1]);
            if (code == null) {
                return new Verdict(true, (f[0] == address ? "its" : who + "'s") + " code could not be read");
            }
            ExitFinder.Scan scan = ExitFinder.scan(code, f[0], f[1]);
            if (!scan.complete()) {
                return new Verdict(true, "the code of " + (f[0] == address ? "the function" : who)
                        + " could not be decoded to its end");
            }
            if (scan.indirectCalls() > 0) {
                return new Verdict(true, who + " calls through a pointer, to a callee not known here");
            }
            List<Long> targets = new ArrayList<>(scan.callTargets());
            for (ExitFinder.ExitSite e : scan.exits()) {
                if (e.kind() == ExitFinder.Kind.INDIRECT_JMP) {
                    return new Verdict(true, who + " jumps through a pointer, to a target not known here");
                } else if (e.kind() != ExitFinder.Kind.RET) {
                    targets.add(e.target());
                }
            }
            for (long t : targets) {
                if (t >= f[0] && t < f[0] + f[1]) {
                    continue;
                }
                int k = containing(t);
                if (k < 0) {
                    return new Verdict(true, who + " calls code outside this file, at 0x" + Long.toHexString(t)
                            + (inPlt(t) ? " through the PLT" : ""));
                }
                if (f[0] == address) {
                    callees.add(name(k));
                }
                if (seen.add(starts[k])) {
                    todo.add(new long[] {starts[k], sizes[k]});
                }
            }
        }
        safe.addAll(visited);
        if (callees.isEmpty()) {
            return new Verdict(false, "it calls nothing");
        }
        List<String> shown = callees.stream().distinct().limit(3).toList();
        return new Verdict(false, "nothing it calls (" + String.join(", ", shown)
                + (callees.stream().distinct().count() > 3 ? ", …" : "") + ") can start or pass on a panic");
    }

    private String nameOf(long start) {
        int k = Arrays.binarySearch(functionStarts(), start);
        return k >= 0 ? name(k) : "0x" + Long.toHexString(start);
    }

    /** {start, size} of the function symbol whose code holds address, or null when none does. */
    public long[] functionAt(long address) {
        int k = containing(address);
        return k < 0 ? null : new long[] {starts[k], sizes[k]};
    }

    /** The function symbol whose [start, start + size) holds address, or -1. */
    private int containing(long address) {
        long[] s = functionStarts();
        int k = Arrays.binarySearch(s, address);
        if (k < 0) {
            k = -k - 2;
        }
        return k >= 0 && address < s[k] + sizes[k] && !inPlt(address) ? k : -1;
    }

    private boolean inPlt(long address) {
        Optional<Section> sec = elf.sectionAt(address);
        return sec.isPresent() && sec.get().name().startsWith(".plt");
    }

    /** The demangled name of the function at starts[k] (its symbol's name when it is not a Rust symbol). */
    private String name(int k) {
        String mangled = symbols.name(symbolOf[k]);
        String d = Demangler.demangle(mangled, false);
        return d != null ? d : mangled;
    }

    /**
     * Sorted start addresses of the defined, sized functions (one entry per address, the largest symbol there),
     * built on first use from the symbol columns: no object or name per symbol until a verdict names one.
     */
    private long[] functionStarts() {
        if (starts == null) {
            FunctionSymbols fs = elf.functionSymbols();
            Integer[] order = new Integer[fs.count()];
            int n = 0;
            for (int i = 0; i < fs.count(); i++) {
                if (fs.size(i) > 0) {
                    order[n++] = i;
                }
            }
            // by address, and at one address the largest symbol first
            Arrays.sort(order, 0, n, (a, b) -> fs.value(a) != fs.value(b) ? Long.compare(fs.value(a), fs.value(b))
                    : Long.compare(fs.size(b), fs.size(a)));
            long[] st = new long[n];
            long[] sz = new long[n];
            int[] sym = new int[n];
            int m = 0;
            for (int k = 0; k < n; k++) {
                int i = order[k];
                if (m > 0 && st[m - 1] == fs.value(i)) {
                    continue;
                }
                st[m] = fs.value(i);
                sz[m] = fs.size(i);
                sym[m] = i;
                m++;
            }
            symbols = fs;
            sizes = Arrays.copyOf(sz, m);
            symbolOf = Arrays.copyOf(sym, m);
            starts = Arrays.copyOf(st, m);
        }
        return starts;
    }
}
