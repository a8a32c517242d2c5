//! A local stand-in for Alipay's open-platform gateway (`https://openapi.alipay.com/gateway.do`),
//! speaking the same protocol (RSA2 signatures, the same parameters, pages and JSON) for
//! development (`fake-alipay`) and for the shop's tests. It covers computer-website payment
//! (电脑网站支付): the page pay request, the buyer paying on a 收银台 page, the synchronous
//! return redirect, the asynchronous notification with Alipay's retries, the trade query, the
//! trade close, the refund and the refund query.
//!
//! Every request parameter may come in the query string, in an
//! `application/x-www-form-urlencoded` body, or both (the official SDKs put the common
//! parameters in the query and `biz_content` in the body); they are merged, and a key given
//! twice with different values is refused. Everything is UTF-8. Signatures are RSA2
//! ([`sign`]): the gateway checks the shop's requests with [`Config::app_public_key`] and signs
//! what it sends with its own key ([`FakeAlipay::gateway_public_key_pem`]).
//!
//! - `GET`/`POST /gateway.do?method=alipay.trade.page.pay&app_id&charset=utf-8&sign_type=RSA2
//!   &timestamp&version=1.0&notify_url&return_url&biz_content&sign`: checks the common
//!   parameters and the signature, and `biz_content` (`out_trade_no` ≤ 64 letters, digits or
//!   `_`; `total_amount` 0.01..100000000 yuan with at most two decimals, as a string or a
//!   number; `subject`; `product_code=FAST_INSTANT_TRADE_PAY`; optional `timeout_express`
//!   `Nm`/`Nh`/`Nd`/`1c` between 1m and 15d, or `time_expire` `yyyy-MM-dd HH:mm:ss`; default
//!   15d). It records the trade (`WAIT_BUYER_PAY`) and shows the 收银台 with a 确认付款 button.
//!   Opening the same `out_trade_no` again with the same amount shows the same trade. Failures
//!   show Alipay's error page with HTTP 200: `错误代码 <code>` (also in
//!   `data-testid="alipay-error"`) and `错误原因: ...`; the codes are `missing-app-id`,
//!   `invalid-app-id`, `invalid-charset`, `missing-signature-type`, `invalid-signature-type`,
//!   `missing-signature`, `invalid-signature` (with the string the gateway verified),
//!   `missing-timestamp`, `invalid-timestamp`, `missing-version`, `invalid-format`,
//!   `invalid-parameter` (naming the field), `TRADE_HAS_CLOSE`, `TRADE_HAS_SUCCESS`.
//! - `POST /gateway.do/pay` (form `token` from the 收银台): pays the trade (`TRADE_SUCCESS`,
//!   `gmt_payment` now in China time), starts the asynchronous notification and answers `302`
//!   to `return_url` with the signed return parameters (`out_trade_no, trade_no,
//!   total_amount, seller_id, auth_app_id, app_id, charset, method=alipay.trade.page.pay.return,
//!   timestamp, version, sign_type, sign`), or a 支付成功 page when there is no `return_url`.
//!   A trade past its deadline is closed instead (`TRADE_HAS_CLOSE`); a paid one shows
//!   `TRADE_HAS_SUCCESS`; the `fail_payment` switch shows `SYSTEM_ERROR` and leaves it unpaid.
//! - The asynchronous notification: `POST notify_url` (form, `charset=utf-8`) with
//!   `notify_type=trade_status_sync`, `trade_status=TRADE_SUCCESS` and the rest of Alipay's
//!   fields, signed without `sign_type`. It is delivered when the answer is 2xx and its body,
//!   trimmed, is `success`; otherwise it is sent again after each wait of
//!   [`Config::notify_retry`] until they run out. Every copy is the same form (same
//!   `notify_id`, `notify_time` and `sign`).
//! - `GET`/`POST /gateway.do?method=alipay.trade.query` (`biz_content` `{"out_trade_no"}` or
//!   `{"trade_no"}`): `{"alipay_trade_query_response":{...},"sign":"..."}` where `sign` is the
//!   gateway's RSA2 signature of the exact JSON text of the response object. `code` 10000 with
//!   `trade_status` (`WAIT_BUYER_PAY`, `TRADE_SUCCESS`, `TRADE_CLOSED`), 40004
//!   `ACQ.TRADE_NOT_EXIST`, 40001/40002 `isv.<code>` for the common errors above, 20000
//!   `aop.ACQ.SYSTEM_ERROR` with the `query_error` switch, or HTTP 503 without a body with
//!   `query_unavailable`. Unlike Alipay, the fake knows a page-pay trade as soon as the 收银台
//!   opens; Alipay only creates it once the buyer logs in, so a real query may answer
//!   `ACQ.TRADE_NOT_EXIST` where the fake says `WAIT_BUYER_PAY` (both mean "not paid").
//! - `GET`/`POST /gateway.do?method=alipay.trade.close` (`biz_content` `{"out_trade_no"}` or
//!   `{"trade_no"}`, as Alipay's 统一收单交易关闭接口): `{"alipay_trade_close_response":{...},
//!   "sign":"..."}` signed like the query's. A trade waiting for payment is closed (`code`
//!   10000 with `trade_no` and `out_trade_no`): from then on its 收银台, 确认付款 and
//!   `/_fake/pay` refuse with `TRADE_HAS_CLOSE` and the query says `TRADE_CLOSED`. A paid or
//!   already closed trade answers 40004 `ACQ.TRADE_STATUS_ERROR`, an unknown one 40004
//!   `ACQ.TRADE_NOT_EXIST` (as on Alipay for a pay URL the buyer never opened), the common
//!   errors 40001/40002 `isv.<code>`; the `close_unavailable` switch answers HTTP 503 without
//!   a body, `close_refused` 40006 `isv.insufficient-isv-permissions`. Every close request is recorded ([`CloseRequest`]).
//! - `GET`/`POST /gateway.do?method=alipay.trade.refund` (`biz_content` `{"out_trade_no"}` or
//!   `{"trade_no"}`, `refund_amount` in yuan, `out_request_no`, optional `refund_reason`, as
//!   Alipay's 统一收单交易退款接口): `{"alipay_trade_refund_response":{...},"sign":"..."}`.
//!   Refunds are kept per trade by `out_request_no` (without one, the `out_trade_no` stands in,
//!   and only a full refund is taken, as on Alipay). A new number refunds (`code` 10000,
//!   `fund_change` `Y`, `refund_fee` = everything refunded of the trade so far,
//!   `gmt_refund_pay`, `send_back_fee` = this refund); the same number again with the same
//!   amount moves no money and answers the same refund with `fund_change` `N`; with another
//!   amount 40004 `ACQ.DISCORDANT_REPEAT_REQUEST`. More than is left of `total_amount` is 40004
//!   `ACQ.REFUND_AMT_NOT_EQUAL_TOTAL` (Alipay's "退款金额超限"), a trade that is not paid (or
//!   is closed) `ACQ.TRADE_STATUS_ERROR`, an unknown one `ACQ.TRADE_NOT_EXIST`, the common
//!   errors 40001/40002 `isv.<code>`. Once the whole amount is refunded the trade is
//!   `TRADE_CLOSED`, as on Alipay, and the trade query says so. Faults for the next valid
//!   requests, counted down by each request they hit (checked in this order, one per request):
//!   `refund_error_next` answers 20000 `aop.ACQ.SYSTEM_ERROR` and refunds nothing;
//!   `refund_refused_next` answers 40004 `refund_refused_sub_code` (default
//!   `ACQ.SELLER_BALANCE_NOT_ENOUGH`) and refunds nothing; `refund_lost_next` refunds as usual
//!   but holds the answer for [`Config::lost_answer_hold`], past the shop's time-out (the
//!   money moved, the shop did not hear). Every refund request is recorded ([`RefundCall`]);
//!   no refund notification is sent (Alipay sends one for page-pay trades).
//! - `GET`/`POST /gateway.do?method=alipay.trade.fastpay.refund.query` (`biz_content`
//!   `{"out_trade_no"}` or `{"trade_no"}`, and `out_request_no`):
//!   `{"alipay_trade_fastpay_refund_query_response":{...},"sign":"..."}`. A refund made under
//!   that number answers `code` 10000 with `trade_no`, `out_trade_no`, `out_request_no`,
//!   `total_amount`, `refund_amount`, `refund_status=REFUND_SUCCESS`, `refund_reason` and, when
//!   `query_options` holds `"gmt_refund_pay"`, `gmt_refund_pay`; no such refund answers 10000
//!   without `refund_status` and `refund_amount` (Alipay: "未返回该字段表示退款请求未收到或者退款失败");
//!   an unknown trade 40004 `ACQ.TRADE_NOT_EXIST`.
//! - Any other `method`: `{"error_response":{"code":"40002","sub_code":"isv.invalid-method"}}`
//!   (40001 `isv.missing-method` without one).
//! - `GET /_fake/trades`: every trade ([`Trade`]), oldest first, with its notification
//!   attempts and the shop's answers, and the refunds made of it (`refunds`, `refund_count`,
//!   `refunded_fen`: what really moved, however often the shop asked).
//! - `GET /_fake/refund_calls`: every `alipay.trade.refund` request ([`RefundCall`]), oldest
//!   first, with its answer and the fault that hit it.
//! - `GET /_fake/closes`: every `alipay.trade.close` request ([`CloseRequest`]), oldest first.
//! - `POST /_fake/pay` (JSON `{"out_trade_no"}`): pays as if the buyer had pressed 确认付款
//!   (the same code path) and answers `{"return_url", "return_params"}` (404 / 409 / 500 with
//!   `{"error", "message"}` otherwise).
//! - `POST /_fake/expire` (JSON `{"out_trade_no"}`): moves the trade's deadline to now, so it
//!   closes without waiting.
//! - `GET`/`POST /_fake/switches` (JSON [`Switches`]).

mod pages;
pub mod sign;

use std::collections::{BTreeMap, HashMap, btree_map::Entry};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::extract::{Form, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Days, FixedOffset, NaiveDateTime, NaiveTime, TimeZone, Utc};
use rand::Rng;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

pub use sign::{
    PrivateKey, PublicKey, parse_private_key, parse_public_key, rsa2_sign, rsa2_verify, sign_text,
    signing_string, verify_text,
};

/// The test buyer who pays every trade: `buyer_id` / `buyer_user_id` (16 digits, starting
/// with 2088 as Alipay user ids do).
pub const BUYER_ID: &str = "2088102146225135";
/// The test buyer's account as Alipay shows it to the seller, masked.
pub const BUYER_LOGON_ID: &str = "buy***@example.com";

