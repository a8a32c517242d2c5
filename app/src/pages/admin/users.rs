//! `/admin/users?...`: the shoppers, searched by name (its beginning), phone or email and by
//! registration date; `/admin/users/<id>`: a shopper's addresses, newest orders, Weibo
//! binding, and 停用账号 / 启用账号 (`users.change`, confirmed first).

use dadashop_types::admin::{AdminPageResponse, AdminUserDetailResponse, AdminUserRow};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};

use super::session::use_console;
use super::widgets::{
    ConfirmDialog, ConsolePager, DateField, Question, check_dates, maybe_when, money, status_class,
    when,
};
use super::{USERS, order_path, user_path};
use crate::api;
use crate::api::admin::ListQuery;
use crate::components::{EmptyNotice, ErrorNotice, FormError, Loading, TextField};
use crate::pages::{is_not_found, set_title};
use crate::state::{Remote, Task};

/// The URL's (and the API's) query keys of the list.
const KEYS: [&str; 4] = ["q", "date_from", "date_to", "page"];

/// An account's state as the console shows it.
fn account_state(user: &AdminUserRow) -> (&'static str, &'static str) {
    if user.is_disabled {
        ("已停用", "badge off")
    } else if user.is_active {
        ("正常", "badge ok")
    } else {
        ("邮箱未激活", "badge warn")
    }
}

/// The search form, the table and the pager.
#[component]
pub fn UserList() -> impl IntoView {
    set_title(Some("用户 · 运营后台"));
    let console = use_console();
    let query_map = use_query_map();
    let navigate = use_navigate();
    let query = Memo::new(move |_| query_map.with(|q| ListQuery::read(&KEYS, |k| q.get(k))));
    let field = |key: &'static str| {
        let signal = RwSignal::new(query.with_untracked(|q| q.get(key).to_owned()));
        Effect::new(move |_| signal.set(query.with(|q| q.get(key).to_owned())));
        signal
    };
    let q = field("q");
    let date_from = field("date_from");
    let date_to = field("date_to");
    let submitted = RwSignal::new(false);
    let q_error = Signal::derive(move || {
        q.with(|q| (q.trim().chars().count() > 64).then(|| "搜索词最多64个字".to_owned()))
    });
    let date_error = Signal::derive(move || check_dates(&date_from.get(), &date_to.get()));

    let users: Remote<AdminPageResponse<AdminUserRow>> = Remote::new();
    let load = move |query: ListQuery| {
        users.load(async move {
            let staff = console.require()?;
            console.check(api::admin::users(&staff, &query).await)
        });
    };
    Effect::new(move |_| load(query.get()));
    let retry = Callback::new(move |()| load(query.get_untracked()));

    let on_submit = {
        let navigate = navigate.clone();
        move |ev: SubmitEvent| {
            ev.prevent_default();
            submitted.set(true);
            if q_error.get_untracked().is_some() || date_error.get_untracked().is_some() {
                return;
            }
            let next = ListQuery::new()
                .with("q", &q.get_untracked())
                .with("date_from", &date_from.get_untracked())
                .with("date_to", &date_to.get_untracked());
            if next == query.get_untracked() {
                load(next);
            } else {
                navigate(&next.href(USERS), Default::default());
            }
        }
    };
    let on_reset = move |_| {
        submitted.set(false);
        navigate(USERS, Default::default());
    };

    let table = move || match users.get() {
        None => view! { <Loading text="正在加载用户…" /> }.into_any(),
        Some(Err(error)) => {
            view! { <ErrorNotice message=error.to_string() on_retry=retry /> }.into_any()
        }
        Some(Ok(answer)) => {
            let page = answer.data;
            let q = query.get_untracked();
            let pager = view! {
                <ConsolePager
                    total=page.total
                    capped=page.total_capped
                    page=page.page
                    page_size=page.page_size
                    rows=page.items.len()
                    href=Callback::new(move |n: u64| q.clone().on_page(n).href(USERS))
                />
            };
            if page.items.is_empty() {
                return view! {
                    <EmptyNotice text="没有符合条件的用户" />
                    {pager}
                }
                .into_any();
            }
            let rows = page
                .items
                .into_iter()
                .map(|u| {
                    let (state, class) = account_state(&u);
                    view! {
                        <tr data-testid="user-row">
                            <td><a href=user_path(u.id)>{u.username.clone()}</a></td>
                            <td>{u.phone.clone()}</td>
                            <td class="wrap">{u.email.clone()}</td>
                            <td class="nowrap">{when(u.created_at)}</td>
                            <td class="nowrap">{maybe_when(u.last_login_at)}</td>
                            <td class="num">{u.order_count}</td>
                            <td><span class=class>{state}</span></td>
                        </tr>
                    }
                })
                .collect_view();
            view! {
                <div class="table-wrap">
                    <table class="table" data-testid="users-table">
                        <thead>
                            <tr>
                                <th scope="col">"用户名"</th>
                                <th scope="col">"手机"</th>
                                <th scope="col">"邮箱"</th>
                                <th scope="col">"注册时间"</th>
                                <th scope="col">"最后登录"</th>
                                <th scope="col" class="num">"订单数"</th>
                                <th scope="col">"状态"</th>
                            </tr>
                        </thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
                {pager}
            }
            .into_any()
        }
    };

    view! {
        <div class="console-head">
            <h1>"用户"</h1>
        </div>
        <form class="filters" on:submit=on_submit novalidate aria-label="搜索用户">
            <div class="filter-wide">
                <TextField
                    id="f-q"
                    label="搜索"
                    value=q
                    error=q_error
                    reveal=submitted
                    placeholder="用户名开头、手机号或邮箱"
                    maxlength=64
                />
            </div>
            <DateField id="f-date-from" label="注册开始日期" value=date_from />
            <DateField
                id="f-date-to"
                label="注册结束日期"
                value=date_to
                error=Signal::derive(move || if submitted.get() { date_error.get() } else { None })
            />
            <div class="filter-actions">
                <button type="submit" class="btn primary">"查询"</button>
                <button type="button" class="btn" on:click=on_reset>"重置"</button>
            </div>
        </form>
        {table}
    }
}

