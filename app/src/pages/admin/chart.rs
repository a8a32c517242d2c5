//! A small chart drawn as inline SVG (no JavaScript library: the page's CSP allows only the
//! app's own scripts, and a charting library would weigh more than the whole console).
//!
//! One category axis (days) and up to two value axes: bars or a line per series, each series
//! on the left or the right axis, with grid lines, axis figures, day labels, a legend and a
//! tooltip (`<title>`) on every bar and point. Colours come from the style sheet's classes
//! (`chart-s0`, `chart-s1`, ...), never from style attributes.

use leptos::prelude::*;

/// How a series is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    /// A bar per category (several bar series stand side by side).
    Bars,
    /// A line through the categories' centres, with a dot on each.
    Line,
}

/// Which value axis a series is read against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Axis {
    Left,
    Right,
}

/// One series of figures, one per category.
#[derive(Debug, Clone)]
pub struct Series {
    /// Its name in the legend and the tooltips, e.g. "新增用户".
    pub name: &'static str,
    pub values: Vec<f64>,
    pub mark: Mark,
    pub axis: Axis,
    /// How a value reads in a tooltip, e.g. `3 人`, `¥1,299.00`.
    pub format: fn(f64) -> String,
}

/// The step of an axis's grid lines for about `raw` per step: 1, 2 or 5 times a power of
/// ten, at least `raw`; at least 1 when `whole` (counts). 1 for nothing to show.
pub fn nice_step(raw: f64, whole: bool) -> f64 {
    if !raw.is_finite() || raw <= 0.0 {
        return 1.0;
    }
    let magnitude = 10f64.powf(raw.log10().floor());
    let normal = raw / magnitude;
    let nice = if normal <= 1.0 {
        1.0
    } else if normal <= 2.0 {
        2.0
    } else if normal <= 5.0 {
        5.0
    } else {
        10.0
    };
    let step = nice * magnitude;
    if whole { step.max(1.0).round() } else { step }
}

/// The top of a value axis and the step of its grid lines, so that about `ticks` lines
/// cover `max` ([`nice_step`]). An empty or all-zero series gets `ticks` steps of 1.
pub fn nice_scale(max: f64, ticks: u32, whole: bool) -> (f64, f64) {
    let ticks = ticks.max(1);
    if !max.is_finite() || max <= 0.0 {
        return (f64::from(ticks), 1.0);
    }
    let step = nice_step(max / f64::from(ticks), whole);
    ((max / step).ceil() * step, step)
}

/// The scale of the right axis, drawn on the left axis's `lines` grid lines: a round step,
/// `lines` of them covering `max`.
pub fn aligned_scale(max: f64, lines: u32, whole: bool) -> (f64, f64) {
    let lines = lines.max(1);
    let step = nice_step(max / f64::from(lines), whole);
    (step * f64::from(lines), step)
}

/// An axis figure: `1200` → `"1200"`, `25000` → `"2.5万"`, `0.5` → `"0.5"`.
pub fn axis_figure(value: f64) -> String {
    let trim = |text: String| {
        if text.contains('.') {
            text.trim_end_matches('0').trim_end_matches('.').to_owned()
        } else {
            text
        }
    };
    if value.abs() >= 10_000.0 {
        format!("{}万", trim(format!("{:.1}", value / 10_000.0)))
    } else {
        trim(format!("{value:.2}"))
    }
}

/// Which of `n` category labels to write so that at most about `room` show, the last one
/// (today) always among them.
pub fn labelled(n: usize, room: usize) -> impl Fn(usize) -> bool {
    let step = n.div_ceil(room.max(1)).max(1);
    move |i| i < n && (n - 1 - i).is_multiple_of(step)
}

// The drawing's coordinates (the SVG scales to the width of its box).
const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 250.0;
const LEFT: f64 = 48.0;
const RIGHT: f64 = 56.0;
const TOP: f64 = 30.0;
const BOTTOM: f64 = 36.0;
const TICKS: u32 = 4;

fn px(value: f64) -> String {
    format!("{value:.1}")
}