/// Alipay's time format for `timestamp`, `gmt_*`, `notify_time`, `send_pay_date`, in China
/// time (UTC+8).
const TIME_FORMAT: &str = "%Y-%m-%d %H:%M:%S";
/// 100 000 000 yuan, Alipay's largest `total_amount`, in fen.
const MAX_AMOUNT_FEN: u64 = 10_000_000_000;
/// The longest (and, without `timeout_express`, the default) time a page-pay trade stays open.
const MAX_TIMEOUT: Duration = Duration::from_secs(15 * 86_400);
/// How much of the shop's answer to a notification is kept, in bytes.
const KEPT_ANSWER: usize = 2_000;

/// The app registered with the gateway, and the gateway's own settings.
#[derive(Debug, Clone)]
pub struct Config {
    /// The shop's `app_id`; requests naming another are refused (`invalid-app-id`).
    pub app_id: String,
    /// The shop app's RSA2 public key, which checks its requests: PEM (SubjectPublicKeyInfo or
    /// PKCS#1), bare base64 DER, or a file path ([`parse_public_key`]). Required.
    pub app_public_key: String,
    /// The gateway's private key (PEM, base64 DER or a path); `None` generates a fresh
    /// 2048-bit key at start (seconds in a debug build).
    pub gateway_private_key: Option<String>,
    /// The seller's PID (`seller_id`), 16 digits starting with 2088.
    pub seller_id: String,
    /// The waits between notification attempts: after the first attempt fails the fake waits
    /// `notify_retry[0]` and tries again, and so on; when the list runs out it gives up.
    /// Alipay's own schedule is 4m, 10m, 10m, 1h, 2h, 6h, 15h.
    pub notify_retry: Vec<Duration>,
    /// How long one notification attempt may take before it counts as failed (Alipay: 15 s).
    pub notify_timeout: Duration,
    /// How long the `refund_lost_next` fault holds a refund's answer: longer than the shop
    /// waits (`ALIPAY_TIMEOUT_SECS`, 10 s by default), so that it gives up first.
    pub lost_answer_hold: Duration,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            app_id: "2021000000000001".to_owned(),
            app_public_key: String::new(),
            gateway_private_key: None,
            seller_id: "2088000000000001".to_owned(),
            notify_retry: [1, 2, 4, 8, 15, 30, 60]
                .into_iter()
                .map(Duration::from_secs)
                .collect(),
            notify_timeout: Duration::from_secs(15),
            lost_answer_hold: Duration::from_secs(60),
        }
    }
}

/// Ways to make the fake misbehave, set with `POST /_fake/switches` or [`FakeAlipay::set`];
/// all off by default. Notification switches apply to trades paid after they are set.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Switches {
    /// Milliseconds to wait after a payment before the first notification attempt.
    pub notify_delay_ms: u64,
    /// Never send notifications (the shop must find the payment with the trade query).
    pub drop_notifications: bool,
    /// After a notification is delivered, send this many more identical copies (same
    /// `notify_id`), as Alipay sometimes does.
    pub duplicate_notifications: u32,
    /// 确认付款 fails with `SYSTEM_ERROR`; the trade stays unpaid.
    pub fail_payment: bool,
    /// The trade query answers code 20000 `aop.ACQ.SYSTEM_ERROR`.
    pub query_error: bool,
    /// The trade query answers HTTP 503 with an empty body.
    pub query_unavailable: bool,
    /// The trade close answers HTTP 503 with an empty body (the trade stays as it is).
    pub close_unavailable: bool,
    /// The trade close answers 40006 `isv.insufficient-isv-permissions` (an app without the
    /// permission to close trades; the trade stays as it is).
    pub close_refused: bool,
    /// Milliseconds the page-pay request and 确认付款 wait before answering.
    pub page_delay_ms: u64,
    /// The next this many valid refund requests answer 20000 `aop.ACQ.SYSTEM_ERROR` and
    /// refund nothing (counts down).
    pub refund_error_next: u32,
    /// The next this many valid refund requests answer 40004 with
    /// [`Switches::refund_refused_sub_code`] and refund nothing (counts down).
    pub refund_refused_next: u32,
    /// The `sub_code` of `refund_refused_next`; empty means `ACQ.SELLER_BALANCE_NOT_ENOUGH`.
    pub refund_refused_sub_code: String,
    /// The next this many valid refund requests are carried out as usual, but their answer
    /// is held for [`Config::lost_answer_hold`], so the shop times out first: the lost answer
    /// (counts down).
    pub refund_lost_next: u32,
}

/// Where a trade is, as `trade_status` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TradeStatus {
    /// Opened, not paid yet.
    WaitBuyerPay,
    /// Paid.
    TradeSuccess,
    /// Not paid before its deadline, or closed by the shop (`alipay.trade.close`).
    TradeClosed,
}

impl TradeStatus {
    /// The wire name: `WAIT_BUYER_PAY`, `TRADE_SUCCESS`, `TRADE_CLOSED`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::WaitBuyerPay => "WAIT_BUYER_PAY",
            Self::TradeSuccess => "TRADE_SUCCESS",
            Self::TradeClosed => "TRADE_CLOSED",
        }
    }
}

/// How a trade's asynchronous notification is going.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NotifyState {
    /// Nothing to send: not paid, or no `notify_url`.
    NotSent,
    /// Attempts (or waits between them) are under way.
    Sending,
    /// The shop answered `success` (and any duplicates have been sent).
    Delivered,
    /// Every attempt of the schedule failed.
    GaveUp,
    /// Not sent because of the `drop_notifications` switch.
    Dropped,
}

/// One POST of a notification to the shop's `notify_url`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotifyAttempt {
    /// When it was sent, `yyyy-MM-dd HH:mm:ss` China time.
    pub at: String,
    /// When it was sent, Unix milliseconds.
    pub at_ms: u64,
    /// The notification's `notify_id` (the same in every attempt and copy).
    pub notify_id: String,
    /// An extra copy sent after delivery (the `duplicate_notifications` switch).
    pub duplicate: bool,
    /// The shop's HTTP status, if it answered.
    pub status: Option<u16>,
    /// The shop's answer body (at most 2000 bytes), if it answered.
    pub body: Option<String>,
    /// Why there is no answer: connection refused, time-out...
    pub error: Option<String>,
    /// The answer was 2xx and its body, trimmed, `success`.
    pub delivered: bool,
}

/// A trade as the fake sees it (`GET /_fake/trades`, [`FakeAlipay::trades`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trade {
    /// The shop's order number.
    pub out_trade_no: String,
    /// Alipay's trade number: 28 digits, the China date then `22001` then 15 random digits.
    pub trade_no: String,
    /// The order title (`subject`) from the latest page-pay request.
    pub subject: String,
    /// Yuan with two decimals, `88.00`.
    pub total_amount: String,
    /// `WAIT_BUYER_PAY`, `TRADE_SUCCESS` or `TRADE_CLOSED` (an unpaid trade past
    /// `time_expire` reads as closed).
    pub status: TradeStatus,
    /// When the 收银台 first opened, `yyyy-MM-dd HH:mm:ss` China time.
    pub gmt_create: String,
    /// When an unpaid trade closes, `yyyy-MM-dd HH:mm:ss` China time.
    pub time_expire: String,
    /// When it was paid, `yyyy-MM-dd HH:mm:ss` China time.
    pub gmt_payment: Option<String>,
    /// From the latest page-pay request; empty if none.
    pub notify_url: String,
    /// From the latest page-pay request; empty if none.
    pub return_url: String,
    /// How the asynchronous notification is going.
    pub notify: NotifyState,
    /// Every POST to `notify_url`, oldest first.
    pub notify_attempts: Vec<NotifyAttempt>,
    /// The refunds made of the trade, oldest first: one per `out_request_no`, however often
    /// it was asked.
    #[serde(default)]
    pub refunds: Vec<Refund>,
    /// How many refunds moved money: `refunds.len()`.
    #[serde(default)]
    pub refund_count: u32,
    /// Everything refunded of the trade, in fen.
    #[serde(default)]
    pub refunded_fen: u64,
}

/// One refund the fake made: money moved once, whatever the number of requests.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refund {
    /// The refund's `out_request_no` (the `out_trade_no` when the request gave none).
    pub out_request_no: String,
    /// Yuan with two decimals, `12.30`.
    pub refund_amount: String,
    /// The same, in fen.
    pub refund_fen: u64,
    /// `refund_reason` of the request that made it; empty if none.
    pub refund_reason: String,
    /// When it was made (`gmt_refund_pay`), `yyyy-MM-dd HH:mm:ss` China time.
    pub gmt_refund_pay: String,
    /// When it was made, Unix milliseconds.
    pub at_ms: u64,
    /// How many later requests repeated it (answered `fund_change` `N`, nothing moved).
    pub repeats: u32,
}

/// A fault of the switches that hit one refund request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RefundFault {
    /// `refund_error_next`: 20000, nothing refunded.
    SystemError,
    /// `refund_refused_next`: a business refusal, nothing refunded.
    Refused,
    /// `refund_lost_next`: carried out, answer held past the shop's time-out.
    LostAnswer,
}

/// One `alipay.trade.refund` request as the fake answered it (`GET /_fake/refund_calls`,
/// [`FakeAlipay::refund_calls`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundCall {
    /// `out_trade_no` of the request's `biz_content`, if given.
    pub out_trade_no: Option<String>,
    /// `trade_no` of the request's `biz_content`, if given.
    pub trade_no: Option<String>,
    /// `out_request_no` of the request's `biz_content`, if given.
    pub out_request_no: Option<String>,
    /// `refund_amount` of the request's `biz_content` as sent, if given.
    pub refund_amount: Option<String>,
    /// When it arrived, Unix milliseconds.
    pub at_ms: u64,
    /// The answer's `code` (`10000`, `40004`, `20000`, ...).
    pub code: String,
    /// The answer's `sub_code`; empty on success.
    pub sub_code: String,
    /// The answer's `fund_change` (`Y`, `N`); empty when it refused.
    pub fund_change: String,
    /// The switch fault that hit it, if any.
    pub fault: Option<RefundFault>,
}

impl RefundCall {
    /// Whether this request moved money (`code` 10000 and `fund_change` `Y`).
    pub fn moved_money(&self) -> bool {
        self.code == "10000" && self.fund_change == "Y"
    }
}

