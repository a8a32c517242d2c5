//! `/admin/spus/new` and `/admin/spus/<id>`: an SPU's editor.
//!
//! A new SPU (`goods.add`) gets its name, catalog, brand, description (plain text, line
//! breaks kept), its sale attributes (颜色, 尺寸, ... at most three) with their values in
//! order, and its spec names (材质, 重量, ...): the server takes attributes and specs only
//! then. An SPU that exists shows the same fields to change (`goods.change`, with the
//! `version` read: 409 / 60102 when someone changed it meanwhile, and the page then shows
//! the values now and keeps only the operator's own changes in the form), its attributes
//! with a field to add a value to each, and its SKU grid: every combination of the values,
//! with the SKU that has it (price, stock, launch state, a link to its editor) or 未创建.
//! The missing SKUs are made from the grid (`goods.add`): one cell, or every empty cell at
//! once with one price and stock; adding a value offers to do that for the cells it opened.

use dadashop_types::admin::{
    ATTR_NAME_MAX_CHARS, ATTR_VALUES_MAX, AdminSpu, AdminSpuResponse, GRID_MAX, NewSaleAttr,
    NewSkuRequest, NewValueRequest, SALE_ATTRS_MAX, SPU_DESCRIPTION_MAX_CHARS, SPU_NAME_MAX_CHARS,
    SpuRequest,
};
use dadashop_types::codes;
use dadashop_types::money::format_fen;
use leptos::ev::SubmitEvent;
use leptos::html;
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};

use super::goods::{
    Choices, NameList, TextArea, check_units, check_yuan, launch_badge, name_error, take_draft,
    yuan_error,
};
use super::session::use_console;
use super::widgets::{ConfirmDialog, Question, SelectField, money};
use super::{SPUS, sku_path, spu_path};
use crate::api::admin_catalog::SpuSaved;
use crate::api::{self, ApiError};
use crate::components::{CheckboxField, ErrorNotice, FormError, Loading, TextField};
use crate::pages::{is_not_found, set_title};
use crate::state::{Remote, Task};

/// Most spec names of an SPU (the server's limit).
const SPECS_MAX: usize = 20;

/// The ids and labels of the attribute slots of a new SPU.
const ATTR_NAME_IDS: [&str; SALE_ATTRS_MAX] = ["attr-1-name", "attr-2-name", "attr-3-name"];
const ATTR_NAME_LABELS: [&str; SALE_ATTRS_MAX] = ["销售属性 1", "销售属性 2", "销售属性 3"];
const ATTR_VALUE_IDS: [&str; SALE_ATTRS_MAX] = ["attr-1-values", "attr-2-values", "attr-3-values"];
const ATTR_VALUE_LABELS: [&str; SALE_ATTRS_MAX] = [
    "属性 1 的值（按顺序）",
    "属性 2 的值（按顺序）",
    "属性 3 的值（按顺序）",
];

/// Every combination of one value of each attribute, the first attribute's values varying
/// slowest (the grid's rows in order).
fn combinations(attrs: &[Vec<i64>]) -> Vec<Vec<i64>> {
    attrs.iter().fold(vec![Vec::new()], |rows, values| {
        rows.iter()
            .flat_map(|row| {
                values.iter().map(move |v| {
                    let mut next = row.clone();
                    next.push(*v);
                    next
                })
            })
            .collect()
    })
}

/// The message of a new SPU's attributes (`(name, values)` of the slots shown), if any.
fn check_attrs(attrs: &[(String, Vec<String>)]) -> Option<String> {
    let mut names: Vec<&str> = Vec::new();
    let mut cells: usize = 1;
    for (name, values) in attrs {
        let name = name.trim();
        if let Some(problem) = name_error(name, ATTR_NAME_MAX_CHARS, true) {
            return Some(format!("销售属性名称：{problem}"));
        }
        if names.contains(&name) {
            return Some(format!("销售属性“{name}”重复了"));
        }
        names.push(name);
        if values.is_empty() {
            return Some(format!("销售属性“{name}”至少要有一个值"));
        }
        cells = cells.saturating_mul(values.len());
    }
    (cells > GRID_MAX).then(|| format!("规格组合最多{GRID_MAX}种"))
}

/// The SPU editor: an empty one, or the SPU `id`'s.
#[component]
pub fn SpuEditor(id: Option<i64>) -> impl IntoView {
    match id {
        None => view! { <NewSpu /> }.into_any(),
        Some(id) => view! { <ExistingSpu id /> }.into_any(),
    }
}

