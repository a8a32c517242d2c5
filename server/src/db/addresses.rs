//! The `addresses` table: a user's address book with one default entry and soft delete.
//!
//! Every write runs in a transaction that first touches the owner's `users` row. That takes
//! the row lock on MySQL and the write lock on SQLite, so concurrent changes of one user's
//! book are serialised and the "exactly one default" rule holds without a check-then-write
//! race (two first addresses at once cannot both become default).

use dadashop_types::users::AddressRegion;
use sqlx::{Any, AnyPool, FromRow, Transaction};

use super::regions::RegionPath;

/// Most live addresses one user may keep.
pub const MAX_ADDRESSES: i64 = 20;

/// A live address as stored.
#[derive(Debug, Clone, FromRow)]
pub struct AddressRow {
    pub id: i64,
    pub receiver: String,
    pub address: String,
    pub receiver_mobile: String,
    pub postcode: String,
    pub tag: String,
    /// 0 or 1.
    pub is_default: i64,
    pub province_code: Option<String>,
    pub province: Option<String>,
    pub city_code: Option<String>,
    pub city: Option<String>,
    pub district_code: Option<String>,
    pub district: Option<String>,
}

impl AddressRow {
    /// The region chosen in the picker; `None` for a free-text address.
    pub fn region(&self) -> Option<AddressRegion> {
        Some(AddressRegion {
            province_code: self.province_code.clone()?,
            province: self.province.clone()?,
            city_code: self.city_code.clone()?,
            city: self.city.clone()?,
            district_code: self.district_code.clone(),
            district: self.district.clone(),
        })
    }

    /// The whole line a courier reads: the region's names, then the street address (a
    /// free-text address as it is).
    pub fn full_address(&self) -> String {
        match self.region() {
            Some(r) => format!("{} {}", r.names(), self.address),
            None => self.address.clone(),
        }
    }
}

/// What an edit does to an address's region.
#[derive(Debug, Clone)]
pub enum RegionChange {
    /// Leave it (the legacy form does not send one).
    Keep,
    /// Make the address free text again.
    Clear,
    /// Set it.
    Set(RegionPath),
}

impl RegionChange {
    /// The six columns' values; `None` for [`RegionChange::Keep`].
    fn columns(&self) -> Option<[Option<String>; 6]> {
        match self {
            RegionChange::Keep => None,
            RegionChange::Clear => Some(Default::default()),
            RegionChange::Set(p) => Some([
                Some(p.province.0.clone()),
                Some(p.province.1.clone()),
                Some(p.city.0.clone()),
                Some(p.city.1.clone()),
                p.district.as_ref().map(|d| d.0.clone()),
                p.district.as_ref().map(|d| d.1.clone()),
            ]),
        }
    }
}

/// The validated fields of an address that create and edit both require (the postcode is
/// required on create and optional on edit, so it travels separately).
#[derive(Debug, Clone)]
pub struct AddressFields {
    pub receiver: String,
    pub address: String,
    pub receiver_mobile: String,
    pub tag: String,
    pub region: RegionChange,
}

/// Why a write did not happen.
#[derive(Debug, thiserror::Error)]
pub enum AddressError {
    /// The id does not name a live address of this user.
    #[error("no such address")]
    NotFound,
    /// The book already holds [`MAX_ADDRESSES`] entries.
    #[error("address book full")]
    Full,
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

/// The user's live addresses, default first, then oldest first.
pub async fn list(pool: &AnyPool, user_id: i64) -> Result<Vec<AddressRow>, sqlx::Error> {
    sqlx::query_as::<_, AddressRow>(
        "SELECT id, receiver, address, receiver_mobile, postcode, tag, is_default, province_code, \
         province, city_code, city, district_code, district FROM addresses \
         WHERE user_id = ? AND is_deleted = 0 ORDER BY is_default DESC, id ASC",
    )
    .bind(user_id)
    .fetch_all(pool)
    .await
}

/// Starts a transaction holding the owner's lock (see the module docs).
async fn begin_for_user(
    pool: &AnyPool,
    user_id: i64,
    now: i64,
) -> Result<Transaction<'static, Any>, sqlx::Error> {
    let mut tx = pool.begin().await?;
    sqlx::query("UPDATE users SET updated_at = ? WHERE id = ?")
        .bind(now)
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    Ok(tx)
}

async fn live_count(
    tx: &mut Transaction<'static, Any>,
    user_id: i64,
) -> Result<(i64, i64), sqlx::Error> {
    // CAST keeps MySQL's SUM (a DECIMAL) decodable as an integer.
    let row: (i64, i64) = sqlx::query_as(
        "SELECT COUNT(*), CAST(COALESCE(SUM(is_default), 0) AS SIGNED) FROM addresses \
         WHERE user_id = ? AND is_deleted = 0",
    )
    .bind(user_id)
    .fetch_one(&mut **tx)
    .await?;
    Ok(row)
}

