// Executes a FetchPlan the way the BPF program does, against a capture standing in for the process (a gdb
// capture, or a hand-made one): every register is recorded, and of memory only what the plan's reads fetched.
// Decoding from the result proves the plan reads everything the decoder needs.
package dev.rustprobe.abi;

import dev.rustprobe.probe.FetchPlan;
import dev.rustprobe.probe.RecordedCapture;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

final class FetchPlanExecutor {
    private static final String[] GPRS = {"rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp", "r8", "r9", "r10",
        "r11", "r12", "r13", "r14", "r15"};

    private FetchPlanExecutor() {}

    static RecordedCapture run(FetchPlan plan, Capture process) {
        Map<String, Long> regs = new LinkedHashMap<>();
        for (String r : GPRS) {
            OptionalLong v = process.register(r);
            if (v.isPresent()) {
                regs.put(r, v.getAsLong());
            }
        }
        List<byte[]> results = new ArrayList<>();
        for (FetchPlan.Read r : plan.reads()) {
            Long base = RecordedCapture.word(r.base(), regs, results);
            long length = r.fixedLength();
            if (r.lengthFrom() != null) {
                Long count = RecordedCapture.word(r.lengthFrom(), regs, results);
                // an unsigned count times the element size, clamped: a garbage count reads maxLength
                boolean huge = count == null || count < 0 || count > r.maxLength() / Math.max(1, r.elementSize());
                length = count == null ? 0 : huge ? r.maxLength() : Math.min(count * r.elementSize(), r.maxLength());
                base = count == null ? null : base;
            }
            results.add(base == null ? null : length == 0 ? new byte[0] : process.memory(base + r.offset(), (int) length));
        }
        return new RecordedCapture(plan, regs, results, process.loadBias());
    }
}
