//! A function that panics on odd input; the binary catches the unwind.

#[inline(never)]
pub fn explode(code: u32) -> u32 {
    if code % 2 == 1 {
        panic!("code {code} is odd");
    }
    code / 2
}
