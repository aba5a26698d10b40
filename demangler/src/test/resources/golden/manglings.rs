// A throwaway program whose only purpose is to produce many real mangled symbols of every v0 grammar feature
// (built by regenerate.sh with -C symbol-mangling-version=v0 and again with legacy). No crate dependencies.
#![allow(non_snake_case, dead_code, mixed_script_confusables, uncommon_codepoints, confusable_idents)]
use std::collections::{BTreeMap, HashMap};
use std::fmt::Debug;
use std::hint::black_box;

pub trait Shape { type Unit; fn area(&self) -> f64; }
pub struct Square<const N: usize>;
impl<const N: usize> Shape for Square<N> { type Unit = u8; fn area(&self) -> f64 { (N * N) as f64 } }

pub struct Flags<const B: bool, const C: char, const I: i32, const U: u128, const S: i8, const W: i128>;
impl<const B: bool, const C: char, const I: i32, const U: u128, const S: i8, const W: i128> Flags<B, C, I, U, S, W> {
    #[inline(never)] pub fn show(&self) -> String { format!("{B} {C} {I} {U} {S} {W}") }
}

pub mod größe { pub mod 日本語 {
    #[inline(never)] pub fn grüße<T: std::fmt::Debug>(t: T) -> String { format!("{t:?}") }
    pub struct Straße<T>(pub T);
    impl<T: Clone> Straße<T> { #[inline(never)] pub fn zurück(&self) -> T { self.0.clone() } }
} }

#[inline(never)] pub fn takes_fn<F: Fn(u32) -> u32>(f: F, x: u32) -> u32 { f(x) + 1 }
#[inline(never)] pub fn takes_ptr<T>(p: T) -> usize { std::mem::size_of_val(&p) + black_box(0) }
#[inline(never)] pub fn takes_dyn(it: &mut dyn Iterator<Item = u32>) -> u32 { it.sum() }
#[inline(never)] pub fn takes_boxed(f: Box<dyn FnOnce(&str) -> String + Send>) -> String { f("x") }
#[inline(never)] pub fn takes_hrtb(f: for<'a> fn(&'a str, &'a [u8]) -> &'a str) -> usize { f("ab", b"c").len() }
#[inline(never)] pub fn generic_lifetimes<'a, 'b, T: ?Sized + Debug>(a: &'a T, b: &'b mut Vec<&'a T>) -> usize { b.push(a); b.len() }
#[inline(never)] pub fn arrays<T: Copy + Default, const N: usize>(a: [T; N]) -> [T; N] { let mut b = a; b[0] = T::default(); b }
#[inline(never)] pub fn tuples<A: Debug, B: Debug>(t: (A, B, (), (u8,))) -> String { format!("{t:?}") }
#[inline(never)] pub fn raw<T>(p: *const T, q: *mut T) -> bool { p as usize == q as usize }
#[inline(never)] pub fn never_returns(x: u8) -> ! { panic!("{x}") }

extern "C" fn c_abi(x: i32) -> i32 { x }
extern "system" fn sys_abi(x: i64) -> i64 { x }
extern "C-unwind" fn c_unwind(x: u8) -> u8 { x }
unsafe fn unsafe_fn(x: *const u8) -> u8 { unsafe { *x } }
unsafe extern "C" fn unsafe_c(x: f32) -> f64 { x as f64 }
extern "sysv64" fn sysv(x: u16) -> u16 { x }

pub trait Visit<'a> { fn visit(&self, s: &'a str) -> &'a str; }
pub struct Visitor;
impl<'a> Visit<'a> for Visitor { fn visit(&self, s: &'a str) -> &'a str { &s[..1] } }

macro_rules! many_shapes { ($($n:literal)*) => { $( black_box(Square::<$n>.area()); black_box(arrays::<u16, $n>([7; $n])); )* } }

#[inline(never)]
fn run(n: u32) -> u64 {
    let mut acc = 0u64;
    many_shapes!(1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32);
    acc += Flags::<true, 'x', -7, 340282366920938463463374607431768211455, -128, -170141183460469231731687303715884105728>.show().len() as u64;
    acc += Flags::<false, 'ß', 2147483647, 0, 127, 1>.show().len() as u64;
    acc += Flags::<true, '日', -1, 18446744073709551616, 0, -1>.show().len() as u64;
    acc += Flags::<false, '\'', 0, 1, 1, 0>.show().len() as u64;
    acc += Flags::<false, '\n', 0, 2, 1, 0>.show().len() as u64;
    acc += größe::日本語::grüße((1u8, "s", [1.5f32; 2])).len() as u64;
    acc += größe::日本語::grüße(größe::日本語::Straße(vec![Some('c')]).zurück()).len() as u64;
    for k in 0..n {
        acc += takes_fn(move |x| x * k, k) as u64;
        acc += takes_fn(|x| x + 1, k) as u64;
        let boxed: Box<dyn FnOnce(&str) -> String + Send> = Box::new(move |s: &str| format!("{s}{k}"));
        acc += takes_boxed(boxed).len() as u64;
        acc += takes_dyn(&mut (0..k).map(|x| x * 2)) as u64;
        acc += takes_dyn(&mut vec![k; 3].into_iter().filter(|x| *x > 1)) as u64;
    }
    acc += takes_ptr(c_abi as extern "C" fn(i32) -> i32) as u64;
    acc += takes_ptr(sys_abi as extern "system" fn(i64) -> i64) as u64;
    acc += takes_ptr(c_unwind as extern "C-unwind" fn(u8) -> u8) as u64;
    acc += takes_ptr(unsafe_fn as unsafe fn(*const u8) -> u8) as u64;
    acc += takes_ptr(unsafe_c as unsafe extern "C" fn(f32) -> f64) as u64;
    acc += takes_ptr(sysv as extern "sysv64" fn(u16) -> u16) as u64;
    acc += takes_ptr::<for<'a> fn(&'a u8) -> &'a u8>(|x| x) as u64;
    acc += takes_ptr::<for<'a, 'b> fn(&'a u8, &'b mut &'a str) -> (&'a u8, &'b u8)>(|x, _| (x, x)) as u64;
    acc += takes_ptr::<Box<dyn for<'a> Fn(&'a str) -> &'a str>>(Box::new(|s| s)) as u64;
    acc += takes_ptr::<&dyn Visit<'static>>(&Visitor) as u64;
    acc += takes_ptr(black_box(None::<unsafe extern "C" fn(i32, ...) -> i32>)) as u64;
    acc += takes_hrtb(|s, _| s) as u64;
    let mut v: Vec<&str> = Vec::new();
    acc += generic_lifetimes("abc", &mut v) as u64;
    let mut w: Vec<&[u8]> = Vec::new();
    acc += generic_lifetimes(&b"abc"[..], &mut w) as u64;
    acc += tuples((1u8, 'c', (), (2,))).len() as u64;
    acc += tuples(("s", vec![1i128], (), (3,))).len() as u64;
    acc += raw(&5u8 as *const u8, &mut 6u8 as *mut u8) as u64;
    acc += raw(&[1u32, 2] as *const [u32; 2], &mut [3u32, 4] as *mut [u32; 2]) as u64;
    let mut m: HashMap<String, Vec<(u8, char)>> = HashMap::new();
    m.entry("k".into()).or_default().push((1, 'a'));
    let mut b: BTreeMap<(i64, &str), Option<Box<dyn Debug>>> = BTreeMap::new();
    b.insert((1, "x"), Some(Box::new(3u8)));
    acc += m.len() as u64 + b.len() as u64;
    acc += format!("{:?}{:?}", m, b).len() as u64;
    let items: Vec<Box<dyn Shape<Unit = u8>>> = vec![Box::new(Square::<3>), Box::new(Square::<9>)];
    acc += items.iter().map(|s| s.area() as u64).sum::<u64>();
    if acc == 12345 { never_returns(1) }
    acc
}

fn main() { println!("{}", run(black_box(std::env::args().count() as u32 + 3))); }