/// 新建 SPU.
#[component]
fn NewSpu() -> impl IntoView {
    set_title(Some("新建 SPU · 运营后台"));
    let console = use_console();
    let navigate = use_navigate();
    let choices = Choices::load();
    let name = RwSignal::new(String::new());
    let catalog_id = RwSignal::new(String::new());
    let brand_id = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let shown = RwSignal::new(1_usize);
    let attr_names: [RwSignal<String>; SALE_ATTRS_MAX] =
        std::array::from_fn(|_| RwSignal::new(String::new()));
    let attr_values: [RwSignal<Vec<String>>; SALE_ATTRS_MAX] =
        std::array::from_fn(|_| RwSignal::new(Vec::new()));
    let attr_drafts: [RwSignal<String>; SALE_ATTRS_MAX] =
        std::array::from_fn(|_| RwSignal::new(String::new()));
    let specs = RwSignal::new(Vec::<String>::new());
    let spec_draft = RwSignal::new(String::new());

    let submitted = RwSignal::new(false);
    let name_message =
        Signal::derive(move || name.with(|n| name_error(n, SPU_NAME_MAX_CHARS, true)));
    let catalog_message = Signal::derive(move || {
        (submitted.get() && catalog_id.with(String::is_empty)).then(|| "请选择分类".to_owned())
    });
    let brand_message = Signal::derive(move || {
        (submitted.get() && brand_id.with(String::is_empty)).then(|| "请选择品牌".to_owned())
    });
    let description_message = Signal::derive(|| None::<String>);
    let attrs_now = move || {
        (0..shown.get())
            .map(|i| (attr_names[i].get(), attr_values[i].get()))
            .collect::<Vec<_>>()
    };
    let attrs_message = Signal::derive(move || {
        if submitted.get() {
            check_attrs(&attrs_now())
        } else {
            None
        }
    });

    // Removing a slot moves the later ones up.
    let remove = move |at: usize| {
        let n = shown.get_untracked();
        for i in at..n.saturating_sub(1) {
            attr_names[i].set(attr_names[i + 1].get_untracked());
            attr_values[i].set(attr_values[i + 1].get_untracked());
            attr_drafts[i].set(attr_drafts[i + 1].get_untracked());
        }
        if n > 0 {
            attr_names[n - 1].set(String::new());
            attr_values[n - 1].set(Vec::new());
            attr_drafts[n - 1].set(String::new());
            shown.set((n - 1).max(1));
        }
    };

    let task = Task::new();
    let busy = task.pending();
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        submitted.set(true);
        for i in 0..shown.get_untracked() {
            take_draft(
                attr_values[i],
                attr_drafts[i],
                ATTR_VALUES_MAX,
                ATTR_NAME_MAX_CHARS,
            );
        }
        take_draft(specs, spec_draft, SPECS_MAX, ATTR_NAME_MAX_CHARS);
        let attrs: Vec<(String, Vec<String>)> = (0..shown.get_untracked())
            .map(|i| {
                (
                    attr_names[i].get_untracked(),
                    attr_values[i].get_untracked(),
                )
            })
            .collect();
        if name_message.get_untracked().is_some()
            || catalog_id.with_untracked(String::is_empty)
            || brand_id.with_untracked(String::is_empty)
            || check_attrs(&attrs).is_some()
        {
            return;
        }
        let body = SpuRequest {
            name: Some(name.get_untracked().trim().to_owned()),
            catalog_id: catalog_id.get_untracked().parse().ok(),
            brand_id: brand_id.get_untracked().parse().ok(),
            description: Some(description.get_untracked()),
            sale_attrs: Some(
                attrs
                    .into_iter()
                    .map(|(name, values)| NewSaleAttr {
                        name: name.trim().to_owned(),
                        values,
                    })
                    .collect(),
            ),
            specs: Some(specs.get_untracked()),
            version: None,
        };
        let navigate = navigate.clone();
        task.run(async move {
            let staff = console.require()?;
            let answer = console.check(api::admin_catalog::create_spu(&staff, &body).await)?;
            navigate(
                &format!("{}?created=1", spu_path(answer.data.spu.id)),
                Default::default(),
            );
            Ok(())
        });
    };

    let slots = move || {
        (0..shown.get())
            .map(|i| {
                let remove_button = (shown.get() > 1).then(|| {
                    view! {
                        <button type="button" class="btn small danger" on:click=move |_| remove(i)>
                            {format!("删除属性 {}", i + 1)}
                        </button>
                    }
                });
                view! {
                    <fieldset class="attr-slot" data-testid="attr-slot">
                        <legend>{ATTR_NAME_LABELS[i]}</legend>
                        <TextField
                            id=ATTR_NAME_IDS[i]
                            label="名称"
                            value=attr_names[i]
                            error=Signal::derive(|| None::<String>)
                            reveal=submitted
                            placeholder="如 颜色、尺寸"
                            maxlength=ATTR_NAME_MAX_CHARS
                        />
                        <NameList
                            id=ATTR_VALUE_IDS[i]
                            label=ATTR_VALUE_LABELS[i]
                            values=attr_values[i]
                            draft=attr_drafts[i]
                            placeholder="如 红色"
                            max_count=ATTR_VALUES_MAX
                            max_chars=ATTR_NAME_MAX_CHARS
                            error=Signal::derive(|| None::<String>)
                        />
                        {remove_button}
                    </fieldset>
                }
            })
            .collect_view()
    };

    view! {
        <p class="console-back">
            <a href=SPUS>"← SPU 列表"</a>
        </p>
        <div class="console-head">
            <h1>"新建 SPU"</h1>
        </div>
        <section class="panel">
            <form class="spu-form" on:submit=on_submit novalidate aria-label="新建 SPU">
                <div class="grid-form-fields">
                    <div class="span-all">
                        <TextField id="spu-name" label="名称" value=name error=name_message reveal=submitted maxlength=SPU_NAME_MAX_CHARS />
                    </div>
                    {move || view! {
                        <SelectField id="spu-catalog" label="分类" value=catalog_id options=choices.catalog_options("请选择分类") error=catalog_message />
                        <SelectField id="spu-brand" label="品牌" value=brand_id options=choices.brand_options("请选择品牌") error=brand_message />
                    }}
                    <div class="span-all">
                        <TextArea id="spu-description" label="描述（纯文本，可换行）" value=description error=description_message reveal=submitted rows=4 maxlength=SPU_DESCRIPTION_MAX_CHARS />
                    </div>
                </div>
                <h2 class="form-section">"销售属性"</h2>
                <p class="muted">"每个 SKU 取每个销售属性的一个值；属性与规格参数只能在新建时填写，之后可以给属性添加新的值。"</p>
                <div class="attr-slots">{slots}</div>
                <p class="field-error" aria-live="polite" data-testid="attrs-error">{move || attrs_message.get()}</p>
                {move || (shown.get() < SALE_ATTRS_MAX).then(|| view! {
                    <button type="button" class="btn small add-slot" on:click=move |_| shown.update(|n| *n += 1)>"添加销售属性"</button>
                })}
                <h2 class="form-section">"规格参数"</h2>
                <NameList
                    id="spu-specs"
                    label="规格参数名称（如 材质、重量）"
                    values=specs
                    draft=spec_draft
                    max_count=SPECS_MAX
                    max_chars=ATTR_NAME_MAX_CHARS
                    error=Signal::derive(|| None::<String>)
                />
                <FormError message=task.error() />
                <div class="filter-actions">
                    <button type="submit" class="btn primary" disabled=move || busy.get()>"创建 SPU"</button>
                    <a class="btn" href=SPUS>"取消"</a>
                </div>
            </form>
        </section>
    }
}

