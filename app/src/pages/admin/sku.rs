//! `/admin/skus/<id>`: a SKU's editor (`goods.view` to look, `goods.change` to change): name,
//! caption, price, market price, cost price (yuan, at most two decimals, checked here by the
//! server's rule before anything is sent) and launch state; its pictures
//! ([`super::pictures`]); the values of its SPU's specs (材质, 重量, ...: what shoppers see
//! under 规格参数); its stock, adjusted by a number of units or set to one, with a reason, and
//! the adjustments made so far.
//!
//! A change sends only the fields that differ from the values read, with their `version`. A
//! new price is shown beside the old one in a confirmation first. When someone else changed
//! the SKU meanwhile the server answers 409 / 60102 with the values as they are now: the page
//! shows them, keeps in the form the fields the operator changed and takes the others as they
//! are now, and a second 保存 (against the new version) sends the operator's changes only.

use dadashop_types::admin::{
    AdminPicture, AdminSku, AdminSkuDetail, AdminSkuResponse, AdminSpecValue, REASON_MAX_CHARS,
    SKU_CAPTION_MAX_CHARS, SKU_NAME_MAX_CHARS, SPEC_VALUE_MAX_CHARS, SkuChangeRequest,
    SpecValueRequest, StockAdjustment, StockChangeRequest,
};
use dadashop_types::codes;
use dadashop_types::money::format_fen;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use super::goods::{TextArea, check_units, check_yuan, launch_badge, name_error, yuan_error};
use super::pictures::PictureManager;
use super::session::use_console;
use super::widgets::{ConfirmDialog, Question, SelectField, actor, money, when};
use super::{SKUS, spu_path};
use crate::api;
use crate::api::admin_catalog::SkuSaved;
use crate::components::{CheckboxField, ErrorNotice, FormError, Loading, TextField};
use crate::pages::{is_not_found, set_title};
use crate::state::{Remote, Task};

/// The editable values of a SKU, as typed (money as text in yuan).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Values {
    name: String,
    caption: String,
    price: String,
    market_price: String,
    cost_price: String,
    launched: bool,
}

impl Values {
    fn of(sku: &AdminSku) -> Self {
        Self {
            name: sku.name.clone(),
            caption: sku.caption.clone(),
            price: sku.price.clone(),
            market_price: sku.market_price.clone(),
            cost_price: sku.cost_price.clone(),
            launched: sku.is_launched,
        }
    }
}

/// The change of `form` against the values read (`base`), only the fields that differ,
/// money in fen compared and sent with two decimals; `None` when nothing differs. The form
/// must have been checked (unreadable money counts as unchanged).
fn change_of(base: &AdminSku, form: &Values) -> Option<SkuChangeRequest> {
    let text = |now: &str, was: &str| (now.trim() != was).then(|| now.trim().to_owned());
    let cash = |now: &str, was: &str| match (check_yuan(now, false), check_yuan(was, false)) {
        (Ok(Some(now)), Ok(Some(was))) if now == was => None,
        (Ok(Some(now)), _) => Some(format_fen(now)),
        _ => None,
    };
    let change = SkuChangeRequest {
        version: Some(base.version),
        name: text(&form.name, &base.name),
        caption: text(&form.caption, &base.caption),
        price: cash(&form.price, &base.price),
        market_price: cash(&form.market_price, &base.market_price),
        cost_price: cash(&form.cost_price, &base.cost_price),
        is_launched: (form.launched != base.is_launched).then_some(form.launched),
        specs: None,
    };
    let nothing = SkuChangeRequest {
        version: change.version,
        ..SkuChangeRequest::default()
    };
    (change != nothing).then_some(change)
}

