//! The `favourites` table (收藏, issue 27 item 4): the SKUs a shopper keeps, newest first, at
//! most [`FAVOURITES_MAX`] each.

use dadashop_types::goods::FAVOURITES_MAX;
use sqlx::{AnyPool, FromRow};

use super::begin_write;

/// A favourite with its SKU as it is now.
#[derive(Debug, Clone, FromRow)]
pub struct FavouriteRow {
    pub sku_id: i64,
    pub name: String,
    /// Fen.
    pub price: i64,
    pub default_image_url: String,
    pub stock: i64,
    pub is_launched: i64,
    pub created_at: i64,
}

/// Shopper `user_id`'s favourites, newest first.
pub async fn list(pool: &AnyPool, user_id: i64) -> Result<Vec<FavouriteRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT k.id AS sku_id, k.name AS name, k.price AS price, \
         k.default_image_url AS default_image_url, k.stock AS stock, \
         k.is_launched AS is_launched, f.created_at AS created_at \
         FROM favourites f JOIN skus k ON k.id = f.sku_id \
         WHERE f.user_id = ? ORDER BY f.created_at DESC, f.sku_id DESC",
    )
    .bind(user_id)
    .fetch_all(pool)
    .await
}

/// Whether SKU `sku_id` is one of shopper `user_id`'s favourites.
pub async fn contains(pool: &AnyPool, user_id: i64, sku_id: i64) -> Result<bool, sqlx::Error> {
    let row: Option<(i64,)> =
        sqlx::query_as("SELECT sku_id FROM favourites WHERE user_id = ? AND sku_id = ?")
            .bind(user_id)
            .bind(sku_id)
            .fetch_optional(pool)
            .await?;
    Ok(row.is_some())
}

/// What adding a favourite did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Added {
    /// Added now, or it was there already (adding twice is not an error).
    Done,
    /// The shopper has [`FAVOURITES_MAX`] favourites already.
    Full,
}

/// Adds SKU `sku_id` to shopper `user_id`'s favourites at `now` (Unix seconds). The caller
/// checks that the SKU is on sale. Two adds at once leave one row and never pass the limit
/// (the shopper's row is locked for the transaction).
pub async fn add(
    pool: &AnyPool,
    user_id: i64,
    sku_id: i64,
    now: i64,
) -> Result<Added, sqlx::Error> {
    let mut tx = begin_write(pool).await?;
    // One add of a shopper at a time: the count below stays true until the insert (InnoDB
    // does not lock a count).
    super::carts::lock_user(&mut tx, user_id).await?;
    let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM favourites WHERE user_id = ?")
        .bind(user_id)
        .fetch_one(&mut *tx)
        .await?;
    let there: Option<(i64,)> =
        sqlx::query_as("SELECT sku_id FROM favourites WHERE user_id = ? AND sku_id = ?")
            .bind(user_id)
            .bind(sku_id)
            .fetch_optional(&mut *tx)
            .await?;
    if there.is_some() {
        tx.rollback().await?;
        return Ok(Added::Done);
    }
    if usize::try_from(count).unwrap_or(usize::MAX) >= FAVOURITES_MAX {
        tx.rollback().await?;
        return Ok(Added::Full);
    }
    let inserted =
        sqlx::query("INSERT INTO favourites (user_id, sku_id, created_at) VALUES (?, ?, ?)")
            .bind(user_id)
            .bind(sku_id)
            .bind(now)
            .execute(&mut *tx)
            .await;
    match inserted {
        Ok(_) => tx.commit().await?,
        // The same add from another tab committed first.
        Err(e) if super::is_unique_violation(&e) => tx.rollback().await?,
        Err(e) => return Err(e),
    }
    Ok(Added::Done)
}

/// Removes SKU `sku_id` from shopper `user_id`'s favourites (not there: nothing to do).
pub async fn remove(pool: &AnyPool, user_id: i64, sku_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM favourites WHERE user_id = ? AND sku_id = ?")
        .bind(user_id)
        .bind(sku_id)
        .execute(pool)
        .await?;
    Ok(())
}