/// A chart of `series` over the categories `labels` (e.g. `12-05`), titled `title` (also
/// its accessible name). `left_unit` and `right_unit` head the value axes (e.g. "人", "元").
#[component]
pub fn Chart(
    /// The chart's name, e.g. "近30天新增用户".
    title: &'static str,
    /// The category labels, oldest first.
    labels: Vec<String>,
    series: Vec<Series>,
    /// Unit over the left axis.
    #[prop(default = "")]
    left_unit: &'static str,
    /// Unit over the right axis (only drawn when a series uses it).
    #[prop(default = "")]
    right_unit: &'static str,
    /// Whether left-axis values are counts (whole steps).
    #[prop(default = true)]
    left_whole: bool,
    /// Whether right-axis values are counts.
    #[prop(default = false)]
    right_whole: bool,
    /// A sentence read by screen readers and shown under the chart, e.g. the totals.
    #[prop(into)]
    summary: String,
) -> impl IntoView {
    let n = labels.len().max(1);
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let band = plot_w / n as f64;
    let max_of = |axis: Axis| {
        series
            .iter()
            .filter(|s| s.axis == axis)
            .flat_map(|s| s.values.iter().copied())
            .fold(0.0_f64, f64::max)
    };
    let has_right = series.iter().any(|s| s.axis == Axis::Right);
    let (left_top, left_step) = nice_scale(max_of(Axis::Left), TICKS, left_whole);
    let left_lines = (left_top / left_step).round() as u32;
    let (right_top, right_step) = aligned_scale(max_of(Axis::Right), left_lines, right_whole);
    let y = move |value: f64, axis: Axis| {
        let top = if axis == Axis::Left {
            left_top
        } else {
            right_top
        };
        TOP + plot_h - (value.max(0.0) / top) * plot_h
    };

    // Grid lines and the left axis's figures; the right axis's figures at the same heights.
    let grid = (0..=left_lines)
        .map(|i| {
            let value = f64::from(i) * left_step;
            let at = px(y(value, Axis::Left));
            let right = has_right.then(|| {
                let value = f64::from(i) * right_step;
                view! {
                    <text class="chart-figure" x=px(WIDTH - RIGHT + 6.0) y=at.clone() dy="4.5" text-anchor="start">
                        {axis_figure(value)}
                    </text>
                }
            });
            view! {
                <line class="chart-grid" x1=px(LEFT) x2=px(WIDTH - RIGHT) y1=at.clone() y2=at.clone() />
                <text class="chart-figure" x=px(LEFT - 6.0) y=at.clone() dy="4.5" text-anchor="end">
                    {axis_figure(value)}
                </text>
                {right}
            }
        })
        .collect_view();

    let show = labelled(n, 8);
    let day_labels = labels
        .iter()
        .enumerate()
        .filter(|(i, _)| show(*i))
        .map(|(i, label)| {
            let x = LEFT + band * (i as f64 + 0.5);
            view! {
                <text class="chart-label" x=px(x) y=px(HEIGHT - BOTTOM + 20.0) text-anchor="middle">
                    {label.clone()}
                </text>
            }
        })
        .collect_view();

    let bar_series = series
        .iter()
        .filter(|s| s.mark == Mark::Bars)
        .count()
        .max(1);
    let bar_w = band * 0.7 / bar_series as f64;
    let mut bar_index = 0;
    let marks = series
        .iter()
        .enumerate()
        .map(|(k, s)| {
            let class = format!("chart-s{k}");
            let tip = |i: usize, v: f64| {
                format!(
                    "{} {}：{}",
                    labels.get(i).map_or("", String::as_str),
                    s.name,
                    (s.format)(v)
                )
            };
            match s.mark {
                Mark::Bars => {
                    let offset = band * 0.15 + bar_w * bar_index as f64;
                    bar_index += 1;
                    s.values
                        .iter()
                        .enumerate()
                        .map(|(i, v)| {
                            let top = y(*v, s.axis);
                            view! {
                                <rect
                                    class=format!("chart-bar {class}")
                                    x=px(LEFT + band * i as f64 + offset)
                                    y=px(top)
                                    width=px(bar_w.max(1.0))
                                    height=px((TOP + plot_h - top).max(0.0))
                                >
                                    <title>{tip(i, *v)}</title>
                                </rect>
                            }
                        })
                        .collect_view()
                        .into_any()
                }
                Mark::Line => {
                    let points: Vec<(f64, f64)> = s
                        .values
                        .iter()
                        .enumerate()
                        .map(|(i, v)| (LEFT + band * (i as f64 + 0.5), y(*v, s.axis)))
                        .collect();
                    let path = points
                        .iter()
                        .map(|(x, y)| format!("{},{}", px(*x), px(*y)))
                        .collect::<Vec<_>>()
                        .join(" ");
                    let dots = points
                        .iter()
                        .zip(&s.values)
                        .enumerate()
                        .map(|(i, ((x, y), v))| {
                            view! {
                                <circle class=format!("chart-dot {class}") cx=px(*x) cy=px(*y) r="2.5">
                                    <title>{tip(i, *v)}</title>
                                </circle>
                            }
                        })
                        .collect_view();
                    view! {
                        <polyline class=format!("chart-line {class}") points=path />
                        {dots}
                    }
                    .into_any()
                }
            }
        })
        .collect_view();

    let legend = series
        .iter()
        .enumerate()
        .map(|(k, s)| {
            let shape = if s.mark == Mark::Line {
                "mark-line"
            } else {
                "mark-bar"
            };
            let axis = match (has_right, s.axis) {
                (true, Axis::Left) => "（左轴）",
                (true, Axis::Right) => "（右轴）",
                _ => "",
            };
            view! {
                <li>
                    <span class=format!("chart-key {shape} chart-s{k}") aria-hidden="true"></span>
                    {format!("{}{axis}", s.name)}
                </li>
            }
        })
        .collect_view();

    view! {
        <figure class="chart" data-testid="chart">
            <figcaption>{title}</figcaption>
            <div class="chart-scroll">
                <svg
                    viewBox=format!("0 0 {WIDTH} {HEIGHT}")
                    role="img"
                    aria-label=format!("{title}：{summary}")
                    preserveAspectRatio="xMidYMid meet"
                >
                    <title>{title}</title>
                    {grid}
                    <line class="chart-axis" x1=px(LEFT) x2=px(WIDTH - RIGHT) y1=px(TOP + plot_h) y2=px(TOP + plot_h) />
                    <text class="chart-unit" x=px(LEFT - 6.0) y=px(TOP - 14.0) text-anchor="end">{left_unit}</text>
                    {has_right.then(|| view! {
                        <text class="chart-unit" x=px(WIDTH - RIGHT + 6.0) y=px(TOP - 14.0) text-anchor="start">{right_unit}</text>
                    })}
                    {marks}
                    {day_labels}
                </svg>
            </div>
            <ul class="chart-legend">{legend}</ul>
            <p class="chart-summary">{summary.clone()}</p>
        </figure>
    }
}

