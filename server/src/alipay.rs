//! The Alipay client: signed `alipay.trade.page.pay` URLs, verification of what the gateway
//! sends (the return redirect, the asynchronous notification, API answers),
//! `alipay.trade.query`, `alipay.trade.close`, `alipay.trade.refund` and
//! `alipay.trade.fastpay.refund.query`, over HTTP with reqwest.
//!
//! Protocol (Alipay open platform, "签名" / "验签" and the page-pay, trade-query,
//! trade-close, refund and refund-query references):
//! - Every request carries the common parameters `app_id, method, format=JSON,
//!   charset=utf-8, sign_type=RSA2, timestamp ("yyyy-MM-dd HH:mm:ss", China time),
//!   version=1.0` and the business parameters as `biz_content` JSON. It is signed with the
//!   app's private key: RSA2 = SHA256withRSA with PKCS#1 v1.5 padding (RFC 8017 §8.2) over
//!   the `k=v` pairs of every non-empty parameter but `sign`, sorted by key and joined with
//!   `&`, values unencoded; the signature travels base64-encoded in `sign`.
//! - What the gateway sends to the shop (return parameters, notifications) is verified with
//!   the gateway's public key over the same kind of string, leaving out `sign` **and**
//!   `sign_type`.
//! - An API answer `{"<method>_response": {...}, "sign": "..."}` is signed over the exact
//!   JSON text of the `<method>_response` value.
//!
//! Keys come from configuration as PEM (PKCS#1 `RSA PRIVATE KEY` / `RSA PUBLIC KEY`,
//! PKCS#8 `PRIVATE KEY`, SubjectPublicKeyInfo `PUBLIC KEY`), as the bare base64 DER the
//! Alipay console shows, or as the path of a file holding either. They are never logged:
//! [`AlipayClient`]'s `Debug` leaves them out.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use rsa::pkcs1::{DecodeRsaPrivateKey as _, DecodeRsaPublicKey as _};
use rsa::pkcs8::{DecodePrivateKey as _, DecodePublicKey as _};
use rsa::sha2::Sha256;
use rsa::{PrivateKey, PublicKey};
use serde_json::value::RawValue;

use crate::config::Settings;
use crate::db::orders::china_time;

/// The method of the page-pay request.
pub const PAGE_PAY: &str = "alipay.trade.page.pay";
/// The method of the trade query.
pub const TRADE_QUERY: &str = "alipay.trade.query";
/// The method of the trade close (统一收单交易关闭接口): closes a trade still waiting for
/// payment, so that no pay URL of its order can pay it any more.
pub const TRADE_CLOSE: &str = "alipay.trade.close";
/// The method of the refund (统一收单交易退款接口): gives back all or part of a paid trade,
/// at most once per `out_request_no`.
pub const TRADE_REFUND: &str = "alipay.trade.refund";
/// The method of the refund query (统一收单交易退款查询): whether the refund of one
/// `out_request_no` was made.
pub const REFUND_QUERY: &str = "alipay.trade.fastpay.refund.query";
/// Longest `out_request_no` Alipay accepts, in characters (refund reference: String(64)).
pub const OUT_REQUEST_NO_MAX_CHARS: usize = 64;
/// Longest `refund_reason` Alipay accepts, in characters (refund reference: String(256)).
pub const REFUND_REASON_MAX_CHARS: usize = 256;
/// Fewest seconds an order must have left before its deadline for a pay URL to be made:
/// `timeout_express` is whole minutes (Alipay's page-pay reference: `1m` to `15d`, no
/// fractions), so under a minute no value would end the trade by the order's deadline.
pub const MIN_PAY_SECS: i64 = 60;
/// The product code of computer-website payment (电脑网站支付).
pub const PRODUCT_CODE: &str = "FAST_INSTANT_TRADE_PAY";
/// Longest `subject` Alipay accepts, in characters.
pub const SUBJECT_MAX_CHARS: usize = 256;
/// Timestamps of the protocol: China Standard Time, to the second.
pub const TIME_FORMAT: &str = "%Y-%m-%d %H:%M:%S";

/// Why an Alipay step failed.
#[derive(Debug, thiserror::Error)]
pub enum AlipayError {
    /// A signature is missing, malformed or does not verify with the gateway's key.
    #[error("alipay signature does not verify")]
    BadSignature,
    /// The gateway answered the call with a business error (`code` other than 10000), e.g.
    /// `40002` / `isv.invalid-signature` for a request it could not verify.
    #[error("alipay refused: {code} {sub_code}: {message}")]
    Refused {
        code: String,
        sub_code: String,
        message: String,
    },
    /// Unreachable, timed out, a 5xx, `20000` (service unavailable) or an answer that is
    /// not the documented JSON: try again later.
    #[error("alipay unavailable: {0}")]
    Unavailable(String),
    /// Only from [`AlipayClient::refund`]: the request went out but no answer came back (the
    /// HTTP client's time-out, `ALIPAY_TIMEOUT_SECS`, ran out after connecting, or the
    /// connection dropped while waiting). The gateway may have made the refund: ask
    /// [`AlipayClient::refund_query`], or send the same refund with the same
    /// `out_request_no`, never a new number. (Other calls report this as
    /// [`AlipayError::Unavailable`]: repeating them blindly is harmless.)
    #[error("alipay answer lost: {0}")]
    NoAnswer(String),
    /// The shop's own request cannot be sent (a refund of no money, an `out_request_no` that
    /// is empty or over [`OUT_REQUEST_NO_MAX_CHARS`]): a bug of the caller; nothing was sent.
    #[error("alipay request not sent: {0}")]
    InvalidRequest(String),
    /// A key or URL of the configuration is unusable.
    #[error("alipay configuration: {0}")]
    Config(String),
    /// The order has under [`MIN_PAY_SECS`] left to pay: a pay URL's trade would outlive it.
    #[error("under {MIN_PAY_SECS} s left to pay: no pay URL")]
    TooLate,
}

/// A trade's state as `alipay.trade.query` reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TradeState {
    /// The gateway knows no trade for the order (the shopper never opened the pay page).
    NotExist,
    /// `WAIT_BUYER_PAY`: opened, not paid.
    Waiting,
    /// `TRADE_SUCCESS` or `TRADE_FINISHED`: paid.
    Paid(PaidTrade),
    /// `TRADE_CLOSED`: closed unpaid (timed out) or fully refunded.
    Closed,
}

/// What `alipay.trade.close` did with a trade (Alipay's trade-close reference: `code` 10000,
/// or 40004 with a `sub_code`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CloseOutcome {
    /// `10000`: the trade was waiting for payment and is closed now; nothing can pay it.
    Closed,
    /// `40004` / `ACQ.TRADE_NOT_EXIST`: the gateway holds no trade for the order. A
    /// page-pay trade exists only once the buyer has logged in on the cashier, so this is
    /// the answer for an order whose pay URL was never opened: nothing to close.
    NotExist,
    /// `40004` / `ACQ.TRADE_STATUS_ERROR` (also `ACQ.REASON_TRADE_STATUS_INVALID`,
    /// `ACQ.REASON_ILLEGAL_STATUS`): the trade is not waiting for payment, so it is paid or
    /// closed already. Only `alipay.trade.query` tells which.
    NotWaiting,
}

/// One refund to ask of the gateway ([`AlipayClient::refund`]).
///
/// `out_request_no` is what makes a refund safe to repeat: Alipay makes at most one refund
/// per `out_request_no` of a trade, and a request repeating a number already refunded moves
/// no money again (it answers [`RefundOutcome::Refunded`] with `fund_change: false`). So a
/// refund whose answer was lost must be retried with the **same** number, and a new number
/// means a new, additional refund (Alipay's refund reference, `out_request_no`: "针对同一次
/// 退款请求，如果调用接口失败或异常了，重试时需要保证退款请求号不能变更，防止该笔交易重复退款").
#[derive(Debug, Clone)]
pub struct RefundRequest<'a> {
    /// `out_trade_no`: the shop's order id the trade was paid under.
    pub order_id: &'a str,
    /// `refund_amount`, in fen: more than 0, and with the trade's earlier refunds at most
    /// what was paid (the gateway refuses more).
    pub refund_amount_fen: i64,
    /// `out_request_no`: the refund's own number, unique per refund of the trade, at most
    /// [`OUT_REQUEST_NO_MAX_CHARS`] characters.
    pub out_request_no: &'a str,
    /// `refund_reason`, shown to the buyer in their bill; cut to [`REFUND_REASON_MAX_CHARS`]
    /// characters, left out when `None` or empty.
    pub reason: Option<&'a str>,
}

