//! `/admin/audit?...`: the audit log (`audit.view`), newest first, filtered by operator,
//! resource and date; each change shows its values before and after, field by field.

use dadashop_types::admin::{AdminPageResponse, AuditRow};
use dadashop_types::orders::status_name;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use serde_json::Value;

use super::session::use_console;
use super::widgets::{ConsolePager, DateField, SelectField, check_dates, when};
use super::{AUDIT, order_path, user_path};
use crate::api;
use crate::api::admin::ListQuery;
use crate::components::{EmptyNotice, ErrorNotice, Loading, TextField};
use crate::pages::set_title;
use crate::state::Remote;

/// The URL's (and the API's) query keys of the log.
const KEYS: [&str; 5] = ["staff", "resource", "date_from", "date_to", "page"];

/// The resources of the 资源 choice.
const RESOURCES: [(&str, &str); 4] = [
    ("orders", "订单"),
    ("refunds", "退款"),
    ("users", "用户"),
    ("staff", "员工"),
];

fn resource_label(resource: &str) -> &str {
    RESOURCES
        .iter()
        .find(|(k, _)| *k == resource)
        .map_or(resource, |(_, label)| label)
}

fn action_label(action: &str) -> &str {
    match action {
        "ship" => "发货",
        "cancel" => "取消",
        "refund" => "退款完成",
        "request" => "发起退款",
        "disable" => "停用",
        "enable" => "启用",
        "create" => "新建",
        "change" => "修改",
        other => other,
    }
}

fn field_label(key: &str) -> &str {
    match key {
        "status" => "状态",
        "version" => "版本",
        "reason" => "原因",
        "carrier" => "快递公司",
        "tracking_no" => "运单号",
        "restocked" => "退回库存",
        "out_request_no" => "退款单号",
        "refund_amount" => "退款金额",
        "refunded_at" => "退款时间",
        "is_disabled" => "已停用",
        "is_active" => "启用",
        "role" => "角色",
        "username" => "用户名",
        other => other,
    }
}

/// A value as read by a person: order statuses by name, roles by label, times in China time,
/// yes and no, and anything else as compact JSON.
fn readable(key: &str, value: &Value) -> String {
    match (key, value) {
        ("status", Value::Number(n)) => n
            .as_i64()
            .map_or_else(|| n.to_string(), |s| status_name(s).to_owned()),
        ("role", Value::String(r)) => {
            dadashop_types::admin::role(r).map_or_else(|| r.clone(), |role| role.label.to_owned())
        }
        ("refunded_at", Value::Number(n)) => n.as_i64().map_or_else(|| n.to_string(), when),
        // Recorded in fen.
        ("refund_amount", Value::Number(n)) => n
            .as_i64()
            .map_or_else(|| n.to_string(), crate::format::yuan),
        (_, Value::Bool(b)) => if *b { "是" } else { "否" }.to_owned(),
        (_, Value::String(s)) if s.is_empty() => "—".to_owned(),
        (_, Value::String(s)) => s.clone(),
        (_, Value::Null) => "—".to_owned(),
        (_, other) => other.to_string(),
    }
}

/// The fields of a change: `(field, before, after)`, the fields of `before` first (by name),
/// then those only `after` has, a field missing on one side shown as `—`. Text that is not a JSON
/// object is shown as it is, under the field `值`.
fn changes(before: &str, after: &str) -> Vec<(String, String, String)> {
    let object = |text: &str| match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(text.to_owned()),
    };
    match (object(before), object(after)) {
        (Ok(b), Ok(a)) => {
            let mut keys: Vec<&String> = b.keys().collect();
            keys.extend(a.keys().filter(|k| !b.contains_key(*k)));
            keys.into_iter()
                .map(|k| {
                    let side = |m: &serde_json::Map<String, Value>| {
                        m.get(k).map_or_else(|| "—".to_owned(), |v| readable(k, v))
                    };
                    (field_label(k).to_owned(), side(&b), side(&a))
                })
                .collect()
        }
        (b, a) => {
            let text = |side: Result<serde_json::Map<String, Value>, String>| match side {
                Ok(map) => Value::Object(map).to_string(),
                Err(text) if text.is_empty() => "—".to_owned(),
                Err(text) => text,
            };
            vec![("值".to_owned(), text(b), text(a))]
        }
    }
}

/// Where a record's id leads in the console.
fn record_link(resource: &str, id: &str) -> Option<String> {
    match resource {
        "orders" | "refunds" => Some(order_path(id)),
        "users" => id.parse::<i64>().ok().map(user_path),
        _ => None,
    }
}

