//! The `pictures` table and the SKU's pictures in `sku_images` (issue 25 item 4).
//!
//! **Life of a picture.** An upload first *claims* its row ([`claim`]: inserted, or an
//! existing row of the same content touched) with `unused_since` = now, then writes its files
//! to the media store, then attaches it to a SKU or brand ([`attach_to_sku`],
//! [`set_brand_logo`]), which clears `unused_since`. Letting go of it (a picture removed from
//! its last SKU, a logo replaced) sets `unused_since` again ([`mark_if_unused`]).
//!
//! **The sweep** ([`sweep_candidates`], [`delete_if_unused`]) removes a picture whose
//! `unused_since` is older than the grace period and which nothing uses: no SKU, no brand,
//! no order line (an order keeps showing what was bought), no return (a shopper's pictures
//! of what they send back). It deletes the row in a write
//! transaction and removes the files *before* committing, so an upload of the same content
//! meanwhile waits on the row and then inserts a fresh one and writes the files again: a
//! picture is never left with its row and without its files.

use sqlx::{AnyPool, FromRow};

use super::audit::{self, Actor, Change};
use super::begin_write;

/// A stored picture.
#[derive(Debug, Clone, FromRow)]
pub struct Picture {
    pub id: i64,
    pub content_hash: String,
    pub image: String,
    pub thumbnail: String,
    pub width: i64,
    pub height: i64,
    pub bytes: i64,
}

/// A picture of a SKU (a `sku_images` row), as the console lists them.
#[derive(Debug, Clone, FromRow)]
pub struct SkuPicture {
    /// The `sku_images` row's id: what the console reorders and deletes.
    pub id: i64,
    pub image: String,
    pub thumbnail: String,
    pub width: i64,
    pub height: i64,
    pub bytes: i64,
    pub is_default: i64,
}

/// What an upload stores: the content hash, the two media keys, the full picture's pixels
/// and bytes.
#[derive(Debug, Clone)]
pub struct NewPicture {
    pub content_hash: String,
    pub image: String,
    pub thumbnail: String,
    pub width: i64,
    pub height: i64,
    pub bytes: i64,
}

/// Claims the row of `picture`'s content: inserts it, or touches the existing one (a used
/// picture stays used; an unused one gets a fresh `unused_since`, so the sweep leaves it alone
/// for the grace period). Returns its id. Waits while a sweep is removing the same content.
pub async fn claim(
    pool: &AnyPool,
    picture: &NewPicture,
    staff_id: Option<i64>,
    now: i64,
) -> Result<i64, sqlx::Error> {
    for _ in 0..3 {
        sqlx::query(
            "UPDATE pictures SET unused_since = ? WHERE content_hash = ? AND unused_since IS NOT NULL",
        )
        .bind(now)
        .bind(&picture.content_hash)
        .execute(pool)
        .await?;
        let existing: Option<(i64,)> =
            sqlx::query_as("SELECT id FROM pictures WHERE content_hash = ?")
                .bind(&picture.content_hash)
                .fetch_optional(pool)
                .await?;
        if let Some((id,)) = existing {
            return Ok(id);
        }
        let inserted = sqlx::query(
            "INSERT INTO pictures (content_hash, image, thumbnail, width, height, bytes, \
             uploaded_by, created_at, unused_since) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&picture.content_hash)
        .bind(&picture.image)
        .bind(&picture.thumbnail)
        .bind(picture.width)
        .bind(picture.height)
        .bind(picture.bytes)
        .bind(staff_id)
        .bind(now)
        .bind(now)
        .execute(pool)
        .await;
        match inserted {
            Ok(_) => {
                let (id,): (i64,) =
                    sqlx::query_as("SELECT id FROM pictures WHERE content_hash = ?")
                        .bind(&picture.content_hash)
                        .fetch_one(pool)
                        .await?;
                return Ok(id);
            }
            // Another upload of the same content inserted it first: take that row.
            Err(e) if super::is_unique_violation(&e) => continue,
            Err(e) => return Err(e),
        }
    }
    Err(sqlx::Error::RowNotFound)
}

/// SKU `sku_id`'s pictures in the shop's order.
pub async fn of_sku<'e, E>(executor: E, sku_id: i64) -> Result<Vec<SkuPicture>, sqlx::Error>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    sqlx::query_as(
        "SELECT i.id, i.image, i.thumbnail, COALESCE(p.width, 0) AS width, \
         COALESCE(p.height, 0) AS height, COALESCE(p.bytes, 0) AS bytes, i.is_default \
         FROM sku_images i LEFT JOIN pictures p ON p.id = i.picture_id \
         WHERE i.sku_id = ? ORDER BY i.position, i.id",
    )
    .bind(sku_id)
    .fetch_all(executor)
    .await
}

