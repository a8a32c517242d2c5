//! The `users` table.

use sqlx::{AnyConnection, AnyPool, FromRow};

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
    /// 0 or 1: an operator disabled the account (no login, no token works).
    pub is_disabled: i64,
}

const COLUMNS: &str =
    "id, username, password_hash, email, phone, is_active, token_version, created_at, is_disabled";

/// A user to create; the fields are already validated.
#[derive(Debug)]
pub struct NewUser<'a> {
    pub username: &'a str,
    pub password_hash: &'a str,
    pub email: &'a str,
    pub phone: &'a str,
}

/// The unique, case-folded form of a username (`users.username_key`). Usernames hold ASCII
/// word characters and CJK ideographs only, so ASCII folding is complete.
pub fn username_key(username: &str) -> String {
    username.to_ascii_lowercase()
}

/// Inserts a user and returns it. A username taken in any letter case surfaces as a unique
/// violation (see [`super::is_unique_violation`]), also when two registrations race.
pub async fn insert(pool: &AnyPool, user: &NewUser<'_>, now: i64) -> Result<UserRow, sqlx::Error> {
    insert_in(&mut *pool.acquire().await?, user, now).await
}

/// [`insert`] on `conn`, which may be inside a transaction.
pub async fn insert_in(
    conn: &mut AnyConnection,
    user: &NewUser<'_>,
    now: i64,
) -> Result<UserRow, sqlx::Error> {
    sqlx::query(
        "INSERT INTO users (username, username_key, password_hash, email, phone, is_active, token_version, created_at, updated_at) \
         VALUES (?, ?, ?, ?, ?, 0, 0, ?, ?)",
    )
    .bind(user.username)
    .bind(username_key(user.username))
    .bind(user.password_hash)
    .bind(user.email)
    .bind(user.phone)
    .bind(now)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    sqlx::query_as::<_, UserRow>(&format!("SELECT {COLUMNS} FROM users WHERE username = ?"))
        .bind(user.username)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(sqlx::Error::RowNotFound)
}

/// The user named `username`, if any (exact, case-sensitive match).
pub async fn find_by_exact_username(
    pool: &AnyPool,
    username: &str,
) -> Result<Option<UserRow>, sqlx::Error> {
    sqlx::query_as::<_, UserRow>(&format!("SELECT {COLUMNS} FROM users WHERE username = ?"))
        .bind(username)
        .fetch_optional(pool)
        .await
}

/// The user with id `id`, if any.
pub async fn find_by_id(pool: &AnyPool, id: i64) -> Result<Option<UserRow>, sqlx::Error> {
    sqlx::query_as::<_, UserRow>(&format!("SELECT {COLUMNS} FROM users WHERE id = ?"))
        .bind(id)
        .fetch_optional(pool)
        .await
}

/// The user who logs in as `name`, in any letter case ("Tom" and "tom" are one account).
/// An exact match wins, so that accounts created before case-folding that differ only in
/// case (their key carries `#<id>`) still log in by their exact name.
pub async fn find_by_login_name(
    pool: &AnyPool,
    name: &str,
) -> Result<Option<UserRow>, sqlx::Error> {
    sqlx::query_as::<_, UserRow>(&format!(
        "SELECT {COLUMNS} FROM users WHERE username = ? OR username_key = ? \
         ORDER BY CASE WHEN username = ? THEN 0 ELSE 1 END LIMIT 1"
    ))
    .bind(name)
    .bind(username_key(name))
    .bind(name)
    .fetch_optional(pool)
    .await
}
/// A user as a token sees it: the row of `id` and whether the token id `jti` was revoked.
#[derive(Debug, FromRow)]
pub struct TokenUser {
    #[sqlx(flatten)]
    pub user: UserRow,
    /// `Some(jti)` when the token was logged out.
    pub revoked_jti: Option<String>,
}

/// The user `id` with the revocation state of token `jti`, in one round trip; `None` when
/// the user does not exist (any more).
pub async fn find_for_token(
    pool: &AnyPool,
    id: i64,
    jti: &str,
) -> Result<Option<TokenUser>, sqlx::Error> {
    sqlx::query_as::<_, TokenUser>(
        // No column of `users` is also a column of `revoked_tokens`, so COLUMNS stays
        // unambiguous in the join.
        &format!(
            "SELECT {COLUMNS}, r.jti AS revoked_jti \
             FROM users u LEFT JOIN revoked_tokens r ON r.jti = ? WHERE u.id = ?"
        ),
    )
    .bind(jti)
    .bind(id)
    .fetch_optional(pool)
    .await
}

/// Records that token `jti` of user `user_id` is logged out until `expires_at` (Unix
/// seconds), and purges revocations of tokens that expired before `now`. Revoking a token
/// twice is not an error.
pub async fn revoke_token(
    pool: &AnyPool,
    jti: &str,
    user_id: i64,
    expires_at: i64,
    now: i64,
) -> Result<(), sqlx::Error> {
    let inserted =
        sqlx::query("INSERT INTO revoked_tokens (jti, user_id, expires_at) VALUES (?, ?, ?)")
            .bind(jti)
            .bind(user_id)
            .bind(expires_at)
            .execute(pool)
            .await;
    match inserted {
        Ok(_) => {}
        Err(e) if super::is_unique_violation(&e) => {}
        Err(e) => return Err(e),
    }
    sqlx::query("DELETE FROM revoked_tokens WHERE expires_at < ?")
        .bind(now)
        .execute(pool)
        .await?;
    Ok(())
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

/// Whether an account logs in as `name` (any letter case), see [`find_by_login_name`].
pub async fn name_taken(pool: &AnyPool, name: &str) -> Result<bool, sqlx::Error> {
    Ok(find_by_login_name(pool, name).await?.is_some())
}

/// Whether any account was registered with `email` (exact match).
pub async fn email_known(pool: &AnyPool, email: &str) -> Result<bool, sqlx::Error> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE email = ?")
        .bind(email)
        .fetch_one(pool)
        .await?;
    Ok(n > 0)
}

/// Sets a new password hash for every account registered with `email` and bumps their
/// token versions (revoking every earlier token); returns how many accounts changed.
/// The usernames of the accounts registered with `email` (exact address, as stored).
pub async fn usernames_by_email(pool: &AnyPool, email: &str) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar::<_, String>("SELECT username FROM users WHERE email = ?")
        .bind(email)
        .fetch_all(pool)
        .await
}

pub async fn reset_password_by_email(
    pool: &AnyPool,
    email: &str,
    password_hash: &str,
    now: i64,
) -> Result<u64, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE users SET password_hash = ?, token_version = token_version + 1, updated_at = ? \
         WHERE email = ?",
    )
    .bind(password_hash)
    .bind(now)
    .bind(email)
    .execute(pool)
    .await?;
    Ok(done.rows_affected())
}

/// Records a login (or a registration, which logs in) of `user_id` at `now` (Unix seconds):
/// the console's "active today" counts it.
pub async fn record_login(pool: &AnyPool, user_id: i64, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET last_login_at = ? WHERE id = ?")
        .bind(now)
        .bind(user_id)
        .execute(pool)
        .await?;
    Ok(())
}
