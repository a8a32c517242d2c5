//! Closing the gateway's trade of a cancelled order (issue 21 item 7): each cancel of an
//! unpaid order (the shopper's, the time-out job's, the sweep's) has its Alipay trade closed
//! with `alipay.trade.close`, so that the order's old pay URL no longer pays; a close the
//! gateway did not answer is tried again until it is made; a pay URL never outlives its
//! order. (The shop has no operator command that cancels an order.)

use std::time::Duration;

use dadashop_fakes::alipay::{CloseRequest, Switches, TradeStatus};
use dadashop_server::jobs::JobContext;
use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::common::{Backend, TestApp};
use crate::on_both_backends;
use crate::orders::{cancel_reason, order_status, stock_and_sales};
use crate::payments::{fake, paying_shop, query_params, unpaid_order, wait_status};

on_both_backends!(
    a_shoppers_cancel_closes_the_trade_so_the_old_pay_url_no_longer_pays,
    the_time_out_job_closes_the_trade_of_the_order_it_cancels,
    the_sweep_closes_a_trade_whose_close_was_never_queued,
    a_close_the_gateway_did_not_answer_is_retried_until_it_is_made,
    a_trade_not_opened_yet_is_closed_again_until_its_pay_url_expires,
    a_trade_never_opened_is_settled_once_its_pay_url_expired,
    a_refused_close_waits_behind_the_other_due_closes,
    a_trade_paid_before_its_close_flags_the_order_for_refund,
    a_pay_url_never_outlives_its_order,
);

/// The shopper opens the pay URL: the gateway shows its cashier and now holds the trade.
async fn open_cashier(app: &TestApp, order_id: &str, pay_url: &str) {
    let html = app
        .client
        .get(pay_url)
        .send()
        .await
        .expect("cashier")
        .text()
        .await
        .expect("html");
    assert!(html.contains("收银台"), "{html}");
    assert_eq!(
        fake(app).trade(order_id).map(|t| t.status),
        Some(TradeStatus::WaitBuyerPay)
    );
}