/// What `alipay.trade.refund` answered (Alipay's refund reference: `code` 10000, or 40004
/// with a `sub_code`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefundOutcome {
    /// `10000`: the refund of this `out_request_no` is made, now or by an earlier request.
    Refunded {
        /// `refund_fee` in fen: per Alipay's reference the **trade's total refunded so far**
        /// (this refund and the earlier ones), not this refund alone.
        refund_fee_fen: i64,
        /// `gmt_refund_pay`, when given: when the refund was paid, Unix seconds.
        gmt_refund_pay: Option<i64>,
        /// `fund_change` `Y`: this request moved money. `N` answers a repeat of an
        /// `out_request_no` already refunded: still a success, nothing moved again.
        fund_change: bool,
    },
    /// `40004` with a business `sub_code`: no refund was made, e.g. `ACQ.TRADE_NOT_EXIST`
    /// (no trade for the order), `ACQ.TRADE_STATUS_ERROR` (not paid, or closed),
    /// `ACQ.REFUND_AMT_NOT_EQUAL_TOTAL` / `ACQ.REASON_TRADE_REFUND_FEE_ERR` (more than is left
    /// to refund), `ACQ.SELLER_BALANCE_NOT_ENOUGH` (the seller's balance cannot cover it),
    /// `ACQ.DISCORDANT_REPEAT_REQUEST` (an `out_request_no` reused with other parameters).
    Refused {
        /// Alipay's `sub_code`.
        sub_code: String,
        /// Alipay's `sub_msg` (Chinese, for people).
        sub_msg: String,
    },
}

/// What `alipay.trade.fastpay.refund.query` says of one `out_request_no`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefundState {
    /// `refund_status` `REFUND_SUCCESS` (or, in answers made before that field, a
    /// `refund_amount`): the refund was made.
    Refunded {
        /// `refund_amount` in fen: this refund request's amount.
        refund_amount_fen: i64,
        /// `gmt_refund_pay` (asked for with `query_options`), when given: Unix seconds.
        gmt_refund_pay: Option<i64>,
    },
    /// `10000` without `refund_status` or `refund_amount` ("未返回该字段表示退款请求未收到或者
    /// 退款失败"), or 40004 `ACQ.TRADE_NOT_EXIST`: no refund was made for this number. Alipay
    /// warns that a query sent right after the refund may not see it yet; it advises waiting
    /// at least 10 s after the refund before querying.
    NotRefunded,
}

/// A paid trade: what the shop records in `payments`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaidTrade {
    /// The shop's order id (`out_trade_no`).
    pub order_id: String,
    /// Alipay's trade number (`trade_no`).
    pub trade_no: String,
    /// `total_amount` in fen.
    pub amount_fen: i64,
    /// When it was paid, Unix seconds (`gmt_payment` / `send_pay_date`; now when absent).
    pub paid_at: i64,
    /// The buyer's Alipay user id (`buyer_id` / `buyer_user_id`), when given.
    pub buyer_id: Option<String>,
}

/// The order a pay URL is made for.
#[derive(Debug, Clone)]
pub struct PayRequest<'a> {
    /// `out_trade_no`: the order id.
    pub order_id: &'a str,
    /// `total_amount`, in fen.
    pub amount_fen: i64,
    /// `subject`: cut to [`SUBJECT_MAX_CHARS`] characters.
    pub subject: &'a str,
    /// Seconds left until the order's payment deadline; `timeout_express` is that in whole
    /// minutes rounded down ([`timeout_express`]), so the trade's life never exceeds what is
    /// left of the order's. Under [`MIN_PAY_SECS`] there is no pay URL.
    pub remaining_secs: i64,
}

/// The configured Alipay app; cheap to clone through `Arc`.
pub struct AlipayClient {
    http: reqwest::Client,
    app_id: String,
    gateway_url: String,
    notify_url: String,
    return_url: String,
    app_key: PrivateKey,
    gateway_key: PublicKey,
}

impl fmt::Debug for AlipayClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AlipayClient")
            .field("app_id", &self.app_id)
            .field("gateway_url", &self.gateway_url)
            .field("notify_url", &self.notify_url)
            .field("return_url", &self.return_url)
            .finish_non_exhaustive()
    }
}

impl AlipayClient {
    /// The client of the validated `settings`, or `None` when payment is off (no
    /// `ALIPAY_APP_ID`; production refuses to start that way, see
    /// [`Settings::validate`]).
    ///
    /// # Errors
    /// A key that cannot be read or parsed (the message names the setting, never the key),
    /// or no TLS backend for the HTTP client.
    pub fn from_settings(settings: &Settings) -> anyhow::Result<Option<Self>> {
        let Some(app_id) = settings
            .alipay_app_id
            .as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
        else {
            return Ok(None);
        };
        let private = settings.alipay_app_private_key.as_deref().ok_or_else(|| {
            anyhow::anyhow!("ALIPAY_APP_PRIVATE_KEY must be set with ALIPAY_APP_ID")
        })?;
        let public = settings
            .alipay_public_key
            .as_deref()
            .ok_or_else(|| anyhow::anyhow!("ALIPAY_PUBLIC_KEY must be set with ALIPAY_APP_ID"))?;
        let app_key =
            private_key(private).map_err(|e| anyhow::anyhow!("ALIPAY_APP_PRIVATE_KEY: {e}"))?;
        let gateway_key =
            public_key(public).map_err(|e| anyhow::anyhow!("ALIPAY_PUBLIC_KEY: {e}"))?;
        let http = crate::outbound::client(settings.alipay_timeout_secs)?;
        Ok(Some(Self {
            http,
            app_id: app_id.to_owned(),
            gateway_url: settings.alipay_gateway_url.trim().to_owned(),
            notify_url: settings.alipay_notify_url(),
            return_url: settings.alipay_return_url(),
            app_key,
            gateway_key,
        }))
    }

    /// `ALIPAY_APP_ID`.
    pub fn app_id(&self) -> &str {
        &self.app_id
    }