/// One `alipay.trade.close` request as the fake answered it (`GET /_fake/closes`,
/// [`FakeAlipay::close_requests`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CloseRequest {
    /// `out_trade_no` of the request's `biz_content`, if given.
    pub out_trade_no: Option<String>,
    /// `trade_no` of the request's `biz_content`, if given.
    pub trade_no: Option<String>,
    /// When it arrived, Unix milliseconds.
    pub at_ms: u64,
    /// The HTTP status of the answer: 200, or 503 with the `close_unavailable` switch.
    pub status: u16,
    /// The answer's `code` (`10000`, `40004`, ...); empty for a 503.
    pub code: String,
    /// The answer's `sub_code` (`ACQ.TRADE_NOT_EXIST`, `ACQ.TRADE_STATUS_ERROR`, ...); empty
    /// on success and for a 503.
    pub sub_code: String,
}

impl CloseRequest {
    /// Whether this request closed a trade (`code` 10000).
    pub fn closed(&self) -> bool {
        self.code == "10000"
    }
}

/// Why a payment did not happen ([`FakeAlipay::pay`]'s error, `/_fake/pay`'s `error`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PayRefusal {
    /// No page-pay request opened this `out_trade_no`.
    UnknownTrade,
    /// The trade passed its deadline unpaid.
    TradeClosed,
    /// The trade is paid already.
    TradePaid,
    /// The `fail_payment` switch is on.
    SystemError,
}

impl PayRefusal {
    /// Alipay's code: `TRADE_NOT_EXIST`, `TRADE_HAS_CLOSE`, `TRADE_HAS_SUCCESS`, `SYSTEM_ERROR`.
    pub fn code(self) -> &'static str {
        match self {
            Self::UnknownTrade => "TRADE_NOT_EXIST",
            Self::TradeClosed => "TRADE_HAS_CLOSE",
            Self::TradePaid => "TRADE_HAS_SUCCESS",
            Self::SystemError => "SYSTEM_ERROR",
        }
    }

    /// The 错误原因 Alipay shows.
    pub fn reason(self) -> &'static str {
        match self {
            Self::UnknownTrade => "交易不存在",
            Self::TradeClosed => "交易已经关闭",
            Self::TradePaid => "交易已经支付",
            Self::SystemError => "系统繁忙，请稍后再试",
        }
    }

    fn status(self) -> StatusCode {
        match self {
            Self::UnknownTrade => StatusCode::NOT_FOUND,
            Self::TradeClosed | Self::TradePaid => StatusCode::CONFLICT,
            Self::SystemError => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl std::fmt::Display for PayRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code(), self.reason())
    }
}

impl std::error::Error for PayRefusal {}

/// A trade with what the fake needs beyond [`Trade`].
#[derive(Debug)]
struct Record {
    seq: u64,
    out_trade_no: String,
    trade_no: String,
    subject: String,
    total_fen: u64,
    status: TradeStatus,
    created: DateTime<FixedOffset>,
    deadline: DateTime<FixedOffset>,
    paid: Option<DateTime<FixedOffset>>,
    notify_url: String,
    return_url: String,
    /// The 收银台 form's hidden field; random, so a form cannot be made up for another trade.
    token: String,
    /// The signed notification form, once paid.
    notification: Option<BTreeMap<String, String>>,
    notify: NotifyState,
    attempts: Vec<NotifyAttempt>,
    /// The refunds made, oldest first, one per `out_request_no`.
    refunds: Vec<Refund>,
}

impl Record {
    /// Everything refunded, in fen.
    fn refunded_fen(&self) -> u64 {
        self.refunds.iter().map(|r| r.refund_fen).sum()
    }

    /// Alipay closes an unpaid trade when its deadline passes; the fake does it lazily,
    /// whenever the trade is looked at.
    fn close_if_expired(&mut self, now: DateTime<FixedOffset>) {
        if self.status == TradeStatus::WaitBuyerPay && now >= self.deadline {
            self.status = TradeStatus::TradeClosed;
        }
    }

    fn snapshot(&self) -> Trade {
        Trade {
            out_trade_no: self.out_trade_no.clone(),
            trade_no: self.trade_no.clone(),
            subject: self.subject.clone(),
            total_amount: yuan(self.total_fen),
            status: self.status,
            gmt_create: china_text(self.created),
            time_expire: china_text(self.deadline),
            gmt_payment: self.paid.map(china_text),
            notify_url: self.notify_url.clone(),
            return_url: self.return_url.clone(),
            notify: self.notify,
            notify_attempts: self.attempts.clone(),
            refunds: self.refunds.clone(),
            refund_count: u32::try_from(self.refunds.len()).unwrap_or(u32::MAX),
            refunded_fen: self.refunded_fen(),
        }
    }
}

#[derive(Debug, Default)]
struct Books {
    /// By `out_trade_no`.
    trades: HashMap<String, Record>,
    /// 收银台 token → `out_trade_no`.
    tokens: HashMap<String, String>,
    /// Every `alipay.trade.close` request, oldest first.
    closes: Vec<CloseRequest>,
    /// Every `alipay.trade.refund` request, oldest first.
    refund_calls: Vec<RefundCall>,
    switches: Switches,
    next_seq: u64,
}

#[derive(Debug)]
struct Inner {
    config: Config,
    app_key: PublicKey,
    gateway_key: PrivateKey,
    gateway_public_pem: String,
    /// Where notification tasks run, so that [`FakeAlipay::pay`] works outside async code.
    runtime: tokio::runtime::Handle,
    client: reqwest::Client,
    books: Mutex<Books>,
}

impl Inner {
    fn books(&self) -> MutexGuard<'_, Books> {
        self.books.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The gateway's signature of `text`.
    fn sign(&self, text: &str) -> String {
        sign_text(&self.gateway_key, text)
            .expect("a key of at least 2048 bits (checked at start) signs any SHA-256 digest")
    }

    /// The gateway's `sign` of what it sends (without `sign` and `sign_type`).
    fn sign_params(&self, params: &BTreeMap<String, String>) -> String {
        self.sign(&signing_string(params, true))
    }
}

/// A running fake; dropping it does not stop the server (it lives as long as the runtime).
#[derive(Debug, Clone)]
pub struct FakeAlipay {
    addr: SocketAddr,
    inner: Arc<Inner>,
}

impl FakeAlipay {
    /// Starts the fake on `addr` (port 0 picks a free port) in the current Tokio runtime.
    ///
    /// # Errors
    /// A key cannot be read (or is shorter than 2048 bits), key generation or the HTTP client
    /// fails, or the address cannot be bound.
    pub async fn start(addr: SocketAddr, config: Config) -> anyhow::Result<Self> {
        use anyhow::Context as _;
        let app_key = parse_public_key(&config.app_public_key)
            .context("Config::app_public_key, the shop app's public key")?;
        let gateway_key = match &config.gateway_private_key {
            Some(text) => parse_private_key(text).context("Config::gateway_private_key")?,
            None => tokio::task::spawn_blocking(sign::generate_private_key).await??,
        };
        let gateway_public_pem = sign::public_key_pem(gateway_key.as_public_key())?;
        let client = reqwest::Client::builder()
            // The shop runs locally: a proxy from the environment must not catch the notifications.
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .context("building the notification HTTP client")?;
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let inner = Arc::new(Inner {
            config,
            app_key,
            gateway_key,
            gateway_public_pem,
            runtime: tokio::runtime::Handle::current(),
            client,
            books: Mutex::default(),
        });
        let app = router(inner.clone());
        tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, app).await {
                eprintln!("fake alipay stopped: {e}");
            }
        });
        Ok(Self { addr, inner })
    }

    /// `http://127.0.0.1:<port>`: the base of every endpoint.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// `http://127.0.0.1:<port>/gateway.do`: the shop's Alipay gateway URL.
    pub fn gateway_url(&self) -> String {
        format!("http://{}/gateway.do", self.addr)
    }

    /// The configuration it was started with.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// The gateway's public key as SubjectPublicKeyInfo PEM: the shop's "支付宝公钥", which
    /// checks the return redirect, the notifications and the API answers.
    pub fn gateway_public_key_pem(&self) -> String {
        self.inner.gateway_public_pem.clone()
    }

    /// The gateway's public key.
    pub fn gateway_public_key(&self) -> PublicKey {
        self.inner.gateway_key.to_public_key()
    }

    /// Replaces the switches.
    pub fn set(&self, switches: Switches) {
        self.inner.books().switches = switches;
    }

    /// The current switches.
    pub fn switches(&self) -> Switches {
        self.inner.books().switches.clone()
    }

    /// Every trade, oldest first.
    pub fn trades(&self) -> Vec<Trade> {
        list(&self.inner)
    }

    /// The trade with this `out_trade_no`.
    pub fn trade(&self, out_trade_no: &str) -> Option<Trade> {
        let now = china_now();
        let mut books = self.inner.books();
        books.trades.get_mut(out_trade_no).map(|record| {
            record.close_if_expired(now);
            record.snapshot()
        })
    }

    /// Pays the trade as if the buyer had pressed 确认付款 and returns the full signed
    /// `return_url` redirect (empty if the trade named no `return_url`). The notification
    /// starts in the background.
    ///
    /// # Errors
    /// A [`PayRefusal`]: unknown, closed or paid trade, or the `fail_payment` switch.
    pub fn pay(&self, out_trade_no: &str) -> anyhow::Result<String> {
        let paid = pay_trade(&self.inner, out_trade_no)?;
        Ok(paid.return_url.unwrap_or_default())
    }

    /// Every `alipay.trade.close` request, oldest first.
    pub fn close_requests(&self) -> Vec<CloseRequest> {
        self.inner.books().closes.clone()
    }

    /// The `alipay.trade.close` requests naming `out_trade_no`, oldest first.
    pub fn close_requests_for(&self, out_trade_no: &str) -> Vec<CloseRequest> {
        self.inner
            .books()
            .closes
            .iter()
            .filter(|c| c.out_trade_no.as_deref() == Some(out_trade_no))
            .cloned()
            .collect()
    }

    /// The refunds made of the trade `out_trade_no`, oldest first (empty for an unknown trade):
    /// one per `out_request_no`, however often the shop asked.
    pub fn refunds(&self, out_trade_no: &str) -> Vec<Refund> {
        self.inner
            .books()
            .trades
            .get(out_trade_no)
            .map(|r| r.refunds.clone())
            .unwrap_or_default()
    }

    /// Everything refunded of the trade `out_trade_no`, in fen (0 for an unknown trade).
    pub fn refunded_fen(&self, out_trade_no: &str) -> u64 {
        self.inner
            .books()
            .trades
            .get(out_trade_no)
            .map_or(0, Record::refunded_fen)
    }

    /// Every `alipay.trade.refund` request, oldest first.
    pub fn refund_calls(&self) -> Vec<RefundCall> {
        self.inner.books().refund_calls.clone()
    }

    /// The `alipay.trade.refund` requests naming `out_trade_no`, oldest first.
    pub fn refund_calls_for(&self, out_trade_no: &str) -> Vec<RefundCall> {
        self.inner
            .books()
            .refund_calls
            .iter()
            .filter(|c| c.out_trade_no.as_deref() == Some(out_trade_no))
            .cloned()
            .collect()
    }

    /// Moves an unpaid trade's deadline to now, so it is `TRADE_CLOSED` from here on; `false`
    /// if there is no such trade.
    pub fn expire(&self, out_trade_no: &str) -> bool {
        expire_trade(&self.inner, out_trade_no)
    }

    /// The notification attempts for a trade, oldest first (empty for an unknown trade).
    pub fn notify_attempts(&self, out_trade_no: &str) -> Vec<NotifyAttempt> {
        self.inner
            .books()
            .trades
            .get(out_trade_no)
            .map(|r| r.attempts.clone())
            .unwrap_or_default()
    }

    /// The signed notification form of a paid trade (what is POSTed to `notify_url`), to
    /// replay or tamper with in tests; `None` until it is paid.
    pub fn notification_for(&self, out_trade_no: &str) -> Option<BTreeMap<String, String>> {
        self.inner
            .books()
            .trades
            .get(out_trade_no)
            .and_then(|r| r.notification.clone())
    }

    /// The gateway's RSA2 `sign` of `params` as it signs what it sends: every non-empty
    /// parameter but `sign` and `sign_type`. Re-signs a tampered notification, for example.
    pub fn sign_params(&self, params: &BTreeMap<String, String>) -> String {
        self.inner.sign_params(params)
    }
}

