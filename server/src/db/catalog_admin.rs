//! Catalogs and brands as the console manages them (issue 25, item 1): create, rename,
//! reorder, hide; delete only what no SPU uses. Each write bumps the goods version and
//! records its audit row in its transaction.

use sqlx::{AnyPool, FromRow};

use super::audit::{self, Actor, Change};
use super::begin_write;

/// Catalogs or brands: the two tables the console manages alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Catalog,
    Brand,
}

impl Kind {
    fn table(self) -> &'static str {
        match self {
            Self::Catalog => "catalogs",
            Self::Brand => "brands",
        }
    }

    /// The `spus` column naming a row of this kind.
    fn spu_column(self) -> &'static str {
        match self {
            Self::Catalog => "catalog_id",
            Self::Brand => "brand_id",
        }
    }
}

/// A catalog with the number of its SPUs.
#[derive(Debug, Clone, FromRow, serde::Serialize)]
pub struct CatalogEntry {
    pub id: i64,
    pub name: String,
    pub sort_order: i64,
    pub is_hidden: i64,
    pub spu_count: i64,
    pub version: i64,
}

/// A brand with the number of its SPUs.
#[derive(Debug, Clone, FromRow, serde::Serialize)]
pub struct BrandEntry {
    pub id: i64,
    pub name: String,
    pub first_letter: String,
    pub logo: String,
    pub sort_order: i64,
    pub is_hidden: i64,
    pub spu_count: i64,
    pub version: i64,
}

/// Every catalog, hidden ones too, in the shop's order.
pub async fn catalogs(pool: &AnyPool) -> Result<Vec<CatalogEntry>, sqlx::Error> {
    sqlx::query_as(
        "SELECT c.id, c.name, c.sort_order, c.is_hidden, \
         (SELECT COUNT(*) FROM spus p WHERE p.catalog_id = c.id) AS spu_count, c.version \
         FROM catalogs c ORDER BY c.sort_order, c.id",
    )
    .fetch_all(pool)
    .await
}

/// Every brand, hidden ones too, by sort position, then first letter and name.
pub async fn brands(pool: &AnyPool) -> Result<Vec<BrandEntry>, sqlx::Error> {
    sqlx::query_as(
        "SELECT b.id, b.name, b.first_letter, b.logo, b.sort_order, b.is_hidden, \
         (SELECT COUNT(*) FROM spus p WHERE p.brand_id = b.id) AS spu_count, b.version \
         FROM brands b ORDER BY b.sort_order, b.first_letter, b.name, b.id",
    )
    .fetch_all(pool)
    .await
}

/// What a write did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Done,
    /// Another row of this kind has the name.
    NameTaken,
    /// The row moved past the version read.
    Stale,
    /// SPUs still use the row: their number and the names of the first few (by id).
    InUse {
        count: i64,
        names: Vec<String>,
    },
    Unknown,
}

async fn name_taken(
    conn: &mut sqlx::AnyConnection,
    kind: Kind,
    name: &str,
    except: i64,
) -> Result<bool, sqlx::Error> {
    let found: Option<i64> = sqlx::query_scalar(&format!(
        "SELECT id FROM {} WHERE name = ? AND id <> ? LIMIT 1",
        kind.table()
    ))
    .bind(name)
    .bind(except)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(found.is_some())
}

/// New values of a catalog or brand (absent: unchanged); `first_letter` for brands only.
#[derive(Debug, Clone, Default)]
pub struct Fields {
    pub name: Option<String>,
    pub first_letter: Option<String>,
    pub sort_order: Option<i64>,
    pub is_hidden: Option<bool>,
}

