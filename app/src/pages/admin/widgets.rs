//! The console's small pieces: how figures read, the confirmation dialog, the pager of its
//! lists, and its date and choice fields.

use dadashop_types::orders::{
    STATUS_CANCELLED, STATUS_DONE, STATUS_PAID, STATUS_REFUND_DUE, STATUS_REFUNDED, STATUS_SHIPPED,
    STATUS_UNPAID,
};
use leptos::html;
use leptos::prelude::*;

use crate::format::{beijing_time, fen, yuan};

/// A yuan amount of the API (`"199.00"`) as the shop shows money: `¥199.00`.
pub fn money(amount: &str) -> String {
    yuan(fen(amount))
}

/// Unix seconds in China time, as the shop shows times: `2026-12-05 14:03`.
pub fn when(seconds: i64) -> String {
    beijing_time(seconds)
}

/// [`when`], or `—` for never.
pub fn maybe_when(seconds: Option<i64>) -> String {
    seconds.map_or_else(|| "—".to_owned(), when)
}

/// A chart's day label: `2026-12-05` → `12-05`.
pub fn day_label(day: &str) -> String {
    day.get(5..).unwrap_or(day).to_owned()
}

/// Who did something, as the order's timeline and the audit log name them.
pub fn actor(by: &str) -> String {
    match by {
        "shopper" => "买家".to_owned(),
        "gateway" => "支付宝".to_owned(),
        "timeout" => "系统（超时）".to_owned(),
        "cli" => "命令行".to_owned(),
        other => match other.strip_prefix("staff:") {
            Some(name) => format!("员工 {name}"),
            None => other.to_owned(),
        },
    }
}

/// The badge class of an order status (its colour).
pub fn status_class(status: i64) -> &'static str {
    match status {
        STATUS_UNPAID | STATUS_REFUND_DUE => "badge warn",
        STATUS_PAID => "badge todo",
        STATUS_SHIPPED => "badge info",
        STATUS_DONE => "badge ok",
        STATUS_CANCELLED | STATUS_REFUNDED => "badge off",
        _ => "badge",
    }
}

/// A question asked before something that cannot be undone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Question {
    /// The dialog's title, e.g. "确认发货".
    pub title: String,
    /// What will happen, e.g. "订单 … 将以顺丰速运发出，运单号 …".
    pub detail: String,
    /// The button that goes ahead, e.g. "确认发货".
    pub yes: &'static str,
    /// Whether going ahead takes something away (a refund, a cancel, a disabled account).
    pub danger: bool,
}

/// A dialog in the page (not `window.confirm`: it cannot be styled, some browsers let users
/// silence it, and tests cannot tell it from a real question) shown while `question` holds
/// one: its title, detail, 取消 and the button that goes ahead. Escape or 取消 answer `false`.
/// Focus starts on 取消, so that a stray Enter does not go ahead.
#[component]
pub fn ConfirmDialog(
    /// The question shown, `None` while closed.
    #[prop(into)]
    question: Signal<Option<Question>>,
    /// Called with the answer; the caller closes the dialog.
    on_answer: Callback<bool>,
) -> impl IntoView {
    let cancel_button = NodeRef::<html::Button>::new();
    Effect::new(move |_| {
        if let Some(button) = cancel_button.get() {
            let _ = button.focus();
        }
    });
    move || {
        question.get().map(|q| {
            let yes_class = if q.danger { "btn danger-fill" } else { "btn primary" };
            view! {
                <div class="dialog-backdrop">
                    <div
                        class="dialog"
                        role="alertdialog"
                        aria-modal="true"
                        aria-labelledby="dialog-title"
                        aria-describedby="dialog-detail"
                        on:keydown=move |ev| {
                            if ev.key() == "Escape" {
                                on_answer.run(false);
                            }
                        }
                    >
                        <h2 id="dialog-title">{q.title}</h2>
                        <p id="dialog-detail">{q.detail}</p>
                        <div class="dialog-actions">
                            <button
                                type="button"
                                class="btn"
                                node_ref=cancel_button
                                on:click=move |_| on_answer.run(false)
                            >
                                "取消"
                            </button>
                            <button type="button" class=yes_class on:click=move |_| on_answer.run(true)>
                                {q.yes}
                            </button>
                        </div>
                    </div>
                </div>
            }
        })
    }
}

/// The page numbers a pager links: at most `width` around `page`, within `1..=pages`.
pub fn page_window(page: u64, pages: u64, width: u64) -> Vec<u64> {
    let pages = pages.max(1);
    let width = width.clamp(1, pages);
    let page = page.clamp(1, pages);
    let first = page.saturating_sub(width / 2).max(1).min(pages - width + 1);
    (first..first + width).collect()
}

/// What a list's total reads: `共 35 条`, or `共 1000+ 条` past the count's cap.
pub fn total_text(total: i64, capped: bool) -> String {
    if capped {
        format!("共 {total}+ 条")
    } else {
        format!("共 {total} 条")
    }
}