/// The fake's routes over `inner`.
fn router(inner: Arc<Inner>) -> Router {
    Router::new()
        .route("/gateway.do", get(gateway).post(gateway))
        .route("/gateway.do/pay", post(pay_form))
        .route("/_fake/trades", get(list_trades))
        .route("/_fake/closes", get(list_closes))
        .route("/_fake/refund_calls", get(list_refund_calls))
        .route("/_fake/pay", post(fake_pay))
        .route("/_fake/expire", post(fake_expire))
        .route("/_fake/switches", get(get_switches).post(set_switches))
        .with_state(inner)
}

// ----- time, money, identifiers -----

fn china() -> FixedOffset {
    FixedOffset::east_opt(8 * 3_600).expect("UTC+8 is a valid offset")
}

fn china_now() -> DateTime<FixedOffset> {
    Utc::now().with_timezone(&china())
}

fn china_text(at: DateTime<FixedOffset>) -> String {
    at.format(TIME_FORMAT).to_string()
}

fn unix_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// `8800` fen → `88.00`.
fn yuan(fen: u64) -> String {
    format!("{}.{:02}", fen / 100, fen % 100)
}

/// `total_amount` as a JSON string or number: digits with at most two decimals, 0.01 to
/// 100 000 000 yuan. Returns fen.
fn parse_amount(value: &Value) -> Result<u64, String> {
    let text = match value {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => return Err("应为字符串或数字".to_owned()),
    };
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    if whole.is_empty()
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !fraction.bytes().all(|b| b.is_ascii_digit())
        || (text.contains('.') && fraction.is_empty())
    {
        return Err(format!("{text} 不是金额"));
    }
    if fraction.len() > 2 {
        return Err(format!("{text} 超过两位小数"));
    }
    let whole: u64 = whole
        .parse()
        .map_err(|_| format!("{text} 超出范围 [0.01,100000000]"))?;
    let fraction: u64 = format!("{fraction:0<2}").parse().unwrap_or(0);
    let fen = whole
        .checked_mul(100)
        .and_then(|w| w.checked_add(fraction))
        .filter(|fen| (1..=MAX_AMOUNT_FEN).contains(fen))
        .ok_or_else(|| format!("{text} 超出范围 [0.01,100000000]"))?;
    Ok(fen)
}

fn random_digits(count: usize) -> String {
    let mut rng = rand::rng();
    (0..count)
        .map(|_| char::from(b'0' + rng.random_range(0..10u8)))
        .collect()
}

fn random_hex(bytes: usize) -> String {
    let mut rng = rand::rng();
    (0..bytes)
        .map(|_| format!("{:02x}", rng.random::<u8>()))
        .collect()
}

/// `timeout_express` (`90m`, `2h`, `3d`, `1c` = until the end of today) or `time_expire`
/// (`yyyy-MM-dd HH:mm:ss`, China time, wins when both are given) → the deadline.
fn deadline(
    biz: &Map<String, Value>,
    now: DateTime<FixedOffset>,
) -> Result<DateTime<FixedOffset>, Refusal> {
    if let Some(value) = biz.get("time_expire").filter(|v| !is_blank(v)) {
        let text = value.as_str().unwrap_or_default();
        let at = NaiveDateTime::parse_from_str(text, TIME_FORMAT)
            .ok()
            .and_then(|at| china().from_local_datetime(&at).single())
            .ok_or_else(|| Refusal::parameter("time_expire", "格式应为 yyyy-MM-dd HH:mm:ss"))?;
        if at <= now || at - now > chrono_duration(MAX_TIMEOUT) {
            return Err(Refusal::parameter(
                "time_expire",
                "应在当前时间之后 15 天以内",
            ));
        }
        return Ok(at);
    }
    let Some(value) = biz.get("timeout_express").filter(|v| !is_blank(v)) else {
        return Ok(now + chrono_duration(MAX_TIMEOUT));
    };
    let text = value.as_str().unwrap_or_default();
    let bad = || Refusal::parameter("timeout_express", "取值范围 1m～15d，或 1c");
    if text == "1c" {
        let midnight = (now.date_naive() + Days::new(1)).and_time(NaiveTime::MIN);
        return china()
            .from_local_datetime(&midnight)
            .single()
            .ok_or_else(bad);
    }
    let (count, unit) = text.split_at(text.len().saturating_sub(1));
    let count: u64 = count.parse().map_err(|_| bad())?;
    let seconds = match unit {
        "m" => 60,
        "h" => 3_600,
        "d" => 86_400,
        _ => return Err(bad()),
    };
    let timeout = Duration::from_secs(count.saturating_mul(seconds));
    if count == 0 || timeout > MAX_TIMEOUT {
        return Err(bad());
    }
    Ok(now + chrono_duration(timeout))
}

fn chrono_duration(d: Duration) -> chrono::TimeDelta {
    chrono::TimeDelta::from_std(d).unwrap_or(chrono::TimeDelta::MAX)
}

fn is_blank(value: &Value) -> bool {
    value.is_null() || value.as_str().is_some_and(str::is_empty)
}

/// `url` with `params` appended to its query (before any `#fragment`), form-encoded as Alipay
/// does (space as `+`).
fn with_query(url: &str, params: &BTreeMap<String, String>) -> String {
    let (base, fragment) = url
        .split_once('#')
        .map_or((url, None), |(b, f)| (b, Some(f)));
    let query = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(params)
        .finish();
    let sep = if !base.contains('?') {
        "?"
    } else if base.ends_with('?') || base.ends_with('&') {
        ""
    } else {
        "&"
    };
    let mut out = format!("{base}{sep}{query}");
    if let Some(fragment) = fragment {
        out.push('#');
        out.push_str(fragment);
    }
    out
}

// ----- requests -----

/// Why the gateway refuses a request: shown on the error page, or as `sub_code` `isv.<code>`
/// in an API answer.
#[derive(Debug)]
struct Refusal {
    code: &'static str,
    reason: String,
    /// For `invalid-signature`: the string the gateway verified.
    signed_string: Option<String>,
}

impl Refusal {
    fn new(code: &'static str, reason: impl Into<String>) -> Self {
        Self {
            code,
            reason: reason.into(),
            signed_string: None,
        }
    }

    fn parameter(field: &str, problem: &str) -> Self {
        Self::new("invalid-parameter", format!("参数 {field} 无效：{problem}"))
    }

    /// Alipay's `code`/`msg` pair for this refusal in an API answer.
    fn api_code(&self) -> (&'static str, &'static str) {
        if self.code.starts_with("missing-") {
            ("40001", "Missing Required Arguments")
        } else {
            ("40002", "Invalid Arguments")
        }
    }

    fn page(&self) -> Response {
        pages::error(self.code, &self.reason, self.signed_string.as_deref())
    }
}

/// The request's parameters: the query string then the form body, merged.
#[derive(Debug, Default)]
struct Params {
    map: BTreeMap<String, String>,
    /// Keys given twice with different values.
    conflicts: Vec<String>,
}

impl Params {
    fn collect(query: Option<&str>, headers: &HeaderMap, body: &[u8]) -> Self {
        let is_form = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| {
                ct.trim_start()
                    .to_ascii_lowercase()
                    .starts_with("application/x-www-form-urlencoded")
            });
        let mut params = Self::default();
        let mut sources = vec![query.unwrap_or_default().as_bytes()];
        if is_form {
            sources.push(body);
        }
        for source in sources {
            for (key, value) in form_urlencoded::parse(source) {
                match params.map.entry(key.into_owned()) {
                    Entry::Vacant(slot) => {
                        slot.insert(value.into_owned());
                    }
                    Entry::Occupied(slot) => {
                        if *slot.get() != value {
                            params.conflicts.push(slot.key().clone());
                        }
                    }
                }
            }
        }
        params
    }

    /// A non-empty parameter.
    fn get(&self, key: &str) -> Option<&str> {
        self.map
            .get(key)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }
}

