//! `/admin/catalogs`: 分类 (`goods.view`), in the shop's order (`sort_order`, lowest first),
//! hidden ones too. 新建分类 (`goods.add`); 编辑 renames, reorders or hides one and 隐藏 /
//! 显示 does the last at once (`goods.change`, with the `version` read); 删除 (`goods.delete`,
//! confirmed first) is refused by the server while SPUs are in the catalog (409 / 60106), and
//! its message, which says how many, is shown as it is.

use dadashop_types::admin::{AdminCatalog, CATALOG_NAME_MAX_CHARS, CatalogRequest};
use dadashop_types::codes;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use super::goods::name_error;
use super::session::use_console;
use super::widgets::{ConfirmDialog, Question};
use crate::api::{self, ApiError};
use crate::components::{CheckboxField, EmptyNotice, ErrorNotice, FormError, Loading, TextField};
use crate::pages::set_title;
use crate::state::{Remote, Task};

/// A sort position typed in a field: empty is none; else a whole number within ±1,000,000
/// (the server's range).
pub fn check_order(text: &str) -> Result<Option<i64>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    match text.parse::<i64>() {
        Ok(n) if n.abs() <= 1_000_000 => Ok(Some(n)),
        _ => Err("排序须为 -1000000 到 1000000 的整数".to_owned()),
    }
}

/// A write of the page: what to send and what to say once done.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Write {
    Change(i64, CatalogRequest, String),
    Delete(i64, String),
}

