//! The `staff` table: operators of the console (issue 24), separate from shoppers.

use sqlx::{AnyPool, FromRow};

/// A staff account as stored.
#[derive(Debug, Clone, FromRow)]
pub struct StaffRow {
    pub id: i64,
    pub username: String,
    /// PHC string of the Argon2id hash.
    pub password_hash: String,
    /// A key of `dadashop_types::admin::ROLES`.
    pub role: String,
    /// 0 or 1.
    pub is_active: i64,
    /// Tokens carry the value they were issued under; bumping it revokes them all.
    pub token_version: i64,
    /// Unix seconds.
    pub last_login_at: Option<i64>,
    pub created_at: i64,
}

const COLUMNS: &str =
    "id, username, password_hash, role, is_active, token_version, last_login_at, created_at";

/// Creates a staff account; `false` when the name is taken (names are unique ignoring ASCII
/// letter case, as shoppers' are: the name is stored lower-cased).
pub async fn insert(
    pool: &AnyPool,
    username: &str,
    password_hash: &str,
    role: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let mut conn = pool.acquire().await?;
    insert_in(&mut conn, username, password_hash, role, now).await
}

/// [`insert`] on `conn` (in the caller's transaction).
pub async fn insert_in(
    conn: &mut sqlx::AnyConnection,
    username: &str,
    password_hash: &str,
    role: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let inserted = sqlx::query(
        "INSERT INTO staff (username, password_hash, role, is_active, token_version, \
         created_at, updated_at) VALUES (?, ?, ?, 1, 0, ?, ?)",
    )
    .bind(username.to_ascii_lowercase())
    .bind(password_hash)
    .bind(role)
    .bind(now)
    .bind(now)
    .execute(conn)
    .await;
    match inserted {
        Ok(_) => Ok(true),
        Err(e) if super::is_unique_violation(&e) => Ok(false),
        Err(e) => Err(e),
    }
}

/// The role and active flag of account `id` and its name, in the caller's transaction.
pub async fn role_of(
    conn: &mut sqlx::AnyConnection,
    id: i64,
) -> Result<Option<(String, String, i64)>, sqlx::Error> {
    sqlx::query_as("SELECT username, role, is_active FROM staff WHERE id = ?")
        .bind(id)
        .fetch_optional(conn)
        .await
}

/// The account named `username` (any ASCII letter case).
pub async fn find_by_name(pool: &AnyPool, username: &str) -> Result<Option<StaffRow>, sqlx::Error> {
    sqlx::query_as::<_, StaffRow>(&format!("SELECT {COLUMNS} FROM staff WHERE username = ?"))
        .bind(username.to_ascii_lowercase())
        .fetch_optional(pool)
        .await
}

/// The account `id`.
pub async fn find_by_id(pool: &AnyPool, id: i64) -> Result<Option<StaffRow>, sqlx::Error> {
    sqlx::query_as::<_, StaffRow>(&format!("SELECT {COLUMNS} FROM staff WHERE id = ?"))
        .bind(id)
        .fetch_optional(pool)
        .await
}

/// Every account, oldest first, and how many there are: page `page` (from 1) of `size`.
pub async fn list(
    pool: &AnyPool,
    page: u64,
    size: u32,
) -> Result<(i64, Vec<StaffRow>), sqlx::Error> {
    let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM staff")
        .fetch_one(pool)
        .await?;
    let offset = i64::try_from(page.saturating_sub(1))
        .unwrap_or(i64::MAX)
        .saturating_mul(i64::from(size));
    if offset >= total {
        return Ok((total, Vec::new()));
    }
    let rows = sqlx::query_as::<_, StaffRow>(&format!(
        "SELECT {COLUMNS} FROM staff ORDER BY id LIMIT ? OFFSET ?"
    ))
    .bind(i64::from(size))
    .bind(offset)
    .fetch_all(pool)
    .await?;
    Ok((total, rows))
}

/// Records a console login at `now`.
pub async fn record_login(pool: &AnyPool, id: i64, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE staff SET last_login_at = ? WHERE id = ?")
        .bind(now)
        .bind(id)
        .execute(pool)
        .await?;
    Ok(())
}

/// Revokes every token of account `id` (a logout, or a change below).
pub async fn bump_token_version(
    conn: &mut sqlx::AnyConnection,
    id: i64,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE staff SET token_version = token_version + 1, updated_at = ? WHERE id = ?")
        .bind(now)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Sets the role and the active flag of account `id` and revokes its tokens, in the
/// caller's transaction; `false` when there is no such account.
pub async fn change(
    conn: &mut sqlx::AnyConnection,
    id: i64,
    role: &str,
    is_active: bool,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE staff SET role = ?, is_active = ?, token_version = token_version + 1, \
         updated_at = ? WHERE id = ?",
    )
    .bind(role)
    .bind(i64::from(is_active))
    .bind(now)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// How many active superusers there are (the last one cannot be demoted or disabled).
pub async fn active_superusers(conn: &mut sqlx::AnyConnection) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM staff WHERE role = 'superuser' AND is_active = 1")
        .fetch_one(conn)
        .await
}
