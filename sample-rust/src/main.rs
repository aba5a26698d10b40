//! The workload every rustprobe test traces: calls each function of the library with values hidden from the
//! optimizer and prints one truth line per call (see README.md for the format).
//! Usage: sample-rust [--repeat N] [--hot N] [--quiet] [--wait-stdin]

mod truth;

use sample_rust::{abi, closures, faults, generics, geometry, inline, internals, options, orders, recursion};
use sample_rust::{scalars, shapes, text};
use std::hint::black_box;
use truth::{print_line, tid, Truth};

struct Options {
    repeat: u64,
    hot: u64,
    quiet: bool,
    wait_stdin: bool,
}

fn parse_args() -> Result<Options, String> {
    let mut o = Options { repeat: 1, hot: 0, quiet: false, wait_stdin: false };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--repeat" => {
                let n = args.next().ok_or("--repeat needs a number")?;
                o.repeat = n.parse().map_err(|_| format!("--repeat needs a number, not {n:?}"))?;
            }
            "--hot" => {
                let n = args.next().ok_or("--hot needs a number")?;
                o.hot = n.parse().map_err(|_| format!("--hot needs a number, not {n:?}"))?;
            }
            "--quiet" => o.quiet = true,
            "--wait-stdin" => o.wait_stdin = true,
            "--help" | "-h" => return Err(String::new()),
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(o)
}

fn main() {
    let o = match parse_args() {
        Ok(o) => o,
        Err(msg) => {
            if !msg.is_empty() {
                eprintln!("sample-rust: {msg}");
            }
            eprintln!("usage: sample-rust [--repeat N] [--hot N] [--quiet] [--wait-stdin]");
            std::process::exit(2);
        }
    };
    truth::set_quiet(o.quiet);
    // The panic in faults::explode is expected; keep stderr to one line instead of the default report.
    std::panic::set_hook(Box::new(|info| eprintln!("sample-rust: expected panic: {info}")));

    print_line(&format!(
        "START\t{}\tsample-rust\tpid={}\trepeat={}\n",
        tid(),
        std::process::id(),
        o.repeat
    ));
    if o.wait_stdin {
        let mut line = String::new();
        let _ = std::io::stdin().read_line(&mut line);
    }
    for _ in 0..o.repeat {
        scalar_calls();
        text_calls();
        option_calls();
        order_calls();
        shape_calls();
        geometry_calls();
        abi_calls();
        generic_calls();
        closure_calls();
        recursion_calls();
        fault_calls();
        internal_calls();
        thread_calls();
    }
    hot_calls(o.hot);
    print_line(&format!("DONE\t{}\tsample-rust\tlines={}\n", tid(), truth::lines()));
}

