//! Generic functions with several monomorphized copies (local symbols with the same path).

use crate::shapes::Area;
use std::fmt::Display;

/// Length of the value's Display form.
#[inline(never)]
pub fn describe<T: Display>(x: T) -> usize {
    let mut s = String::new();
    use std::fmt::Write;
    let _ = write!(s, "{x}");
    s.len()
}

#[inline(never)]
pub fn largest<T: PartialOrd + Copy>(xs: &[T]) -> Option<T> {
    let mut best = *xs.first()?;
    for &x in xs {
        if x > best {
            best = x;
        }
    }
    Some(best)
}

/// `impl Trait` argument: one copy per implementing type.
#[inline(never)]
pub fn double_area(s: impl Area) -> u64 {
    s.area().wrapping_mul(2)
}
