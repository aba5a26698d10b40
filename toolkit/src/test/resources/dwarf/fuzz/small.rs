// A small crate for the corrupted-DWARF tests: compiled to an object file, so its DWARF holds only this crate
// (structs with reordered fields, data and C-like enums, generics, inlined helpers, closures, slices).
#![allow(dead_code)]

pub struct Mixed { pub a: u8, pub b: u64, pub c: u16 }

pub enum Shape { Circle(f64), Rect { w: u32, h: u32 }, Empty }

#[derive(Clone, Copy)]
pub enum Color { Red, Green = 5, Blue = 7 }

pub struct Node<'a> { pub value: u32, pub next: Option<&'a Node<'a>> }

#[inline]
pub fn helper(x: u64, k: u64) -> u64 { x.wrapping_mul(k).wrapping_add(1) }

#[inline(never)]
pub fn area(s: &Shape) -> f64 {
    match s { Shape::Circle(r) => 3.14 * r * r, Shape::Rect { w, h } => (*w * *h) as f64, Shape::Empty => 0.0 }
}

#[inline(never)]
pub fn total(items: &[Mixed], name: &str, c: Color) -> u64 {
    let mut t = 0u64;
    for m in items { t = helper(t, m.b) + m.a as u64 + m.c as u64; }
    t + name.len() as u64 + c as u64
}

#[inline(never)]
pub fn generic<T: Into<u64> + Copy>(v: T, opt: Option<u32>) -> u64 { v.into() + opt.unwrap_or(3) as u64 }

pub fn use_generic(n: &Node) -> u64 {
    let f = |x: u64| x + n.value as u64;
    f(generic(7u32, Some(n.value))) + generic(9u16, None) + n.next.map(|m| m.value as u64).unwrap_or(0)
}
