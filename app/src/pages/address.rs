//! `/user/address`: the address book.

use dadashop_types::rules::{self, ADDRESS_MAX_CHARS, RECEIVER_MAX_CHARS, TAG_MAX_CHARS};
use dadashop_types::users::{Address, NewAddressRequest, Region};
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
    /// The 省 / 市 / 区 picked (GB/T 2260 codes, `""` while not picked).
    province: RwSignal<String>,
    city: RwSignal<String>,
    district: RwSignal<String>,
    /// The picker's lists: the provinces, the province's cities, the city's districts.
    provinces: RwSignal<Vec<Region>>,
    cities: RwSignal<Vec<Region>>,
    districts: RwSignal<Vec<Region>>,
    /// The address being edited is free text from before regions (the picker may stay empty).
    free_text: RwSignal<bool>,
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
            province: RwSignal::new(String::new()),
            city: RwSignal::new(String::new()),
            district: RwSignal::new(String::new()),
            provinces: RwSignal::new(Vec::new()),
            cities: RwSignal::new(Vec::new()),
            districts: RwSignal::new(Vec::new()),
            free_text: RwSignal::new(false),
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
        for level in [self.province, self.city, self.district] {
            level.set(String::new());
        }
        self.free_text.set(false);
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
        self.free_text.set(address.region.is_none());
        let region = address
            .region
            .unwrap_or_else(|| dadashop_types::users::AddressRegion {
                province_code: String::new(),
                province: String::new(),
                city_code: String::new(),
                city: String::new(),
                district_code: None,
                district: None,
            });
        self.province.set(region.province_code);
        self.city.set(region.city_code);
        self.district.set(region.district_code.unwrap_or_default());
        self.editing.set(Some(address.id));
        self.submitted.set(false);
        self.resets.update(|n| *n = n.wrapping_add(1));
    }

    fn trimmed(field: RwSignal<String>) -> String {
        field.with_untracked(|v| v.trim().to_owned())
    }

    /// Whether the picked city has districts to choose from.
    fn city_has_districts(self) -> bool {
        let city = self.city.get();
        self.cities
            .with(|list| list.iter().any(|c| c.code == city && c.has_children))
    }

    /// The last level picked: the district, or a city without districts; `""` when the
    /// picker is empty or incomplete.
    fn region_code(self) -> String {
        let (city, district) = (self.city.get_untracked(), self.district.get_untracked());
        if !district.is_empty() {
            district
        } else if !city.is_empty() && !self.city_has_districts_untracked() {
            city
        } else {
            String::new()
        }
    }

    fn city_has_districts_untracked(self) -> bool {
        let city = self.city.get_untracked();
        self.cities
            .with_untracked(|list| list.iter().any(|c| c.code == city && c.has_children))
    }

    /// The picker's message: a started choice must reach the last level; a new address must
    /// make one when the shop has region data.
    fn region_error(self) -> Option<String> {
        let started = !self.province.get().is_empty();
        let complete = !self.district.get().is_empty()
            || (!self.city.get().is_empty() && !self.city_has_districts());
        let required = !self.provinces.with(Vec::is_empty) && !self.free_text.get();
        ((started || required) && !complete).then(|| "请选择完整的省、市、区".to_owned())
    }

    /// The new address the form describes, read without subscribing.
    pub(super) fn new_address(self) -> NewAddressRequest {
        NewAddressRequest {
            receiver: Some(Self::trimmed(self.receiver)),
            address: Some(Self::trimmed(self.address)),
            receiver_phone: Some(Self::trimmed(self.mobile)),
            postcode: Some(Self::trimmed(self.postcode)),
            tag: Some(Self::trimmed(self.tag)),
            region_code: Some(self.region_code()).filter(|c| !c.is_empty()),
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
                region_code: self.region_code(),
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
        ..
    } = form;
    let region_error = Signal::derive(move || form.region_error());
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
        region_error,
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
            <RegionPicker form error=region_error reveal=submitted />
            <TextField
                id="address-address"
                maxlength=ADDRESS_MAX_CHARS
                label="详细地址"
                value=address
                error=address_error
                reveal=submitted
                resets=resets
                autocomplete="street-address"
                placeholder="街道、门牌号"
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

/// Fills `list` with the divisions under `parent` (`None`: the provinces), unless `still`
/// no longer holds `parent` when the answer comes (the shopper picked another meanwhile).
fn load_regions(
    list: RwSignal<Vec<Region>>,
    parent: Option<String>,
    still: Option<RwSignal<String>>,
) {
    leptos::task::spawn_local(async move {
        let answer = api::users::regions(parent.as_deref()).await;
        let current = still.map(|s| s.try_get_untracked().unwrap_or_default());
        if current.is_some() && current != parent {
            return;
        }
        // A failed load leaves the list empty: the form then says what is missing.
        let _ = list.try_set(answer.unwrap_or_default());
    });
}

/// The 省 / 市 / 区 cascade (GB/T 2260 divisions from `/v1/regions`): each level's choices
/// load once the level above is picked; a city without districts (东莞市) is a complete
/// choice. Without region data in the shop it shows nothing and addresses stay free text.
#[component]
fn RegionPicker(
    form: Form,
    error: Signal<Option<String>>,
    reveal: RwSignal<bool>,
) -> impl IntoView {
    let Form {
        province,
        city,
        district,
        provinces,
        cities,
        districts,
        ..
    } = form;
    load_regions(provinces, None, None);
    Effect::new(move |_| {
        let code = province.get();
        cities.set(Vec::new());
        if !code.is_empty() {
            load_regions(cities, Some(code), Some(province));
        }
    });
    Effect::new(move |_| {
        let code = city.get();
        districts.set(Vec::new());
        if !code.is_empty() && form.city_has_districts() {
            load_regions(districts, Some(code), Some(city));
        }
    });
    // As the text fields: an emptied or refilled form starts untouched (no message in red
    // right after an address was added).
    let touched = RwSignal::new(false);
    let resets = form.resets;
    Effect::new(move |_| {
        resets.track();
        touched.set(false);
    });
    let shown = move || {
        (touched.get() || reveal.get())
            .then(|| error.get())
            .flatten()
    };
    let level = move |id: &'static str,
                      label: &'static str,
                      value: RwSignal<String>,
                      list: RwSignal<Vec<Region>>,
                      below: Vec<RwSignal<String>>| {
        view! {
            <select
                id=id
                name=id
                aria-label=label
                // The level to pick next is the one marked: an enabled level still empty.
                aria-invalid=move || {
                    let missing = !list.with(Vec::is_empty) && value.with(String::is_empty);
                    if shown().is_some() && missing { "true" } else { "false" }
                }
                aria-describedby="address-region-error"
                disabled=move || list.with(Vec::is_empty)
                on:change=move |ev| {
                    touched.set(true);
                    for level in &below {
                        level.set(String::new());
                    }
                    value.set(event_target_value(&ev));
                }
                prop:value=move || value.get()
            >
                <option value="">{label}</option>
                {move || {
                    let picked = value.get();
                    list.get()
                        .into_iter()
                        .map(|r| {
                            let selected = r.code == picked;
                            view! { <option value=r.code selected=selected>{r.name}</option> }
                        })
                        .collect_view()
                }}
            </select>
        }
    };
    view! {
        <Show when=move || !provinces.with(Vec::is_empty)>
            <div class="field region-field">
                <span class="region-label" id="address-region-label">"所在地区"</span>
                <div class="region-picker" role="group" aria-labelledby="address-region-label">
                    {level("address-province", "省份", province, provinces, vec![city, district])}
                    {level("address-city", "城市", city, cities, vec![district])}
                    <Show when=move || form.city_has_districts() || city.with(String::is_empty)>
                        {level("address-district", "区县", district, districts, vec![])}
                    </Show>
                </div>
                <p class="field-error" id="address-region-error" aria-live="polite">{shown}</p>
            </div>
        </Show>
    }
}
