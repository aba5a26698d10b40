#!/usr/bin/env python3
# Reads `llvm-dwarfdump --debug-info` and `--debug-line` output of one sample-rust build and writes the facts the
# DWARF tests compare against (TSV files), with the repository root replaced by $ROOT so the fixtures hold
# wherever the repository is checked out.
import re
import sys
import os

info_path, line_path, REPO, out_dir = sys.argv[1:5]
os.makedirs(out_dir, exist_ok=True)

TAG_RE = re.compile(r'^0x([0-9a-f]+):( +)(DW_TAG_\w+|NULL)')
ATTR_RE = re.compile(r'^ +(DW_AT_\w+)\t\((.*)$')


def norm(s):
    return s.replace(REPO, '$ROOT')


class Die:
    def __init__(self, off, tag, depth, parent):
        self.off, self.tag, self.depth, self.parent = off, tag, depth, parent
        self.attrs = {}
        self.children = []


def balance(text):
    # opening minus closing parentheses outside double-quoted strings; llvm prints ranges as [a, b)
    n, quoted = 0, False
    for ch in text:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in '([':
            n += 1
        elif not quoted and ch == ')':
            n -= 1
    return n


units = []  # (header line, root die)
dies = {}
cur = None
stack = []
pending = None  # (die, attr name, collected text) for multi-line values
unit_header = None
base_indent = None

with open(info_path) as f:
    for raw in f:
        line = raw.rstrip('\n')
        if pending is not None:
            pending[2].append(line.strip())
            pending[3] += balance(line)
            if pending[3] <= -1:
                text = '\n'.join(pending[2])
                pending[0].attrs[pending[1]] = text[:text.rstrip().rfind(')')]
                pending = None
            continue
        m = re.match(r'^0x([0-9a-f]+): Compile Unit: .*version = 0x000(\d)', line)
        if m:
            unit_header = (int(m.group(1), 16), int(m.group(2)))
            stack = []
            continue
        m = TAG_RE.match(line)
        if m:
            off = int(m.group(1), 16)
            indent = len(m.group(2))
            tag = m.group(3)
            if tag == 'DW_TAG_compile_unit':
                base_indent = indent
            depth = (indent - base_indent) // 2
            if tag == 'NULL':
                cur = None
                continue
            while len(stack) > depth:
                stack.pop()
            parent = stack[-1] if stack else None
            d = Die(off, tag, depth, parent)
            dies[off] = d
            if parent:
                parent.children.append(d)
            else:
                units.append((unit_header, d))
            stack.append(d)
            cur = d
            continue
        m = ATTR_RE.match(line)
        if m and cur is not None:
            name, rest = m.group(1), m.group(2)
            b = balance(rest)
            if b <= -1:
                # a single-line value: strip the closing parenthesis
                cur.attrs[name] = rest[:rest.rstrip().rfind(')')]
            else:
                pending = [cur, name, [rest], b]
            continue


def s(d, a):
    v = d.attrs.get(a)
    if v is None:
        return ''
    m = re.match(r'^"(.*)"$', v)
    return m.group(1) if m else v


def ref(d, a):
    v = d.attrs.get(a)
    if v is None:
        return ''
    m = re.match(r'^0x([0-9a-f]+)', v)
    return '0x%x' % int(m.group(1), 16) if m else '?'


def ranges(d):
    if 'DW_AT_low_pc' in d.attrs and 'DW_AT_high_pc' in d.attrs:
        lo = int(d.attrs['DW_AT_low_pc'], 16)
        hi = int(d.attrs['DW_AT_high_pc'], 16)
        rs = [(lo, hi)] if hi != lo else []
    elif 'DW_AT_ranges' in d.attrs:
        rs = [(int(a, 16), int(b, 16)) for a, b in re.findall(r'\[0x([0-9a-f]+), 0x([0-9a-f]+)\)', d.attrs['DW_AT_ranges'])]
        rs = [r for r in rs if r[0] != r[1]]
    else:
        rs = []
    rs = [r for r in rs if r[0] != 0]  # ranges the linker discarded
    return ','.join('%x-%x' % r for r in rs)


def ops(text):
    text = re.sub(r'DW_OP_convert \(0x0*([0-9a-f]+)\) "[^"]*"', lambda m: 'DW_OP_convert 0x' + m.group(1), text)
    return text.strip()


def location(d):
    if 'DW_AT_const_value' in d.attrs:
        return 'const ' + d.attrs['DW_AT_const_value']
    v = d.attrs.get('DW_AT_location')
    if v is None:
        return ''
    if '\n' not in v and not v.rstrip().endswith(':'):
        return ops(v)
    entries = []
    for ln in v.split('\n')[1:]:
        m = re.match(r'^\[0x([0-9a-f]+), 0x([0-9a-f]+)\): (.*)$', ln)
        if m:
            entries.append('%x-%x: %s' % (int(m.group(1), 16), int(m.group(2), 16), ops(m.group(3))))
        elif ln.strip():
            entries.append('?' + ln.strip())
    return ' | '.join(entries)


