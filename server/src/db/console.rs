//! The console's reads over orders and shoppers, and its dashboard figures (issue 24). Each
//! list is served by an index (migrations 0010): orders by `(status, created_at)`,
//! `created_at`, `receiver_mobile` and the shopper's; users by `created_at`, `last_login_at`,
//! `phone` and the unique name. Counts stop at the console's cap.

use sqlx::{AnyPool, FromRow};

use super::filter::{Where, offset};

/// Seconds in a day, and China Standard Time's offset from UTC (UTC+8, no daylight saving).
pub const DAY_SECS: i64 = 86_400;
/// UTC+8, in seconds.
pub const CHINA_OFFSET_SECS: i64 = 8 * 3_600;

/// The Unix second at which the China day holding `now` began.
pub fn china_day_start(now: i64) -> i64 {
    (now + CHINA_OFFSET_SECS).div_euclid(DAY_SECS) * DAY_SECS - CHINA_OFFSET_SECS
}

/// The China date (`YYYY-MM-DD`) of the Unix second `at`.
pub fn china_date(at: i64) -> String {
    super::orders::china_time(at, "%Y-%m-%d")
}

/// The Unix second at which the China date `date` (`YYYY-MM-DD`) begins; `None` when it is
/// not a date.
pub fn china_date_start(date: &str) -> Option<i64> {
    let day = chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").ok()?;
    let midnight = day.and_hms_opt(0, 0, 0)?.and_utc().timestamp();
    Some(midnight - CHINA_OFFSET_SECS)
}

/// How the order list is sorted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderSort {
    NewestFirst,
    OldestFirst,
    AmountHighFirst,
    AmountLowFirst,
}

impl OrderSort {
    /// The sort named in the query (`-created_at`, `created_at`, `-total_amount`,
    /// `total_amount`).
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "-created_at" => Some(Self::NewestFirst),
            "created_at" => Some(Self::OldestFirst),
            "-total_amount" => Some(Self::AmountHighFirst),
            "total_amount" => Some(Self::AmountLowFirst),
            _ => None,
        }
    }

    fn sql(self) -> &'static str {
        match self {
            Self::NewestFirst => "o.created_at DESC, o.order_id DESC",
            Self::OldestFirst => "o.created_at, o.order_id",
            Self::AmountHighFirst => "o.total_amount DESC, o.order_id DESC",
            Self::AmountLowFirst => "o.total_amount, o.order_id",
        }
    }
}

/// Filters of the order list (all optional). Times are Unix seconds, `[from, to)`; amounts
/// fen, inclusive.
#[derive(Debug, Clone, Default)]
pub struct OrderFilter {
    pub status: Option<i64>,
    pub from: Option<i64>,
    pub to: Option<i64>,
    pub order_id: Option<String>,
    pub username: Option<String>,
    /// The shopper's phone or the receiver's mobile.
    pub phone: Option<String>,
    pub min_amount: Option<i64>,
    pub max_amount: Option<i64>,
}

