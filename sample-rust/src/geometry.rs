//! Structs and tuples of every size class: one field, a register pair, 3+ fields behind a pointer,
//! reordered fields and their `#[repr(C)]` twin, floats, a 3-byte array, a ZST in the middle, and
//! `self` by value. Two groups here are identical on purpose, so release builds fold them (aliases).

#[derive(Debug, Clone, Copy)]
#[repr(transparent)]
pub struct Meters(pub u64);

#[derive(Debug, Clone, Copy)]
pub struct Span {
    pub start: u64,
    pub end: u64,
}

#[derive(Debug, Clone, Copy)]
pub struct Pair {
    pub a: u64,
    pub b: u64,
}

#[derive(Debug, Clone, Copy)]
pub struct Triple {
    pub a: u64,
    pub b: u64,
    pub c: u64,
}

/// Rust reorders the fields: in memory (and in registers) `b` comes first.
#[derive(Debug, Clone, Copy)]
pub struct Mixed {
    pub a: u8,
    pub b: u64,
}

#[derive(Debug, Clone, Copy)]
#[repr(C)]
pub struct MixedC {
    pub a: u8,
    pub b: u64,
}

#[derive(Debug, Clone, Copy)]
pub struct Point {
    pub x: f64,
    pub y: f64,
}

/// Four u16 in 8 bytes: packed into one register.
#[derive(Debug, Clone, Copy)]
pub struct Quad {
    pub a: u16,
    pub b: u16,
    pub c: u16,
    pub d: u16,
}

/// 40 bytes of mixed fields: passed by pointer.
#[derive(Debug, Clone, Copy)]
pub struct Big {
    pub id: u64,
    pub weight: u32,
    pub tag: u16,
    pub flag: bool,
    pub code: char,
    pub ratio: f64,
    pub count: u64,
}

#[derive(Debug, Clone, Copy)]
pub struct Marker;

#[inline(never)]
pub fn double_meters(m: Meters) -> Meters {
    Meters(m.0.wrapping_mul(2))
}

// Alias group 1: a (u64,u64) tuple and a two-u64 struct, same body.
#[inline(never)]
pub fn pair_hash(p: (u64, u64)) -> u64 {
    p.0.wrapping_mul(31).wrapping_add(p.1)
}

#[inline(never)]
pub fn span_hash(s: Span) -> u64 {
    s.start.wrapping_mul(31).wrapping_add(s.end)
}

// Alias group 2: a (u64,u64,u64) tuple and a three-u64 struct, returned through sret.
#[inline(never)]
pub fn rotate_tuple(t: (u64, u64, u64)) -> (u64, u64, u64) {
    (t.1, t.2, t.0)
}

#[inline(never)]
pub fn rotate_triple(t: Triple) -> Triple {
    Triple { a: t.b, b: t.c, c: t.a }
}

#[inline(never)]
pub fn swap(t: (u32, u64)) -> (u64, u32) {
    (t.1, t.0)
}

#[inline(never)]
pub fn bump_mixed(m: Mixed) -> Mixed {
    Mixed { a: m.a.wrapping_add(1), b: m.b.wrapping_add(100) }
}

#[inline(never)]
pub fn bump_mixed_c(m: MixedC) -> MixedC {
    MixedC { a: m.a.wrapping_add(2), b: m.b.wrapping_add(200) }
}

#[inline(never)]
pub fn manhattan(p: Point) -> f64 {
    p.x.abs() + p.y.abs()
}

#[inline(never)]
pub fn quad_sum(q: Quad) -> u32 {
    q.a as u32 + 2 * q.b as u32 + 3 * q.c as u32 + 4 * q.d as u32
}

#[inline(never)]
pub fn brighten(c: [u8; 3]) -> [u8; 3] {
    [c[0].saturating_add(10), c[1].saturating_add(20), c[2].saturating_add(30)]
}

#[inline(never)]
pub fn big_digest(b: Big) -> u64 {
    b.id ^ (b.weight as u64) << 8 ^ (b.tag as u64) << 40 ^ (b.flag as u64) ^ (b.code as u64) << 16
        ^ b.count.wrapping_mul(b.ratio as u64)
}

#[inline(never)]
pub fn zst_gap(a: u64, _m: Marker, b: u64) -> u64 {
    a.wrapping_sub(b)
}

impl Pair {
    /// `self` by value, two words: a and b in two registers, k in the third.
    #[inline(never)]
    pub fn scaled(self, k: u64) -> u64 {
        self.a.wrapping_add(self.b).wrapping_mul(k)
    }
}

impl Triple {
    /// `self` by value, three words: self behind a pointer, k in the second register.
    #[inline(never)]
    pub fn weighted(self, k: u64) -> u64 {
        self.a.wrapping_add(self.b.wrapping_mul(2)).wrapping_add(self.c.wrapping_mul(3)).wrapping_mul(k)
    }
}

impl Big {
    #[inline(never)]
    pub fn is_heavy(&self, limit: u32) -> bool {
        self.weight > limit
    }
}
