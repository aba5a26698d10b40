#!/usr/bin/env python3
# bench/trace/child-time.py MARKER -- COMMAND...: runs COMMAND (a tracer that starts the traced program) and reports
# how long a process whose command line contains MARKER ran (polling /proc), and the tracer's time before and after.
import os, subprocess, sys, time
marker = sys.argv[1]; cmd = sys.argv[3:]
t0 = time.time(); p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
seen = None; gone = None; me = str(os.getpid())
def alive():
    for d in os.listdir('/proc'):
        if d.isdigit() and d != me:
            try:
                c = open('/proc/%s/cmdline' % d, 'rb').read().replace(b'\0', b' ').decode()
            except OSError: continue
            if marker in c and 'phases.py' not in c and 'java' not in c and 'rustprobe' not in c and 'bpftrace' not in c: return True
    return False
while p.poll() is None:
    a = alive()
    if a and seen is None: seen = time.time()
    if not a and seen is not None and gone is None: gone = time.time()
    time.sleep(0.02)
end = time.time()
if gone is None: gone = end
print("start->child %.2f s, child ran %.2f s, child exit->end %.2f s" % ((seen or end) - t0, gone - (seen or end), end - gone))
