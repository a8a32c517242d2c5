//! `/payment/result?<Alipay's return parameters>` (and the legacy
//! `/dadashop/templates/pay_success.html`, which leads here with its query): where Alipay
//! sends the shopper back after paying (the default `ALIPAY_RETURN_URL`).
//!
//! The page asks the API whether the order is paid, passing the query string on exactly as
//! the browser received it: the server checks Alipay's signature over those values (and asks
//! Alipay when the notification has not arrived yet), so the page believes nothing of the
//! query itself and shows only the server's answer. A failure shows the server's reason
//! (not paid, a bad signature, Alipay unreachable) with 重新查询.

use leptos::prelude::*;

use super::{not_logged_in, set_title};
use crate::Page;
use crate::api;
use crate::components::{EmptyNotice, ErrorNotice, Loading};
use crate::format::{fen, yuan};
use crate::state::{Remote, use_auth};

/// The query string of the page's URL without its `?` (empty when there is none).
fn return_query() -> String {
    let search = web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default();
    search.strip_prefix('?').unwrap_or(&search).to_owned()
}

/// Checks the return parameters with the API and shows the outcome.
#[component]
pub fn PaymentResultPage() -> impl IntoView {
    set_title(Some("支付结果"));
    let auth = use_auth();
    // Read once, untracked: the page answers for the parameters it was opened with.
    let query = StoredValue::new(return_query());
    let outcome = Remote::new();
    let check = move || {
        let query = query.get_value();
        outcome.load(async move {
            let credentials = auth.credentials().ok_or_else(not_logged_in)?;
            auth.check(api::orders::payment_result(&credentials, &query).await)
        });
    };
    let missing = query.with_value(String::is_empty);
    if !missing {
        check();
    }
    let retry = Callback::new(move |()| check());
    let body = move || {
        if missing {
            return view! { <EmptyNotice text="没有可显示的支付结果：请从支付宝付款后返回的页面打开，或在“我的订单”中查看订单状态。" /> }
                .into_any();
        }
        match outcome.get() {
            None => view! { <Loading text="正在确认支付结果…" /> }.into_any(),
            Some(Err(error)) => view! {
                <ErrorNotice message=error.to_string() on_retry=retry retry_label="重新查询" />
            }
            .into_any(),
            Some(Ok(answer)) => {
                let paid = answer.data;
                view! {
                    <p class="notice success" role="status">"支付成功"</p>
                    <dl class="order-sums">
                        <dt>"订单号"</dt>
                        <dd data-testid="paid-order-id">{paid.order_id}</dd>
                        <dt>"支付金额"</dt>
                        <dd>
                            <strong class="payable" data-testid="paid-amount">
                                {yuan(fen(&paid.total_amount))}
                            </strong>
                        </dd>
                    </dl>
                    <p>"我们会尽快为您发货，可在“我的订单”中查看进度。"</p>
                }
                .into_any()
            }
        }
    };
    view! {
        <section class="panel result-page" aria-labelledby="payment-title">
            <h1 id="payment-title">"支付结果"</h1>
            {body}
            <p class="actions">
                <a class="btn primary" href=Page::Orders.path()>"查看我的订单"</a>
                <a class="btn" href=Page::Home.path()>"继续购物"</a>
            </p>
        </section>
    }
}