/// An SPU that exists: loaded once, then kept up to date by its forms.
#[component]
fn ExistingSpu(id: i64) -> impl IntoView {
    set_title(Some("编辑 SPU · 运营后台"));
    let console = use_console();
    let detail: Remote<AdminSpuResponse> = Remote::new();
    let load = move || {
        detail.load(async move {
            let staff = console.require()?;
            console.check(api::admin_catalog::spu(&staff, id).await)
        });
    };
    load();
    let retry = Callback::new(move |()| load());
    let phase = Memo::new(move |_| detail.get().map(|answer| answer.map(|_| ())));
    let body = move || match phase.get() {
        None => view! { <Loading text="正在加载 SPU…" /> }.into_any(),
        Some(Err(error)) if is_not_found(&error) => view! {
            <div class="status empty">"SPU 不存在。" <a href=SPUS>"返回 SPU 列表"</a></div>
        }
        .into_any(),
        Some(Err(error)) => {
            view! { <ErrorNotice message=error.to_string() on_retry=retry /> }.into_any()
        }
        Some(Ok(())) => view! { <SpuView id detail /> }.into_any(),
    };
    view! {
        <p class="console-back">
            <a href=SPUS>"← SPU 列表"</a>
        </p>
        {body}
    }
}

/// The editable values of an SPU.
#[derive(Debug, Clone, PartialEq, Eq)]
struct SpuValues {
    name: String,
    catalog_id: String,
    brand_id: String,
    description: String,
}

impl SpuValues {
    fn of(spu: &AdminSpu) -> Self {
        Self {
            name: spu.spu.name.clone(),
            catalog_id: spu.spu.catalog_id.to_string(),
            brand_id: spu.spu.brand_id.to_string(),
            description: spu.description.clone(),
        }
    }
}

