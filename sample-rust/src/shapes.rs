//! Enums (C-like with explicit discriminants, `#[repr(u32)]`, data-carrying, niche-encoded) and a trait
//! with several implementations called through `&dyn Area`.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Color {
    Red = 0,
    Green = 1,
    Blue = 7,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u32)]
pub enum Level {
    Low = 10,
    High = 20000,
}

/// 12 bytes (u32 tag + two u32 fields): passed by pointer.
#[derive(Debug, Clone, Copy)]
pub enum Shape {
    Circle { r: u32 },
    Rect { w: u32, h: u32 },
    Dot,
}

/// The niche in the String's capacity encodes `Space` and `End`.
#[derive(Debug, Clone)]
pub enum Token {
    Word(String),
    Space,
    End,
}

#[inline(never)]
pub fn next_color(c: Color) -> Color {
    match c {
        Color::Red => Color::Green,
        Color::Green => Color::Blue,
        Color::Blue => Color::Red,
    }
}

#[inline(never)]
pub fn escalate(l: Level) -> Level {
    match l {
        Level::Low => Level::High,
        Level::High => Level::High,
    }
}

#[inline(never)]
pub fn shape_area(s: Shape) -> u64 {
    match s {
        Shape::Circle { r } => 3 * (r as u64) * (r as u64),
        Shape::Rect { w, h } => (w as u64) * (h as u64),
        Shape::Dot => 0,
    }
}

#[inline(never)]
pub fn token_len(t: Token) -> usize {
    match t {
        Token::Word(w) => w.len(),
        Token::Space => 1,
        Token::End => 0,
    }
}

pub trait Area {
    fn area(&self) -> u64;
    fn sides(&self) -> u32;
}

#[derive(Debug)]
pub struct Square {
    pub side: u32,
}

#[derive(Debug)]
pub struct Circle {
    pub r: u32,
}

#[derive(Debug)]
pub struct Rect {
    pub w: u64,
    pub h: u64,
    pub label: u8,
}

impl Area for Square {
    #[inline(never)]
    fn area(&self) -> u64 {
        (self.side as u64) * (self.side as u64)
    }
    #[inline(never)]
    fn sides(&self) -> u32 {
        4
    }
}

impl Area for Circle {
    #[inline(never)]
    fn area(&self) -> u64 {
        3 * (self.r as u64) * (self.r as u64)
    }
    #[inline(never)]
    fn sides(&self) -> u32 {
        0
    }
}

impl Area for Rect {
    #[inline(never)]
    fn area(&self) -> u64 {
        self.w.wrapping_mul(self.h)
    }
    #[inline(never)]
    fn sides(&self) -> u32 {
        4 + self.label as u32 * 0
    }
}

/// Calls `area` through the vtable; the caller's truth lines show that nested call as NESTED.
#[inline(never)]
pub fn measure(s: &dyn Area) -> u64 {
    s.area()
}