fn scalar_calls() {
    let mut t = Truth::call("sample_rust::scalars::add_u8");
    let (a, b) = (t.arg("a", 200u8), t.arg("b", 100u8));
    t.ret(scalars::add_u8(a, b));

    let mut t = Truth::call("sample_rust::scalars::sub_i8");
    let (a, b) = (t.arg("a", -100i8), t.arg("b", 27i8));
    t.ret(scalars::sub_i8(a, b));

    let mut t = Truth::call("sample_rust::scalars::mul_u16");
    let (a, b) = (t.arg("a", 300u16), t.arg("b", 7u16));
    t.ret(scalars::mul_u16(a, b));

    let mut t = Truth::call("sample_rust::scalars::neg_i16");
    let a = t.arg("a", -1234i16);
    t.ret(scalars::neg_i16(a));

    let mut t = Truth::call("sample_rust::scalars::xor_u32");
    let (a, b) = (t.arg("a", 0xdead_beefu32), t.arg("b", 0x0f0f_0f0fu32));
    t.ret(scalars::xor_u32(a, b));

    let mut t = Truth::call("sample_rust::scalars::sub_i32");
    let (a, b) = (t.arg("a", -5i32), t.arg("b", 2_000_000_000i32));
    t.ret(scalars::sub_i32(a, b));

    let mut t = Truth::call("sample_rust::scalars::add_u64");
    let (a, b) = (t.arg("a", 0x1122_3344_5566_7788u64), t.arg("b", 1u64));
    let sum = t.ret(scalars::add_u64(a, b));

    let mut t = Truth::call("sample_rust::scalars::mul_i64");
    let (a, b) = (t.arg("a", -3i64), t.arg("b", 1i64 << 40));
    t.ret(scalars::mul_i64(a, b));

    let mut t = Truth::call("sample_rust::scalars::shl_usize");
    let (a, n) = (t.arg("a", 3usize), t.arg("n", 20u32));
    t.ret(scalars::shl_usize(a, n));

    let mut t = Truth::call("sample_rust::scalars::min_isize");
    let (a, b) = (t.arg("a", -7isize), t.arg("b", 9isize));
    t.ret(scalars::min_isize(a, b));

    let mut t = Truth::call("sample_rust::scalars::add_u128");
    let (a, b) = (t.arg("a", u64::MAX as u128 + 5), t.arg("b", 0x0102_0304_0506_0708_0910_1112_1314_1516u128));
    t.ret(scalars::add_u128(a, b));

    let mut t = Truth::call("sample_rust::scalars::neg_i128");
    let a = t.arg("a", -170_141_183_460_469_231_731_687_303_715_884_105_000i128);
    t.ret(scalars::neg_i128(a));

    let mut t = Truth::call("sample_rust::scalars::not_bool");
    let b = t.arg("b", true);
    t.ret(scalars::not_bool(b));

    let mut t = Truth::call("sample_rust::scalars::next_char");
    let c = t.arg("c", 'λ');
    t.ret(scalars::next_char(c));

    let mut t = Truth::call("sample_rust::scalars::half_f64");
    let x = t.arg("x", 7.25f64);
    t.ret(scalars::half_f64(x));

    let mut t = Truth::call("sample_rust::scalars::scale_f32");
    let (x, k) = (t.arg("x", 1.5f32), t.arg("k", -4.0f32));
    t.ret(scalars::scale_f32(x, k));

    let mut counter = black_box(40u64);
    let mut t = Truth::call("sample_rust::scalars::bump");
    let (c, by) = (t.arg("counter", &mut counter), t.arg("by", 2u64));
    t.ret(scalars::bump(c, by));

    // Inlined helpers: one call with a constant k, one with both values opaque.
    let x = black_box(sum);
    let mut t = Truth::inline("sample_rust::inline::scale");
    let x = t.arg("x", x);
    t.known("k", &3u64).at(site!(), inline::scale(x, 3));
    let mut t = Truth::inline("sample_rust::inline::scale");
    let (x, k) = (t.arg("x", 41u64), t.arg("k", 1000u64));
    t.at(site!(), inline::scale(x, k));
}

fn text_calls() {
    let mut t = Truth::call("sample_rust::text::count_vowels");
    let s = t.arg("s", "rustprobe traces rust");
    t.ret(text::count_vowels(s));

    let mut t = Truth::call("sample_rust::text::checksum");
    let bytes = t.arg("bytes", &b"\x00\x01binary\xff"[..]);
    t.ret(text::checksum(bytes));

    let data = [1u64, 20, 300, 4000, u64::MAX];
    let mut t = Truth::call("sample_rust::text::sum_u64");
    let xs = t.arg("xs", &data[..]);
    t.ret(text::sum_u64(xs));

    let mut t = Truth::call("sample_rust::text::greet");
    let name = t.arg("name", "wörld");
    let greeting = t.ret(text::greet(name));

    let mut t = Truth::call("sample_rust::text::take_string");
    let s = t.arg("s", greeting);
    t.ret(text::take_string(s));

    let mut t = Truth::call("sample_rust::text::take_vec");
    let v = t.arg("v", vec![3u64, 5, 7, 1 << 33]);
    t.ret(text::take_vec(v));

    let mut t = Truth::call("sample_rust::text::first_word");
    let s = t.arg("s", "quoted \"words\"\tand tabs");
    t.ret(text::first_word(s));

    let mut t = Truth::call("sample_rust::text::total_len");
    let (a, b, c, d) = (t.arg("a", "a"), t.arg("b", "bb"), t.arg("c", "ccc"), t.arg("d", "dddd"));
    t.ret(text::total_len(a, b, c, d));

    let s = black_box("inline-site");
    let mut t = Truth::inline("sample_rust::inline::prefix_len");
    let s = t.arg("s", s);
    t.known("k", &4usize).at(site!(), inline::prefix_len(s, 4));

    // The same inlined site run three times from a loop.
    for word in black_box(["loop", "inlined", "x"]) {
        let mut t = Truth::inline("sample_rust::inline::prefix_len");
        let (s, k) = (t.arg("s", word), t.arg("k", 5usize));
        t.at(site!(), inline::prefix_len(s, k));
    }
}

