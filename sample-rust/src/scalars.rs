//! One function per primitive type: every integer width signed and unsigned, bool, char, f32 and f64.
//! Each body is a different operation so that release builds do not fold two of them into one address.

#[inline(never)]
pub fn add_u8(a: u8, b: u8) -> u8 {
    a.wrapping_add(b)
}

#[inline(never)]
pub fn sub_i8(a: i8, b: i8) -> i8 {
    a.wrapping_sub(b)
}

#[inline(never)]
pub fn mul_u16(a: u16, b: u16) -> u16 {
    a.wrapping_mul(b)
}

#[inline(never)]
pub fn neg_i16(a: i16) -> i16 {
    a.wrapping_neg()
}

#[inline(never)]
pub fn xor_u32(a: u32, b: u32) -> u32 {
    a ^ b
}

#[inline(never)]
pub fn sub_i32(a: i32, b: i32) -> i32 {
    a.wrapping_sub(b)
}

#[inline(never)]
pub fn add_u64(a: u64, b: u64) -> u64 {
    a.wrapping_add(b)
}

#[inline(never)]
pub fn mul_i64(a: i64, b: i64) -> i64 {
    a.wrapping_mul(b)
}

#[inline(never)]
pub fn shl_usize(a: usize, n: u32) -> usize {
    a.wrapping_shl(n)
}

#[inline(never)]
pub fn min_isize(a: isize, b: isize) -> isize {
    a.min(b)
}

#[inline(never)]
pub fn add_u128(a: u128, b: u128) -> u128 {
    a.wrapping_add(b)
}

#[inline(never)]
pub fn neg_i128(a: i128) -> i128 {
    a.wrapping_neg()
}

#[inline(never)]
pub fn not_bool(b: bool) -> bool {
    !b
}

#[inline(never)]
pub fn next_char(c: char) -> char {
    char::from_u32(c as u32 + 1).unwrap_or('?')
}

#[inline(never)]
pub fn half_f64(x: f64) -> f64 {
    x / 2.0
}

#[inline(never)]
pub fn scale_f32(x: f32, k: f32) -> f32 {
    x * k
}

/// `&mut u64` and a unit return: the truth line shows the counter before the call.
#[inline(never)]
pub fn bump(counter: &mut u64, by: u64) {
    *counter = counter.wrapping_add(by);
}