/// What attaching a picture to a SKU did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attached {
    /// A new `sku_images` row (its id).
    Added(i64),
    /// The SKU already had this picture (that row's id).
    AlreadyThere(i64),
    /// The SKU holds [`dadashop_types::admin::PICTURES_PER_SKU_MAX`] pictures already.
    Full,
    /// No such SKU.
    Unknown,
}

/// Attaches claimed picture `picture_id` to SKU `sku_id` as its last picture (its default
/// when it has none), with the audit row and a new goods version, in one transaction.
pub async fn attach_to_sku(
    pool: &AnyPool,
    sku_id: i64,
    picture_id: i64,
    actor: &Actor,
    now: i64,
) -> Result<Attached, sqlx::Error> {
    let mut tx = begin_write(pool).await?;
    let sku: Option<(i64,)> = sqlx::query_as("SELECT id FROM skus WHERE id = ?")
        .bind(sku_id)
        .fetch_optional(&mut *tx)
        .await?;
    if sku.is_none() {
        tx.rollback().await?;
        return Ok(Attached::Unknown);
    }
    let existing: Option<(i64,)> =
        sqlx::query_as("SELECT id FROM sku_images WHERE sku_id = ? AND picture_id = ?")
            .bind(sku_id)
            .bind(picture_id)
            .fetch_optional(&mut *tx)
            .await?;
    if let Some((id,)) = existing {
        tx.rollback().await?;
        return Ok(Attached::AlreadyThere(id));
    }
    let (count, defaults, last): (i64, i64, i64) = sqlx::query_as(
        "SELECT COUNT(*), CAST(COALESCE(SUM(is_default), 0) AS SIGNED), \
         CAST(COALESCE(MAX(position), 0) AS SIGNED) FROM sku_images WHERE sku_id = ?",
    )
    .bind(sku_id)
    .fetch_one(&mut *tx)
    .await?;
    if usize::try_from(count).unwrap_or(usize::MAX) >= dadashop_types::admin::PICTURES_PER_SKU_MAX {
        tx.rollback().await?;
        return Ok(Attached::Full);
    }
    let picture: Picture = sqlx::query_as(
        "SELECT id, content_hash, image, thumbnail, width, height, bytes FROM pictures WHERE id = ?",
    )
    .bind(picture_id)
    .fetch_one(&mut *tx)
    .await?;
    let is_default = defaults == 0;
    sqlx::query(
        "INSERT INTO sku_images (sku_id, image, thumbnail, picture_id, position, is_default, \
         created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(sku_id)
    .bind(&picture.image)
    .bind(&picture.thumbnail)
    .bind(picture_id)
    .bind(last + 1)
    .bind(i64::from(is_default))
    .bind(now)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    let (row_id,): (i64,) =
        sqlx::query_as("SELECT id FROM sku_images WHERE sku_id = ? AND picture_id = ?")
            .bind(sku_id)
            .bind(picture_id)
            .fetch_one(&mut *tx)
            .await?;
    sqlx::query("UPDATE pictures SET unused_since = NULL WHERE id = ?")
        .bind(picture_id)
        .execute(&mut *tx)
        .await?;
    if is_default {
        set_default_image(&mut tx, sku_id, &picture.thumbnail, now).await?;
    }
    super::goods::bump_version(&mut *tx).await?;
    audit::record(
        &mut tx,
        actor,
        &Change {
            resource: "skus",
            resource_id: &sku_id.to_string(),
            action: "add_picture",
            before: serde_json::json!({}),
            after: serde_json::json!({
                "picture": picture.image,
                "is_default": is_default,
            }),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(Attached::Added(row_id))
}

async fn set_default_image(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    sku_id: i64,
    thumbnail: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE skus SET default_image_url = ?, updated_at = ? WHERE id = ?")
        .bind(thumbnail)
        .bind(now)
        .bind(sku_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// What a reorder or removal did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arranged {
    Done,
    /// The ids given are not exactly the SKU's pictures (each once), or the default is not
    /// one of them; the message says which.
    Mismatch(&'static str),
    /// No such SKU, or no such picture of it.
    Unknown,
}

/// Puts SKU `sku_id`'s pictures in the order of `order` (`sku_images` ids, every one of the
/// SKU's, each once) and makes `default_id` its default (None: the default stays).
pub async fn arrange(
    pool: &AnyPool,
    sku_id: i64,
    order: &[i64],
    default_id: Option<i64>,
    actor: &Actor,
    now: i64,
) -> Result<Arranged, sqlx::Error> {
    let mut tx = begin_write(pool).await?;
    let sku: Option<(i64,)> = sqlx::query_as("SELECT id FROM skus WHERE id = ?")
        .bind(sku_id)
        .fetch_optional(&mut *tx)
        .await?;
    if sku.is_none() {
        tx.rollback().await?;
        return Ok(Arranged::Unknown);
    }
    let current = of_sku(&mut *tx, sku_id).await?;
    let mut given: Vec<i64> = order.to_vec();
    given.sort_unstable();
    let mut have: Vec<i64> = current.iter().map(|p| p.id).collect();
    have.sort_unstable();
    if given != have {
        tx.rollback().await?;
        return Ok(Arranged::Mismatch(
            "order 须恰好列出这个商品的每张图片各一次",
        ));
    }
    if let Some(d) = default_id
        && !have.contains(&d)
    {
        tx.rollback().await?;
        return Ok(Arranged::Mismatch("default_id 不是这个商品的图片"));
    }
    for (position, id) in order.iter().enumerate() {
        sqlx::query("UPDATE sku_images SET position = ?, updated_at = ? WHERE id = ?")
            .bind(i64::try_from(position).unwrap_or(i64::MAX))
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?;
    }
    if let Some(d) = default_id {
        sqlx::query("UPDATE sku_images SET is_default = CASE WHEN id = ? THEN 1 ELSE 0 END WHERE sku_id = ?")
            .bind(d)
            .bind(sku_id)
            .execute(&mut *tx)
            .await?;
        let thumbnail = current
            .iter()
            .find(|p| p.id == d)
            .map(|p| p.thumbnail.clone())
            .unwrap_or_default();
        set_default_image(&mut tx, sku_id, &thumbnail, now).await?;
    }
    super::goods::bump_version(&mut *tx).await?;
    audit::record(
        &mut tx,
        actor,
        &Change {
            resource: "skus",
            resource_id: &sku_id.to_string(),
            action: "arrange_pictures",
            before: serde_json::json!({
                "order": current.iter().map(|p| p.id).collect::<Vec<_>>(),
                "default": current.iter().find(|p| p.is_default == 1).map(|p| p.id),
            }),
            after: serde_json::json!({ "order": order, "default": default_id }),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(Arranged::Done)
}

/// Removes picture `row_id` (a `sku_images` id) from SKU `sku_id`. When it was the default,
/// the first remaining picture becomes the default (none left: the SKU has no picture). The
/// picture itself is marked unused when nothing else uses it (the sweep removes it later).
pub async fn remove_from_sku(
    pool: &AnyPool,
    sku_id: i64,
    row_id: i64,
    actor: &Actor,
    now: i64,
) -> Result<Arranged, sqlx::Error> {
    let mut tx = begin_write(pool).await?;
    let row: Option<(Option<i64>, String, i64)> = sqlx::query_as(
        "SELECT picture_id, image, is_default FROM sku_images WHERE id = ? AND sku_id = ?",
    )
    .bind(row_id)
    .bind(sku_id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((picture_id, image, was_default)) = row else {
        tx.rollback().await?;
        return Ok(Arranged::Unknown);
    };
    sqlx::query("DELETE FROM sku_images WHERE id = ?")
        .bind(row_id)
        .execute(&mut *tx)
        .await?;
    if was_default == 1 {
        let next: Option<(i64, String)> = sqlx::query_as(
            "SELECT id, thumbnail FROM sku_images WHERE sku_id = ? ORDER BY position, id LIMIT 1",
        )
        .bind(sku_id)
        .fetch_optional(&mut *tx)
        .await?;
        let thumbnail = match next {
            Some((id, thumbnail)) => {
                sqlx::query("UPDATE sku_images SET is_default = 1 WHERE id = ?")
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                thumbnail
            }
            None => String::new(),
        };
        set_default_image(&mut tx, sku_id, &thumbnail, now).await?;
    }
    if let Some(picture_id) = picture_id {
        mark_if_unused(&mut tx, picture_id, now).await?;
    }
    super::goods::bump_version(&mut *tx).await?;
    audit::record(
        &mut tx,
        actor,
        &Change {
            resource: "skus",
            resource_id: &sku_id.to_string(),
            action: "remove_picture",
            before: serde_json::json!({ "picture": image, "is_default": was_default == 1 }),
            after: serde_json::json!({}),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(Arranged::Done)
}

/// The condition "nothing uses picture `p`": no SKU picture, no brand logo, no order line,
/// no return.
const UNUSED: &str = "NOT EXISTS (SELECT 1 FROM sku_images i WHERE i.picture_id = p.id) \
    AND NOT EXISTS (SELECT 1 FROM after_sale_pictures r WHERE r.picture_id = p.id) \
    AND NOT EXISTS (SELECT 1 FROM brands b WHERE b.logo = p.image OR b.logo = p.thumbnail) \
    AND NOT EXISTS (SELECT 1 FROM order_lines l WHERE l.default_image_url = p.thumbnail \
                    OR l.default_image_url = p.image)";

/// `id IN (...)`: the picture of the statement's first `?` id, bound again here, when
/// `condition` holds of it (as `p`). MySQL refuses a subquery naming the table an `UPDATE` or
/// `DELETE` changes; a derived table (`AS u`) is materialized first, which it allows.
fn picture_where(condition: &str) -> String {
    format!(
        "id IN (SELECT id FROM (SELECT p.id FROM pictures p WHERE p.id = ? AND {condition}) AS u)"
    )
}

/// Starts the grace period of picture `picture_id` when nothing uses it any more.
pub async fn mark_if_unused(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    picture_id: i64,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(&format!(
        "UPDATE pictures SET unused_since = ? WHERE id = ? AND unused_since IS NULL AND {}",
        picture_where(UNUSED)
    ))
    .bind(now)
    .bind(picture_id)
    .bind(picture_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Sets brand `brand_id`'s logo to claimed picture `picture_id` (its smaller copy), or
/// removes it (None); the old logo's picture starts its grace period when nothing else uses
/// it. Returns false for an unknown brand.
pub async fn set_brand_logo(
    pool: &AnyPool,
    brand_id: i64,
    picture_id: Option<i64>,
    actor: &Actor,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let mut tx = begin_write(pool).await?;
    let brand: Option<(String,)> = sqlx::query_as("SELECT logo FROM brands WHERE id = ?")
        .bind(brand_id)
        .fetch_optional(&mut *tx)
        .await?;
    let Some((old_logo,)) = brand else {
        tx.rollback().await?;
        return Ok(false);
    };
    let new_logo = match picture_id {
        Some(id) => {
            let (thumbnail,): (String,) =
                sqlx::query_as("SELECT thumbnail FROM pictures WHERE id = ?")
                    .bind(id)
                    .fetch_one(&mut *tx)
                    .await?;
            sqlx::query("UPDATE pictures SET unused_since = NULL WHERE id = ?")
                .bind(id)
                .execute(&mut *tx)
                .await?;
            thumbnail
        }
        None => String::new(),
    };
    sqlx::query("UPDATE brands SET logo = ?, updated_at = ? WHERE id = ?")
        .bind(&new_logo)
        .bind(now)
        .bind(brand_id)
        .execute(&mut *tx)
        .await?;
    if !old_logo.is_empty() && old_logo != new_logo {
        let old: Option<(i64,)> =
            sqlx::query_as("SELECT id FROM pictures WHERE thumbnail = ? OR image = ?")
                .bind(&old_logo)
                .bind(&old_logo)
                .fetch_optional(&mut *tx)
                .await?;
        if let Some((old_id,)) = old {
            mark_if_unused(&mut tx, old_id, now).await?;
        }
    }
    super::goods::bump_version(&mut *tx).await?;
    audit::record(
        &mut tx,
        actor,
        &Change {
            resource: "brands",
            resource_id: &brand_id.to_string(),
            action: if picture_id.is_some() {
                "set_logo"
            } else {
                "remove_logo"
            },
            before: serde_json::json!({ "logo": old_logo }),
            after: serde_json::json!({ "logo": new_logo }),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// Pictures whose grace period ended before `cutoff` (Unix seconds), oldest first, at most
/// `limit`.
pub async fn sweep_candidates(
    pool: &AnyPool,
    cutoff: i64,
    limit: i64,
) -> Result<Vec<Picture>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, content_hash, image, thumbnail, width, height, bytes FROM pictures \
         WHERE unused_since IS NOT NULL AND unused_since <= ? ORDER BY unused_since LIMIT ?",
    )
    .bind(cutoff)
    .bind(limit)
    .fetch_all(pool)
    .await
}

/// What the sweep did with one candidate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Swept {
    /// Row and files removed.
    Removed,
    /// Used again, or touched by an upload since: kept.
    Kept,
}

/// Removes candidate `picture` when it is still past `cutoff` and unused: deletes its row,
/// then calls `remove_files` while the row is still locked, and commits only when the files
/// are gone (an error keeps the row for the next sweep). A picture an order still shows is
/// taken off the sweep's list for good (`unused_since` cleared).
pub async fn delete_if_unused<F, Fut, E>(
    pool: &AnyPool,
    picture: &Picture,
    cutoff: i64,
    remove_files: F,
) -> Result<Result<Swept, E>, sqlx::Error>
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = Result<(), E>>,
{
    let mut tx = begin_write(pool).await?;
    let deleted = sqlx::query(&format!(
        "DELETE FROM pictures WHERE id = ? AND unused_since IS NOT NULL AND unused_since <= ? \
         AND {}",
        picture_where(UNUSED)
    ))
    .bind(picture.id)
    .bind(cutoff)
    .bind(picture.id)
    .execute(&mut *tx)
    .await?;
    if deleted.rows_affected() != 1 {
        // Still used (by an order, say) and not touched by an upload since: stop looking.
        sqlx::query(&format!(
            "UPDATE pictures SET unused_since = NULL WHERE id = ? AND unused_since <= ? AND {}",
            picture_where(&format!("NOT ({UNUSED})"))
        ))
        .bind(picture.id)
        .bind(cutoff)
        .bind(picture.id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        return Ok(Ok(Swept::Kept));
    }
    match remove_files().await {
        Ok(()) => {
            tx.commit().await?;
            Ok(Ok(Swept::Removed))
        }
        Err(e) => {
            tx.rollback().await?;
            Ok(Err(e))
        }
    }
}
