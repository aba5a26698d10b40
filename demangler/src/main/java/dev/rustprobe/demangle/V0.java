// The v0 Rust mangling (RFC 2603, `_R...`): one recursive-descent parser that is also the printer, so that
// the validation pass (printing off) and the rendering pass parse exactly alike, as rustc-demangle does.
// Errors do not throw: like rustc-demangle the printer marks its parser as failed, prints `{invalid syntax}` or
// `{recursion limit reached}` once and `?` for whatever it then cannot parse, and an error met inside a
// backref's target is forgotten when the backref returns.
package dev.rustprobe.demangle;

final class V0 {
    /** rustc-demangle's MAX_DEPTH: nesting of paths, types, consts and backrefs beyond it is an error. */
    static final int MAX_DEPTH = 500;
    /** rustc-demangle decodes punycode identifiers of at most this many characters; longer ones stay encoded. */
    private static final int SMALL_PUNYCODE_LEN = 128;

    /** Below this, x * 62 cannot overflow 64 bits unsigned (the exact bound is then checked only above it). */
    private static final long MAX_BEFORE_TIMES_62 = Long.divideUnsigned(-1L, 62) - 1;

    private static final int OK = 0;
    private static final int INVALID = 1;
    private static final int TOO_DEEP = 2;

    // what a list element or a backref's target is
    private static final int PATH = 0;
    private static final int TYPE = 1;
    private static final int CONST = 2;
    private static final int OPEN_GENERICS = 3;
    private static final int GENERIC_ARG = 4;
    private static final int DYN_TRAIT = 5;
    private static final int FIELD = 6;
    private static final int FN_SIG = 7;
    private static final int DYN_BOUNDS = 8;

    /** The same characters as bytes (all ASCII in the body: checked before parsing), for fast parsing. */
    private byte[] b;
    /** Where the symbol's body starts (just after `_R`); backref positions count from here. */
    private int base;
    private int end;
    private int pos;
    private int depth;
    private int err = OK;

    /** Null while printing is off (validation, or the skipped path of an inherent impl). */
    private Output out;
    private boolean alternate;
    private long boundLifetimeDepth;

    // the last identifier parsed: ascii part [identFrom, identTo), punycode part [punyFrom, punyTo)
    private int identFrom;
    private int identTo;
    private int punyFrom;
    private int punyTo;
    // the last hex-nibbles parsed, without the closing `_`
    private int hexFrom;
    private int hexTo;
    private boolean uintFits;

    private V0(byte[] b, int base, int end, Output out, boolean alternate) {
        reset(b, base, end, out, alternate);
    }

    /** Readies the parser for another symbol: a renderer reuses one (ls renders 100,000 symbols). */
    private void reset(byte[] b, int base, int end, Output out, boolean alternate) {
        this.b = b;
        this.base = base;
        this.end = end;
        this.pos = base;
        this.depth = 0;
        this.err = OK;
        this.out = out;
        this.alternate = alternate;
        this.boundLifetimeDepth = 0;
        identFrom = identTo = punyFrom = punyTo = hexFrom = hexTo = 0;
        uintFits = false;
    }

    /** Where the body of a v0 symbol in {@code s[start, end)} starts, or -1 when it has no v0 prefix. */
    static int bodyStart(byte[] s, int start, int end) {
        int inner;
        int n = end - start;
        if (n > 2 && s[start] == '_' && s[start + 1] == 'R') {
            inner = start + 2;
        } else if (n > 1 && s[start] == 'R') {
            inner = start + 1; // dbghelp on Windows strips the leading underscore
        } else if (n > 3 && s[start] == '_' && s[start + 1] == '_' && s[start + 2] == 'R') {
            inner = start + 3; // macOS adds one
        } else {
            return -1;
        }
        byte first = s[inner];
        if (first < 'A' || first > 'Z') {
            return -1;
        }
        return inner;
    }

    /**
     * Validates the path (and optional instantiating crate) of a v0 symbol whose body starts at {@code body}; the
     * symbol is ASCII (the caller checked).
     *
     * @return where the suffix starts, or -1 when the symbol is not valid v0 (including too deep)
     */
    static int recognise(byte[] b, int body, int end) {
        V0 p = new V0(b, body, end, null, false);
        p.printPath(false);
        if (p.err != OK) {
            return -1;
        }
        if (p.pos < end && b[p.pos] >= 'A' && b[p.pos] <= 'Z') {
            p.printPath(false); // the instantiating crate
            if (p.err != OK) {
                return -1;
            }
        }
        return p.pos;
    }

