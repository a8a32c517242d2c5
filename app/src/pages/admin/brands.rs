//! `/admin/brands`: 品牌 (`goods.view`), by sort position (lowest first), then first letter
//! and name, hidden ones too, with their logos. 新建品牌 (`goods.add`); 编辑 renames,
//! reorders or hides one or changes its first letter, and 隐藏 / 显示 does the hiding at once
//! (`goods.change`, with the `version` read; a hidden brand is named to no shopper, its
//! products stay on sale); 上传标志 / 删除标志 (`goods.change`: the file's bytes go up as they are,
//! the server keeps only a JPEG, PNG or WebP it could decode); 删除 (`goods.delete`,
//! confirmed first), refused by the server while SPUs have the brand (409 / 60106, its
//! message, which names them, shown as it is).

use dadashop_types::admin::{
    AdminBrand, AdminBrandsResponse, BrandRequest, CATALOG_NAME_MAX_CHARS,
};
use dadashop_types::codes;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use super::catalog::check_order;
use super::goods::name_error;
use super::session::use_console;
use super::widgets::{ConfirmDialog, Question, SelectField};
use crate::api::{self, ApiError};
use crate::components::{CheckboxField, EmptyNotice, ErrorNotice, FormError, Loading, TextField};
use crate::pages::set_title;
use crate::state::{Remote, Task};

/// The first letters a brand may have: `A`-`Z`, then `#` for a name that starts otherwise.
fn letters() -> Vec<(String, String)> {
    let mut options = vec![(String::new(), "请选择".to_owned())];
    options.extend(('A'..='Z').map(|c| (c.to_string(), c.to_string())));
    options.push(("#".to_owned(), "#（其他）".to_owned()));
    options
}

