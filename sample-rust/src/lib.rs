//! The functions rustprobe traces, grouped by the ABI case they exercise. Every exported function is
//! `#[inline(never)]` (so it has its own symbol) except the helpers in `inline`, which are meant to be inlined.

pub mod abi;
pub mod closures;
pub mod faults;
pub mod generics;
pub mod geometry;
pub mod inline;
pub mod internals;
pub mod options;
pub mod orders;
pub mod recursion;
pub mod scalars;
pub mod shapes;
pub mod text;