/// The form after someone else's change overtook the operator's: the fields the operator
/// changed (against `old`, the values read) stay, the others take the values `now`.
fn merge_spu(old: &AdminSpu, mine: &SpuValues, now: &AdminSpu) -> SpuValues {
    let old = SpuValues::of(old);
    let now = SpuValues::of(now);
    let pick = |m: &String, o: &String, n: &String| {
        if m.replace("\r\n", "\n").trim() == o {
            n.clone()
        } else {
            m.clone()
        }
    };
    SpuValues {
        name: pick(&mine.name, &old.name, &now.name),
        catalog_id: pick(&mine.catalog_id, &old.catalog_id, &now.catalog_id),
        brand_id: pick(&mine.brand_id, &old.brand_id, &now.brand_id),
        description: pick(&mine.description, &old.description, &now.description),
    }
}

/// The change of `form` against `base` (only what differs, with the version read); `None`
/// when nothing differs.
fn spu_change(base: &AdminSpu, form: &SpuValues) -> Option<SpuRequest> {
    let was = SpuValues::of(base);
    let change = SpuRequest {
        name: (form.name.trim() != was.name).then(|| form.name.trim().to_owned()),
        catalog_id: (form.catalog_id != was.catalog_id)
            .then(|| form.catalog_id.parse().ok())
            .flatten(),
        brand_id: (form.brand_id != was.brand_id)
            .then(|| form.brand_id.parse().ok())
            .flatten(),
        description: (form.description.replace("\r\n", "\n").trim() != was.description)
            .then(|| form.description.clone()),
        version: Some(base.spu.version),
        ..SpuRequest::default()
    };
    (change.name.is_some()
        || change.catalog_id.is_some()
        || change.brand_id.is_some()
        || change.description.is_some())
    .then_some(change)
}

/// Which SKUs the create form makes.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Making {
    /// One for every empty cell of the grid.
    All,
    /// The one of these values.
    One(Vec<i64>),
}

