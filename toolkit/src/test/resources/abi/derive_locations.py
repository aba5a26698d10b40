#!/usr/bin/env python3
# Derives, from gdb captures (gdb_capture.py) and the program's own truth lines, where each parameter and return
# value really was: it encodes each truth value from its Rust source type and searches the raw registers, stack
# and memory for it. It reads no DWARF. Usage: derive_locations.py SRC_DIR CAPTURE.jsonl STDOUT ADDRS.tsv > truth.tsv
import json, re, struct, sys, itertools, glob, os

src_dir, cap_path, stdout_path, addrs_path = sys.argv[1:5]
ARG = ["rdi", "rsi", "rdx", "rcx", "r8", "r9"]
XMM = ["xmm%d" % i for i in range(8)]
INT_W = {"u8": 1, "i8": 1, "u16": 2, "i16": 2, "u32": 4, "i32": 4, "u64": 8, "i64": 8, "usize": 8, "isize": 8,
         "bool": 1, "char": 4}

# ---- source types: function signatures and struct fields, read from the Rust source ----
sigs, structs = {}, {}

def split_top(text):
    # splits at commas outside (), [], <> (a "->" is not a bracket)
    parts, depth, cur, prev = [], 0, "", ""
    for ch in text:
        if ch in "([<":
            depth += 1
        elif ch in ")]>" and not (ch == ">" and prev == "-"):
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(cur.strip()); cur = ""
        else:
            cur += ch
        prev = ch
    if cur.strip():
        parts.append(cur.strip())
    return parts

for path in sorted(glob.glob(os.path.join(src_dir, "*.rs"))):
    mod = os.path.basename(path)[:-3]
    if mod in ("main", "truth", "lib"):
        continue
    impl = None
    text = open(path).read()
    for m in re.finditer(r"pub struct (\w+)\s*\{([^}]*)\}", text):
        structs[m.group(1)] = [(f, t.strip()) for f, t in re.findall(r"pub (\w+):\s*([^,\n]+)", m.group(2))]
    for m in re.finditer(r"pub struct (\w+)\(pub (\w+)\);", text):
        structs[m.group(1)] = [("0", m.group(2))]
    for line in text.splitlines():
        mi = re.match(r"impl (?:(\w+) for )?(\w+) \{", line)
        if mi:
            tr, ty = mi.group(1), mi.group(2)
            impl = ("<sample_rust::%s::%s as sample_rust::%s::%s>" % (mod, ty, mod, tr)) if tr else \
                ("<sample_rust::%s::%s>" % (mod, ty))
            impl_ty = ty
            continue
        if line.startswith("}"):
            impl = None
        mf = re.match(r"\s*(?:pub )?fn (\w+)(?:<[^>]*>)?\(", line)
        if mf:
            body, depth, i = "", 1, mf.end()
            while depth:
                ch = line[i]; i += 1
                depth += ch in "([<" and 1 or 0
                depth -= ch in ")]>" and line[i - 2:i] != "->" and 1 or 0
                if depth:
                    body += ch
            mr = re.match(r"\s*-> (.+?) \{", line[i:])
            name = (impl + "::" if impl else "sample_rust::%s::" % mod) + mf.group(1)
            params = []
            for p in split_top(body):
                if p in ("&self", "self", "&mut self"):
                    params.append(("self", ("&" if p.startswith("&") else "") + impl_ty))
                else:
                    n, t = p.split(":", 1)
                    params.append((n.strip(), t.strip()))
            sigs[name] = (params, (mr.group(1) if mr else "()").strip())
sigs["sample_rust::closures::make_adder::{closure#0}"] = ([("x", "u32")], "u32")
sigs["sample_rust::closures::make_scaler::{closure#0}"] = ([("x", "u64")], "u64")

def signature(fn):
    m = re.match(r"(.*)::<(.*)>$", fn)
    if m and m.group(1) in sigs:  # a generic copy: substitute T / impl Area by the type argument
        params, ret = sigs[m.group(1)]
        arg = m.group(2).split("::")[-1]
        sub = lambda t: re.sub(r"\bT\b", arg, t.replace("impl Area", arg))
        return [(n, sub(t)) for n, t in params], sub(ret)
    return sigs.get(fn)

