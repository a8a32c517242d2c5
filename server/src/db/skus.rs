//! The console's SKUs (issue 25): the list, changes carrying the version read, and stock
//! adjustments made with relative updates, each with its audit row in its transaction.

use sqlx::{AnyPool, FromRow};

use super::audit::{self, Actor, Change};
use super::begin_write;
use super::filter::{Where, offset};

/// A SKU with its SPU's and catalog's names.
#[derive(Debug, Clone, FromRow, serde::Serialize)]
pub struct ConsoleSku {
    pub id: i64,
    pub name: String,
    pub caption: String,
    pub spu_id: i64,
    pub spu_name: String,
    pub catalog_id: i64,
    pub catalog_name: String,
    /// Fen.
    pub price: i64,
    pub market_price: i64,
    pub cost_price: i64,
    pub stock: i64,
    pub sales: i64,
    pub is_launched: i64,
    pub default_image_url: String,
    pub version: i64,
}

const COLUMNS: &str = "SELECT s.id, s.name, s.caption, s.spu_id, p.name AS spu_name, \
    p.catalog_id, c.name AS catalog_name, s.price, s.market_price, s.cost_price, s.stock, \
    s.sales, s.is_launched, s.default_image_url, s.version \
    FROM skus s JOIN spus p ON p.id = s.spu_id JOIN catalogs c ON c.id = p.catalog_id";

/// Filters of the SKU list: a name's words (`LIKE`, escaped), a catalog, a brand, launched or
/// not.
#[derive(Debug, Clone, Default)]
pub struct SkuFilter {
    pub q: Option<String>,
    pub catalog_id: Option<i64>,
    pub brand_id: Option<i64>,
    pub launched: Option<bool>,
}

/// `text` within `%`s with `%`, `_` and `!` escaped for a `LIKE ... ESCAPE '!'` (not a
/// backslash: MySQL reads one in a string literal as an escape, SQLite does not).
pub(crate) fn like_escaped(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '!') {
            out.push('!');
        }
        out.push(c);
    }
    out.push('%');
    out
}

/// The SKUs matching `filter`, by id: the count (up to `cap` + 1) and page `page` of `size`.
pub async fn list(
    pool: &AnyPool,
    filter: &SkuFilter,
    page: u64,
    size: u32,
    cap: i64,
) -> Result<(i64, Vec<ConsoleSku>), sqlx::Error> {
    let mut w = Where::default();
    if let Some(q) = &filter.q {
        w.text("s.name LIKE ? ESCAPE '!'", like_escaped(q));
    }
    if let Some(catalog) = filter.catalog_id {
        w.int(
            "s.spu_id IN (SELECT id FROM spus WHERE catalog_id = ?)",
            catalog,
        );
    }
    if let Some(brand) = filter.brand_id {
        w.int(
            "s.spu_id IN (SELECT id FROM spus WHERE brand_id = ?)",
            brand,
        );
    }
    if let Some(launched) = filter.launched {
        w.int("s.is_launched = ?", i64::from(launched));
    }
    let total = w.count_capped(pool, "skus s", cap).await?;
    let skip = offset(page, size);
    if skip >= total && page > 1 {
        return Ok((total, Vec::new()));
    }
    let sql = format!("{COLUMNS}{} ORDER BY s.id LIMIT ? OFFSET ?", w.sql());
    let rows = w
        .bind_all(sqlx::query_as::<_, ConsoleSku>(&sql))
        .bind(i64::from(size))
        .bind(skip)
        .fetch_all(pool)
        .await?;
    Ok((total, rows))
}

/// The SKU `id`.
pub async fn get<'e, E>(executor: E, id: i64) -> Result<Option<ConsoleSku>, sqlx::Error>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    sqlx::query_as::<_, ConsoleSku>(&format!("{COLUMNS} WHERE s.id = ?"))
        .bind(id)
        .fetch_optional(executor)
        .await
}

