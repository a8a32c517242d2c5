//! A local stand-in for Ronglian's (容联云) template SMS endpoint, speaking its REST API
//! (version 2013-12-26) for development (`fake-sms`) and for the shop's tests. It records
//! every message it accepts, so tests and the Playwright suite read codes from what was
//! really sent.
//!
//! - `POST /2013-12-26/Accounts/{accountSid}/SMS/TemplateSMS?sig=...`: checks what Ronglian
//!   checks (the account, `sig = UPPER(MD5(accountSid + authToken + timestamp))`,
//!   `Authorization = Base64(accountSid:timestamp)`, a JSON body `{to, appId, templateId,
//!   datas}` with the configured app) and answers Ronglian's JSON:
//!   `{"statusCode":"000000","templateSMS":{"smsMessageSid","dateCreated"}}`, or a non-zero
//!   `statusCode` with a `statusMsg` (the fake's codes: 111100 bad account, 111101 bad
//!   signature or header, 111102 bad body, 111103 unknown app, 160000 switched to fail).
//! - `GET /_fake/messages[?to=<phone>]`: the accepted messages, oldest first.
//! - `GET` / `POST /_fake/switches` (JSON [`Switches`]): fail the next N requests, answer
//!   HTTP 500, or be slow, to exercise the shop's retries and time-outs.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use md5::{Digest, Md5};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// The Ronglian account the fake accepts.
#[derive(Debug, Clone)]
pub struct Config {
    pub account_sid: String,
    pub auth_token: String,
    pub app_id: String,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            account_sid: "8aaf0708dev0000000000000000000001".to_owned(),
            auth_token: "dev-ronglian-auth-token".to_owned(),
            app_id: "8aaf0708dev0000000000000000000002".to_owned(),
        }
    }
}

/// One accepted message.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SentSms {
    pub to: String,
    #[serde(rename = "appId")]
    pub app_id: String,
    #[serde(rename = "templateId")]
    pub template_id: String,
    /// The template's parameters: for the shop, the code and its lifetime in minutes.
    pub datas: Vec<String>,
    /// Unix milliseconds when it was accepted.
    pub at_ms: u64,
}

/// How the fake misbehaves; all off by default.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Switches {
    /// Answer the next this many requests with statusCode 160000 (counts down).
    pub fail_next: u32,
    /// Answer every request with HTTP 500 and a non-JSON body.
    pub http_500: bool,
    /// Wait this long before answering, in milliseconds.
    pub delay_ms: u64,
}

#[derive(Debug, Default)]
struct Books {
    messages: Vec<SentSms>,
    switches: Switches,
    requests: u64,
}

#[derive(Debug)]
struct Inner {
    config: Config,
    books: Mutex<Books>,
}

impl Inner {
    fn books(&self) -> MutexGuard<'_, Books> {
        self.books.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A running fake; dropping it does not stop the server (it lives as long as the runtime).
#[derive(Debug, Clone)]
pub struct FakeSms {
    addr: SocketAddr,
    inner: Arc<Inner>,
}

impl FakeSms {
    /// Listens on `addr` (port 0 for any) and serves in the background.
    pub async fn start(addr: SocketAddr, config: Config) -> anyhow::Result<Self> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let inner = Arc::new(Inner {
            config,
            books: Mutex::default(),
        });
        let app = Router::new()
            .route(
                "/2013-12-26/Accounts/{sid}/SMS/TemplateSMS",
                post(template_sms),
            )
            .route("/_fake/messages", get(messages))
            .route("/_fake/switches", get(get_switches).post(set_switches))
            .with_state(inner.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(Self { addr, inner })
    }

    /// The base URL to give the shop as `RONGLIAN_BASE_URL`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The account the fake accepts.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// Every accepted message, oldest first.
    pub fn messages(&self) -> Vec<SentSms> {
        self.inner.books().messages.clone()
    }

    /// The accepted messages to `phone`, oldest first.
    pub fn messages_to(&self, phone: &str) -> Vec<SentSms> {
        self.messages()
            .into_iter()
            .filter(|m| m.to == phone)
            .collect()
    }

