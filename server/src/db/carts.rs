//! The server cart (`cart_lines`): one line per (user, SKU) with a count and a selected flag.
//!
//! Every change runs in a write transaction that first locks the user's row
//! ([`lock_user`]), so two requests of one shopper (two tabs, a double click) change the cart
//! one after the other and the limits ([`MAX_CART_LINES`], [`MAX_LINE_COUNT`], the stock) hold.
//! Lines whose SKU is no longer launched stay stored but are never shown, counted or ordered.

use std::collections::HashMap;

use dadashop_types::orders::{MAX_CART_LINES, MAX_LINE_COUNT};
use sqlx::{Any, AnyPool, FromRow, Transaction};

use super::{begin_write, now_millis};

/// A cart line with its launched SKU.
#[derive(Debug, Clone, FromRow)]
pub struct CartLineRow {
    pub sku_id: i64,
    pub name: String,
    /// Fen.
    pub price: i64,
    pub default_image_url: String,
    pub stock: i64,
    pub count: i64,
    pub selected: i64,
}

/// Why a cart change was refused; nothing changed.
#[derive(Debug, thiserror::Error)]
pub enum CartError {
    /// The SKU does not exist, is not launched, or has no line in the cart (30101).
    #[error("sku not found")]
    NotFound,
    /// The line would exceed [`MAX_LINE_COUNT`] units, or the cart [`MAX_CART_LINES`] lines (30102).
    #[error("limit")]
    Limit,
    /// The line would exceed the stock; carries the stock (30103).
    #[error("exceeds stock {0}")]
    ExceedsStock(i64),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

/// A change of one line (`PUT` states).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineChange {
    /// +1 unit (refused beyond the stock).
    Increment,
    /// −1 unit, never below 1.
    Decrement,
    Select,
    Unselect,
}

const LINE_COLUMNS: &str = "SELECT k.id AS sku_id, k.name AS name, k.price AS price, \
     k.default_image_url AS default_image_url, k.stock AS stock, c.count AS count, \
     c.selected AS selected FROM cart_lines c JOIN skus k ON k.id = c.sku_id \
     WHERE c.user_id = ? AND k.is_launched = 1";

/// The cart of `user_id`, oldest line first (launched SKUs only).
pub async fn lines<'e, E>(executor: E, user_id: i64) -> Result<Vec<CartLineRow>, sqlx::Error>
where
    E: sqlx::Executor<'e, Database = Any>,
{
    sqlx::query_as::<_, CartLineRow>(&format!("{LINE_COLUMNS} ORDER BY c.created_at, k.id"))
        .bind(user_id)
        .fetch_all(executor)
        .await
}

/// The selected lines of `user_id`, by SKU id (the order in which order creation locks them).
pub async fn selected_lines<'e, E>(
    executor: E,
    user_id: i64,
) -> Result<Vec<CartLineRow>, sqlx::Error>
where
    E: sqlx::Executor<'e, Database = Any>,
{
    sqlx::query_as::<_, CartLineRow>(&format!("{LINE_COLUMNS} AND c.selected = 1 ORDER BY k.id"))
        .bind(user_id)
        .fetch_all(executor)
        .await
}

/// Number of lines of launched SKUs in the cart of `user_id` (the header's cart count).
pub async fn count<'e, E>(executor: E, user_id: i64) -> Result<i64, sqlx::Error>
where
    E: sqlx::Executor<'e, Database = Any>,
{
    sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM cart_lines c JOIN skus k ON k.id = c.sku_id \
         WHERE c.user_id = ? AND k.is_launched = 1",
    )
    .bind(user_id)
    .fetch_one(executor)
    .await
}