    /**
     * Renders the v0 symbol whose body starts at {@code body} to out and returns where its suffix starts, or -1
     * when it is not a valid v0 symbol (out then holds a rendering to discard). One pass in the common case: a
     * rendering that ends without error implies that the validation pass would succeed too, since rendering
     * checks all that validation checks (and more: it follows backrefs, whose errors it then forgets).
     */
    static int render(byte[] b, int body, int end, boolean withHash, Output out) {
        V0 p = out.parser;
        if (p == null) {
            p = out.parser = new V0(b, body, end, out, !withHash);
        } else {
            p.reset(b, body, end, out, !withHash);
        }
        try {
            p.printPath(true);
        } catch (Output.LimitReached e) {
            out.limitReached = true;
            return recognise(b, body, end);
        }
        if (p.err != OK) {
            return recognise(b, body, end);
        }
        p.out = null;
        if (p.pos < end && b[p.pos] >= 'A' && b[p.pos] <= 'Z') {
            p.printPath(false); // the instantiating crate, validated but not shown
            if (p.err != OK) {
                return -1;
            }
        }
        return p.pos;
    }

    // ---- parser primitives: each marks the parser failed instead of throwing ----

    private boolean eatRaw(char c) {
        int p = pos; // one read of the field: 34 bytes of bytecode, under C1's inlining limit of 35
        if (p < end && b[p] == c) {
            pos = p + 1;
            return true;
        }
        return false;
    }

    /** The printer's eat: false as well once the parser has failed. */
    private boolean eat(char c) {
        return err == OK && eatRaw(c);
    }

    private int next() {
        if (pos >= end) {
            err = INVALID;
            return -1;
        }
        return b[pos++];
    }

    private boolean pushDepth() {
        depth++;
        if (depth > MAX_DEPTH) {
            err = TOO_DEEP;
            return false;
        }
        return true;
    }

    private void popDepth() {
        if (err == OK) {
            depth--;
        }
    }

    /** base-62 number closed by `_` ({@code _} alone is 0, otherwise value+1), as an unsigned 64-bit value. */
    private long integer62() {
        if (eatRaw('_')) {
            return 0;
        }
        long x = 0;
        while (!eatRaw('_')) {
            int d = digit62();
            if (d < 0) {
                err = INVALID;
                return 0;
            }
            if ((x < 0 || x > MAX_BEFORE_TIMES_62) && Long.compareUnsigned(x, Long.divideUnsigned(-1L, 62)) > 0) {
                err = INVALID;
                return 0;
            }
            x *= 62;
            long y = x + d;
            if (Long.compareUnsigned(y, x) < 0) {
                err = INVALID;
                return 0;
            }
            x = y;
        }
        if (x == -1L) {
            err = INVALID;
            return 0;
        }
        return x + 1;
    }

    private int digit62() {
        if (pos >= end) {
            return -1;
        }
        int c = b[pos];
        int d;
        if (c >= '0' && c <= '9') {
            d = c - '0';
        } else if (c >= 'a' && c <= 'z') {
            d = 10 + (c - 'a');
        } else if (c >= 'A' && c <= 'Z') {
            d = 36 + (c - 'A');
        } else {
            return -1;
        }
        pos++;
        return d;
    }

    private long optInteger62(char tag) {
        if (!eatRaw(tag)) {
            return 0;
        }
        long x = integer62();
        if (err != OK) {
            return 0;
        }
        if (x == -1L) {
            err = INVALID;
            return 0;
        }
        return x + 1;
    }

    private long disambiguator() {
        return optInteger62('s');
    }

    /** An uppercase namespace as itself, a lowercase one as 0; marks the parser failed otherwise. */
    private int namespace() {
        int c = next();
        if (c >= 'A' && c <= 'Z') {
            return c;
        }
        if (c >= 'a' && c <= 'z') {
            return 0;
        }
        err = INVALID;
        return 0;
    }