/// The form after someone else's change overtook the operator's: each field the operator
/// changed (`mine` differs from `old`, the values read) keeps the operator's value, every other
/// field takes the value `now` on the server, so that a second 保存 sends the operator's
/// changes only and undoes nobody's.
fn merge(old: &AdminSku, mine: &Values, now: &AdminSku) -> Values {
    let old = Values::of(old);
    let now = Values::of(now);
    let same_money = |a: &str, b: &str| match (check_yuan(a, false), check_yuan(b, false)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    };
    let text = |m: &String, o: &String, n: &String| {
        if m.trim() == o { n.clone() } else { m.clone() }
    };
    let cash = |m: &String, o: &String, n: &String| {
        if same_money(m, o) {
            n.clone()
        } else {
            m.clone()
        }
    };
    Values {
        name: text(&mine.name, &old.name, &now.name),
        caption: text(&mine.caption, &old.caption, &now.caption),
        price: cash(&mine.price, &old.price, &now.price),
        market_price: cash(&mine.market_price, &old.market_price, &now.market_price),
        cost_price: cash(&mine.cost_price, &old.cost_price, &now.cost_price),
        launched: if mine.launched == old.launched {
            now.launched
        } else {
            mine.launched
        },
    }
}

/// Whether `now` differs from `base` in a value the operator sees and edits (a picture or a
/// stock change bumps the version without that).
fn same_values(base: &AdminSku, now: &AdminSku) -> bool {
    Values::of(base) == Values::of(now)
}

/// How the stock is changed.
const STOCK_MODES: [(&str, &str); 3] = [("add", "增加"), ("take", "减少"), ("set", "设为")];

/// The request of a stock change, or the message of the amount.
fn stock_change(
    mode: &str,
    amount: &str,
    reason: &str,
    seen: i64,
) -> Result<StockChangeRequest, String> {
    let reason = Some(reason.trim().to_owned());
    match mode {
        "set" => check_units(amount, 0).map(|n| StockChangeRequest {
            set_to: Some(n),
            seen: Some(seen),
            reason,
            ..StockChangeRequest::default()
        }),
        "take" => check_units(amount, 1).map(|n| StockChangeRequest {
            delta: Some(-n),
            reason,
            ..StockChangeRequest::default()
        }),
        _ => check_units(amount, 1).map(|n| StockChangeRequest {
            delta: Some(n),
            reason,
            ..StockChangeRequest::default()
        }),
    }
}

/// The page: loads the SKU once, then the editor keeps it up to date.
#[component]
pub fn SkuEditor(id: i64) -> impl IntoView {
    set_title(Some("编辑商品 · 运营后台"));
    let console = use_console();
    let detail: Remote<AdminSkuResponse> = Remote::new();
    let load = move || {
        detail.load(async move {
            let staff = console.require()?;
            console.check(api::admin_catalog::sku(&staff, id).await)
        });
    };
    load();
    let retry = Callback::new(move |()| load());
    // Whether the first answer came: the editor is built once (its forms and uploads keep
    // their state), later answers only update it.
    let phase = Memo::new(move |_| {
        detail.get().map(|answer| match answer {
            Ok(_) => Ok(()),
            Err(error) => Err(error),
        })
    });
    let body = move || match phase.get() {
        None => view! { <Loading text="正在加载商品…" /> }.into_any(),
        Some(Err(error)) if is_not_found(&error) => view! {
            <div class="status empty">"商品不存在。" <a href=SKUS>"返回商品列表"</a></div>
        }
        .into_any(),
        Some(Err(error)) => {
            view! { <ErrorNotice message=error.to_string() on_retry=retry /> }.into_any()
        }
        Some(Ok(())) => view! { <Editor id detail /> }.into_any(),
    };
    view! {
        <p class="console-back">
            <a href=SKUS>"← 商品列表"</a>
        </p>
        {body}
    }
}