/// The common parameters and the signature, checked as the gateway does for every method.
fn check_common(inner: &Inner, params: &Params) -> Result<(), Refusal> {
    if let Some(key) = params.conflicts.first() {
        return Err(Refusal::parameter(key, "查询串和表单中的值不同"));
    }
    match params.get("app_id") {
        None => return Err(Refusal::new("missing-app-id", "缺少AppID参数")),
        Some(app_id) if app_id != inner.config.app_id => {
            return Err(Refusal::new("invalid-app-id", "无效的AppID参数"));
        }
        Some(_) => {}
    }
    if !params
        .get("charset")
        .is_some_and(|c| c.eq_ignore_ascii_case("utf-8"))
    {
        return Err(Refusal::new(
            "invalid-charset",
            "字符集错误（本模拟网关只接受 charset=utf-8）",
        ));
    }
    match params.get("sign_type") {
        None => {
            return Err(Refusal::new("missing-signature-type", "缺少签名类型参数"));
        }
        Some("RSA2") => {}
        Some(_) => {
            return Err(Refusal::new(
                "invalid-signature-type",
                "无效的签名类型参数（本模拟网关只支持 RSA2）",
            ));
        }
    }
    let Some(sign) = params.get("sign") else {
        return Err(Refusal::new("missing-signature", "缺少签名参数"));
    };
    let signed = signing_string(&params.map, false);
    if !verify_text(&inner.app_key, &signed, sign) {
        return Err(Refusal {
            signed_string: Some(signed),
            ..Refusal::new(
                "invalid-signature",
                "验签出错，建议检查签名字符串或签名私钥与应用公钥是否匹配",
            )
        });
    }
    match params.get("timestamp") {
        None => return Err(Refusal::new("missing-timestamp", "缺少时间戳参数")),
        Some(t) if NaiveDateTime::parse_from_str(t, TIME_FORMAT).is_err() => {
            return Err(Refusal::new(
                "invalid-timestamp",
                "非法的时间戳参数（格式 yyyy-MM-dd HH:mm:ss）",
            ));
        }
        Some(_) => {}
    }
    match params.get("version") {
        None => return Err(Refusal::new("missing-version", "缺少版本参数")),
        Some("1.0") => {}
        Some(_) => return Err(Refusal::parameter("version", "应为 1.0")),
    }
    if params
        .get("format")
        .is_some_and(|f| !f.eq_ignore_ascii_case("json"))
    {
        return Err(Refusal::new("invalid-format", "无效的数据格式参数"));
    }
    Ok(())
}

fn biz_content(params: &Params) -> Result<Map<String, Value>, Refusal> {
    let text = params
        .get("biz_content")
        .ok_or_else(|| Refusal::parameter("biz_content", "缺少业务参数"))?;
    match serde_json::from_str(text) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(Refusal::parameter("biz_content", "不是 JSON 对象")),
    }
}

/// A checked page-pay request.
struct PageOrder {
    out_trade_no: String,
    total_fen: u64,
    subject: String,
    deadline: DateTime<FixedOffset>,
    notify_url: String,
    return_url: String,
}

fn parse_page_order(params: &Params, now: DateTime<FixedOffset>) -> Result<PageOrder, Refusal> {
    let biz = biz_content(params)?;
    let text = |key: &str| biz.get(key).and_then(Value::as_str).unwrap_or_default();
    let out_trade_no = text("out_trade_no");
    if out_trade_no.is_empty()
        || out_trade_no.len() > 64
        || !out_trade_no
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_')
    {
        return Err(Refusal::parameter(
            "out_trade_no",
            "应为 64 个字符以内的字母、数字或下划线",
        ));
    }
    let total_fen = match biz.get("total_amount") {
        None => return Err(Refusal::parameter("total_amount", "缺少金额")),
        Some(value) => parse_amount(value).map_err(|e| Refusal::parameter("total_amount", &e))?,
    };
    let subject = text("subject");
    if subject.trim().is_empty() || subject.chars().count() > 256 {
        return Err(Refusal::parameter(
            "subject",
            "应为 256 个字符以内的订单标题",
        ));
    }
    if text("product_code") != "FAST_INSTANT_TRADE_PAY" {
        return Err(Refusal::parameter(
            "product_code",
            "电脑网站支付应为 FAST_INSTANT_TRADE_PAY",
        ));
    }
    let deadline = deadline(&biz, now)?;
    let url = |key: &str| -> Result<String, Refusal> {
        let url = params.get(key).unwrap_or_default();
        if url.is_empty() || url.starts_with("http://") || url.starts_with("https://") {
            Ok(url.to_owned())
        } else {
            Err(Refusal::parameter(key, "应为 http(s) 地址"))
        }
    };
    Ok(PageOrder {
        out_trade_no: out_trade_no.to_owned(),
        total_fen,
        subject: subject.to_owned(),
        deadline,
        notify_url: url("notify_url")?,
        return_url: url("return_url")?,
    })
}

async fn sleep_ms(ms: u64) {
    if ms > 0 {
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }
}

/// `GET`/`POST /gateway.do`: dispatch on `method`.
async fn gateway(
    State(inner): State<Arc<Inner>>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let params = Params::collect(query.as_deref(), &headers, &body);
    match params.get("method") {
        Some("alipay.trade.page.pay") => page_pay(&inner, &params).await,
        Some("alipay.trade.query") => trade_query(&inner, &params).await,
        Some("alipay.trade.close") => trade_close(&inner, &params).await,
        Some("alipay.trade.refund") => trade_refund(&inner, &params).await,
        Some("alipay.trade.fastpay.refund.query") => refund_query(&inner, &params),
        None => unsigned_error(
            "40001",
            "Missing Required Arguments",
            "isv.missing-method",
            "缺少方法名参数",
        ),
        Some(_) => unsigned_error(
            "40002",
            "Invalid Arguments",
            "isv.invalid-method",
            "不存在的方法名",
        ),
    }
}

/// `{"error_response":{...}}` for a request whose method is unknown (so there is no
/// `<method>_response` to sign).
fn unsigned_error(code: &str, msg: &str, sub_code: &str, sub_msg: &str) -> Response {
    json_text(
        StatusCode::OK,
        json!({"error_response": {"code": code, "msg": msg, "sub_code": sub_code, "sub_msg": sub_msg}})
            .to_string(),
    )
}

fn json_text(status: StatusCode, text: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json;charset=utf-8")],
        text,
    )
        .into_response()
}

/// `alipay.trade.page.pay`: the 收银台, or Alipay's error page.
async fn page_pay(inner: &Arc<Inner>, params: &Params) -> Response {
    let delay = inner.books().switches.page_delay_ms;
    sleep_ms(delay).await;
    if let Err(refusal) = check_common(inner, params) {
        return refusal.page();
    }
    let now = china_now();
    let order = match parse_page_order(params, now) {
        Ok(order) => order,
        Err(refusal) => return refusal.page(),
    };
    let mut books = inner.books();
    let books = &mut *books;
    if let Some(record) = books.trades.get_mut(&order.out_trade_no) {
        record.close_if_expired(now);
        match record.status {
            TradeStatus::TradeSuccess => return pay_refusal_page(PayRefusal::TradePaid),
            TradeStatus::TradeClosed => return pay_refusal_page(PayRefusal::TradeClosed),
            TradeStatus::WaitBuyerPay => {}
        }
        if record.total_fen != order.total_fen {
            return Refusal::parameter(
                "total_amount",
                &format!(
                    "与该商户订单号已有交易的金额 {} 不同",
                    yuan(record.total_fen)
                ),
            )
            .page();
        }
        // The same trade again (the buyer came back): the latest request's texts and URLs win,
        // the deadline stays.
        record.subject = order.subject;
        record.notify_url = order.notify_url;
        record.return_url = order.return_url;
    } else {
        let token = random_hex(16);
        books
            .tokens
            .insert(token.clone(), order.out_trade_no.clone());
        books.next_seq += 1;
        let record = Record {
            seq: books.next_seq,
            out_trade_no: order.out_trade_no.clone(),
            trade_no: format!("{}22001{}", now.format("%Y%m%d"), random_digits(15)),
            subject: order.subject,
            total_fen: order.total_fen,
            status: TradeStatus::WaitBuyerPay,
            created: now,
            deadline: order.deadline,
            paid: None,
            notify_url: order.notify_url,
            return_url: order.return_url,
            token,
            notification: None,
            notify: NotifyState::NotSent,
            attempts: Vec::new(),
            refunds: Vec::new(),
        };
        books.trades.insert(order.out_trade_no.clone(), record);
    }
    let Some(record) = books.trades.get(&order.out_trade_no) else {
        return pay_refusal_page(PayRefusal::UnknownTrade);
    };
    pages::cashier(&pages::Cashier {
        subject: &record.subject,
        amount: &yuan(record.total_fen),
        out_trade_no: &record.out_trade_no,
        trade_no: &record.trade_no,
        seller_id: &inner.config.seller_id,
        deadline: &china_text(record.deadline),
        seconds_left: (record.deadline - now).num_seconds(),
        token: &record.token,
        buyer_logon_id: BUYER_LOGON_ID,
    })
}

fn pay_refusal_page(refusal: PayRefusal) -> Response {
    pages::error(refusal.code(), refusal.reason(), None)
}

/// What paying produced.
struct Paid {
    /// The full redirect, if the trade has a `return_url`.
    return_url: Option<String>,
    return_params: BTreeMap<String, String>,
}

/// Pays a trade: the one code path of 确认付款, `/_fake/pay` and [`FakeAlipay::pay`].
fn pay_trade(inner: &Arc<Inner>, out_trade_no: &str) -> Result<Paid, PayRefusal> {
    let now = china_now();
    let (paid, delivery) = {
        let mut books = inner.books();
        let switches = books.switches.clone();
        let record = books
            .trades
            .get_mut(out_trade_no)
            .ok_or(PayRefusal::UnknownTrade)?;
        record.close_if_expired(now);
        match record.status {
            TradeStatus::TradeSuccess => return Err(PayRefusal::TradePaid),
            TradeStatus::TradeClosed => return Err(PayRefusal::TradeClosed),
            TradeStatus::WaitBuyerPay => {}
        }
        if switches.fail_payment {
            return Err(PayRefusal::SystemError);
        }
        record.status = TradeStatus::TradeSuccess;
        record.paid = Some(now);
        let return_params = return_params(inner, record, now);
        let notification = notification(inner, record, now);
        record.notification = Some(notification.clone());
        let delivery = if record.notify_url.is_empty() {
            None
        } else if switches.drop_notifications {
            record.notify = NotifyState::Dropped;
            None
        } else {
            record.notify = NotifyState::Sending;
            Some(Delivery {
                out_trade_no: record.out_trade_no.clone(),
                url: record.notify_url.clone(),
                form: notification,
                first_wait: Duration::from_millis(switches.notify_delay_ms),
                duplicates: switches.duplicate_notifications,
            })
        };
        let paid = Paid {
            return_url: (!record.return_url.is_empty())
                .then(|| with_query(&record.return_url, &return_params)),
            return_params,
        };
        (paid, delivery)
    };
    if let Some(delivery) = delivery {
        inner.runtime.spawn(deliver(inner.clone(), delivery));
    }
    Ok(paid)
}

