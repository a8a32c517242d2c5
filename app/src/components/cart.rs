//! Cart and order lines, and the countdown of unpaid orders.

use std::time::Duration;

use dadashop_types::orders::{CartItem, OrderLine};
use leptos::prelude::*;

use super::image_url;
use crate::Page;
use crate::format::{fen, line_fen, mm_ss, yuan};

/// The sale attributes of a line as one text: `"颜色：红 尺寸：M"`.
fn attributes(line: &CartItem) -> String {
    line.sku_sale_attr_name
        .iter()
        .zip(&line.sku_sale_attr_val)
        .map(|(name, value)| format!("{name}：{value}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// A line's picture (fixed size, lazily loaded), name linking to its product page, and
/// sale attributes.
#[component]
pub fn LineInfo(
    /// The line.
    line: CartItem,
    /// `base_url` of the answer the line came in.
    base_url: String,
) -> impl IntoView {
    let attrs = attributes(&line);
    // A SKU without a picture gets an empty frame of the same size, not a request for the
    // media root.
    let picture = if line.default_image_url.is_empty() {
        view! { <span class="line-image" aria-hidden="true"></span> }.into_any()
    } else {
        view! {
            <img
                class="line-image"
                src=image_url(&base_url, &line.default_image_url)
                alt=""
                width="72"
                height="72"
                loading="lazy"
                decoding="async"
            />
        }
        .into_any()
    };
    view! {
        {picture}
        <div class="line-info">
            <a class="line-name" href=Page::product(line.id)>{line.name}</a>
            {(!attrs.is_empty()).then(|| view! { <span class="line-attrs">{attrs}</span> })}
        </div>
    }
}

/// Read-only lines of a settlement or an order: each with its price × count and its total.
#[component]
pub fn OrderLines(
    /// The lines.
    lines: Vec<OrderLine>,
    /// `base_url` of the answer.
    base_url: String,
) -> impl IntoView {
    let rows = lines
        .into_iter()
        .map(|OrderLine { item: line, .. }| {
            let unit = format!("{} × {}", yuan(fen(&line.price)), line.count);
            let total = yuan(line_fen(&line));
            view! {
                <li class="line" data-testid="order-line">
                    <LineInfo line base_url=base_url.clone() />
                    <span class="line-unit">{unit}</span>
                    <strong class="line-total">{total}</strong>
                </li>
            }
        })
        .collect_view();
    view! { <ul class="lines">{rows}</ul> }
}

/// `mm:ss` left of `seconds`, ticking down every second (measured against the clock, so
/// a busy or hidden tab does not make it slow); `00:00` at the end.
#[component]
pub fn Countdown(
    /// Seconds left when the component is created.
    seconds: i64,
) -> impl IntoView {
    let left = RwSignal::new(seconds.max(0));
    if seconds > 0 {
        // Order time-outs are minutes: far inside the exact range of an f64.
        let deadline = js_sys::Date::now() + seconds as f64 * 1000.0;
        let tick = move || {
            let now = ((deadline - js_sys::Date::now()) / 1000.0).ceil().max(0.0) as i64;
            left.set(now);
        };
        if let Ok(handle) = set_interval_with_handle(tick, Duration::from_secs(1)) {
            on_cleanup(move || handle.clear());
        }
    }
    view! {
        <span class="countdown" data-testid="countdown" role="timer">
            {move || mm_ss(left.get())}
        </span>
    }
}
