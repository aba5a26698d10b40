//! Crate-private functions whose signatures release builds rewrite: a dead argument is dropped, a constant
//! argument is propagated, a `&u64` is promoted to the value. `run` calls each once and returns their results.

#[derive(Debug, Clone, Copy)]
pub struct Parts {
    pub dead: u64,
    pub constant: u64,
    pub by_ref: u64,
}

#[inline(never)]
pub fn run(a: u64, b: u64, c: u64) -> Parts {
    Parts { dead: dead_arg(a, b, c), constant: const_arg(5, c), by_ref: by_ref(&a) }
}

#[inline(never)]
fn dead_arg(a: u64, _unused: u64, c: u64) -> u64 {
    a.wrapping_mul(3).wrapping_add(c)
}

#[inline(never)]
fn const_arg(k: u64, b: u64) -> u64 {
    b.wrapping_mul(k).rotate_left(k as u32)
}

#[inline(never)]
fn by_ref(x: &u64) -> u64 {
    x.wrapping_mul(*x) ^ 0x55
}
