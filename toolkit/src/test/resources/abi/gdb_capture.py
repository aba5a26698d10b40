# Runs inside gdb (gdb -batch -x gdb_capture.py): breaks at the raw entry address of every listed function and at
# the return address each call will come back to, and records raw registers, stack words and memory behind them.
# It reads no DWARF: only the machine state, which is the truth the ABI model and DWARF locations are checked against.
# It also breaks at the first address of each code range of the inlined sample_rust::inline helpers and records
# every general register there (an "inline" event), for the inlined-site value plans.
# Environment: CAPTURE_ADDRS (file: one "hexaddr" per line), CAPTURE_OUT (JSON lines), CAPTURE_STDOUT (program stdout),
# CAPTURE_INLINE (optional file: one "hexaddr<TAB>call_line" per line, link-time range starts of inlined sites).
import gdb, json, os

ARG_REGS = ["rdi", "rsi", "rdx", "rcx", "r8", "r9"]
ALL_REGS = ["rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"]
RET_REGS = ["rax", "rdx"]
DUMP = 64  # bytes read behind every plausible pointer

out = open(os.environ["CAPTURE_OUT"], "w")
inferior = None
pending = {}  # tid -> list of (entry_rsp, hit number)
ret_bps = {}
hits = [0]

def reg(name):
    return int(gdb.parse_and_eval("$" + name)) & 0xFFFFFFFFFFFFFFFF

def xmm(i):
    v = gdb.parse_and_eval("$xmm%d" % i)["v2_int64"]
    return int(v[0]) & 0xFFFFFFFFFFFFFFFF

def read(addr, n):
    try:
        return bytes(gdb.selected_inferior().read_memory(addr, n))
    except Exception:
        return None

def dump_behind(words, mem, depth):
    # Memory behind each word that is a readable address, and behind the words found there (depth levels).
    frontier = [w for w in words if w > 0x1000]
    for _ in range(depth):
        nxt = []
        for w in frontier:
            if w in mem:
                continue
            b = read(w, DUMP)
            if b is None:
                continue
            mem[w] = b.hex()
            nxt += [int.from_bytes(b[i:i + 8], "little") for i in range(0, DUMP, 8)]
        frontier = [w for w in nxt if w > 0x1000]
    return mem

def tid():
    return gdb.selected_thread().ptid[1]

class RetBreak(gdb.Breakpoint):
    def stop(self):
        t, rsp = tid(), reg("rsp")
        for i, (entry_rsp, n) in enumerate(pending.get(t, [])):
            if entry_rsp + 8 == rsp:
                del pending[t][i]
                regs = {r: reg(r) for r in RET_REGS}
                regs["xmm0"], regs["xmm1"] = xmm(0), xmm(1)
                mem = dump_behind([regs["rax"], regs["rdx"]], {}, 3)
                out.write(json.dumps({"event": "return", "hit": n, "tid": t,
                                      "regs": {k: "%x" % v for k, v in regs.items()},
                                      "mem": {"%x" % k: v for k, v in mem.items()}}) + "\n")
                break
        return False

class EntryBreak(gdb.Breakpoint):
    def stop(self):
        t, rsp = tid(), reg("rsp")
        # frames deeper than this entry are gone (an unwind skipped their returns)
        pending[t] = [p for p in pending.get(t, []) if p[0] > rsp]
        hits[0] += 1
        n = hits[0]
        regs = {r: reg(r) for r in ARG_REGS + ["rax", "rsp"]}
        for i in range(8):
            regs["xmm%d" % i] = xmm(i)
        stack = read(rsp, 8 * 9)
        words = [int.from_bytes(stack[i:i + 8], "little") for i in range(0, len(stack), 8)]
        mem = dump_behind([regs[r] for r in ARG_REGS] + words[1:], {}, 3)
        out.write(json.dumps({"event": "entry", "hit": n, "tid": t, "addr": self.link_addr,
                              "regs": {k: "%x" % v for k, v in regs.items()},
                              "stack": ["%x" % w for w in words],
                              "mem": {"%x" % k: v for k, v in mem.items()}}) + "\n")
        ret = words[0]
        pending[t].append((rsp, n))
        if ret not in ret_bps:
            ret_bps[ret] = RetBreak("*0x%x" % ret, internal=True)
        return False

class InlineBreak(gdb.Breakpoint):
    def stop(self):
        hits[0] += 1
        regs = {r: reg(r) for r in ALL_REGS}
        stack = read(regs["rsp"], 8 * 9)
        words = [int.from_bytes(stack[i:i + 8], "little") for i in range(0, len(stack), 8)]
        mem = dump_behind(list(regs.values()) + words, {}, 2)
        out.write(json.dumps({"event": "inline", "hit": hits[0], "tid": tid(), "addr": self.link_addr,
                              "line": self.call_line, "regs": {k: "%x" % v for k, v in regs.items()},
                              "stack": ["%x" % w for w in words],
                              "mem": {"%x" % k: v for k, v in mem.items()}}) + "\n")
        return False

gdb.execute("set pagination off")
gdb.execute("set confirm off")
gdb.execute("set print thread-events off")
# Addresses are link-time; run to main's start first so the PIE base is known.
gdb.execute("starti > " + os.environ["CAPTURE_STDOUT"])
base = None
for line in gdb.execute("info proc mappings", to_string=True).splitlines():
    parts = line.split()
    if len(parts) >= 5 and parts[-1].endswith(os.path.basename(gdb.current_progspace().filename)):
        base = int(parts[0], 16) - int(parts[3], 16) if base is None else base
        break
for a in open(os.environ["CAPTURE_ADDRS"]):
    a = a.strip()
    if a:
        bp = EntryBreak("*0x%x" % (base + int(a, 16)), internal=True)
        bp.link_addr = "%x" % int(a, 16)
if os.environ.get("CAPTURE_INLINE"):
    for line in open(os.environ["CAPTURE_INLINE"]):
        if line.strip():
            a, call_line = line.split()
            bp = InlineBreak("*0x%x" % (base + int(a, 16)), internal=True)
            bp.link_addr, bp.call_line = "%x" % int(a, 16), int(call_line)
out.write(json.dumps({"event": "base", "base": "%x" % base}) + "\n")
gdb.execute("continue")
out.close()