/// The forms, the pictures, the stock and its history.
#[component]
fn Editor(id: i64, detail: Remote<AdminSkuResponse>) -> impl IntoView {
    let console = use_console();
    let sku = Memo::new(move |_| detail.get().and_then(Result::ok).map(|answer| answer.data));
    let current = move || sku.with_untracked(|d| d.clone());
    let Some(first) = current() else {
        return ().into_any();
    };
    let may_change = move || console.can("goods.change");

    // The values the form was filled from (its `version` is the one sent).
    let base = RwSignal::new(first.sku.clone());
    let values = Values::of(&first.sku);
    let name = RwSignal::new(values.name);
    let caption = RwSignal::new(values.caption);
    let price = RwSignal::new(values.price);
    let market_price = RwSignal::new(values.market_price);
    let cost_price = RwSignal::new(values.cost_price);
    let launched = RwSignal::new(values.launched);
    let fill_values = move |v: Values| {
        name.set(v.name);
        caption.set(v.caption);
        price.set(v.price);
        market_price.set(v.market_price);
        cost_price.set(v.cost_price);
        launched.set(v.launched);
    };
    let fill = move |sku: &AdminSku| fill_values(Values::of(sku));
    let form = move || Values {
        name: name.get_untracked(),
        caption: caption.get_untracked(),
        price: price.get_untracked(),
        market_price: market_price.get_untracked(),
        cost_price: cost_price.get_untracked(),
        launched: launched.get_untracked(),
    };
    // The SKU as the server has it now: shown in place, and taken as the form's base when
    // nothing the operator sees changed (a picture or stock change moves the version only).
    let show = move |now: AdminSkuDetail| {
        if same_values(&base.get_untracked(), &now.sku) {
            base.set(now.sku.clone());
        }
        detail.set(Ok(AdminSkuResponse {
            code: codes::OK,
            error: None,
            data: now,
        }));
    };
    // After a picture change: the pictures and version as they are now.
    let refresh = Callback::new(move |pictures: Vec<AdminPicture>| {
        if let Some(mut now) = current() {
            now.pictures = pictures;
            detail.set(Ok(AdminSkuResponse {
                code: codes::OK,
                error: None,
                data: now,
            }));
        }
        leptos::task::spawn_local(async move {
            let Ok(staff) = console.require() else {
                return;
            };
            if let Ok(answer) = console.check(api::admin_catalog::sku(&staff, id).await) {
                show(answer.data);
            }
        });
    });

    let submitted = RwSignal::new(false);
    let name_message =
        Signal::derive(move || name.with(|n| name_error(n, SKU_NAME_MAX_CHARS, true)));
    let caption_message =
        Signal::derive(move || caption.with(|c| name_error(c, SKU_CAPTION_MAX_CHARS, false)));
    let price_message = Signal::derive(move || price.with(|p| yuan_error(p, true, true)));
    let market_message = Signal::derive(move || market_price.with(|p| yuan_error(p, false, false)));
    let cost_message = Signal::derive(move || cost_price.with(|p| yuan_error(p, false, false)));

    let task = Task::new();
    let busy = task.pending();
    let done = RwSignal::new(None::<String>);
    let stale = RwSignal::new(None::<(String, AdminSku)>);
    let asking = RwSignal::new(None::<(Question, SkuChangeRequest)>);
    let question = Signal::derive(move || asking.with(|a| a.as_ref().map(|(q, _)| q.clone())));
    let save = move |change: SkuChangeRequest| {
        task.run(async move {
            let staff = console.require()?;
            match console.check(api::admin_catalog::change_sku(&staff, id, &change).await)? {
                SkuSaved::Done(now) => {
                    stale.set(None);
                    base.set(now.sku.clone());
                    fill(&now.sku);
                    done.set(Some("已保存".to_owned()));
                    show(now);
                }
                SkuSaved::Stale { message, current } => {
                    // The operator's changes stay in the form, the other fields take the
                    // values now; the next 保存 is against the version now.
                    fill_values(merge(&base.get_untracked(), &form(), &current.sku));
                    base.set(current.sku.clone());
                    stale.set(Some((message, current.sku.clone())));
                    show(current);
                }
            }
            Ok(())
        });
    };
    let on_answer = Callback::new(move |yes: bool| {
        let Some((_, change)) = asking.get_untracked() else {
            return;
        };
        asking.set(None);
        if yes {
            save(change);
        }
    });
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        submitted.set(true);
        done.set(None);
        if [
            name_message,
            caption_message,
            price_message,
            market_message,
            cost_message,
        ]
        .iter()
        .any(|m| m.get_untracked().is_some())
        {
            return;
        }
        let was = base.get_untracked();
        let Some(change) = change_of(&was, &form()) else {
            done.set(Some("没有要保存的修改".to_owned()));
            return;
        };
        match &change.price {
            Some(new_price) => asking.set(Some((
                Question {
                    title: "确认修改售价".to_owned(),
                    detail: format!(
                        "{} 的售价将由 {} 改为 {}，保存后买家立即看到新价格。",
                        was.name,
                        money(&was.price),
                        money(new_price)
                    ),
                    yes: "确认修改",
                    danger: false,
                },
                change,
            ))),
            None => save(change),
        }
    };
    let use_current = move |_| {
        if let Some((_, now)) = stale.get_untracked() {
            fill(&now);
        }
        stale.set(None);
    };

    let stale_panel = move || {
        stale.get().map(|(message, now)| {
            view! {
                <section class="notice error stale" role="alert" data-testid="stale">
                    <div>
                        <p>{message}</p>
                        <dl class="facts">
                            <dt>"名称"</dt>
                            <dd>{now.name.clone()}</dd>
                            <dt>"副标题"</dt>
                            <dd>{if now.caption.is_empty() { "—".to_owned() } else { now.caption.clone() }}</dd>
                            <dt>"售价"</dt>
                            <dd data-testid="stale-price">{money(&now.price)}</dd>
                            <dt>"市场价"</dt>
                            <dd>{money(&now.market_price)}</dd>
                            <dt>"成本价"</dt>
                            <dd>{money(&now.cost_price)}</dd>
                            <dt>"状态"</dt>
                            <dd>{if now.is_launched { "已上架" } else { "未上架" }}</dd>
                        </dl>
                        <p class="muted">"表单中保留了您修改的字段，其余字段已换成当前的值：再次保存将以您的修改为准，或全部改用当前的值。"</p>
                    </div>
                    <button type="button" class="btn small" on:click=use_current>"使用当前的值"</button>
                </section>
            }
        })
    };

    let title = move || sku.with(|d| d.as_ref().map(|d| d.sku.name.clone()).unwrap_or_default());
    let state = move || {
        sku.with(|d| d.as_ref().map(|d| d.sku.is_launched))
            .unwrap_or(false)
    };
    let facts = move || {
        sku.get().map(|d| {
            let s = d.sku;
            view! {
                <dl class="facts">
                    <dt>"编号"</dt>
                    <dd>{s.id}</dd>
                    <dt>"SPU"</dt>
                    <dd><a href=spu_path(s.spu_id)>{s.spu_name.clone()}</a></dd>
                    <dt>"分类"</dt>
                    <dd>{s.catalog_name.clone()}</dd>
                    <dt>"售价"</dt>
                    <dd data-testid="sku-price">{money(&s.price)}</dd>
                    <dt>"销量"</dt>
                    <dd>{s.sales}</dd>
                </dl>
            }
        })
    };
    let fieldset_disabled = move || !may_change() || busy.get();

    view! {
        <div class="console-head">
            <h1 data-testid="sku-title">{title}</h1>
            {move || launch_badge(state())}
        </div>
        {move || done.get().map(|text| view! { <p class="notice success" role="status">{text}</p> })}
        {stale_panel}
        <div class="detail-grid main-first">
            <div class="detail-main">
                <section class="panel" aria-labelledby="sku-form-title">
                    <h2 id="sku-form-title">"基本信息"</h2>
                    <form class="sku-form" on:submit=on_submit novalidate aria-label="商品信息">
                        <fieldset class="plain" disabled=fieldset_disabled>
                            <div class="grid-form-fields">
                                <div class="span-all">
                                    <TextField id="sku-name" label="名称" value=name error=name_message reveal=submitted maxlength=SKU_NAME_MAX_CHARS />
                                </div>
                                <div class="span-all">
                                    <TextArea id="sku-caption" label="副标题" value=caption error=caption_message reveal=submitted rows=2 maxlength=SKU_CAPTION_MAX_CHARS />
                                </div>
                                <TextField id="sku-price" label="售价（元）" value=price error=price_message reveal=submitted inputmode="decimal" placeholder="0.00" maxlength=11 />
                                <TextField id="sku-market-price" label="市场价（元）" value=market_price error=market_message reveal=submitted inputmode="decimal" placeholder="0.00" maxlength=11 />
                                <TextField id="sku-cost-price" label="成本价（元，不对买家显示）" value=cost_price error=cost_message reveal=submitted inputmode="decimal" placeholder="0.00" maxlength=11 />
                                <div class="span-all">
                                    <CheckboxField id="sku-launched" label="上架（买家可见、可购买）" checked=launched />
                                </div>
                            </div>
                        </fieldset>
                        <FormError message=task.error() />
                        {move || may_change().then(|| view! {
                            <div class="filter-actions">
                                <button type="submit" class="btn primary" disabled=move || busy.get()>"保存"</button>
                            </div>
                        })}
                    </form>
                </section>
                <PictureManager sku_id=id initial=first.pictures.clone() on_changed=refresh />
                <Specs id detail=sku on_done=Callback::new(show) />
                <Stock id detail=sku on_done=Callback::new(show) />
            </div>
            <aside class="detail-side">
                <section class="panel" aria-labelledby="facts-title">
                    <h2 id="facts-title">"概况"</h2>
                    {facts}
                </section>
            </aside>
        </div>
        <ConfirmDialog question on_answer />
    }
    .into_any()
}