fn option_calls() {
    for x in [Some(21u32), None] {
        let mut t = Truth::call("sample_rust::options::double_opt");
        let x = t.arg("x", x);
        t.ret(options::double_opt(x));
    }

    let mut t = Truth::call("sample_rust::options::or_default");
    let (x, f) = (t.arg("x", Some(1u64 << 50)), t.arg("fallback", 9u64));
    t.ret(options::or_default(x, f));

    let target = 4242u64;
    for x in [Some(&target), None] {
        let mut t = Truth::call("sample_rust::options::deref_or");
        let (x, f) = (t.arg("x", x), t.arg("fallback", 17u64));
        t.ret(options::deref_or(x, f));
    }

    for c in [Some('q'), None] {
        let mut t = Truth::call("sample_rust::options::upper");
        let c = t.arg("c", c);
        t.ret(options::upper(c));
    }

    for b in [Some(true), None] {
        let mut t = Truth::call("sample_rust::options::flip");
        let b = t.arg("b", b);
        t.ret(options::flip(b));
    }

    for x in [Some(Some(7u8)), Some(None), None] {
        let mut t = Truth::call("sample_rust::options::flatten_or");
        let (x, f) = (t.arg("x", x), t.arg("fallback", 99u8));
        t.ret(options::flatten_or(x, f));
    }

    for r in [Ok(40u32), Ok(41), Err(5)] {
        let mut t = Truth::call("sample_rust::options::checked_half");
        let r = t.arg("r", r);
        let _ = t.ret(options::checked_half(r));
    }

    for r in [Ok(12u64), Err(String::from("bad input"))] {
        let mut t = Truth::call("sample_rust::options::parse_len");
        let r = t.arg("r", r);
        let _ = t.ret(options::parse_len(r));
    }
}

fn order_calls() {
    for (id, name, qty) in [(7u32, "widget", Some(3u32)), (8, "", Some(1)), (9, "gadget", None)] {
        let mut t = Truth::call("sample_rust::orders::place");
        let (id, name, qty) = (t.arg("id", id), t.arg("name", name), t.arg("qty", qty));
        let _ = t.ret(orders::place(id, name, qty));
    }

    let order = orders::Order { id: 123456789, qty: 4, price_cents: 1999 };
    let mut t = Truth::call("<sample_rust::orders::Order>::total");
    let o = t.arg("self", &order);
    let total = t.ret(o.total());

    let mut t = Truth::call("<sample_rust::orders::Order>::into_label");
    let o = t.arg("self", order);
    t.ret(o.into_label());

    let q = black_box(total as u32);
    let mut t = Truth::inline("sample_rust::inline::clamp_add");
    let q = t.arg("a", q);
    t.known("b", &5u32).at(site!(), inline::clamp_add(q, 5));
}