    private void ident() {
        boolean punycode = eatRaw('u');
        if (pos >= end || b[pos] < '0' || b[pos] > '9') {
            err = INVALID;
            return;
        }
        long len = b[pos++] - '0';
        if (len != 0) {
            while (pos < end && b[pos] >= '0' && b[pos] <= '9') {
                len = len * 10 + (b[pos++] - '0');
                if (len > end) { // can never fit; rustc-demangle fails too, on overflow or on the length check
                    err = INVALID;
                    return;
                }
            }
        }
        eatRaw('_');
        int start = pos;
        if (len > end - pos) {
            err = INVALID;
            return;
        }
        pos += (int) len;
        if (!punycode) {
            identFrom = start;
            identTo = pos;
            punyFrom = punyTo = pos;
            return;
        }
        int sep = -1;
        for (int i = pos - 1; i >= start; i--) {
            if (b[i] == '_') {
                sep = i;
                break;
            }
        }
        if (sep < 0) {
            identFrom = identTo = start;
            punyFrom = start;
        } else {
            identFrom = start;
            identTo = sep;
            punyFrom = sep + 1;
        }
        punyTo = pos;
        if (punyFrom == punyTo) {
            err = INVALID;
        }
    }

    private boolean identIsEmpty() {
        return identFrom == identTo && punyFrom == punyTo;
    }

    /** Reads a hex-nibble run unless printing has already failed; false when it failed before or now. */
    private boolean readHexNibbles() {
        if (failedBefore()) {
            return false;
        }
        hexNibbles();
        return !failedNow();
    }