/// The spec values typed in the form that differ from the SKU's (`now`), as a change; the
/// values trimmed; `None` when nothing differs.
fn spec_change(now: &[AdminSpecValue], typed: &[(i64, String)]) -> Option<Vec<SpecValueRequest>> {
    let changed: Vec<SpecValueRequest> = typed
        .iter()
        .filter(|(id, value)| {
            now.iter()
                .find(|s| s.spec_id == *id)
                .is_none_or(|s| s.value != value.trim())
        })
        .map(|(id, value)| SpecValueRequest {
            spec_id: *id,
            value: value.trim().to_owned(),
        })
        .collect();
    (!changed.is_empty()).then_some(changed)
}

/// 规格参数: a field for each spec of the SPU (材质, 重量, ...) with this SKU's value; with
/// `goods.change` saved at the SKU's `version` (a 409 brings the values now into the form).
#[component]
fn Specs(
    id: i64,
    detail: Memo<Option<AdminSkuDetail>>,
    on_done: Callback<AdminSkuDetail>,
) -> impl IntoView {
    let console = use_console();
    let specs =
        move || detail.with_untracked(|d| d.as_ref().map(|d| d.specs.clone()).unwrap_or_default());
    // One text signal per spec, filled from the SKU's values.
    let fields: Vec<(AdminSpecValue, RwSignal<String>)> = specs()
        .into_iter()
        .map(|s| {
            let value = RwSignal::new(s.value.clone());
            (s, value)
        })
        .collect();
    let fill = {
        let fields = fields.clone();
        move |now: &[AdminSpecValue]| {
            for (spec, value) in &fields {
                if let Some(n) = now.iter().find(|n| n.spec_id == spec.spec_id) {
                    value.set(n.value.clone());
                }
            }
        }
    };
    let too_long = {
        let fields = fields.clone();
        Signal::derive(move || {
            fields.iter().find_map(|(spec, value)| {
                value
                    .with(|v| v.trim().chars().count() > SPEC_VALUE_MAX_CHARS)
                    .then(|| format!("“{}”最多{SPEC_VALUE_MAX_CHARS}个字", spec.name))
            })
        })
    };
    let task = Task::new();
    let busy = task.pending();
    let done = RwSignal::new(None::<String>);
    let on_submit = {
        let fields = fields.clone();
        let fill = fill.clone();
        move |ev: SubmitEvent| {
            ev.prevent_default();
            done.set(None);
            if too_long.get_untracked().is_some() {
                return;
            }
            let typed: Vec<(i64, String)> = fields
                .iter()
                .map(|(spec, value)| (spec.spec_id, value.get_untracked()))
                .collect();
            let Some(version) = detail.with_untracked(|d| d.as_ref().map(|d| d.sku.version)) else {
                return;
            };
            let Some(changed) = spec_change(&specs(), &typed) else {
                done.set(Some("没有要保存的修改".to_owned()));
                return;
            };
            let body = SkuChangeRequest {
                version: Some(version),
                specs: Some(changed),
                ..SkuChangeRequest::default()
            };
            let fill = fill.clone();
            task.run(async move {
                let staff = console.require()?;
                match console.check(api::admin_catalog::change_sku(&staff, id, &body).await)? {
                    SkuSaved::Done(now) => {
                        fill(&now.specs);
                        done.set(Some("规格参数已保存".to_owned()));
                        on_done.run(now);
                        Ok(())
                    }
                    SkuSaved::Stale { current, .. } => {
                        // Saved by nobody: the values now, to look at before saving again.
                        fill(&current.specs);
                        on_done.run(current);
                        Err(api::ApiError::Api {
                            status: 409,
                            code: codes::ADMIN_STALE,
                            message: "商品已被他人修改，规格参数未保存：表单中已是当前的值，请检查后再保存".to_owned(),
                        })
                    }
                }
            });
        }
    };
    let may_change = move || console.can("goods.change");
    let body = if fields.is_empty() {
        view! { <p class="muted">"该商品的 SPU 没有规格参数。"</p> }.into_any()
    } else {
        let inputs = fields
            .into_iter()
            .map(|(spec, value)| {
                let input_id = format!("spec-{}", spec.spec_id);
                view! {
                    <div class="field">
                        <label for=input_id.clone()>{spec.name.clone()}</label>
                        <input
                            id=input_id.clone()
                            name=input_id
                            type="text"
                            maxlength=SPEC_VALUE_MAX_CHARS.to_string()
                            data-testid="spec-value"
                            data-spec=spec.name.clone()
                            bind:value=value
                        />
                    </div>
                }
            })
            .collect_view();
        view! {
            <form class="sku-form" on:submit=on_submit novalidate aria-label="规格参数">
                <fieldset class="plain" disabled=move || !may_change() || busy.get()>
                    <div class="grid-form-fields">{inputs}</div>
                </fieldset>
                <FormError message=too_long />
                <FormError message=task.error() />
                {move || done.get().map(|text| view! { <p class="notice success" role="status">{text}</p> })}
                {move || may_change().then(|| view! {
                    <div class="filter-actions">
                        <button type="submit" class="btn primary" disabled=move || busy.get()>"保存规格参数"</button>
                    </div>
                })}
            </form>
        }
        .into_any()
    };
    view! {
        <section class="panel" aria-labelledby="specs-title">
            <h2 id="specs-title">"规格参数"</h2>
            {body}
        </section>
    }
}

