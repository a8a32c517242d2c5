//! Money on the wire: decimals with two places serialised as strings (`"199.00"`).
//! Amounts are integer fen (1/100 yuan) everywhere else; floats are never used.

/// Formats an amount in fen as a yuan string with two decimals: `19900` → `"199.00"`,
/// `-5` → `"-0.05"`.
pub fn format_fen(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let abs = fen.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

#[cfg(test)]
mod tests {
    use super::format_fen;

    #[test]
    fn formats_fen_as_yuan_with_two_places() {
        assert_eq!(format_fen(19900), "199.00");
        assert_eq!(format_fen(5), "0.05");
        assert_eq!(format_fen(0), "0.00");
        assert_eq!(format_fen(-1234), "-12.34");
    }
}