/// The list, the form (new or editing one) and the changes.
#[component]
pub fn BrandList() -> impl IntoView {
    set_title(Some("品牌 · 运营后台"));
    let console = use_console();
    let list: Remote<AdminBrandsResponse> = Remote::new();
    let load = move || {
        list.load(async move {
            let staff = console.require()?;
            console.check(api::admin_catalog::brands(&staff).await)
        });
    };
    load();
    let retry = Callback::new(move |()| load());

    let task = Task::new();
    let busy = task.pending();
    let done = RwSignal::new(None::<String>);
    let stale = RwSignal::new(None::<String>);
    // The form: `None` closed, `Some(None)` a new brand, `Some(Some(b))` editing `b`.
    let editing = RwSignal::new(None::<Option<AdminBrand>>);
    let after = move |said: String| {
        done.set(Some(said));
        load();
    };
    let asking = RwSignal::new(None::<(Question, AdminBrand)>);
    let question = Signal::derive(move || asking.with(|a| a.as_ref().map(|(q, _)| q.clone())));
    let on_answer = Callback::new(move |yes: bool| {
        let Some((_, brand)) = asking.get_untracked() else {
            return;
        };
        asking.set(None);
        if !yes {
            return;
        }
        task.run(async move {
            let staff = console.require()?;
            console.check(api::admin_catalog::delete_brand(&staff, brand.id).await)?;
            after(format!("品牌“{}”已删除", brand.name));
            Ok(())
        });
    });
    let upload_logo = move |brand: AdminBrand, file: web_sys::File| {
        done.set(None);
        task.run(async move {
            let staff = console.require()?;
            console.check(api::admin_catalog::set_brand_logo(&staff, brand.id, &file).await)?;
            after(format!("品牌“{}”的标志已更新", brand.name));
            Ok(())
        });
    };
    let toggle_hidden = move |brand: AdminBrand| {
        done.set(None);
        stale.set(None);
        task.run(async move {
            let staff = console.require()?;
            let body = BrandRequest {
                is_hidden: Some(!brand.is_hidden),
                version: Some(brand.version),
                ..BrandRequest::default()
            };
            match console.check(api::admin_catalog::change_brand(&staff, brand.id, &body).await) {
                Err(ApiError::Api {
                    code: codes::ADMIN_STALE,
                    message,
                    ..
                }) => {
                    stale.set(Some(format!("{message}：已显示最新的品牌，请重试")));
                    load();
                }
                other => {
                    other?;
                    let state = if brand.is_hidden {
                        "已显示"
                    } else {
                        "已隐藏"
                    };
                    after(format!("品牌“{}”{state}", brand.name));
                }
            }
            Ok(())
        });
    };
    let remove_logo = move |brand: AdminBrand| {
        done.set(None);
        task.run(async move {
            let staff = console.require()?;
            console.check(api::admin_catalog::delete_brand_logo(&staff, brand.id).await)?;
            after(format!("品牌“{}”的标志已删除", brand.name));
            Ok(())
        });
    };
    let saved = Callback::new(move |said: String| {
        editing.set(None);
        after(said);
    });
    let on_stale = Callback::new(move |message: String| {
        editing.set(None);
        stale.set(Some(format!("{message}：已显示最新的品牌，请重新编辑")));
        load();
    });

    let table = move || match list.get() {
        None => view! { <Loading text="正在加载品牌…" /> }.into_any(),
        Some(Err(error)) => {
            view! { <ErrorNotice message=error.to_string() on_retry=retry /> }.into_any()
        }
        Some(Ok(answer)) if answer.data.is_empty() => {
            view! { <EmptyNotice text="还没有品牌" /> }.into_any()
        }
        Some(Ok(answer)) => {
            let rows = answer
                .data
                .into_iter()
                .map(|b| {
                    let logo = if b.logo.is_empty() {
                        view! { <span class="logo-none" data-testid="brand-logo-none">"无标志"</span> }.into_any()
                    } else {
                        view! { <img class="brand-logo" src=b.logo.clone() alt=format!("{} 的标志", b.name) data-testid="brand-logo" loading="lazy" /> }.into_any()
                    };
                    let changes = {
                        let b = b.clone();
                        move || {
                            console.can("goods.change").then(|| {
                                let edit = b.clone();
                                let for_upload = b.clone();
                                let for_remove = b.clone();
                                let for_hide = b.clone();
                                let hidden = b.is_hidden;
                                let has_logo = !b.logo.is_empty();
                                view! {
                                    <button type="button" class="btn small" on:click=move |_| {
                                        done.set(None);
                                        stale.set(None);
                                        editing.set(Some(Some(edit.clone())));
                                    }>"编辑"</button>
                                    <button type="button" class="btn small" disabled=move || busy.get() on:click=move |_| toggle_hidden(for_hide.clone())>
                                        {if hidden { "显示" } else { "隐藏" }}
                                    </button>
                                    <label class="btn small file-button">
                                        {if has_logo { "更换标志" } else { "上传标志" }}
                                        <input
                                            type="file"
                                            accept="image/jpeg,image/png,image/webp"
                                            data-testid="logo-input"
                                            disabled=move || busy.get()
                                            on:change=move |ev| {
                                                let input: web_sys::HtmlInputElement = event_target(&ev);
                                                if let Some(file) = input.files().and_then(|f| f.get(0)) {
                                                    upload_logo(for_upload.clone(), file);
                                                }
                                                input.set_value("");
                                            }
                                        />
                                    </label>
                                    {has_logo.then(|| view! {
                                        <button type="button" class="btn small" disabled=move || busy.get() on:click=move |_| remove_logo(for_remove.clone())>"删除标志"</button>
                                    })}
                                }
                            })
                        }
                    };
                    let delete = {
                        let b = b.clone();
                        move || {
                            console.can("goods.delete").then(|| {
                                let b = b.clone();
                                view! {
                                    <button type="button" class="btn small danger" disabled=move || busy.get() on:click=move |_| {
                                        done.set(None);
                                        asking.set(Some((
                                            Question {
                                                title: "确认删除品牌".to_owned(),
                                                detail: format!("品牌“{}”将被删除，不能恢复。", b.name),
                                                yes: "删除",
                                                danger: true,
                                            },
                                            b.clone(),
                                        )));
                                    }>"删除"</button>
                                }
                            })
                        }
                    };
                    let state = if b.is_hidden {
                        view! { <span class="badge off" data-testid="brand-state">"已隐藏"</span> }
                    } else {
                        view! { <span class="badge ok" data-testid="brand-state">"显示"</span> }
                    };
                    view! {
                        <tr data-testid="brand-row" data-name=b.name.clone()>
                            <td class="logo-cell">{logo}</td>
                            <td class="nowrap">{b.name.clone()} <span class="sub">{format!("#{}", b.id)}</span></td>
                            <td data-testid="brand-letter">{b.first_letter.clone()}</td>
                            <td class="num" data-testid="brand-order">{b.sort_order}</td>
                            <td>{state}</td>
                            <td class="num">{b.spu_count}</td>
                            <td>
                                <div class="row-actions nowrap">{changes} {delete}</div>
                            </td>
                        </tr>
                    }
                })
                .collect_view();
            view! {
                <div class="table-wrap">
                    <table class="table" data-testid="brands-table">
                        <thead>
                            <tr>
                                <th scope="col">"标志"</th>
                                <th scope="col">"名称"</th>
                                <th scope="col">"首字母"</th>
                                <th scope="col" class="num">"排序"</th>
                                <th scope="col">"状态"</th>
                                <th scope="col" class="num">"SPU 数"</th>
                                <th scope="col">"操作"</th>
                            </tr>
                        </thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            }
            .into_any()
        }
    };

    view! {
        <div class="console-head">
            <h1>"品牌"</h1>
            <div class="head-actions">
                {move || (console.can("goods.add") && editing.with(Option::is_none)).then(|| view! {
                    <button type="button" class="btn primary small" on:click=move |_| {
                        done.set(None);
                        editing.set(Some(None));
                    }>"新建品牌"</button>
                })}
            </div>
        </div>
        {move || done.get().map(|text| view! { <p class="notice success" role="status">{text}</p> })}
        <FormError message=task.error() />
        <FormError message=stale />
        {move || editing.get().map(|brand| view! {
            <BrandForm brand on_saved=saved on_stale on_close=Callback::new(move |()| editing.set(None)) />
        })}
        {table}
        <ConfirmDialog question on_answer />
    }
}

