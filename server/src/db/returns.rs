//! The `after_sales` and `after_sale_lines` tables: returns (退货退款, issue 27 item 5).
//!
//! A shopper asks, within the return window after receipt, for some units of some lines of a
//! completed order (one open return per order at a time; a line's units are returned at
//! most once in all). Status: `requested` → `approved` | `refused` (the operator's message);
//! `approved` → `received` when the goods are back: in that same transaction, guarded by the
//! status and the version, the units go back into stock (so exactly once) and the refund's
//! request number is fixed; then the gateway refunds under that number (a retry names the
//! same request and is never paid twice) and the return becomes `refunded`.

use dadashop_types::orders::STATUS_DONE;
use sqlx::{AnyPool, FromRow};

use super::audit::{Actor, Change};
use super::begin_write;

/// A return as stored.
#[derive(Debug, Clone, FromRow)]
pub struct ReturnRow {
    pub id: i64,
    pub order_id: String,
    pub user_id: i64,
    pub username: String,
    pub status: String,
    pub reason: String,
    /// Fen.
    pub amount: i64,
    pub reply: Option<String>,
    pub refund_no: Option<String>,
    pub refunded_amount: Option<i64>,
    pub refunded_at: Option<i64>,
    pub version: i64,
    pub created_at: i64,
}

/// A returned line with its name as ordered.
#[derive(Debug, Clone, FromRow)]
pub struct ReturnLineRow {
    pub after_sale_id: i64,
    pub sku_id: i64,
    pub name: String,
    pub count: i64,
    /// Fen.
    pub price: i64,
}

const RETURN_COLUMNS: &str = "SELECT a.id AS id, a.order_id AS order_id, a.user_id AS user_id, \
     u.username AS username, a.status AS status, a.reason AS reason, \
     a.amount AS amount, a.reply AS reply, a.refund_no AS refund_no, \
     a.refunded_amount AS refunded_amount, a.refunded_at AS refunded_at, a.version AS version, \
     a.created_at AS created_at FROM after_sales a JOIN users u ON u.id = a.user_id";

/// The statuses of a return that is still going on.
const OPEN: &str = "('requested', 'approved', 'received')";

/// Why a return was not asked.
#[derive(Debug, thiserror::Error)]
pub enum AskError {
    /// Not this shopper's order.
    #[error("no such order")]
    NotFound,
    /// The order is not completed, or the window has passed (or returns are off).
    #[error("not returnable")]
    NotReturnable,
    /// Another return of this order is going on.
    #[error("a return is open")]
    Open,
    /// A line is not in the order, or more units than are left to return.
    #[error("bad line {0}")]
    BadLine(i64),
    /// A picture id that names no uploaded picture.
    #[error("bad picture {0}")]
    BadPicture(i64),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

/// A shopper's request for a return.
#[derive(Debug, Clone)]
pub struct NewReturn<'a> {
    pub user_id: i64,
    pub order_id: &'a str,
    /// `(sku_id, count)`, distinct SKUs.
    pub lines: &'a [(i64, i64)],
    pub reason: &'a str,
    /// Row ids of uploaded pictures, in order, distinct.
    pub pictures: &'a [i64],
    /// The order must have been received at or after this (Unix seconds).
    pub received_since: i64,
}

