//! The `reviews` table (评价, issue 27 item 3): one review per line of a completed order,
//! shared by every SKU of the line's SPU; operators hide reviews (with the audit log).

use dadashop_types::orders::STATUS_DONE;
use sqlx::{AnyPool, FromRow};

use super::audit::{Actor, Change};
use super::begin_write;

/// A review as stored, with its author's name and the reviewed SKU.
#[derive(Debug, Clone, FromRow)]
pub struct ReviewRow {
    pub id: i64,
    pub order_id: String,
    pub sku_id: i64,
    pub spu_id: i64,
    pub user_id: i64,
    pub username: String,
    pub sku_name: String,
    /// JSON `[["颜色", "红色"], ...]` of the order line.
    pub sale_attrs: String,
    pub score: i64,
    pub content: String,
    pub is_anonymous: i64,
    pub is_hidden: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

const REVIEW_COLUMNS: &str = "SELECT r.id AS id, r.order_id AS order_id, r.sku_id AS sku_id, \
     r.spu_id AS spu_id, r.user_id AS user_id, u.username AS username, l.name AS sku_name, \
     l.sale_attrs AS sale_attrs, r.score AS score, r.content AS content, \
     r.is_anonymous AS is_anonymous, r.is_hidden AS is_hidden, r.created_at AS created_at, \
     r.updated_at AS updated_at \
     FROM reviews r JOIN users u ON u.id = r.user_id \
     JOIN order_lines l ON l.order_id = r.order_id AND l.sku_id = r.sku_id";

/// What a shopper writes.
#[derive(Debug, Clone)]
pub struct ReviewFields {
    /// 1 to 5.
    pub score: i64,
    pub content: String,
    pub anonymous: bool,
}

/// Why a write did not happen.
#[derive(Debug, thiserror::Error)]
pub enum ReviewError {
    /// Not this shopper's order, or the order has no such line.
    #[error("no such line")]
    NotFound,
    /// The order is not completed (received) yet.
    #[error("order not completed")]
    NotCompleted,
    /// The line has a review already.
    #[error("already reviewed")]
    Exists,
    /// The edit window has passed.
    #[error("too late to edit")]
    TooLate,
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

/// Writes the review of line `sku_id` of order `order_id` of `user_id` at `now`.
pub async fn insert(
    pool: &AnyPool,
    user_id: i64,
    order_id: &str,
    sku_id: i64,
    fields: &ReviewFields,
    now: i64,
) -> Result<i64, ReviewError> {
    let line: Option<(i64, i64)> = sqlx::query_as(
        "SELECT o.status, k.spu_id FROM orders o \
         JOIN order_lines l ON l.order_id = o.order_id AND l.sku_id = ? \
         JOIN skus k ON k.id = l.sku_id \
         WHERE o.order_id = ? AND o.user_id = ?",
    )
    .bind(sku_id)
    .bind(order_id)
    .bind(user_id)
    .fetch_optional(pool)
    .await?;
    let (status, spu_id) = line.ok_or(ReviewError::NotFound)?;
    if status != STATUS_DONE {
        return Err(ReviewError::NotCompleted);
    }
    let inserted = sqlx::query(
        "INSERT INTO reviews (order_id, sku_id, spu_id, user_id, score, content, is_anonymous, \
         is_hidden, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?)",
    )
    .bind(order_id)
    .bind(sku_id)
    .bind(spu_id)
    .bind(user_id)
    .bind(fields.score)
    .bind(&fields.content)
    .bind(i64::from(fields.anonymous))
    .bind(now)
    .bind(now)
    .execute(pool)
    .await;
    match inserted {
        Ok(_) => {}
        Err(e) if super::is_unique_violation(&e) => return Err(ReviewError::Exists),
        Err(e) => return Err(e.into()),
    }
    let id: i64 = sqlx::query_scalar("SELECT id FROM reviews WHERE order_id = ? AND sku_id = ?")
        .bind(order_id)
        .bind(sku_id)
        .fetch_one(pool)
        .await?;
    Ok(id)
}

/// Edits the review of line `sku_id` of `order_id` by `user_id`, written at or after
/// `written_since` (Unix seconds: now less the edit window).
pub async fn update(
    pool: &AnyPool,
    user_id: i64,
    order_id: &str,
    sku_id: i64,
    fields: &ReviewFields,
    written_since: i64,
    now: i64,
) -> Result<(), ReviewError> {
    let created: Option<i64> = sqlx::query_scalar(
        "SELECT created_at FROM reviews WHERE order_id = ? AND sku_id = ? AND user_id = ?",
    )
    .bind(order_id)
    .bind(sku_id)
    .bind(user_id)
    .fetch_optional(pool)
    .await?;
    let created = created.ok_or(ReviewError::NotFound)?;
    if created < written_since {
        return Err(ReviewError::TooLate);
    }
    sqlx::query(
        "UPDATE reviews SET score = ?, content = ?, is_anonymous = ?, updated_at = ? \
         WHERE order_id = ? AND sku_id = ? AND user_id = ?",
    )
    .bind(fields.score)
    .bind(&fields.content)
    .bind(i64::from(fields.anonymous))
    .bind(now)
    .bind(order_id)
    .bind(sku_id)
    .bind(user_id)
    .execute(pool)
    .await?;
    Ok(())
}

/// The reviews of `user_id` on order `order_id`.
pub async fn of_order(
    pool: &AnyPool,
    user_id: i64,
    order_id: &str,
) -> Result<Vec<ReviewRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "{REVIEW_COLUMNS} WHERE r.order_id = ? AND r.user_id = ? ORDER BY r.sku_id"
    ))
    .bind(order_id)
    .bind(user_id)
    .fetch_all(pool)
    .await
}