/// The synchronous return's parameters, signed.
fn return_params(
    inner: &Inner,
    record: &Record,
    now: DateTime<FixedOffset>,
) -> BTreeMap<String, String> {
    let config = &inner.config;
    let mut params: BTreeMap<String, String> = [
        ("out_trade_no", record.out_trade_no.clone()),
        ("trade_no", record.trade_no.clone()),
        ("total_amount", yuan(record.total_fen)),
        ("seller_id", config.seller_id.clone()),
        ("auth_app_id", config.app_id.clone()),
        ("app_id", config.app_id.clone()),
        ("charset", "utf-8".to_owned()),
        ("method", "alipay.trade.page.pay.return".to_owned()),
        ("timestamp", china_text(now)),
        ("version", "1.0".to_owned()),
        ("sign_type", "RSA2".to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    let sign = inner.sign_params(&params);
    params.insert("sign".to_owned(), sign);
    params
}

/// The asynchronous notification's form, signed.
fn notification(
    inner: &Inner,
    record: &Record,
    now: DateTime<FixedOffset>,
) -> BTreeMap<String, String> {
    let config = &inner.config;
    let amount = yuan(record.total_fen);
    let fund_bill_list = json!([{"amount": amount, "fundChannel": "ALIPAYACCOUNT"}]).to_string();
    let mut params: BTreeMap<String, String> = [
        ("notify_time", china_text(now)),
        ("notify_type", "trade_status_sync".to_owned()),
        ("notify_id", random_hex(17)),
        ("app_id", config.app_id.clone()),
        ("auth_app_id", config.app_id.clone()),
        ("charset", "utf-8".to_owned()),
        ("version", "1.0".to_owned()),
        ("sign_type", "RSA2".to_owned()),
        ("trade_no", record.trade_no.clone()),
        ("out_trade_no", record.out_trade_no.clone()),
        ("buyer_id", BUYER_ID.to_owned()),
        ("buyer_logon_id", BUYER_LOGON_ID.to_owned()),
        ("seller_id", config.seller_id.clone()),
        (
            "trade_status",
            TradeStatus::TradeSuccess.as_str().to_owned(),
        ),
        ("total_amount", amount.clone()),
        ("receipt_amount", amount.clone()),
        ("invoice_amount", amount.clone()),
        ("buyer_pay_amount", amount),
        ("point_amount", "0.00".to_owned()),
        ("subject", record.subject.clone()),
        ("gmt_create", china_text(record.created)),
        ("gmt_payment", china_text(now)),
        ("fund_bill_list", fund_bill_list),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    let sign = inner.sign_params(&params);
    params.insert("sign".to_owned(), sign);
    params
}

// ----- notifications -----

/// One notification to deliver.
struct Delivery {
    out_trade_no: String,
    url: String,
    form: BTreeMap<String, String>,
    first_wait: Duration,
    duplicates: u32,
}

/// Sends the notification until the shop says `success` or the schedule runs out, then the
/// duplicates.
async fn deliver(inner: Arc<Inner>, delivery: Delivery) {
    tokio::time::sleep(delivery.first_wait).await;
    let body = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(&delivery.form)
        .finish();
    let notify_id = delivery.form.get("notify_id").cloned().unwrap_or_default();
    let mut waits = inner.config.notify_retry.clone().into_iter();
    let state = loop {
        let attempt = send(&inner, &delivery.url, &body, &notify_id, false).await;
        let delivered = attempt.delivered;
        record_attempt(&inner, &delivery.out_trade_no, attempt);
        if delivered {
            for _ in 0..delivery.duplicates {
                let copy = send(&inner, &delivery.url, &body, &notify_id, true).await;
                record_attempt(&inner, &delivery.out_trade_no, copy);
            }
            break NotifyState::Delivered;
        }
        match waits.next() {
            Some(wait) => tokio::time::sleep(wait).await,
            None => break NotifyState::GaveUp,
        }
    };
    if let Some(record) = inner.books().trades.get_mut(&delivery.out_trade_no) {
        record.notify = state;
    }
}

fn record_attempt(inner: &Inner, out_trade_no: &str, attempt: NotifyAttempt) {
    if let Some(record) = inner.books().trades.get_mut(out_trade_no) {
        record.attempts.push(attempt);
    }
}

/// One POST to `notify_url`.
async fn send(
    inner: &Inner,
    url: &str,
    body: &str,
    notify_id: &str,
    duplicate: bool,
) -> NotifyAttempt {
    let mut attempt = NotifyAttempt {
        at: china_text(china_now()),
        at_ms: unix_ms(),
        notify_id: notify_id.to_owned(),
        duplicate,
        status: None,
        body: None,
        error: None,
        delivered: false,
    };
    let sent = inner
        .client
        .post(url)
        .header(
            header::CONTENT_TYPE,
            "application/x-www-form-urlencoded; charset=utf-8",
        )
        .body(body.to_owned())
        .timeout(inner.config.notify_timeout)
        .send()
        .await;
    match sent {
        Ok(answer) => {
            let status = answer.status();
            attempt.status = Some(status.as_u16());
            match answer.text().await {
                Ok(text) => {
                    attempt.delivered = status.is_success() && text.trim() == "success";
                    attempt.body = Some(truncate(text, KEPT_ANSWER));
                }
                Err(e) => attempt.error = Some(error_chain(&e)),
            }
        }
        Err(e) => attempt.error = Some(error_chain(&e)),
    }
    attempt
}

fn truncate(mut text: String, max: usize) -> String {
    if text.len() > max {
        let mut end = max;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
    }
    text
}

/// `e` and its sources: reqwest's own message alone says little ("error sending request").
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

// ----- trade query and trade close -----

/// The answer key of the trade query.
const QUERY_RESPONSE: &str = "alipay_trade_query_response";
/// The answer key of the trade close.
const CLOSE_RESPONSE: &str = "alipay_trade_close_response";

/// `{"<key>":<text>,"sign":"<gateway's signature of text>"}`.
fn signed_answer(inner: &Inner, key: &str, response: &Map<String, Value>) -> Response {
    // The signature covers these exact bytes, so they are produced once and embedded as they are.
    let text = Value::Object(response.clone()).to_string();
    let sign = inner.sign(&text);
    json_text(
        StatusCode::OK,
        format!("{{\"{key}\":{text},\"sign\":\"{sign}\"}}"),
    )
}

fn response_object(pairs: &[(&str, &str)]) -> Map<String, Value> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), Value::String((*v).to_owned())))
        .collect()
}

/// `alipay.trade.query`.
async fn trade_query(inner: &Arc<Inner>, params: &Params) -> Response {
    let switches = inner.books().switches.clone();
    if switches.query_unavailable {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    }
    if let Err(refusal) = check_common(inner, params) {
        let (code, msg) = refusal.api_code();
        let sub_code = format!("isv.{}", refusal.code);
        return signed_answer(
            inner,
            QUERY_RESPONSE,
            &response_object(&[
                ("code", code),
                ("msg", msg),
                ("sub_code", &sub_code),
                ("sub_msg", &refusal.reason),
            ]),
        );
    }
    if switches.query_error {
        return signed_answer(
            inner,
            QUERY_RESPONSE,
            &response_object(&[
                ("code", "20000"),
                ("msg", "Service Currently Unavailable"),
                ("sub_code", "aop.ACQ.SYSTEM_ERROR"),
                ("sub_msg", "系统繁忙"),
            ]),
        );
    }
    let biz = match biz_content(params) {
        Ok(biz) => biz,
        Err(refusal) => {
            return signed_answer(
                inner,
                QUERY_RESPONSE,
                &response_object(&[
                    ("code", "40004"),
                    ("msg", "Business Failed"),
                    ("sub_code", "ACQ.INVALID_PARAMETER"),
                    ("sub_msg", &refusal.reason),
                ]),
            );
        }
    };
    let text = |key: &str| {
        biz.get(key)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
    };
    let (out_trade_no, trade_no) = (text("out_trade_no"), text("trade_no"));
    if out_trade_no.is_none() && trade_no.is_none() {
        return signed_answer(
            inner,
            QUERY_RESPONSE,
            &response_object(&[
                ("code", "40004"),
                ("msg", "Business Failed"),
                ("sub_code", "ACQ.INVALID_PARAMETER"),
                ("sub_msg", "参数无效：out_trade_no 和 trade_no 不能同时为空"),
            ]),
        );
    }
    let now = china_now();
    let found = {
        let mut books = inner.books();
        let record = books.trades.values_mut().find(|r| {
            out_trade_no.is_none_or(|o| o == r.out_trade_no)
                && trade_no.is_none_or(|t| t == r.trade_no)
        });
        record.map(|record| {
            record.close_if_expired(now);
            trade_answer(record)
        })
    };
    match found {
        Some(answer) => signed_answer(inner, QUERY_RESPONSE, &answer),
        None => {
            let mut answer = response_object(&[
                ("code", "40004"),
                ("msg", "Business Failed"),
                ("sub_code", "ACQ.TRADE_NOT_EXIST"),
                ("sub_msg", "交易不存在"),
            ]);
            if let Some(o) = out_trade_no {
                answer.insert("out_trade_no".to_owned(), Value::String(o.to_owned()));
            }
            if let Some(t) = trade_no {
                answer.insert("trade_no".to_owned(), Value::String(t.to_owned()));
            }
            signed_answer(inner, QUERY_RESPONSE, &answer)
        }
    }
}

