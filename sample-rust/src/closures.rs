//! Closures created here and called through `&dyn Fn` (the call goes through the vtable to the closure body).

#[inline(never)]
pub fn make_adder(k: u32) -> impl Fn(u32) -> u32 {
    move |x| x.wrapping_add(k)
}

#[inline(never)]
pub fn make_scaler(k: u64) -> Box<dyn Fn(u64) -> u64> {
    Box::new(move |x| x.wrapping_mul(k))
}

/// Calls `f` once; the caller's truth lines show that nested closure call as NESTED.
#[inline(never)]
pub fn apply(f: &dyn Fn(u32) -> u32, x: u32) -> u32 {
    f(x)
}
