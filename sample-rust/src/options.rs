//! Enums the compiler lays out specially: `Option` with a tag, with a niche (`&T`, `char`, `bool`),
//! nested options, and `Result` as a register pair or behind a pointer.

#[inline(never)]
pub fn double_opt(x: Option<u32>) -> Option<u32> {
    x.map(|v| v.wrapping_mul(2))
}

#[inline(never)]
pub fn or_default(x: Option<u64>, fallback: u64) -> u64 {
    x.unwrap_or(fallback)
}

#[inline(never)]
pub fn deref_or(x: Option<&u64>, fallback: u64) -> u64 {
    match x {
        Some(v) => *v,
        None => fallback,
    }
}

#[inline(never)]
pub fn upper(c: Option<char>) -> Option<char> {
    c.map(|c| c.to_ascii_uppercase())
}

#[inline(never)]
pub fn flip(b: Option<bool>) -> Option<bool> {
    b.map(|b| !b)
}

#[inline(never)]
pub fn flatten_or(x: Option<Option<u8>>, fallback: u8) -> u8 {
    x.flatten().unwrap_or(fallback)
}

#[inline(never)]
pub fn checked_half(r: Result<u32, u32>) -> Result<u32, u32> {
    match r {
        Ok(v) if v % 2 == 0 => Ok(v / 2),
        Ok(v) => Err(v),
        Err(e) => Err(e.wrapping_add(1)),
    }
}

#[inline(never)]
pub fn parse_len(r: Result<u64, String>) -> Result<u64, String> {
    match r {
        Ok(v) => Ok(v.wrapping_mul(10)),
        Err(mut e) => {
            e.push('!');
            Err(e)
        }
    }
}