/// Asks for the return `new` at `now`. Answers the new id.
pub async fn ask(pool: &AnyPool, new: &NewReturn<'_>, now: i64) -> Result<i64, AskError> {
    let NewReturn {
        user_id,
        order_id,
        lines,
        reason,
        pictures,
        received_since,
    } = *new;
    let mut tx = begin_write(pool).await?;
    // One change of the order at a time: the checks below hold until the commit (a write
    // that changes nothing locks the row on MySQL; SQLite's BEGIN IMMEDIATE holds its lock).
    sqlx::query("UPDATE orders SET updated_at = updated_at WHERE order_id = ? AND user_id = ?")
        .bind(order_id)
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    let order: (i64, Option<i64>) =
        sqlx::query_as("SELECT status, received_at FROM orders WHERE order_id = ? AND user_id = ?")
            .bind(order_id)
            .bind(user_id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(AskError::NotFound)?;
    let (status, received_at) = order;
    if status != STATUS_DONE || received_at.is_none_or(|at| at < received_since) {
        return Err(AskError::NotReturnable);
    }
    let open: i64 = sqlx::query_scalar(&format!(
        "SELECT COUNT(*) FROM after_sales WHERE order_id = ? AND status IN {OPEN}"
    ))
    .bind(order_id)
    .fetch_one(&mut *tx)
    .await?;
    if open > 0 {
        return Err(AskError::Open);
    }
    let mut amount = 0i64;
    let mut priced = Vec::with_capacity(lines.len());
    for &(sku_id, count) in lines {
        let bought: Option<(i64, i64)> = sqlx::query_as(
            "SELECT count, price FROM order_lines WHERE order_id = ? AND sku_id = ?",
        )
        .bind(order_id)
        .bind(sku_id)
        .fetch_optional(&mut *tx)
        .await?;
        let (bought, price) = bought.ok_or(AskError::BadLine(sku_id))?;
        let returned: i64 = sqlx::query_scalar(
            "SELECT CAST(COALESCE(SUM(l.count), 0) AS SIGNED) FROM after_sale_lines l \
             JOIN after_sales a ON a.id = l.after_sale_id \
             WHERE a.order_id = ? AND l.sku_id = ? AND a.status <> 'refused'",
        )
        .bind(order_id)
        .bind(sku_id)
        .fetch_one(&mut *tx)
        .await?;
        if count < 1 || count > bought - returned {
            return Err(AskError::BadLine(sku_id));
        }
        amount += price * count;
        priced.push((sku_id, count, price));
    }
    sqlx::query(
        "INSERT INTO after_sales (order_id, user_id, status, reason, amount, version, \
         created_at, updated_at) VALUES (?, ?, 'requested', ?, ?, 0, ?, ?)",
    )
    .bind(order_id)
    .bind(user_id)
    .bind(reason)
    .bind(amount)
    .bind(now)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    let id: i64 = sqlx::query_scalar(&format!(
        "SELECT id FROM after_sales WHERE order_id = ? AND status IN {OPEN}"
    ))
    .bind(order_id)
    .fetch_one(&mut *tx)
    .await?;
    for (position, picture_id) in pictures.iter().enumerate() {
        let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM pictures WHERE id = ?")
            .bind(*picture_id)
            .fetch_optional(&mut *tx)
            .await?;
        if exists.is_none() {
            return Err(AskError::BadPicture(*picture_id));
        }
        // Used from now on: off the sweep's list.
        sqlx::query("UPDATE pictures SET unused_since = NULL WHERE id = ?")
            .bind(*picture_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO after_sale_pictures (after_sale_id, picture_id, position) VALUES (?, ?, ?)",
        )
        .bind(id)
        .bind(*picture_id)
        .bind(i64::try_from(position).unwrap_or(i64::MAX))
        .execute(&mut *tx)
        .await?;
    }
    for (sku_id, count, price) in priced {
        sqlx::query(
            "INSERT INTO after_sale_lines (after_sale_id, sku_id, count, price) VALUES (?, ?, ?, ?)",
        )
        .bind(id)
        .bind(sku_id)
        .bind(count)
        .bind(price)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(id)
}

/// The pictures (full-size media keys) of the returns `ids`, as `(return id, key)` in order.
pub async fn pictures_of(pool: &AnyPool, ids: &[i64]) -> Result<Vec<(i64, String)>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let marks = vec!["?"; ids.len()].join(", ");
    let sql = format!(
        "SELECT s.after_sale_id, p.image FROM after_sale_pictures s \
         JOIN pictures p ON p.id = s.picture_id \
         WHERE s.after_sale_id IN ({marks}) ORDER BY s.after_sale_id, s.position"
    );
    let mut q = sqlx::query_as(&sql);
    for id in ids {
        q = q.bind(*id);
    }
    q.fetch_all(pool).await
}

/// Units of order `order_id` not returned or asked for (refused returns give theirs back).
pub async fn units_left(pool: &AnyPool, order_id: &str) -> Result<i64, sqlx::Error> {
    let bought: i64 = sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(count), 0) AS SIGNED) FROM order_lines WHERE order_id = ?",
    )
    .bind(order_id)
    .fetch_one(pool)
    .await?;
    let returned: i64 = sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(l.count), 0) AS SIGNED) FROM after_sale_lines l \
         JOIN after_sales a ON a.id = l.after_sale_id \
         WHERE a.order_id = ? AND a.status <> 'refused'",
    )
    .bind(order_id)
    .fetch_one(pool)
    .await?;
    Ok(bought - returned)
}

/// Return `id`.
pub async fn get(pool: &AnyPool, id: i64) -> Result<Option<ReturnRow>, sqlx::Error> {
    sqlx::query_as(&format!("{RETURN_COLUMNS} WHERE a.id = ?"))
        .bind(id)
        .fetch_optional(pool)
        .await
}

/// The returns of order `order_id`, newest first.
pub async fn of_order(pool: &AnyPool, order_id: &str) -> Result<Vec<ReturnRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "{RETURN_COLUMNS} WHERE a.order_id = ? ORDER BY a.id DESC"
    ))
    .bind(order_id)
    .fetch_all(pool)
    .await
}

/// The lines of the returns `ids`.
pub async fn lines_of(pool: &AnyPool, ids: &[i64]) -> Result<Vec<ReturnLineRow>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let marks = vec!["?"; ids.len()].join(", ");
    let sql = format!(
        "SELECT l.after_sale_id AS after_sale_id, l.sku_id AS sku_id, o.name AS name, \
         l.count AS count, l.price AS price FROM after_sale_lines l \
         JOIN after_sales a ON a.id = l.after_sale_id \
         JOIN order_lines o ON o.order_id = a.order_id AND o.sku_id = l.sku_id \
         WHERE l.after_sale_id IN ({marks}) ORDER BY l.after_sale_id, l.sku_id"
    );
    let mut q = sqlx::query_as(&sql);
    for id in ids {
        q = q.bind(*id);
    }
    q.fetch_all(pool).await
}

