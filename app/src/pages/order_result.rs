//! `/order/result?order_id=`: the order just placed, its amount and, while it is unpaid,
//! the time left to pay and 去支付, which leaves for Alipay's cashier (the pay URL is asked
//! for afresh, see `go_to_payment`). Alipay brings the shopper back to `/payment/result`.

use dadashop_types::orders::STATUS_UNPAID;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::{go_to_payment, not_logged_in, set_title};
use crate::Page;
use crate::api;
use crate::components::{Countdown, ErrorNotice, FormError, Loading};
use crate::format::{fen, yuan};
use crate::state::{Remote, Task, use_auth};

/// Fetches the order of `?order_id=` and shows the outcome.
#[component]
pub fn OrderResultPage() -> impl IntoView {
    set_title(Some("订单已提交"));
    let auth = use_auth();
    let order_id = use_query_map()
        .get_untracked()
        .get("order_id")
        .unwrap_or_default();
    let order = Remote::new();
    let load = move || {
        let order_id = order_id.clone();
        order.load(async move {
            let credentials = auth.credentials().ok_or_else(not_logged_in)?;
            auth.check(api::orders::detail(&credentials, &order_id).await)
        });
    };
    load();
    let retry = Callback::new(move |()| load());
    let pay = Task::new();
    let paying = pay.pending();
    let body = move || match order.get() {
        None => view! { <Loading text="正在加载订单…" /> }.into_any(),
        Some(Err(error)) => {
            view! { <ErrorNotice message=error.to_string() on_retry=retry /> }.into_any()
        }
        Some(Ok(answer)) => {
            let order = answer.data;
            let unpaid = order.status == STATUS_UNPAID;
            let seconds = order.pay_remaining_secs;
            let id = order.order_id.clone();
            view! {
                <p class="notice success" role="status">"订单提交成功！"</p>
                <dl class="order-sums">
                    <dt>"订单号"</dt>
                    <dd data-testid="order-id">{order.order_id}</dd>
                    <dt>"应付金额"</dt>
                    <dd>
                        <strong class="payable" data-testid="order-amount">
                            {yuan(fen(&order.order_total_amount))}
                        </strong>
                    </dd>
                    <dt>"订单状态"</dt>
                    <dd>{order.status_name}</dd>
                </dl>
                {unpaid
                    .then(|| {
                        view! {
                            <p class="notice info" data-testid="pay-notice">
                                "订单已为您保留，请在 "
                                <Countdown seconds />
                                " 内完成支付，超时订单将自动取消。"
                            </p>
                            <FormError message=pay.error() />
                            <p class="actions">
                                <button
                                    type="button"
                                    class="btn primary"
                                    disabled=move || paying.get()
                                    on:click=move |_| {
                                        let id = id.clone();
                                        pay.run(async move { go_to_payment(auth, &id).await });
                                    }
                                >
                                    "去支付"
                                </button>
                            </p>
                        }
                    })}
            }
            .into_any()
        }
    };
    view! {
        <section class="panel result-page" aria-labelledby="result-title">
            <h1 id="result-title">"订单已提交"</h1>
            {body}
            <p class="actions">
                <a class="btn primary" href=Page::Orders.path()>"查看我的订单"</a>
                <a class="btn" href=Page::Home.path()>"继续购物"</a>
            </p>
        </section>
    }
}
