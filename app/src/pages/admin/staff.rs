//! `/admin/staff`: the staff accounts (`staff.view`); 新建员工 (`staff.add`); a new role, 停用
//! or 启用 (`staff.change`, confirmed first: either signs the account out at once).

use dadashop_types::admin::{
    AdminPageResponse, NewStaffRequest, ROLES, StaffChangeRequest, StaffRow,
};
use dadashop_types::rules;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::STAFF;
use super::session::use_console;
use super::widgets::{ConfirmDialog, ConsolePager, Question, SelectField, maybe_when, when};
use crate::api;
use crate::api::admin::ListQuery;
use crate::components::{ErrorNotice, FormError, Loading, TextField};
use crate::pages::{message, set_title};
use crate::state::{Remote, Task};

/// The role choices: key and label.
fn role_options() -> Vec<(String, String)> {
    ROLES
        .iter()
        .map(|r| (r.key.to_owned(), r.label.to_owned()))
        .collect()
}

/// A change to an account.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Change {
    id: i64,
    body: StaffChangeRequest,
}

/// The list, the new-account form and the changes.
#[component]
pub fn StaffList() -> impl IntoView {
    set_title(Some("员工 · 运营后台"));
    let console = use_console();
    let query_map = use_query_map();
    let query = Memo::new(move |_| query_map.with(|q| ListQuery::read(&["page"], |k| q.get(k))));
    let staff: Remote<AdminPageResponse<StaffRow>> = Remote::new();
    let load = move |query: ListQuery| {
        staff.load(async move {
            let me = console.require()?;
            console.check(api::admin::staff(&me, &query).await)
        });
    };
    Effect::new(move |_| load(query.get()));
    let reload = move || load(query.get_untracked());
    let retry = Callback::new(move |()| reload());

    let task = Task::new();
    let busy = task.pending();
    let done = RwSignal::new(None::<String>);
    let asking = RwSignal::new(None::<(Question, Change)>);
    let question = Signal::derive(move || asking.with(|a| a.as_ref().map(|(q, _)| q.clone())));
    let ask = Callback::new(move |pair: (Question, Change)| {
        done.set(None);
        asking.set(Some(pair));
    });
    let on_answer = Callback::new(move |yes: bool| {
        let Some((q, change)) = asking.get_untracked() else {
            return;
        };
        asking.set(None);
        if !yes {
            return;
        }
        task.run(async move {
            let me = console.require()?;
            console.check(api::admin::change_staff(&me, change.id, &change.body).await)?;
            done.set(Some(format!(
                "{}：已完成",
                q.title.trim_start_matches("确认")
            )));
            reload();
            Ok(())
        });
    });

    let adding = RwSignal::new(false);
    let created = Callback::new(move |name: String| {
        adding.set(false);
        done.set(Some(format!("员工 {name} 已创建")));
        reload();
    });

    let table = move || match staff.get() {
        None => view! { <Loading text="正在加载员工…" /> }.into_any(),
        Some(Err(error)) => {
            view! { <ErrorNotice message=error.to_string() on_retry=retry /> }.into_any()
        }
        Some(Ok(answer)) => {
            let page = answer.data;
            let me = console.session().map(|s| s.username).unwrap_or_default();
            let q = query.get_untracked();
            let pager = view! {
                <ConsolePager
                    total=page.total
                    capped=page.total_capped
                    page=page.page
                    page_size=page.page_size
                    rows=page.items.len()
                    href=Callback::new(move |n: u64| q.clone().on_page(n).href(STAFF))
                />
            };
            let rows = page
                .items
                .into_iter()
                .map(|row| {
                    let is_me = row.username == me;
                    view! { <StaffLine row is_me busy ask /> }
                })
                .collect_view();
            view! {
                <div class="table-wrap">
                    <table class="table" data-testid="staff-table">
                        <thead>
                            <tr>
                                <th scope="col">"用户名"</th>
                                <th scope="col">"角色"</th>
                                <th scope="col">"状态"</th>
                                <th scope="col">"最后登录"</th>
                                <th scope="col">"创建时间"</th>
                                {move || console.can("staff.change").then(|| view! { <th scope="col">"操作"</th> })}
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
            <h1>"员工"</h1>
            <div class="head-actions">
                {move || {
                    (console.can("staff.add") && !adding.get())
                        .then(|| {
                            view! {
                                <button type="button" class="btn primary small" on:click=move |_| adding.set(true)>
                                    "新建员工"
                                </button>
                            }
                        })
                }}
            </div>
        </div>
        {move || done.get().map(|text| view! { <p class="notice success" role="status">{text}</p> })}
        <FormError message=task.error() />
        {move || {
            (console.can("staff.add") && adding.get())
                .then(|| view! { <NewStaff on_created=created on_close=Callback::new(move |()| adding.set(false)) /> })
        }}
        {table}
        <ConfirmDialog question on_answer />
    }
}

/// A row: the account and, with `staff.change`, its role choice and 停用 / 启用 (not for the
/// operator's own account: they would sign themselves out).
#[component]
fn StaffLine(
    row: StaffRow,
    is_me: bool,
    busy: ReadSignal<bool>,
    ask: Callback<(Question, Change)>,
) -> impl IntoView {
    let console = use_console();
    let role = RwSignal::new(row.role.clone());
    let id = row.id;
    let name = row.username.clone();
    let active = row.is_active;
    let current_role = row.role.clone();
    let change_role = {
        let name = name.clone();
        move |_| {
            let key = role.get_untracked();
            let label = dadashop_types::admin::role(&key).map_or(key.as_str(), |r| r.label);
            ask.run((
                Question {
                    title: "确认修改角色".to_owned(),
                    detail: format!("{name} 的角色将改为「{label}」，该账号会立即退出登录。"),
                    yes: "确认修改",
                    danger: false,
                },
                Change {
                    id,
                    body: StaffChangeRequest {
                        role: Some(key.clone()),
                        is_active: None,
                    },
                },
            ));
        }
    };
    let toggle = {
        let name = name.clone();
        move |_| {
            let (title, detail) = if active {
                (
                    "确认停用",
                    format!("停用后 {name} 立即退出登录，且不能再登录后台。"),
                )
            } else {
                ("确认启用", format!("启用后 {name} 可以再次登录后台。"))
            };
            ask.run((
                Question {
                    title: title.to_owned(),
                    detail,
                    yes: if active { "停用" } else { "启用" },
                    danger: active,
                },
                Change {
                    id,
                    body: StaffChangeRequest {
                        role: None,
                        is_active: Some(!active),
                    },
                },
            ));
        }
    };
    let select_id = format!("role-{id}");
    let controls = move || {
        (console.can("staff.change") && !is_me).then(|| {
            let change_role = change_role.clone();
            let toggle = toggle.clone();
            let current_role = current_role.clone();
            let options = role_options()
                .into_iter()
                .map(|(key, label)| {
                    let selected = key == current_role;
                    view! { <option value=key selected=selected>{label}</option> }
                })
                .collect_view();
            view! {
                <div class="row-actions">
                    <select id=select_id.clone() aria-label=format!("{name} 的角色") on:change=move |ev| role.set(event_target_value(&ev))>
                        {options}
                    </select>
                    <button
                        type="button"
                        class="btn small"
                        disabled=move || busy.get() || role.with(|r| *r == current_role)
                        on:click=change_role
                    >
                        "修改角色"
                    </button>
                    <button
                        type="button"
                        class=if active { "btn small danger" } else { "btn small" }
                        disabled=move || busy.get()
                        on:click=toggle
                    >
                        {if active { "停用" } else { "启用" }}
                    </button>
                </div>
            }
        })
    };
    let may_change = move || console.can("staff.change");
    view! {
        <tr data-testid="staff-row">
            <td>
                {row.username.clone()}
                {is_me.then(|| view! { <span class="tag">"我"</span> })}
            </td>
            <td>{row.role_label.clone()}</td>
            <td>
                {if row.is_active {
                    view! { <span class="badge ok">"启用"</span> }
                } else {
                    view! { <span class="badge off">"停用"</span> }
                }}
            </td>
            <td class="nowrap">{maybe_when(row.last_login_at)}</td>
            <td class="nowrap">{when(row.created_at)}</td>
            {move || may_change().then(|| view! { <td>{controls.clone()}</td> })}
        </tr>
    }
}

/// 新建员工: 用户名, 密码 twice and 角色.
#[component]
fn NewStaff(on_created: Callback<String>, on_close: Callback<()>) -> impl IntoView {
    let console = use_console();
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let password2 = RwSignal::new(String::new());
    let role = RwSignal::new(String::new());
    let submitted = RwSignal::new(false);
    let username_error =
        Signal::derive(move || username.with(|n| message(rules::check_username(n.trim()))));
    let password_error =
        Signal::derive(move || password.with(|p| message(rules::check_password(p))));
    let password2_error = Signal::derive(move || {
        (password.get() != password2.get()).then(|| "两次输入的密码不一致".to_owned())
    });
    let role_error = Signal::derive(move || {
        (submitted.get() && role.with(String::is_empty)).then(|| "请选择角色".to_owned())
    });
    let task = Task::new();
    let pending = task.pending();
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        submitted.set(true);
        if pending.get_untracked()
            || username_error.get_untracked().is_some()
            || password_error.get_untracked().is_some()
            || password2_error.get_untracked().is_some()
            || role.with_untracked(String::is_empty)
        {
            return;
        }
        let name = username.get_untracked().trim().to_owned();
        let body = NewStaffRequest {
            username: Some(name.clone()),
            password: Some(password.get_untracked()),
            role: Some(role.get_untracked()),
        };
        task.run(async move {
            let me = console.require()?;
            console.check(api::admin::create_staff(&me, &body).await)?;
            on_created.run(name.to_ascii_lowercase());
            Ok(())
        });
    };
    let mut roles = vec![(String::new(), "请选择角色".to_owned())];
    roles.extend(role_options());
    view! {
        <section class="panel" aria-labelledby="new-staff-title">
            <h2 id="new-staff-title">"新建员工"</h2>
            <form class="grid-form" on:submit=on_submit novalidate>
                <TextField
                    id="staff-username"
                    label="用户名"
                    value=username
                    error=username_error
                    reveal=submitted
                    maxlength=11
                    autocomplete="off"
                />
                <SelectField id="staff-role" label="角色" value=role options=roles error=role_error />
                <TextField
                    id="staff-password"
                    label="密码"
                    input_type="password"
                    value=password
                    error=password_error
                    reveal=submitted
                    maxlength=rules::PASSWORD_MAX_CHARS
                    autocomplete="new-password"
                />
                <TextField
                    id="staff-password2"
                    label="确认密码"
                    input_type="password"
                    value=password2
                    error=password2_error
                    reveal=submitted
                    maxlength=rules::PASSWORD_MAX_CHARS
                    autocomplete="new-password"
                />
                <FormError message=task.error() />
                <div class="filter-actions">
                    <button type="submit" class="btn primary" disabled=move || pending.get()>"创建"</button>
                    <button type="button" class="btn" on:click=move |_| on_close.run(())>"取消"</button>
                </div>
            </form>
        </section>
    }
}