    /// Requests received, accepted or not.
    pub fn requests(&self) -> u64 {
        self.inner.books().requests
    }

    /// Changes how the fake misbehaves.
    pub fn set(&self, switches: Switches) {
        self.inner.books().switches = switches;
    }
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

fn refuse(code: &str, message: &str) -> Response {
    Json(json!({"statusCode": code, "statusMsg": message})).into_response()
}

#[derive(Debug, Deserialize)]
struct SigQuery {
    sig: Option<String>,
}

/// `UPPER(MD5(accountSid + authToken + timestamp))`.
pub fn signature(account_sid: &str, auth_token: &str, timestamp: &str) -> String {
    hex::encode_upper(Md5::digest(
        format!("{account_sid}{auth_token}{timestamp}").as_bytes(),
    ))
}

async fn template_sms(
    State(inner): State<Arc<Inner>>,
    Path(sid): Path<String>,
    Query(query): Query<SigQuery>,
    headers: HeaderMap,
    body: String,
) -> Response {
    let switches = {
        let mut books = inner.books();
        books.requests += 1;
        let switches = books.switches.clone();
        if books.switches.fail_next > 0 {
            books.switches.fail_next -= 1;
        }
        switches
    };
    if switches.delay_ms > 0 {
        tokio::time::sleep(Duration::from_millis(switches.delay_ms)).await;
    }
    if switches.http_500 {
        return (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response();
    }
    let config = &inner.config;
    if sid != config.account_sid {
        return refuse("111100", "主账户不存在");
    }
    // Authorization: Base64(accountSid:timestamp), the timestamp being 14 digits.
    let auth = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| STANDARD.decode(v).ok())
        .and_then(|v| String::from_utf8(v).ok());
    let Some((auth_sid, timestamp)) = auth.as_deref().and_then(|a| a.split_once(':')) else {
        return refuse("111101", "Authorization 头格式错误");
    };
    if auth_sid != config.account_sid
        || timestamp.len() != 14
        || !timestamp.bytes().all(|b| b.is_ascii_digit())
    {
        return refuse("111101", "Authorization 头内容错误");
    }
    let expected = signature(&config.account_sid, &config.auth_token, timestamp);
    if query.sig.as_deref() != Some(expected.as_str()) {
        return refuse("111101", "sig 校验失败");
    }
    let json_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    let Ok(Value::Object(body)) = serde_json::from_str::<Value>(&body) else {
        return refuse("111102", "请求包体不是 JSON");
    };
    let text = |k: &str| body.get(k).and_then(Value::as_str).map(str::to_owned);
    let (Some(to), Some(app_id), Some(template_id)) =
        (text("to"), text("appId"), text("templateId"))
    else {
        return refuse("111102", "缺少 to、appId 或 templateId");
    };
    let datas: Option<Vec<String>> = body.get("datas").and_then(Value::as_array).map(|a| {
        a.iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect()
    });
    let Some(datas) = datas else {
        return refuse("111102", "datas 必须是字符串数组");
    };
    if !json_type {
        return refuse("111102", "Content-Type 必须是 application/json");
    }
    if app_id != config.app_id {
        return refuse("111103", "应用不存在");
    }
    if switches.fail_next > 0 {
        return refuse("160000", "系统错误（模拟）");
    }
    let at_ms = now_ms();
    inner.books().messages.push(SentSms {
        to,
        app_id,
        template_id,
        datas,
        at_ms,
    });
    Json(json!({
        "statusCode": "000000",
        "templateSMS": {"smsMessageSid": format!("fake{at_ms}"), "dateCreated": timestamp},
    }))
    .into_response()
}

#[derive(Debug, Deserialize)]
struct MessagesQuery {
    to: Option<String>,
}

async fn messages(
    State(inner): State<Arc<Inner>>,
    Query(query): Query<MessagesQuery>,
) -> Json<Vec<SentSms>> {
    let all = inner.books().messages.clone();
    Json(match query.to {
        Some(to) => all.into_iter().filter(|m| m.to == to).collect(),
        None => all,
    })
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
