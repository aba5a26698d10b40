// Writes the values of one session's records in its output form (text or JSON) as they are drained: every site's
// values compiled once (CompiledValue), each value written straight from the record, and decoded by the Decoder
// only where the fast path gives up. What it returns is what EventFormat prints between the call's parentheses
// (or inside "args":{...}) and after " -> " (or "ret":).
package dev.rustprobe.trace;

import dev.rustprobe.abi.RustValue;
import dev.rustprobe.abi.SiteValue;
import dev.rustprobe.probe.ProbeRecord;
import dev.rustprobe.probe.ProbeSite;
import dev.rustprobe.probe.RecordLayout;
import dev.rustprobe.text.Utf8Buffer;

import java.nio.charset.StandardCharsets;
import java.util.List;

public final class RecordRenderer {
    private final boolean json;
    private final Site[] sites;
    private final CompiledValue.Scratch scratch = new CompiledValue.Scratch();
    private final Utf8Buffer buffer = new Utf8Buffer(1024);
    private long fast;
    private long decoded;

    /** One site's values, compiled, and the name each is printed under ("id: " or "\"id\":"). */
    private record Site(CompiledValue[] values, byte[][] names, byte[] noValue) {}

    /** sites: the plan's sites by id; layouts: the layout of each site's records, by id. */
    public RecordRenderer(List<ProbeSite> sites, RecordLayout[] layouts, boolean json) {
        this.json = json;
        this.sites = new Site[layouts.length];
        for (ProbeSite s : sites) {
            List<SiteValue> vs = s.values();
            CompiledValue[] values = new CompiledValue[vs.size()];
            byte[][] names = new byte[vs.size()][];
            for (int i = 0; i < values.length; i++) {
                values[i] = CompiledValue.compile(vs.get(i), layouts[s.id()]);
                String name = vs.get(i).name();
                names[i] = (json ? RustValue.jsonString(name) + ":" : name + ": ").getBytes(StandardCharsets.UTF_8);
            }
            // a return with no value planned: () when DWARF describes the function, else unknown
            String none = s.described() ? (json ? RustValue.toJson(TraceSession.UNIT) : RustValue.render(TraceSession.UNIT))
                    : json ? "null" : "?";
            this.sites[s.id()] = new Site(values, names, none.getBytes(StandardCharsets.UTF_8));
        }
    }

    public boolean json() {
        return json;
    }

    /** A call's arguments: "id: 7, name: \"x\"" (text) or "\"id\":7,\"name\":\"x\"" (JSON). */
    public byte[] args(ProbeSite site, ProbeRecord r) {
        Site s = sites[site.id()];
        buffer.clear();
        if (s.values.length > 0) {
            scratch.load(r);
        }
        for (int i = 0; i < s.values.length; i++) {
            if (i > 0) {
                if (json) {
                    buffer.put(',');
                } else {
                    buffer.put(',').put(' ');
                }
            }
            buffer.put(s.names[i]);
            write(s.values[i], r, buffer);
        }
        return buffer.copy(0);
    }

    /** A return's value: the site's single value, or what a return without one prints. */
    public byte[] ret(ProbeSite site, ProbeRecord r) {
        Site s = sites[site.id()];
        if (s.values.length == 0) {
            return s.noValue;
        }
        buffer.clear();
        scratch.load(r);
        write(s.values[0], r, buffer);
        return buffer.copy(0);
    }

    /** One value of r (loaded into the scratch): the fast path, or the Decoder where it gives up. */
    private void write(CompiledValue v, ProbeRecord r, Utf8Buffer out) {
        if (v.write(scratch, out, json)) {
            fast++;
        } else {
            decoded++;
            RustValue value = TraceSession.decode(v.value(), r);
            out.utf8(json ? RustValue.toJson(value) : RustValue.render(value));
        }
    }

    /** Values written by the fast path so far. */
    public long fastValues() {
        return fast;
    }

    /** Values the fast path left to the Decoder so far. */
    public long decodedValues() {
        return decoded;
    }
}
