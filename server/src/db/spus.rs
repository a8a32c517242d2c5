//! SPUs as the console edits them (issue 25, items 2 and 3): the SPU, its sale attributes and
//! their values in order, its specs, and the SKU grid (one SKU per combination of values,
//! never two). Each write bumps the goods version and records its audit row in its
//! transaction.

use std::collections::HashSet;

use sqlx::{AnyPool, FromRow};

use super::audit::{self, Actor, Change};
use super::begin_write;
use super::filter::{Where, offset};

/// An SPU with its catalog's and brand's names and its number of SKUs.
#[derive(Debug, Clone, FromRow)]
pub struct SpuRow {
    pub id: i64,
    pub name: String,
    pub catalog_id: i64,
    pub catalog_name: String,
    pub brand_id: i64,
    pub brand_name: String,
    pub sku_count: i64,
    pub description: String,
    pub version: i64,
}

const COLUMNS: &str = "SELECT p.id, p.name, p.catalog_id, c.name AS catalog_name, p.brand_id, \
    b.name AS brand_name, (SELECT COUNT(*) FROM skus k WHERE k.spu_id = p.id) AS sku_count, \
    p.description, p.version FROM spus p JOIN catalogs c ON c.id = p.catalog_id \
    JOIN brands b ON b.id = p.brand_id";

/// Filters of the SPU list.
#[derive(Debug, Clone, Default)]
pub struct SpuFilter {
    /// Words of the name (`LIKE`).
    pub q: Option<String>,
    pub catalog_id: Option<i64>,
    pub brand_id: Option<i64>,
}

/// The SPUs matching `filter`, by id: the count (up to `cap` + 1) and page `page` of `size`.
pub async fn list(
    pool: &AnyPool,
    filter: &SpuFilter,
    page: u64,
    size: u32,
    cap: i64,
) -> Result<(i64, Vec<SpuRow>), sqlx::Error> {
    let mut w = Where::default();
    if let Some(q) = &filter.q {
        w.text("p.name LIKE ? ESCAPE '!'", super::skus::like_escaped(q));
    }
    if let Some(c) = filter.catalog_id {
        w.int("p.catalog_id = ?", c);
    }
    if let Some(b) = filter.brand_id {
        w.int("p.brand_id = ?", b);
    }
    let total = w.count_capped(pool, "spus p", cap).await?;
    let skip = offset(page, size);
    if skip >= total && page > 1 {
        return Ok((total, Vec::new()));
    }
    let sql = format!("{COLUMNS}{} ORDER BY p.id LIMIT ? OFFSET ?", w.sql());
    let rows = w
        .bind_all(sqlx::query_as::<_, SpuRow>(&sql))
        .bind(i64::from(size))
        .bind(skip)
        .fetch_all(pool)
        .await?;
    Ok((total, rows))
}

/// The SPU `id`.
pub async fn get<'e, E>(executor: E, id: i64) -> Result<Option<SpuRow>, sqlx::Error>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    sqlx::query_as::<_, SpuRow>(&format!("{COLUMNS} WHERE p.id = ?"))
        .bind(id)
        .fetch_optional(executor)
        .await
}

/// `(attribute id, attribute name, value id, value name)` of SPU `id`, in order (an
/// attribute without values has a `None` value).
pub async fn sale_values(
    pool: &AnyPool,
    id: i64,
) -> Result<Vec<(i64, String, Option<i64>, Option<String>)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT a.id, a.name, v.id, v.name FROM spu_sale_attrs a \
         LEFT JOIN sale_attr_values v ON v.spu_sale_attr_id = a.id \
         WHERE a.spu_id = ? ORDER BY a.id, v.id",
    )
    .bind(id)
    .fetch_all(pool)
    .await
}

/// The spec names of SPU `id`, in order.
pub async fn specs(pool: &AnyPool, id: i64) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT name FROM spu_specs WHERE spu_id = ? ORDER BY id")
        .bind(id)
        .fetch_all(pool)
        .await
}

/// A SKU of the grid with the ids of its values.
#[derive(Debug, Clone, FromRow)]
pub struct GridRow {
    pub id: i64,
    pub name: String,
    pub price: i64,
    pub stock: i64,
    pub is_launched: i64,
    pub value_id: Option<i64>,
}

