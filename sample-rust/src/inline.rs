//! Small `#[inline]` helpers that release builds inline into their callers in the binary, some with
//! constant arguments; the debug build calls them out of line.

#[inline]
pub fn clamp_add(a: u32, b: u32) -> u32 {
    a.saturating_add(b).min(1000)
}

#[inline]
pub fn scale(x: u64, k: u64) -> u64 {
    x.wrapping_mul(k).wrapping_add(1)
}

#[inline]
pub fn prefix_len(s: &str, k: usize) -> usize {
    s.len().min(k)
}
