//! A tiny order book: a free function with `&str` and `Option`, and methods taking `&self` and `self`.

#[derive(Debug, Clone)]
pub struct Order {
    pub id: u64,
    pub qty: u32,
    pub price_cents: u64,
}

/// Places an order: its cost, or `Err(id)` when there is no quantity or no name.
#[inline(never)]
pub fn place(id: u32, name: &str, qty: Option<u32>) -> Result<u32, u32> {
    match qty {
        Some(q) if !name.is_empty() => Ok(id.wrapping_mul(q)),
        _ => Err(id),
    }
}

impl Order {
    #[inline(never)]
    pub fn total(&self) -> u64 {
        self.price_cents.wrapping_mul(self.qty as u64)
    }

    #[inline(never)]
    pub fn into_label(self) -> String {
        let mut s = String::from("order#");
        let mut digits = [0u8; 20];
        let mut n = self.id;
        let mut i = digits.len();
        loop {
            i -= 1;
            digits[i] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        s.push_str(std::str::from_utf8(&digits[i..]).unwrap_or("?"));
        s
    }
}