/// Waits up to 10 s until the close requests the gateway received for `order_id` satisfy
/// `done`; returns them.
async fn wait_for_closes(
    app: &TestApp,
    order_id: &str,
    what: &str,
    done: impl Fn(&[CloseRequest]) -> bool,
) -> Vec<CloseRequest> {
    for _ in 0..200 {
        let closes = fake(app).close_requests_for(order_id);
        if done(&closes) {
            return closes;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!(
        "{what} for {order_id}: got {:?}",
        fake(app).close_requests_for(order_id)
    );
}

fn any_closed(closes: &[CloseRequest]) -> bool {
    closes.iter().any(CloseRequest::closed)
}

/// `orders.trade_close_due` of `order_id`: when its trade became due for closing, if it
/// still is.
async fn close_due(app: &TestApp, order_id: &str) -> Option<i64> {
    sqlx::query_scalar("SELECT trade_close_due FROM orders WHERE order_id = ?")
        .bind(order_id)
        .fetch_one(&app.state.db)
        .await
        .expect("order")
}

/// Makes the trade close of `order_id` due since `at` (Unix seconds).
async fn set_close_due(app: &TestApp, order_id: &str, at: i64) {
    sqlx::query("UPDATE orders SET trade_close_due = ? WHERE order_id = ?")
        .bind(at)
        .bind(order_id)
        .execute(&app.state.db)
        .await
        .expect("sql");
}

/// Waits up to 10 s until nothing is due for `order_id` any more.
async fn wait_close_settled(app: &TestApp, order_id: &str) {
    for _ in 0..200 {
        if close_due(app, order_id).await.is_none() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the trade close of {order_id} is still due");
}

/// Paying the old pay URL fails: the gateway refuses 确认付款, and opening the URL again
/// shows Alipay's closed-trade page.
async fn old_pay_url_no_longer_pays(app: &TestApp, order_id: &str, pay_url: &str) {
    assert_eq!(
        fake(app).trade(order_id).map(|t| t.status),
        Some(TradeStatus::TradeClosed)
    );
    let refused = fake(app).pay(order_id).expect_err("a closed trade");
    assert!(refused.to_string().contains("TRADE_HAS_CLOSE"), "{refused}");
    let html = app
        .client
        .get(pay_url)
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    assert!(html.contains("TRADE_HAS_CLOSE"), "{html}");
}

async fn cancel(app: &TestApp, user: &str, token: &str, order_id: &str) -> StatusCode {
    app.call(
        Method::POST,
        &format!("/v1/orders/{user}/{order_id}/cancel"),
        None,
        Some(token),
    )
    .await
    .0
}

/// A job context of the app without queues (as if the broker had refused the close job).
fn context_without_queues(app: &TestApp) -> JobContext {
    let mut ctx = JobContext::new(app.settings(), app.state.db.clone()).expect("context");
    ctx.alipay.clone_from(&app.state.alipay);
    assert!(ctx.jobs.is_none());
    ctx
}

async fn a_shoppers_cancel_closes_the_trade_so_the_old_pay_url_no_longer_pays(b: Backend) {
    let app = paying_shop(b, false).await;
    let (token, id, pay_url, _) = unpaid_order(&app, "ada", 2).await;
    let stock = stock_and_sales(&app, 3).await.0;
    open_cashier(&app, &id, &pay_url).await;

    assert_eq!(cancel(&app, "ada", &token, &id).await, StatusCode::OK);

    let closes = wait_for_closes(&app, &id, "a close", any_closed).await;
    assert_eq!(closes.len(), 1, "{closes:?}");
    wait_close_settled(&app, &id).await;
    old_pay_url_no_longer_pays(&app, &id, &pay_url).await;
    assert_eq!(order_status(&app, &id).await, 5, "stays cancelled");
    assert_eq!(
        stock_and_sales(&app, 3).await.0,
        stock + 2,
        "stock returned"
    );
}

async fn the_time_out_job_closes_the_trade_of_the_order_it_cancels(b: Backend) {
    let app = paying_shop(b, false).await;
    let (_, id, pay_url, _) = unpaid_order(&app, "bea", 1).await;
    let stock = stock_and_sales(&app, 3).await.0;
    open_cashier(&app, &id, &pay_url).await;
    // Half an hour later: the order's time-out job runs (the gateway says unpaid).
    let deadline = dadashop_server::db::now_secs() - 1;
    app.exec("UPDATE orders SET pay_deadline = ?", &[deadline])
        .await;
    app.state
        .jobs
        .schedule_order_timeout(&id, deadline)
        .await
        .expect("queued");

    wait_status(&app, &id, 5).await;
    wait_for_closes(&app, &id, "a close", any_closed).await;
    wait_close_settled(&app, &id).await;
    old_pay_url_no_longer_pays(&app, &id, &pay_url).await;
    assert_eq!(order_status(&app, &id).await, 5);
    assert_eq!(
        stock_and_sales(&app, 3).await.0,
        stock + 1,
        "stock returned"
    );
    assert_eq!(cancel_reason(&app, &id).await, "timeout");
}

async fn the_sweep_closes_a_trade_whose_close_was_never_queued(b: Backend) {
    // No worker and a context without queues: the close job is never queued, as when the
    // broker is down at the cancel.
    let app = paying_shop(b, true).await;
    let (_, id, pay_url, _) = unpaid_order(&app, "cai", 1).await;
    let stock = stock_and_sales(&app, 3).await.0;
    open_cashier(&app, &id, &pay_url).await;
    let ctx = context_without_queues(&app);
    app.exec(
        "UPDATE orders SET pay_deadline = ?",
        &[dadashop_server::db::now_secs() - 1],
    )
    .await;

    let sweep = || dadashop_server::jobs::orders::sweep(&ctx);
    assert_eq!(sweep().await.expect("sweep"), 1, "cancelled by the sweep");
    assert_eq!(order_status(&app, &id).await, 5);
    assert!(close_due(&app, &id).await.is_some(), "the close is due");
    assert!(
        fake(&app).close_requests_for(&id).is_empty(),
        "left to the job for a minute"
    );

    // A minute later, the next sweep makes the close itself.
    app.exec(
        "UPDATE orders SET trade_close_due = trade_close_due - ?",
        &[dadashop_server::jobs::orders::CLOSE_GRACE_SECS + 1],
    )
    .await;
    assert_eq!(sweep().await.expect("sweep"), 0, "nothing more to cancel");
    let closes = fake(&app).close_requests_for(&id);
    assert!(
        closes.len() == 1 && closes[0].closed(),
        "closed by the sweep: {closes:?}"
    );
    assert_eq!(close_due(&app, &id).await, None);
    old_pay_url_no_longer_pays(&app, &id, &pay_url).await;
    assert_eq!(
        stock_and_sales(&app, 3).await.0,
        stock + 1,
        "stock returned"
    );
    // Nothing is closed twice.
    sweep().await.expect("sweep");
    assert_eq!(fake(&app).close_requests_for(&id).len(), 1);
}

async fn a_close_the_gateway_did_not_answer_is_retried_until_it_is_made(b: Backend) {
    let app = paying_shop(b, false).await;
    let (token, id, pay_url, _) = unpaid_order(&app, "dan", 1).await;
    open_cashier(&app, &id, &pay_url).await;
    fake(&app).set(Switches {
        close_unavailable: true,
        ..Switches::default()
    });

    assert_eq!(cancel(&app, "dan", &token, &id).await, StatusCode::OK);
    let failed = wait_for_closes(&app, &id, "two unanswered closes", |c| {
        c.iter().filter(|r| r.status == 503).count() >= 2
    })
    .await;
    assert!(!any_closed(&failed), "{failed:?}");
    assert!(close_due(&app, &id).await.is_some(), "still due");
    assert_eq!(
        fake(&app).trade(&id).map(|t| t.status),
        Some(TradeStatus::WaitBuyerPay)
    );

    // The gateway is back: the job's next try closes the trade.
    fake(&app).set(Switches::default());
    wait_for_closes(&app, &id, "a close after the outage", any_closed).await;
    wait_close_settled(&app, &id).await;
    old_pay_url_no_longer_pays(&app, &id, &pay_url).await;
    assert_eq!(order_status(&app, &id).await, 5);
}

async fn a_trade_not_opened_yet_is_closed_again_until_its_pay_url_expires(b: Backend) {
    let app = paying_shop(b, false).await;
    let (token, id, pay_url, _) = unpaid_order(&app, "eve", 1).await;

    // Cancelled before the pay URL was opened: the gateway holds no trade yet.
    assert_eq!(cancel(&app, "eve", &token, &id).await, StatusCode::OK);
    let closes = wait_for_closes(&app, &id, "a close", |c| !c.is_empty()).await;
    assert_eq!(closes[0].sub_code, "ACQ.TRADE_NOT_EXIST");
    // The URL could still be opened (it is valid until the payment deadline): still due.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(close_due(&app, &id).await.is_some(), "still due");
    assert!(fake(&app).trade(&id).is_none());

    // The shopper opens the old pay URL in another tab, which creates the trade; the next
    // sweep closes it, so it cannot be paid.
    open_cashier(&app, &id, &pay_url).await;
    let ctx = context_without_queues(&app);
    app.exec(
        "UPDATE orders SET trade_close_due = trade_close_due - ?",
        &[dadashop_server::jobs::orders::CLOSE_GRACE_SECS + 1],
    )
    .await;
    dadashop_server::jobs::orders::sweep(&ctx)
        .await
        .expect("sweep");
    assert_eq!(close_due(&app, &id).await, None);
    old_pay_url_no_longer_pays(&app, &id, &pay_url).await;
    assert_eq!(order_status(&app, &id).await, 5);
}

async fn a_trade_never_opened_is_settled_once_its_pay_url_expired(b: Backend) {
    let app = paying_shop(b, true).await;
    let (token, id, _, _) = unpaid_order(&app, "gus", 1).await;
    assert_eq!(cancel(&app, "gus", &token, &id).await, StatusCode::OK);
    // The payment deadline (and the clock skew allowed) passed without the URL being opened.
    let long_ago = dadashop_server::db::now_secs()
        - dadashop_server::reconcile::PAY_URL_SKEW_SECS
        - dadashop_server::jobs::orders::CLOSE_GRACE_SECS
        - 10;
    app.exec(
        "UPDATE orders SET pay_deadline = ?, trade_close_due = ?",
        &[long_ago, long_ago],
    )
    .await;
    let ctx = context_without_queues(&app);
    dadashop_server::jobs::orders::sweep(&ctx)
        .await
        .expect("sweep");
    let closes = fake(&app).close_requests_for(&id);
    assert_eq!(closes.len(), 1, "{closes:?}");
    assert_eq!(closes[0].sub_code, "ACQ.TRADE_NOT_EXIST");
    assert_eq!(close_due(&app, &id).await, None, "settled for good");
    dadashop_server::jobs::orders::sweep(&ctx)
        .await
        .expect("sweep");
    assert_eq!(fake(&app).close_requests_for(&id).len(), 1);
    assert!(fake(&app).trade(&id).is_none());
}

async fn a_refused_close_waits_behind_the_other_due_closes(b: Backend) {
    let app = paying_shop(b, true).await;
    let (token, refused, refused_url, _) = unpaid_order(&app, "hal", 1).await;
    open_cashier(&app, &refused, &refused_url).await;
    assert_eq!(cancel(&app, "hal", &token, &refused).await, StatusCode::OK);
    let now = dadashop_server::db::now_secs();
    // Due for an hour: first in the sweep's list.
    set_close_due(&app, &refused, now - 3600).await;
    let ctx = context_without_queues(&app);
    fake(&app).set(Switches {
        close_refused: true,
        ..Switches::default()
    });
    dadashop_server::jobs::orders::sweep(&ctx)
        .await
        .expect("a refused close does not fail the sweep");
    let closes = fake(&app).close_requests_for(&refused);
    assert_eq!(closes.len(), 1, "{closes:?}");
    assert_eq!(closes[0].code, "40006");
    // Still due, but only after the back-off: behind every close due now.
    let again = close_due(&app, &refused).await.expect("still due");
    assert!(
        again >= now + dadashop_server::jobs::orders::REFUSED_CLOSE_BACKOFF_SECS,
        "{again}"
    );

    // Another cancelled order due a minute ago is closed by the next sweep; the refused one
    // is not asked again before its time.
    fake(&app).set(Switches::default());
    let (token2, other, other_url, _) = unpaid_order(&app, "ida", 1).await;
    open_cashier(&app, &other, &other_url).await;
    assert_eq!(cancel(&app, "ida", &token2, &other).await, StatusCode::OK);
    set_close_due(
        &app,
        &other,
        now - dadashop_server::jobs::orders::CLOSE_GRACE_SECS - 1,
    )
    .await;
    dadashop_server::jobs::orders::sweep(&ctx)
        .await
        .expect("sweep");
    assert!(fake(&app).close_requests_for(&other)[0].closed());
    assert_eq!(close_due(&app, &other).await, None);
    assert_eq!(fake(&app).close_requests_for(&refused).len(), 1);
}

async fn a_trade_paid_before_its_close_flags_the_order_for_refund(b: Backend) {
    let app = paying_shop(b, false).await;
    let (token, id, pay_url, _) = unpaid_order(&app, "fay", 1).await;
    open_cashier(&app, &id, &pay_url).await;
    // Paid in another tab, and the notification is lost: the shop still sees it unpaid.
    fake(&app).set(Switches {
        drop_notifications: true,
        ..Switches::default()
    });
    fake(&app).pay(&id).expect("pays");

    assert_eq!(cancel(&app, "fay", &token, &id).await, StatusCode::OK);
    let closes = wait_for_closes(&app, &id, "a close", |c| !c.is_empty()).await;
    assert_eq!(closes[0].sub_code, "ACQ.TRADE_STATUS_ERROR");
    // The close job asked the gateway and found the payment: refund due.
    wait_status(&app, &id, 6).await;
    wait_close_settled(&app, &id).await;
    let outcome: String = sqlx::query_scalar("SELECT outcome FROM payments WHERE order_id = ?")
        .bind(&id)
        .fetch_one(&app.state.db)
        .await
        .expect("payment");
    assert_eq!(outcome, "refund");
}

/// `timeout_express` of the pay URL that paying again (`type=5`) answers for `order_id`, or
/// `None` when the answer has no pay URL; its `time_expire` must be the order's deadline.
async fn repay_timeout(app: &TestApp, user: &str, token: &str, order_id: &str) -> Option<String> {
    let (status, body) = app
        .get(
            &format!("/v1/orders/{user}?type=5&order_id={order_id}"),
            Some(token),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let url = body["data"]["pay_url"].as_str().expect("pay_url");
    if url.is_empty() {
        return None;
    }
    let biz: Value = serde_json::from_str(&query_params(url)["biz_content"]).expect("biz_content");
    let deadline: i64 = sqlx::query_scalar("SELECT pay_deadline FROM orders WHERE order_id = ?")
        .bind(order_id)
        .fetch_one(&app.state.db)
        .await
        .expect("deadline");
    assert_eq!(
        biz["time_expire"].as_str(),
        Some(
            dadashop_server::db::orders::china_time(deadline, dadashop_server::alipay::TIME_FORMAT)
                .as_str()
        ),
        "the trade ends with the order, however late it is opened"
    );
    Some(biz["timeout_express"].as_str().expect("minutes").to_owned())
}

async fn a_pay_url_never_outlives_its_order(b: Backend) {
    let app = paying_shop(b, true).await;
    let (token, id, _, _) = unpaid_order(&app, "gus", 1).await;
    let now = dadashop_server::db::now_secs();
    for (left, expected, why) in [
        (630, Some("10m"), "10.5 minutes left: rounded down to 10"),
        (119, Some("1m"), "just under 2 minutes"),
        (
            59,
            None,
            "under a minute: no pay URL, the order is about to be cancelled",
        ),
        (5, None, "seconds left"),
    ] {
        app.exec("UPDATE orders SET pay_deadline = ?", &[now + left])
            .await;
        assert_eq!(
            repay_timeout(&app, "gus", &token, &id).await.as_deref(),
            expected,
            "{why}"
        );
    }
}