/// An order as the console lists it.
#[derive(Debug, Clone, FromRow)]
pub struct ConsoleOrder {
    pub order_id: String,
    pub user_id: i64,
    pub username: String,
    pub phone: String,
    pub receiver: String,
    pub address: String,
    pub receiver_mobile: String,
    pub tag: String,
    pub total_count: i64,
    pub goods_amount: i64,
    pub freight: i64,
    pub total_amount: i64,
    pub status: i64,
    pub pay_deadline: i64,
    pub cancel_reason: Option<String>,
    pub cancelled_at: Option<i64>,
    pub cancelled_by: Option<String>,
    pub carrier: Option<String>,
    pub tracking_no: Option<String>,
    pub shipped_at: Option<i64>,
    pub shipped_by: Option<String>,
    pub received_at: Option<i64>,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

/// Orders first (`LEFT JOIN`): every order has its shopper, and MariaDB then walks an index of
/// `orders` in the list's order instead of sorting every order of every shopper.
const ORDER_COLUMNS: &str = "SELECT o.order_id, o.user_id, COALESCE(u.username, '') AS username, \
    COALESCE(u.phone, '') AS phone, o.receiver, \
    o.address, o.receiver_mobile, o.tag, o.total_count, o.goods_amount, o.freight, \
    o.total_amount, o.status, o.pay_deadline, o.cancel_reason, o.cancelled_at, o.cancelled_by, \
    o.carrier, o.tracking_no, o.shipped_at, o.shipped_by, o.received_at, o.version, \
    o.created_at, o.updated_at FROM orders o LEFT JOIN users u ON u.id = o.user_id";

/// The conditions of `filter`. `phone_users`: the ids of the shoppers with the filter's phone
/// (looked up first: an `IN (subquery) OR ...` would scan every order on MariaDB).
/// `dense_amount`: the amount band matches more rows than the cap, so the page is better read
/// in the sort's own index, stopping after one page, than by amount and then sorted (`+ 0`
/// keeps the amount index out of it; a sparse band keeps using it).
fn order_where(filter: &OrderFilter, phone_users: &[i64], dense_amount: bool) -> Where {
    let mut w = Where::default();
    if let Some(id) = &filter.order_id {
        w.text("o.order_id = ?", id.clone());
    }
    if let Some(status) = filter.status {
        w.int("o.status = ?", status);
    }
    if let Some(from) = filter.from {
        w.int("o.created_at >= ?", from);
    }
    if let Some(to) = filter.to {
        w.int("o.created_at < ?", to);
    }
    if let Some(name) = &filter.username {
        w.text(
            "o.user_id IN (SELECT id FROM users WHERE username_key = ?)",
            name.to_ascii_lowercase(),
        );
    }
    if let Some(phone) = &filter.phone {
        if phone_users.is_empty() {
            w.text("o.receiver_mobile = ?", phone.clone());
        } else {
            let marks = vec!["?"; phone_users.len()].join(", ");
            w.ints_then_text(
                &format!("(o.user_id IN ({marks}) OR o.receiver_mobile = ?)"),
                phone_users,
                phone.clone(),
            );
        }
    }
    let amount = if dense_amount {
        "o.total_amount + 0"
    } else {
        "o.total_amount"
    };
    if let Some(min) = filter.min_amount {
        w.int(&format!("{amount} >= ?"), min);
    }
    if let Some(max) = filter.max_amount {
        w.int(&format!("{amount} <= ?"), max);
    }
    w
}

/// The orders matching `filter` sorted by `sort`: the count (up to `cap` + 1) and page
/// `page` (from 1) of `size`.
pub async fn orders(
    pool: &AnyPool,
    filter: &OrderFilter,
    sort: OrderSort,
    page: u64,
    size: u32,
    cap: i64,
) -> Result<(i64, Vec<ConsoleOrder>), sqlx::Error> {
    let phone_users: Vec<i64> = match &filter.phone {
        Some(phone) => {
            sqlx::query_scalar("SELECT id FROM users WHERE phone = ? ORDER BY id LIMIT 100")
                .bind(phone)
                .fetch_all(pool)
                .await?
        }
        None => Vec::new(),
    };
    let total = order_where(filter, &phone_users, false)
        .count_capped(pool, "orders o", cap)
        .await?;
    let skip = offset(page, size);
    if skip >= total && page > 1 {
        return Ok((total, Vec::new()));
    }
    let banded = filter.min_amount.is_some() || filter.max_amount.is_some();
    let w = order_where(filter, &phone_users, banded && total > cap);
    let sql = format!(
        "{ORDER_COLUMNS}{} ORDER BY {} LIMIT ? OFFSET ?",
        w.sql(),
        sort.sql()
    );
    let rows = w
        .bind_all(sqlx::query_as::<_, ConsoleOrder>(&sql))
        .bind(i64::from(size))
        .bind(skip)
        .fetch_all(pool)
        .await?;
    Ok((total, rows))
}

/// The order `order_id`, whoever's it is.
pub async fn order(pool: &AnyPool, order_id: &str) -> Result<Option<ConsoleOrder>, sqlx::Error> {
    sqlx::query_as::<_, ConsoleOrder>(&format!("{ORDER_COLUMNS} WHERE o.order_id = ?"))
        .bind(order_id)
        .fetch_optional(pool)
        .await
}

/// The payment of an order, with its refund.
#[derive(Debug, Clone, FromRow)]
pub struct PaymentRecord {
    pub trade_no: String,
    pub amount: i64,
    pub paid_at: i64,
    pub source: String,
    pub outcome: String,
    pub refund_no: Option<String>,
    pub refund_amount: Option<i64>,
    pub refunded_at: Option<i64>,
    pub refunded_by: Option<String>,
    pub refund_reason: Option<String>,
}

/// The payment of `order_id`, if one arrived.
pub async fn payment(pool: &AnyPool, order_id: &str) -> Result<Option<PaymentRecord>, sqlx::Error> {
    sqlx::query_as(
        "SELECT trade_no, amount, paid_at, source, outcome, refund_no, refund_amount, \
         refunded_at, refunded_by, refund_reason FROM payments WHERE order_id = ?",
    )
    .bind(order_id)
    .fetch_optional(pool)
    .await
}

/// A shopper as the console lists it.
#[derive(Debug, Clone, FromRow)]
pub struct ConsoleUser {
    pub id: i64,
    pub username: String,
    pub phone: String,
    pub email: String,
    pub is_active: i64,
    pub is_disabled: i64,
    pub created_at: i64,
    pub last_login_at: Option<i64>,
    pub order_count: i64,
}

const USER_COLUMNS: &str = "SELECT u.id, u.username, u.phone, u.email, u.is_active, \
    u.is_disabled, u.created_at, u.last_login_at, \
    (SELECT COUNT(*) FROM orders o WHERE o.user_id = u.id) AS order_count FROM users u";

/// Filters of the shopper list: `q` is a phone (11 digits) or an email (with `@`), matched
/// exactly, or else a name's beginning (any letter case); registration `[from, to)` in Unix seconds.
#[derive(Debug, Clone, Default)]
pub struct UserFilter {
    pub q: Option<String>,
    pub from: Option<i64>,
    pub to: Option<i64>,
    pub disabled: Option<bool>,
}

/// The shoppers matching `filter`, newest first: the count (up to `cap` + 1) and page `page`
/// (from 1) of `size`.
pub async fn users(
    pool: &AnyPool,
    filter: &UserFilter,
    page: u64,
    size: u32,
    cap: i64,
) -> Result<(i64, Vec<ConsoleUser>), sqlx::Error> {
    let mut w = Where::default();
    if let Some(q) = &filter.q {
        // One index per kind of search: 11 digits are a phone, an `@` an email, anything else
        // a name's beginning (a prefix range on the unique name index, instead of LIKE,
        // whose escaping and collation differ between the two databases).
        if q.len() == 11 && q.bytes().all(|b| b.is_ascii_digit()) {
            w.text("u.phone = ?", q.clone());
        } else if q.contains('@') {
            w.text("u.email = ?", q.clone());
        } else {
            let key = q.to_ascii_lowercase();
            let upper = format!("{key}\u{10FFFF}");
            w.texts(
                "u.username_key >= ? AND u.username_key < ?",
                &[&key, &upper],
            );
        }
    }
    if let Some(from) = filter.from {
        w.int("u.created_at >= ?", from);
    }
    if let Some(to) = filter.to {
        w.int("u.created_at < ?", to);
    }
    if let Some(disabled) = filter.disabled {
        w.int("u.is_disabled = ?", i64::from(disabled));
    }
    let total = w.count_capped(pool, "users u", cap).await?;
    let skip = offset(page, size);
    if skip >= total && page > 1 {
        return Ok((total, Vec::new()));
    }
    let sql = format!(
        "{USER_COLUMNS}{} ORDER BY u.created_at DESC, u.id DESC LIMIT ? OFFSET ?",
        w.sql()
    );
    let rows = w
        .bind_all(sqlx::query_as::<_, ConsoleUser>(&sql))
        .bind(i64::from(size))
        .bind(skip)
        .fetch_all(pool)
        .await?;
    Ok((total, rows))
}

/// The shopper `id`.
pub async fn user(pool: &AnyPool, id: i64) -> Result<Option<ConsoleUser>, sqlx::Error> {
    sqlx::query_as::<_, ConsoleUser>(&format!("{USER_COLUMNS} WHERE u.id = ?"))
        .bind(id)
        .fetch_optional(pool)
        .await
}

/// The newest `limit` orders of shopper `user_id`.
pub async fn orders_of(
    pool: &AnyPool,
    user_id: i64,
    limit: i64,
) -> Result<Vec<ConsoleOrder>, sqlx::Error> {
    sqlx::query_as::<_, ConsoleOrder>(&format!(
        "{ORDER_COLUMNS} WHERE o.user_id = ? ORDER BY o.created_at DESC, o.order_id DESC LIMIT ?"
    ))
    .bind(user_id)
    .bind(limit)
    .fetch_all(pool)
    .await
}

/// The Weibo uid bound to shopper `user_id`.
pub async fn weibo_uid(pool: &AnyPool, user_id: i64) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT wuid FROM weibo_profiles WHERE user_id = ? LIMIT 1")
        .bind(user_id)
        .fetch_optional(pool)
        .await
}