/// 新建品牌, or 编辑品牌 of `brand`: name, first letter, 排序 and 隐藏.
#[component]
fn BrandForm(
    brand: Option<AdminBrand>,
    on_saved: Callback<String>,
    /// Told the server's message when the brand changed since it was read (409 / 60102).
    on_stale: Callback<String>,
    on_close: Callback<()>,
) -> impl IntoView {
    let console = use_console();
    let name = RwSignal::new(brand.as_ref().map(|b| b.name.clone()).unwrap_or_default());
    let letter = RwSignal::new(
        brand
            .as_ref()
            .map(|b| b.first_letter.clone())
            .unwrap_or_default(),
    );
    let order = RwSignal::new(
        brand
            .as_ref()
            .map(|b| b.sort_order.to_string())
            .unwrap_or_default(),
    );
    let hidden = RwSignal::new(brand.as_ref().is_some_and(|b| b.is_hidden));
    let submitted = RwSignal::new(false);
    let name_message =
        Signal::derive(move || name.with(|n| name_error(n, CATALOG_NAME_MAX_CHARS, true)));
    let order_message = Signal::derive(move || order.with(|o| check_order(o).err()));
    let letter_message = Signal::derive(move || {
        (submitted.get() && letter.with(String::is_empty)).then(|| "请选择首字母".to_owned())
    });
    let task = Task::new();
    let busy = task.pending();
    let title = match &brand {
        Some(b) => format!("编辑品牌：{}", b.name),
        None => "新建品牌".to_owned(),
    };
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        submitted.set(true);
        if name_message.get_untracked().is_some()
            || order_message.get_untracked().is_some()
            || letter.with_untracked(String::is_empty)
        {
            return;
        }
        let new_name = name.get_untracked().trim().to_owned();
        let first_letter = letter.get_untracked();
        let sort_order = check_order(&order.get_untracked()).ok().flatten();
        let is_hidden = hidden.get_untracked();
        let editing = brand.clone();
        task.run(async move {
            let staff = console.require()?;
            match editing {
                None => {
                    let body = BrandRequest {
                        name: Some(new_name.clone()),
                        first_letter: Some(first_letter),
                        sort_order,
                        is_hidden: Some(is_hidden),
                        version: None,
                    };
                    console.check(api::admin_catalog::create_brand(&staff, &body).await)?;
                    on_saved.run(format!("品牌“{new_name}”已创建"));
                }
                Some(b) => {
                    let body = BrandRequest {
                        name: (new_name != b.name).then(|| new_name.clone()),
                        first_letter: (first_letter != b.first_letter).then_some(first_letter),
                        sort_order: sort_order.filter(|o| *o != b.sort_order),
                        is_hidden: Some(is_hidden).filter(|h| *h != b.is_hidden),
                        version: Some(b.version),
                    };
                    match console.check(api::admin_catalog::change_brand(&staff, b.id, &body).await)
                    {
                        Err(ApiError::Api {
                            code: codes::ADMIN_STALE,
                            message,
                            ..
                        }) => on_stale.run(message),
                        other => {
                            other?;
                            on_saved.run(format!("品牌“{new_name}”已保存"));
                        }
                    }
                }
            }
            Ok(())
        });
    };
    view! {
        <section class="panel" aria-labelledby="brand-form-title">
            <h2 id="brand-form-title">{title}</h2>
            <form class="grid-form" on:submit=on_submit novalidate aria-label="品牌">
                <TextField id="brand-name" label="名称" value=name error=name_message reveal=submitted maxlength=CATALOG_NAME_MAX_CHARS />
                <SelectField id="brand-letter" label="首字母" value=letter options=letters() error=letter_message />
                <TextField id="brand-order" label="排序（小的在前）" value=order error=order_message reveal=submitted inputmode="numeric" placeholder="0" maxlength=8 />
                <CheckboxField id="brand-hidden" label="隐藏（买家看不到品牌名）" checked=hidden />
                <FormError message=task.error() />
                <div class="filter-actions">
                    <button type="submit" class="btn primary" disabled=move || busy.get()>"保存"</button>
                    <button type="button" class="btn" on:click=move |_| on_close.run(())>"取消"</button>
                </div>
            </form>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::letters;

    #[test]
    fn a_brand_starts_with_a_letter_or_hash() {
        let options = letters();
        assert_eq!(options.len(), 28);
        assert_eq!(options[1].0, "A");
        assert_eq!(options[27].0, "#");
    }
}