# ---- Rust {:?} values ----
def parse_value(s):
    pos = [0]
    def ws():
        while pos[0] < len(s) and s[pos[0]] == " ":
            pos[0] += 1
    def val():
        ws()
        c = s[pos[0]]
        if c == '"':
            pos[0] += 1
            out = ""
            while s[pos[0]] != '"':
                if s[pos[0]] == "\\":
                    e = s[pos[0] + 1]
                    if e == "u":
                        j = s.index("}", pos[0])
                        out += chr(int(s[pos[0] + 3:j], 16)); pos[0] = j + 1; continue
                    out += {"n": "\n", "t": "\t", "r": "\r", "0": "\0"}.get(e, e); pos[0] += 2; continue
                out += s[pos[0]]; pos[0] += 1
            pos[0] += 1
            return ("str", out)
        if c == "'":
            j = s.index("'", pos[0] + 1)
            body = s[pos[0] + 1:j]; pos[0] = j + 1
            return ("char", body if not body.startswith("\\") else {"\\n": "\n", "\\'": "'"}.get(body, body))
        if c in "[(":
            close = "])"["[(".index(c)]; pos[0] += 1; items = []
            ws()
            while s[pos[0]] != close:
                items.append(val()); ws()
                if s[pos[0]] == ",":
                    pos[0] += 1; ws()
            pos[0] += 1
            return ("list" if c == "[" else "tuple", items)
        m = re.compile(r"-?[0-9][0-9a-z.+\-]*").match(s, pos[0])
        if m:
            pos[0] = m.end(); t = m.group(0)
            return ("float", float(t)) if any(x in t for x in ".e") or t in ("inf", "NaN") else ("int", int(t))
        m = re.compile(r"[A-Za-z_]\w*").match(s, pos[0]); pos[0] = m.end(); name = m.group(0)
        if name in ("true", "false"):
            return ("bool", name == "true")
        ws()
        if pos[0] < len(s) and s[pos[0]] == "(":
            return ("variant", name, val()[1])
        if pos[0] < len(s) and s[pos[0]] == "{":
            pos[0] += 1; fields = []
            while True:
                ws()
                if s[pos[0]] == "}":
                    pos[0] += 1; break
                m = re.compile(r"(\w+):").match(s, pos[0]); pos[0] = m.end()
                fields.append((m.group(1), val())); ws()
                if s[pos[0]] == ",":
                    pos[0] += 1
            return ("struct", name, fields)
        return ("unit", name)
    m = re.match(r"<closure k=(\d+)>$", s)
    if m:
        return ("closure", int(m.group(1)))  # a closure capturing k (u32)
    if s.startswith("<"):
        return None  # <closure ...>: no value to search for
    return val()

# ---- leaves: (kind, width, content) to search for; None = content unknown (a None payload) ----
def i2b(v, w):
    return (v & ((1 << (8 * w)) - 1)).to_bytes(w, "little")

def elem_bytes(t, v):
    return b"".join(x[2] for x in leaves(t, v))

def leaves(t, v):
    t = t.strip()
    if t in INT_W:
        w = INT_W[t]
        n = v[1] if v[0] == "int" else (int(v[1]) if v[0] == "bool" else ord(v[1]))
        return [("int", w, i2b(n, w))]
    if t in ("u128", "i128"):
        b = i2b(v[1], 16)
        return [("int", 8, b[:8]), ("int", 8, b[8:])]
    if t in ("f64", "f32"):
        return [("float", 8 if t == "f64" else 4, struct.pack("<d" if t == "f64" else "<f", v[1]))]
    if t in ("&str", "String"):
        b = v[1].encode()
        return [("ptr_bytes", 8, b if b else None), ("int", 8, i2b(len(b), 8))]
    m = re.match(r"(?:&\[|Vec<)(.*)[\]>]$", t)
    if m:
        b = b"".join(elem_bytes(m.group(1), x) for x in v[1])
        return [("ptr_bytes", 8, b if b else None), ("int", 8, i2b(len(v[1]), 8))]
    m = re.match(r"\[(\w+); (\d+)\]$", t)
    if m:
        return [l for x in v[1] for l in leaves(m.group(1), x)]
    if t.startswith("(") and t.endswith(")"):
        parts = split_top(t[1:-1])
        return [l for pt, x in zip(parts, v[1]) for l in leaves(pt, x)]
    if t.startswith("&dyn"):
        # the data pointer points at the concrete value (its struct name is in the {:?} text), then the vtable
        pointee = [("int", 4, i2b(v[1], 4))] if v[0] == "closure" else leaves(v[1], v)
        return [("ptr_to", 8, pointee), ("vtable", 8, True)]
    m = re.match(r"&(?:mut )?(.*)$", t)
    if m:
        return [("ptr_to", 8, leaves(m.group(1), v))]
    m = re.match(r"Option<(.*)>$", t)
    if m:
        inner = m.group(1)
        some = v[0] == "variant" and v[1] == "Some"
        if inner.startswith("&"):
            return leaves(inner, v[2][0]) if some else [("int", 8, i2b(0, 8))]
        if inner == "char":
            return [("int", 4, i2b(ord(v[2][0][1]) if some else 0x110000, 4))]
        if inner == "bool":
            return [("int", 1, i2b(int(v[2][0][1]) if some else 2, 1))]
        if inner == "Option<u8>":
            if not some:
                return [("int", 1, i2b(2, 1)), ("int", 1, None)]
            iv = v[2][0]
            return [("int", 1, i2b(1, 1)), ("int", 1, i2b(iv[2][0][1], 1))] if iv[0] == "variant" else \
                [("int", 1, i2b(0, 1)), ("int", 1, None)]
        w = INT_W[inner]
        return [("int", w, i2b(1 if some else 0, w))] + (leaves(inner, v[2][0]) if some else [("int", w, None)])
    m = re.match(r"Result<(\w+), ?(\w+)>$", t)
    if m:
        ok = v[1] == "Ok"
        if m.group(2) == "String":  # niche in the String's capacity: Ok is 0x8000000000000000
            return [("int", 8, i2b(1 << 63, 8)), ("int", 8, i2b(v[2][0][1], 8))] if ok else leaves("String", v[2][0])
        w = INT_W[m.group(1)]
        return [("int", w, i2b(0 if ok else 1, w))] + leaves(m.group(1 if ok else 2), v[2][0])
    if t == "Color":
        return [("int", 1, i2b({"Red": 0, "Green": 1, "Blue": 7}[v[1]], 1))]
    if t == "Level":
        return [("int", 4, i2b({"Low": 10, "High": 20000}[v[1]], 4))]
    if t == "Shape":
        return [l for _, x in (v[2] if v[0] == "struct" else []) for l in leaves("u32", x)] or [("int", 4, None)]
    if t == "Token":
        return leaves("String", v[2][0]) if v[0] == "variant" else [("int", 8, None)]
    if t == "Marker":
        return []
    if t in structs:
        fields = dict(v[2]) if v[0] == "struct" else {"0": v[2][0]} if v[0] == "variant" else {}
        return [l for f, ft in structs[t] for l in leaves(ft, fields[f])]
    raise ValueError("no encoding for type " + t)