/// Disables or enables shopper `user_id`, in the caller's transaction. Disabling also bumps
/// the token version (every token stops at once). Returns whether the flag changed (`false`:
/// it already was so), `None` for an unknown shopper.
pub async fn set_user_disabled(
    conn: &mut sqlx::AnyConnection,
    user_id: i64,
    disabled: bool,
    now: i64,
) -> Result<Option<bool>, sqlx::Error> {
    let changed = sqlx::query(
        "UPDATE users SET is_disabled = ?, token_version = token_version + ?, updated_at = ? \
         WHERE id = ? AND is_disabled = ?",
    )
    .bind(i64::from(disabled))
    .bind(i64::from(disabled))
    .bind(now)
    .bind(user_id)
    .bind(i64::from(!disabled))
    .execute(&mut *conn)
    .await?;
    if changed.rows_affected() == 1 {
        return Ok(Some(true));
    }
    let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM users WHERE id = ?")
        .bind(user_id)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(exists.map(|_| false))
}

/// The dashboard's figures of today (from `day_start`, Unix seconds) and right now, read in
/// one round trip; each subquery walks one index range.
#[derive(Debug, Clone, FromRow)]
pub struct TodayCounts {
    pub total_users: i64,
    pub new_users_today: i64,
    pub active_users_today: i64,
    pub ordering_users_today: i64,
    pub awaiting_shipment: i64,
    pub refunds_due: i64,
    pub low_stock_count: i64,
}