/// The SKUs of SPU `id` with their value ids, one row per (SKU, value), by SKU id.
pub async fn grid<'e, E>(executor: E, id: i64) -> Result<Vec<GridRow>, sqlx::Error>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    sqlx::query_as(
        "SELECT k.id, k.name, k.price, k.stock, k.is_launched, l.sale_attr_value_id AS value_id \
         FROM skus k LEFT JOIN sku_sale_attr_values l ON l.sku_id = k.id \
         WHERE k.spu_id = ? ORDER BY k.id, l.sale_attr_value_id",
    )
    .bind(id)
    .fetch_all(executor)
    .await
}

/// The key of a combination: `<spu id>:<value ids ascending, comma-separated>`.
pub fn combination_key(spu_id: i64, values: &[i64]) -> String {
    let mut sorted = values.to_vec();
    sorted.sort_unstable();
    let ids: Vec<String> = sorted.iter().map(i64::to_string).collect();
    format!("{spu_id}:{}", ids.join(","))
}

/// A new SPU's fields, already checked.
#[derive(Debug, Clone)]
pub struct NewSpu {
    pub name: String,
    pub catalog_id: i64,
    pub brand_id: i64,
    pub description: String,
    /// `(attribute name, value names)` in order.
    pub sale_attrs: Vec<(String, Vec<String>)>,
    pub specs: Vec<String>,
}

/// What a write did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Done; the SPU's id.
    Done(i64),
    /// The catalog or the brand does not exist.
    NoSuchCatalogOrBrand,
    /// The SPU moved past the version read.
    Stale,
    /// A value of that name exists already, or a SKU has that combination.
    Duplicate,
    /// The values do not name one value of each of the SPU's sale attributes.
    BadCombination,
    Unknown,
}

async fn catalog_and_brand_exist(
    conn: &mut sqlx::AnyConnection,
    catalog_id: i64,
    brand_id: i64,
) -> Result<bool, sqlx::Error> {
    let found: i64 = sqlx::query_scalar(
        "SELECT (SELECT COUNT(*) FROM catalogs WHERE id = ?) + (SELECT COUNT(*) FROM brands WHERE id = ?)",
    )
    .bind(catalog_id)
    .bind(brand_id)
    .fetch_one(conn)
    .await?;
    Ok(found == 2)
}

/// The newest id of `table` whose `column` is `parent`: the row this transaction just
/// inserted (no `last_insert_id`, docs/architecture.md "Storage").
async fn newest_id(
    conn: &mut sqlx::AnyConnection,
    table: &str,
    column: &str,
    parent: i64,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(&format!("SELECT MAX(id) FROM {table} WHERE {column} = ?"))
        .bind(parent)
        .fetch_one(conn)
        .await
}