/// The stock now, with `goods.change` the adjustment form, and the adjustments so far.
#[component]
fn Stock(
    id: i64,
    detail: Memo<Option<AdminSkuDetail>>,
    on_done: Callback<AdminSkuDetail>,
) -> impl IntoView {
    let console = use_console();
    let stock = move || detail.with(|d| d.as_ref().map_or(0, |d| d.sku.stock));
    let mode = RwSignal::new("add".to_owned());
    let amount = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let tried = RwSignal::new(false);
    let amount_message =
        Signal::derive(move || stock_change(&mode.get(), &amount.get(), "", 0).err());
    let reason_message = Signal::derive(move || {
        reason.with(|r| {
            let n = r.trim().chars().count();
            if n == 0 {
                Some("请填写调整原因".to_owned())
            } else if n > REASON_MAX_CHARS {
                Some(format!("原因最多{REASON_MAX_CHARS}个字"))
            } else {
                None
            }
        })
    });
    let task = Task::new();
    let busy = task.pending();
    let done = RwSignal::new(None::<String>);
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        tried.set(true);
        done.set(None);
        let seen = stock();
        let Ok(body) = stock_change(
            &mode.get_untracked(),
            &amount.get_untracked(),
            &reason.get_untracked(),
            seen,
        ) else {
            return;
        };
        if reason_message.get_untracked().is_some() {
            return;
        }
        task.run(async move {
            let staff = console.require()?;
            let answer =
                console.check(api::admin_catalog::adjust_stock(&staff, id, &body).await)?;
            let now = answer.data.sku.stock;
            done.set(Some(format!("库存已由 {seen} 调整为 {now}")));
            amount.set(String::new());
            reason.set(String::new());
            tried.set(false);
            on_done.run(answer.data);
            Ok(())
        });
    };
    let modes: Vec<(String, String)> = STOCK_MODES
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    view! {
        <section class="panel" aria-labelledby="stock-title">
            <h2 id="stock-title">"库存"</h2>
            <p class="stock-now">
                "当前库存 " <strong data-testid="stock-now">{stock}</strong> " 件"
            </p>
            {move || {
                console
                    .can("goods.change")
                    .then(|| {
                        view! {
                            <form class="action-form" on:submit=on_submit novalidate aria-label="调整库存">
                                <div class="stock-row">
                                    <SelectField id="stock-mode" label="方式" value=mode options=modes.clone() />
                                    <TextField id="stock-amount" label="数量" value=amount error=amount_message reveal=tried inputmode="numeric" maxlength=7 />
                                    <div class="stock-reason">
                                        <TextArea id="stock-reason" label="原因" value=reason error=reason_message reveal=tried rows=1 maxlength=REASON_MAX_CHARS />
                                    </div>
                                </div>
                                <FormError message=task.error() />
                                {move || done.get().map(|text| view! { <p class="notice success" role="status">{text}</p> })}
                                <button type="submit" class="btn primary" disabled=move || busy.get()>"调整库存"</button>
                            </form>
                        }
                    })
            }}
            <h3 class="stock-history" id="history-title">"库存记录"</h3>
            {move || detail.with(|d| d.as_ref().map(|d| history(d.adjustments.clone())))}
        </section>
    }
}