/// The console's list, `status` filtering, newest first; the page and the total.
pub async fn list(
    pool: &AnyPool,
    status: Option<&str>,
    page: u64,
    page_size: u32,
) -> Result<(Vec<ReturnRow>, i64), sqlx::Error> {
    let filter = if status.is_some() {
        " WHERE a.status = ?"
    } else {
        ""
    };
    let count_sql = format!("SELECT COUNT(*) FROM after_sales a{filter}");
    let mut count = sqlx::query_scalar::<_, i64>(&count_sql);
    if let Some(s) = status {
        count = count.bind(s.to_owned());
    }
    let total = count.fetch_one(pool).await?;
    let offset = super::filter::offset(page, page_size);
    let sql = format!("{RETURN_COLUMNS}{filter} ORDER BY a.id DESC LIMIT ? OFFSET ?");
    let mut q = sqlx::query_as(&sql);
    if let Some(s) = status {
        q = q.bind(s.to_owned());
    }
    let rows = q
        .bind(i64::from(page_size))
        .bind(offset)
        .fetch_all(pool)
        .await?;
    Ok((rows, total))
}

/// Approves or refuses the requested return `id` read at `version`, with `message`;
/// `false` when it is no longer a requested return at that version.
pub async fn decide(
    pool: &AnyPool,
    id: i64,
    version: i64,
    approve: bool,
    message: &str,
    actor: &Actor,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let to = if approve { "approved" } else { "refused" };
    let mut tx = begin_write(pool).await?;
    let done = sqlx::query(
        "UPDATE after_sales SET status = ?, reply = ?, decided_by = ?, decided_at = ?, \
         version = version + 1, updated_at = ? \
         WHERE id = ? AND status = 'requested' AND version = ?",
    )
    .bind(to)
    .bind(message)
    .bind(&actor.username)
    .bind(now)
    .bind(now)
    .bind(id)
    .bind(version)
    .execute(&mut *tx)
    .await?
    .rows_affected()
        == 1;
    if done {
        super::audit::record(
            &mut tx,
            actor,
            &Change {
                resource: "returns",
                resource_id: &id.to_string(),
                action: if approve { "approve" } else { "refuse" },
                before: serde_json::json!({ "status": "requested", "version": version }),
                after: serde_json::json!({ "status": to, "version": version + 1, "message": message }),
            },
            now,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(done)
}

/// Marks the approved return `id` (read at `version`) received back: its units go back into
/// stock and its refund request number `refund_no` is fixed, in one transaction. Answers the
/// restocked SKU ids, or `None` when it is no longer an approved return at that version.
pub async fn receive(
    pool: &AnyPool,
    id: i64,
    version: i64,
    refund_no: &str,
    actor: &Actor,
    now: i64,
) -> Result<Option<Vec<i64>>, sqlx::Error> {
    let mut tx = begin_write(pool).await?;
    let moved = sqlx::query(
        "UPDATE after_sales SET status = 'received', received_by = ?, received_at = ?, \
         refund_no = ?, version = version + 1, updated_at = ? \
         WHERE id = ? AND status = 'approved' AND version = ?",
    )
    .bind(&actor.username)
    .bind(now)
    .bind(refund_no)
    .bind(now)
    .bind(id)
    .bind(version)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if moved != 1 {
        tx.rollback().await?;
        return Ok(None);
    }
    let lines: Vec<(i64, i64)> =
        sqlx::query_as("SELECT sku_id, count FROM after_sale_lines WHERE after_sale_id = ?")
            .bind(id)
            .fetch_all(&mut *tx)
            .await?;
    let restocked = super::orders::restock(&mut tx, &lines, now).await?;
    super::audit::record(
        &mut tx,
        actor,
        &Change {
            resource: "returns",
            resource_id: &id.to_string(),
            action: "receive",
            before: serde_json::json!({ "status": "approved", "version": version }),
            after: serde_json::json!({
                "status": "received", "version": version + 1, "restocked": lines,
                "refund_no": refund_no,
            }),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(Some(restocked))
}

/// Records the gateway's confirmation of return `id`'s refund (`received` → `refunded`);
/// `false` when it was recorded already.
pub async fn refunded(
    pool: &AnyPool,
    id: i64,
    amount: i64,
    at: i64,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE after_sales SET status = 'refunded', refunded_amount = ?, refunded_at = ?, \
         version = version + 1, updated_at = ? WHERE id = ? AND status = 'received'",
    )
    .bind(amount)
    .bind(at)
    .bind(now)
    .bind(id)
    .execute(pool)
    .await?
    .rows_affected();
    Ok(done == 1)
}