    /// The common parameters of a request for `method` made at `now` (Unix seconds).
    fn common(&self, method: &str, now: i64) -> BTreeMap<String, String> {
        [
            ("app_id", self.app_id.as_str()),
            ("method", method),
            ("format", "JSON"),
            ("charset", "utf-8"),
            ("sign_type", "RSA2"),
            ("version", "1.0"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .chain([("timestamp".to_owned(), china_time(now, TIME_FORMAT))])
        .collect()
    }

    /// Adds `sign` to a request's parameters (signed string: [`signing_string`] with
    /// `sign_type` kept).
    fn sign_request(&self, params: &mut BTreeMap<String, String>) -> Result<(), AlipayError> {
        let signature = sign(&self.app_key, &signing_string(params, false))?;
        params.insert("sign".to_owned(), signature);
        Ok(())
    }

    /// The GET URL of the gateway that opens Alipay's cashier for `order`, made at `now`
    /// (Unix seconds).
    ///
    /// # Errors
    /// [`AlipayError::Config`] for an unparsable `ALIPAY_GATEWAY_URL` or a key that cannot
    /// sign; [`AlipayError::TooLate`] under [`MIN_PAY_SECS`] left.
    pub fn page_pay_url(&self, order: &PayRequest<'_>, now: i64) -> Result<String, AlipayError> {
        let timeout = timeout_express(order.remaining_secs).ok_or(AlipayError::TooLate)?;
        // The order's deadline as an absolute time too: Alipay prefers `time_expire` when both
        // are given, and it holds however late the shopper first opens the URL (a trade that
        // `timeout_express` would time from its opening could outlive a cancelled order).
        let expire = china_time(now + order.remaining_secs, TIME_FORMAT);
        let subject: String = order.subject.chars().take(SUBJECT_MAX_CHARS).collect();
        let biz = serde_json::json!({
            "out_trade_no": order.order_id,
            "total_amount": dadashop_types::money::format_fen(order.amount_fen),
            "subject": subject,
            "product_code": PRODUCT_CODE,
            "timeout_express": timeout,
            "time_expire": expire,
        });
        let mut params = self.common(PAGE_PAY, now);
        params.insert("biz_content".to_owned(), biz.to_string());
        if !self.notify_url.is_empty() {
            params.insert("notify_url".to_owned(), self.notify_url.clone());
        }
        if !self.return_url.is_empty() {
            params.insert("return_url".to_owned(), self.return_url.clone());
        }
        self.sign_request(&mut params)?;
        let mut url = reqwest::Url::parse(&self.gateway_url)
            .map_err(|e| AlipayError::Config(format!("ALIPAY_GATEWAY_URL: {e}")))?;
        url.query_pairs_mut().extend_pairs(params.iter());
        Ok(url.into())
    }

    /// Checks the gateway's signature over `params` (return parameters or a notification):
    /// `sign` must verify with `ALIPAY_PUBLIC_KEY` over every non-empty parameter but `sign`
    /// and `sign_type`, `sign_type` (when given) must be `RSA2`, and `app_id` must be ours.
    ///
    /// # Errors
    /// [`AlipayError::BadSignature`] for anything else.
    pub fn verify(&self, params: &BTreeMap<String, String>) -> Result<(), AlipayError> {
        if params.get("sign_type").is_some_and(|t| t != "RSA2") {
            return Err(AlipayError::BadSignature);
        }
        let signature = params
            .get("sign")
            .filter(|s| !s.is_empty())
            .ok_or(AlipayError::BadSignature)?;
        verify(&self.gateway_key, &signing_string(params, true), signature)?;
        if params.get("app_id").map(String::as_str) != Some(self.app_id.as_str()) {
            return Err(AlipayError::BadSignature);
        }
        Ok(())
    }

    /// Asks the gateway about the trade of `order_id` (`alipay.trade.query`) and verifies
    /// the answer's signature.
    ///
    /// # Errors
    /// [`AlipayError::Unavailable`] when the gateway cannot be reached or answers a system
    /// error, [`AlipayError::BadSignature`] for an answer that does not verify,
    /// [`AlipayError::Refused`] for other business errors.
    pub async fn query(&self, order_id: &str, now: i64) -> Result<TradeState, AlipayError> {
        let answer = self
            .call(
                TRADE_QUERY,
                &serde_json::json!({ "out_trade_no": order_id }),
                now,
            )
            .await?;
        trade_state(&answer, order_id, now)
    }

    /// Closes the trade of `order_id` (`alipay.trade.close`, biz_content `{"out_trade_no"}`)
    /// if it is still waiting for payment, so that no pay URL of the order can pay it any
    /// more, and verifies the answer's signature. Closing is idempotent on the gateway's
    /// side: a second close of the same trade answers [`CloseOutcome::NotWaiting`].
    ///
    /// # Errors
    /// [`AlipayError::Unavailable`] when the gateway cannot be reached, times out, answers a
    /// 5xx, `20000` or `ACQ.SYSTEM_ERROR` (try again later); [`AlipayError::BadSignature`]
    /// for an answer that does not verify; [`AlipayError::Refused`] for other business errors
    /// (`ACQ.INVALID_PARAMETER`, a request the gateway could not verify, ...).
    pub async fn close(&self, order_id: &str, now: i64) -> Result<CloseOutcome, AlipayError> {
        let answer = self
            .call(
                TRADE_CLOSE,
                &serde_json::json!({ "out_trade_no": order_id }),
                now,
            )
            .await?;
        close_outcome(&answer, order_id)
    }

    /// Refunds `req.refund_amount_fen` of the paid trade of `req.order_id` (`alipay.trade.refund`,
    /// biz_content `{"out_trade_no", "refund_amount": "12.30", "out_request_no",
    /// "refund_reason"?}`) at `now` (Unix seconds), and verifies the answer's signature.
    ///
    /// Safe to repeat with the same `out_request_no`: Alipay refunds each number of a trade
    /// at most once, and answers a repeat with [`RefundOutcome::Refunded`] and
    /// `fund_change: false` (see [`RefundRequest`]).
    ///
    /// # Errors
    /// Any error but [`AlipayError::InvalidRequest`] and [`AlipayError::Config`] leaves it
    /// unknown whether the refund was made: ask [`AlipayClient::refund_query`] or repeat the
    /// same request, never with a new `out_request_no`.
    /// - [`AlipayError::NoAnswer`]: the request went out and no answer came back in time
    ///   (the time-out case): the refund may well have been made.
    /// - [`AlipayError::Unavailable`]: unreachable, a 5xx, `20000` or `40004` /
    ///   `ACQ.SYSTEM_ERROR` (Alipay: "请使用相同的参数再次调用"), an answer that is not the
    ///   documented JSON or is about another order.
    /// - [`AlipayError::BadSignature`]: the answer does not verify.
    /// - [`AlipayError::Refused`]: a code other than 10000 / 40004 / 20000 (a request the
    ///   gateway could not verify, a missing permission, ...).
    /// - [`AlipayError::InvalidRequest`]: `refund_amount_fen` under 1, or an `out_request_no` empty
    ///   or too long; nothing was sent.
    /// - [`AlipayError::Config`]: the app key cannot sign; nothing was sent.
    pub async fn refund(
        &self,
        req: &RefundRequest<'_>,
        now: i64,
    ) -> Result<RefundOutcome, AlipayError> {
        let biz = refund_biz(req)?;
        let answer = self.exchange(TRADE_REFUND, &biz, now).await?;
        refund_outcome(&answer, req.order_id)
    }

    /// Asks whether the refund `out_request_no` of the trade of `order_id` was made
    /// (`alipay.trade.fastpay.refund.query`, biz_content `{"out_trade_no", "out_request_no",
    /// "query_options": ["gmt_refund_pay"]}`; without that option Alipay never returns the
    /// refund's time), at `now` (Unix seconds), and verifies the answer's signature.
    ///
    /// # Errors
    /// [`AlipayError::Unavailable`] when the gateway cannot be reached, times out, answers a
    /// 5xx, `20000` or `ACQ.SYSTEM_ERROR`, an unknown `refund_status`, or an answer about
    /// another order or refund (ask again later); [`AlipayError::BadSignature`] for an answer
    /// that does not verify; [`AlipayError::Refused`] for other errors
    /// (`ACQ.INVALID_PARAMETER`, a request the gateway could not verify, ...).
    pub async fn refund_query(
        &self,
        order_id: &str,
        out_request_no: &str,
        now: i64,
    ) -> Result<RefundState, AlipayError> {
        let biz = serde_json::json!({
            "out_trade_no": order_id,
            "out_request_no": out_request_no,
            "query_options": ["gmt_refund_pay"],
        });
        let answer = self.call(REFUND_QUERY, &biz, now).await?;
        refund_state(&answer, order_id, out_request_no)
    }

    /// [`AlipayClient::exchange`] for calls that are harmless to repeat (queries, closes): a
    /// lost answer is one more way of being unavailable.
    async fn call(
        &self,
        method: &str,
        biz: &serde_json::Value,
        now: i64,
    ) -> Result<serde_json::Value, AlipayError> {
        self.exchange(method, biz, now).await.map_err(|e| match e {
            AlipayError::NoAnswer(why) => AlipayError::Unavailable(why),
            other => other,
        })
    }

    /// Calls the API `method` with `biz` as `biz_content` at `now` (Unix seconds): the signed
    /// request form POSTed to the gateway, and the verified `<method>_response` object of
    /// the answer (dots of the method name as underscores). A request that went out without
    /// an answer coming back is [`AlipayError::NoAnswer`]; one that never left (connection
    /// refused, or the connect time-out) is [`AlipayError::Unavailable`].
    async fn exchange(
        &self,
        method: &str,
        biz: &serde_json::Value,
        now: i64,
    ) -> Result<serde_json::Value, AlipayError> {
        let mut params = self.common(method, now);
        params.insert("biz_content".to_owned(), biz.to_string());
        self.sign_request(&mut params)?;
        let response = self
            .http
            .post(&self.gateway_url)
            .form(&params)
            .send()
            .await
            .map_err(|e| {
                // reqwest marks a refused connection and a connect time-out `is_connect`:
                // nothing reached the gateway. Anything later (the whole-request time-out, a
                // reset while waiting) may have come after the gateway acted.
                if e.is_connect() || e.is_builder() {
                    AlipayError::Unavailable(format!("{method}: {e}"))
                } else {
                    AlipayError::NoAnswer(format!("{method}: {e}"))
                }
            })?;
        let status = response.status();
        let body = response
            .text()
            .await
            .map_err(|e| AlipayError::NoAnswer(format!("{method}: {e}")))?;
        if !status.is_success() {
            return Err(AlipayError::Unavailable(format!("{method}: HTTP {status}")));
        }
        let key = format!("{}_response", method.replace('.', "_"));
        self.signed_answer(&body, &key)
    }

    /// The verified `<key>` object of a gateway answer `body`.
    fn signed_answer(&self, body: &str, key: &str) -> Result<serde_json::Value, AlipayError> {
        let envelope: BTreeMap<&str, &RawValue> = serde_json::from_str(body)
            .map_err(|e| AlipayError::Unavailable(format!("answer is not JSON: {e}")))?;
        let Some(raw) = envelope.get(key) else {
            // `error_response`: the gateway could not even route the call.
            return Err(AlipayError::Unavailable(format!(
                "answer without {key}: {}",
                body.chars().take(200).collect::<String>()
            )));
        };
        let signature: String = envelope
            .get("sign")
            .and_then(|s| serde_json::from_str(s.get()).ok())
            .ok_or(AlipayError::BadSignature)?;
        verify(&self.gateway_key, raw.get(), &signature)?;
        serde_json::from_str(raw.get())
            .map_err(|e| AlipayError::Unavailable(format!("{key} is not an object: {e}")))
    }
}

/// Reads a trade-query answer about `order_id`.
fn trade_state(
    answer: &serde_json::Value,
    order_id: &str,
    now: i64,
) -> Result<TradeState, AlipayError> {
    let text = |k: &str| {
        answer
            .get(k)
            .and_then(|v| v.as_str())
            .unwrap_or("")
            .to_owned()
    };
    let code = text("code");
    match code.as_str() {
        "10000" => {}
        "40004" if text("sub_code").ends_with("TRADE_NOT_EXIST") => {
            return Ok(TradeState::NotExist);
        }
        "20000" | "" => {
            return Err(AlipayError::Unavailable(format!(
                "trade query: {code} {}",
                text("sub_code")
            )));
        }
        _ => {
            return Err(AlipayError::Refused {
                code,
                sub_code: text("sub_code"),
                message: text("sub_msg"),
            });
        }
    }
    if text("out_trade_no") != order_id {
        return Err(AlipayError::Unavailable(
            "trade query answered about another order".to_owned(),
        ));
    }
    match text("trade_status").as_str() {
        "WAIT_BUYER_PAY" => Ok(TradeState::Waiting),
        "TRADE_CLOSED" => Ok(TradeState::Closed),
        "TRADE_SUCCESS" | "TRADE_FINISHED" => {
            let amount_fen =
                dadashop_types::money::parse_yuan(&text("total_amount")).ok_or_else(|| {
                    AlipayError::Unavailable("trade query: bad total_amount".to_owned())
                })?;
            let buyer = text("buyer_user_id");
            let trade_no = text("trade_no");
            if trade_no.is_empty() {
                return Err(AlipayError::Unavailable(
                    "trade query: paid without a trade_no".to_owned(),
                ));
            }
            Ok(TradeState::Paid(PaidTrade {
                order_id: order_id.to_owned(),
                trade_no,
                amount_fen,
                paid_at: parse_time(&text("send_pay_date")).unwrap_or(now),
                buyer_id: (!buyer.is_empty()).then_some(buyer),
            }))
        }
        other => Err(AlipayError::Unavailable(format!(
            "trade query: unknown trade_status {other:?}"
        ))),
    }
}

/// Reads a trade-close answer about `order_id`.
fn close_outcome(answer: &serde_json::Value, order_id: &str) -> Result<CloseOutcome, AlipayError> {
    let text = |k: &str| {
        answer
            .get(k)
            .and_then(|v| v.as_str())
            .unwrap_or("")
            .to_owned()
    };
    let (code, sub_code) = (text("code"), text("sub_code"));
    match (code.as_str(), sub_code.as_str()) {
        ("10000", _) => {
            let about = text("out_trade_no");
            if !about.is_empty() && about != order_id {
                return Err(AlipayError::Unavailable(
                    "trade close answered about another order".to_owned(),
                ));
            }
            Ok(CloseOutcome::Closed)
        }
        ("40004", "ACQ.TRADE_NOT_EXIST") => Ok(CloseOutcome::NotExist),
        (
            "40004",
            "ACQ.TRADE_STATUS_ERROR"
            | "ACQ.REASON_TRADE_STATUS_INVALID"
            | "ACQ.REASON_ILLEGAL_STATUS",
        ) => Ok(CloseOutcome::NotWaiting),
        ("20000" | "", _) | ("40004", "ACQ.SYSTEM_ERROR") => Err(AlipayError::Unavailable(
            format!("trade close: {code} {sub_code}"),
        )),
        _ => Err(AlipayError::Refused {
            code,
            sub_code,
            message: text("sub_msg"),
        }),
    }
}

/// The `biz_content` of `req`: `out_trade_no`, `refund_amount` ([`refund_amount`]),
/// `out_request_no` and, when given, `refund_reason` cut to [`REFUND_REASON_MAX_CHARS`].
///
/// # Errors
/// [`AlipayError::InvalidRequest`] for an amount under 1 fen or an `out_request_no` empty or
/// over [`OUT_REQUEST_NO_MAX_CHARS`] characters.
fn refund_biz(req: &RefundRequest<'_>) -> Result<serde_json::Value, AlipayError> {
    let amount = refund_amount(req.refund_amount_fen).ok_or_else(|| {
        AlipayError::InvalidRequest(format!("refund of {} fen", req.refund_amount_fen))
    })?;
    let number = req.out_request_no;
    if number.trim().is_empty() || number.chars().count() > OUT_REQUEST_NO_MAX_CHARS {
        return Err(AlipayError::InvalidRequest(format!(
            "out_request_no must be 1 to {OUT_REQUEST_NO_MAX_CHARS} characters"
        )));
    }
    let mut biz = serde_json::json!({
        "out_trade_no": req.order_id,
        "refund_amount": amount,
        "out_request_no": number,
    });
    if let Some(reason) = req.reason.map(str::trim).filter(|r| !r.is_empty()) {
        let reason: String = reason.chars().take(REFUND_REASON_MAX_CHARS).collect();
        biz["refund_reason"] = serde_json::Value::String(reason);
    }
    Ok(biz)
}

/// `refund_amount` for `fen`: yuan with exactly two decimals (`1230` → `"12.30"`, `5` →
/// `"0.05"`), as Alipay's `Price` type ("单位为元，支持两位小数"); `None` under 1 fen.
pub fn refund_amount(fen: i64) -> Option<String> {
    (fen > 0).then(|| dadashop_types::money::format_fen(fen))
}

/// A text field of an API answer; empty when absent or not a string.
fn answer_text(answer: &serde_json::Value, key: &str) -> String {
    answer
        .get(key)
        .and_then(|v| v.as_str())
        .unwrap_or("")
        .to_owned()
}

/// Reads a refund answer about `order_id`.
fn refund_outcome(
    answer: &serde_json::Value,
    order_id: &str,
) -> Result<RefundOutcome, AlipayError> {
    let text = |k: &str| answer_text(answer, k);
    let (code, sub_code) = (text("code"), text("sub_code"));
    match (code.as_str(), sub_code.as_str()) {
        ("10000", _) => {
            let about = text("out_trade_no");
            if !about.is_empty() && about != order_id {
                return Err(AlipayError::Unavailable(
                    "refund answered about another order".to_owned(),
                ));
            }
            let refund_fee_fen = dadashop_types::money::parse_yuan(&text("refund_fee"))
                .ok_or_else(|| {
                    AlipayError::Unavailable("refund: missing or bad refund_fee".to_owned())
                })?;
            Ok(RefundOutcome::Refunded {
                refund_fee_fen,
                gmt_refund_pay: parse_time(&text("gmt_refund_pay")),
                fund_change: text("fund_change") == "Y",
            })
        }
        ("20000" | "", _) | ("40004", "ACQ.SYSTEM_ERROR") => Err(AlipayError::Unavailable(
            format!("refund: {code} {sub_code}"),
        )),
        ("40004", _) => Ok(RefundOutcome::Refused {
            sub_code,
            sub_msg: text("sub_msg"),
        }),
        _ => Err(AlipayError::Refused {
            code,
            sub_code,
            message: text("sub_msg"),
        }),
    }
}

/// Reads a refund-query answer about refund `out_request_no` of `order_id`.
fn refund_state(
    answer: &serde_json::Value,
    order_id: &str,
    out_request_no: &str,
) -> Result<RefundState, AlipayError> {
    let text = |k: &str| answer_text(answer, k);
    let (code, sub_code) = (text("code"), text("sub_code"));
    match (code.as_str(), sub_code.as_str()) {
        ("10000", _) => {}
        ("40004", "ACQ.TRADE_NOT_EXIST") => return Ok(RefundState::NotRefunded),
        ("20000" | "", _) | ("40004", "ACQ.SYSTEM_ERROR") => {
            return Err(AlipayError::Unavailable(format!(
                "refund query: {code} {sub_code}"
            )));
        }
        _ => {
            return Err(AlipayError::Refused {
                code,
                sub_code,
                message: text("sub_msg"),
            });
        }
    }
    let (about_order, about_refund) = (text("out_trade_no"), text("out_request_no"));
    if (!about_order.is_empty() && about_order != order_id)
        || (!about_refund.is_empty() && about_refund != out_request_no)
    {
        return Err(AlipayError::Unavailable(
            "refund query answered about another refund".to_owned(),
        ));
    }
    let amount = text("refund_amount");
    let refunded = match text("refund_status").as_str() {
        "REFUND_SUCCESS" => true,
        // Answers from before `refund_status` existed tell a made refund by its amount.
        "" => !amount.is_empty(),
        other => {
            return Err(AlipayError::Unavailable(format!(
                "refund query: unknown refund_status {other:?}"
            )));
        }
    };
    if !refunded {
        return Ok(RefundState::NotRefunded);
    }
    let refund_amount_fen = dadashop_types::money::parse_yuan(&amount).ok_or_else(|| {
        AlipayError::Unavailable("refund query: missing or bad refund_amount".to_owned())
    })?;
    Ok(RefundState::Refunded {
        refund_amount_fen,
        gmt_refund_pay: parse_time(&text("gmt_refund_pay")),
    })
}

/// `timeout_express` for an order with `remaining_secs` left to pay: the whole minutes left,
/// rounded down (`"10m"` for 630 s), so that the trade never outlives the order; `None`
/// under [`MIN_PAY_SECS`] (Alipay's smallest value is `1m`).
pub fn timeout_express(remaining_secs: i64) -> Option<String> {
    (remaining_secs >= MIN_PAY_SECS).then(|| format!("{}m", remaining_secs / 60))
}

/// The paid trade a verified notification or return reports, when `trade_status` says paid
/// (`TRADE_SUCCESS` / `TRADE_FINISHED`); `None` for other statuses (`WAIT_BUYER_PAY`,
/// `TRADE_CLOSED`) and for the return redirect, which carries no status.
pub fn paid_trade(params: &BTreeMap<String, String>, now: i64) -> Option<PaidTrade> {
    let status = params.get("trade_status")?;
    if status != "TRADE_SUCCESS" && status != "TRADE_FINISHED" {
        return None;
    }
    Some(PaidTrade {
        order_id: params.get("out_trade_no")?.clone(),
        trade_no: params.get("trade_no").filter(|t| !t.is_empty())?.clone(),
        amount_fen: dadashop_types::money::parse_yuan(params.get("total_amount")?)?,
        paid_at: params
            .get("gmt_payment")
            .and_then(|t| parse_time(t))
            .unwrap_or(now),
        buyer_id: params.get("buyer_id").filter(|b| !b.is_empty()).cloned(),
    })
}

/// Parses a protocol timestamp ([`TIME_FORMAT`], China time) into Unix seconds.
pub fn parse_time(text: &str) -> Option<i64> {
    let naive = chrono::NaiveDateTime::parse_from_str(text.trim(), TIME_FORMAT).ok()?;
    Some(naive.and_utc().timestamp() - 8 * 3600)
}

/// The string RSA2 signs: `k=v` for every parameter with a non-empty value but `sign` (and
/// `sign_type` when `without_sign_type`, as for what the gateway sends), in key order,
/// joined with `&`, values as they are (not URL-encoded).
pub fn signing_string(params: &BTreeMap<String, String>, without_sign_type: bool) -> String {
    params
        .iter()
        .filter(|(k, v)| {
            !v.is_empty()
                && k.as_str() != "sign"
                && !(without_sign_type && k.as_str() == "sign_type")
        })
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

/// RSA2: the base64 SHA256withRSA (PKCS#1 v1.5) signature of `content` (UTF-8) by `key`.
///
/// # Errors
/// [`AlipayError::Config`] when the key cannot sign (too small for SHA-256).
pub fn sign(key: &PrivateKey, content: &str) -> Result<String, AlipayError> {
    let signature = key
        .pkcs1v15_sign::<Sha256>(content.as_bytes())
        .map_err(|e| AlipayError::Config(format!("cannot sign: {e}")))?;
    Ok(BASE64.encode(signature))
}

/// Checks a base64 RSA2 `signature` of `content` by `key`.
///
/// # Errors
/// [`AlipayError::BadSignature`] when it is not base64 or does not verify.
pub fn verify(key: &PublicKey, content: &str, signature: &str) -> Result<(), AlipayError> {
    // Form decoding may turn a `+` of the base64 text into a space; nothing else does.
    let cleaned: String = signature
        .chars()
        .filter(|c| !c.is_ascii_whitespace() || *c == ' ')
        .map(|c| if c == ' ' { '+' } else { c })
        .collect();
    let raw = BASE64
        .decode(cleaned.as_bytes())
        .map_err(|_| AlipayError::BadSignature)?;
    key.pkcs1v15_verify::<Sha256>(content.as_bytes(), &raw)
        .map_err(|_| AlipayError::BadSignature)
}

/// What a key setting holds: PEM text, bare base64 DER, or a path to a file of either.
fn key_text(value: &str) -> Result<String, String> {
    let value = value.trim();
    if value.starts_with("-----BEGIN") {
        return Ok(value.to_owned());
    }
    let looks_base64 = value.len() > 64
        && value.bytes().all(|b| {
            b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=' | b'\n' | b'\r' | b' ')
        });
    if looks_base64 && !Path::new(value).exists() {
        return Ok(value.to_owned());
    }
    std::fs::read_to_string(value)
        .map(|text| text.trim().to_owned())
        .map_err(|e| format!("neither a PEM key, a base64 key nor a readable file ({e})"))
}

fn der(text: &str) -> Result<Vec<u8>, String> {
    let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    BASE64
        .decode(compact)
        .map_err(|_| "not valid base64".to_owned())
}

/// Parses an RSA private key (PKCS#8 or PKCS#1; PEM, base64 DER or a file path).
///
/// # Errors
/// A message saying why, without the key.
pub fn private_key(value: &str) -> Result<PrivateKey, String> {
    let text = key_text(value)?;
    let parsed = if text.starts_with("-----BEGIN RSA PRIVATE KEY") {
        PrivateKey::from_pkcs1_pem(&text).map_err(|e| e.to_string())
    } else if text.starts_with("-----BEGIN") {
        PrivateKey::from_pkcs8_pem(&text).map_err(|e| e.to_string())
    } else {
        let der = der(&text)?;
        PrivateKey::from_pkcs8_der(&der)
            .or_else(|_| PrivateKey::from_pkcs1_der(&der))
            .map_err(|e| e.to_string())
    };
    parsed.map_err(|e| format!("not an RSA private key: {e}"))
}

/// Parses an RSA public key (SubjectPublicKeyInfo or PKCS#1; PEM, base64 DER or a file
/// path).
///
/// # Errors
/// A message saying why.
pub fn public_key(value: &str) -> Result<PublicKey, String> {
    let text = key_text(value)?;
    let parsed = if text.starts_with("-----BEGIN RSA PUBLIC KEY") {
        PublicKey::from_pkcs1_pem(&text).map_err(|e| e.to_string())
    } else if text.starts_with("-----BEGIN") {
        PublicKey::from_public_key_pem(&text).map_err(|e| e.to_string())
    } else {
        let der = der(&text)?;
        PublicKey::from_public_key_der(&der)
            .or_else(|_| PublicKey::from_pkcs1_der(&der))
            .map_err(|e| e.to_string())
    };
    parsed.map_err(|e| format!("not an RSA public key: {e}"))
}

/// Makes a 2048-bit app key pair for a new Alipay app (`dadashop alipay keygen`): the
/// private key as PKCS#8 PEM and the public key as SubjectPublicKeyInfo PEM (what the
/// Alipay console asks for, without its PEM lines).
///
/// # Errors
/// The system random source failed.
pub fn generate_key_pair() -> anyhow::Result<(String, String)> {
    use rsa::pkcs8::{EncodePrivateKey as _, EncodePublicKey as _, LineEnding};
    let key = PrivateKey::new(&mut getrandom::SysRng, 2048).map_err(|e| anyhow::anyhow!("{e}"))?;
    let private = key
        .to_pkcs8_pem(LineEnding::LF)
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .to_string();
    let public = key
        .to_public_key()
        .to_public_key_pem(LineEnding::LF)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok((private, public))
}

#[cfg(test)]
mod tests {
    use super::*;

    const APP_PRIVATE: &str = include_str!("../../fakes/tests/keys/app_private.pem");
    const APP_PUBLIC: &str = include_str!("../../fakes/tests/keys/app_public.pem");

    /// A page-pay request whose signature was computed independently:
    /// `printf '%s' "$STRING" | openssl dgst -sha256 -sign app_private.pem | base64 -w0`.
    const VECTOR_STRING: &str = r#"app_id=2021000000000001&biz_content={"out_trade_no":"2026113018300500000000701","total_amount":"88.00","subject":"达达商城订单 2026113018300500000000701","product_code":"FAST_INSTANT_TRADE_PAY","timeout_express":"29m"}&charset=utf-8&format=JSON&method=alipay.trade.page.pay&notify_url=https://api.shop.example/v1/orders/success/&return_url=https://shop.example/payment/result&sign_type=RSA2&timestamp=2026-11-30 18:30:05&version=1.0"#;
    const VECTOR_SIGNATURE: &str = "JYUWZ4W4De5wfLBZ2PCzX9sH4nqyUO1bn2wtiUB52VC/Kr3gSo5ImxA9QfHoaWPb1x0JyYgF18J8Vb9NcIQq4mh5jCHp+mtnuhFzt08FJxMt6N3fHfMNJAeE803kVGLmggNz27TpaHYNhyR8hXaHSh3MhVQ/EbqBEuwQboQTlFoye+fp1fEzxCGj0tu+fr9XrEvNylpxQFKV2AG1FKHUqC0TPUlxgdmtBtRK6Zsr8uYDssMcBuOFet/2XPGG3Rhk7ngvYUlOqT1qloh1jgYm3QJ8OzoP13SfmrR8Tk5Qthe+HaEcWTyMrbdHbnAWDNhB+qM7Z1bcSLN/SKXhi7+8Ng==";

    fn vector_params() -> BTreeMap<String, String> {
        let mut params: BTreeMap<String, String> = VECTOR_STRING
            .split('&')
            .map(|pair| {
                let (k, v) = pair.split_once('=').expect("k=v");
                (k.to_owned(), v.to_owned())
            })
            .collect();
        // Empty values and `sign` never take part.
        params.insert("alipay_sdk".to_owned(), String::new());
        params.insert("sign".to_owned(), "anything".to_owned());
        params
    }

    #[test]
    fn signing_matches_an_independent_openssl_vector() {
        let params = vector_params();
        assert_eq!(signing_string(&params, false), VECTOR_STRING);
        let key = private_key(APP_PRIVATE).expect("app key");
        assert_eq!(sign(&key, VECTOR_STRING).expect("signs"), VECTOR_SIGNATURE);
        let public = public_key(APP_PUBLIC).expect("public key");
        assert!(verify(&public, VECTOR_STRING, VECTOR_SIGNATURE).is_ok());
        // A `+` turned into a space by form decoding still verifies; a changed text does not.
        assert!(verify(&public, VECTOR_STRING, &VECTOR_SIGNATURE.replace('+', " ")).is_ok());
        let tampered = VECTOR_STRING.replace("88.00", "0.01");
        assert!(verify(&public, &tampered, VECTOR_SIGNATURE).is_err());
    }

    #[test]
    fn what_the_gateway_sends_is_signed_without_sign_type() {
        let params = vector_params();
        let text = signing_string(&params, true);
        assert!(!text.contains("sign_type"));
        assert!(text.ends_with("&version=1.0"));
    }

    #[test]
    fn keys_are_read_from_pem_bare_base64_or_a_file() {
        let body: String = APP_PRIVATE
            .lines()
            .filter(|l| !l.starts_with("-----"))
            .collect();
        assert!(private_key(&body).is_ok(), "bare base64 PKCS#8");
        let public_body: String = APP_PUBLIC
            .lines()
            .filter(|l| !l.starts_with("-----"))
            .collect();
        assert!(public_key(&public_body).is_ok(), "bare base64 SPKI");
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../fakes/tests/keys/app_public.pem"
        );
        assert!(public_key(path).is_ok(), "a path");
        let err = private_key("/no/such/key.pem").expect_err("missing file");
        assert!(!err.contains("BEGIN"));
        assert!(
            public_key(APP_PRIVATE).is_err(),
            "a private key is no public key"
        );
    }

    #[test]
    fn timeout_express_is_the_whole_minutes_left_and_none_under_one() {
        for (secs, expected) in [
            (630, Some("10m")),
            (1800, Some("30m")),
            (1799, Some("29m")),
            (60, Some("1m")),
            (119, Some("1m")),
            (59, None),
            (0, None),
            (-5, None),
        ] {
            assert_eq!(timeout_express(secs).as_deref(), expected, "{secs} s");
        }
    }

    #[test]
    fn close_answers_map_to_outcomes_or_errors() {
        let id = "2026113018300500000000701";
        let answer = |pairs: &[(&str, &str)]| {
            serde_json::Value::Object(
                pairs
                    .iter()
                    .map(|(k, v)| ((*k).to_owned(), serde_json::Value::from(*v)))
                    .collect(),
            )
        };
        for (pairs, expected, why) in [
            (
                vec![("code", "10000"), ("out_trade_no", id)],
                Some(CloseOutcome::Closed),
                "closed",
            ),
            (
                vec![("code", "40004"), ("sub_code", "ACQ.TRADE_NOT_EXIST")],
                Some(CloseOutcome::NotExist),
                "never opened",
            ),
            (
                vec![("code", "40004"), ("sub_code", "ACQ.TRADE_STATUS_ERROR")],
                Some(CloseOutcome::NotWaiting),
                "paid or closed",
            ),
            (
                vec![
                    ("code", "40004"),
                    ("sub_code", "ACQ.REASON_TRADE_STATUS_INVALID"),
                ],
                Some(CloseOutcome::NotWaiting),
                "paid or closed (newer code)",
            ),
        ] {
            assert_eq!(close_outcome(&answer(&pairs), id).ok(), expected, "{why}");
        }
        for (pairs, why) in [
            (
                vec![("code", "20000"), ("sub_code", "aop.ACQ.SYSTEM_ERROR")],
                "20000",
            ),
            (
                vec![("code", "40004"), ("sub_code", "ACQ.SYSTEM_ERROR")],
                "system error",
            ),
            (vec![], "no code"),
            (
                vec![("code", "10000"), ("out_trade_no", "1")],
                "about another order",
            ),
        ] {
            assert!(
                matches!(
                    close_outcome(&answer(&pairs), id),
                    Err(AlipayError::Unavailable(_))
                ),
                "{why}: try again later"
            );
        }
        let refused = answer(&[
            ("code", "40002"),
            ("sub_code", "isv.invalid-signature"),
            ("sub_msg", "验签出错"),
        ]);
        assert!(matches!(
            close_outcome(&refused, id),
            Err(AlipayError::Refused { sub_code, .. }) if sub_code == "isv.invalid-signature"
        ));
    }

    fn refund_request<'a>(
        amount: i64,
        number: &'a str,
        reason: Option<&'a str>,
    ) -> RefundRequest<'a> {
        RefundRequest {
            order_id: "2026113018300500000000701",
            refund_amount_fen: amount,
            out_request_no: number,
            reason,
        }
    }

