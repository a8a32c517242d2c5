//! The Alipay client: signed `alipay.trade.page.pay` URLs, verification of what the gateway
//! sends (the return redirect, the asynchronous notification, API answers),
//! `alipay.trade.query` and `alipay.trade.close`, over HTTP with reqwest.
//!
//! Protocol (Alipay open platform, "签名" / "验签" and the page-pay, trade-query and
//! trade-close references):
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

    /// Calls the API `method` with `biz` as `biz_content` at `now` (Unix seconds): the signed
    /// request form POSTed to the gateway, and the verified `<method>_response` object of
    /// the answer (dots of the method name as underscores).
    async fn call(
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
            .map_err(|e| AlipayError::Unavailable(format!("{method}: {e}")))?;
        let status = response.status();
        let body = response
            .text()
            .await
            .map_err(|e| AlipayError::Unavailable(format!("{method}: {e}")))?;
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