# ---- searching a capture ----
class State:
    def __init__(self, ev, regs):
        self.regs = {k: int(x, 16) for k, x in ev["regs"].items()}
        self.names = regs
        self.stack = [int(w, 16) for w in ev.get("stack", [])]
        self.mem = {int(k, 16): bytes.fromhex(b) for k, b in ev["mem"].items()}

    def read(self, addr, n):
        for base, b in self.mem.items():
            if base <= addr and addr + n <= base + len(b):
                return b[addr - base:addr - base + n]
        return None

    def slots(self):
        # every place a scalar can be: argument registers and stack words above the return address
        out = [(r, self.regs[r]) for r in self.names]
        out += [("[rsp+%d]" % (8 * i), w) for i, w in enumerate(self.stack) if i > 0]
        return out

def matches_at(st, leaf, word, mem_addr=None):
    kind, w, content = leaf
    if content is None:
        return True
    if kind in ("int", "float"):
        return i2b(word, 8)[:w] == content
    if kind == "ptr_bytes":
        return st.read(word, len(content)) == content
    if kind == "ptr_to":
        return content is None or contained(st, word, content)
    if kind == "vtable":
        size, align = st.read(word + 8, 8), st.read(word + 16, 8)
        return size is not None and align is not None and 0 < int.from_bytes(size, "little") <= 4096 \
            and int.from_bytes(align, "little") in (1, 2, 4, 8, 16)
    return False

def contained(st, addr, lvs):
    # every leaf somewhere in the 64 bytes at addr, at an offset aligned to its width, each at its own offset
    used = set()
    for leaf in lvs:
        found = False
        for off in range(0, 64, max(1, min(leaf[1], 8))):
            if off in used:
                continue
            b = st.read(addr + off, 8) or (st.read(addr + off, leaf[1]) + b"\0" * 8 if st.read(addr + off, leaf[1]) else None)
            if b is None:
                continue
            word = int.from_bytes(b[:8], "little")
            if leaf[0] in ("int", "float") and leaf[2] is not None and b[:leaf[1]] != leaf[2]:
                continue
            if matches_at(st, leaf, word):
                used.add(off); found = True; break
        if not found:
            return False
    return bool(lvs)