/// The adjustments, newest first: who, when, before, after, delta, reason.
fn history(adjustments: Vec<StockAdjustment>) -> AnyView {
    if adjustments.is_empty() {
        return view! { <p class="muted">"还没有调整过库存"</p> }.into_any();
    }
    let rows = adjustments
        .into_iter()
        .map(|a| {
            let delta_class = if a.delta < 0 { "num minus" } else { "num plus" };
            view! {
                <tr data-testid="adjustment">
                    <td class="nowrap">{when(a.created_at)}</td>
                    <td class="nowrap">{actor(&a.staff_username)}</td>
                    <td class="num">{a.stock_before}</td>
                    <td class="num">{a.stock_after}</td>
                    <td class=delta_class>{format!("{:+}", a.delta)}</td>
                    <td class="wrap">{a.reason}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap">
            <table class="table compact" data-testid="adjustments">
                <thead>
                    <tr>
                        <th scope="col">"时间"</th>
                        <th scope="col">"操作人"</th>
                        <th scope="col" class="num">"调整前"</th>
                        <th scope="col" class="num">"调整后"</th>
                        <th scope="col" class="num">"变化"</th>
                        <th scope="col">"原因"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_spec_values_that_changed_are_sent_trimmed() {
        let now = vec![
            AdminSpecValue {
                spec_id: 1,
                name: "材质".into(),
                value: "PC".into(),
            },
            AdminSpecValue {
                spec_id: 2,
                name: "重量".into(),
                value: String::new(),
            },
        ];
        assert_eq!(
            spec_change(&now, &[(1, " PC ".into()), (2, String::new())]),
            None
        );
        assert_eq!(
            spec_change(&now, &[(1, "".into()), (2, " 2.9kg".into())]),
            Some(vec![
                SpecValueRequest {
                    spec_id: 1,
                    value: String::new()
                },
                SpecValueRequest {
                    spec_id: 2,
                    value: "2.9kg".into()
                },
            ])
        );
    }

    fn sku() -> AdminSku {
        AdminSku {
            id: 3,
            name: "云朵卫衣 白色 M".into(),
            caption: String::new(),
            spu_id: 1,
            spu_name: "云朵卫衣".into(),
            catalog_id: 1,
            catalog_name: "卫衣".into(),
            price: "199.00".into(),
            market_price: "0.00".into(),
            cost_price: "80.00".into(),
            stock: 5,
            sales: 0,
            is_launched: false,
            image: String::new(),
            version: 4,
        }
    }

    #[test]
    fn only_what_differs_is_sent_with_the_version_read() {
        let base = sku();
        let mut form = Values::of(&base);
        assert_eq!(change_of(&base, &form), None);
        // The same money written otherwise is no change.
        form.price = "199".into();
        form.cost_price = " 80.0 ".into();
        assert_eq!(change_of(&base, &form), None);
        form.price = "219.5".into();
        form.launched = true;
        let change = change_of(&base, &form).expect("a change");
        assert_eq!(change.version, Some(4));
        assert_eq!(change.price.as_deref(), Some("219.50"));
        assert_eq!(change.is_launched, Some(true));
        assert_eq!(change.name, None);
        assert_eq!(change.cost_price, None);
    }

    #[test]
    fn stock_is_added_taken_or_set_against_the_stock_seen() {
        let add = stock_change("add", "5", " 到货 ", 10).expect("add");
        assert_eq!((add.delta, add.reason.as_deref()), (Some(5), Some("到货")));
        assert_eq!(
            stock_change("take", "3", "r", 10).map(|c| c.delta),
            Ok(Some(-3))
        );
        let set = stock_change("set", "0", "r", 10).expect("set");
        assert_eq!((set.set_to, set.seen, set.delta), (Some(0), Some(10), None));
        assert!(stock_change("add", "0", "r", 10).is_err());
        assert!(stock_change("set", "-1", "r", 10).is_err());
    }

    #[test]
    fn an_overtaken_form_keeps_the_operators_changes_and_takes_the_rest_as_now() {
        let old = sku();
        let mut mine = Values::of(&old);
        mine.name = "云朵卫衣 白色 M 特价".into();
        mine.price = "199".into(); // untouched, written otherwise
        let mut now = sku();
        now.price = "55.00".into();
        now.name = "别人的名字".into();
        now.is_launched = true;
        let merged = merge(&old, &mine, &now);
        assert_eq!(merged.name, "云朵卫衣 白色 M 特价");
        assert_eq!(merged.price, "55.00");
        assert!(merged.launched);
        let change = change_of(&now, &merged).expect("the name");
        assert_eq!(change.name.as_deref(), Some("云朵卫衣 白色 M 特价"));
        assert_eq!((change.price, change.is_launched), (None, None));
    }

    #[test]
    fn a_version_bump_without_new_values_is_no_conflict() {
        let base = sku();
        let mut now = sku();
        now.version = 9;
        now.stock = 50;
        assert!(same_values(&base, &now));
        now.price = "1.00".into();
        assert!(!same_values(&base, &now));
    }
}
