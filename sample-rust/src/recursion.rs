//! A recursive function that stays recursive in release builds (no tail call, the result is opaque).

/// 0 + 1 + ... + n, one call per level: depth_sum(n) calls depth_sum(n-1) ... depth_sum(0).
#[inline(never)]
pub fn depth_sum(n: u32) -> u64 {
    if n == 0 {
        0
    } else {
        n as u64 + std::hint::black_box(depth_sum(n - 1))
    }
}