fn shape_calls() {
    for c in [shapes::Color::Red, shapes::Color::Blue] {
        let mut t = Truth::call("sample_rust::shapes::next_color");
        let c = t.arg("c", c);
        t.ret(shapes::next_color(c));
    }

    let mut t = Truth::call("sample_rust::shapes::escalate");
    let l = t.arg("l", shapes::Level::Low);
    t.ret(shapes::escalate(l));

    for s in [shapes::Shape::Circle { r: 5 }, shapes::Shape::Rect { w: 3, h: 11 }, shapes::Shape::Dot] {
        let mut t = Truth::call("sample_rust::shapes::shape_area");
        let s = t.arg("s", s);
        t.ret(shapes::shape_area(s));
    }

    for tok in [shapes::Token::Word(String::from("token")), shapes::Token::Space, shapes::Token::End] {
        let mut t = Truth::call("sample_rust::shapes::token_len");
        let tok = t.arg("t", tok);
        t.ret(shapes::token_len(tok));
    }

    let square = shapes::Square { side: 6 };
    let circle = shapes::Circle { r: 2 };
    let rect = shapes::Rect { w: 1 << 20, h: 3, label: 9 };
    let all: [(&dyn shapes::Area, &dyn std::fmt::Debug, &'static str, &'static str); 3] = [
        (&square, &square, "<sample_rust::shapes::Square as sample_rust::shapes::Area>::area",
            "<sample_rust::shapes::Square as sample_rust::shapes::Area>::sides"),
        (&circle, &circle, "<sample_rust::shapes::Circle as sample_rust::shapes::Area>::area",
            "<sample_rust::shapes::Circle as sample_rust::shapes::Area>::sides"),
        (&rect, &rect, "<sample_rust::shapes::Rect as sample_rust::shapes::Area>::area",
            "<sample_rust::shapes::Rect as sample_rust::shapes::Area>::sides"),
    ];
    for (s, shown, area_name, sides_name) in all {
        // A direct call through the vtable...
        let mut t = Truth::call(sides_name);
        let s = t.arg_as("self", s, shown);
        t.ret(s.sides());
        // ...and one made inside measure().
        let mut t = Truth::call("sample_rust::shapes::measure");
        let s = t.arg_as("s", s, shown);
        let area = t.ret(shapes::measure(s));
        Truth::nested(area_name).known("self", shown).ret(area);
    }
}

