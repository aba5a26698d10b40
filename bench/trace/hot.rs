// bench/trace's second target: hot::place(id: u32, name: &str, qty: Option<u32>) called N times (argv[1]).
// Unlike sample-rust's orders::place, which starts with `test` (single-stepped by the kernel), this one saves
// registers first, so its entry is a `push` the kernel emulates: the case where a probe's own cost shows most.
// It calls a helper that cannot panic, so rustprobe's default still takes its returns with a uretprobe (UnwindSafety).
use std::hint::black_box;

#[inline(never)]
fn weight(name: &str) -> u32 {
    name.bytes().fold(0u32, |h, b| h.wrapping_mul(31).wrapping_add(b as u32))
}

#[inline(never)]
fn place(id: u32, name: &str, qty: Option<u32>) -> Option<u32> {
    let w = weight(name);
    match qty {
        Some(q) => Some(id.wrapping_mul(q).wrapping_add(w)),
        None => None,
    }
}

fn main() {
    let n: u64 = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(0);
    // Called through a pointer, so the optimizer keeps place's Rust ABI (it rewrites the signatures of functions
    // it sees all calls of).
    let f: fn(u32, &str, Option<u32>) -> Option<u32> = black_box(place);
    let w: fn(&str) -> u32 = black_box(weight);
    black_box(w("x"));
    let mut sum = 0u32;
    for i in 0..n {
        sum = sum.wrapping_add(f(black_box(i as u32 % 1000 + 1000), black_box("hot"), black_box(Some(2))).unwrap_or(0));
    }
    black_box(sum);
}