/// The fields, the attributes, the specs and the grid of an SPU.
#[component]
fn SpuView(id: i64, detail: Remote<AdminSpuResponse>) -> impl IntoView {
    let console = use_console();
    let query = use_query_map();
    let spu = Memo::new(move |_| detail.get().and_then(Result::ok).map(|a| a.data));
    let Some(first) = spu.get_untracked() else {
        return ().into_any();
    };
    Effect::new(move |_| {
        if let Some(name) = spu.with(|s| s.as_ref().map(|s| s.spu.name.clone())) {
            set_title(Some(&format!("{name} · SPU · 运营后台")));
        }
    });
    let choices = Choices::load();
    let done = RwSignal::new(
        query
            .with_untracked(|q| q.get("created").is_some())
            .then(|| "SPU 已创建：下一步在下方的 SKU 网格中创建 SKU".to_owned()),
    );
    let base = RwSignal::new(first.clone());
    let show = move |now: AdminSpu| {
        if SpuValues::of(&base.get_untracked()) == SpuValues::of(&now) {
            base.set(now.clone());
        }
        detail.set(Ok(AdminSpuResponse {
            code: codes::OK,
            error: None,
            data: now,
        }));
    };

    // 基本信息.
    let values = SpuValues::of(&first);
    let name = RwSignal::new(values.name);
    let catalog_id = RwSignal::new(values.catalog_id);
    let brand_id = RwSignal::new(values.brand_id);
    let description = RwSignal::new(values.description);
    let fill_values = move |v: SpuValues| {
        name.set(v.name);
        catalog_id.set(v.catalog_id);
        brand_id.set(v.brand_id);
        description.set(v.description);
    };
    let fill = move |spu: &AdminSpu| fill_values(SpuValues::of(spu));
    let submitted = RwSignal::new(false);
    let name_message =
        Signal::derive(move || name.with(|n| name_error(n, SPU_NAME_MAX_CHARS, true)));
    let none = Signal::derive(|| None::<String>);
    let stale = RwSignal::new(None::<AdminSpu>);
    let save = Task::new();
    let saving = save.pending();
    let on_save = move |ev: SubmitEvent| {
        ev.prevent_default();
        submitted.set(true);
        done.set(None);
        if name_message.get_untracked().is_some() {
            return;
        }
        let form = SpuValues {
            name: name.get_untracked(),
            catalog_id: catalog_id.get_untracked(),
            brand_id: brand_id.get_untracked(),
            description: description.get_untracked(),
        };
        let Some(change) = spu_change(&base.get_untracked(), &form) else {
            done.set(Some("没有要保存的修改".to_owned()));
            return;
        };
        save.run(async move {
            let staff = console.require()?;
            match console.check(api::admin_catalog::change_spu(&staff, id, &change).await)? {
                SpuSaved::Done(now) => {
                    stale.set(None);
                    base.set(now.clone());
                    fill(&now);
                    done.set(Some("已保存".to_owned()));
                    show(now);
                    Ok(())
                }
                SpuSaved::Stale { current, .. } => {
                    // The 409 carries the values now: keep the operator's own changes in
                    // the form over them, and say what the page did.
                    fill_values(merge_spu(&base.get_untracked(), &form, &current));
                    base.set(current.clone());
                    stale.set(Some(current.clone()));
                    show(current);
                    Err(ApiError::Api {
                        status: 409,
                        code: codes::ADMIN_STALE,
                        message: "SPU 已被他人修改：上方是当前的值，表单中保留了您修改的字段；再次保存将以您的修改为准"
                            .to_owned(),
                    })
                }
            }
        });
    };
    let stale_panel = move || {
        stale.get().map(|now| {
            let description = if now.description.is_empty() {
                "—".to_owned()
            } else {
                now.description.clone()
            };
            view! {
                <section class="notice error stale" role="alert" data-testid="stale">
                    <div>
                        <p>"当前的值："</p>
                        <dl class="facts">
                            <dt>"名称"</dt>
                            <dd>{now.spu.name.clone()}</dd>
                            <dt>"分类"</dt>
                            <dd>{now.spu.catalog_name.clone()}</dd>
                            <dt>"品牌"</dt>
                            <dd>{now.spu.brand_name.clone()}</dd>
                            <dt>"描述"</dt>
                            <dd class="pre-line">{description}</dd>
                        </dl>
                    </div>
                    <button
                        type="button"
                        class="btn small"
                        on:click=move |_| {
                            if let Some(now) = stale.get_untracked() {
                                fill(&now);
                            }
                            stale.set(None);
                        }
                    >
                        "使用当前的值"
                    </button>
                </section>
            }
        })
    };

    // Values added to an attribute, and the offer to fill the grid it opened.
    let making = RwSignal::new(None::<Making>);
    let price_input = NodeRef::<html::Div>::new();
    let offer = RwSignal::new(None::<Question>);
    let on_offer = Callback::new(move |yes: bool| {
        offer.set(None);
        if yes {
            making.set(Some(Making::All));
        }
    });
    Effect::new(move |_| {
        if making.get().is_some()
            && let Some(field) = price_input.get()
            && let Ok(Some(input)) = field.query_selector("input")
            && let Ok(input) = wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(input)
        {
            let _ = input.focus();
        }
    });
    let added = Callback::new(move |(value, now): (String, AdminSpu)| {
        let missing = now.missing.len();
        show(now);
        done.set(Some(format!("已添加“{value}”")));
        if missing > 0 && console.can("goods.add") {
            offer.set(Some(Question {
                title: "创建缺少的 SKU".to_owned(),
                detail: format!(
                    "已添加“{value}”。现有 {missing} 个规格组合还没有 SKU，是否现在为它们创建？（填写售价和库存后一次创建，创建后默认不上架）"
                ),
                yes: "去创建",
                danger: false,
            }));
        }
    });

    let attrs = move || {
        spu.get().map(|s| {
            s.sale_attrs
                .into_iter()
                .map(|attr| view! { <AttrValues spu_id=id attr_id=attr.id name=attr.name values=attr.values.into_iter().map(|v| v.name).collect() on_added=added /> })
                .collect_view()
        })
    };
    let specs = move || {
        spu.with(|s| {
            s.as_ref().map(|s| {
                if s.specs.is_empty() {
                    view! { <p class="muted">"没有规格参数"</p> }.into_any()
                } else {
                    let chips = s
                        .specs
                        .iter()
                        .map(|name| view! { <li class="chip">{name.clone()}</li> })
                        .collect_view();
                    view! { <ul class="chips" aria-label="规格参数">{chips}</ul> }.into_any()
                }
            })
        })
    };
    let missing = move || spu.with(|s| s.as_ref().map_or(0, |s| s.missing.len()));
    let make = Callback::new(move |what: Making| {
        done.set(None);
        making.set(Some(what));
    });
    let made = Callback::new(move |(count, now): (usize, AdminSpu)| {
        making.set(None);
        show(now);
        done.set(Some(format!("已创建 {count} 个 SKU")));
    });

    view! {
        <div class="console-head">
            <h1 data-testid="spu-title">{move || spu.with(|s| s.as_ref().map(|s| s.spu.name.clone()))}</h1>
            <span class="console-sub">{format!("SPU #{id}")}</span>
        </div>
        {move || done.get().map(|text| view! { <p class="notice success" role="status">{text}</p> })}
        <div class="detail-grid main-first">
            <div class="detail-main">
                <section class="panel" aria-labelledby="grid-title">
                    <div class="panel-head">
                        <h2 id="grid-title">"SKU 网格"</h2>
                        {move || (missing() > 0 && console.can("goods.add")).then(|| view! {
                            <button type="button" class="btn small primary" on:click=move |_| make.run(Making::All)>
                                {format!("创建全部缺少的 SKU（{} 个）", missing())}
                            </button>
                        })}
                    </div>
                    {move || making.get().map(|what| view! {
                        <div node_ref=price_input>
                            <MakeSkus spu_id=id what spu on_made=made on_close=Callback::new(move |()| making.set(None)) />
                        </div>
                    })}
                    {move || spu.get().map(|s| view! { <Grid spu=s make /> })}
                </section>
                <section class="panel" aria-labelledby="spu-form-title">
                    <h2 id="spu-form-title">"基本信息"</h2>
                    {stale_panel}
                    <form class="spu-form" on:submit=on_save novalidate aria-label="SPU 信息">
                        <fieldset class="plain" disabled=move || !console.can("goods.change") || saving.get()>
                            <div class="grid-form-fields">
                                <div class="span-all">
                                    <TextField id="spu-name" label="名称" value=name error=name_message reveal=submitted maxlength=SPU_NAME_MAX_CHARS />
                                </div>
                                {move || view! {
                                    <SelectField id="spu-catalog" label="分类" value=catalog_id options=choices.catalog_options("请选择分类") />
                                    <SelectField id="spu-brand" label="品牌" value=brand_id options=choices.brand_options("请选择品牌") />
                                }}
                                <div class="span-all">
                                    <TextArea id="spu-description" label="描述（纯文本，可换行）" value=description error=none reveal=submitted rows=4 maxlength=SPU_DESCRIPTION_MAX_CHARS />
                                </div>
                            </div>
                        </fieldset>
                        <FormError message=save.error() />
                        {move || console.can("goods.change").then(|| view! {
                            <div class="filter-actions">
                                <button type="submit" class="btn primary" disabled=move || saving.get()>"保存"</button>
                            </div>
                        })}
                    </form>
                </section>
            </div>
            <aside class="detail-side">
                <section class="panel" aria-labelledby="attrs-title">
                    <h2 id="attrs-title">"销售属性"</h2>
                    {attrs}
                </section>
                <section class="panel" aria-labelledby="specs-title">
                    <h2 id="specs-title">"规格参数"</h2>
                    {specs}
                </section>
            </aside>
        </div>
        <ConfirmDialog question=offer on_answer=on_offer />
    }
    .into_any()
}