/// `alipay.trade.close`: closes a trade waiting for payment (module docs). Every request is
/// recorded with its answer.
async fn trade_close(inner: &Arc<Inner>, params: &Params) -> Response {
    let biz = biz_content(params);
    let field = |key: &str| {
        biz.as_ref()
            .ok()
            .and_then(|b| b.get(key))
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let mut request = CloseRequest {
        out_trade_no: field("out_trade_no"),
        trade_no: field("trade_no"),
        at_ms: unix_ms(),
        status: StatusCode::SERVICE_UNAVAILABLE.as_u16(),
        code: String::new(),
        sub_code: String::new(),
    };
    if inner.books().switches.close_unavailable {
        inner.books().closes.push(request);
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    }
    let answer = close_answer(inner, params, biz, &request);
    let text = |key: &str| {
        answer
            .get(key)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    request.status = StatusCode::OK.as_u16();
    request.code = text("code");
    request.sub_code = text("sub_code");
    inner.books().closes.push(request);
    signed_answer(inner, CLOSE_RESPONSE, &answer)
}

/// The `alipay_trade_close_response` object for a close request (`request` holds the trade
/// it names), closing the trade when it is waiting for payment.
fn close_answer(
    inner: &Inner,
    params: &Params,
    biz: Result<Map<String, Value>, Refusal>,
    request: &CloseRequest,
) -> Map<String, Value> {
    if let Err(refusal) = check_common(inner, params) {
        let (code, msg) = refusal.api_code();
        let sub_code = format!("isv.{}", refusal.code);
        return response_object(&[
            ("code", code),
            ("msg", msg),
            ("sub_code", &sub_code),
            ("sub_msg", &refusal.reason),
        ]);
    }
    let business = |sub_code: &str, sub_msg: &str| {
        response_object(&[
            ("code", "40004"),
            ("msg", "Business Failed"),
            ("sub_code", sub_code),
            ("sub_msg", sub_msg),
        ])
    };
    if let Err(refusal) = biz {
        return business("ACQ.INVALID_PARAMETER", &refusal.reason);
    }
    if inner.books().switches.close_refused {
        return response_object(&[
            ("code", "40006"),
            ("msg", "Insufficient Permissions"),
            ("sub_code", "isv.insufficient-isv-permissions"),
            ("sub_msg", "ISV权限不足"),
        ]);
    }
    let (out_trade_no, trade_no) = (request.out_trade_no.as_deref(), request.trade_no.as_deref());
    if out_trade_no.is_none() && trade_no.is_none() {
        return business(
            "ACQ.INVALID_PARAMETER",
            "参数无效：out_trade_no 和 trade_no 不能同时为空",
        );
    }
    let now = china_now();
    let mut books = inner.books();
    // As Alipay does, `trade_no` wins when both are given.
    let record = books.trades.values_mut().find(|r| match trade_no {
        Some(t) => t == r.trade_no,
        None => out_trade_no == Some(r.out_trade_no.as_str()),
    });
    let Some(record) = record else {
        return business("ACQ.TRADE_NOT_EXIST", "交易不存在");
    };
    record.close_if_expired(now);
    match record.status {
        TradeStatus::WaitBuyerPay => {
            record.status = TradeStatus::TradeClosed;
            response_object(&[
                ("code", "10000"),
                ("msg", "Success"),
                ("trade_no", &record.trade_no),
                ("out_trade_no", &record.out_trade_no),
            ])
        }
        TradeStatus::TradeSuccess | TradeStatus::TradeClosed => business(
            "ACQ.TRADE_STATUS_ERROR",
            "交易状态不合法：只有等待买家付款的交易才能关闭",
        ),
    }
}

// ----- refund and refund query -----

/// The answer key of the refund.
const REFUND_RESPONSE: &str = "alipay_trade_refund_response";
/// The answer key of the refund query.
const REFUND_QUERY_RESPONSE: &str = "alipay_trade_fastpay_refund_query_response";
/// Alipay's longest `out_request_no`, in characters.
const OUT_REQUEST_NO_MAX: usize = 64;
/// Alipay's longest `refund_reason`, in characters.
const REFUND_REASON_MAX: usize = 256;

/// An answer with `code` 40004 (Business Failed).
fn business_failure(sub_code: &str, sub_msg: &str) -> Map<String, Value> {
    response_object(&[
        ("code", "40004"),
        ("msg", "Business Failed"),
        ("sub_code", sub_code),
        ("sub_msg", sub_msg),
    ])
}

/// The answer to a request whose common parameters or signature are refused.
fn common_refusal(refusal: &Refusal) -> Map<String, Value> {
    let (code, msg) = refusal.api_code();
    let sub_code = format!("isv.{}", refusal.code);
    response_object(&[
        ("code", code),
        ("msg", msg),
        ("sub_code", &sub_code),
        ("sub_msg", &refusal.reason),
    ])
}

/// A text field of `biz_content`, when present and not empty.
fn biz_text(biz: &Map<String, Value>, key: &str) -> Option<String> {
    biz.get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// The trade a refund or refund query names: as Alipay does, `trade_no` wins when both are
/// given.
fn named_trade<'a>(
    books: &'a mut Books,
    out_trade_no: Option<&str>,
    trade_no: Option<&str>,
) -> Option<&'a mut Record> {
    books.trades.values_mut().find(|r| match trade_no {
        Some(t) => t == r.trade_no,
        None => out_trade_no == Some(r.out_trade_no.as_str()),
    })
}

/// `alipay.trade.refund` (module docs). Every request is recorded with its answer.
async fn trade_refund(inner: &Arc<Inner>, params: &Params) -> Response {
    let biz = biz_content(params);
    let field = |key: &str| biz.as_ref().ok().and_then(|b| biz_text(b, key));
    let mut call = RefundCall {
        out_trade_no: field("out_trade_no"),
        trade_no: field("trade_no"),
        out_request_no: field("out_request_no"),
        refund_amount: biz
            .as_ref()
            .ok()
            .and_then(|b| b.get("refund_amount"))
            .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned)),
        at_ms: unix_ms(),
        code: String::new(),
        sub_code: String::new(),
        fund_change: String::new(),
        fault: None,
    };
    let (answer, fault) = refund_answer(inner, params, biz, &call);
    let text = |key: &str| {
        answer
            .get(key)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    call.code = text("code");
    call.sub_code = text("sub_code");
    call.fund_change = text("fund_change");
    call.fault = fault;
    inner.books().refund_calls.push(call);
    if fault == Some(RefundFault::LostAnswer) {
        // The refund is made; the shop gives up waiting long before this answer leaves.
        tokio::time::sleep(inner.config.lost_answer_hold).await;
    }
    signed_answer(inner, REFUND_RESPONSE, &answer)
}

/// Takes the next refund fault of the switches, counting it down.
fn take_refund_fault(switches: &mut Switches) -> Option<RefundFault> {
    if switches.refund_error_next > 0 {
        switches.refund_error_next -= 1;
        Some(RefundFault::SystemError)
    } else if switches.refund_refused_next > 0 {
        switches.refund_refused_next -= 1;
        Some(RefundFault::Refused)
    } else if switches.refund_lost_next > 0 {
        switches.refund_lost_next -= 1;
        Some(RefundFault::LostAnswer)
    } else {
        None
    }
}

/// The `alipay_trade_refund_response` object for a refund request (`call` holds what it
/// names) and the fault that hit it, making the refund when it is due.
fn refund_answer(
    inner: &Inner,
    params: &Params,
    biz: Result<Map<String, Value>, Refusal>,
    call: &RefundCall,
) -> (Map<String, Value>, Option<RefundFault>) {
    if let Err(refusal) = check_common(inner, params) {
        return (common_refusal(&refusal), None);
    }
    let biz = match biz {
        Ok(biz) => biz,
        Err(refusal) => {
            return (
                business_failure("ACQ.INVALID_PARAMETER", &refusal.reason),
                None,
            );
        }
    };
    let (out_trade_no, trade_no) = (call.out_trade_no.as_deref(), call.trade_no.as_deref());
    if out_trade_no.is_none() && trade_no.is_none() {
        let answer = business_failure(
            "ACQ.INVALID_PARAMETER",
            "参数无效：out_trade_no 和 trade_no 不能同时为空",
        );
        return (answer, None);
    }
    let refund_fen = match biz.get("refund_amount").map(parse_amount) {
        Some(Ok(fen)) => fen,
        Some(Err(problem)) => {
            let answer = business_failure(
                "ACQ.INVALID_PARAMETER",
                &format!("参数 refund_amount 无效：{problem}"),
            );
            return (answer, None);
        }
        None => {
            let answer = business_failure("ACQ.INVALID_PARAMETER", "缺少 refund_amount");
            return (answer, None);
        }
    };
    let reason = biz_text(&biz, "refund_reason").unwrap_or_default();
    if call
        .out_request_no
        .as_ref()
        .is_some_and(|n| n.chars().count() > OUT_REQUEST_NO_MAX)
        || reason.chars().count() > REFUND_REASON_MAX
    {
        let answer = business_failure(
            "ACQ.INVALID_PARAMETER",
            "参数无效：out_request_no 最长 64 个字符，refund_reason 最长 256 个字符",
        );
        return (answer, None);
    }

    let now = china_now();
    let mut books = inner.books();
    let fault = take_refund_fault(&mut books.switches);
    match fault {
        Some(RefundFault::SystemError) => {
            let answer = response_object(&[
                ("code", "20000"),
                ("msg", "Service Currently Unavailable"),
                ("sub_code", "aop.ACQ.SYSTEM_ERROR"),
                ("sub_msg", "系统繁忙"),
            ]);
            return (answer, fault);
        }
        Some(RefundFault::Refused) => {
            let sub_code = match books.switches.refund_refused_sub_code.as_str() {
                "" => "ACQ.SELLER_BALANCE_NOT_ENOUGH",
                other => other,
            };
            let answer = business_failure(sub_code, "模拟的退款拒绝（卖家余额不足等）");
            return (answer, fault);
        }
        Some(RefundFault::LostAnswer) | None => {}
    }
    let Some(record) = named_trade(&mut books, out_trade_no, trade_no) else {
        let mut answer = business_failure("ACQ.TRADE_NOT_EXIST", "交易不存在");
        if let Some(o) = out_trade_no {
            answer.insert("out_trade_no".to_owned(), Value::String(o.to_owned()));
        }
        return (answer, fault);
    };
    record.close_if_expired(now);
    // Without `out_request_no`, Alipay takes the `out_trade_no` as the refund's number.
    let number = call
        .out_request_no
        .clone()
        .unwrap_or_else(|| record.out_trade_no.clone());
    let refunded = record.refunded_fen();
    let success = |record: &Record, refund: &Refund, moved: bool| {
        let mut answer = response_object(&[
            ("code", "10000"),
            ("msg", "Success"),
            ("trade_no", &record.trade_no),
            ("out_trade_no", &record.out_trade_no),
            ("buyer_logon_id", BUYER_LOGON_ID),
            ("buyer_user_id", BUYER_ID),
            ("fund_change", if moved { "Y" } else { "N" }),
            ("refund_fee", &yuan(record.refunded_fen())),
            ("gmt_refund_pay", &refund.gmt_refund_pay),
        ]);
        if moved {
            answer.insert(
                "send_back_fee".to_owned(),
                Value::String(refund.refund_amount.clone()),
            );
        }
        answer
    };
    // A number already refunded: the same refund again, nothing moves (checked before the
    // status, so that a repeat still succeeds after a full refund closed the trade).
    if let Some(index) = record
        .refunds
        .iter()
        .position(|r| r.out_request_no == number)
    {
        if record.refunds[index].refund_fen != refund_fen {
            let answer = business_failure(
                "ACQ.DISCORDANT_REPEAT_REQUEST",
                "不一致的请求：该退款请求号已用于另一金额的退款",
            );
            return (answer, fault);
        }
        record.refunds[index].repeats += 1;
        let refund = record.refunds[index].clone();
        return (success(record, &refund, false), fault);
    }
    if record.status != TradeStatus::TradeSuccess {
        let answer = business_failure("ACQ.TRADE_STATUS_ERROR", "交易状态不合法");
        return (answer, fault);
    }
    if call.out_request_no.is_none() && refund_fen != record.total_fen {
        let answer = business_failure(
            "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL",
            "撤销或退款金额与订单金额不一致",
        );
        return (answer, fault);
    }
    if refunded + refund_fen > record.total_fen {
        let answer = business_failure("ACQ.REFUND_AMT_NOT_EQUAL_TOTAL", "退款金额超限");
        return (answer, fault);
    }
    let refund = Refund {
        out_request_no: number,
        refund_amount: yuan(refund_fen),
        refund_fen,
        refund_reason: reason,
        gmt_refund_pay: china_text(now),
        at_ms: unix_ms(),
        repeats: 0,
    };
    record.refunds.push(refund.clone());
    if record.refunded_fen() == record.total_fen {
        // Alipay closes a trade once all of it is refunded.
        record.status = TradeStatus::TradeClosed;
    }
    (success(record, &refund, true), fault)
}

