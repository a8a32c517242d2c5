//! `/user/orders/:order_id`: one order of the shopper, 订单详情 (`GET
//! /v1/orders/<username>/<order_id>`): its number, time and status, the lines, the delivery
//! address, the amounts, the payment once paid, and what happened to it (订单进度: 下单, 付款,
//! 发货 with the carrier and tracking number, 收货, 取消, 退款, each with its time). The
//! buttons of 我的订单 where they apply (`order_actions.rs`), and 再次购买, which puts the
//! lines back into the cart and goes there, saying which lines could not go back or went
//! back with fewer units. Once completed, its reviews and returns (`order_after_sale.rs`).
//! An unknown order, or another shopper's, is the shop's 404 page.

use dadashop_types::orders::{BuyAgainResponse, OrderDetailResponse, OrderPayment, OrderStep};
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map};

use super::order_actions::{Change, OrderActions, amount_label, order_changes, shipment};
use super::order_after_sale::AfterSaleSections;
use super::{NotFoundPage, is_not_found, not_logged_in, set_title};
use crate::Page;
use crate::api;
use crate::components::{ErrorNotice, FormError, Loading, OrderLines, UserNav};
use crate::format::{fen, mask_phone, yuan};
use crate::state::{Remote, Task, use_auth, use_cart, use_flash};