/// Adds an address with its 6-digit `postcode`; the user's first live address becomes the
/// default.
pub async fn insert(
    pool: &AnyPool,
    user_id: i64,
    fields: &AddressFields,
    postcode: &str,
    now: i64,
) -> Result<(), AddressError> {
    let mut tx = begin_for_user(pool, user_id, now).await?;
    let (count, defaults) = live_count(&mut tx, user_id).await?;
    if count >= MAX_ADDRESSES {
        return Err(AddressError::Full);
    }
    let is_default = i64::from(defaults == 0);
    let region = fields.region.columns().unwrap_or_default();
    let mut q = sqlx::query(
        "INSERT INTO addresses (user_id, receiver, address, receiver_mobile, postcode, tag, is_default, is_deleted, created_at, updated_at, \
         province_code, province, city_code, city, district_code, district) \
         VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(user_id)
    .bind(&fields.receiver)
    .bind(&fields.address)
    .bind(&fields.receiver_mobile)
    .bind(postcode)
    .bind(&fields.tag)
    .bind(is_default)
    .bind(now)
    .bind(now);
    for value in region {
        q = q.bind(value);
    }
    q.execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(())
}

/// Replaces the fields of the live address `id` of `user_id`; `postcode: None` keeps the
/// stored one (the legacy edit form does not send it).
pub async fn update(
    pool: &AnyPool,
    user_id: i64,
    id: i64,
    fields: &AddressFields,
    postcode: Option<&str>,
    now: i64,
) -> Result<(), AddressError> {
    let mut tx = begin_for_user(pool, user_id, now).await?;
    ensure_live(&mut tx, user_id, id).await?;
    sqlx::query(
        "UPDATE addresses SET receiver = ?, address = ?, receiver_mobile = ?, postcode = COALESCE(?, postcode), tag = ?, updated_at = ? \
         WHERE id = ? AND user_id = ? AND is_deleted = 0",
    )
    .bind(&fields.receiver)
    .bind(&fields.address)
    .bind(&fields.receiver_mobile)
    .bind(postcode)
    .bind(&fields.tag)
    .bind(now)
    .bind(id)
    .bind(user_id)
    .execute(&mut *tx)
    .await?;
    if let Some(region) = fields.region.columns() {
        let mut q = sqlx::query(
            "UPDATE addresses SET province_code = ?, province = ?, city_code = ?, city = ?, \
             district_code = ?, district = ? WHERE id = ? AND user_id = ?",
        );
        for value in region {
            q = q.bind(value);
        }
        q.bind(id).bind(user_id).execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Soft-deletes the address; when it was the default, the oldest remaining one takes over.
pub async fn soft_delete(
    pool: &AnyPool,
    user_id: i64,
    id: i64,
    now: i64,
) -> Result<(), AddressError> {
    let mut tx = begin_for_user(pool, user_id, now).await?;
    let was_default = ensure_live(&mut tx, user_id, id).await?;
    sqlx::query("UPDATE addresses SET is_deleted = 1, is_default = 0, updated_at = ? WHERE id = ? AND user_id = ?")
        .bind(now)
        .bind(id)
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    if was_default {
        let next: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM addresses WHERE user_id = ? AND is_deleted = 0 ORDER BY id ASC LIMIT 1",
        )
        .bind(user_id)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(next) = next {
            set_default_flag(&mut tx, user_id, next, now).await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

/// Makes `id` the user's only default address.
pub async fn set_default(
    pool: &AnyPool,
    user_id: i64,
    id: i64,
    now: i64,
) -> Result<(), AddressError> {
    let mut tx = begin_for_user(pool, user_id, now).await?;
    ensure_live(&mut tx, user_id, id).await?;
    set_default_flag(&mut tx, user_id, id, now).await?;
    tx.commit().await?;
    Ok(())
}

async fn set_default_flag(
    tx: &mut Transaction<'static, Any>,
    user_id: i64,
    id: i64,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE addresses SET is_default = 0, updated_at = ? WHERE user_id = ? AND is_default = 1 AND id <> ?")
        .bind(now)
        .bind(user_id)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    sqlx::query("UPDATE addresses SET is_default = 1, updated_at = ? WHERE id = ? AND user_id = ?")
        .bind(now)
        .bind(id)
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Fails with `NotFound` unless `id` is a live address of `user_id`; returns whether it is
/// the default.
async fn ensure_live(
    tx: &mut Transaction<'static, Any>,
    user_id: i64,
    id: i64,
) -> Result<bool, AddressError> {
    let flag: Option<i64> = sqlx::query_scalar(
        "SELECT is_default FROM addresses WHERE id = ? AND user_id = ? AND is_deleted = 0",
    )
    .bind(id)
    .bind(user_id)
    .fetch_optional(&mut **tx)
    .await?;
    flag.map(|f| f == 1).ok_or(AddressError::NotFound)
}
