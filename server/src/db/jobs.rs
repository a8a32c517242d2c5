//! `job_runs` (what background jobs have done, for idempotent handlers) and
//! `activation_codes`.

use sqlx::AnyPool;

/// How a job run was claimed, see [`claim`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    /// This worker holds the job now: do the side effect, then [`finish`] or [`release`].
    Mine,
    /// The side effect was done already (a redelivery): do nothing.
    Done,
    /// Another worker holds a live claim: try again later.
    Busy,
}

/// Claims job `key` (of `kind`) for doing its side effect at `now` (Unix seconds). A claim
/// in state `sending` older than `lease_secs` belonged to a worker that died mid-job and is
/// taken over.
pub async fn claim(
    pool: &AnyPool,
    key: &str,
    kind: &str,
    now: i64,
    lease_secs: i64,
) -> Result<Claim, sqlx::Error> {
    let inserted = sqlx::query(
        "INSERT INTO job_runs (job_key, kind, state, updated_at) VALUES (?, ?, 'sending', ?)",
    )
    .bind(key)
    .bind(kind)
    .bind(now)
    .execute(pool)
    .await;
    match inserted {
        Ok(_) => return Ok(Claim::Mine),
        Err(e) if super::is_unique_violation(&e) => {}
        Err(e) => return Err(e),
    }
    let row: Option<(String, i64)> =
        sqlx::query_as("SELECT state, updated_at FROM job_runs WHERE job_key = ?")
            .bind(key)
            .fetch_optional(pool)
            .await?;
    match row {
        // Released between our insert and our read: claim it on the next delivery.
        None => Ok(Claim::Busy),
        Some((state, _)) if state == "done" => Ok(Claim::Done),
        Some((_, at)) if now - at < lease_secs => Ok(Claim::Busy),
        Some((_, at)) => {
            let taken = sqlx::query(
                "UPDATE job_runs SET updated_at = ? WHERE job_key = ? AND state = 'sending' AND updated_at = ?",
            )
            .bind(now)
            .bind(key)
            .bind(at)
            .execute(pool)
            .await?;
            Ok(if taken.rows_affected() == 1 {
                Claim::Mine
            } else {
                Claim::Busy
            })
        }
    }
}

/// Records that job `key`'s side effect is done, and forgets runs older than `forget_before`.
pub async fn finish(
    pool: &AnyPool,
    key: &str,
    now: i64,
    forget_before: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE job_runs SET state = 'done', updated_at = ? WHERE job_key = ?")
        .bind(now)
        .bind(key)
        .execute(pool)
        .await?;
    sqlx::query("DELETE FROM job_runs WHERE updated_at < ?")
        .bind(forget_before)
        .execute(pool)
        .await?;
    Ok(())
}

/// Gives up the claim on job `key` after a failed try, so that the retry can claim it.
pub async fn release(pool: &AnyPool, key: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM job_runs WHERE job_key = ? AND state = 'sending'")
        .bind(key)
        .execute(pool)
        .await?;
    Ok(())
}

/// Stores the SHA-256 `code_hash` of a new activation code of `user_id`, valid until
/// `expires_at`; earlier unused codes of the user stop working (only the newest mail counts).
pub async fn insert_activation_code(
    pool: &AnyPool,
    user_id: i64,
    code_hash: &str,
    expires_at: i64,
    now: i64,
) -> Result<(), sqlx::Error> {
    let mut tx = pool.begin().await?;
    sqlx::query("DELETE FROM activation_codes WHERE user_id = ? AND used_at IS NULL")
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO activation_codes (code_hash, user_id, expires_at, used_at, created_at) VALUES (?, ?, ?, NULL, ?)",
    )
    .bind(code_hash)
    .bind(user_id)
    .bind(expires_at)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    tx.commit().await
}

/// Whether the account of the activation code whose SHA-256 is `code_hash` is active (used,
/// expired or replaced codes too); `None` for a code never issued.
pub async fn activation_code_owner_active(
    pool: &AnyPool,
    code_hash: &str,
) -> Result<Option<bool>, sqlx::Error> {
    let row: Option<(i64,)> = sqlx::query_as(
        "SELECT u.is_active FROM activation_codes c JOIN users u ON u.id = c.user_id WHERE c.code_hash = ?",
    )
    .bind(code_hash)
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|(active,)| active == 1))
}

/// Uses the activation code whose SHA-256 is `code_hash`: when it exists, is unused and has
/// not expired at `now`, marks it used and the user active, in one transaction, and returns
/// the user id. Of two requests racing with one code, one wins.
pub async fn use_activation_code(
    pool: &AnyPool,
    code_hash: &str,
    now: i64,
) -> Result<Option<i64>, sqlx::Error> {
    let mut tx = pool.begin().await?;
    let user: Option<(i64,)> = sqlx::query_as(
        "SELECT user_id FROM activation_codes WHERE code_hash = ? AND used_at IS NULL AND expires_at > ?",
    )
    .bind(code_hash)
    .bind(now)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((user_id,)) = user else {
        return Ok(None);
    };
    let used = sqlx::query(
        "UPDATE activation_codes SET used_at = ? WHERE code_hash = ? AND used_at IS NULL",
    )
    .bind(now)
    .bind(code_hash)
    .execute(&mut *tx)
    .await?;
    if used.rows_affected() != 1 {
        return Ok(None);
    }
    sqlx::query("UPDATE users SET is_active = 1, updated_at = ? WHERE id = ?")
        .bind(now)
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(Some(user_id))
}