/// New values of a SKU (absent: unchanged). Money in fen, already checked.
#[derive(Debug, Clone, Default)]
pub struct SkuChange {
    pub name: Option<String>,
    pub caption: Option<String>,
    pub price: Option<i64>,
    pub market_price: Option<i64>,
    pub cost_price: Option<i64>,
    pub is_launched: Option<bool>,
    /// `(spec id, value)` of specs of the SKU's SPU, already checked; an empty value clears.
    pub specs: Option<Vec<(i64, String)>>,
}

/// Every spec of SKU `id`'s SPU as `(spec id, name, this SKU's value or "")`, in the SPU's
/// order.
pub async fn specs<'e, E>(executor: E, id: i64) -> Result<Vec<(i64, String, String)>, sqlx::Error>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    sqlx::query_as(
        "SELECT s.id, s.name, COALESCE(MAX(v.name), '') FROM skus k \
         JOIN spu_specs s ON s.spu_id = k.spu_id \
         LEFT JOIN sku_spec_values v ON v.spu_spec_id = s.id AND v.sku_id = k.id \
         WHERE k.id = ? GROUP BY s.id, s.name ORDER BY s.id",
    )
    .bind(id)
    .fetch_all(executor)
    .await
}

/// What a change did.
#[derive(Debug, Clone)]
pub enum Changed {
    /// Saved: the SKU as it is now.
    Done(ConsoleSku),
    /// The SKU moved past the version read: nothing saved; its current values.
    Stale(ConsoleSku),
    /// No such SKU.
    Unknown,
}

