//! Formatting helpers for display.

use dadashop_types::money::{format_fen, parse_yuan};
use dadashop_types::orders::CartItem;

/// An amount in fen as the shop shows it: `19900` → `"¥199.00"`.
pub fn yuan(fen: i64) -> String {
    format!("¥{}", format_fen(fen))
}

/// A price string of the API (`"199.00"`) in fen; an unreadable one counts as 0.
pub fn fen(price: &str) -> i64 {
    parse_yuan(price).unwrap_or(0)
}

/// Price times count of a line, in fen.
pub fn line_fen(line: &CartItem) -> i64 {
    fen(&line.price).saturating_mul(line.count)
}

/// Seconds as `mm:ss` (minutes may pass 59): `1800` → `"30:00"`, `65` → `"01:05"`.
pub fn mm_ss(seconds: i64) -> String {
    let seconds = seconds.max(0);
    format!("{:02}:{:02}", seconds / 60, seconds % 60)
}

/// Formats Unix seconds as China Standard Time (UTC+8, no daylight saving), the shop's local
/// time: `0` → `"1970-01-01 08:00"`.
pub fn beijing_time(unix_seconds: i64) -> String {
    let seconds = unix_seconds.saturating_add(8 * 3600);
    let (year, month, day) = civil_from_days(seconds.div_euclid(86_400));
    let of_day = seconds.rem_euclid(86_400);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}",
        of_day / 3600,
        of_day % 3600 / 60
    )
}

/// A mobile number with its middle four digits hidden, as Chinese shops show it:
/// `"13812345678"` → `"138****5678"`. Anything that is not 11 characters shows only its last
/// four characters after `****` (or `****` alone when shorter).
pub fn mask_phone(phone: &str) -> String {
    let chars: Vec<char> = phone.chars().collect();
    match chars.len() {
        11 => format!(
            "{}****{}",
            chars[..3].iter().collect::<String>(),
            chars[7..].iter().collect::<String>()
        ),
        n if n > 4 => format!("****{}", chars[n - 4..].iter().collect::<String>()),
        _ => "****".to_owned(),
    }
}

/// Year, month, day of a count of days since 1970-01-01 (proleptic Gregorian calendar), after
/// Howard Hinnant's `civil_from_days`.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::{beijing_time, mask_phone, mm_ss, yuan};

    #[test]
    fn countdowns_and_amounts_read_as_the_shop_shows_them() {
        assert_eq!(mm_ss(1800), "30:00");
        assert_eq!(mm_ss(65), "01:05");
        assert_eq!(mm_ss(-3), "00:00");
        assert_eq!(yuan(19_905), "¥199.05");
    }

    #[test]
    fn phones_show_their_first_three_and_last_four_digits() {
        assert_eq!(mask_phone("13812345678"), "138****5678");
        assert_eq!(mask_phone("123456"), "****3456");
        assert_eq!(mask_phone("12"), "****");
    }

    #[test]
    fn unix_seconds_read_as_beijing_time() {
        assert_eq!(beijing_time(0), "1970-01-01 08:00");
        assert_eq!(beijing_time(951_912_000), "2000-03-01 20:00"); // 12:00 UTC
        assert_eq!(beijing_time(1_709_164_800), "2024-02-29 08:00"); // leap day
        assert_eq!(beijing_time(951_825_600), "2000-02-29 20:00"); // century leap day
        assert_eq!(beijing_time(1_798_732_799), "2026-12-31 23:59");
    }
}