/// One review of `user_id` by its line.
pub async fn of_line(
    pool: &AnyPool,
    user_id: i64,
    order_id: &str,
    sku_id: i64,
) -> Result<Option<ReviewRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "{REVIEW_COLUMNS} WHERE r.order_id = ? AND r.sku_id = ? AND r.user_id = ?"
    ))
    .bind(order_id)
    .bind(sku_id)
    .bind(user_id)
    .fetch_optional(pool)
    .await
}

/// The visible reviews of SPU `spu_id`: how many, the sum of their scores, and page `page`
/// (from 1) of `page_size`, newest first.
pub async fn of_spu(
    pool: &AnyPool,
    spu_id: i64,
    page: u64,
    page_size: u32,
) -> Result<(i64, i64, Vec<ReviewRow>), sqlx::Error> {
    let (count, sum) = rating_of_spu(pool, spu_id).await?;
    let offset = super::filter::offset(page, page_size);
    let rows = sqlx::query_as(&format!(
        "{REVIEW_COLUMNS} WHERE r.spu_id = ? AND r.is_hidden = 0 \
         ORDER BY r.created_at DESC, r.id DESC LIMIT ? OFFSET ?"
    ))
    .bind(spu_id)
    .bind(i64::from(page_size))
    .bind(offset)
    .fetch_all(pool)
    .await?;
    Ok((count, sum, rows))
}

/// The count and score sum of SPU `spu_id`'s visible reviews (the product's JSON-LD).
pub async fn rating_of_spu(pool: &AnyPool, spu_id: i64) -> Result<(i64, i64), sqlx::Error> {
    // CAST keeps MySQL's SUM (a DECIMAL) decodable as an integer.
    sqlx::query_as(
        "SELECT COUNT(*), CAST(COALESCE(SUM(score), 0) AS SIGNED) FROM reviews \
         WHERE spu_id = ? AND is_hidden = 0",
    )
    .bind(spu_id)
    .fetch_one(pool)
    .await
}

/// The console's list: `hidden` filters on visibility, `spu_id` on the product; newest
/// first. Answers the page and the total.
pub async fn list(
    pool: &AnyPool,
    hidden: Option<bool>,
    spu_id: Option<i64>,
    page: u64,
    page_size: u32,
) -> Result<(Vec<ReviewRow>, i64), sqlx::Error> {
    let mut filter = String::from(" WHERE 1 = 1");
    if let Some(h) = hidden {
        filter.push_str(if h {
            " AND r.is_hidden = 1"
        } else {
            " AND r.is_hidden = 0"
        });
    }
    if spu_id.is_some() {
        filter.push_str(" AND r.spu_id = ?");
    }
    let count_sql = format!("SELECT COUNT(*) FROM reviews r{filter}");
    let mut count = sqlx::query_scalar::<_, i64>(&count_sql);
    if let Some(id) = spu_id {
        count = count.bind(id);
    }
    let total = count.fetch_one(pool).await?;
    let offset = super::filter::offset(page, page_size);
    let sql =
        format!("{REVIEW_COLUMNS}{filter} ORDER BY r.created_at DESC, r.id DESC LIMIT ? OFFSET ?");
    let mut q = sqlx::query_as(&sql);
    if let Some(id) = spu_id {
        q = q.bind(id);
    }
    let rows = q
        .bind(i64::from(page_size))
        .bind(offset)
        .fetch_all(pool)
        .await?;
    Ok((rows, total))
}

/// Hides or shows review `id`, recorded in the audit log with `reason`; `None` when there is
/// no such review. Answers the SPU, whose product page changes.
pub async fn set_hidden(
    pool: &AnyPool,
    id: i64,
    hidden: bool,
    reason: &str,
    actor: &Actor,
    now: i64,
) -> Result<Option<i64>, sqlx::Error> {
    let mut tx = begin_write(pool).await?;
    let row: Option<(i64, i64)> =
        sqlx::query_as("SELECT is_hidden, spu_id FROM reviews WHERE id = ?")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
    let Some((was, spu_id)) = row else {
        return Ok(None);
    };
    sqlx::query("UPDATE reviews SET is_hidden = ? WHERE id = ?")
        .bind(i64::from(hidden))
        .bind(id)
        .execute(&mut *tx)
        .await?;
    super::audit::record(
        &mut tx,
        actor,
        &Change {
            resource: "reviews",
            resource_id: &id.to_string(),
            action: if hidden { "hide" } else { "show" },
            before: serde_json::json!({ "hidden": was == 1 }),
            after: serde_json::json!({ "hidden": hidden, "reason": reason }),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(Some(spu_id))
}