/// `alipay.trade.fastpay.refund.query` (module docs).
fn refund_query(inner: &Inner, params: &Params) -> Response {
    let answer = refund_query_answer(inner, params);
    signed_answer(inner, REFUND_QUERY_RESPONSE, &answer)
}

fn refund_query_answer(inner: &Inner, params: &Params) -> Map<String, Value> {
    if let Err(refusal) = check_common(inner, params) {
        return common_refusal(&refusal);
    }
    let biz = match biz_content(params) {
        Ok(biz) => biz,
        Err(refusal) => return business_failure("ACQ.INVALID_PARAMETER", &refusal.reason),
    };
    let (out_trade_no, trade_no) = (biz_text(&biz, "out_trade_no"), biz_text(&biz, "trade_no"));
    if out_trade_no.is_none() && trade_no.is_none() {
        return business_failure(
            "ACQ.INVALID_PARAMETER",
            "参数无效：out_trade_no 和 trade_no 不能同时为空",
        );
    }
    let Some(number) = biz_text(&biz, "out_request_no") else {
        return business_failure("ACQ.INVALID_PARAMETER", "缺少 out_request_no");
    };
    let with_time = biz
        .get("query_options")
        .and_then(Value::as_array)
        .is_some_and(|options| options.iter().any(|o| o == "gmt_refund_pay"));
    let mut books = inner.books();
    let Some(record) = named_trade(&mut books, out_trade_no.as_deref(), trade_no.as_deref()) else {
        return business_failure("ACQ.TRADE_NOT_EXIST", "交易不存在");
    };
    let mut answer = response_object(&[
        ("code", "10000"),
        ("msg", "Success"),
        ("trade_no", &record.trade_no),
        ("out_trade_no", &record.out_trade_no),
        ("out_request_no", &number),
    ]);
    if let Some(refund) = record.refunds.iter().find(|r| r.out_request_no == number) {
        let mut add = |key: &str, value: &str| {
            answer.insert(key.to_owned(), Value::String(value.to_owned()));
        };
        add("total_amount", &yuan(record.total_fen));
        add("refund_amount", &refund.refund_amount);
        add("refund_status", "REFUND_SUCCESS");
        if !refund.refund_reason.is_empty() {
            add("refund_reason", &refund.refund_reason);
        }
        if with_time {
            add("gmt_refund_pay", &refund.gmt_refund_pay);
        }
    }
    answer
}

/// The success answer for a known trade.
fn trade_answer(record: &Record) -> Map<String, Value> {
    let total = yuan(record.total_fen);
    let paid_amount = if record.status == TradeStatus::TradeSuccess {
        total.clone()
    } else {
        yuan(0)
    };
    let mut answer = response_object(&[
        ("code", "10000"),
        ("msg", "Success"),
        ("trade_no", &record.trade_no),
        ("out_trade_no", &record.out_trade_no),
        ("buyer_logon_id", BUYER_LOGON_ID),
        ("trade_status", record.status.as_str()),
        ("total_amount", &total),
        ("buyer_pay_amount", &paid_amount),
        ("point_amount", "0.00"),
        ("invoice_amount", &paid_amount),
        ("receipt_amount", &paid_amount),
        ("buyer_user_id", BUYER_ID),
    ]);
    if let Some(paid) = record.paid {
        answer.insert("send_pay_date".to_owned(), Value::String(china_text(paid)));
    }
    answer
}

// ----- the 收银台 form and the test endpoints -----

#[derive(Debug, Deserialize)]
struct PayForm {
    #[serde(default)]
    token: String,
}

/// `POST /gateway.do/pay`: the 确认付款 button.
async fn pay_form(State(inner): State<Arc<Inner>>, Form(form): Form<PayForm>) -> Response {
    let delay = inner.books().switches.page_delay_ms;
    sleep_ms(delay).await;
    let out_trade_no = inner.books().tokens.get(&form.token).cloned();
    let Some(out_trade_no) = out_trade_no else {
        return Refusal::parameter("token", "付款凭据无效，请回到商户重新发起支付").page();
    };
    match pay_trade(&inner, &out_trade_no) {
        Ok(Paid {
            return_url: Some(url),
            ..
        }) => (StatusCode::FOUND, [(header::LOCATION, url)]).into_response(),
        Ok(Paid { return_params, .. }) => {
            let get = |k: &str| return_params.get(k).map(String::as_str).unwrap_or_default();
            let subject = inner
                .books()
                .trades
                .get(&out_trade_no)
                .map(|r| r.subject.clone())
                .unwrap_or_default();
            pages::paid(&subject, get("total_amount"), get("out_trade_no"))
        }
        Err(refusal) => pay_refusal_page(refusal),
    }
}

fn list(inner: &Inner) -> Vec<Trade> {
    let now = china_now();
    let mut books = inner.books();
    let mut records: Vec<&mut Record> = books.trades.values_mut().collect();
    records.sort_by_key(|r| r.seq);
    records
        .into_iter()
        .map(|record| {
            record.close_if_expired(now);
            record.snapshot()
        })
        .collect()
}

fn expire_trade(inner: &Inner, out_trade_no: &str) -> bool {
    let now = china_now();
    let mut books = inner.books();
    let Some(record) = books.trades.get_mut(out_trade_no) else {
        return false;
    };
    if record.status == TradeStatus::WaitBuyerPay {
        record.deadline = now;
        record.close_if_expired(now);
    }
    true
}

async fn list_trades(State(inner): State<Arc<Inner>>) -> Json<Vec<Trade>> {
    Json(list(&inner))
}

async fn list_closes(State(inner): State<Arc<Inner>>) -> Json<Vec<CloseRequest>> {
    Json(inner.books().closes.clone())
}

async fn list_refund_calls(State(inner): State<Arc<Inner>>) -> Json<Vec<RefundCall>> {
    Json(inner.books().refund_calls.clone())
}

#[derive(Debug, Deserialize)]
struct TradeRef {
    out_trade_no: String,
}

/// `POST /_fake/pay`.
async fn fake_pay(State(inner): State<Arc<Inner>>, Json(trade): Json<TradeRef>) -> Response {
    match pay_trade(&inner, &trade.out_trade_no) {
        Ok(paid) => Json(json!({
            "return_url": paid.return_url.unwrap_or_default(),
            "return_params": paid.return_params,
        }))
        .into_response(),
        Err(refusal) => (
            refusal.status(),
            Json(json!({"error": refusal.code(), "message": refusal.reason()})),
        )
            .into_response(),
    }
}

/// `POST /_fake/expire`.
async fn fake_expire(State(inner): State<Arc<Inner>>, Json(trade): Json<TradeRef>) -> Response {
    if !expire_trade(&inner, &trade.out_trade_no) {
        return (
            StatusCode::NOT_FOUND,
            Json(json!({"error": "TRADE_NOT_EXIST", "message": "交易不存在"})),
        )
            .into_response();
    }
    let trade = inner
        .books()
        .trades
        .get(&trade.out_trade_no)
        .map(Record::snapshot);
    Json(trade).into_response()
}

async fn get_switches(State(inner): State<Arc<Inner>>) -> Json<Switches> {
    Json(inner.books().switches.clone())
}

async fn set_switches(
    State(inner): State<Arc<Inner>>,
    Json(switches): Json<Switches>,
) -> Json<Switches> {
    inner.books().switches = switches.clone();
    Json(switches)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_take_two_decimals_between_a_fen_and_a_hundred_million_yuan() {
        for (value, expected) in [
            (json!("88.00"), 8_800),
            (json!("88"), 8_800),
            (json!("0.5"), 50),
            (json!(88.5), 8_850),
            (json!(12), 1_200),
            (json!("0.01"), 1),
            (json!("100000000"), MAX_AMOUNT_FEN),
        ] {
            assert_eq!(parse_amount(&value), Ok(expected), "{value}");
        }
        for value in [
            json!("88.001"),
            json!("0"),
            json!("0.00"),
            json!("100000000.01"),
            json!("-1"),
            json!("1e2"),
            json!("88."),
            json!(".5"),
            json!(""),
            json!(null),
            json!(0.1 + 0.2),
        ] {
            assert!(parse_amount(&value).is_err(), "{value} should be refused");
        }
    }

    #[test]
    fn timeouts_read_minutes_hours_days_and_today() {
        let now = china()
            .with_ymd_and_hms(2026, 11, 30, 9, 30, 0)
            .single()
            .expect("a valid time");
        let at = |timeout: &str| {
            let mut biz = Map::new();
            biz.insert("timeout_express".to_owned(), json!(timeout));
            deadline(&biz, now).map(china_text).map_err(|r| r.reason)
        };
        assert_eq!(at("29m").as_deref(), Ok("2026-11-30 09:59:00"));
        assert_eq!(at("2h").as_deref(), Ok("2026-11-30 11:30:00"));
        assert_eq!(at("15d").as_deref(), Ok("2026-12-15 09:30:00"));
        assert_eq!(at("1c").as_deref(), Ok("2026-12-01 00:00:00"));
        for bad in ["0m", "16d", "30s", "m", "1.5h", "-1m"] {
            assert!(at(bad).is_err(), "{bad} should be refused");
        }
        assert_eq!(
            deadline(&Map::new(), now).map(china_text).ok().as_deref(),
            Some("2026-12-15 09:30:00")
        );
    }

    #[test]
    fn return_urls_keep_their_query_and_fragment() {
        let params: BTreeMap<String, String> = [("a".to_owned(), "x y&z".to_owned())].into();
        assert_eq!(with_query("http://h/r", &params), "http://h/r?a=x+y%26z");
        assert_eq!(
            with_query("http://h/r?o=1", &params),
            "http://h/r?o=1&a=x+y%26z"
        );
        assert_eq!(
            with_query("http://h/r#top", &params),
            "http://h/r?a=x+y%26z#top"
        );
    }
}