/// The filters, the log and the pager.
#[component]
pub fn AuditLog() -> impl IntoView {
    set_title(Some("操作日志 · 运营后台"));
    let console = use_console();
    let query_map = use_query_map();
    let navigate = use_navigate();
    let query = Memo::new(move |_| query_map.with(|q| ListQuery::read(&KEYS, |k| q.get(k))));
    let field = |key: &'static str| {
        let signal = RwSignal::new(query.with_untracked(|q| q.get(key).to_owned()));
        Effect::new(move |_| signal.set(query.with(|q| q.get(key).to_owned())));
        signal
    };
    let staff = field("staff");
    let resource = field("resource");
    let date_from = field("date_from");
    let date_to = field("date_to");
    let submitted = RwSignal::new(false);
    let date_error = Signal::derive(move || check_dates(&date_from.get(), &date_to.get()));

    let log: Remote<AdminPageResponse<AuditRow>> = Remote::new();
    let load = move |query: ListQuery| {
        log.load(async move {
            let me = console.require()?;
            console.check(api::admin::audit(&me, &query).await)
        });
    };
    Effect::new(move |_| load(query.get()));
    let retry = Callback::new(move |()| load(query.get_untracked()));

    let on_submit = {
        let navigate = navigate.clone();
        move |ev: SubmitEvent| {
            ev.prevent_default();
            submitted.set(true);
            if date_error.get_untracked().is_some() {
                return;
            }
            let next = ListQuery::new()
                .with("staff", &staff.get_untracked())
                .with("resource", &resource.get_untracked())
                .with("date_from", &date_from.get_untracked())
                .with("date_to", &date_to.get_untracked());
            if next == query.get_untracked() {
                load(next);
            } else {
                navigate(&next.href(AUDIT), Default::default());
            }
        }
    };
    let on_reset = move |_| {
        submitted.set(false);
        navigate(AUDIT, Default::default());
    };
    let resources: Vec<(String, String)> = std::iter::once((String::new(), "全部".to_owned()))
        .chain(
            RESOURCES
                .iter()
                .map(|(k, label)| ((*k).to_owned(), (*label).to_owned())),
        )
        .collect();

    let table = move || match log.get() {
        None => view! { <Loading text="正在加载操作日志…" /> }.into_any(),
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
                    href=Callback::new(move |n: u64| q.clone().on_page(n).href(AUDIT))
                />
            };
            if page.items.is_empty() {
                return view! {
                    <EmptyNotice text="没有符合条件的操作记录" />
                    {pager}
                }
                .into_any();
            }
            let rows = page.items.into_iter().map(audit_row).collect_view();
            view! {
                <div class="table-wrap">
                    <table class="table audit" data-testid="audit-table">
                        <thead>
                            <tr>
                                <th scope="col">"时间"</th>
                                <th scope="col">"操作人"</th>
                                <th scope="col">"资源"</th>
                                <th scope="col">"操作"</th>
                                <th scope="col">"变更（前 → 后）"</th>
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
            <h1>"操作日志"</h1>
        </div>
        <form class="filters" on:submit=on_submit novalidate aria-label="筛选操作日志">
            <TextField id="f-staff" label="操作人" value=staff error=Signal::derive(|| None::<String>) reveal=submitted maxlength=11 />
            <SelectField id="f-resource" label="资源" value=resource options=resources />
            <DateField id="f-date-from" label="开始日期" value=date_from />
            <DateField
                id="f-date-to"
                label="结束日期"
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

fn audit_row(row: AuditRow) -> impl IntoView {
    let diff = changes(&row.before, &row.after)
        .into_iter()
        .map(|(field, before, after)| {
            let changed = before != after;
            view! {
                <li class=if changed { "changed" } else { "" }>
                    <span class="diff-field">{field}</span>
                    <span class="diff-before">{before}</span>
                    " → "
                    <span class="diff-after">{after}</span>
                </li>
            }
        })
        .collect_view();
    let record = match record_link(&row.resource, &row.resource_id) {
        Some(href) => view! { <a class="mono" href=href>{row.resource_id.clone()}</a> }.into_any(),
        None => view! { <span class="mono">{row.resource_id.clone()}</span> }.into_any(),
    };
    view! {
        <tr data-testid="audit-row">
            <td class="nowrap">{when(row.created_at)}</td>
            <td>
                {row.staff_username.clone()}
                <span class="sub">{row.ip.clone()}</span>
            </td>
            <td>
                {resource_label(&row.resource).to_owned()}
                <span class="sub">{record}</span>
            </td>
            <td>{action_label(&row.action).to_owned()}</td>
            <td>
                <ul class="diff">{diff}</ul>
            </td>
        </tr>
    }
}

#[cfg(test)]
mod tests {
    use super::{changes, record_link};

    #[test]
    fn changes_read_field_by_field() {
        let rows = changes(
            r#"{"status":2,"version":4}"#,
            r#"{"status":3,"version":5,"carrier":"顺丰速运","tracking_no":"SF123456"}"#,
        );
        assert_eq!(
            rows,
            vec![
                ("状态".into(), "待发货".into(), "待收货".into()),
                ("版本".into(), "4".into(), "5".into()),
                ("快递公司".into(), "—".into(), "顺丰速运".into()),
                ("运单号".into(), "—".into(), "SF123456".into()),
            ]
        );
        let refund = changes(r#"{"status":6}"#, r#"{"status":7,"refund_amount":36900}"#);
        assert_eq!(refund[1], ("退款金额".into(), "—".into(), "¥369.00".into()));
        let roles = changes(
            r#"{"role":"orders","is_active":true}"#,
            r#"{"role":"finance","is_active":false}"#,
        );
        assert_eq!(roles[0], ("启用".into(), "是".into(), "否".into()));
        assert_eq!(roles[1], ("角色".into(), "订单客服".into(), "财务".into()));
        assert_eq!(
            changes("{}", "not json"),
            vec![("值".into(), "{}".into(), "not json".into())]
        );
    }

    #[test]
    fn records_link_to_their_console_page() {
        assert_eq!(
            record_link("orders", "123").as_deref(),
            Some("/admin/orders/123")
        );
        assert_eq!(record_link("users", "7").as_deref(), Some("/admin/users/7"));
        assert_eq!(record_link("staff", "lily"), None);
    }
}
