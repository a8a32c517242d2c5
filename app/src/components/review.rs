//! A score of one to five stars, as reviews show it.

use leptos::prelude::*;

/// The most stars a score has.
pub const MAX_STARS: i64 = 5;

/// `score` filled stars (★) of five, the rest hollow (☆): `4` → `★★★★☆`. A score out of
/// range is clamped.
pub fn star_text(score: i64) -> String {
    let filled = score.clamp(0, MAX_STARS);
    (0..MAX_STARS)
        .map(|i| if i < filled { '★' } else { '☆' })
        .collect()
}

/// A score as stars, read out as `4 星` (screen readers get the number, not five glyphs).
#[component]
pub fn Stars(
    /// 0 to 5 (rounded already for an average).
    score: i64,
) -> impl IntoView {
    let label = format!("{} 星", score.clamp(0, MAX_STARS));
    view! {
        <span class="stars" role="img" aria-label=label>
            {star_text(score)}
        </span>
    }
}

#[cfg(test)]
mod tests {
    use super::star_text;

    #[test]
    fn scores_fill_that_many_of_five_stars() {
        assert_eq!(star_text(4), "★★★★☆");
        assert_eq!(star_text(5), "★★★★★");
        assert_eq!(star_text(0), "☆☆☆☆☆");
        assert_eq!(star_text(9), "★★★★★");
    }
}
