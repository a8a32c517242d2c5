//! The `audit_log` table: every write made through the console, written in the same
//! transaction as the change it records (issue 24). Nothing here updates or deletes a row.

use sqlx::{AnyPool, FromRow};

use super::filter::Where;

/// Who made a console change, and from where.
#[derive(Debug, Clone)]
pub struct Actor {
    pub staff_id: i64,
    pub username: String,
    /// The client's address, as `crate::client_ip` found it.
    pub ip: String,
}

impl Actor {
    /// How the change is credited in an order's timeline: `staff:<username>`.
    pub fn label(&self) -> String {
        format!("staff:{}", self.username)
    }
}

/// One change: `resource` (`orders`, `refunds`, `users`, `staff`, ...), its id, the action
/// and the changed values before and after (JSON objects).
#[derive(Debug, Clone)]
pub struct Change<'a> {
    pub resource: &'a str,
    pub resource_id: &'a str,
    pub action: &'a str,
    pub before: serde_json::Value,
    pub after: serde_json::Value,
}

/// The longest JSON text kept of a value before or after, in characters (the column holds
/// 6,000 on MySQL).
pub const VALUE_MAX_CHARS: usize = 6_000;

/// `value` as JSON text, or, when longer than [`VALUE_MAX_CHARS`], an object saying so with
/// the text's beginning.
fn bounded(value: &serde_json::Value) -> String {
    let text = value.to_string();
    if text.chars().count() <= VALUE_MAX_CHARS {
        return text;
    }
    let start: String = text.chars().take(VALUE_MAX_CHARS / 2).collect();
    serde_json::json!({ "truncated": true, "start": start }).to_string()
}

/// Writes `change` by `actor` at `now` (Unix seconds) in the caller's transaction.
pub async fn record(
    conn: &mut sqlx::AnyConnection,
    actor: &Actor,
    change: &Change<'_>,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO audit_log (staff_id, staff_username, ip, resource, resource_id, action, \
         before_json, after_json, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(actor.staff_id)
    .bind(&actor.username)
    .bind(&actor.ip)
    .bind(change.resource)
    .bind(change.resource_id)
    .bind(change.action)
    .bind(bounded(&change.before))
    .bind(bounded(&change.after))
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// A stored audit row.
#[derive(Debug, Clone, FromRow)]
pub struct AuditEntry {
    pub id: i64,
    pub staff_username: String,
    pub ip: String,
    pub resource: String,
    pub resource_id: String,
    pub action: String,
    pub before_json: String,
    pub after_json: String,
    pub created_at: i64,
}

/// Filters of the audit list (all optional): the operator's name, the resource, and a time
/// range `[from, to)` in Unix seconds.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub staff_username: Option<String>,
    pub resource: Option<String>,
    pub resource_id: Option<String>,
    pub from: Option<i64>,
    pub to: Option<i64>,
}

/// The rows matching `filter`, newest first: the count (at most `cap` + 1 counted) and page
/// `page` (from 1) of `size`.
pub async fn list(
    pool: &AnyPool,
    filter: &AuditFilter,
    page: u64,
    size: u32,
    cap: i64,
) -> Result<(i64, Vec<AuditEntry>), sqlx::Error> {
    let mut w = Where::default();
    if let Some(name) = &filter.staff_username {
        w.text("staff_username = ?", name.to_ascii_lowercase());
    }
    if let Some(resource) = &filter.resource {
        w.text("resource = ?", resource.clone());
    }
    if let Some(id) = &filter.resource_id {
        w.text("resource_id = ?", id.clone());
    }
    if let Some(from) = filter.from {
        w.int("created_at >= ?", from);
    }
    if let Some(to) = filter.to {
        w.int("created_at < ?", to);
    }
    let total = w.count_capped(pool, "audit_log", cap).await?;
    let offset = super::filter::offset(page, size);
    if offset >= total && page > 1 {
        return Ok((total, Vec::new()));
    }
    let sql = format!(
        "SELECT id, staff_username, ip, resource, resource_id, action, before_json, after_json, \
         created_at FROM audit_log{} ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?",
        w.sql()
    );
    let rows = w
        .bind_all(sqlx::query_as::<_, AuditEntry>(&sql))
        .bind(i64::from(size))
        .bind(offset)
        .fetch_all(pool)
        .await?;
    Ok((total, rows))
}