/// The total of a console list and, when there is more than one page, 上一页 / numbers /
/// 下一页 links (`href(n)` is page `n`'s). Past the count's cap the last page is unknown:
/// 下一页 stays while pages are full.
#[component]
pub fn ConsolePager(
    total: i64,
    capped: bool,
    /// The page shown, from 1.
    page: u64,
    page_size: u32,
    /// Rows on the page shown.
    rows: usize,
    href: Callback<u64, String>,
) -> impl IntoView {
    let size = u64::from(page_size.max(1));
    let counted = u64::try_from(total.max(0)).unwrap_or(0);
    let pages = counted.div_ceil(size).max(1);
    let more = page < pages || (capped && rows as u64 == size);
    let numbers = page_window(page, pages.max(page), 7)
        .into_iter()
        .map(|n| {
            let current = (n == page).then_some("page");
            view! { <a href=href.run(n) aria-current=current class="pager-page">{n}</a> }
        })
        .collect_view();
    let prev = (page > 1).then(|| view! { <a href=href.run(page - 1) rel="prev">"上一页"</a> });
    let next = more.then(|| view! { <a href=href.run(page + 1) rel="next">"下一页"</a> });
    let several = page > 1 || more;
    view! {
        <nav class="pager console-pager" aria-label="分页" data-testid="pager">
            <span class="pager-total" data-testid="total">{total_text(total, capped)}</span>
            {several.then(|| view! { {prev} {numbers} {next} })}
        </nav>
    }
}

/// A labelled `<select>` of `options` (value, text) bound to `value`.
#[component]
pub fn SelectField(
    id: &'static str,
    label: &'static str,
    value: RwSignal<String>,
    /// `(value, text)`, in order; a first `("", "全部")` makes it optional.
    options: Vec<(String, String)>,
    /// The validation message, when there is one to show.
    #[prop(optional, into)]
    error: Option<Signal<Option<String>>>,
) -> impl IntoView {
    let error_id = format!("{id}-error");
    let options = options
        .into_iter()
        .map(|(v, text)| {
            let selected = {
                let v = v.clone();
                move || value.with(|now| *now == v)
            };
            view! { <option value=v selected=selected>{text}</option> }
        })
        .collect_view();
    let shown = move || error.and_then(|e| e.get());
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <select
                id=id
                name=id
                prop:value=move || value.get()
                on:change=move |ev| value.set(event_target_value(&ev))
                aria-invalid=move || if shown().is_some() { "true" } else { "false" }
                aria-describedby=error_id.clone()
            >
                {options}
            </select>
            <p class="field-error" id=error_id aria-live="polite">{shown}</p>
        </div>
    }
}

/// A labelled date input (`YYYY-MM-DD`) bound to `value`.
#[component]
pub fn DateField(
    id: &'static str,
    label: &'static str,
    value: RwSignal<String>,
    #[prop(optional, into)] error: Option<Signal<Option<String>>>,
) -> impl IntoView {
    let error_id = format!("{id}-error");
    let shown = move || error.and_then(|e| e.get());
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <input
                id=id
                name=id
                type="date"
                bind:value=value
                aria-invalid=move || if shown().is_some() { "true" } else { "false" }
                aria-describedby=error_id.clone()
            />
            <p class="field-error" id=error_id aria-live="polite">{shown}</p>
        </div>
    }
}

/// Checks a date range of two date inputs: the end may not come before the start.
pub fn check_dates(from: &str, to: &str) -> Option<String> {
    (!from.is_empty() && !to.is_empty() && to < from).then(|| "结束日期不能早于开始日期".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_read_as_the_shop_shows_them() {
        assert_eq!(money("199"), "¥199.00");
        assert_eq!(money("1299.5"), "¥1299.50");
        assert_eq!(when(1_796_400_000), "2026-12-05 00:00");
        assert_eq!(maybe_when(None), "—");
        assert_eq!(day_label("2026-12-05"), "12-05");
        assert_eq!(actor("staff:lily"), "员工 lily");
        assert_eq!(actor("gateway"), "支付宝");
    }

    #[test]
    fn pagers_show_a_window_around_the_page() {
        assert_eq!(page_window(1, 3, 7), vec![1, 2, 3]);
        assert_eq!(page_window(1, 50, 7), vec![1, 2, 3, 4, 5, 6, 7]);
        assert_eq!(page_window(25, 50, 7), vec![22, 23, 24, 25, 26, 27, 28]);
        assert_eq!(page_window(50, 50, 7), vec![44, 45, 46, 47, 48, 49, 50]);
        assert_eq!(page_window(3, 0, 7), vec![1]);
        assert_eq!(total_text(1000, true), "共 1000+ 条");
        assert_eq!(total_text(35, false), "共 35 条");
    }

    #[test]
    fn a_date_range_may_not_end_before_it_starts() {
        assert_eq!(check_dates("2026-12-01", "2026-12-05"), None);
        assert_eq!(check_dates("2026-12-05", "2026-12-05"), None);
        assert_eq!(check_dates("", "2026-12-05"), None);
        assert!(check_dates("2026-12-05", "2026-12-01").is_some());
    }
}
