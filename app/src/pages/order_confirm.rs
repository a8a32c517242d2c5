//! `/order/confirm?settlement_type=0` (the cart's selected lines) or
//! `?settlement_type=1&sku_id=&buy_num=` (buy now): the delivery address (chosen among the
//! shopper's, or added here), the lines, freight and total, and 提交订单.
//!
//! The order is submitted once: the button is disabled while the request is in flight and
//! after it succeeded, and every request of this page visit carries the same
//! `Idempotency-Key`, so a retry after a lost answer cannot create a second order. The key
//! is renewed only after the server refused the order (a 4xx answer: nothing was created),
//! so that a corrected submit (another address, say) is a new request.

use dadashop_types::orders::{Settlement, SettlementAddress};
use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_navigate, use_query_map};

use super::address::{AddressForm, Form};
use super::{not_logged_in, set_title};
use crate::Page;
use crate::api::orders::Settle;
use crate::api::{self, ApiError};
use crate::components::{ErrorNotice, FormError, Loading, OrderLines};
use crate::format::{fen, mask_phone, yuan};
use crate::state::{Remote, Task, use_auth, use_cart};

/// What the page's query asks to settle; the cart unless it names a whole buy-now line.
fn settle_of(settlement_type: Option<&str>, sku_id: Option<&str>, count: Option<&str>) -> Settle {
    let number = |text: Option<&str>| text.and_then(|t| t.trim().parse::<i64>().ok());
    match (settlement_type, number(sku_id), number(count)) {
        (Some("1"), Some(sku_id), Some(count)) => Settle::BuyNow { sku_id, count },
        _ => Settle::Cart,
    }
}

/// A fresh `Idempotency-Key`: a random UUID (`crypto.randomUUID()`, which needs a secure
/// context such as https or 127.0.0.1; elsewhere time and `Math.random()`, unique enough
/// for one shopper's retries).
fn new_idempotency_key() -> String {
    let window = web_sys::window();
    if let Some(crypto) = window
        .as_ref()
        .filter(|w| w.is_secure_context())
        .and_then(|w| w.crypto().ok())
    {
        return crypto.random_uuid();
    }
    // Random bits: truncation is fine.
    let random = (js_sys::Math::random() * 1e15) as u64;
    format!("{:x}-{random:x}", js_sys::Date::now() as u64)
}

/// The address to preselect: the default one, else the first.
fn preferred(addresses: &[SettlementAddress]) -> Option<i64> {
    addresses
        .iter()
        .find(|a| a.is_default)
        .or_else(|| addresses.first())
        .map(|a| a.id)
}

/// Fetches the settlement and shows the confirmation form.
#[component]
pub fn OrderConfirmPage() -> impl IntoView {
    set_title(Some("确认订单"));
    let auth = use_auth();
    let query = use_query_map().get_untracked();
    let settle = settle_of(
        query.get("settlement_type").as_deref(),
        query.get("sku_id").as_deref(),
        query.get("buy_num").as_deref(),
    );
    let settlement = Remote::new();
    let load = move || {
        settlement.load(async move {
            let credentials = auth.credentials().ok_or_else(not_logged_in)?;
            auth.check(api::orders::settlement(&credentials, settle).await)
        });
    };
    load();
    let retry = Callback::new(move |()| load());
    // Kept here, above the form that each fetch rebuilds: the address chosen and the
    // `Idempotency-Key` of this visit of the page.
    let chosen = RwSignal::new(None::<i64>);
    let key = StoredValue::new(new_idempotency_key());
    let body = move || match settlement.get() {
        None => view! { <Loading text="正在加载订单信息…" /> }.into_any(),
        Some(Err(error)) => view! {
            <ErrorNotice message=error.to_string() on_retry=retry />
            <a href=Page::Cart.path()>"返回购物车"</a>
        }
        .into_any(),
        Some(Ok(answer)) => view! {
            <Confirm
                settle
                data=answer.data
                base_url=answer.base_url
                address=chosen
                key
                on_address_added=retry
            />
        }
        .into_any(),
    };
    view! {
        <section class="panel confirm-page" aria-labelledby="confirm-title">
            <h1 id="confirm-title">"确认订单"</h1>
            {body}
        </section>
    }
}

