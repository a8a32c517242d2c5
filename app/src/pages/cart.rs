//! `/cart` (and the legacy `/dadashop/templates/cart.html`): the server cart when logged in,
//! the offline cart otherwise, with the same controls. 去结算 goes to the order confirmation
//! of the selected lines, by the login page (which merges the offline cart) when logged out.
//! A word from the page before (再次购买 of an order: what went back into the cart, and what
//! could not) shows above the lines for this visit.

use dadashop_types::orders::{CartItem, MAX_LINE_COUNT};
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use super::set_title;
use crate::api::orders::Settle;
use crate::components::{ErrorNotice, FormError, LineInfo, Loading};
use crate::format::{fen, line_fen, yuan};
use crate::state::{CartOp, CartView, Remote, Task, use_auth, use_cart, use_flash};
use crate::{Page, login_returning_to};

/// The cart's lines with select boxes, − / + steppers, 删除 and totals; or the empty cart.
#[component]
pub fn CartPage() -> impl IntoView {
    set_title(Some("购物车"));
    let flash = use_flash().take();
    let cart = use_cart();
    let lines = Remote::new();
    lines.load(cart.load());
    let change = Task::new();
    let busy = change.pending();
    let on_change = Callback::new(move |op: CartOp| {
        change.run(async move {
            let view = cart.apply(op).await?;
            lines.set(Ok(view));
            Ok(())
        });
    });
    let retry = Callback::new(move |()| lines.load(cart.load()));
    let body = move || match lines.get() {
        None => view! { <Loading text="正在加载购物车…" /> }.into_any(),
        Some(Err(error)) => {
            view! { <ErrorNotice message=error.to_string() on_retry=retry /> }.into_any()
        }
        Some(Ok(view)) if view.lines.is_empty() => view! {
            <div class="empty-cart" data-testid="empty-cart">
                <p class="status empty">"购物车是空的，去挑几件喜欢的商品吧。"</p>
                <a class="btn primary" href=Page::Home.path()>"去首页逛逛"</a>
            </div>
        }
        .into_any(),
        Some(Ok(view)) => view! { <CartLines cart=view busy on_change /> }.into_any(),
    };
    view! {
        <section class="panel cart-page" aria-labelledby="cart-title">
            <h1 id="cart-title">"购物车"</h1>
            {flash
                .map(|text| {
                    view! {
                        <p class="notice info flash" role="status" data-testid="flash">
                            {text}
                        </p>
                    }
                })}
            <FormError message=change.error() />
            {body}
        </section>
    }
}

/// The lines and the checkout bar.
#[component]
fn CartLines(
    cart: CartView,
    #[prop(into)] busy: Signal<bool>,
    on_change: Callback<CartOp>,
) -> impl IntoView {
    let auth = use_auth();
    let navigate = use_navigate();
    let all_selected = cart.lines.iter().all(|l| l.selected);
    let chosen: Vec<&CartItem> = cart.lines.iter().filter(|l| l.selected).collect();
    let units: i64 = chosen.iter().map(|l| l.count).sum();
    let total: i64 = chosen.iter().map(|l| line_fen(l)).sum();
    let nothing_chosen = chosen.is_empty();
    let rows = cart
        .lines
        .into_iter()
        .map(|line| view! { <CartLine line base_url=cart.base_url.clone() busy on_change /> })
        .collect_view();
    let on_checkout = move |_| {
        let confirm = Page::confirm(Settle::Cart);
        if auth.is_logged_in_untracked() {
            navigate(&confirm, Default::default());
        } else {
            navigate(&login_returning_to(Page::Cart.path()), Default::default());
        }
    };
    view! {
        <ul class="lines cart-lines" aria-label="购物车商品">{rows}</ul>
        <div class="checkout-bar">
            <label class="select-all">
                <input
                    type="checkbox"
                    prop:checked=all_selected
                    disabled=move || busy.get()
                    on:change=move |ev| on_change.run(CartOp::SelectAll(event_target_checked(&ev)))
                />
                "全选"
            </label>
            <span class="chosen">{format!("已选 {units} 件")}</span>
            <span class="grand-total">
                "合计："
                <strong data-testid="cart-total">{yuan(total)}</strong>
            </span>
            <button
                type="button"
                class="btn primary"
                disabled=move || nothing_chosen || busy.get()
                on:click=on_checkout
            >
                "去结算"
            </button>
        </div>
    }
}

/// One line: select box, picture and name, unit price, − count +, line total, 删除.
#[component]
fn CartLine(
    line: CartItem,
    base_url: String,
    busy: Signal<bool>,
    on_change: Callback<CartOp>,
) -> impl IntoView {
    let id = line.id;
    let count = line.count;
    // Computed here: a bare `<` or `>` in a `view!` attribute would end the tag.
    let at_floor = count <= 1;
    let at_most = count >= line.stock.min(MAX_LINE_COUNT);
    let select_label = format!("选择 {}", line.name);
    let unit = yuan(fen(&line.price));
    let total = yuan(line_fen(&line));
    let selected = line.selected;
    view! {
        <li class="line cart-line" data-testid="cart-line">
            <input
                type="checkbox"
                class="line-select"
                aria-label=select_label
                prop:checked=selected
                disabled=move || busy.get()
                on:change=move |ev| on_change.run(CartOp::Select(id, event_target_checked(&ev)))
            />
            <LineInfo line base_url />
            <span class="line-unit">{unit}</span>
            <div class="stepper" role="group" aria-label="数量">
                <button
                    type="button"
                    aria-label="减少数量"
                    disabled=move || at_floor || busy.get()
                    on:click=move |_| on_change.run(CartOp::Decrement(id))
                >
                    "−"
                </button>
                <span class="count" data-testid="line-count">{count}</span>
                <button
                    type="button"
                    aria-label="增加数量"
                    disabled=move || at_most || busy.get()
                    on:click=move |_| on_change.run(CartOp::Increment(id))
                >
                    "+"
                </button>
            </div>
            <strong class="line-total" data-testid="line-total">{total}</strong>
            <button
                type="button"
                class="btn small danger"
                disabled=move || busy.get()
                on:click=move |_| on_change.run(CartOp::Remove(id))
            >
                "删除"
            </button>
        </li>
    }
}