/// The list, the form (new or editing one) and the changes.
#[component]
pub fn CatalogList() -> impl IntoView {
    set_title(Some("分类 · 运营后台"));
    let console = use_console();
    let list: Remote<dadashop_types::admin::AdminCatalogsResponse> = Remote::new();
    let load = move || {
        list.load(async move {
            let staff = console.require()?;
            console.check(api::admin_catalog::catalogs(&staff).await)
        });
    };
    load();
    let retry = Callback::new(move |()| load());

    let task = Task::new();
    let busy = task.pending();
    let done = RwSignal::new(None::<String>);
    // The form: `None` closed, `Some(None)` a new catalog, `Some(Some(c))` editing `c`.
    let editing = RwSignal::new(None::<Option<AdminCatalog>>);
    let write = move |w: Write| {
        task.run(async move {
            let staff = console.require()?;
            let (result, said) = match w {
                Write::Change(id, body, said) => (
                    api::admin_catalog::change_catalog(&staff, id, &body).await,
                    said,
                ),
                Write::Delete(id, said) => {
                    (api::admin_catalog::delete_catalog(&staff, id).await, said)
                }
            };
            match console.check(result) {
                Ok(()) => {
                    done.set(Some(said));
                    load();
                    Ok(())
                }
                Err(
                    error @ ApiError::Api {
                        code: codes::ADMIN_STALE,
                        ..
                    },
                ) => {
                    load();
                    Err(error)
                }
                Err(error) => Err(error),
            }
        });
    };
    let asking = RwSignal::new(None::<(Question, Write)>);
    let question = Signal::derive(move || asking.with(|a| a.as_ref().map(|(q, _)| q.clone())));
    let on_answer = Callback::new(move |yes: bool| {
        let Some((_, w)) = asking.get_untracked() else {
            return;
        };
        asking.set(None);
        if yes {
            write(w);
        }
    });
    let saved = Callback::new(move |said: String| {
        editing.set(None);
        done.set(Some(said));
        load();
    });
    // Someone changed the catalog since the form was opened: the list as it is now, and the
    // server's message; 编辑 again starts from the values now.
    let stale = RwSignal::new(None::<String>);
    let on_stale = Callback::new(move |message: String| {
        editing.set(None);
        stale.set(Some(format!("{message}：已显示最新的分类，请重新编辑")));
        load();
    });

    let table = move || match list.get() {
        None => view! { <Loading text="正在加载分类…" /> }.into_any(),
        Some(Err(error)) => {
            view! { <ErrorNotice message=error.to_string() on_retry=retry /> }.into_any()
        }
        Some(Ok(answer)) if answer.data.is_empty() => {
            view! { <EmptyNotice text="还没有分类" /> }.into_any()
        }
        Some(Ok(answer)) => {
            let rows = answer
                .data
                .into_iter()
                .map(|c| {
                    let edit = c.clone();
                    let hide = {
                        let c = c.clone();
                        move |_| {
                            done.set(None);
                            let body = CatalogRequest {
                                is_hidden: Some(!c.is_hidden),
                                version: Some(c.version),
                                ..CatalogRequest::default()
                            };
                            let said = if c.is_hidden {
                                format!("分类“{}”已显示", c.name)
                            } else {
                                format!("分类“{}”已隐藏", c.name)
                            };
                            write(Write::Change(c.id, body, said));
                        }
                    };
                    let remove = {
                        let c = c.clone();
                        move |_| {
                            done.set(None);
                            asking.set(Some((
                                Question {
                                    title: "确认删除分类".to_owned(),
                                    detail: format!("分类“{}”将被删除，不能恢复。", c.name),
                                    yes: "删除",
                                    danger: true,
                                },
                                Write::Delete(c.id, format!("分类“{}”已删除", c.name)),
                            )));
                        }
                    };
                    let hidden = c.is_hidden;
                    view! {
                        <tr data-testid="catalog-row" data-name=c.name.clone()>
                            <td class="nowrap">{c.name.clone()} <span class="sub">{format!("#{}", c.id)}</span></td>
                            <td class="num" data-testid="catalog-order">{c.sort_order}</td>
                            <td>
                                {if hidden {
                                    view! { <span class="badge off" data-testid="catalog-state">"已隐藏"</span> }
                                } else {
                                    view! { <span class="badge ok" data-testid="catalog-state">"显示"</span> }
                                }}
                            </td>
                            <td class="num">{c.spu_count}</td>
                            <td>
                                <div class="row-actions nowrap">
                                    {move || console.can("goods.change").then(|| {
                                        let edit = edit.clone();
                                        let hide = hide.clone();
                                        view! {
                                            <button type="button" class="btn small" on:click=move |_| {
                                                done.set(None);
                                                stale.set(None);
                                                editing.set(Some(Some(edit.clone())));
                                            }>"编辑"</button>
                                            <button type="button" class="btn small" disabled=move || busy.get() on:click=hide>
                                                {if hidden { "显示" } else { "隐藏" }}
                                            </button>
                                        }
                                    })}
                                    {move || console.can("goods.delete").then(|| {
                                        let remove = remove.clone();
                                        view! {
                                            <button type="button" class="btn small danger" disabled=move || busy.get() on:click=remove>"删除"</button>
                                        }
                                    })}
                                </div>
                            </td>
                        </tr>
                    }
                })
                .collect_view();
            view! {
                <div class="table-wrap">
                    <table class="table" data-testid="catalogs-table">
                        <thead>
                            <tr>
                                <th scope="col">"名称"</th>
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
            <h1>"分类"</h1>
            <div class="head-actions">
                {move || (console.can("goods.add") && editing.with(Option::is_none)).then(|| view! {
                    <button type="button" class="btn primary small" on:click=move |_| {
                        done.set(None);
                        editing.set(Some(None));
                    }>"新建分类"</button>
                })}
            </div>
        </div>
        <p class="console-sub">"排序数字小的排在前面（商城导航与首页的顺序）；隐藏的分类买家看不到。"</p>
        {move || done.get().map(|text| view! { <p class="notice success" role="status">{text}</p> })}
        <FormError message=task.error() />
        <FormError message=stale />
        {move || editing.get().map(|catalog| view! {
            <CatalogForm catalog on_saved=saved on_stale on_close=Callback::new(move |()| editing.set(None)) />
        })}
        {table}
        <ConfirmDialog question on_answer />
    }
}

/// 新建分类, or 编辑分类 of `catalog`: name, 排序 and 隐藏.
#[component]
fn CatalogForm(
    catalog: Option<AdminCatalog>,
    on_saved: Callback<String>,
    /// Told the server's message when the catalog changed since it was read (409 / 60102).
    on_stale: Callback<String>,
    on_close: Callback<()>,
) -> impl IntoView {
    let console = use_console();
    let name = RwSignal::new(catalog.as_ref().map(|c| c.name.clone()).unwrap_or_default());
    let order = RwSignal::new(
        catalog
            .as_ref()
            .map(|c| c.sort_order.to_string())
            .unwrap_or_default(),
    );
    let hidden = RwSignal::new(catalog.as_ref().is_some_and(|c| c.is_hidden));
    let submitted = RwSignal::new(false);
    let name_message =
        Signal::derive(move || name.with(|n| name_error(n, CATALOG_NAME_MAX_CHARS, true)));
    let order_message = Signal::derive(move || order.with(|o| check_order(o).err()));
    let task = Task::new();
    let busy = task.pending();
    let editing = catalog.clone();
    let title = match &catalog {
        Some(c) => format!("编辑分类：{}", c.name),
        None => "新建分类".to_owned(),
    };
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        submitted.set(true);
        if name_message.get_untracked().is_some() || order_message.get_untracked().is_some() {
            return;
        }
        let new_name = name.get_untracked().trim().to_owned();
        let sort_order = check_order(&order.get_untracked()).ok().flatten();
        let editing = editing.clone();
        task.run(async move {
            let staff = console.require()?;
            match editing {
                None => {
                    let body = CatalogRequest {
                        name: Some(new_name.clone()),
                        sort_order,
                        is_hidden: Some(hidden.get_untracked()),
                        version: None,
                    };
                    console.check(api::admin_catalog::create_catalog(&staff, &body).await)?;
                    on_saved.run(format!("分类“{new_name}”已创建"));
                }
                Some(c) => {
                    let body = CatalogRequest {
                        name: (new_name != c.name).then(|| new_name.clone()),
                        sort_order: sort_order.filter(|o| *o != c.sort_order),
                        is_hidden: Some(hidden.get_untracked()).filter(|h| *h != c.is_hidden),
                        version: Some(c.version),
                    };
                    match console
                        .check(api::admin_catalog::change_catalog(&staff, c.id, &body).await)
                    {
                        Err(ApiError::Api {
                            code: codes::ADMIN_STALE,
                            message,
                            ..
                        }) => on_stale.run(message),
                        other => {
                            other?;
                            on_saved.run(format!("分类“{new_name}”已保存"));
                        }
                    }
                }
            }
            Ok(())
        });
    };
    view! {
        <section class="panel" aria-labelledby="catalog-form-title">
            <h2 id="catalog-form-title">{title}</h2>
            <form class="grid-form" on:submit=on_submit novalidate aria-label="分类">
                <TextField id="catalog-name" label="名称" value=name error=name_message reveal=submitted maxlength=CATALOG_NAME_MAX_CHARS />
                <TextField id="catalog-order" label="排序（小的在前）" value=order error=order_message reveal=submitted inputmode="numeric" placeholder="0" maxlength=8 />
                <CheckboxField id="catalog-hidden" label="隐藏（买家看不到）" checked=hidden />
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
    use super::check_order;

    #[test]
    fn sort_positions_are_whole_numbers_in_the_servers_range() {
        assert_eq!(check_order(""), Ok(None));
        assert_eq!(check_order(" -5 "), Ok(Some(-5)));
        assert!(check_order("1.5").is_err());
        assert!(check_order("1000001").is_err());
    }
}