/// Sale attribute names and values of each SKU of `sku_ids`, in the SPU's attribute order:
/// `sku id → [(attribute, value)]`.
pub async fn sale_attrs<'e, E>(
    executor: E,
    sku_ids: &[i64],
) -> Result<HashMap<i64, Vec<(String, String)>>, sqlx::Error>
where
    E: sqlx::Executor<'e, Database = Any>,
{
    let mut out: HashMap<i64, Vec<(String, String)>> = HashMap::new();
    if sku_ids.is_empty() {
        return Ok(out);
    }
    let marks = vec!["?"; sku_ids.len()].join(", ");
    let sql = format!(
        "SELECT l.sku_id, a.name, v.name FROM sku_sale_attr_values l \
         JOIN sale_attr_values v ON v.id = l.sale_attr_value_id \
         JOIN spu_sale_attrs a ON a.id = v.spu_sale_attr_id \
         WHERE l.sku_id IN ({marks}) ORDER BY l.sku_id, a.id"
    );
    let mut query = sqlx::query_as::<_, (i64, String, String)>(&sql);
    for id in sku_ids {
        query = query.bind(*id);
    }
    for (sku, attr, value) in query.fetch_all(executor).await? {
        out.entry(sku).or_default().push((attr, value));
    }
    Ok(out)
}

/// Locks the row of `user_id` for the rest of `tx` (a write that changes nothing): the
/// user's cart and order changes run one at a time.
pub async fn lock_user(
    tx: &mut Transaction<'static, Any>,
    user_id: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET updated_at = updated_at WHERE id = ?")
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Stock of the launched SKU `sku_id`, or `None`.
async fn launched_stock(
    tx: &mut Transaction<'static, Any>,
    sku_id: i64,
) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar::<_, i64>("SELECT stock FROM skus WHERE id = ? AND is_launched = 1")
        .bind(sku_id)
        .fetch_optional(&mut **tx)
        .await
}

async fn line_count(
    tx: &mut Transaction<'static, Any>,
    user_id: i64,
    sku_id: i64,
) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar::<_, i64>("SELECT count FROM cart_lines WHERE user_id = ? AND sku_id = ?")
        .bind(user_id)
        .bind(sku_id)
        .fetch_optional(&mut **tx)
        .await
}

async fn stored_lines(
    tx: &mut Transaction<'static, Any>,
    user_id: i64,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM cart_lines WHERE user_id = ?")
        .bind(user_id)
        .fetch_one(&mut **tx)
        .await
}

/// Sets the line of `sku_id` to `count` units, selected, creating it when missing.
async fn put_line(
    tx: &mut Transaction<'static, Any>,
    user_id: i64,
    sku_id: i64,
    count: i64,
    exists: bool,
) -> Result<(), sqlx::Error> {
    let now = now_millis();
    let sql = if exists {
        "UPDATE cart_lines SET count = ?, selected = 1, updated_at = ? WHERE user_id = ? AND sku_id = ?"
    } else {
        "INSERT INTO cart_lines (count, selected, updated_at, user_id, sku_id, created_at) \
         VALUES (?, 1, ?, ?, ?, ?)"
    };
    let mut query = sqlx::query(sql)
        .bind(count)
        .bind(now)
        .bind(user_id)
        .bind(sku_id);
    if !exists {
        query = query.bind(now);
    }
    query.execute(&mut **tx).await?;
    Ok(())
}

/// Adds `count` units of `sku_id` to the cart of `user_id` (a new line, or more units on its
/// line, which becomes selected). Refused when the SKU is unknown or unlaunched, the line
/// would pass [`MAX_LINE_COUNT`] or the stock, or a new line would pass [`MAX_CART_LINES`].
pub async fn add(pool: &AnyPool, user_id: i64, sku_id: i64, count: i64) -> Result<(), CartError> {
    let mut tx = begin_write(pool).await?;
    lock_user(&mut tx, user_id).await?;
    let stock = launched_stock(&mut tx, sku_id)
        .await?
        .ok_or(CartError::NotFound)?;
    let current = line_count(&mut tx, user_id, sku_id).await?;
    let total = current.unwrap_or(0) + count;
    if total > MAX_LINE_COUNT {
        return Err(CartError::Limit);
    }
    if total > stock {
        return Err(CartError::ExceedsStock(stock));
    }
    if current.is_none() && stored_lines(&mut tx, user_id).await? >= MAX_CART_LINES as i64 {
        return Err(CartError::Limit);
    }
    put_line(&mut tx, user_id, sku_id, total, current.is_some()).await?;
    tx.commit().await?;
    Ok(())
}