def variables(d, descend_blocks=True):
    out = []
    for c in d.children:
        if c.tag in ('DW_TAG_formal_parameter', 'DW_TAG_variable'):
            out.append(c)
        elif c.tag == 'DW_TAG_lexical_block' and descend_blocks:
            out.extend(variables(c))
    return out


def var_text(v):
    kind = 'P' if v.tag == 'DW_TAG_formal_parameter' else 'V'
    origin = ref(v, 'DW_AT_abstract_origin')
    name = s(v, 'DW_AT_name')
    if not name and origin:
        name = s(dies[int(origin, 16)], 'DW_AT_name') if int(origin, 16) in dies else ''
    typ = ref(v, 'DW_AT_type')
    if not typ and origin and int(origin, 16) in dies:
        typ = ref(dies[int(origin, 16)], 'DW_AT_type')
    return '%s %s %s %s [%s]' % (kind, name or '-', typ or '-', origin or '-', location(v))


def chain(d):
    # the DIE, then what it refers to by abstract_origin or specification (bounded)
    out = [d]
    for _ in range(16):
        o = ref(d, 'DW_AT_abstract_origin') or ref(d, 'DW_AT_specification')
        if not o or int(o, 16) not in dies:
            break
        d = dies[int(o, 16)]
        out.append(d)
    return out


def first(d, getter):
    for x in chain(d):
        v = getter(x)
        if v:
            return v
    return ''


def crate_unit(root):
    return s(root, 'DW_AT_name').startswith('src/')


def walk(d):
    yield d
    for c in d.children:
        yield from walk(c)


with open(os.path.join(out_dir, 'units.tsv'), 'w') as out:
    out.write('# offset\tversion\tname\tsubprograms (not declarations)\tinlined subroutines\tranges\n')
    for (hdr, root) in units:
        subs = sum(1 for d in walk(root) if d.tag == 'DW_TAG_subprogram' and 'DW_AT_declaration' not in d.attrs)
        inl = sum(1 for d in walk(root) if d.tag == 'DW_TAG_inlined_subroutine')
        out.write('0x%x\t%d\t%s\t%d\t%d\t%s\n' % (hdr[0], hdr[1], norm(s(root, 'DW_AT_name')), subs, inl, ranges(root)))

with open(os.path.join(out_dir, 'subprograms.tsv'), 'w') as out:
    out.write('# offset\tname\tlinkage_name\tranges\tinline\texternal\tdecl_line\tdecl_file\treturn type\tframe_base\tvariables\n')
    for (hdr, root) in units:
        if not crate_unit(root):
            continue
        for d in walk(root):
            if d.tag != 'DW_TAG_subprogram' or 'DW_AT_declaration' in d.attrs:
                continue
            out.write('\t'.join([
                '0x%x' % d.off, first(d, lambda x: s(x, 'DW_AT_name')),
                first(d, lambda x: s(x, 'DW_AT_linkage_name')), ranges(d),
                '1' if s(d, 'DW_AT_inline') in ('DW_INL_inlined', 'DW_INL_declared_inlined') else '0',
                '1' if first(d, lambda x: 'DW_AT_external' in x.attrs) else '0',
                first(d, lambda x: s(x, 'DW_AT_decl_line')) or '0',
                norm(first(d, lambda x: s(x, 'DW_AT_decl_file'))) or '-',
                first(d, lambda x: ref(x, 'DW_AT_type')) or '-', ops(d.attrs.get('DW_AT_frame_base', '')) or '-',
                ' ;; '.join(var_text(v) for v in variables(d))]) + '\n')

with open(os.path.join(out_dir, 'inlined.tsv'), 'w') as out:
    out.write('# offset\torigin\tcall_file\tcall_line\tcall_column\tranges\tdepth\tparent\tcaller\tvariables\n')
    for (hdr, root) in units:
        if not crate_unit(root):
            continue
        for d in walk(root):
            if d.tag != 'DW_TAG_inlined_subroutine':
                continue
            depth, parent, caller = 1, '-', '-'
            p = d.parent
            while p is not None:
                if p.tag == 'DW_TAG_inlined_subroutine':
                    if parent == '-':
                        parent = '0x%x' % p.off
                    depth += 1
                elif p.tag == 'DW_TAG_subprogram':
                    caller = '0x%x' % p.off
                    break
                p = p.parent
            out.write('\t'.join([
                '0x%x' % d.off, ref(d, 'DW_AT_abstract_origin'), norm(s(d, 'DW_AT_call_file')),
                s(d, 'DW_AT_call_line') or '0', str(int(s(d, 'DW_AT_call_column') or '0', 0)), ranges(d),
                str(depth), parent, caller, ' ;; '.join(var_text(v) for v in variables(d))]) + '\n')

# line programs of the crate's units: every row flagged prologue_end, and the row count of each program
stmt = {}
for (hdr, root) in units:
    if crate_unit(root) and 'DW_AT_stmt_list' in root.attrs:
        stmt[int(root.attrs['DW_AT_stmt_list'], 16)] = hdr[0]
