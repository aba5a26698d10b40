//! Calls that run out of registers: eight integers, a u128 that no longer fits, a pair split between
//! r9 and the stack, mixed integer and float arguments, ten floats.

use crate::geometry::Pair;

#[inline(never)]
pub fn eight(a: u64, b: u64, c: u64, d: u64, e: u64, f: u64, g: u64, h: u64) -> u64 {
    a + 2 * b + 3 * c + 4 * d + 5 * e + 6 * f + 7 * g + 8 * h
}

/// Five GPRs are taken, so `x` goes whole to the stack and `f` takes r9.
#[inline(never)]
pub fn tail_u128(a: u64, b: u64, c: u64, d: u64, e: u64, x: u128, f: u64) -> u128 {
    x.wrapping_add((a ^ b ^ c ^ d ^ e) as u128).wrapping_add((f as u128) << 64)
}

/// `s.ptr` in r9, `s.len` on the stack, then `f` on the stack.
#[inline(never)]
pub fn split_str(a: u64, b: u64, c: u64, d: u64, e: u64, s: &str, f: u64) -> u64 {
    a + b + c + d + e + (s.len() as u64) * f
}

/// `p.a` in r9, `p.b` on the stack, then `f` on the stack.
#[inline(never)]
pub fn split_pair(a: u64, b: u64, c: u64, d: u64, e: u64, p: Pair, f: u64) -> u64 {
    a + b + c + d + e + p.a * 1000 + p.b * f
}

#[inline(never)]
pub fn mixed(a: u32, x: f64, b: u64, y: f32, c: u8, z: f64) -> f64 {
    a as f64 + x * 2.0 + b as f64 * 3.0 + y as f64 * 4.0 + c as f64 * 5.0 + z * 6.0
}

#[allow(clippy::too_many_arguments)]
#[inline(never)]
pub fn ten_f64(a: f64, b: f64, c: f64, d: f64, e: f64, f: f64, g: f64, h: f64, i: f64, j: f64) -> f64 {
    a + b * 2.0 + c * 3.0 + d * 4.0 + e * 5.0 + f * 6.0 + g * 7.0 + h * 8.0 + i * 9.0 + j * 10.0
}
