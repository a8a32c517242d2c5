//! The `users` table.

use sqlx::{AnyPool, FromRow};

/// A user as stored.
#[derive(Debug, Clone, FromRow)]
pub struct UserRow {
    pub id: i64,
    pub username: String,
    /// PHC string of the Argon2id hash.
    pub password_hash: String,
    pub email: String,
    pub phone: String,
    /// 0 or 1: the email address was confirmed.
    pub is_active: i64,
    /// Bumped by each password change; tokens carry the value they were issued under.
    pub token_version: i64,
    /// Unix seconds.
    pub created_at: i64,
}

const COLUMNS: &str =
    "id, username, password_hash, email, phone, is_active, token_version, created_at";

/// A user to create; the fields are already validated.
#[derive(Debug)]
pub struct NewUser<'a> {
    pub username: &'a str,
    pub password_hash: &'a str,
    pub email: &'a str,
    pub phone: &'a str,
}

/// Inserts a user and returns it. A taken username surfaces as a unique violation
/// (see [`super::is_unique_violation`]), also when two registrations race.
pub async fn insert(pool: &AnyPool, user: &NewUser<'_>, now: i64) -> Result<UserRow, sqlx::Error> {
    sqlx::query(
        "INSERT INTO users (username, password_hash, email, phone, is_active, token_version, created_at, updated_at) \
         VALUES (?, ?, ?, ?, 0, 0, ?, ?)",
    )
    .bind(user.username)
    .bind(user.password_hash)
    .bind(user.email)
    .bind(user.phone)
    .bind(now)
    .bind(now)
    .execute(pool)
    .await?;
    find_by_username(pool, user.username)
        .await?
        .ok_or(sqlx::Error::RowNotFound)
}

/// The user named `username`, if any (exact, case-sensitive match).
pub async fn find_by_username(
    pool: &AnyPool,
    username: &str,
) -> Result<Option<UserRow>, sqlx::Error> {
    sqlx::query_as::<_, UserRow>(&format!("SELECT {COLUMNS} FROM users WHERE username = ?"))
        .bind(username)
        .fetch_optional(pool)
        .await
}

/// Stores a new password hash and bumps `token_version`, which revokes every token issued
/// before. Succeeds only if the version is still `expected_version` (no concurrent change);
/// returns whether it did.
pub async fn change_password(
    pool: &AnyPool,
    id: i64,
    expected_version: i64,
    password_hash: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE users SET password_hash = ?, token_version = token_version + 1, updated_at = ? \
         WHERE id = ? AND token_version = ?",
    )
    .bind(password_hash)
    .bind(now)
    .bind(id)
    .bind(expected_version)
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}