programs = {}
first_rows = []  # every row of the first crate unit's program
current = None
with open(line_path) as f:
    for line in f:
        m = re.match(r'^debug_line\[0x([0-9a-f]+)\]', line)
        if m:
            current = stmt.get(int(m.group(1), 16))
            if current is not None:
                programs[current] = [0, []]
            continue
        if current is None:
            continue
        m = re.match(r'^0x([0-9a-f]{16}) +(\d+) +(\d+) +(\d+) +(\d+) +(\d+) *(.*)$', line)
        if m:
            programs[current][0] += 1
            flags = m.group(7).split()
            if current == min(stmt.values()):
                first_rows.append('%x\t%s\t%s\t%s\t%s\t%s\t%s' % (int(m.group(1), 16), m.group(2), m.group(3),
                                                         m.group(4), m.group(5), m.group(6), ' '.join(flags)))
            if 'prologue_end' in flags:
                programs[current][1].append('%x\t%s\t%s\t%s' % (int(m.group(1), 16), m.group(2), m.group(3), m.group(4)))
with open(os.path.join(out_dir, 'lines.tsv'), 'w') as out:
    out.write('# unit\trows\tthen one line per prologue_end row: address\tline\tcolumn\tfile\n')
    for unit in sorted(programs):
        rows, pe = programs[unit]
        out.write('0x%x\t%d\n' % (unit, rows))
        for r in pe:
            out.write('\t' + r + '\n')

# the crate's type DIEs: sizes, member offsets, variant parts with discriminant values, enumerators, arrays
TYPE_TAGS = {'DW_TAG_structure_type': 'struct', 'DW_TAG_union_type': 'union', 'DW_TAG_enumeration_type': 'enum',
             'DW_TAG_base_type': 'base', 'DW_TAG_pointer_type': 'pointer', 'DW_TAG_array_type': 'array',
             'DW_TAG_typedef': 'typedef'}


def num(d, a):
    v = s(d, a)
    return str(int(v, 0)) if v else '-'


def member_text(m):
    return '%s@%s:%s' % (s(m, 'DW_AT_name') or '-', num(m, 'DW_AT_data_member_location'), ref(m, 'DW_AT_type') or '-')


with open(os.path.join(out_dir, 'types.tsv'), 'w') as out:
    out.write('# offset\tkind\tname\tbyte_size\tdetails\n')
    for (hdr, root) in units:
        if not crate_unit(root):
            continue
        for d in walk(root):
            kind = TYPE_TAGS.get(d.tag)
            if kind is None or 'DW_AT_declaration' in d.attrs:
                continue
            details = []
            if kind in ('struct', 'union'):
                for c in d.children:
                    if c.tag == 'DW_TAG_member' and 'DW_AT_declaration' not in c.attrs:
                        details.append('m ' + member_text(c))
                    elif c.tag == 'DW_TAG_template_type_parameter':
                        details.append('t %s=%s' % (s(c, 'DW_AT_name'), ref(c, 'DW_AT_type')))
                    elif c.tag == 'DW_TAG_variant_part':
                        discr = ref(c, 'DW_AT_discr')
                        dm = [x for x in c.children if x.tag == 'DW_TAG_member' and '0x%x' % x.off == discr]
                        details.append('discr ' + (member_text(dm[0]) if dm else '-'))
                        for v in c.children:
                            if v.tag == 'DW_TAG_variant':
                                ms = [x for x in v.children if x.tag == 'DW_TAG_member']
                                value = s(v, 'DW_AT_discr_value')
                                details.append('v %s %s' % (str(int(value, 0) & 0xffffffffffffffff) if value else 'default',
                                                            member_text(ms[0]) if ms else '-'))
            elif kind == 'enum':
                details.append('u ' + (ref(d, 'DW_AT_type') or '-'))
                for c in d.children:
                    if c.tag == 'DW_TAG_enumerator':
                        details.append('e %s=%s' % (s(c, 'DW_AT_name'), int(s(c, 'DW_AT_const_value'), 0) & 0xffffffffffffffff))
            elif kind == 'base':
                details.append(s(d, 'DW_AT_encoding'))
            elif kind in ('pointer', 'typedef'):
                details.append(ref(d, 'DW_AT_type') or '-')
            elif kind == 'array':
                details.append(ref(d, 'DW_AT_type') or '-')
                for c in d.children:
                    if c.tag == 'DW_TAG_subrange_type':
                        if 'DW_AT_count' in c.attrs:
                            details.append('n ' + num(c, 'DW_AT_count'))
                        elif 'DW_AT_upper_bound' in c.attrs:
                            lo = int(s(c, 'DW_AT_lower_bound') or '0', 0)
                            details.append('n %d' % (int(s(c, 'DW_AT_upper_bound'), 0) - lo + 1))
                        else:
                            details.append('n -1')
            out.write('0x%x\t%s\t%s\t%s\t%s\n' % (d.off, kind, s(d, 'DW_AT_name') or '-', num(d, 'DW_AT_byte_size'),
                                                  ' ;; '.join(details)))

with open(os.path.join(out_dir, 'line-rows.tsv'), 'w') as out:
    out.write('# every row of the line program of unit 0x%x: address\tline\tcolumn\tfile\tisa\tdiscriminator\tflags\n'
              % min(stmt.values()))
    for r in first_rows:
        out.write(r + '\n')
