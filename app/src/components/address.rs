//! One entry of the address book.

use dadashop_types::users::Address;
use leptos::prelude::*;

/// An address with its 编辑 / 设为默认 / 删除 buttons. The default address carries a
/// "默认地址" badge and no 设为默认 button. 删除 asks first: the card shows 确认删除 and 取消,
/// and only 确认删除 deletes.
#[component]
pub fn AddressCard(
    /// The address.
    address: Address,
    /// Disables the buttons while a change is being saved.
    #[prop(into)]
    busy: Signal<bool>,
    /// Asks to edit this address.
    on_edit: Callback<Address>,
    /// Asks to make this address the default.
    on_make_default: Callback<i64>,
    /// Asks to delete this address.
    on_delete: Callback<i64>,
) -> impl IntoView {
    let id = address.id;
    let is_default = address.is_default;
    let for_edit = address.clone();
    let confirming = RwSignal::new(false);
    view! {
        <li class="address-card" class:is-default=is_default data-testid="address">
            <div class="address-head">
                <strong class="receiver">{address.receiver}</strong>
                <span class="tag">{address.tag}</span>
                {is_default.then(|| view! { <span class="badge">"默认地址"</span> })}
            </div>
            <p class="address-line">
                {address.region.as_ref().map(|r| format!("{} ", r.names()))}
                {address.address.clone()}
            </p>
            <p class="address-meta">
                <span>{address.receiver_mobile}</span>
                <span>{format!("邮编 {}", address.postcode)}</span>
            </p>
            <div class="actions">
                <button
                    type="button"
                    class="btn small"
                    disabled=move || busy.get()
                    on:click=move |_| on_edit.run(for_edit.clone())
                >
                    "编辑"
                </button>
                {(!is_default)
                    .then(|| {
                        view! {
                            <button
                                type="button"
                                class="btn small"
                                disabled=move || busy.get()
                                on:click=move |_| on_make_default.run(id)
                            >
                                "设为默认"
                            </button>
                        }
                    })}
                <button
                    type="button"
                    class="btn small danger"
                    disabled=move || busy.get()
                    on:click=move |_| confirming.set(true)
                >
                    "删除"
                </button>
            </div>
            <Show when=move || confirming.get()>
                <div class="confirm" role="alertdialog" aria-label="确认删除地址">
                    <span>"确定删除这个地址吗？"</span>
                    <button
                        type="button"
                        class="btn small danger"
                        disabled=move || busy.get()
                        on:click=move |_| {
                            confirming.set(false);
                            on_delete.run(id);
                        }
                    >
                        "确认删除"
                    </button>
                    <button type="button" class="btn small" on:click=move |_| confirming.set(false)>
                        "取消"
                    </button>
                </div>
            </Show>
        </li>
    }
}