fn geometry_calls() {
    let mut t = Truth::call("sample_rust::geometry::double_meters");
    let m = t.arg("m", geometry::Meters(21));
    t.ret(geometry::double_meters(m));

    let mut t = Truth::call("sample_rust::geometry::pair_hash");
    let p = t.arg("p", (10u64, 20u64));
    t.ret(geometry::pair_hash(p));

    let mut t = Truth::call("sample_rust::geometry::span_hash");
    let s = t.arg("s", geometry::Span { start: 30, end: 40 });
    t.ret(geometry::span_hash(s));

    let mut t = Truth::call("sample_rust::geometry::rotate_tuple");
    let tup = t.arg("t", (1u64, 2u64, 3u64));
    t.ret(geometry::rotate_tuple(tup));

    let mut t = Truth::call("sample_rust::geometry::rotate_triple");
    let tr = t.arg("t", geometry::Triple { a: 4, b: 5, c: 6 });
    t.ret(geometry::rotate_triple(tr));

    let mut t = Truth::call("sample_rust::geometry::swap");
    let tup = t.arg("t", (77u32, 1u64 << 40));
    t.ret(geometry::swap(tup));

    let mut t = Truth::call("sample_rust::geometry::bump_mixed");
    let m = t.arg("m", geometry::Mixed { a: 0x41, b: 1000 });
    t.ret(geometry::bump_mixed(m));

    let mut t = Truth::call("sample_rust::geometry::bump_mixed_c");
    let m = t.arg("m", geometry::MixedC { a: 0x42, b: 2000 });
    t.ret(geometry::bump_mixed_c(m));

    let mut t = Truth::call("sample_rust::geometry::manhattan");
    let p = t.arg("p", geometry::Point { x: -1.5, y: 2.25 });
    t.ret(geometry::manhattan(p));

    let mut t = Truth::call("sample_rust::geometry::quad_sum");
    let q = t.arg("q", geometry::Quad { a: 1, b: 2, c: 3, d: 4 });
    t.ret(geometry::quad_sum(q));

    let mut t = Truth::call("sample_rust::geometry::brighten");
    let c = t.arg("c", [250u8, 100, 7]);
    t.ret(geometry::brighten(c));

    let big = geometry::Big { id: 99, weight: 7000, tag: 3, flag: true, code: 'Z', ratio: 2.5, count: 12 };
    let mut t = Truth::call("sample_rust::geometry::big_digest");
    let b = t.arg("b", big);
    t.ret(geometry::big_digest(b));

    let mut t = Truth::call("<sample_rust::geometry::Big>::is_heavy");
    let (b, limit) = (t.arg("self", &big), t.arg("limit", 5000u32));
    t.ret(b.is_heavy(limit));

    let mut t = Truth::call("sample_rust::geometry::zst_gap");
    let (a, m, b) = (t.arg("a", 500u64), t.arg("_m", geometry::Marker), t.arg("b", 123u64));
    t.ret(geometry::zst_gap(a, m, b));

    let mut t = Truth::call("<sample_rust::geometry::Pair>::scaled");
    let (p, k) = (t.arg("self", geometry::Pair { a: 2, b: 3 }), t.arg("k", 10u64));
    t.ret(p.scaled(k));

    let mut t = Truth::call("<sample_rust::geometry::Triple>::weighted");
    let (tr, k) = (t.arg("self", geometry::Triple { a: 1, b: 2, c: 3 }), t.arg("k", 100u64));
    t.ret(tr.weighted(k));
}

fn abi_calls() {
    let mut t = Truth::call("sample_rust::abi::eight");
    let (a, b, c, d) = (t.arg("a", 1u64), t.arg("b", 2u64), t.arg("c", 3u64), t.arg("d", 4u64));
    let (e, f, g, h) = (t.arg("e", 5u64), t.arg("f", 6u64), t.arg("g", 70u64), t.arg("h", 800u64));
    t.ret(abi::eight(a, b, c, d, e, f, g, h));

    let mut t = Truth::call("sample_rust::abi::tail_u128");
    let (a, b, c, d, e) = (t.arg("a", 1u64), t.arg("b", 2u64), t.arg("c", 4u64), t.arg("d", 8u64), t.arg("e", 16u64));
    let (x, f) = (t.arg("x", (7u128 << 64) | 9), t.arg("f", 3u64));
    t.ret(abi::tail_u128(a, b, c, d, e, x, f));

    let mut t = Truth::call("sample_rust::abi::split_str");
    let (a, b, c, d, e) = (t.arg("a", 1u64), t.arg("b", 2u64), t.arg("c", 3u64), t.arg("d", 4u64), t.arg("e", 5u64));
    let (s, f) = (t.arg("s", "split"), t.arg("f", 1000u64));
    t.ret(abi::split_str(a, b, c, d, e, s, f));

    let mut t = Truth::call("sample_rust::abi::split_pair");
    let (a, b, c, d, e) = (t.arg("a", 1u64), t.arg("b", 2u64), t.arg("c", 3u64), t.arg("d", 4u64), t.arg("e", 5u64));
    let (p, f) = (t.arg("p", geometry::Pair { a: 6, b: 7 }), t.arg("f", 100u64));
    t.ret(abi::split_pair(a, b, c, d, e, p, f));

    let mut t = Truth::call("sample_rust::abi::mixed");
    let (a, x, b) = (t.arg("a", 1u32), t.arg("x", 0.5f64), t.arg("b", 2u64));
    let (y, c, z) = (t.arg("y", 0.25f32), t.arg("c", 3u8), t.arg("z", 1e-3f64));
    t.ret(abi::mixed(a, x, b, y, c, z));

    let mut t = Truth::call("sample_rust::abi::ten_f64");
    let (a, b, c, d, e) = (t.arg("a", 1.0f64), t.arg("b", 2.0f64), t.arg("c", 3.0f64), t.arg("d", 4.0f64), t.arg("e", 5.0f64));
    let (f, g, h, i, j) = (t.arg("f", 6.0f64), t.arg("g", 7.0f64), t.arg("h", 8.0f64), t.arg("i", 0.5f64), t.arg("j", 0.25f64));
    t.ret(abi::ten_f64(a, b, c, d, e, f, g, h, i, j));
}

