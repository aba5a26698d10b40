//! Borrowed and owned text and bytes: `&str`, `&[u8]`, `&[u64]`, `String` and `Vec` by value, a `String`
//! return (sret) and four `&str` so that the last one goes to the stack.

#[inline(never)]
pub fn count_vowels(s: &str) -> usize {
    s.bytes().filter(|b| b"aeiouAEIOU".contains(b)).count()
}

#[inline(never)]
pub fn checksum(bytes: &[u8]) -> u32 {
    bytes.iter().fold(17u32, |acc, &b| acc.wrapping_mul(31).wrapping_add(b as u32))
}

#[inline(never)]
pub fn sum_u64(xs: &[u64]) -> u64 {
    xs.iter().fold(0u64, |acc, &x| acc.wrapping_add(x))
}

#[inline(never)]
pub fn greet(name: &str) -> String {
    let mut s = String::with_capacity(name.len() + 7);
    s.push_str("hello, ");
    s.push_str(name);
    s
}

#[inline(never)]
pub fn take_string(s: String) -> usize {
    s.chars().count()
}

#[inline(never)]
pub fn take_vec(v: Vec<u64>) -> u64 {
    v.iter().fold(1u64, |acc, &x| acc.wrapping_mul(x | 1))
}

#[inline(never)]
pub fn first_word(s: &str) -> &str {
    s.split(' ').next().unwrap_or("")
}

#[inline(never)]
pub fn total_len(a: &str, b: &str, c: &str, d: &str) -> usize {
    a.len() + 10 * b.len() + 100 * c.len() + 1000 * d.len()
}