/// Applies `change` to SKU `id` if it is still at `version`: the new values, the version
/// and the goods version bumped, the audit row with the values before and after, in one
/// transaction. The caller announces the goods change after it returns [`Changed::Done`].
pub async fn change(
    pool: &AnyPool,
    id: i64,
    version: i64,
    change: &SkuChange,
    actor: &Actor,
    now: i64,
) -> Result<Changed, sqlx::Error> {
    let mut tx = begin_write(pool).await?;
    let Some(before) = get(&mut *tx, id).await? else {
        tx.rollback().await?;
        return Ok(Changed::Unknown);
    };
    let updated = sqlx::query(
        "UPDATE skus SET name = ?, caption = ?, price = ?, market_price = ?, cost_price = ?, \
         is_launched = ?, version = version + 1, updated_at = ? WHERE id = ? AND version = ?",
    )
    .bind(change.name.clone().unwrap_or_else(|| before.name.clone()))
    .bind(
        change
            .caption
            .clone()
            .unwrap_or_else(|| before.caption.clone()),
    )
    .bind(change.price.unwrap_or(before.price))
    .bind(change.market_price.unwrap_or(before.market_price))
    .bind(change.cost_price.unwrap_or(before.cost_price))
    .bind(change.is_launched.map_or(before.is_launched, i64::from))
    .bind(now)
    .bind(id)
    .bind(version)
    .execute(&mut *tx)
    .await?;
    if updated.rows_affected() != 1 {
        tx.rollback().await?;
        return Ok(match get(pool, id).await? {
            Some(current) => Changed::Stale(current),
            None => Changed::Unknown,
        });
    }
    let mut specs_before = Vec::new();
    let mut specs_after = Vec::new();
    if let Some(values) = &change.specs {
        specs_before = specs(&mut *tx, id).await?;
        for (spec_id, value) in values {
            sqlx::query("DELETE FROM sku_spec_values WHERE sku_id = ? AND spu_spec_id = ?")
                .bind(id)
                .bind(spec_id)
                .execute(&mut *tx)
                .await?;
            if !value.is_empty() {
                sqlx::query(
                    "INSERT INTO sku_spec_values (sku_id, spu_spec_id, name, created_at, \
                     updated_at) VALUES (?, ?, ?, ?, ?)",
                )
                .bind(id)
                .bind(spec_id)
                .bind(value)
                .bind(now)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
        }
        specs_after = specs(&mut *tx, id).await?;
    }
    super::goods::bump_version(&mut *tx).await?;
    let after = get(&mut *tx, id).await?.unwrap_or_else(|| before.clone());
    let mut audit_before = changed_fields(&before, &after, true);
    let mut audit_after = changed_fields(&before, &after, false);
    if specs_before != specs_after {
        let named = |list: &[(i64, String, String)]| {
            list.iter()
                .map(|(_, name, value)| (name.clone(), serde_json::json!(value)))
                .collect::<serde_json::Map<_, _>>()
        };
        audit_before["specs"] = serde_json::Value::Object(named(&specs_before));
        audit_after["specs"] = serde_json::Value::Object(named(&specs_after));
    }
    audit::record(
        &mut tx,
        actor,
        &Change {
            resource: "skus",
            resource_id: &id.to_string(),
            action: "change",
            before: audit_before,
            after: audit_after,
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(Changed::Done(after))
}

/// The fields that differ between `a` and `b`, with `a`'s values (`first`) or `b`'s.
fn changed_fields(a: &ConsoleSku, b: &ConsoleSku, first: bool) -> serde_json::Value {
    let mut out = serde_json::Map::new();
    let pick = |x: serde_json::Value, y: serde_json::Value| if first { x } else { y };
    macro_rules! field {
        ($name:ident) => {
            if a.$name != b.$name {
                out.insert(
                    stringify!($name).to_owned(),
                    pick(serde_json::json!(a.$name), serde_json::json!(b.$name)),
                );
            }
        };
    }
    field!(name);
    field!(caption);
    field!(price);
    field!(market_price);
    field!(cost_price);
    field!(is_launched);
    out.insert(
        "version".to_owned(),
        pick(serde_json::json!(a.version), serde_json::json!(b.version)),
    );
    serde_json::Value::Object(out)
}

/// What a stock adjustment did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Adjusted {
    /// Applied: the stock before and after, in units.
    Done { before: i64, after: i64 },
    /// Refused: the stock would go below 0 or above `max`; the stock now.
    OutOfRange { stock: i64 },
    /// No such SKU.
    Unknown,
}

/// Adds `delta` units to SKU `id` (negative: takes them away) with a relative update, so that
/// orders made at the same moment are neither undone nor oversold; refused when the stock
/// would leave `0..=max`. Records the adjustment (before, after, reason) and its audit row in
/// the same transaction.
pub async fn adjust_stock(
    pool: &AnyPool,
    id: i64,
    delta: i64,
    max: i64,
    reason: &str,
    actor: &Actor,
    now: i64,
) -> Result<Adjusted, sqlx::Error> {
    let mut tx = begin_write(pool).await?;
    let updated = sqlx::query(
        "UPDATE skus SET stock = stock + ?, updated_at = ? \
         WHERE id = ? AND stock + ? >= 0 AND stock + ? <= ?",
    )
    .bind(delta)
    .bind(now)
    .bind(id)
    .bind(delta)
    .bind(delta)
    .bind(max)
    .execute(&mut *tx)
    .await?;
    if updated.rows_affected() != 1 {
        let stock: Option<i64> = sqlx::query_scalar("SELECT stock FROM skus WHERE id = ?")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
        tx.rollback().await?;
        return Ok(match stock {
            Some(stock) => Adjusted::OutOfRange { stock },
            None => Adjusted::Unknown,
        });
    }
    // The row is this transaction's until it commits: this is the stock it made.
    let after: i64 = sqlx::query_scalar("SELECT stock FROM skus WHERE id = ?")
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
    let before = after - delta;
    sqlx::query(
        "INSERT INTO stock_adjustments (sku_id, staff_id, staff_username, stock_before, \
         stock_after, delta, reason, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(id)
    .bind(actor.staff_id)
    .bind(&actor.username)
    .bind(before)
    .bind(after)
    .bind(delta)
    .bind(reason)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        actor,
        &Change {
            resource: "skus",
            resource_id: &id.to_string(),
            action: "stock",
            before: serde_json::json!({ "stock": before }),
            after: serde_json::json!({ "stock": after, "delta": delta, "reason": reason }),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(Adjusted::Done { before, after })
}

/// A recorded adjustment.
#[derive(Debug, Clone, FromRow)]
pub struct AdjustmentRow {
    pub id: i64,
    pub staff_username: String,
    pub stock_before: i64,
    pub stock_after: i64,
    pub delta: i64,
    pub reason: String,
    pub created_at: i64,
}

/// The newest `limit` adjustments of SKU `id`.
pub async fn adjustments(
    pool: &AnyPool,
    id: i64,
    limit: i64,
) -> Result<Vec<AdjustmentRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, staff_username, stock_before, stock_after, delta, reason, created_at \
         FROM stock_adjustments WHERE sku_id = ? ORDER BY created_at DESC, id DESC LIMIT ?",
    )
    .bind(id)
    .bind(limit)
    .fetch_all(pool)
    .await
}

#[cfg(test)]
mod tests {
    use super::like_escaped;

    #[test]
    fn like_patterns_are_escaped() {
        assert_eq!(like_escaped("拉杆箱"), "%拉杆箱%");
        assert_eq!(like_escaped("50%_a!"), "%50!%!_a!!%");
    }
}

/// A SKU's values that the CSV export carries and the import may change.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct CsvRow {
    pub id: i64,
    pub name: String,
    /// Fen.
    pub price: i64,
    pub market_price: i64,
    pub stock: i64,
    pub is_launched: i64,
}

/// Every SKU's exported values, by id.
pub async fn csv_rows(pool: &AnyPool) -> Result<Vec<CsvRow>, sqlx::Error> {
    sqlx::query_as("SELECT id, name, price, market_price, stock, is_launched FROM skus ORDER BY id")
        .fetch_all(pool)
        .await
}

/// Saves the rows `after` over the rows `before` (the values the preview was computed from)
/// in one transaction: each SKU is changed only if it still holds its `before` values, else
/// nothing is saved and the answer is `false` (an order or another operator changed it: the
/// caller previews again). Stock changes are recorded as adjustments with the reason
/// `reason`; one audit row lists every change; the goods version is bumped.
pub async fn apply_import(
    pool: &AnyPool,
    changes: &[(CsvRow, CsvRow)],
    reason: &str,
    actor: &Actor,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let mut tx = begin_write(pool).await?;
    for (before, after) in changes {
        let updated = sqlx::query(
            "UPDATE skus SET price = ?, market_price = ?, stock = ?, is_launched = ?, \
             version = version + 1, updated_at = ? WHERE id = ? AND price = ? \
             AND market_price = ? AND stock = ? AND is_launched = ?",
        )
        .bind(after.price)
        .bind(after.market_price)
        .bind(after.stock)
        .bind(after.is_launched)
        .bind(now)
        .bind(before.id)
        .bind(before.price)
        .bind(before.market_price)
        .bind(before.stock)
        .bind(before.is_launched)
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() != 1 {
            tx.rollback().await?;
            return Ok(false);
        }
        if after.stock != before.stock {
            sqlx::query(
                "INSERT INTO stock_adjustments (sku_id, staff_id, staff_username, stock_before, \
                 stock_after, delta, reason, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(before.id)
            .bind(actor.staff_id)
            .bind(&actor.username)
            .bind(before.stock)
            .bind(after.stock)
            .bind(after.stock - before.stock)
            .bind(reason)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
    }
    super::goods::bump_version(&mut *tx).await?;
    let listed = |pick: fn(&(CsvRow, CsvRow)) -> &CsvRow| -> serde_json::Value {
        changes
            .iter()
            .map(|pair| {
                let row = pick(pair);
                serde_json::json!({
                    "id": row.id, "price": row.price, "market_price": row.market_price,
                    "stock": row.stock, "launched": row.is_launched,
                })
            })
            .collect()
    };
    audit::record(
        &mut tx,
        actor,
        &Change {
            resource: "skus",
            resource_id: "import",
            action: "import",
            before: serde_json::json!({ "skus": listed(|p| &p.0) }),
            after: serde_json::json!({ "skus": listed(|p| &p.1) }),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}