fn generic_calls() {
    let mut t = Truth::call("sample_rust::generics::describe::<u32>");
    let x = t.arg("x", 123456u32);
    t.ret(generics::describe(x));

    let mut t = Truth::call("sample_rust::generics::describe::<&str>");
    let x = t.arg("x", "generic");
    t.ret(generics::describe(x));

    let mut t = Truth::call("sample_rust::generics::describe::<f64>");
    let x = t.arg("x", 0.125f64);
    t.ret(generics::describe(x));

    let mut t = Truth::call("sample_rust::generics::describe::<char>");
    let x = t.arg("x", 'ß');
    t.ret(generics::describe(x));

    let bytes = [3u8, 250, 17];
    let mut t = Truth::call("sample_rust::generics::largest::<u8>");
    let xs = t.arg("xs", &bytes[..]);
    t.ret(generics::largest(xs));

    let longs = [-5i64, -2, -9];
    let mut t = Truth::call("sample_rust::generics::largest::<i64>");
    let xs = t.arg("xs", &longs[..]);
    t.ret(generics::largest(xs));

    let empty: [u32; 0] = [];
    let mut t = Truth::call("sample_rust::generics::largest::<u32>");
    let xs = t.arg("xs", &empty[..]);
    t.ret(generics::largest(xs));

    // double_area calls s.area() out of line: a NESTED line with half the result.
    let square = shapes::Square { side: 9 };
    let shown = format!("{square:?}");
    let mut t = Truth::call("sample_rust::generics::double_area::<sample_rust::shapes::Square>");
    let s = t.arg("s", square);
    let doubled = t.ret(generics::double_area(s));
    Truth::nested("<sample_rust::shapes::Square as sample_rust::shapes::Area>::area")
        .known("self", &format_args!("{shown}"))
        .ret(doubled / 2);

    let rect = shapes::Rect { w: 5, h: 6, label: 1 };
    let shown = format!("{rect:?}");
    let mut t = Truth::call("sample_rust::generics::double_area::<sample_rust::shapes::Rect>");
    let s = t.arg("s", rect);
    let doubled = t.ret(generics::double_area(s));
    Truth::nested("<sample_rust::shapes::Rect as sample_rust::shapes::Area>::area")
        .known("self", &format_args!("{shown}"))
        .ret(doubled / 2);
}

fn closure_calls() {
    let mut t = Truth::call("sample_rust::closures::make_adder");
    let k = t.arg("k", 100u32);
    let adder = closures::make_adder(k);
    t.ret(format_args!("<closure>"));
    let adder_dyn: &dyn Fn(u32) -> u32 = &adder;

    // Called through &dyn Fn directly...
    let mut t = Truth::call("sample_rust::closures::make_adder::{closure#0}");
    let x = t.arg("x", 5u32);
    let f = black_box(adder_dyn);
    t.ret(f(x));

    // ...and from inside apply().
    let mut t = Truth::call("sample_rust::closures::apply");
    let f = t.arg_as("f", adder_dyn, &format_args!("<closure k=100>"));
    let x = t.arg("x", 23u32);
    let r = t.ret(closures::apply(f, x));
    Truth::nested("sample_rust::closures::make_adder::{closure#0}").known("x", &x).ret(r);

    let mut t = Truth::call("sample_rust::closures::make_scaler");
    let k = t.arg("k", 3u64);
    let scaler = closures::make_scaler(k);
    t.ret(format_args!("<boxed closure>"));
    for x in [7u64, 1 << 40] {
        let mut t = Truth::call("sample_rust::closures::make_scaler::{closure#0}");
        let x = t.arg("x", x);
        let f: &dyn Fn(u64) -> u64 = black_box(&*scaler);
        t.ret(f(x));
    }
}