/// Creates a catalog or brand named `fields.name` (unique within its kind).
pub async fn create(
    pool: &AnyPool,
    kind: Kind,
    fields: &Fields,
    actor: &Actor,
    now: i64,
) -> Result<Outcome, sqlx::Error> {
    let name = fields.name.clone().unwrap_or_default();
    let mut tx = begin_write(pool).await?;
    if name_taken(&mut tx, kind, &name, 0).await? {
        tx.rollback().await?;
        return Ok(Outcome::NameTaken);
    }
    match kind {
        Kind::Catalog => {
            sqlx::query(
                "INSERT INTO catalogs (name, sort_order, is_hidden, version, created_at, updated_at) \
                 VALUES (?, ?, ?, 0, ?, ?)",
            )
            .bind(&name)
            .bind(fields.sort_order.unwrap_or(0))
            .bind(i64::from(fields.is_hidden.unwrap_or(false)))
            .bind(now)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        Kind::Brand => {
            sqlx::query(
                "INSERT INTO brands (name, logo, first_letter, sort_order, is_hidden, version, \
                 created_at, updated_at) VALUES (?, '', ?, ?, ?, 0, ?, ?)",
            )
            .bind(&name)
            .bind(
                fields
                    .first_letter
                    .clone()
                    .unwrap_or_else(|| "#".to_owned()),
            )
            .bind(fields.sort_order.unwrap_or(0))
            .bind(i64::from(fields.is_hidden.unwrap_or(false)))
            .bind(now)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
    }
    super::goods::bump_version(&mut *tx).await?;
    audit::record(
        &mut tx,
        actor,
        &Change {
            resource: kind.table(),
            resource_id: &name,
            action: "create",
            before: serde_json::json!({}),
            after: serde_json::json!({
                "name": name, "first_letter": fields.first_letter,
                "sort_order": fields.sort_order, "is_hidden": fields.is_hidden,
            }),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(Outcome::Done)
}

/// Changes the catalog or brand `id` if it is still at `version`.
pub async fn change(
    pool: &AnyPool,
    kind: Kind,
    id: i64,
    version: i64,
    fields: &Fields,
    actor: &Actor,
    now: i64,
) -> Result<Outcome, sqlx::Error> {
    let mut tx = begin_write(pool).await?;
    let before: Option<(String, String, i64, i64, i64)> = match kind {
        Kind::Catalog => sqlx::query_as(
            "SELECT name, '' AS first_letter, sort_order, is_hidden, version FROM catalogs WHERE id = ?",
        ),
        Kind::Brand => sqlx::query_as(
            "SELECT name, first_letter, sort_order, is_hidden, version FROM brands WHERE id = ?",
        ),
    }
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((name, letter, order, hidden, current)) = before else {
        tx.rollback().await?;
        return Ok(Outcome::Unknown);
    };
    if current != version {
        tx.rollback().await?;
        return Ok(Outcome::Stale);
    }
    let new_name = fields.name.clone().unwrap_or_else(|| name.clone());
    if new_name != name && name_taken(&mut tx, kind, &new_name, id).await? {
        tx.rollback().await?;
        return Ok(Outcome::NameTaken);
    }
    let new_letter = fields
        .first_letter
        .clone()
        .unwrap_or_else(|| letter.clone());
    let new_order = fields.sort_order.unwrap_or(order);
    let new_hidden = fields.is_hidden.map_or(hidden, i64::from);
    let updated = match kind {
        Kind::Catalog => sqlx::query(
            "UPDATE catalogs SET name = ?, sort_order = ?, is_hidden = ?, version = version + 1, \
             updated_at = ? WHERE id = ? AND version = ?",
        )
        .bind(&new_name)
        .bind(new_order)
        .bind(new_hidden),
        Kind::Brand => sqlx::query(
            "UPDATE brands SET name = ?, first_letter = ?, sort_order = ?, is_hidden = ?, \
             version = version + 1, updated_at = ? WHERE id = ? AND version = ?",
        )
        .bind(&new_name)
        .bind(&new_letter)
        .bind(new_order)
        .bind(new_hidden),
    }
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
    let (before, after) = match kind {
        Kind::Catalog => (
            serde_json::json!({ "name": name, "sort_order": order, "is_hidden": hidden == 1, "version": version }),
            serde_json::json!({ "name": new_name, "sort_order": new_order, "is_hidden": new_hidden == 1, "version": version + 1 }),
        ),
        Kind::Brand => (
            serde_json::json!({ "name": name, "first_letter": letter, "sort_order": order, "is_hidden": hidden == 1, "version": version }),
            serde_json::json!({ "name": new_name, "first_letter": new_letter, "sort_order": new_order, "is_hidden": new_hidden == 1, "version": version + 1 }),
        ),
    };
    audit::record(
        &mut tx,
        actor,
        &Change {
            resource: kind.table(),
            resource_id: &id.to_string(),
            action: "change",
            before,
            after,
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(Outcome::Done)
}

/// How many of the SPUs that keep a catalog or brand from being deleted are named.
const IN_USE_NAMES: i64 = 5;

/// Deletes the catalog or brand `id`, unless an SPU uses it ([`Outcome::InUse`], naming
/// the first [`IN_USE_NAMES`] of them).
pub async fn delete(
    pool: &AnyPool,
    kind: Kind,
    id: i64,
    actor: &Actor,
    now: i64,
) -> Result<Outcome, sqlx::Error> {
    let mut tx = begin_write(pool).await?;
    let name: Option<String> =
        sqlx::query_scalar(&format!("SELECT name FROM {} WHERE id = ?", kind.table()))
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
    let Some(name) = name else {
        tx.rollback().await?;
        return Ok(Outcome::Unknown);
    };
    let used: i64 = sqlx::query_scalar(&format!(
        "SELECT COUNT(*) FROM spus WHERE {} = ?",
        kind.spu_column()
    ))
    .bind(id)
    .fetch_one(&mut *tx)
    .await?;
    if used > 0 {
        let names: Vec<String> = sqlx::query_scalar(&format!(
            "SELECT name FROM spus WHERE {} = ? ORDER BY id LIMIT {IN_USE_NAMES}",
            kind.spu_column()
        ))
        .bind(id)
        .fetch_all(&mut *tx)
        .await?;
        tx.rollback().await?;
        return Ok(Outcome::InUse { count: used, names });
    }
    sqlx::query(&format!("DELETE FROM {} WHERE id = ?", kind.table()))
        .bind(id)
        .execute(&mut *tx)
        .await?;
    super::goods::bump_version(&mut *tx).await?;
    audit::record(
        &mut tx,
        actor,
        &Change {
            resource: kind.table(),
            resource_id: &id.to_string(),
            action: "delete",
            before: serde_json::json!({ "name": name }),
            after: serde_json::json!({}),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(Outcome::Done)
}