#[component]
fn Confirm(
    settle: Settle,
    data: Settlement,
    base_url: String,
    /// The address chosen.
    address: RwSignal<Option<i64>>,
    /// The `Idempotency-Key` of the next submit.
    key: StoredValue<String>,
    /// Runs after an address was added here (the settlement is fetched again).
    on_address_added: Callback<()>,
) -> impl IntoView {
    let auth = use_auth();
    let cart = use_cart();
    let navigate = use_navigate();
    if address
        .get_untracked()
        .is_none_or(|id| !data.addresses.iter().any(|a| a.id == id))
    {
        address.set(preferred(&data.addresses));
    }

    let form = Form::new();
    let save_address = Task::new();
    let saving = save_address.pending();
    let known: Vec<i64> = data.addresses.iter().map(|a| a.id).collect();
    let on_save = Callback::new(move |()| {
        let body = form.new_address();
        let known = known.clone();
        save_address.run(async move {
            let credentials = auth.credentials().ok_or_else(not_logged_in)?;
            let book = auth.check(api::users::add_address(&credentials, &body).await)?;
            let added = book
                .iter()
                .map(|a| a.id)
                .filter(|id| !known.contains(id))
                .max();
            if added.is_some() {
                address.set(added);
            }
            form.reset();
            on_address_added.run(());
            Ok(())
        });
    });

    let submit = Task::new();
    let submitting = submit.pending();
    let placed = RwSignal::new(false);
    let on_submit = move |_| {
        let Some(address_id) = address.get_untracked() else {
            return;
        };
        if placed.get_untracked() {
            return;
        }
        let navigate = navigate.clone();
        submit.run(async move {
            let credentials = auth.credentials().ok_or_else(not_logged_in)?;
            let answer =
                api::orders::create(&credentials, settle, address_id, &key.get_value()).await;
            match auth.check(answer) {
                Ok(answer) => {
                    placed.set(true);
                    cart.set_server_count(answer.data.carts_count);
                    navigate(
                        &Page::order_result(&answer.data.order_id),
                        NavigateOptions {
                            replace: true,
                            ..Default::default()
                        },
                    );
                    Ok(())
                }
                Err(error) => {
                    // Refused: nothing was created, the next submit is a new request. Without
                    // an answer (or a 5xx) the order may exist: keep the key for the retry.
                    if matches!(
                        error,
                        ApiError::Api {
                            status: 400..=499,
                            ..
                        }
                    ) {
                        key.try_set_value(new_idempotency_key());
                    }
                    Err(error)
                }
            }
        });
    };

    let options = data
        .addresses
        .iter()
        .cloned()
        .map(|a| {
            let id = a.id;
            view! {
                <li>
                    <label class="address-option" data-testid="address-option">
                        <input
                            type="radio"
                            name="address"
                            prop:checked=move || address.get() == Some(id)
                            on:change=move |_| address.set(Some(id))
                        />
                        <span class="receiver">{a.name}</span>
                        <span>{mask_phone(&a.mobile)}</span>
                        <span class="tag">{a.title}</span>
                        {a.is_default.then(|| view! { <span class="badge">"默认地址"</span> })}
                        <span class="address-line">{a.address}</span>
                    </label>
                </li>
            }
        })
        .collect_view();
    let no_address = data.addresses.is_empty();
    view! {
        <section class="confirm-block" aria-labelledby="confirm-address">
            <h2 id="confirm-address">"收货地址"</h2>
            {no_address.then(|| view! { <p class="status empty">"还没有收货地址，请先添加。"</p> })}
            <ul class="address-options" aria-label="选择收货地址">{options}</ul>
            // Open from the start when there is no address yet; closed again by the refetch
            // that follows an added address (this component is rebuilt).
            <details class="add-address" open=no_address>
                <summary class="btn">"新增收货地址"</summary>
                <AddressForm
                    form
                    busy=Signal::from(saving)
                    server_error=Signal::from(save_address.error())
                    on_save
                />
            </details>
        </section>
        <section class="confirm-block" aria-labelledby="confirm-lines">
            <h2 id="confirm-lines">"商品清单"</h2>
            <OrderLines lines=data.sku_list base_url />
        </section>
        <dl class="order-sums">
            <dt>"商品件数"</dt>
            <dd>{format!("{} 件", data.total_count)}</dd>
            <dt>"商品金额"</dt>
            <dd>{yuan(fen(&data.total_amount))}</dd>
            <dt>"运费"</dt>
            <dd data-testid="freight">{yuan(fen(&data.transit))}</dd>
            <dt>"应付金额"</dt>
            <dd>
                <strong class="payable" data-testid="payment-amount">
                    {yuan(fen(&data.payment_amount))}
                </strong>
            </dd>
        </dl>
        <FormError message=submit.error() />
        <div class="actions submit-bar">
            <a href=match settle {
                Settle::Cart => Page::Cart.path().to_owned(),
                Settle::BuyNow { sku_id, .. } => Page::product(sku_id),
            }>"返回修改"</a>
            <button
                type="button"
                class="btn primary"
                data-testid="submit-order"
                disabled=move || {
                    address.get().is_none() || submitting.get() || placed.get()
                }
                on:click=on_submit
            >
                "提交订单"
            </button>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::{Settle, settle_of};

    #[test]
    fn the_query_names_a_buy_now_line_or_else_the_cart() {
        assert_eq!(
            settle_of(Some("1"), Some("7"), Some("2")),
            Settle::BuyNow {
                sku_id: 7,
                count: 2
            }
        );
        assert_eq!(settle_of(Some("0"), None, None), Settle::Cart);
        assert_eq!(settle_of(Some("1"), Some("x"), Some("2")), Settle::Cart);
        assert_eq!(settle_of(None, None, None), Settle::Cart);
    }
}
