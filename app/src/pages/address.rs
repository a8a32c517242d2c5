//! `/user/address`: the address book.

use dadashop_types::rules::{self, ADDRESS_MAX_CHARS, RECEIVER_MAX_CHARS, TAG_MAX_CHARS};
use dadashop_types::users::{Address, NewAddressRequest};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::{message, not_logged_in, set_title};
use crate::api;
use crate::components::{
    AddressCard, EmptyNotice, ErrorNotice, FormError, Loading, TextField, UserNav,
};
use crate::state::{Remote, Task, use_auth};

/// A change to the address book. Every change answers the whole new book.
#[derive(Debug, Clone, PartialEq)]
enum Change {
    Add(NewAddressRequest),
    Update(i64, api::body::UpdateAddress),
    Delete(i64),
    MakeDefault(i64),
}

impl Change {
    /// What to tell the shopper once it is saved.
    fn done(&self) -> &'static str {
        match self {
            Change::Add(_) => "地址已添加",
            Change::Update(..) => "地址已更新",
            Change::Delete(_) => "地址已删除",
            Change::MakeDefault(_) => "已设为默认地址",
        }
    }

    /// Whether the form was the source of this change (and should be reset after it).
    fn is_from_form(&self) -> bool {
        matches!(self, Change::Add(_) | Change::Update(..))
    }
}

/// The fields of the address form (also the inline form of the order confirmation).
#[derive(Debug, Clone, Copy)]
pub(super) struct Form {
    receiver: RwSignal<String>,
    mobile: RwSignal<String>,
    address: RwSignal<String>,
    postcode: RwSignal<String>,
    tag: RwSignal<String>,
    /// The id of the address being edited; `None` while adding.
    editing: RwSignal<Option<i64>>,
    /// A submit was attempted: show every field's message.
    submitted: RwSignal<bool>,
    /// Bumped by every reset and load: the fields forget that they were touched.
    resets: RwSignal<u32>,
}

impl Form {
    pub(super) fn new() -> Self {
        Self {
            receiver: RwSignal::new(String::new()),
            mobile: RwSignal::new(String::new()),
            address: RwSignal::new(String::new()),
            postcode: RwSignal::new(String::new()),
            tag: RwSignal::new(DEFAULT_TAG.to_owned()),
            editing: RwSignal::new(None),
            submitted: RwSignal::new(false),
            resets: RwSignal::new(0),
        }
    }

    pub(super) fn reset(self) {
        for field in [self.receiver, self.mobile, self.address, self.postcode] {
            field.set(String::new());
        }
        self.tag.set(DEFAULT_TAG.to_owned());
        self.editing.set(None);
        self.submitted.set(false);
        self.resets.update(|n| *n = n.wrapping_add(1));
    }

    fn load(self, address: Address) {
        self.receiver.set(address.receiver);
        self.mobile.set(address.receiver_mobile);
        self.address.set(address.address);
        self.postcode.set(address.postcode);
        self.tag.set(address.tag);
        self.editing.set(Some(address.id));
        self.submitted.set(false);
        self.resets.update(|n| *n = n.wrapping_add(1));
    }

    fn trimmed(field: RwSignal<String>) -> String {
        field.with_untracked(|v| v.trim().to_owned())
    }

    /// The new address the form describes, read without subscribing.
    pub(super) fn new_address(self) -> NewAddressRequest {
        NewAddressRequest {
            receiver: Some(Self::trimmed(self.receiver)),
            address: Some(Self::trimmed(self.address)),
            receiver_phone: Some(Self::trimmed(self.mobile)),
            postcode: Some(Self::trimmed(self.postcode)),
            tag: Some(Self::trimmed(self.tag)),
            region_code: None,
        }
    }

    /// The change the form describes, read without subscribing.
    fn change(self) -> Change {
        let Some(id) = self.editing.get_untracked() else {
            return Change::Add(self.new_address());
        };
        Change::Update(
            id,
            api::body::UpdateAddress {
                receiver: Self::trimmed(self.receiver),
                address: Self::trimmed(self.address),
                receiver_mobile: Self::trimmed(self.mobile),
                postcode: Self::trimmed(self.postcode),
                tag: Self::trimmed(self.tag),
                id,
            },
        )
    }
}

