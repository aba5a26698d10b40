#!/usr/bin/env python3
"""Writes a large Rust crate (no dependencies) whose builds carry a big .debug_info, for timing `rustprobe explain`
on DWARF far larger than sample-rust's: MODULES modules, each with a generic struct and an enum (instantiated with
several types), FUNCS functions per module that call #[inline] helpers of their own and of other modules (nested
inline sites across codegen units) and closures. Usage: gen-big-crate.py DIR [MODULES] [FUNCS]"""
import os
import sys

out = sys.argv[1]
modules = int(sys.argv[2]) if len(sys.argv) > 2 else 400
funcs = int(sys.argv[3]) if len(sys.argv) > 3 else 24
os.makedirs(os.path.join(out, "src"), exist_ok=True)

with open(os.path.join(out, "Cargo.toml"), "w") as f:
    f.write("""[package]
name = "bigdwarf"
version = "0.1.0"
edition = "2021"

[profile.release]
debug = 2
codegen-units = 64

[profile.dev]
debug = 2
""")

TYPES = ["u8", "u64", "i32", "String", "(u32, f64)", "Vec<u16>"]


def module(i):
    nxt = (i + 1) % modules
    far = (i * 7 + 3) % modules
    b = []
    b.append(f"pub mod m{i} {{\n")
    b.append("    use std::hint::black_box;\n")
    b.append(f"""    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct Rec{i}<T> {{ pub a: T, pub b: u64, pub name: String, pub v: Vec<T>, pub tag: Option<Kind{i}> }}

    #[derive(Debug, Clone, PartialEq)]
    pub enum Kind{i} {{ Small(u32), Pair {{ x: u64, y: i32 }}, Text(String), Nothing }}

    impl<T: Clone + std::fmt::Debug + Default + PartialEq> Rec{i}<T> {{
        #[inline]
        pub fn first(&self) -> T {{ self.v.first().cloned().unwrap_or_else(|| self.a.clone()) }}
        #[inline(always)]
        pub fn mix(&self, k: u64) -> u64 {{ self.b.wrapping_mul(k) ^ (self.v.len() as u64) ^ super::m{far}::scale(k, 3) }}
        #[inline(never)]
        pub fn push(&mut self, x: T) -> usize {{ self.v.push(x); self.b = self.mix(self.b + 1); self.v.len() }}
        pub fn describe(&self) -> String {{ format!("{{:?}}/{{}}/{{:?}}", self.a, self.name, self.tag) }}
    }}

    #[inline]
    pub fn scale(x: u64, k: u64) -> u64 {{ x.wrapping_mul(k).rotate_left((k & 31) as u32) ^ 0x9e37 }}

    #[inline]
    pub fn clamp_add(a: u64, b: u64, hi: u64) -> u64 {{ let s = scale(a, 5).saturating_add(b); if s > hi {{ hi }} else {{ s }} }}

    #[inline]
    pub fn kind_weight(k: &Kind{i}) -> u64 {{
        match k {{
            Kind{i}::Small(n) => *n as u64,
            Kind{i}::Pair {{ x, y }} => clamp_add(*x, *y as u64, 1 << 40),
            Kind{i}::Text(s) => s.len() as u64,
            Kind{i}::Nothing => 0,
        }}
    }}
""")
    for j in range(funcs):
        t = TYPES[j % len(TYPES)]
        val = {"u8": f"{j} as u8", "u64": f"x ^ {j}", "i32": f"{j} - 7", "String": f"format!(\"m{i}f{j}-{{x}}\")",
               "(u32, f64)": f"({j}, x as f64 * 0.5)", "Vec<u16>": f"vec![{j} as u16; (x % 5) as usize]"}[t]
        b.append(f"""
    pub fn f{j}(x: u64, s: &str) -> u64 {{
        let mut r: Rec{i}<{t}> = Rec{i} {{ a: {val}, b: x, name: s.to_string(), v: Vec::new(),
            tag: Some(if x % 3 == 0 {{ Kind{i}::Small({j}) }} else {{ Kind{i}::Pair {{ x, y: -{j} }} }}) }};
        r.push({val});
        let w = r.tag.as_ref().map(kind_weight).unwrap_or(0);
        let c = |y: u64| clamp_add(y, w, 1 << 50) ^ r.mix(y);
        let acc = (0..(x % 4)).map(|k| c(k + {j})).fold(0u64, |a, b| a.wrapping_add(b));
        black_box(r.describe().len() as u64 + acc + super::m{nxt}::clamp_add(x, {j}, 1 << 30) + r.first() .clone().to_string().len() as u64)
    }}
""" if t not in ("(u32, f64)", "Vec<u16>") else f"""
    pub fn f{j}(x: u64, s: &str) -> u64 {{
        let mut r: Rec{i}<{t}> = Rec{i} {{ a: {val}, b: x, name: s.to_string(), v: Vec::new(), tag: Some(Kind{i}::Text(s.to_string())) }};
        r.push({val});
        let w = r.tag.as_ref().map(kind_weight).unwrap_or(0);
        let c = |y: u64| clamp_add(y, w, 1 << 50) ^ r.mix(y);
        black_box(r.describe().len() as u64 + c(x) + super::m{far}::scale(x, {j}) + format!("{{:?}}", r.first()).len() as u64)
    }}
""")
    for j in range(funcs):
        b.append(f"""
    #[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
    pub struct Item{j} {{ pub id: u64, pub label: String, pub parts: Vec<u32>, pub flag: Option<bool> }}

    pub fn work{j}(x: u64) -> u64 {{
        use std::collections::{{BTreeMap, HashMap, HashSet, VecDeque}};
        let mut v: Vec<Item{j}> = (0..(x % 7 + 2)).map(|k| Item{j} {{ id: k * {j + 1}, label: format!("{{k}}"), parts: vec![k as u32; 2], flag: Some(k % 2 == 0) }}).collect();
        v.sort_by(|a, b| b.id.cmp(&a.id).then_with(|| a.label.cmp(&b.label)));
        v.dedup_by_key(|i| i.id);
        let by_id: HashMap<u64, Item{j}> = v.iter().cloned().map(|i| (i.id, i)).collect();
        let ordered: BTreeMap<String, &Item{j}> = by_id.values().map(|i| (i.label.clone(), i)).collect();
        let seen: HashSet<Item{j}> = v.iter().filter(|i| i.flag == Some(true)).cloned().collect();
        let mut q: VecDeque<Box<Item{j}>> = v.drain(..).map(Box::new).collect();
        q.rotate_left(q.len() / 2);
        let rc = std::rc::Rc::new(std::cell::RefCell::new(q.pop_front()));
        let total: u64 = ordered.values().map(|i| i.parts.iter().map(|&p| p as u64).sum::<u64>()).sum();
        let head = rc.borrow().as_ref().map_or(0, |b| b.id);
        black_box(total + seen.len() as u64 + by_id.len() as u64 + head + format!("{{:?}}", ordered).len() as u64)
    }}
""")
    b.append(f"""
    pub fn entry(x: u64) -> u64 {{
        let mut t = 0u64;
""")
    for j in range(funcs):
        b.append(f"        t = t.wrapping_add(f{j}(x + {j}, \"m{i}\")).wrapping_add(work{j}(x));\n")
    b.append("        t\n    }\n}\n")
    return "".join(b)


with open(os.path.join(out, "src", "main.rs"), "w") as f:
    f.write("// generated by bench/index/gen-big-crate.py: a crate whose only purpose is a large .debug_info\n")
    for i in range(modules):
        f.write(module(i))
    f.write("\nfn main() {\n    let n: u64 = std::env::args().count() as u64;\n    let mut t = 0u64;\n")
    for i in range(modules):
        f.write(f"    t = t.wrapping_add(m{i}::entry(n + {i}));\n")
    f.write("    println!(\"{}\", t);\n}\n")
