//! Truth lines: what the binary passed to each traced function and what came back, printed by the caller
//! (never by the traced function) as one tab-separated line per call. The format is described in README.md.

use std::fmt::Debug;
use std::hint::black_box;
use std::io::Write;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

static QUIET: AtomicBool = AtomicBool::new(false);
static LINES: AtomicU64 = AtomicU64::new(0);

extern "C" {
    fn gettid() -> i32;
}

thread_local! {
    static TID: i32 = unsafe { gettid() };
}

pub fn tid() -> i32 {
    TID.with(|t| *t)
}

pub fn set_quiet(q: bool) {
    QUIET.store(q, Ordering::Relaxed);
}

/// How many call lines were produced (or would have been, with --quiet).
pub fn lines() -> u64 {
    LINES.load(Ordering::Relaxed)
}

/// The call-site marker of an inlined helper: `file:line` of the line the macro is used on.
#[macro_export]
macro_rules! site {
    () => {
        concat!(file!(), ":", line!())
    };
}

/// One truth line being built: arguments are recorded (and hidden from the optimizer) as they are made.
pub struct Truth {
    kind: &'static str,
    function: &'static str,
    fields: Vec<String>,
}

impl Truth {
    /// A call the binary makes itself.
    pub fn call(function: &'static str) -> Truth {
        Truth { kind: "CALL", function, fields: Vec::new() }
    }

    /// A call the traced function makes on its own (recursion, a vtable call), as the caller knows it happens.
    pub fn nested(function: &'static str) -> Truth {
        Truth { kind: "NESTED", function, fields: Vec::new() }
    }

    /// A call of an `#[inline]` helper; finished with `at(site!(), ...)` on the line of the call.
    pub fn inline(function: &'static str) -> Truth {
        Truth { kind: "INLINE", function, fields: Vec::new() }
    }

    /// Records an argument and returns it through `black_box`, so the callee really receives it.
    pub fn arg<T: Debug>(&mut self, name: &str, value: T) -> T {
        if !QUIET.load(Ordering::Relaxed) {
            self.fields.push(format!("{name}={value:?}"));
        }
        black_box(value)
    }

    /// Like `arg`, for values without a useful Debug form (closures, trait objects): `shown` is printed instead.
    pub fn arg_as<T, S: Debug + ?Sized>(&mut self, name: &str, value: T, shown: &S) -> T {
        if !QUIET.load(Ordering::Relaxed) {
            self.fields.push(format!("{name}={shown:?}"));
        }
        black_box(value)
    }

    /// Records a value that is already known (for NESTED lines) without passing it anywhere.
    pub fn known<T: Debug + ?Sized>(mut self, name: &str, value: &T) -> Truth {
        if !QUIET.load(Ordering::Relaxed) {
            self.fields.push(format!("{name}={value:?}"));
        }
        self
    }

    /// Prints the line with the return value and hands the value back.
    pub fn ret<R: Debug>(self, value: R) -> R {
        self.emit(&value, None);
        value
    }

    /// Prints an INLINE line with its call site.
    pub fn at<R: Debug>(self, site: &'static str, value: R) -> R {
        self.emit(&value, Some(site));
        value
    }

    /// Prints a PANIC line: the call unwound and `catch_unwind` caught it with this message.
    pub fn panicked(mut self, message: &str) {
        self.kind = "PANIC";
        self.emit(&message, None);
    }

    fn emit(&self, ret: &dyn Debug, site: Option<&str>) {
        LINES.fetch_add(1, Ordering::Relaxed);
        if QUIET.load(Ordering::Relaxed) {
            return;
        }
        let mut line = format!("{}\t{}\t{}", self.kind, tid(), self.function);
        for f in &self.fields {
            line.push('\t');
            line.push_str(f);
        }
        line.push_str(&format!("\t-> {ret:?}"));
        if let Some(s) = site {
            line.push_str("\t@ ");
            line.push_str(s);
        }
        line.push('\n');
        print_line(&line);
    }
}

/// Writes one whole line to stdout and flushes it, so a tracer reading both sees them in order.
pub fn print_line(line: &str) {
    let out = std::io::stdout();
    let mut out = out.lock();
    let _ = out.write_all(line.as_bytes());
    let _ = out.flush();
}