/// A shopper: the account, addresses, newest orders, Weibo binding, and 停用 / 启用.
#[component]
pub fn UserDetail(id: i64) -> impl IntoView {
    set_title(Some("用户详情 · 运营后台"));
    let console = use_console();
    let detail: Remote<AdminUserDetailResponse> = Remote::new();
    let load = move || {
        detail.load(async move {
            let staff = console.require()?;
            console.check(api::admin::user(&staff, id).await)
        });
    };
    load();
    let retry = Callback::new(move |()| load());

    let task = Task::new();
    let busy = task.pending();
    let done = RwSignal::new(None::<&'static str>);
    let asking = RwSignal::new(None::<(Question, bool)>);
    let question = Signal::derive(move || asking.with(|a| a.as_ref().map(|(q, _)| q.clone())));
    let on_answer = Callback::new(move |yes: bool| {
        let Some((_, disable)) = asking.get_untracked() else {
            return;
        };
        asking.set(None);
        if !yes {
            return;
        }
        task.run(async move {
            let staff = console.require()?;
            let answer = console.check(api::admin::set_user_disabled(&staff, id, disable).await)?;
            detail.set(Ok(answer));
            done.set(Some(if disable {
                "账号已停用"
            } else {
                "账号已启用"
            }));
            Ok(())
        });
    });

    let body = move || match detail.get() {
        None => view! { <Loading text="正在加载用户…" /> }.into_any(),
        Some(Err(error)) if is_not_found(&error) => view! {
            <div class="status empty">"用户不存在。" <a href=USERS>"返回用户列表"</a></div>
        }
        .into_any(),
        Some(Err(error)) => {
            view! { <ErrorNotice message=error.to_string() on_retry=retry /> }.into_any()
        }
        Some(Ok(answer)) => {
            let d = answer.data;
            let u = d.user.clone();
            let (state, class) = account_state(&u);
            let toggle = console.can("users.change").then(|| {
                let disable = !u.is_disabled;
                let name = u.username.clone();
                let (label, detail_text) = if disable {
                    (
                        "停用账号",
                        format!("停用后 {name} 立即退出所有设备，且不能再登录，直到再次启用。"),
                    )
                } else {
                    ("启用账号", format!("启用后 {name} 可以再次登录。"))
                };
                view! {
                    <button
                        type="button"
                        class=if disable { "btn danger" } else { "btn primary" }
                        disabled=move || busy.get()
                        on:click=move |_| {
                            done.set(None);
                            asking.set(Some((
                                Question {
                                    title: format!("确认{label}"),
                                    detail: detail_text.clone(),
                                    yes: label,
                                    danger: disable,
                                },
                                disable,
                            )));
                        }
                    >
                        {label}
                    </button>
                }
            });
            let addresses = if d.addresses.is_empty() {
                view! { <p class="muted">"没有收货地址"</p> }.into_any()
            } else {
                d.addresses
                    .iter()
                    .map(|a| {
                        view! {
                            <li>
                                <strong>{a.receiver.clone()}</strong>
                                " " {a.receiver_mobile.clone()}
                                {(!a.tag.is_empty()).then(|| view! { <span class="tag">{a.tag.clone()}</span> })}
                                {a.is_default.then(|| view! { <span class="tag default">"默认"</span> })}
                                <span class="sub">{a.address.clone()}</span>
                            </li>
                        }
                    })
                    .collect_view()
                    .into_any()
            };
            let orders = if d.orders.is_empty() {
                view! { <p class="muted">"还没有订单"</p> }.into_any()
            } else {
                let rows = d
                    .orders
                    .iter()
                    .map(|o| {
                        view! {
                            <tr>
                                <td class="mono"><a href=order_path(&o.order_id)>{o.order_id.clone()}</a></td>
                                <td class="num">{money(&o.total_amount)}</td>
                                <td><span class=status_class(o.status)>{o.status_name.clone()}</span></td>
                                <td class="nowrap">{when(o.created_at)}</td>
                            </tr>
                        }
                    })
                    .collect_view();
                view! {
                    <div class="table-wrap">
                        <table class="table compact">
                            <thead>
                                <tr>
                                    <th scope="col">"订单号"</th>
                                    <th scope="col" class="num">"金额"</th>
                                    <th scope="col">"状态"</th>
                                    <th scope="col">"下单时间"</th>
                                </tr>
                            </thead>
                            <tbody>{rows}</tbody>
                        </table>
                    </div>
                }
                .into_any()
            };
            view! {
                <div class="console-head">
                    <h1>{u.username.clone()}</h1>
                    <span class=class data-testid="account-state">{state}</span>
                    <div class="head-actions">{toggle}</div>
                </div>
                <div class="detail-grid">
                    <div class="detail-main">
                        <section class="panel" aria-labelledby="orders-title">
                            <h2 id="orders-title">{format!("最近订单（共 {} 单）", u.order_count)}</h2>
                            {orders}
                        </section>
                        <section class="panel" aria-labelledby="addresses-title">
                            <h2 id="addresses-title">"收货地址"</h2>
                            <ul class="plain-list">{addresses}</ul>
                        </section>
                    </div>
                    <aside class="detail-side">
                        <section class="panel" aria-labelledby="account-title">
                            <h2 id="account-title">"账号"</h2>
                            <dl class="facts">
                                <dt>"用户 ID"</dt>
                                <dd>{u.id}</dd>
                                <dt>"手机"</dt>
                                <dd>{u.phone.clone()}</dd>
                                <dt>"邮箱"</dt>
                                <dd class="wrap">{u.email.clone()}</dd>
                                <dt>"注册时间"</dt>
                                <dd>{when(u.created_at)}</dd>
                                <dt>"最后登录"</dt>
                                <dd>{maybe_when(u.last_login_at)}</dd>
                                <dt>"微博"</dt>
                                <dd data-testid="weibo">
                                    {d.weibo_uid.clone().map_or_else(
                                        || "未绑定".to_owned(),
                                        |uid| format!("已绑定（uid {uid}）"),
                                    )}
                                </dd>
                            </dl>
                        </section>
                    </aside>
                </div>
            }
            .into_any()
        }
    };

    view! {
        <p class="console-back">
            <a href=USERS>"← 用户列表"</a>
        </p>
        {move || done.get().map(|text| view! { <p class="notice success" role="status">{text}</p> })}
        <FormError message=task.error() />
        {body}
        <ConfirmDialog question on_answer />
    }
}
