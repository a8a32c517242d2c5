//! Orders (`orders`, `order_lines`): creation with optimistic stock, the status changes of
//! docs/api.md "Orders and payment", and cancellation with the stock returned exactly once.
//!
//! **No unit sold twice.** Each ordered SKU's stock is taken with one conditional statement,
//! `UPDATE skus SET stock = stock - n ... WHERE id = ? AND stock >= n`: the database
//! evaluates the condition on the row's latest committed value under its row lock (InnoDB) or
//! the single write lock (SQLite), so concurrent orders can never take more than the stock.
//! SKUs are taken in id order, so two orders never wait for each other in a cycle; a
//! deadlock or lock time-out the database still reports rolls the whole order back and it is
//! tried again ([`CREATE_TRIES`] tries, then [`OrderError::Conflict`], code 50104).
//!
//! **Cancelled exactly once.** `UPDATE orders SET status = 5 ... WHERE order_id = ? AND
//! status = 1` decides between a shopper's cancel, the time-out job (however many times it
//! runs) and the sweep; only the one whose update changed the row returns the stock, in the
//! same transaction.
//!
//! **The gateway's trade.** With online payment on, the same update marks the order's Alipay
//! trade for closing (`trade_close_due`, see [`crate::db::payments::trade_closes_due`]), so
//! that a close the caller fails to queue after the commit is still made by the sweep: the
//! old pay URL must stop paying whatever happens to the queue.

use std::collections::HashMap;
use std::time::Duration;

use chrono::{FixedOffset, TimeZone};
use dadashop_types::orders::{
    MAX_LINE_COUNT, STATUS_CANCELLED, STATUS_DONE, STATUS_PAID, STATUS_SHIPPED, STATUS_UNPAID,
};
use sqlx::{Any, AnyPool, FromRow, Transaction};

use super::carts::{self, CartLineRow};
use super::{begin_write, is_transient, is_unique_violation};

/// Tries of an order creation that lost to concurrent transactions (deadlock, lock time-out,
/// busy database) before the shopper gets 50104.
pub const CREATE_TRIES: u32 = 3;

/// China Standard Time (UTC+8), the shop's clock for order ids and order times.
fn china() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).unwrap_or_else(|| FixedOffset::east_opt(0).expect("UTC"))
}

/// `unix_secs` as `format` in China Standard Time (chrono's strftime syntax).
pub fn china_time(unix_secs: i64, format: &str) -> String {
    china()
        .timestamp_opt(unix_secs, 0)
        .single()
        .map(|t| t.format(format).to_string())
        .unwrap_or_default()
}

/// An order row.
#[derive(Debug, Clone, FromRow)]
pub struct OrderRow {
    pub order_id: String,
    pub user_id: i64,
    pub receiver: String,
    pub address: String,
    pub receiver_mobile: String,
    pub tag: String,
    pub total_count: i64,
    /// Fen.
    pub goods_amount: i64,
    /// Fen.
    pub freight: i64,
    /// Goods and freight, fen.
    pub total_amount: i64,
    pub status: i64,
    /// Unix seconds.
    pub pay_deadline: i64,
    pub request_hash: Option<String>,
    pub carts_count: i64,
    /// Unix seconds.
    pub created_at: i64,
    /// The shipment, once an operator shipped the order.
    pub carrier: Option<String>,
    pub tracking_no: Option<String>,
}

const ORDER_COLUMNS: &str = "SELECT order_id, user_id, receiver, address, receiver_mobile, tag, \
     total_count, goods_amount, freight, total_amount, status, pay_deadline, request_hash, \
     carts_count, created_at, carrier, tracking_no FROM orders";

/// A line of an order, as ordered.
#[derive(Debug, Clone, FromRow)]
pub struct OrderLineRow {
    pub order_id: String,
    pub sku_id: i64,
    pub name: String,
    /// Unit price, fen.
    pub price: i64,
    pub count: i64,
    pub default_image_url: String,
    /// JSON `[[attribute, value], ...]`.
    pub sale_attrs: String,
}

impl OrderLineRow {
    /// The `(attribute, value)` pairs of [`Self::sale_attrs`] (empty when unreadable).
    pub fn attrs(&self) -> Vec<(String, String)> {
        serde_json::from_str(&self.sale_attrs).unwrap_or_default()
    }
}

/// What to order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The selected lines of the cart, which leave the cart.
    Cart,
    /// `count` units of one SKU; the cart is left alone.
    BuyNow { sku_id: i64, count: i64 },
}