/// [`TodayCounts`] for the China day starting at `day_start`, with SKUs (on sale) at or
/// below `threshold` units counted as low on stock.
pub async fn today_counts(
    pool: &AnyPool,
    day_start: i64,
    threshold: i64,
) -> Result<TodayCounts, sqlx::Error> {
    // `user_id + 0`: count the distinct shoppers of today's index range rather than let
    // SQLite walk an index of every order by shopper.
    sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM users) AS total_users, \
         (SELECT COUNT(*) FROM users WHERE created_at >= ?) AS new_users_today, \
         (SELECT COUNT(*) FROM users WHERE last_login_at >= ?) AS active_users_today, \
         (SELECT COUNT(DISTINCT user_id + 0) FROM orders WHERE created_at >= ?) AS ordering_users_today, \
         (SELECT COUNT(*) FROM orders WHERE status = 2) AS awaiting_shipment, \
         (SELECT COUNT(*) FROM orders WHERE status = 6) AS refunds_due, \
         (SELECT COUNT(*) FROM skus WHERE stock <= ? AND is_launched = 1) AS low_stock_count",
    )
    .bind(day_start)
    .bind(day_start)
    .bind(day_start)
    .bind(threshold)
    .fetch_one(pool)
    .await
}

/// `(China day start as a shifted Unix second, figure)` of rows of `table` whose `column`
/// (Unix seconds) is in `[from, to)` (`to` open when `None`), one per day that has any. The
/// day key is `column + 8 h` rounded down to the day, an integer on both databases.
async fn per_day(
    pool: &AnyPool,
    table: &str,
    column: &str,
    value: &str,
    extra: &str,
    from: i64,
    to: Option<i64>,
) -> Result<Vec<(i64, i64)>, sqlx::Error> {
    let day = format!(
        "({column} + {CHINA_OFFSET_SECS} - (({column} + {CHINA_OFFSET_SECS}) % {DAY_SECS}))"
    );
    let upper = if to.is_some() {
        format!(" AND {column} < ?")
    } else {
        String::new()
    };
    let sql = format!(
        "SELECT {day} AS day_key, {value} AS figure FROM {table} WHERE {column} >= ?{upper}{extra} \
         GROUP BY {day}"
    );
    let mut query = sqlx::query_as::<_, (i64, i64)>(&sql).bind(from);
    if let Some(to) = to {
        query = query.bind(to);
    }
    query.fetch_all(pool).await
}