/// A sale attribute: its values in order and, with `goods.change`, a field to add one.
#[component]
fn AttrValues(
    spu_id: i64,
    attr_id: i64,
    name: String,
    values: Vec<String>,
    on_added: Callback<(String, AdminSpu)>,
) -> impl IntoView {
    let console = use_console();
    let draft = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<String>);
    let task = Task::new();
    let busy = task.pending();
    let known = values.clone();
    let add = move || {
        let value = draft.get_untracked().trim().to_owned();
        let refused =
            super::goods::check_new_name(&known, &value, ATTR_VALUES_MAX, ATTR_NAME_MAX_CHARS);
        problem.set(refused.clone());
        if refused.is_some() {
            return;
        }
        task.run(async move {
            let staff = console.require()?;
            let body = NewValueRequest {
                name: Some(value.clone()),
            };
            let answer = console
                .check(api::admin_catalog::add_value(&staff, spu_id, attr_id, &body).await)?;
            draft.set(String::new());
            on_added.run((value, answer.data));
            Ok(())
        });
    };
    let input_id = format!("add-value-{attr_id}");
    let chips = values
        .into_iter()
        .map(|v| view! { <li class="chip">{v}</li> })
        .collect_view();
    let label = format!("给“{name}”添加值");
    view! {
        <div class="attr" data-testid="attr" data-attr=name.clone()>
            <h3>{name.clone()}</h3>
            <ul class="chips" aria-label=format!("{name}的值")>{chips}</ul>
            {move || console.can("goods.change").then(|| {
                let add = add.clone();
                let add2 = add.clone();
                view! {
                    <div class="inline-add">
                        <input
                            id=input_id.clone()
                            type="text"
                            aria-label=label.clone()
                            placeholder="新的值"
                            maxlength=ATTR_NAME_MAX_CHARS.to_string()
                            bind:value=draft
                            on:keydown=move |ev| {
                                if ev.key() == "Enter" {
                                    ev.prevent_default();
                                    add();
                                }
                            }
                        />
                        <button type="button" class="btn small" disabled=move || busy.get() on:click=move |_| add2()>"添加值"</button>
                    </div>
                }
            })}
            <p class="field-error" aria-live="polite">{move || problem.get().or_else(|| task.error().get())}</p>
        </div>
    }
}

