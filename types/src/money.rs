//! Money on the wire: decimals with two places serialised as strings (`"199.00"`).
//! Amounts are integer fen (1/100 yuan) everywhere else; floats are never used.

/// Formats an amount in fen as a yuan string with two decimals: `19900` → `"199.00"`,
/// `-5` → `"-0.05"`.
pub fn format_fen(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let abs = fen.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

/// Parses a non-negative yuan amount with at most two decimals (`"199"`, `"199.5"`,
/// `"199.00"`) into fen. `None` for anything else: signs, exponents, more than two decimals,
/// spaces inside, empty text, or more than 1,000,000,000 yuan (no shop price comes near).
pub fn parse_yuan(text: &str) -> Option<i64> {
    let text = text.trim();
    let digits = |s: &str| !s.is_empty() && s.len() <= 10 && s.bytes().all(|b| b.is_ascii_digit());
    let (yuan, fen) = match text.split_once('.') {
        Some((y, f)) if digits(f) && f.len() <= 2 => (y, f),
        Some(_) => return None,
        None => (text, ""),
    };
    if !digits(yuan) {
        return None;
    }
    let yuan: i64 = yuan.parse().ok()?;
    if yuan > 1_000_000_000 {
        return None;
    }
    let fen: i64 = match fen.len() {
        0 => 0,
        1 => fen.parse::<i64>().ok()? * 10,
        _ => fen.parse().ok()?,
    };
    Some(yuan * 100 + fen)
}

#[cfg(test)]
mod tests {
    use super::{format_fen, parse_yuan};

    #[test]
    fn parses_yuan_into_fen() {
        assert_eq!(parse_yuan("199"), Some(19900));
        assert_eq!(parse_yuan("199.5"), Some(19950));
        assert_eq!(parse_yuan(" 0.05 "), Some(5));
        for bad in [
            "",
            ".5",
            "1.",
            "-1",
            "+1",
            "1e3",
            "1.234",
            "1 0",
            "abc",
            "99999999999",
        ] {
            assert_eq!(parse_yuan(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn formats_fen_as_yuan_with_two_places() {
        assert_eq!(format_fen(19900), "199.00");
        assert_eq!(format_fen(5), "0.05");
        assert_eq!(format_fen(0), "0.00");
        assert_eq!(format_fen(-1234), "-12.34");
    }
}