/// An order to create.
#[derive(Debug, Clone)]
pub struct NewOrder {
    pub user_id: i64,
    pub address_id: i64,
    pub source: Source,
    /// The client's `Idempotency-Key` and the SHA-256 (hex) of the request it came with.
    pub idempotency: Option<(String, String)>,
    /// Fen.
    pub freight_fen: i64,
    /// Goods totals from this amount ship free (fen); 0: never.
    pub free_freight_from_fen: i64,
    /// Seconds to pay.
    pub pay_timeout_secs: i64,
    /// Unix seconds.
    pub now: i64,
}

/// A successful creation.
#[derive(Debug, Clone)]
pub struct Created {
    pub order: OrderRow,
    /// `false` when the answer is an order made earlier with the same idempotency key.
    pub fresh: bool,
    /// SKUs this order sold out (their availability changed: the goods caches must know).
    pub sold_out: Vec<i64>,
}

/// Why an order was not made; nothing changed.
#[derive(Debug, thiserror::Error)]
pub enum OrderError {
    /// 50102.
    #[error("bad address")]
    BadAddress,
    /// 50101: no selected line, or the buy-now SKU is unknown or unlaunched.
    #[error("nothing to order")]
    Nothing,
    /// 50103: `name` (SKU `sku_id`) has fewer units than ordered.
    #[error("stock short: {name}")]
    StockShort { sku_id: i64, name: String },
    /// 50104: lost to concurrent transactions [`CREATE_TRIES`] times.
    #[error("concurrent update lost")]
    Conflict,
    /// The idempotency key was used with another request (50108).
    #[error("idempotency key reused")]
    KeyMismatch,
    /// Too many orders of one shopper in one second (the id's 2-digit sequence ran out).
    #[error("order id space of this second exhausted")]
    TooFast,
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

/// Freight of an order of `goods` fen: `fee`, or 0 from `free_from` on (0: never free).
/// All in fen.
pub fn freight(goods: i64, fee: i64, free_from: i64) -> i64 {
    if free_from > 0 && goods >= free_from {
        0
    } else {
        fee
    }
}

/// Creates an order (module docs), trying again after a lost race.
pub async fn create(pool: &AnyPool, new: &NewOrder) -> Result<Created, OrderError> {
    for attempt in 1..=CREATE_TRIES {
        match try_create(pool, new).await {
            Err(OrderError::Db(e)) if is_transient(&e) || is_unique_violation(&e) => {
                tracing::info!(attempt, error = %e, "order creation lost a race; trying again");
                let jitter = u64::from(rand::random::<u8>() % 20);
                tokio::time::sleep(Duration::from_millis(5 * u64::from(attempt) + jitter)).await;
            }
            other => return other,
        }
    }
    Err(OrderError::Conflict)
}

async fn try_create(pool: &AnyPool, new: &NewOrder) -> Result<Created, OrderError> {
    let mut tx = begin_write(pool).await?;
    carts::lock_user(&mut tx, new.user_id).await?;

    if let Some((key, hash)) = &new.idempotency {
        let earlier = sqlx::query_as::<_, OrderRow>(&format!(
            "{ORDER_COLUMNS} WHERE user_id = ? AND idempotency_key = ?"
        ))
        .bind(new.user_id)
        .bind(key)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(order) = earlier {
            tx.rollback().await?;
            if order.request_hash.as_deref() != Some(hash.as_str()) {
                return Err(OrderError::KeyMismatch);
            }
            return Ok(Created {
                order,
                fresh: false,
                sold_out: Vec::new(),
            });
        }
    }

    // The region's names go in front of the street: the order keeps the whole line.
    let address = sqlx::query_as::<_, super::addresses::AddressRow>(
        "SELECT id, receiver, address, receiver_mobile, postcode, tag, is_default, province_code, \
         province, city_code, city, district_code, district \
         FROM addresses WHERE id = ? AND user_id = ? AND is_deleted = 0",
    )
    .bind(new.address_id)
    .bind(new.user_id)
    .fetch_optional(&mut *tx)
    .await?
    .map(|a| {
        (
            a.receiver.clone(),
            a.full_address(),
            a.receiver_mobile.clone(),
            a.tag.clone(),
        )
    })
    .ok_or(OrderError::BadAddress)?;

    let lines: Vec<CartLineRow> = match new.source {
        Source::Cart => carts::selected_lines(&mut *tx, new.user_id).await?,
        Source::BuyNow { sku_id, count } => {
            if !(1..=MAX_LINE_COUNT).contains(&count) {
                return Err(OrderError::Nothing);
            }
            buy_now_line(&mut *tx, sku_id, count)
                .await?
                .into_iter()
                .collect()
        }
    };
    if lines.is_empty() {
        return Err(OrderError::Nothing);
    }

    // Take the stock, SKU by SKU in id order (selected_lines is ordered by id).
    let mut sold_out = Vec::new();
    for line in &lines {
        let taken = sqlx::query(
            "UPDATE skus SET stock = stock - ?, sales = sales + ?, updated_at = ? \
             WHERE id = ? AND is_launched = 1 AND stock >= ?",
        )
        .bind(line.count)
        .bind(line.count)
        .bind(new.now)
        .bind(line.sku_id)
        .bind(line.count)
        .execute(&mut *tx)
        .await?;
        if taken.rows_affected() != 1 {
            return Err(OrderError::StockShort {
                sku_id: line.sku_id,
                name: line.name.clone(),
            });
        }
        let left: i64 = sqlx::query_scalar("SELECT stock FROM skus WHERE id = ?")
            .bind(line.sku_id)
            .fetch_one(&mut *tx)
            .await?;
        if left == 0 {
            sold_out.push(line.sku_id);
        }
    }

    let goods_amount: i64 = lines.iter().map(|l| l.price * l.count).sum();
    let total_count: i64 = lines.iter().map(|l| l.count).sum();
    let freight = freight(goods_amount, new.freight_fen, new.free_freight_from_fen);
    let order_id = next_order_id(&mut tx, new.user_id, new.now).await?;

    if new.source == Source::Cart {
        let marks = vec!["?"; lines.len()].join(", ");
        let sql = format!("DELETE FROM cart_lines WHERE user_id = ? AND sku_id IN ({marks})");
        let mut query = sqlx::query(&sql).bind(new.user_id);
        for line in &lines {
            query = query.bind(line.sku_id);
        }
        query.execute(&mut *tx).await?;
    }
    let carts_count = carts::count(&mut *tx, new.user_id).await?;

    let (key, hash) = match &new.idempotency {
        Some((k, h)) => (Some(k.clone()), Some(h.clone())),
        None => (None, None),
    };
    let order = OrderRow {
        order_id,
        user_id: new.user_id,
        receiver: address.0,
        address: address.1,
        receiver_mobile: address.2,
        tag: address.3,
        total_count,
        goods_amount,
        freight,
        total_amount: goods_amount + freight,
        status: STATUS_UNPAID,
        pay_deadline: new.now + new.pay_timeout_secs,
        request_hash: hash.clone(),
        carts_count,
        created_at: new.now,
        carrier: None,
        tracking_no: None,
    };
    sqlx::query(
        "INSERT INTO orders (order_id, user_id, receiver, address, receiver_mobile, tag, \
         total_count, goods_amount, freight, total_amount, status, pay_deadline, \
         idempotency_key, request_hash, carts_count, created_at, updated_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&order.order_id)
    .bind(order.user_id)
    .bind(&order.receiver)
    .bind(&order.address)
    .bind(&order.receiver_mobile)
    .bind(&order.tag)
    .bind(order.total_count)
    .bind(order.goods_amount)
    .bind(order.freight)
    .bind(order.total_amount)
    .bind(order.status)
    .bind(order.pay_deadline)
    .bind(key)
    .bind(hash)
    .bind(order.carts_count)
    .bind(new.now)
    .bind(new.now)
    .execute(&mut *tx)
    .await?;

    let ids: Vec<i64> = lines.iter().map(|l| l.sku_id).collect();
    let attrs = carts::sale_attrs(&mut *tx, &ids).await?;
    let marks = vec!["(?, ?, ?, ?, ?, ?, ?)"; lines.len()].join(", ");
    let sql = format!(
        "INSERT INTO order_lines (order_id, sku_id, name, price, count, default_image_url, \
         sale_attrs) VALUES {marks}"
    );
    let mut query = sqlx::query(&sql);
    for line in &lines {
        let pairs = attrs.get(&line.sku_id).cloned().unwrap_or_default();
        query = query
            .bind(order.order_id.clone())
            .bind(line.sku_id)
            .bind(line.name.clone())
            .bind(line.price)
            .bind(line.count)
            .bind(line.default_image_url.clone())
            .bind(serde_json::to_string(&pairs).unwrap_or_else(|_| "[]".to_owned()));
    }
    query.execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(Created {
        order,
        fresh: true,
        sold_out,
    })
}

/// The buy-now line: `count` units of the launched SKU `sku_id`, or `None`.
pub async fn buy_now_line<'e, E>(
    executor: E,
    sku_id: i64,
    count: i64,
) -> Result<Option<CartLineRow>, sqlx::Error>
where
    E: sqlx::Executor<'e, Database = Any>,
{
    let row = sqlx::query_as::<_, (i64, String, i64, String, i64)>(
        "SELECT id, name, price, default_image_url, stock FROM skus WHERE id = ? AND is_launched = 1",
    )
    .bind(sku_id)
    .fetch_optional(executor)
    .await?;
    Ok(row.map(
        |(sku_id, name, price, default_image_url, stock)| CartLineRow {
            sku_id,
            name,
            price,
            default_image_url,
            stock,
            count,
            selected: 1,
        },
    ))
}

/// The next free order id of `user_id` at `now`: `YYYYmmddHHMMSS` (China Standard Time),
/// the user id on 9 digits, a 2-digit sequence within the second. The caller holds the
/// user's lock, so no other order of this user takes the same id meanwhile.
async fn next_order_id(
    tx: &mut Transaction<'static, Any>,
    user_id: i64,
    now: i64,
) -> Result<String, OrderError> {
    let base = format!("{}{user_id:09}", china_time(now, "%Y%m%d%H%M%S"));
    let last: Option<String> = sqlx::query_scalar(
        "SELECT order_id FROM orders WHERE order_id LIKE ? ORDER BY order_id DESC LIMIT 1",
    )
    .bind(format!("{base}%"))
    .fetch_optional(&mut **tx)
    .await?;
    let next = match last {
        None => 0,
        Some(id) => id[base.len()..].parse::<u32>().unwrap_or(99) + 1,
    };
    if next > 99 {
        return Err(OrderError::TooFast);
    }
    Ok(format!("{base}{next:02}"))
}

/// The order `order_id` of `user_id`.
pub async fn get(
    pool: &AnyPool,
    user_id: i64,
    order_id: &str,
) -> Result<Option<OrderRow>, sqlx::Error> {
    sqlx::query_as::<_, OrderRow>(&format!(
        "{ORDER_COLUMNS} WHERE order_id = ? AND user_id = ?"
    ))
    .bind(order_id)
    .bind(user_id)
    .fetch_optional(pool)
    .await
}

/// The orders of `user_id` with `status` (all when `None`), newest first: the number of them
/// and page `page` (from 1) of `page_size` orders.
pub async fn list(
    pool: &AnyPool,
    user_id: i64,
    status: Option<i64>,
    page: u64,
    page_size: u32,
) -> Result<(i64, Vec<OrderRow>), sqlx::Error> {
    let filter = if status.is_some() {
        "WHERE user_id = ? AND status = ?"
    } else {
        "WHERE user_id = ?"
    };
    let count_sql = format!("SELECT COUNT(*) FROM orders {filter}");
    let mut count = sqlx::query_scalar::<_, i64>(&count_sql).bind(user_id);
    if let Some(s) = status {
        count = count.bind(s);
    }
    let total = count.fetch_one(pool).await?;
    let size = i64::from(page_size);
    let offset = i64::try_from(page.saturating_sub(1))
        .unwrap_or(i64::MAX)
        .saturating_mul(size);
    if offset >= total && page > 1 {
        // Past the last page (however large the number): nothing to read.
        return Ok((total, Vec::new()));
    }
    let sql = format!(
        "{ORDER_COLUMNS} {filter} ORDER BY created_at DESC, order_id DESC LIMIT ? OFFSET ?"
    );
    let mut rows = sqlx::query_as::<_, OrderRow>(&sql).bind(user_id);
    if let Some(s) = status {
        rows = rows.bind(s);
    }
    let rows = rows.bind(size).bind(offset).fetch_all(pool).await?;
    Ok((total, rows))
}

/// The lines of each order of `order_ids`: `order id → lines` (by SKU id).
pub async fn lines(
    pool: &AnyPool,
    order_ids: &[String],
) -> Result<HashMap<String, Vec<OrderLineRow>>, sqlx::Error> {
    let mut out: HashMap<String, Vec<OrderLineRow>> = HashMap::new();
    if order_ids.is_empty() {
        return Ok(out);
    }
    let marks = vec!["?"; order_ids.len()].join(", ");
    let sql = format!(
        "SELECT order_id, sku_id, name, price, count, default_image_url, sale_attrs \
         FROM order_lines WHERE order_id IN ({marks}) ORDER BY order_id, sku_id"
    );
    let mut query = sqlx::query_as::<_, OrderLineRow>(&sql);
    for id in order_ids {
        query = query.bind(id.clone());
    }
    for line in query.fetch_all(pool).await? {
        out.entry(line.order_id.clone()).or_default().push(line);
    }
    Ok(out)
}

/// Who cancels an order.
#[derive(Debug, Clone)]
pub enum Canceller {
    /// The shopper `user_id`, any time while unpaid.
    Shopper { user_id: i64 },
    /// The payment time-out (job or sweep): only once the order's deadline has passed.
    Timeout,
    /// An operator in the console, only if the order is still at `version` (as read);
    /// the audit row is written in the cancel's transaction.
    Operator {
        version: i64,
        actor: crate::db::audit::Actor,
        reason: String,
    },
}

/// What a cancellation did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cancelled {
    /// This call cancelled the order and returned the stock of the SKUs listed.
    Done { restocked: Vec<i64> },
    /// Nothing changed: the order is not unpaid (paid, already cancelled by someone else),
    /// not this shopper's, (time-out) not past its deadline, or (operator) changed since it
    /// was read.
    NotApplicable,
}