    #[test]
    fn refund_amounts_are_yuan_with_exactly_two_decimals() {
        for (fen, expected) in [
            (1230, Some("12.30")),
            (8800, Some("88.00")),
            (5, Some("0.05")),
            (1, Some("0.01")),
            (10_000_000_000, Some("100000000.00")),
            (0, None),
            (-100, None),
        ] {
            assert_eq!(refund_amount(fen).as_deref(), expected, "{fen} fen");
        }
    }

    #[test]
    fn the_refund_biz_content_names_the_order_amount_number_and_reason() {
        let biz = refund_biz(&refund_request(
            1230,
            "R2026113018300500000000701",
            Some("缺货"),
        ))
        .expect("a valid request");
        assert_eq!(
            biz,
            serde_json::json!({
                "out_trade_no": "2026113018300500000000701",
                "refund_amount": "12.30",
                "out_request_no": "R2026113018300500000000701",
                "refund_reason": "缺货",
            })
        );
        for reason in [None, Some(""), Some("  ")] {
            let biz = refund_biz(&refund_request(1230, "R1", reason)).expect("valid");
            assert!(biz.get("refund_reason").is_none(), "{reason:?} is left out");
        }
        let long = "退".repeat(REFUND_REASON_MAX_CHARS + 10);
        let biz = refund_biz(&refund_request(1230, "R1", Some(&long))).expect("valid");
        assert_eq!(
            biz["refund_reason"].as_str().map(|r| r.chars().count()),
            Some(REFUND_REASON_MAX_CHARS),
            "a long reason is cut"
        );
        let longest = "9".repeat(OUT_REQUEST_NO_MAX_CHARS);
        assert!(refund_biz(&refund_request(1, &longest, None)).is_ok());
        let too_long = "9".repeat(OUT_REQUEST_NO_MAX_CHARS + 1);
        for (request, why) in [
            (refund_request(0, "R1", None), "no money"),
            (refund_request(-1230, "R1", None), "a negative amount"),
            (refund_request(1230, "", None), "no number"),
            (refund_request(1230, " ", None), "a blank number"),
            (
                refund_request(1230, &too_long, None),
                "a number over 64 characters",
            ),
        ] {
            assert!(
                matches!(refund_biz(&request), Err(AlipayError::InvalidRequest(_))),
                "{why} is never sent"
            );
        }
    }