/// Creates an SPU with its sale attributes, their values and its specs.
pub async fn create(
    pool: &AnyPool,
    new: &NewSpu,
    actor: &Actor,
    now: i64,
) -> Result<Outcome, sqlx::Error> {
    let mut tx = begin_write(pool).await?;
    if !catalog_and_brand_exist(&mut tx, new.catalog_id, new.brand_id).await? {
        tx.rollback().await?;
        return Ok(Outcome::NoSuchCatalogOrBrand);
    }
    // A marker name finds the row again whatever the other operators insert meanwhile.
    let marker = format!("\u{1}new:{}", uuid::Uuid::new_v4().simple());
    sqlx::query(
        "INSERT INTO spus (name, sales, comments, brand_id, catalog_id, description, version, \
         created_at, updated_at) VALUES (?, 0, 0, ?, ?, ?, 0, ?, ?)",
    )
    .bind(&marker)
    .bind(new.brand_id)
    .bind(new.catalog_id)
    .bind(&new.description)
    .bind(now)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    let id: i64 = sqlx::query_scalar("SELECT id FROM spus WHERE name = ?")
        .bind(&marker)
        .fetch_one(&mut *tx)
        .await?;
    sqlx::query("UPDATE spus SET name = ? WHERE id = ?")
        .bind(&new.name)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    for (attr, values) in &new.sale_attrs {
        sqlx::query(
            "INSERT INTO spu_sale_attrs (spu_id, name, created_at, updated_at) VALUES (?, ?, ?, ?)",
        )
        .bind(id)
        .bind(attr)
        .bind(now)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let attr_id = newest_id(&mut tx, "spu_sale_attrs", "spu_id", id).await?;
        for value in values {
            insert_value(&mut tx, attr_id, value, now).await?;
        }
    }
    for spec in &new.specs {
        sqlx::query(
            "INSERT INTO spu_specs (spu_id, name, created_at, updated_at) VALUES (?, ?, ?, ?)",
        )
        .bind(id)
        .bind(spec)
        .bind(now)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    }
    super::goods::bump_version(&mut *tx).await?;
    audit::record(
        &mut tx,
        actor,
        &Change {
            resource: "spus",
            resource_id: &id.to_string(),
            action: "create",
            before: serde_json::json!({}),
            after: serde_json::json!({
                "name": new.name, "catalog_id": new.catalog_id, "brand_id": new.brand_id,
                "sale_attrs": new.sale_attrs, "specs": new.specs,
            }),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(Outcome::Done(id))
}

async fn insert_value(
    conn: &mut sqlx::AnyConnection,
    attr_id: i64,
    name: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO sale_attr_values (spu_sale_attr_id, name, created_at, updated_at) \
         VALUES (?, ?, ?, ?)",
    )
    .bind(attr_id)
    .bind(name)
    .bind(now)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// New values of an SPU (absent: unchanged), already checked.
#[derive(Debug, Clone, Default)]
pub struct SpuChange {
    pub name: Option<String>,
    pub catalog_id: Option<i64>,
    pub brand_id: Option<i64>,
    pub description: Option<String>,
}

/// Changes SPU `id` if it is still at `version`.
pub async fn change(
    pool: &AnyPool,
    id: i64,
    version: i64,
    change: &SpuChange,
    actor: &Actor,
    now: i64,
) -> Result<Outcome, sqlx::Error> {
    let mut tx = begin_write(pool).await?;
    let Some(before) = get(&mut *tx, id).await? else {
        tx.rollback().await?;
        return Ok(Outcome::Unknown);
    };
    let catalog_id = change.catalog_id.unwrap_or(before.catalog_id);
    let brand_id = change.brand_id.unwrap_or(before.brand_id);
    if !catalog_and_brand_exist(&mut tx, catalog_id, brand_id).await? {
        tx.rollback().await?;
        return Ok(Outcome::NoSuchCatalogOrBrand);
    }
    let name = change.name.clone().unwrap_or_else(|| before.name.clone());
    let description = change
        .description
        .clone()
        .unwrap_or_else(|| before.description.clone());
    let updated = sqlx::query(
        "UPDATE spus SET name = ?, catalog_id = ?, brand_id = ?, description = ?, \
         version = version + 1, updated_at = ? WHERE id = ? AND version = ?",
    )
    .bind(&name)
    .bind(catalog_id)
    .bind(brand_id)
    .bind(&description)
    .bind(now)
    .bind(id)
    .bind(version)
    .execute(&mut *tx)
    .await?;
    if updated.rows_affected() != 1 {
        tx.rollback().await?;
        return Ok(Outcome::Stale);
    }
    super::goods::bump_version(&mut *tx).await?;
    audit::record(
        &mut tx,
        actor,
        &Change {
            resource: "spus",
            resource_id: &id.to_string(),
            action: "change",
            before: serde_json::json!({
                "name": before.name, "catalog_id": before.catalog_id,
                "brand_id": before.brand_id, "description": before.description, "version": version,
            }),
            after: serde_json::json!({
                "name": name, "catalog_id": catalog_id, "brand_id": brand_id,
                "description": description, "version": version + 1,
            }),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(Outcome::Done(id))
}

/// Adds the value `name` to sale attribute `attr_id` of SPU `spu_id` (a name not yet among
/// its values).
pub async fn add_value(
    pool: &AnyPool,
    spu_id: i64,
    attr_id: i64,
    name: &str,
    actor: &Actor,
    now: i64,
) -> Result<Outcome, sqlx::Error> {
    let mut tx = begin_write(pool).await?;
    let owner: Option<i64> = sqlx::query_scalar("SELECT spu_id FROM spu_sale_attrs WHERE id = ?")
        .bind(attr_id)
        .fetch_optional(&mut *tx)
        .await?;
    if owner != Some(spu_id) {
        tx.rollback().await?;
        return Ok(Outcome::Unknown);
    }
    let taken: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM sale_attr_values WHERE spu_sale_attr_id = ? AND name = ? LIMIT 1",
    )
    .bind(attr_id)
    .bind(name)
    .fetch_optional(&mut *tx)
    .await?;
    if taken.is_some() {
        tx.rollback().await?;
        return Ok(Outcome::Duplicate);
    }
    insert_value(&mut tx, attr_id, name, now).await?;
    sqlx::query("UPDATE spus SET version = version + 1, updated_at = ? WHERE id = ?")
        .bind(now)
        .bind(spu_id)
        .execute(&mut *tx)
        .await?;
    super::goods::bump_version(&mut *tx).await?;
    audit::record(
        &mut tx,
        actor,
        &Change {
            resource: "spus",
            resource_id: &spu_id.to_string(),
            action: "add_value",
            before: serde_json::json!({}),
            after: serde_json::json!({ "attr_id": attr_id, "value": name }),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(Outcome::Done(spu_id))
}

/// A new SKU's fields (money in fen), already checked.
#[derive(Debug, Clone)]
pub struct NewSku {
    pub name: String,
    pub caption: String,
    pub price: i64,
    pub market_price: i64,
    pub cost_price: i64,
    pub stock: i64,
    pub is_launched: bool,
    /// One value of each sale attribute of the SPU.
    pub value_ids: Vec<i64>,
}

/// `(attribute id, value ids)` of SPU `spu_id`, in order.
pub async fn attributes(
    conn: &mut sqlx::AnyConnection,
    spu_id: i64,
) -> Result<Vec<(i64, Vec<i64>)>, sqlx::Error> {
    let rows: Vec<(i64, Option<i64>)> = sqlx::query_as(
        "SELECT a.id, v.id FROM spu_sale_attrs a \
         LEFT JOIN sale_attr_values v ON v.spu_sale_attr_id = a.id \
         WHERE a.spu_id = ? ORDER BY a.id, v.id",
    )
    .bind(spu_id)
    .fetch_all(conn)
    .await?;
    let mut out: Vec<(i64, Vec<i64>)> = Vec::new();
    for (attr, value) in rows {
        if out.last().is_none_or(|(a, _)| *a != attr) {
            out.push((attr, Vec::new()));
        }
        if let (Some(v), Some(last)) = (value, out.last_mut()) {
            last.1.push(v);
        }
    }
    Ok(out)
}

/// Every combination of one value per attribute (the grid's cells), in order.
pub fn combinations(attrs: &[(i64, Vec<i64>)]) -> Vec<Vec<i64>> {
    let mut out: Vec<Vec<i64>> = vec![Vec::new()];
    for (_, values) in attrs {
        let mut next = Vec::new();
        for prefix in &out {
            for v in values {
                let mut cell = prefix.clone();
                cell.push(*v);
                next.push(cell);
            }
        }
        out = next;
    }
    if attrs.is_empty() { Vec::new() } else { out }
}

/// The combinations the SKUs of SPU `spu_id` hold (value ids ascending).
async fn taken_combinations(
    conn: &mut sqlx::AnyConnection,
    spu_id: i64,
) -> Result<HashSet<Vec<i64>>, sqlx::Error> {
    let rows = grid(&mut *conn, spu_id).await?;
    let mut per_sku: std::collections::BTreeMap<i64, Vec<i64>> = std::collections::BTreeMap::new();
    for r in rows {
        let entry = per_sku.entry(r.id).or_default();
        if let Some(v) = r.value_id {
            entry.push(v);
        }
    }
    Ok(per_sku
        .into_values()
        .map(|mut v| {
            v.sort_unstable();
            v
        })
        .collect())
}

/// Creates the SKUs `skus` of SPU `spu_id` (each with one value of every sale attribute and
/// a combination no SKU has), in one transaction; `Done` with the SPU's id.
pub async fn create_skus(
    pool: &AnyPool,
    spu_id: i64,
    skus: &[NewSku],
    actor: &Actor,
    now: i64,
) -> Result<Outcome, sqlx::Error> {
    let mut tx = begin_write(pool).await?;
    let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM spus WHERE id = ?")
        .bind(spu_id)
        .fetch_optional(&mut *tx)
        .await?;
    if exists.is_none() {
        tx.rollback().await?;
        return Ok(Outcome::Unknown);
    }
    let attrs = attributes(&mut tx, spu_id).await?;
    let mut taken = taken_combinations(&mut tx, spu_id).await?;
    for sku in skus {
        // One value of each attribute, in the attributes' order.
        let fits = sku.value_ids.len() == attrs.len()
            && attrs
                .iter()
                .zip(&sku.value_ids)
                .all(|((_, values), v)| values.contains(v));
        if !fits || attrs.is_empty() {
            tx.rollback().await?;
            return Ok(Outcome::BadCombination);
        }
        let mut sorted = sku.value_ids.clone();
        sorted.sort_unstable();
        if !taken.insert(sorted) {
            tx.rollback().await?;
            return Ok(Outcome::Duplicate);
        }
        let key = combination_key(spu_id, &sku.value_ids);
        let inserted = sqlx::query(
            "INSERT INTO skus (name, caption, spu_id, price, cost_price, market_price, stock, \
             sales, comments, is_launched, default_image_url, version, combination_key, \
             created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 0, 0, ?, '', 0, ?, ?, ?)",
        )
        .bind(&sku.name)
        .bind(&sku.caption)
        .bind(spu_id)
        .bind(sku.price)
        .bind(sku.cost_price)
        .bind(sku.market_price)
        .bind(sku.stock)
        .bind(i64::from(sku.is_launched))
        .bind(&key)
        .bind(now)
        .bind(now)
        .execute(&mut *tx)
        .await;
        match inserted {
            Ok(_) => {}
            Err(e) if super::is_unique_violation(&e) => {
                tx.rollback().await?;
                return Ok(Outcome::Duplicate);
            }
            Err(e) => return Err(e),
        }
        let sku_id: i64 = sqlx::query_scalar("SELECT id FROM skus WHERE combination_key = ?")
            .bind(&key)
            .fetch_one(&mut *tx)
            .await?;
        for v in &sku.value_ids {
            sqlx::query(
                "INSERT INTO sku_sale_attr_values (sku_id, sale_attr_value_id) VALUES (?, ?)",
            )
            .bind(sku_id)
            .bind(*v)
            .execute(&mut *tx)
            .await?;
        }
        audit::record(
            &mut tx,
            actor,
            &Change {
                resource: "skus",
                resource_id: &sku_id.to_string(),
                action: "create",
                before: serde_json::json!({}),
                after: serde_json::json!({
                    "spu_id": spu_id, "name": sku.name, "price": sku.price,
                    "stock": sku.stock, "is_launched": sku.is_launched, "values": sku.value_ids,
                }),
            },
            now,
        )
        .await?;
    }
    super::goods::bump_version(&mut *tx).await?;
    tx.commit().await?;
    Ok(Outcome::Done(spu_id))
}

/// The value names of SPU `spu_id` by value id.
pub async fn value_names(
    pool: &AnyPool,
    spu_id: i64,
) -> Result<std::collections::HashMap<i64, String>, sqlx::Error> {
    let rows = sale_values(pool, spu_id).await?;
    Ok(rows
        .into_iter()
        .filter_map(|(_, _, id, name)| id.zip(name))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_grid_is_every_combination_in_order() {
        let attrs = vec![(1, vec![10, 11]), (2, vec![20, 21, 22])];
        let cells = combinations(&attrs);
        assert_eq!(cells.len(), 6);
        assert_eq!(cells[0], [10, 20]);
        assert_eq!(cells[5], [11, 22]);
        assert!(combinations(&[]).is_empty());
        assert_eq!(combination_key(7, &[21, 10]), "7:10,21");
    }
}