/// The grid: every combination, its SKU or 未创建 (with 创建, `goods.add`).
#[component]
fn Grid(spu: AdminSpu, make: Callback<Making>) -> impl IntoView {
    let console = use_console();
    if spu.sale_attrs.is_empty() {
        return view! { <p class="muted">"没有销售属性"</p> }.into_any();
    }
    let value_name = |id: i64| {
        spu.sale_attrs
            .iter()
            .flat_map(|a| a.values.iter())
            .find(|v| v.id == id)
            .map(|v| v.name.clone())
            .unwrap_or_default()
    };
    let columns = spu
        .sale_attrs
        .iter()
        .map(|a| view! { <th scope="col">{a.name.clone()}</th> })
        .collect_view();
    let cells = combinations(
        &spu.sale_attrs
            .iter()
            .map(|a| a.values.iter().map(|v| v.id).collect())
            .collect::<Vec<_>>(),
    );
    let made = spu.skus.len();
    let total = cells.len();
    let rows = cells
        .into_iter()
        .map(|cell| {
            let names: Vec<String> = cell.iter().map(|v| value_name(*v)).collect();
            let label = names.join(" / ");
            let value_cells = names
                .iter()
                .map(|n| view! { <td class="nowrap">{n.clone()}</td> })
                .collect_view();
            let rest = match spu.skus.iter().find(|s| s.value_ids == cell) {
                Some(sku) => view! {
                    <td class="nowrap"><a href=sku_path(sku.id) data-testid="grid-sku">{sku.name.clone()}</a></td>
                    <td class="num" data-testid="grid-price">{money(&sku.price)}</td>
                    <td class="num" data-testid="grid-stock">{sku.stock}</td>
                    <td>{launch_badge(sku.is_launched)}</td>
                }
                .into_any(),
                None => {
                    let cell = cell.clone();
                    view! {
                        <td class="muted" data-testid="grid-missing">"未创建"</td>
                        <td></td>
                        <td></td>
                        <td>
                            {move || console.can("goods.add").then(|| {
                                let cell = cell.clone();
                                view! {
                                    <button type="button" class="btn small" on:click=move |_| make.run(Making::One(cell.clone()))>"创建"</button>
                                }
                            })}
                        </td>
                    }
                    .into_any()
                }
            };
            view! {
                <tr data-testid="grid-row" data-values=label>
                    {value_cells}
                    {rest}
                </tr>
            }
        })
        .collect_view();
    view! {
        <p class="muted grid-count" data-testid="grid-count">{format!("{total} 种组合，已创建 {made} 个 SKU")}</p>
        <div class="table-wrap">
            <table class="table compact" data-testid="grid">
                <thead>
                    <tr>
                        {columns}
                        <th scope="col">"SKU"</th>
                        <th scope="col" class="num">"售价"</th>
                        <th scope="col" class="num">"库存"</th>
                        <th scope="col">"状态"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
    .into_any()
}

/// The form that makes SKUs of the grid: one cell's, or every empty cell's at once.
#[component]
fn MakeSkus(
    spu_id: i64,
    what: Making,
    spu: Memo<Option<AdminSpu>>,
    on_made: Callback<(usize, AdminSpu)>,
    on_close: Callback<()>,
) -> impl IntoView {
    let console = use_console();
    let price = RwSignal::new(String::new());
    let market_price = RwSignal::new(String::new());
    let cost_price = RwSignal::new(String::new());
    let stock = RwSignal::new("0".to_owned());
    let launched = RwSignal::new(false);
    let tried = RwSignal::new(false);
    let price_message = Signal::derive(move || price.with(|p| yuan_error(p, true, true)));
    let market_message = Signal::derive(move || market_price.with(|p| yuan_error(p, false, false)));
    let cost_message = Signal::derive(move || cost_price.with(|p| yuan_error(p, false, false)));
    let stock_message = Signal::derive(move || stock.with(|s| check_units(s, 0).err()));
    let title = match &what {
        Making::All => {
            let n = spu.with_untracked(|s| s.as_ref().map_or(0, |s| s.missing.len()));
            format!("为 {n} 个缺少的组合创建 SKU")
        }
        Making::One(cell) => {
            let names = spu.with_untracked(|s| {
                s.as_ref().map_or_else(String::new, |s| {
                    cell.iter()
                        .filter_map(|v| {
                            s.sale_attrs
                                .iter()
                                .flat_map(|a| a.values.iter())
                                .find(|x| x.id == *v)
                                .map(|x| x.name.clone())
                        })
                        .collect::<Vec<_>>()
                        .join(" / ")
                })
            });
            format!("创建 SKU：{names}")
        }
    };
    let task = Task::new();
    let busy = task.pending();
    let what = StoredValue::new(what);
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        tried.set(true);
        if [price_message, market_message, cost_message, stock_message]
            .iter()
            .any(|m| m.get_untracked().is_some())
        {
            return;
        }
        let cash = |s: RwSignal<String>| {
            check_yuan(&s.get_untracked(), false)
                .ok()
                .flatten()
                .map(format_fen)
        };
        let (value_ids, fill_grid, count) = match what.get_value() {
            Making::All => (
                None,
                Some(true),
                spu.with_untracked(|s| s.as_ref().map_or(0, |s| s.missing.len())),
            ),
            Making::One(cell) => (Some(cell), None, 1),
        };
        let body = NewSkuRequest {
            value_ids,
            fill_grid,
            price: cash(price),
            market_price: cash(market_price),
            cost_price: cash(cost_price),
            stock: check_units(&stock.get_untracked(), 0).ok(),
            is_launched: Some(launched.get_untracked()),
            ..NewSkuRequest::default()
        };
        task.run(async move {
            let staff = console.require()?;
            let answer =
                console.check(api::admin_catalog::create_skus(&staff, spu_id, &body).await)?;
            on_made.run((count, answer.data));
            Ok(())
        });
    };
    view! {
        <form class="make-skus" on:submit=on_submit novalidate aria-label="创建 SKU" data-testid="make-skus">
            <h3>{title}</h3>
            <div class="grid-form-fields">
                <TextField id="make-price" label="售价（元）" value=price error=price_message reveal=tried inputmode="decimal" placeholder="0.00" maxlength=11 />
                <TextField id="make-market-price" label="市场价（元）" value=market_price error=market_message reveal=tried inputmode="decimal" placeholder="0.00" maxlength=11 />
                <TextField id="make-cost-price" label="成本价（元）" value=cost_price error=cost_message reveal=tried inputmode="decimal" placeholder="0.00" maxlength=11 />
                <TextField id="make-stock" label="库存" value=stock error=stock_message reveal=tried inputmode="numeric" maxlength=7 />
            </div>
            <CheckboxField id="make-launched" label="创建后立即上架" checked=launched />
            <FormError message=task.error() />
            <div class="filter-actions">
                <button type="submit" class="btn primary" disabled=move || busy.get()>"创建"</button>
                <button type="button" class="btn" on:click=move |_| on_close.run(())>"取消"</button>
            </div>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_grid_has_every_combination_in_the_attributes_order() {
        assert_eq!(
            combinations(&[vec![1, 2], vec![10, 20, 30]]),
            vec![
                vec![1, 10],
                vec![1, 20],
                vec![1, 30],
                vec![2, 10],
                vec![2, 20],
                vec![2, 30]
            ]
        );
        assert_eq!(combinations(&[vec![7]]), vec![vec![7]]);
        assert_eq!(combinations(&[vec![1], vec![]]), Vec::<Vec<i64>>::new());
    }

    fn spu() -> AdminSpu {
        serde_json::from_str(
            r#"{"id":1,"name":"云朵卫衣","catalog_id":2,"catalog_name":"卫衣","brand_id":3,
            "brand_name":"木棉","sku_count":0,"version":5,"description":"柔软","sale_attrs":[],
            "specs":[],"skus":[],"missing":[]}"#,
        )
        .expect("an SPU")
    }

    #[test]
    fn an_overtaken_spu_form_keeps_only_the_operators_changes() {
        let old = spu();
        let mut mine = SpuValues::of(&old);
        mine.description = "第一行\r\n第二行".into();
        let mut now = spu();
        now.spu.name = "云朵卫衣（新款）".into();
        now.spu.version = 6;
        let merged = merge_spu(&old, &mine, &now);
        assert_eq!(merged.name, "云朵卫衣（新款）");
        assert_eq!(merged.description, "第一行\r\n第二行");
        let change = spu_change(&now, &merged).expect("the description");
        assert_eq!(change.version, Some(6));
        assert_eq!(change.name, None);
        assert!(change.description.is_some());
        assert_eq!(spu_change(&now, &SpuValues::of(&now)), None);
    }

    #[test]
    fn a_new_spus_attributes_are_checked_before_sending() {
        let attr = |name: &str, values: &[&str]| {
            (
                name.to_owned(),
                values.iter().map(|v| (*v).to_owned()).collect::<Vec<_>>(),
            )
        };
        assert_eq!(
            check_attrs(&[attr("颜色", &["红色", "白色"]), attr("尺寸", &["M"])]),
            None
        );
        assert!(check_attrs(&[attr("", &["红色"])]).is_some());
        assert!(check_attrs(&[attr("颜色", &[])]).is_some());
        assert!(check_attrs(&[attr("颜色", &["红"]), attr(" 颜色 ", &["大"])]).is_some());
        let many: Vec<String> = (0..11).map(|i| i.to_string()).collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        assert!(check_attrs(&[attr("a", &many), attr("b", &many)]).is_some());
    }
}