    private void hexNibbles() {
        int start = pos;
        while (true) {
            int c = next();
            if (c < 0) {
                return;
            }
            if (c == '_') {
                break;
            }
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                err = INVALID;
                return;
            }
        }
        hexFrom = start;
        hexTo = pos - 1;
    }

    /** The hex-nibbles' value, with {@link #uintFits} false when it does not fit in 64 bits. */
    private long parseUint() {
        int from = hexFrom;
        while (from < hexTo && b[from] == '0') {
            from++;
        }
        if (hexTo - from > 16) {
            uintFits = false;
            return 0;
        }
        long v = 0;
        for (int i = from; i < hexTo; i++) {
            v = (v << 4) | Character.digit(b[i], 16);
        }
        uintFits = true;
        return v;
    }

    // ---- printing ----

    private void print(String text) {
        if (out != null) {
            out.ascii(text);
        }
    }

    private void printAscii(int from, int to) {
        if (out != null) {
            out.ascii(b, from, to);
        }
    }

    private void printChar(int cp) {
        if (out != null) {
            out.codePoint(cp);
        }
    }

    private void printDecimal(long v) {
        if (out != null) {
            out.decimal(v);
        }
    }

    /** What parse! prints: the message for a fresh failure. */
    private void printError() {
        print(err == TOO_DEEP ? "{recursion limit reached}" : "{invalid syntax}");
    }

    /** rustc-demangle's invalid!: mark the parser failed and say so. */
    private void invalid() {
        err = INVALID;
        print("{invalid syntax}");
    }

    /** What parse! does on an already failed parser: a `?` in place of what cannot be parsed. Always true. */
    private boolean failedBefore() {
        if (err != OK) {
            print("?");
            return true;
        }
        return false;
    }

    /** After a parse step: if it failed, print the message and tell the caller to return. */
    private boolean failedNow() {
        if (err != OK) {
            printError();
            return true;
        }
        return false;
    }

    private void printIdent() {
        if (out == null) {
            return;
        }
        if (punyFrom == punyTo) {
            out.ascii(b, identFrom, identTo);
            return;
        }
        int[] decoded = Punycode.decode(b, identFrom, identTo, punyFrom, punyTo, SMALL_PUNYCODE_LEN);
        if (decoded != null) {
            int n = decoded[SMALL_PUNYCODE_LEN];
            for (int i = 0; i < n; i++) {
                out.codePoint(decoded[i]);
            }
            return;
        }
        out.ascii("punycode{");
        if (identFrom != identTo) {
            out.ascii(b, identFrom, identTo);
            out.ascii("-");
        }
        out.ascii(b, punyFrom, punyTo);
        out.ascii("}");
    }

    private void printLifetime(long lt) {
        if (out == null) {
            return; // bound lifetimes are not tracked while printing is off
        }
        print("'");
        if (lt == 0) {
            print("_");
            return;
        }
        if (Long.compareUnsigned(lt, boundLifetimeDepth) > 0) {
            invalid();
            return;
        }
        long d = boundLifetimeDepth - lt;
        if (d < 26) {
            printChar('a' + (int) d);
        } else {
            print("_");
            printDecimal(d);
        }
    }

    private void dispatch(int kind, boolean flag) {
        switch (kind) {
            case PATH -> printPath(flag);
            case TYPE -> printType();
            case CONST -> printConst(flag);
            case GENERIC_ARG -> printGenericArg();
            case DYN_TRAIT -> printDynTrait();
            case FIELD -> printField();
            case FN_SIG -> printFnSig();
            case DYN_BOUNDS -> printSepList(DYN_TRAIT, " + ");
            default -> throw new IllegalArgumentException("kind " + kind);
        }
    }

    /** Elements until `E` (or until the parser fails), separated; the number of elements. */
    private long printSepList(int kind, String separator) {
        long i = 0;
        while (err == OK && !eatRaw('E')) {
            if (i > 0) {
                print(separator);
            }
            dispatch(kind, true);
            i++;
        }
        return i;
    }

    /** Follows a backref (the `B` already eaten) and prints its target; a target's failure is forgotten. */
    private boolean printBackref(int kind, boolean flag) {
        if (failedBefore()) {
            return false;
        }
        long start = pos - 1 - base;
        long target = integer62();
        if (failedNow()) {
            return false;
        }
        if (Long.compareUnsigned(target, start) >= 0) {
            err = INVALID;
            printError();
            return false;
        }
        if (depth + 1 > MAX_DEPTH) {
            err = TOO_DEEP;
            printError();
            return false;
        }
        if (out == null) {
            return false; // while not printing, backrefs are not followed
        }
        int savedPos = pos;
        int savedDepth = depth;
        pos = base + (int) target;
        depth++;
        boolean open = false;
        if (kind == OPEN_GENERICS) {
            open = printPathMaybeOpenGenerics();
        } else {
            dispatch(kind, flag);
        }
        pos = savedPos;
        depth = savedDepth;
        err = OK;
        return open;
    }

    private void inBinder(int kind) {
        if (failedBefore()) {
            return;
        }
        long bound = optInteger62('G');
        if (failedNow()) {
            return;
        }
        if (out == null) {
            dispatch(kind, false);
            return;
        }
        if (bound != 0) {
            print("for<");
            for (long i = 0; Long.compareUnsigned(i, bound) < 0; i++) {
                if (i > 0) {
                    print(", ");
                }
                boundLifetimeDepth++;
                printLifetime(1);
            }
            print("> ");
        }
        dispatch(kind, false);
        boundLifetimeDepth -= bound;
    }

    void printPath(boolean inValue) {
        if (failedBefore()) {
            return;
        }
        if (!pushDepth()) {
            printError();
            return;
        }
        int tag = next();
        if (failedNow()) {
            return;
        }
        switch (tag) {
            case 'C' -> {
                long dis = disambiguator();
                if (failedNow()) {
                    return;
                }
                ident();
                if (failedNow()) {
                    return;
                }
                printIdent();
                if (out != null && !alternate) {
                    out.ascii("[");
                    out.hex(dis);
                    out.ascii("]");
                }
            }
            case 'N' -> {
                int ns = namespace();
                if (failedNow()) {
                    return;
                }
                printPath(inValue);
                if (err != OK) {
                    print("::"); // so that a failure reads `::?`
                }
                if (failedBefore()) {
                    return;
                }
                long dis = disambiguator();
                if (failedNow()) {
                    return;
                }
                ident();
                if (failedNow()) {
                    return;
                }
                if (ns != 0) {
                    print("::{");
                    if (ns == 'C') {
                        print("closure");
                    } else if (ns == 'S') {
                        print("shim");
                    } else {
                        printChar(ns);
                    }
                    if (!identIsEmpty()) {
                        print(":");
                        printIdent();
                    }
                    print("#");
                    printDecimal(dis);
                    print("}");
                } else if (!identIsEmpty()) {
                    print("::");
                    printIdent();
                }
            }
            case 'M', 'X', 'Y' -> {
                if (tag != 'Y') {
                    disambiguator();
                    if (failedNow()) {
                        return;
                    }
                    Output saved = out;
                    out = null; // the impl's own path is not shown
                    printPath(false);
                    out = saved;
                }
                print("<");
                printType();
                if (tag != 'M') {
                    print(" as ");
                    printPath(false);
                }
                print(">");
            }
            case 'I' -> {
                printPath(inValue);
                if (inValue) {
                    print("::");
                }
                print("<");
                printSepList(GENERIC_ARG, ", ");
                print(">");
            }
            case 'B' -> printBackref(PATH, inValue);
            default -> {
                invalid();
                return;
            }
        }
        popDepth();
    }

    private void printGenericArg() {
        if (eat('L')) {
            long lt = integer62();
            if (failedNow()) {
                return;
            }
            printLifetime(lt);
        } else if (eat('K')) {
            printConst(false);
        } else {
            printType();
        }
    }

    private static String basicType(int tag) {
        return switch (tag) {
            case 'b' -> "bool";
            case 'c' -> "char";
            case 'e' -> "str";
            case 'u' -> "()";
            case 'a' -> "i8";
            case 's' -> "i16";
            case 'l' -> "i32";
            case 'x' -> "i64";
            case 'n' -> "i128";
            case 'i' -> "isize";
            case 'h' -> "u8";
            case 't' -> "u16";
            case 'm' -> "u32";
            case 'y' -> "u64";
            case 'o' -> "u128";
            case 'j' -> "usize";
            case 'f' -> "f32";
            case 'd' -> "f64";
            case 'z' -> "!";
            case 'p' -> "_";
            case 'v' -> "...";
            default -> null;
        };
    }

    private void printType() {
        if (failedBefore()) {
            return;
        }
        int tag = next();
        if (failedNow()) {
            return;
        }
        String basic = basicType(tag);
        if (basic != null) {
            print(basic);
            return;
        }
        if (!pushDepth()) {
            printError();
            return;
        }
        switch (tag) {
            case 'R', 'Q' -> {
                print("&");
                if (eat('L')) {
                    long lt = integer62();
                    if (failedNow()) {
                        return;
                    }
                    if (lt != 0) {
                        printLifetime(lt);
                        print(" ");
                    }
                }
                if (tag != 'R') {
                    print("mut ");
                }
                printType();
            }
            case 'P', 'O' -> {
                print("*");
                print(tag != 'P' ? "mut " : "const ");
                printType();
            }
            case 'A', 'S' -> {
                print("[");
                printType();
                if (tag == 'A') {
                    print("; ");
                    printConst(true);
                }
                print("]");
            }
            case 'T' -> {
                print("(");
                long count = printSepList(TYPE, ", ");
                if (count == 1) {
                    print(",");
                }
                print(")");
            }
            case 'F' -> inBinder(FN_SIG);
            case 'D' -> {
                print("dyn ");
                inBinder(DYN_BOUNDS);
                if (!eat('L')) {
                    invalid();
                    return;
                }
                long lt = integer62();
                if (failedNow()) {
                    return;
                }
                if (lt != 0) {
                    print(" + ");
                    printLifetime(lt);
                }
            }
            case 'B' -> printBackref(TYPE, false);
            default -> {
                pos--; // the tag starts a path
                printPath(false);
            }
        }
        popDepth();
    }

    private void printFnSig() {
        boolean isUnsafe = eat('U');
        boolean hasAbi = false;
        boolean abiC = false;
        int abiFrom = 0;
        int abiTo = 0;
        if (eat('K')) {
            hasAbi = true;
            if (eat('C')) {
                abiC = true;
            } else {
                if (failedBefore()) {
                    return;
                }
                ident();
                if (failedNow()) {
                    return;
                }
                if (identFrom == identTo || punyFrom != punyTo) {
                    invalid();
                    return;
                }
                abiFrom = identFrom;
                abiTo = identTo;
            }
        }
        if (isUnsafe) {
            print("unsafe ");
        }
        if (hasAbi) {
            print("extern \"");
            if (abiC) {
                print("C");
            } else {
                // a `-` in the ABI name was mangled as `_`
                int part = abiFrom;
                for (int i = abiFrom; i < abiTo; i++) {
                    if (b[i] == '_') {
                        printAscii(part, i);
                        print("-");
                        part = i + 1;
                    }
                }
                printAscii(part, abiTo);
            }
            print("\" ");
        }
        print("fn(");
        printSepList(TYPE, ", ");
        print(")");
        if (!eat('u')) {
            print(" -> ");
            printType();
        }
    }

    /** A trait path whose `<...>` is left open (returns true) so that associated-type bindings can follow. */
    private boolean printPathMaybeOpenGenerics() {
        if (eat('B')) {
            return printBackref(OPEN_GENERICS, false);
        } else if (eat('I')) {
            printPath(false);
            print("<");
            printSepList(GENERIC_ARG, ", ");
            return true;
        } else {
            printPath(false);
            return false;
        }
    }

    private void printDynTrait() {
        boolean open = printPathMaybeOpenGenerics();
        while (eat('p')) {
            if (!open) {
                print("<");
                open = true;
            } else {
                print(", ");
            }
            ident();
            if (failedNow()) {
                return;
            }
            printIdent();
            print(" = ");
            printType();
        }
        if (open) {
            print(">");
        }
    }

    private void printField() {
        if (failedBefore()) {
            return;
        }
        disambiguator();
        if (failedNow()) {
            return;
        }
        ident();
        if (failedNow()) {
            return;
        }
        printIdent();
        print(": ");
        printConst(true);
    }

    private void printConst(boolean inValue) {
        if (failedBefore()) {
            return;
        }
        int tag = next();
        if (failedNow()) {
            return;
        }
        if (!pushDepth()) {
            printError();
            return;
        }
        boolean openedBrace = false;
        switch (tag) {
            case 'p' -> print("_");
            case 'h', 't', 'm', 'y', 'o', 'j' -> printConstUint(tag);
            case 'a', 's', 'l', 'x', 'n', 'i' -> {
                if (eat('n')) {
                    print("-");
                }
                printConstUint(tag);
            }
            case 'b' -> {
                if (!readHexNibbles()) {
                    return;
                }
                long v = parseUint();
                if (uintFits && v == 0) {
                    print("false");
                } else if (uintFits && v == 1) {
                    print("true");
                } else {
                    invalid();
                    return;
                }
            }
            case 'c' -> {
                if (!readHexNibbles()) {
                    return;
                }
                long v = parseUint();
                if (!uintFits || v < 0 || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) {
                    invalid();
                    return;
                }
                printQuoted('\'', -1, -1, (int) v);
            }
            case 'e' -> {
                if (!inValue) {
                    openedBrace = true;
                    print("{");
                }
                print("*");
                printConstStrLiteral();
            }
            case 'R', 'Q' -> {
                if (tag == 'R' && eat('e')) {
                    printConstStrLiteral();
                } else {
                    if (!inValue) {
                        openedBrace = true;
                        print("{");
                    }
                    print("&");
                    if (tag != 'R') {
                        print("mut ");
                    }
                    printConst(true);
                }
            }
            case 'A' -> {
                if (!inValue) {
                    openedBrace = true;
                    print("{");
                }
                print("[");
                printSepList(CONST, ", ");
                print("]");
            }
            case 'T' -> {
                if (!inValue) {
                    openedBrace = true;
                    print("{");
                }
                print("(");
                long count = printSepList(CONST, ", ");
                if (count == 1) {
                    print(",");
                }
                print(")");
            }
            case 'V' -> {
                if (!inValue) {
                    openedBrace = true;
                    print("{");
                }
                printPath(true);
                if (failedBefore()) {
                    return;
                }
                int kind = next();
                if (failedNow()) {
                    return;
                }
                switch (kind) {
                    case 'U' -> {
                    }
                    case 'T' -> {
                        print("(");
                        printSepList(CONST, ", ");
                        print(")");
                    }
                    case 'S' -> {
                        print(" { ");
                        printSepList(FIELD, ", ");
                        print(" }");
                    }
                    default -> {
                        invalid();
                        return;
                    }
                }
            }
            case 'B' -> printBackref(CONST, inValue);
            default -> {
                invalid();
                return;
            }
        }
        if (openedBrace) {
            print("}");
        }
        popDepth();
    }

    private void printConstUint(int tag) {
        if (!readHexNibbles()) {
            return;
        }
        long v = parseUint();
        if (uintFits) {
            printDecimal(v);
        } else {
            print("0x");
            printAscii(hexFrom, hexTo);
        }
        if (out != null && !alternate) {
            out.ascii(basicType(tag));
        }
    }

    private void printConstStrLiteral() {
        if (!readHexNibbles()) {
            return;
        }
        if (!Utf8Nibbles.isValid(b, hexFrom, hexTo)) {
            invalid();
            return;
        }
        printQuoted('"', hexFrom, hexTo, -1);
    }

    /** A quoted, escaped char (cp) or string (UTF-8 in hex nibbles [from, to)), one write per character. */
    private void printQuoted(char quote, int from, int to, int cp) {
        if (out == null) {
            return;
        }
        out.asciiChar(quote);
        if (cp >= 0) {
            quotedChar(quote, cp);
        } else {
            int p = from;
            while (p < to) {
                long r = Utf8Nibbles.next(b, p, to);
                quotedChar(quote, (int) (r >>> 32));
                p = (int) r;
            }
        }
        out.asciiChar(quote);
    }

    private void quotedChar(char quote, int cp) {
        if ((quote == '\'' && cp == '"') || (quote == '"' && cp == '\'')) {
            out.codePoint(cp);
        } else {
            CharEscape.escapeDebug(cp, out);
        }
    }
}