fn recursion_calls() {
    let mut t = Truth::call("sample_rust::recursion::depth_sum");
    let n = t.arg("n", 5u32);
    let r = t.ret(recursion::depth_sum(n));
    // depth_sum(n) calls depth_sum(n-1), ..., depth_sum(0); each returns 0 + 1 + ... + k.
    let mut k = n;
    let mut ret = r;
    while k > 0 {
        ret -= k as u64;
        k -= 1;
        Truth::nested("sample_rust::recursion::depth_sum").known("n", &k).ret(ret);
    }
}

fn fault_calls() {
    for code in [4u32, 13] {
        let mut t = Truth::call("sample_rust::faults::explode");
        let code = t.arg("code", code);
        match std::panic::catch_unwind(|| faults::explode(code)) {
            Ok(r) => {
                t.ret(r);
            }
            Err(payload) => {
                let message = payload
                    .downcast_ref::<String>()
                    .map(String::as_str)
                    .or_else(|| payload.downcast_ref::<&str>().copied())
                    .unwrap_or("<non-string panic payload>");
                t.panicked(message);
            }
        }
    }
}

fn internal_calls() {
    let mut t = Truth::call("sample_rust::internals::run");
    let (a, b, c) = (t.arg("a", 11u64), t.arg("b", 22u64), t.arg("c", 33u64));
    let parts = t.ret(internals::run(a, b, c));
    Truth::nested("sample_rust::internals::dead_arg").known("a", &a).known("_unused", &b).known("c", &c).ret(parts.dead);
    Truth::nested("sample_rust::internals::const_arg").known("k", &5u64).known("b", &c).ret(parts.constant);
    Truth::nested("sample_rust::internals::by_ref").known("x", &&a).ret(parts.by_ref);
}

/// Three threads call the same functions with values that differ per thread.
fn thread_calls() {
    let names = ["alpha", "beta", "gamma"];
    let handles: Vec<_> = (1u32..=3)
        .map(|k| {
            let name = names[k as usize - 1];
            std::thread::spawn(move || {
                let mut t = Truth::call("sample_rust::orders::place");
                let (id, n, qty) = (t.arg("id", 100 + k), t.arg("name", name), t.arg("qty", Some(k)));
                let _ = t.ret(orders::place(id, n, qty));

                let mut t = Truth::call("sample_rust::scalars::add_u64");
                let (a, b) = (t.arg("a", k as u64 * 1000), t.arg("b", k as u64));
                let sum = t.ret(scalars::add_u64(a, b));

                let mut t = Truth::call("sample_rust::text::count_vowels");
                let s = t.arg("s", name);
                t.ret(text::count_vowels(s));

                let mut t = Truth::inline("sample_rust::inline::scale");
                let x = t.arg("x", sum);
                t.known("k", &10u64).at(site!(), inline::scale(x, 10));

                let mut t = Truth::inline("sample_rust::inline::clamp_add");
                let (a, b) = (t.arg("a", k * 300), t.arg("b", k));
                t.at(site!(), inline::clamp_add(a, b));
            })
        })
        .collect();
    for h in handles {
        h.join().expect("worker thread");
    }
}

/// A hot loop for benchmarks: orders::place called n times on the main thread, each with its own id.
fn hot_calls(n: u64) {
    for i in 0..n {
        let mut t = Truth::call("sample_rust::orders::place");
        let (id, name, qty) = (t.arg("id", (i % 1_000_000) as u32 + 1000), t.arg("name", "hot"), t.arg("qty", Some(2u32)));
        let _ = t.ret(orders::place(id, name, qty));
    }
}