    /// A response object of text fields.
    fn answer(pairs: &[(&str, &str)]) -> serde_json::Value {
        serde_json::Value::Object(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), serde_json::Value::from(*v)))
                .collect(),
        )
    }

    #[test]
    fn refund_answers_map_to_outcomes_or_errors() {
        let id = "2026113018300500000000701";
        let made = answer(&[
            ("code", "10000"),
            ("msg", "Success"),
            ("out_trade_no", id),
            ("trade_no", "2026113022001400000000001"),
            ("fund_change", "Y"),
            ("refund_fee", "12.30"),
            ("gmt_refund_pay", "1970-01-01 08:01:00"),
        ]);
        assert_eq!(
            refund_outcome(&made, id).ok(),
            Some(RefundOutcome::Refunded {
                refund_fee_fen: 1230,
                gmt_refund_pay: Some(60),
                fund_change: true,
            })
        );
        let repeated = answer(&[
            ("code", "10000"),
            ("out_trade_no", id),
            ("fund_change", "N"),
            ("refund_fee", "88.00"),
        ]);
        assert_eq!(
            refund_outcome(&repeated, id).ok(),
            Some(RefundOutcome::Refunded {
                refund_fee_fen: 8800,
                gmt_refund_pay: None,
                fund_change: false,
            }),
            "a repeat that moved nothing is still a success"
        );
        for sub_code in [
            "ACQ.TRADE_NOT_EXIST",
            "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL",
            "ACQ.TRADE_STATUS_ERROR",
            "ACQ.SELLER_BALANCE_NOT_ENOUGH",
        ] {
            let refused = answer(&[
                ("code", "40004"),
                ("msg", "Business Failed"),
                ("sub_code", sub_code),
                ("sub_msg", "理由"),
            ]);
            assert_eq!(
                refund_outcome(&refused, id).ok(),
                Some(RefundOutcome::Refused {
                    sub_code: sub_code.to_owned(),
                    sub_msg: "理由".to_owned(),
                }),
                "{sub_code}"
            );
        }
        for (pairs, why) in [
            (
                vec![("code", "20000"), ("sub_code", "aop.ACQ.SYSTEM_ERROR")],
                "20000",
            ),
            (
                vec![("code", "40004"), ("sub_code", "ACQ.SYSTEM_ERROR")],
                "system error: the same request may be sent again",
            ),
            (vec![], "no code"),
            (
                vec![
                    ("code", "10000"),
                    ("out_trade_no", "1"),
                    ("refund_fee", "1.00"),
                ],
                "about another order",
            ),
            (
                vec![("code", "10000"), ("out_trade_no", id)],
                "success without refund_fee",
            ),
        ] {
            assert!(
                matches!(
                    refund_outcome(&answer(&pairs), id),
                    Err(AlipayError::Unavailable(_))
                ),
                "{why}: unknown, ask again"
            );
        }
        let refused = answer(&[("code", "40002"), ("sub_code", "isv.invalid-signature")]);
        assert!(matches!(
            refund_outcome(&refused, id),
            Err(AlipayError::Refused { code, .. }) if code == "40002"
        ));
    }

    #[test]
    fn refund_query_answers_tell_whether_the_refund_was_made() {
        let (id, number) = ("2026113018300500000000701", "R1");
        let about = [
            ("code", "10000"),
            ("out_trade_no", id),
            ("out_request_no", number),
        ];
        let with = |extra: &[(&'static str, &'static str)]| {
            answer(&about.iter().chain(extra).copied().collect::<Vec<_>>())
        };
        for (pairs, expected, why) in [
            (
                vec![
                    ("refund_status", "REFUND_SUCCESS"),
                    ("refund_amount", "12.30"),
                    ("gmt_refund_pay", "1970-01-01 08:01:00"),
                ],
                RefundState::Refunded {
                    refund_amount_fen: 1230,
                    gmt_refund_pay: Some(60),
                },
                "REFUND_SUCCESS",
            ),
            (
                vec![("refund_amount", "12.30")],
                RefundState::Refunded {
                    refund_amount_fen: 1230,
                    gmt_refund_pay: None,
                },
                "an older answer with only the amount",
            ),
            (vec![], RefundState::NotRefunded, "neither field"),
        ] {
            assert_eq!(
                refund_state(&with(&pairs), id, number).ok(),
                Some(expected),
                "{why}"
            );
        }
        let no_trade = answer(&[("code", "40004"), ("sub_code", "ACQ.TRADE_NOT_EXIST")]);
        assert_eq!(
            refund_state(&no_trade, id, number).ok(),
            Some(RefundState::NotRefunded)
        );
        for (value, why) in [
            (
                with(&[("refund_status", "REFUND_PROCESSING")]),
                "an unknown status",
            ),
            (
                with(&[("refund_status", "REFUND_SUCCESS")]),
                "success without an amount",
            ),
            (
                answer(&[
                    ("code", "10000"),
                    ("out_trade_no", id),
                    ("out_request_no", "R2"),
                    ("refund_status", "REFUND_SUCCESS"),
                    ("refund_amount", "1.00"),
                ]),
                "about another refund",
            ),
            (answer(&[("code", "20000")]), "20000"),
        ] {
            assert!(
                matches!(
                    refund_state(&value, id, number),
                    Err(AlipayError::Unavailable(_))
                ),
                "{why}"
            );
        }
    }

    /// A client of the committed test app key, pointed at `gateway_url`, whose answers verify
    /// with `gateway_public` (PEM), giving up after `timeout_secs`.
    fn test_client(gateway_url: &str, gateway_public: &str, timeout_secs: u64) -> AlipayClient {
        AlipayClient {
            http: crate::outbound::client(timeout_secs).expect("an HTTP client"),
            app_id: "2021000000000001".to_owned(),
            gateway_url: gateway_url.to_owned(),
            notify_url: String::new(),
            return_url: String::new(),
            app_key: private_key(APP_PRIVATE).expect("app key"),
            gateway_key: public_key(gateway_public).expect("gateway key"),
        }
    }

    #[test]
    fn a_refund_answer_verifies_over_its_raw_text() {
        // The test app key stands in for the gateway's here.
        let client = test_client("http://127.0.0.1:9/gateway.do", APP_PUBLIC, 1);
        let key = private_key(APP_PRIVATE).expect("key");
        let raw = r#"{"code":"10000","msg":"Success","out_trade_no":"1","fund_change":"Y","refund_fee":"0.01"}"#;
        let signature = sign(&key, raw).expect("signs");
        let body = format!(r#"{{"alipay_trade_refund_response":{raw},"sign":"{signature}"}}"#);
        let object = client
            .signed_answer(&body, "alipay_trade_refund_response")
            .expect("verifies");
        assert_eq!(
            refund_outcome(&object, "1").ok(),
            Some(RefundOutcome::Refunded {
                refund_fee_fen: 1,
                gmt_refund_pay: None,
                fund_change: true,
            })
        );
        // Re-serialised (a space added) the text no longer verifies.
        let reformatted = body.replacen(r#""code":"#, r#""code": "#, 1);
        assert!(matches!(
            client.signed_answer(&reformatted, "alipay_trade_refund_response"),
            Err(AlipayError::BadSignature)
        ));
    }

    /// The fake gateway with the committed keys, holding a lost answer for `hold`.
    async fn fake_gateway(hold: std::time::Duration) -> dadashop_fakes::alipay::FakeAlipay {
        let keys = concat!(env!("CARGO_MANIFEST_DIR"), "/../fakes/tests/keys");
        let read = |name: &str| {
            std::fs::read_to_string(format!("{keys}/{name}.pem")).expect("a committed test key")
        };
        dadashop_fakes::alipay::FakeAlipay::start(
            "127.0.0.1:0".parse().expect("addr"),
            dadashop_fakes::alipay::Config {
                app_public_key: read("app_public"),
                gateway_private_key: Some(read("gateway_private")),
                lost_answer_hold: hold,
                ..dadashop_fakes::alipay::Config::default()
            },
        )
        .await
        .expect("the fake starts")
    }

    #[tokio::test]
    async fn refunds_against_the_fake_gateway_pay_once_per_request_number() {
        let fake = fake_gateway(std::time::Duration::from_secs(30)).await;
        let gateway_public = fake.gateway_public_key_pem();
        let client = test_client(&fake.gateway_url(), &gateway_public, 1);
        let id = "2026113018300500000000701";
        let now = chrono::Utc::now().timestamp();
        let pay = client
            .page_pay_url(
                &PayRequest {
                    order_id: id,
                    amount_fen: 8800,
                    subject: "达达商城订单",
                    remaining_secs: 1800,
                },
                now,
            )
            .expect("a pay URL");
        reqwest::get(&pay).await.expect("the cashier opens");
        fake.pay(id).expect("paid");

        let first = refund_request(3000, "R1", Some("缺货"));
        let made = client.refund(&first, now).await.expect("an answer");
        assert!(
            matches!(
                made,
                RefundOutcome::Refunded {
                    refund_fee_fen: 3000,
                    fund_change: true,
                    gmt_refund_pay: Some(_)
                }
            ),
            "{made:?}"
        );
        let again = client.refund(&first, now).await.expect("an answer");
        assert!(
            matches!(
                again,
                RefundOutcome::Refunded {
                    refund_fee_fen: 3000,
                    fund_change: false,
                    ..
                }
            ),
            "a repeat moves nothing: {again:?}"
        );
        let too_much = client
            .refund(&refund_request(6000, "R2", None), now)
            .await
            .expect("an answer");
        assert!(matches!(
            too_much,
            RefundOutcome::Refused { ref sub_code, .. } if sub_code == "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL"
        ));

        // The answer is lost: the client says so, and the query finds the refund made.
        fake.set(dadashop_fakes::alipay::Switches {
            refund_lost_next: 1,
            ..Default::default()
        });
        let lost = client.refund(&refund_request(5800, "R2", None), now).await;
        assert!(matches!(lost, Err(AlipayError::NoAnswer(_))), "{lost:?}");
        assert_eq!(
            client.refund_query(id, "R2", now).await.expect("an answer"),
            RefundState::Refunded {
                refund_amount_fen: 5800,
                gmt_refund_pay: fake
                    .refunds(id)
                    .get(1)
                    .and_then(|r| parse_time(&r.gmt_refund_pay)),
            }
        );
        assert_eq!(
            client.refund_query(id, "R3", now).await.expect("an answer"),
            RefundState::NotRefunded
        );
        assert_eq!(fake.refunded_fen(id), 8800, "each number paid once");
        assert_eq!(fake.refunds(id).len(), 2);
        assert_eq!(
            client.query(id, now).await.expect("an answer"),
            TradeState::Closed,
            "a fully refunded trade is closed"
        );

        // A system error refunds nothing and is no refusal.
        fake.set(dadashop_fakes::alipay::Switches {
            refund_error_next: 1,
            ..Default::default()
        });
        let failed = client.refund(&refund_request(100, "R4", None), now).await;
        assert!(
            matches!(failed, Err(AlipayError::Unavailable(_))),
            "{failed:?}"
        );
    }

    #[tokio::test]
    async fn a_gateway_that_cannot_be_reached_is_unavailable_not_a_lost_answer() {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let client = test_client(
            &format!("http://127.0.0.1:{port}/gateway.do"),
            APP_PUBLIC,
            1,
        );
        let refused = client.refund(&refund_request(100, "R1", None), 0).await;
        assert!(
            matches!(refused, Err(AlipayError::Unavailable(_))),
            "{refused:?}"
        );
    }

    #[test]
    fn protocol_times_are_china_time() {
        assert_eq!(parse_time("1970-01-01 08:00:01"), Some(1));
        assert_eq!(parse_time("2026-13-01 00:00:00"), None);
    }

    #[test]
    fn a_paid_notification_becomes_a_trade_and_other_statuses_do_not() {
        let mut params: BTreeMap<String, String> = [
            ("out_trade_no", "2026113018300500000000701"),
            ("trade_no", "2026113022001400000000001"),
            ("total_amount", "88.00"),
            ("trade_status", "TRADE_SUCCESS"),
            ("gmt_payment", "1970-01-01 08:01:00"),
            ("buyer_id", "2088000000000002"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        let trade = paid_trade(&params, 5).expect("paid");
        assert_eq!(trade.amount_fen, 8800);
        assert_eq!(trade.paid_at, 60);
        params.insert("trade_status".into(), "WAIT_BUYER_PAY".into());
        assert!(paid_trade(&params, 5).is_none());
        params.insert("trade_status".into(), "TRADE_FINISHED".into());
        params.insert("total_amount".into(), "88.001".into());
        assert!(paid_trade(&params, 5).is_none(), "a bad amount is no trade");
    }
}