/// `id` of the form's first input.
const RECEIVER_INPUT: &str = "address-receiver";

/// Label of a new address unless the shopper picks another.
const DEFAULT_TAG: &str = "家";

/// Lists the addresses (default first, as the server orders them) with their buttons, and a
/// form below that adds an address or edits the one picked.
#[component]
pub fn AddressPage() -> impl IntoView {
    set_title(Some("收货地址"));
    let auth = use_auth();
    let form = Form::new();
    let notice = RwSignal::new(None::<&'static str>);

    let list = Remote::new();
    let load = move || {
        list.load(async move {
            let credentials = auth.credentials().ok_or_else(not_logged_in)?;
            auth.check(api::users::addresses(&credentials).await)
        });
    };
    load();

    let save = Task::new();
    let pending = save.pending();
    let busy = Signal::from(pending);
    // Whether the last change came from the form: its error shows by the form, the error of a
    // list button above the list, where the shopper is looking.
    let last_from_form = RwSignal::new(false);
    let error_of = move |from_form: bool| {
        Signal::derive(move || {
            if last_from_form.get() != from_form {
                return None;
            }
            save.error().get()
        })
    };
    let form_error = error_of(true);
    let list_error = error_of(false);
    let dispatch = move |change: Change| {
        if pending.get_untracked() {
            return;
        }
        notice.set(None);
        last_from_form.set(change.is_from_form());
        save.run(async move {
            let credentials = auth.credentials().ok_or_else(not_logged_in)?;
            let answer = match &change {
                Change::Add(body) => api::users::add_address(&credentials, body).await,
                Change::Update(id, body) => {
                    api::users::update_address(&credentials, *id, body).await
                }
                Change::Delete(id) => api::users::delete_address(&credentials, *id).await,
                Change::MakeDefault(id) => api::users::set_default_address(&credentials, *id).await,
            };
            let addresses = auth.check(answer)?;
            // Deleting the address being edited leaves nothing to edit. (The page may be
            // gone by now: a disposed form reads as not editing.)
            let edited_gone = form
                .editing
                .try_get_untracked()
                .flatten()
                .is_some_and(|id| !addresses.iter().any(|a| a.id == id));
            if change.is_from_form() || edited_gone {
                form.reset();
            }
            list.set(Ok(addresses));
            notice.set(Some(change.done()));
            Ok(())
        });
    };

    let on_edit = Callback::new(move |address: Address| {
        notice.set(None);
        form.load(address);
        // The form sits below the list: bring it to the shopper.
        if let Some(input) = document()
            .get_element_by_id(RECEIVER_INPUT)
            .and_then(|element| element.dyn_into::<web_sys::HtmlElement>().ok())
        {
            let _ = input.focus();
        }
    });
    let on_make_default = Callback::new(move |id: i64| dispatch(Change::MakeDefault(id)));
    let on_delete = Callback::new(move |id: i64| dispatch(Change::Delete(id)));
    let retry = Callback::new(move |()| load());

    let listing = move || match list.get() {
        None => view! { <Loading text="正在加载收货地址…" /> }.into_any(),
        Some(Err(error)) => {
            view! { <ErrorNotice message=error.to_string() on_retry=retry /> }.into_any()
        }
        Some(Ok(addresses)) if addresses.is_empty() => {
            view! { <EmptyNotice text="还没有收货地址，请在下方添加。" /> }.into_any()
        }
        Some(Ok(addresses)) => view! {
            <ul class="address-list" aria-label="地址列表">
                {addresses
                    .into_iter()
                    .map(|address| {
                        view! { <AddressCard address busy on_edit on_make_default on_delete /> }
                    })
                    .collect_view()}
            </ul>
        }
        .into_any(),
    };

    view! {
        <div class="user-center">
            <UserNav />
            <section class="panel" aria-labelledby="address-title">
                <h1 id="address-title">"收货地址"</h1>
                {move || {
                    notice.get().map(|text| view! { <p class="notice success" role="status">{text}</p> })
                }}
                <FormError message=list_error />
                {listing}
                <AddressForm
                    form
                    busy
                    server_error=form_error
                    on_save=Callback::new(move |()| dispatch(form.change()))
                />
            </section>
        </div>
    }
}

/// The add / edit form of the address book.
#[component]
pub(super) fn AddressForm(
    form: Form,
    busy: Signal<bool>,
    server_error: Signal<Option<String>>,
    on_save: Callback<()>,
) -> impl IntoView {
    let Form {
        receiver,
        mobile,
        address,
        postcode,
        tag,
        editing,
        submitted,
        resets,
    } = form;
    let receiver_error = Signal::derive(move || {
        receiver.with(|v| message(rules::check_text(v, RECEIVER_MAX_CHARS, "收货人")))
    });
    let mobile_error =
        Signal::derive(move || mobile.with(|v| message(rules::check_phone(v.trim()))));
    let address_error = Signal::derive(move || {
        address.with(|v| message(rules::check_text(v, ADDRESS_MAX_CHARS, "详细地址")))
    });
    let postcode_error =
        Signal::derive(move || postcode.with(|v| message(rules::check_postcode(v.trim()))));
    let tag_error = Signal::derive(move || {
        tag.with(|v| message(rules::check_text(v, TAG_MAX_CHARS, "地址标签")))
    });
    let errors = [
        receiver_error,
        mobile_error,
        address_error,
        postcode_error,
        tag_error,
    ];

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        submitted.set(true);
        if !errors.iter().any(|e| e.get_untracked().is_some()) {
            on_save.run(());
        }
    };
    let title = move || {
        if editing.get().is_some() {
            "编辑收货地址"
        } else {
            "新增收货地址"
        }
    };

    view! {
        <form class="address-form" aria-labelledby="address-form-title" on:submit=on_submit novalidate>
            <h2 id="address-form-title">{title}</h2>
            <div class="grid-2">
                <TextField
                    id=RECEIVER_INPUT
                    maxlength=RECEIVER_MAX_CHARS
                    label="收货人"
                    value=receiver
                    error=receiver_error
                    reveal=submitted
                    resets=resets
                    autocomplete="name"
                />
                <TextField
                    id="address-mobile"
                    maxlength=11
                    label="手机号"
                    input_type="tel"
                    value=mobile
                    error=mobile_error
                    reveal=submitted
                    resets=resets
                    autocomplete="tel"
                    inputmode="numeric"
                />
            </div>
            <TextField
                id="address-address"
                maxlength=ADDRESS_MAX_CHARS
                label="详细地址"
                value=address
                error=address_error
                reveal=submitted
                    resets=resets
                autocomplete="street-address"
                placeholder="省、市、区县、街道、门牌号"
            />
            <div class="grid-2">
                <TextField
                    id="address-postcode"
                    maxlength=6
                    label="邮编"
                    value=postcode
                    error=postcode_error
                    reveal=submitted
                    resets=resets
                    autocomplete="postal-code"
                    inputmode="numeric"
                />
                <TextField
                    id="address-tag"
                    maxlength=TAG_MAX_CHARS
                    label="地址标签"
                    value=tag
                    error=tag_error
                    reveal=submitted
                    resets=resets
                    placeholder="如：家、公司"
                />
            </div>
            <FormError message=server_error />
            <div class="actions">
                <button type="submit" class="btn primary" disabled=move || busy.get()>
                    {move || if editing.get().is_some() { "保存修改" } else { "添加地址" }}
                </button>
                {move || {
                    editing
                        .get()
                        .map(|_| {
                            view! {
                                <button
                                    type="button"
                                    class="btn"
                                    on:click=move |_| form.reset()
                                >
                                    "取消编辑"
                                </button>
                            }
                        })
                }}
            </div>
        </form>
    }
}