/// Cancels the unpaid order `order_id` and returns its stock, exactly once over every
/// canceller (module docs). `close_trade`: online payment is on, so the gateway may hold a
/// trade for the order; the cancel then also marks that trade for `alipay.trade.close`
/// (`trade_close_due = now`) in the same transaction, and the caller should queue the close
/// ([`crate::jobs::Jobs::close_trade`]) after this returns [`Cancelled::Done`]. `now` in Unix
/// seconds. The cancel bumps the order's `version` and records when and by whom.
pub async fn cancel(
    pool: &AnyPool,
    order_id: &str,
    by: Canceller,
    close_trade: bool,
    now: i64,
) -> Result<Cancelled, sqlx::Error> {
    let close_due = close_trade.then_some(now);
    let mut tx = begin_write(pool).await?;
    const SET: &str = "UPDATE orders SET status = ?, cancel_reason = ?, cancelled_by = ?, \
        cancelled_at = ?, trade_close_due = ?, version = version + 1, updated_at = ? \
        WHERE order_id = ? AND status = ?";
    let (reason, who) = match &by {
        Canceller::Shopper { .. } => ("shopper".to_owned(), "shopper".to_owned()),
        Canceller::Timeout => ("timeout".to_owned(), "timeout".to_owned()),
        Canceller::Operator { actor, .. } => ("operator".to_owned(), actor.label()),
    };
    let sql = match &by {
        Canceller::Shopper { .. } => format!("{SET} AND user_id = ?"),
        Canceller::Timeout => format!("{SET} AND pay_deadline <= ?"),
        Canceller::Operator { .. } => format!("{SET} AND version = ?"),
    };
    let query = sqlx::query(&sql)
        .bind(STATUS_CANCELLED)
        .bind(reason)
        .bind(who)
        .bind(now)
        .bind(close_due)
        .bind(now)
        .bind(order_id)
        .bind(STATUS_UNPAID);
    let query = match &by {
        Canceller::Shopper { user_id } => query.bind(*user_id),
        Canceller::Timeout => query.bind(now),
        Canceller::Operator { version, .. } => query.bind(*version),
    };
    let changed = query.execute(&mut *tx).await?;
    if changed.rows_affected() != 1 {
        tx.rollback().await?;
        return Ok(Cancelled::NotApplicable);
    }
    let lines: Vec<(i64, i64)> =
        sqlx::query_as("SELECT sku_id, count FROM order_lines WHERE order_id = ? ORDER BY sku_id")
            .bind(order_id)
            .fetch_all(&mut *tx)
            .await?;
    let restocked = restock(&mut tx, &lines, now).await?;
    if let Canceller::Operator {
        version,
        actor,
        reason,
    } = &by
    {
        crate::db::audit::record(
            &mut tx,
            actor,
            &crate::db::audit::Change {
                resource: "orders",
                resource_id: order_id,
                action: "cancel",
                before: serde_json::json!({ "status": STATUS_UNPAID, "version": version }),
                after: serde_json::json!({
                    "status": STATUS_CANCELLED, "version": version + 1, "reason": reason,
                    "restocked": lines,
                }),
            },
            now,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(Cancelled::Done { restocked })
}

/// Puts the units of `lines` (`(sku_id, count)`) back into stock and takes them off the
/// SKUs' sales, in the caller's transaction; returns the SKU ids.
pub async fn restock(
    tx: &mut sqlx::AnyConnection,
    lines: &[(i64, i64)],
    now: i64,
) -> Result<Vec<i64>, sqlx::Error> {
    let mut restocked = Vec::new();
    for &(sku_id, count) in lines {
        sqlx::query(
            "UPDATE skus SET stock = stock + ?, sales = CASE WHEN sales >= ? THEN sales - ? ELSE 0 END, \
             updated_at = ? WHERE id = ?",
        )
        .bind(count)
        .bind(count)
        .bind(count)
        .bind(now)
        .bind(sku_id)
        .execute(&mut *tx)
        .await?;
        restocked.push(sku_id);
    }
    Ok(restocked)
}

/// Confirms receipt of the shipped order `order_id` of `user_id` (status 3 → 4). `false`
/// when it is not this shopper's shipped order.
pub async fn confirm_receipt(
    pool: &AnyPool,
    user_id: i64,
    order_id: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE orders SET status = ?, received_at = ?, version = version + 1, updated_at = ? \
         WHERE order_id = ? AND user_id = ? AND status = ?",
    )
    .bind(STATUS_DONE)
    .bind(now)
    .bind(now)
    .bind(order_id)
    .bind(user_id)
    .bind(STATUS_SHIPPED)
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A shipment: the carrier and tracking number, and who ships.
#[derive(Debug, Clone)]
pub struct Shipment<'a> {
    pub carrier: &'a str,
    pub tracking_no: &'a str,
    /// `cli`, or `staff:<username>`.
    pub by: &'a str,
    /// Only if the order is still at this version (the console's write); any for the CLI.
    pub version: Option<i64>,
}

/// Marks the paid order `order_id` shipped (status 2 → 3) with `shipment`, bumping its
/// version; `audit`, when given, is written in the same transaction. `false` when there is
/// no such paid order (at that version).
pub async fn ship(
    pool: &AnyPool,
    order_id: &str,
    shipment: &Shipment<'_>,
    audit: Option<&crate::db::audit::Actor>,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let mut tx = begin_write(pool).await?;
    let mut sql = "UPDATE orders SET status = ?, carrier = ?, tracking_no = ?, shipped_at = ?, \
        shipped_by = ?, version = version + 1, updated_at = ? WHERE order_id = ? AND status = ?"
        .to_owned();
    if shipment.version.is_some() {
        sql.push_str(" AND version = ?");
    }
    let mut query = sqlx::query(&sql)
        .bind(STATUS_SHIPPED)
        .bind(shipment.carrier)
        .bind(shipment.tracking_no)
        .bind(now)
        .bind(shipment.by)
        .bind(now)
        .bind(order_id)
        .bind(STATUS_PAID);
    if let Some(v) = shipment.version {
        query = query.bind(v);
    }
    let done = query.execute(&mut *tx).await?;
    if done.rows_affected() != 1 {
        tx.rollback().await?;
        return Ok(false);
    }
    if let Some(actor) = audit {
        let version = shipment.version.unwrap_or_default();
        crate::db::audit::record(
            &mut tx,
            actor,
            &crate::db::audit::Change {
                resource: "orders",
                resource_id: order_id,
                action: "ship",
                before: serde_json::json!({ "status": STATUS_PAID, "version": version }),
                after: serde_json::json!({
                    "status": STATUS_SHIPPED, "version": version + 1,
                    "carrier": shipment.carrier, "tracking_no": shipment.tracking_no,
                }),
            },
            now,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(true)
}

/// Ids of at most `limit` unpaid orders whose deadline passed by `now` (oldest first).
pub async fn expired_unpaid(
    pool: &AnyPool,
    now: i64,
    limit: i64,
) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT order_id FROM orders WHERE status = ? AND pay_deadline <= ? \
         ORDER BY pay_deadline LIMIT ?",
    )
    .bind(STATUS_UNPAID)
    .bind(now)
    .bind(limit)
    .fetch_all(pool)
    .await
}

/// The status and deadline of `order_id`, if it exists.
pub async fn status(pool: &AnyPool, order_id: &str) -> Result<Option<(i64, i64)>, sqlx::Error> {
    sqlx::query_as("SELECT status, pay_deadline FROM orders WHERE order_id = ?")
        .bind(order_id)
        .fetch_optional(pool)
        .await
}