/// Changes the line of `sku_id` ([`LineChange`]). Refused when there is no such line of a
/// launched SKU, or +1 would pass the stock or [`MAX_LINE_COUNT`].
pub async fn change(
    pool: &AnyPool,
    user_id: i64,
    sku_id: i64,
    change: LineChange,
) -> Result<(), CartError> {
    let mut tx = begin_write(pool).await?;
    lock_user(&mut tx, user_id).await?;
    let stock = launched_stock(&mut tx, sku_id)
        .await?
        .ok_or(CartError::NotFound)?;
    let current = line_count(&mut tx, user_id, sku_id)
        .await?
        .ok_or(CartError::NotFound)?;
    let (count, selected) = match change {
        LineChange::Increment if current + 1 > MAX_LINE_COUNT => return Err(CartError::Limit),
        LineChange::Increment if current + 1 > stock => {
            return Err(CartError::ExceedsStock(stock));
        }
        LineChange::Increment => (current + 1, None),
        LineChange::Decrement => ((current - 1).max(1), None),
        LineChange::Select => (current, Some(1)),
        LineChange::Unselect => (current, Some(0)),
    };
    sqlx::query(
        "UPDATE cart_lines SET count = ?, selected = COALESCE(?, selected), updated_at = ? \
         WHERE user_id = ? AND sku_id = ?",
    )
    .bind(count)
    .bind(selected)
    .bind(now_millis())
    .bind(user_id)
    .bind(sku_id)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Selects (`true`) or unselects every line of `user_id`.
pub async fn select_all(pool: &AnyPool, user_id: i64, selected: bool) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE cart_lines SET selected = ?, updated_at = ? WHERE user_id = ?")
        .bind(i64::from(selected))
        .bind(now_millis())
        .bind(user_id)
        .execute(pool)
        .await?;
    Ok(())
}

/// Removes the line of `sku_id`; [`CartError::NotFound`] when there is none.
pub async fn remove(pool: &AnyPool, user_id: i64, sku_id: i64) -> Result<(), CartError> {
    let done = sqlx::query("DELETE FROM cart_lines WHERE user_id = ? AND sku_id = ?")
        .bind(user_id)
        .bind(sku_id)
        .execute(pool)
        .await?;
    if done.rows_affected() == 0 {
        return Err(CartError::NotFound);
    }
    Ok(())
}

/// Merges an offline cart (`(sku id, count)` pairs, as the browser kept them) into the cart
/// of `user_id` (docs/api.md "Carts"): each line gets max(offline, server) units, capped at
/// the stock and [`MAX_LINE_COUNT`], and is selected; unknown, unlaunched and sold-out SKUs,
/// counts below 1 and lines past [`MAX_CART_LINES`] are dropped. Returns the cart count.
pub async fn merge(
    pool: &AnyPool,
    user_id: i64,
    offline: &[(i64, i64)],
) -> Result<i64, sqlx::Error> {
    let mut tx = begin_write(pool).await?;
    lock_user(&mut tx, user_id).await?;
    let mut lines = stored_lines(&mut tx, user_id).await?;
    for &(sku_id, count) in offline {
        if count < 1 {
            continue;
        }
        let Some(stock) = launched_stock(&mut tx, sku_id).await? else {
            continue;
        };
        let current = line_count(&mut tx, user_id, sku_id).await?;
        let merged = count
            .max(current.unwrap_or(0))
            .min(stock)
            .min(MAX_LINE_COUNT);
        if merged < 1 || (current.is_none() && lines >= MAX_CART_LINES as i64) {
            continue;
        }
        put_line(&mut tx, user_id, sku_id, merged, current.is_some()).await?;
        if current.is_none() {
            lines += 1;
        }
    }
    let total = count(&mut *tx, user_id).await?;
    tx.commit().await?;
    Ok(total)
}