/// New shoppers per China day in `[from, to)`: `(day key, count)` (see [`per_day`]).
pub async fn new_users_per_day(
    pool: &AnyPool,
    from: i64,
    to: Option<i64>,
) -> Result<Vec<(i64, i64)>, sqlx::Error> {
    per_day(pool, "users", "created_at", "COUNT(*)", "", from, to).await
}

/// Orders placed per China day in `[from, to)`.
pub async fn orders_per_day(
    pool: &AnyPool,
    from: i64,
    to: Option<i64>,
) -> Result<Vec<(i64, i64)>, sqlx::Error> {
    per_day(pool, "orders", "created_at", "COUNT(*)", "", from, to).await
}

/// Money paid per China day in `[from, to)` (fen; payments that paid an order, by their
/// `gmt_payment`).
pub async fn paid_per_day(
    pool: &AnyPool,
    from: i64,
    to: Option<i64>,
) -> Result<Vec<(i64, i64)>, sqlx::Error> {
    per_day(
        pool,
        "payments",
        "paid_at",
        // MySQL sums to DECIMAL: back to a whole number of fen.
        "CAST(COALESCE(SUM(amount), 0) AS SIGNED)",
        " AND outcome = 'paid'",
        from,
        to,
    )
    .await
}

/// Today's product views per catalog (`day` = `YYYY-MM-DD`, China time), most viewed first:
/// `(catalog id, name, views)`.
pub async fn catalog_visits(
    pool: &AnyPool,
    day: &str,
) -> Result<Vec<(i64, String, i64)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT v.catalog_id, c.name, v.visits FROM catalog_visits v \
         JOIN catalogs c ON c.id = v.catalog_id WHERE v.day = ? ORDER BY v.visits DESC, v.catalog_id",
    )
    .bind(day)
    .fetch_all(pool)
    .await
}

/// Adds `visits` product views of catalog `catalog_id` on `day` (`YYYY-MM-DD`).
pub async fn add_catalog_visits(
    pool: &AnyPool,
    catalog_id: i64,
    day: &str,
    visits: i64,
) -> Result<(), sqlx::Error> {
    for _ in 0..3 {
        let updated = sqlx::query(
            "UPDATE catalog_visits SET visits = visits + ? WHERE catalog_id = ? AND day = ?",
        )
        .bind(visits)
        .bind(catalog_id)
        .bind(day)
        .execute(pool)
        .await?;
        if updated.rows_affected() == 1 {
            return Ok(());
        }
        match sqlx::query("INSERT INTO catalog_visits (catalog_id, day, visits) VALUES (?, ?, ?)")
            .bind(catalog_id)
            .bind(day)
            .bind(visits)
            .execute(pool)
            .await
        {
            Ok(_) => return Ok(()),
            // Another process inserted the row first: add to it.
            Err(e) if super::is_unique_violation(&e) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// The SKUs on sale at or below `threshold` units, lowest first, at most `limit`:
/// `(id, name, stock)`.
pub async fn low_stock(
    pool: &AnyPool,
    threshold: i64,
    limit: i64,
) -> Result<Vec<(i64, String, i64)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, name, stock FROM skus WHERE stock <= ? AND is_launched = 1 \
         ORDER BY stock, id LIMIT ?",
    )
    .bind(threshold)
    .bind(limit)
    .fetch_all(pool)
    .await
}

/// The catalog of each SKU of `ids` that exists: `(sku id, catalog id)`.
pub async fn catalogs_of_skus(pool: &AnyPool, ids: &[i64]) -> Result<Vec<(i64, i64)>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let marks = vec!["?"; ids.len()].join(", ");
    let sql = format!(
        "SELECT s.id, p.catalog_id FROM skus s JOIN spus p ON p.id = s.spu_id WHERE s.id IN ({marks})"
    );
    let mut query = sqlx::query_as::<_, (i64, i64)>(&sql);
    for id in ids {
        query = query.bind(*id);
    }
    query.fetch_all(pool).await
}