def candidates(st, lvs, floats):
    """Location strings under which all leaves are found (each form: pieces, packed register, pointer)."""
    out = set()
    if not lvs:
        return {"-"}
    per = []
    for leaf in lvs:
        if leaf[2] is None:
            per.append(["*"])
            continue
        places = [n for n, wv in st.slots() if leaf[0] != "float" and matches_at(st, leaf, wv)]
        if leaf[0] == "float":
            places += [x for x in floats if i2b(st.regs[x], 8)[:leaf[1]] == leaf[2]]
            places += [n for n, wv in st.slots() if n.startswith("[") and i2b(wv, 8)[:leaf[1]] == leaf[2]]
        if leaf[0] == "ptr_to":
            # a promoted reference: the register holds the referent itself
            if leaf[2] and len(leaf[2]) == 1 and leaf[2][0][0] == "int":
                places += ["=" + n for n, wv in st.slots() if matches_at(st, leaf[2][0], wv)]
        per.append(places)
    for combo in itertools.islice(itertools.product(*per), 64):
        real = [c for c in combo if c != "*"]
        if len(set(real)) == len(real) and all(per):
            out.add(":".join(combo))
    total = sum(l[1] for l in lvs)
    if len(lvs) > 1 and total <= 8 and all(l[2] is not None and l[0] == "int" for l in lvs):
        packed = b"".join(l[2] for l in lvs)
        out |= {n for n, wv in st.slots() if i2b(wv, 8)[:len(packed)] == packed}
    ptr_leaves = [l for l in lvs if l[2] is not None]
    if ptr_leaves:
        out |= {"*" + n for n, wv in st.slots() if contained(st, wv, ptr_leaves)}
    return out

def unify(sets):
    # intersect what each call allows; '*' (an unknown leaf in that call) matches anything
    def ok(c, s):
        return any(len(c.split(":")) == len(x.split(":")) and all(a == b or b == "*" for a, b in
                   zip(c.split(":"), x.split(":"))) or c == x for x in s)
    full = [s for s in sets if not any("*" in x for x in s)]
    base = set.intersection(*full) if full else set(sets[0])
    for s in sets:
        base = {c for c in base if ok(c, s)}
    return base

# ---- matching hits to truth lines ----
addr_of = {}  # truth function -> group key
for line in open(addrs_path):
    fn, key = line.rstrip("\n").split("\t")
    addr_of[fn] = key
lines = [l.rstrip("\n").split("\t") for l in open(stdout_path, encoding="utf-8")]
calls = [l for l in lines if l[0] in ("CALL", "NESTED", "PANIC")]
events = [json.loads(l) for l in open(cap_path)]
entries = [e for e in events if e["event"] == "entry"]
returns = {e["hit"]: e for e in events if e["event"] == "return"}
group_addrs = {}
for fn, key in addr_of.items():
    group_addrs.setdefault(key, set())
by_group = {}
for e in entries:
    by_group.setdefault((e["group"] if "group" in e else None, e["tid"]), [])
addr_group = {}
for line in open(addrs_path + ".addrs"):
    a, key = line.rstrip("\n").split("\t")
    addr_group[a] = key
hits_by = {}
for e in entries:
    hits_by.setdefault((addr_group[e["addr"]], e["tid"]), []).append(e)
lines_by = {}
for l in calls:
    if l[2] in addr_of:
        lines_by.setdefault((addr_of[l[2]], int(l[1])), []).append(l)

results = {}  # (function, param) -> list of candidate sets
problems = []
for key, ls in lines_by.items():
    hs = hits_by.get(key, [])
    if len(hs) != len(ls):
        problems.append("%s tid %d: %d hits, %d truth lines" % (key[0], key[1], len(hs), len(ls)))
        continue
    for l, h in zip(ls, hs):
        sig = signature(l[2])
        if sig is None:
            problems.append("no source signature for " + l[2])
            continue
        params, ret = sig
        args = dict(f.split("=", 1) for f in l[3:] if "=" in f and not f.startswith("-> "))
        st = State(h, ARG)
        for pn, pt in params:
            v = parse_value(args[pn])
            c = {"?"} if v is None else candidates(st, leaves(pt, v), XMM)
            results.setdefault((l[2], pn), []).append(c or {"?"})
        retv = [f[3:] for f in l[3:] if f.startswith("-> ")]
        if l[0] != "PANIC" and h["hit"] in returns and retv:
            rst = State(returns[h["hit"]], ["rax", "rdx"])
            v = parse_value(retv[0])
            c = {"?"} if v is None else candidates(rst, leaves(ret, v), ["xmm0", "xmm1"])
            c = {x for x in c if not x.startswith("*") or x == "*rax"} if c != {"?"} else c
            results.setdefault((l[2], "return"), []).append(c or {"?"})

print("# function\tparam\tlocation (alternatives separated by |; ':' separates pieces in declaration order)")
for (fn, pn), sets in sorted(results.items()):
    u = unify(sets)
    print("%s\t%s\t%s" % (fn, pn, "|".join(sorted(u)) if u else "?"))
for p in problems:
    print("# problem: " + p, file=sys.stderr)