#[cfg(test)]
mod tests {
    use super::{aligned_scale, axis_figure, labelled, nice_scale, nice_step};

    #[test]
    fn value_axes_end_on_round_figures() {
        assert_eq!(nice_scale(0.0, 4, true), (4.0, 1.0));
        assert_eq!(nice_scale(3.0, 4, true), (3.0, 1.0));
        assert_eq!(nice_scale(7.0, 4, true), (8.0, 2.0));
        assert_eq!(nice_scale(37.0, 4, true), (40.0, 10.0));
        assert_eq!(nice_scale(1234.5, 4, false), (1500.0, 500.0));
        assert_eq!(nice_scale(f64::NAN, 4, false), (4.0, 1.0));
        assert_eq!(nice_step(0.0, false), 1.0);
        assert_eq!(nice_step(0.4, true), 1.0);
    }

    #[test]
    fn the_right_axis_keeps_the_left_axis_grid_lines_with_round_figures() {
        // 1476 yuan over the 4 lines of a 0-4 orders axis: steps of 500, up to 2000.
        assert_eq!(aligned_scale(1476.0, 4, false), (2000.0, 500.0));
        assert_eq!(aligned_scale(0.0, 4, false), (4.0, 1.0));
        assert_eq!(aligned_scale(90.0, 5, false), (100.0, 20.0));
    }

    #[test]
    fn axis_figures_are_short() {
        assert_eq!(axis_figure(0.0), "0");
        assert_eq!(axis_figure(1200.0), "1200");
        assert_eq!(axis_figure(0.5), "0.5");
        assert_eq!(axis_figure(25_000.0), "2.5万");
        assert_eq!(axis_figure(30_000.0), "3万");
    }

    #[test]
    fn day_labels_are_spaced_and_end_on_today() {
        let show = labelled(30, 8);
        let shown: Vec<usize> = (0..30).filter(|i| show(*i)).collect();
        assert_eq!(shown, vec![1, 5, 9, 13, 17, 21, 25, 29]);
        let all = labelled(5, 8);
        assert!((0..5).all(all));
        assert!(!labelled(3, 8)(3));
    }
}