/// Fetches the order of the path and shows it.
#[component]
pub fn OrderDetailPage() -> impl IntoView {
    set_title(Some("订单详情"));
    let auth = use_auth();
    let params = use_params_map();
    let order_id = move || params.read().get("order_id").unwrap_or_default();
    let order = Remote::new();
    let load = move |order_id: String| {
        order.load(async move {
            let credentials = auth.credentials().ok_or_else(not_logged_in)?;
            auth.check(api::orders::detail(&credentials, &order_id).await)
        });
    };
    Effect::new(move |_| load(order_id()));
    let reload = Callback::new(move |()| load(untrack(order_id)));
    let notice = RwSignal::new(None::<&'static str>);
    let (change, on_change) = order_changes(notice, reload);
    // The word on a return asked for: it stays through the reload that follows.
    let return_notice = RwSignal::new(None::<&'static str>);
    let body = move || match order.get() {
        None => view! { <Loading text="正在加载订单…" /> }.into_any(),
        Some(Err(error)) if is_not_found(&error) => view! { <NotFoundPage /> }.into_any(),
        Some(Err(error)) => view! {
            <section class="panel">
                <h1>"订单详情"</h1>
                <ErrorNotice message=error.to_string() on_retry=reload />
            </section>
        }
        .into_any(),
        Some(Ok(answer)) => view! {
            <OrderDetail answer change notice on_change return_notice reload />
        }
        .into_any(),
    };
    view! {
        <div class="user-center">
            <UserNav />
            <div class="panels order-detail">{body}</div>
        </div>
    }
}

/// The order's panels. `change` and `notice` are the outcome of the last change of the
/// buttons (its failure, or what was done), shown above them; `return_notice` the word on
/// a return asked for, and `reload` shows the order as it is now.
#[component]
fn OrderDetail(
    answer: OrderDetailResponse,
    change: Task,
    notice: RwSignal<Option<&'static str>>,
    on_change: Callback<Change>,
    return_notice: RwSignal<Option<&'static str>>,
    reload: Callback<()>,
) -> impl IntoView {
    let OrderDetailResponse {
        data: order,
        base_url,
        timeline,
        payment,
        after_sale,
        ..
    } = answer;
    let after_sale = view! {
        <AfterSaleSections
            order_id=order.order_id.clone()
            lines=order.order_sku.clone()
            base_url=base_url.clone()
            after_sale
            notice=return_notice
            on_returned=reload
        />
    };
    let id = order.order_id.clone();
    let ordered = order.order_sku.len();
    let address = order.address;
    let freight = fen(&order.order_freight);
    let total = fen(&order.order_total_amount);
    let shipment = shipment(order.carrier.as_deref(), order.tracking_no.as_deref());
    let payment = match payment {
        Some(payment) => view! { <Payment payment /> }.into_any(),
        None => view! { <p class="muted" data-testid="unpaid">"尚未支付"</p> }.into_any(),
    };
    view! {
        <section class="panel" aria-labelledby="order-title">
            <nav class="breadcrumb" aria-label="位置">
                <a href=Page::Orders.path()>"我的订单"</a>
                " › 订单详情"
            </nav>
            <div class="order-detail-head">
                <h1 id="order-title">"订单详情"</h1>
                <strong class="order-status" data-testid="order-status">{order.status_name}</strong>
            </div>
            <dl class="facts">
                <dt>"订单号"</dt>
                <dd data-testid="order-id">{id.clone()}</dd>
                <dt>"下单时间"</dt>
                <dd>{order.order_time}</dd>
            </dl>
            <FormError message=change.error() />
            {move || {
                notice.get().map(|text| view! { <p class="notice success" role="status">{text}</p> })
            }}
            <div class="actions order-detail-actions">
                <OrderActions
                    order_id=id.clone()
                    status=order.status
                    pay_remaining_secs=order.pay_remaining_secs
                    busy=change.pending()
                    on_change
                />
                <BuyAgain order_id=id ordered />
            </div>
        </section>
        <section class="panel" aria-labelledby="lines-title">
            <h2 id="lines-title">"商品清单"</h2>
            <OrderLines lines=order.order_sku base_url />
            <dl class="amounts" data-testid="amounts">
                <dt>{format!("商品总额（共 {} 件）", order.order_total_count)}</dt>
                <dd data-testid="goods-total">{yuan(total - freight)}</dd>
                <dt>"运费"</dt>
                <dd data-testid="freight">{yuan(freight)}</dd>
                <dt>{amount_label(order.status)}</dt>
                <dd>
                    <strong class="payable" data-testid="order-total">{yuan(total)}</strong>
                </dd>
            </dl>
        </section>
        {after_sale}
        <div class="order-detail-grid">
            <section class="panel" aria-labelledby="address-title">
                <h2 id="address-title">"收货信息"</h2>
                <dl class="facts" data-testid="order-address">
                    <dt>"收货人"</dt>
                    <dd>{address.receiver}</dd>
                    <dt>"手机号"</dt>
                    <dd>{mask_phone(&address.mobile)}</dd>
                    <dt>"收货地址"</dt>
                    <dd>
                        {address.address}
                        {(!address.title.is_empty()).then(|| view! { <span class="tag">{address.title}</span> })}
                    </dd>
                </dl>
                {shipment
                    .map(|text| {
                        view! {
                            <p class="order-shipment" data-testid="order-shipment">
                                {text}
                            </p>
                        }
                    })}
            </section>
            <section class="panel" aria-labelledby="payment-title">
                <h2 id="payment-title">"支付信息"</h2>
                {payment}
            </section>
        </div>
        <section class="panel" aria-labelledby="timeline-title">
            <h2 id="timeline-title">"订单进度"</h2>
            <Timeline steps=timeline />
        </section>
    }
}

/// The payment: the gateway's trade number, the time and the amount, and the refund once
/// refunded.
#[component]
fn Payment(payment: OrderPayment) -> impl IntoView {
    let refunded = payment.refunded.map(|amount| {
        view! {
            <dt>"已退款"</dt>
            <dd data-testid="payment-refunded">{yuan(fen(&amount))}</dd>
        }
    });
    view! {
        <dl class="facts" data-testid="payment">
            <dt>"支付方式"</dt>
            <dd>"支付宝"</dd>
            <dt>"支付宝交易号"</dt>
            <dd data-testid="payment-trade-no">{payment.trade_no}</dd>
            <dt>"支付时间"</dt>
            <dd data-testid="payment-time">{payment.paid_time}</dd>
            <dt>"支付金额"</dt>
            <dd>{yuan(fen(&payment.amount))}</dd>
            {refunded}
        </dl>
    }
}

/// What happened to the order, oldest first, as a vertical line of steps; the latest step
/// stands out.
#[component]
fn Timeline(steps: Vec<OrderStep>) -> impl IntoView {
    let last = steps.len().saturating_sub(1);
    let items = steps
        .into_iter()
        .enumerate()
        .map(|(i, step)| {
            let note = (!step.note.is_empty())
                .then(|| view! { <span class="timeline-note">{step.note}</span> });
            view! {
                <li class:current={i == last} data-testid="timeline-step">
                    <strong class="timeline-what">{step.what}</strong>
                    <time class="timeline-time">{step.time}</time>
                    {note}
                </li>
            }
        })
        .collect_view();
    view! { <ol class="timeline order-timeline" data-testid="timeline">{items}</ol> }
}

/// 再次购买: the order's lines back into the cart, then the cart, with a word about the
/// lines that are off sale or sold out (not put back) and those put back with fewer units
/// than ordered (the stock now).
#[component]
fn BuyAgain(
    order_id: String,
    /// Lines of the order.
    ordered: usize,
) -> impl IntoView {
    let auth = use_auth();
    let cart = use_cart();
    let flash = use_flash();
    let navigate = use_navigate();
    let task = Task::new();
    let pending = task.pending();
    let on_click = move |_| {
        let order_id = order_id.clone();
        let navigate = navigate.clone();
        task.run(async move {
            let credentials = auth.credentials().ok_or_else(not_logged_in)?;
            let answer = auth.check(api::orders::buy_again(&credentials, &order_id).await)?;
            cart.set_server_count(answer.carts_count);
            flash.set(buy_again_message(ordered, &answer));
            navigate(Page::Cart.path(), Default::default());
            Ok(())
        });
    };
    view! {
        <button
            type="button"
            class="btn small"
            disabled=move || pending.get()
            on:click=on_click
        >
            "再次购买"
        </button>
        <FormError message=task.error() />
    }
}

/// What the cart page says after 再次购买 of an order of `ordered` lines: one line each for
/// what went back, what could not and what went back with fewer units.
fn buy_again_message(ordered: usize, answer: &BuyAgainResponse) -> String {
    let mut lines = Vec::new();
    if answer.unavailable.is_empty() && answer.fewer.is_empty() {
        lines.push("订单中的商品已加入购物车。".to_owned());
    } else if answer.unavailable.len() >= ordered {
        lines.push("订单中的商品都没能加入购物车。".to_owned());
    } else {
        lines.push("订单中的商品已加入购物车，以下除外：".to_owned());
    }
    if !answer.unavailable.is_empty() {
        lines.push(format!(
            "已下架、已售罄或购物车已满，未能加入：{}",
            answer.unavailable.join("、")
        ));
    }
    if !answer.fewer.is_empty() {
        lines.push(format!(
            "库存不足，已按现有库存加入：{}",
            answer.fewer.join("、")
        ));
    }
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use dadashop_types::orders::BuyAgainResponse;

    use super::buy_again_message;

    /// An answer naming these lines (the cart itself does not matter to the message).
    fn answer(unavailable: &[&str], fewer: &[&str]) -> BuyAgainResponse {
        BuyAgainResponse {
            code: 200,
            carts_count: 0,
            data: Vec::new(),
            base_url: String::new(),
            unavailable: unavailable.iter().map(|s| (*s).to_owned()).collect(),
            fewer: fewer.iter().map(|s| (*s).to_owned()).collect(),
        }
    }

    #[test]
    fn buying_again_names_the_lines_left_out_and_those_cut_short() {
        assert_eq!(
            buy_again_message(2, &answer(&[], &[])),
            "订单中的商品已加入购物车。"
        );
        assert_eq!(
            buy_again_message(4, &answer(&["双肩包 黑色"], &["钱包 红色", "托特包"])),
            "订单中的商品已加入购物车，以下除外：\n\
             已下架、已售罄或购物车已满，未能加入：双肩包 黑色\n\
             库存不足，已按现有库存加入：钱包 红色、托特包"
        );
        assert_eq!(
            buy_again_message(1, &answer(&["双肩包 黑色"], &[])),
            "订单中的商品都没能加入购物车。\n已下架、已售罄或购物车已满，未能加入：双肩包 黑色"
        );
    }
}
