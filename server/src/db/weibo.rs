//! The `weibo_users` table: which Weibo uid is bound to which account.

use sqlx::{AnyPool, FromRow};

use super::users::{self, NewUser, UserRow};

/// A binding as the personal center shows it.
#[derive(Debug, Clone, FromRow)]
pub struct Binding {
    /// The Weibo uid (digits).
    pub uid: String,
    /// The Weibo screen name when the binding was made.
    pub nickname: String,
    /// Unix seconds.
    pub created_at: i64,
}

/// Why a bind did not happen.
#[derive(Debug, thiserror::Error)]
pub enum BindError {
    /// The username of the new account is taken (in any letter case).
    #[error("username taken")]
    UsernameTaken,
    /// The uid is bound already, or the account already has a Weibo account (the two
    /// unique keys of `weibo_users`; of two concurrent binds, the second lands here).
    #[error("already bound")]
    AlreadyBound,
    /// The database failed.
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

fn sorted(e: sqlx::Error, unique: BindError) -> BindError {
    if super::is_unique_violation(&e) {
        unique
    } else {
        BindError::Database(e)
    }
}

/// The account bound to Weibo `uid`, if any.
pub async fn find_user(pool: &AnyPool, uid: &str) -> Result<Option<UserRow>, sqlx::Error> {
    let user_id: Option<i64> = sqlx::query_scalar("SELECT user_id FROM weibo_users WHERE uid = ?")
        .bind(uid)
        .fetch_optional(pool)
        .await?;
    match user_id {
        Some(id) => users::find_by_id(pool, id).await,
        None => Ok(None),
    }
}

/// The binding of account `user_id`, if any.
pub async fn binding_of(pool: &AnyPool, user_id: i64) -> Result<Option<Binding>, sqlx::Error> {
    sqlx::query_as::<_, Binding>(
        "SELECT uid, nickname, created_at FROM weibo_users WHERE user_id = ?",
    )
    .bind(user_id)
    .fetch_optional(pool)
    .await
}

/// Creates the account `user` and binds `uid` to it, in one transaction: either both rows
/// exist afterwards or neither does.
pub async fn bind_new_user(
    pool: &AnyPool,
    user: &NewUser<'_>,
    uid: &str,
    nickname: &str,
    now: i64,
) -> Result<UserRow, BindError> {
    let mut tx = pool.begin().await?;
    let row = users::insert_in(&mut tx, user, now)
        .await
        .map_err(|e| sorted(e, BindError::UsernameTaken))?;
    insert_binding(&mut tx, uid, row.id, nickname, now).await?;
    tx.commit().await?;
    Ok(row)
}

/// Binds `uid` to the existing account `user_id`.
pub async fn bind_existing(
    pool: &AnyPool,
    user_id: i64,
    uid: &str,
    nickname: &str,
    now: i64,
) -> Result<(), BindError> {
    let mut conn = pool.acquire().await?;
    insert_binding(&mut conn, uid, user_id, nickname, now).await
}

async fn insert_binding(
    conn: &mut sqlx::AnyConnection,
    uid: &str,
    user_id: i64,
    nickname: &str,
    now: i64,
) -> Result<(), BindError> {
    sqlx::query("INSERT INTO weibo_users (uid, user_id, nickname, created_at) VALUES (?, ?, ?, ?)")
        .bind(uid)
        .bind(user_id)
        .bind(nickname)
        .bind(now)
        .execute(conn)
        .await
        .map_err(|e| sorted(e, BindError::AlreadyBound))?;
    Ok(())
}

/// Removes the binding of account `user_id`; `false` when there was none.
pub async fn unbind(pool: &AnyPool, user_id: i64) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("DELETE FROM weibo_users WHERE user_id = ?")
        .bind(user_id)
        .execute(pool)
        .await?;
    Ok(done.rows_affected() > 0)
}
