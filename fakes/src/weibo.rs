//! A local stand-in for Weibo's OAuth 2.0 endpoints, speaking the same protocol as
//! `api.weibo.com`, for development (`fake-weibo`) and for the shop's tests.
//!
//! - `GET /oauth2/authorize?client_id&redirect_uri&response_type=code&state`: a page listing
//!   the test Weibo users, each with a 授权 button; `POST /oauth2/authorize` redirects to
//!   `redirect_uri?code=...&state=...`.
//! - `POST /oauth2/access_token` (form `client_id, client_secret,
//!   grant_type=authorization_code, code, redirect_uri`): `{access_token, remind_in,
//!   expires_in, uid, isRealName}` with `uid` and `remind_in` as strings and `expires_in` as a
//!   number, as Weibo sends them. Codes are single use and expire ([`Config::code_ttl`]).
//!   Errors are Weibo's JSON: `{error, error_code, request, error_uri, error_description}`
//!   with HTTP 400 (21323 invalid_request, 21324 invalid_client, 21325 invalid_grant,
//!   21322 redirect_uri_mismatch).
//! - `POST /oauth2/get_token_info` (form `access_token`): `{uid, appkey, scope, create_at,
//!   expire_in}` with numbers (21332 for an unknown token).
//! - `GET /2/users/show.json?access_token&uid`: `{id, idstr, screen_name, name,
//!   profile_image_url, avatar_large}`.
//! - `GET` / `POST /_fake/switches` (JSON [`Switches`]): make the token endpoint fail or be
//!   slow, or make `get_token_info` name another app.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::extract::{Form, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use serde_json::json;

/// A Weibo account that the fake knows.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FakeUser {
    /// Digits, as Weibo uids are.
    pub uid: String,
    /// The `screen_name`.
    pub screen_name: String,
}

/// The registered app and the accounts.
#[derive(Debug, Clone)]
pub struct Config {
    /// The app key (`client_id`).
    pub client_id: String,
    /// The app secret.
    pub client_secret: String,
    /// The registered callback URIs; empty accepts any http(s) URI.
    pub redirect_uris: Vec<String>,
    /// The accounts listed on the authorize page.
    pub users: Vec<FakeUser>,
    /// How long an authorization code is valid (Weibo: a few minutes).
    pub code_ttl: Duration,
    /// How long an access token is valid, in seconds.
    pub token_ttl_secs: u64,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            client_id: "3825791046".to_owned(),
            client_secret: "dev-weibo-app-secret".to_owned(),
            redirect_uris: Vec::new(),
            users: vec![
                FakeUser {
                    uid: "1004917260".to_owned(),
                    screen_name: "达达测试一号".to_owned(),
                },
                FakeUser {
                    uid: "1004917261".to_owned(),
                    screen_name: "旅行箱爱好者".to_owned(),
                },
                FakeUser {
                    uid: "1004917262".to_owned(),
                    screen_name: "背包客小王".to_owned(),
                },
            ],
            code_ttl: Duration::from_secs(300),
            token_ttl_secs: 157_679_999,
        }
    }
}

/// Ways to make the fake misbehave, set with `POST /_fake/switches` or [`FakeWeibo::set`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Switches {
    /// The token endpoint answers with this Weibo error (`invalid_grant`, `invalid_client`,
    /// ...) instead of a token.
    pub token_error: Option<String>,
    /// The token endpoint answers HTTP 500 with an HTML page.
    pub token_http_500: bool,
    /// Milliseconds every API endpoint waits before answering (time-out tests).
    pub delay_ms: u64,
    /// `get_token_info` names another app's key.
    pub wrong_appkey: bool,
    /// `2/users/show.json` fails.
    pub profile_error: bool,
}

#[derive(Debug)]
struct Grant {
    uid: String,
    client_id: String,
    redirect_uri: String,
    expires: Instant,
}

#[derive(Debug)]
struct Issued {
    uid: String,
    created_at: u64,
}

#[derive(Debug, Default)]
struct Books {
    codes: HashMap<String, Grant>,
    tokens: HashMap<String, Issued>,
    switches: Switches,
    token_requests: u64,
}

#[derive(Debug)]
struct Inner {
    config: Config,
    /// `http://<addr>`, for the avatar URLs.
    base: String,
    books: Mutex<Books>,
}

impl Inner {
    fn books(&self) -> MutexGuard<'_, Books> {
        self.books.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A running fake; dropping it does not stop the server (it lives as long as the runtime).
#[derive(Debug, Clone)]
pub struct FakeWeibo {
    addr: SocketAddr,
    inner: Arc<Inner>,
}

impl FakeWeibo {
    /// Starts the fake on `addr` (port 0 picks a free port) in the current Tokio runtime.
    ///
    /// # Errors
    /// The address cannot be bound.
    pub async fn start(addr: SocketAddr, config: Config) -> anyhow::Result<Self> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let inner = Arc::new(Inner {
            config,
            base: format!("http://{addr}"),
            books: Mutex::new(Books::default()),
        });
        let app = router(inner.clone());
        tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, app).await {
                eprintln!("fake weibo stopped: {e}");
            }
        });
        Ok(Self { addr, inner })
    }

    /// `http://127.0.0.1:<port>`: the base of every endpoint.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The app configuration.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// Replaces the switches.
    pub fn set(&self, switches: Switches) {
        self.inner.books().switches = switches;
    }

    /// Issues a code for `uid` as if the user had pressed 授权 for `redirect_uri` (what the
    /// browser would carry back to the callback).
    pub fn authorize(&self, uid: &str, redirect_uri: &str) -> String {
        issue_code(&self.inner, uid, redirect_uri)
    }

    /// How many requests reached the token endpoint.
    pub fn token_requests(&self) -> u64 {
        self.inner.books().token_requests
    }
}

/// The fake's routes over `inner`.
fn router(inner: Arc<Inner>) -> Router {
    Router::new()
        .route("/oauth2/authorize", get(authorize_page).post(authorize))
        .route("/oauth2/access_token", post(access_token))
        .route("/oauth2/get_token_info", post(token_info))
        .route("/2/users/show.json", get(users_show))
        .route("/avatars/{file}", get(avatar))
        .route("/_fake/switches", get(get_switches).post(set_switches))
        .with_state(inner)
}

fn random_hex(bytes: usize) -> String {
    let mut raw = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut raw);
    raw.iter().map(|b| format!("{b:02x}")).collect()
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn issue_code(inner: &Inner, uid: &str, redirect_uri: &str) -> String {
    let code = random_hex(16);
    inner.books().codes.insert(
        code.clone(),
        Grant {
            uid: uid.to_owned(),
            client_id: inner.config.client_id.clone(),
            redirect_uri: redirect_uri.to_owned(),
            expires: Instant::now() + inner.config.code_ttl,
        },
    );
    code
}

/// Weibo's error answer.
fn weibo_error(
    status: StatusCode,
    code: u32,
    error: &str,
    request: &str,
    description: &str,
) -> Response {
    (
        status,
        Json(json!({
            "error": error,
            "error_code": code,
            "request": request,
            "error_uri": request,
            "error_description": description,
        })),
    )
        .into_response()
}

/// Text safe inside HTML text and double-quoted attributes.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

#[derive(Debug, Deserialize)]
struct AuthorizeQuery {
    client_id: Option<String>,
    redirect_uri: Option<String>,
    response_type: Option<String>,
    state: Option<String>,
}

fn redirect_allowed(config: &Config, uri: &str) -> bool {
    if config.redirect_uris.is_empty() {
        uri.starts_with("http://") || uri.starts_with("https://")
    } else {
        config.redirect_uris.iter().any(|allowed| allowed == uri)
    }
}

fn error_page(message: &str) -> Response {
    let body = format!(
        "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><link rel=\"icon\" href=\"data:,\"><title>微博授权出错</title></head>\
         <body><h1>微博授权出错</h1><p>{}</p></body></html>",
        escape(message)
    );
    (StatusCode::BAD_REQUEST, Html(body)).into_response()
}

/// The authorize page: one 授权 button per test user.
async fn authorize_page(
    State(inner): State<Arc<Inner>>,
    Query(q): Query<AuthorizeQuery>,
) -> Response {
    let config = &inner.config;
    if q.client_id.as_deref() != Some(config.client_id.as_str()) {
        return error_page("21324 invalid_client: 未知的应用 (client_id)");
    }
    if q.response_type.as_deref() != Some("code") {
        return error_page("21323 invalid_request: response_type 必须是 code");
    }
    let redirect_uri = q.redirect_uri.unwrap_or_default();
    if !redirect_allowed(config, &redirect_uri) {
        return error_page("21322 redirect_uri_mismatch: 回调地址与应用登记的不一致");
    }
    let state = q.state.unwrap_or_default();
    let mut users = String::new();
    for user in &config.users {
        users += &format!(
            "<li><form method=\"post\" action=\"/oauth2/authorize\">\
             <input type=\"hidden\" name=\"client_id\" value=\"{}\">\
             <input type=\"hidden\" name=\"redirect_uri\" value=\"{}\">\
             <input type=\"hidden\" name=\"state\" value=\"{}\">\
             <input type=\"hidden\" name=\"uid\" value=\"{}\">\
             <span class=\"name\">{}</span> <button type=\"submit\" aria-label=\"以{}的身份授权\">授权</button></form></li>",
            escape(&config.client_id),
            escape(&redirect_uri),
            escape(&state),
            escape(&user.uid),
            escape(&user.screen_name),
            escape(&user.screen_name),
        );
    }
    let body = format!(
        "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><link rel=\"icon\" href=\"data:,\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>微博授权（本地模拟）</title></head><body>\
         <h1>微博授权（本地模拟）</h1>\
         <p>达达商城 想要获取你的微博公开信息。选择一个测试账号并授权：</p>\
         <ul>{users}</ul>\
         <p><a href=\"{}\">取消</a></p></body></html>",
        escape(&cancel_url(&redirect_uri, &state)),
    );
    Html(body).into_response()
}

/// Weibo sends `error=access_denied` back when the user declines.
fn cancel_url(redirect_uri: &str, state: &str) -> String {
    let sep = if redirect_uri.contains('?') { '&' } else { '?' };
    format!(
        "{redirect_uri}{sep}error=access_denied&error_code=21330&state={}",
        form_encode(state)
    )
}

fn form_encode(text: &str) -> String {
    let mut out = String::new();
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out += &format!("%{byte:02X}");
        }
    }
    out
}

#[derive(Debug, Deserialize)]
struct AuthorizeForm {
    client_id: String,
    redirect_uri: String,
    state: Option<String>,
    uid: String,
}

/// The 授权 button: a code, and back to the shop.
async fn authorize(State(inner): State<Arc<Inner>>, Form(form): Form<AuthorizeForm>) -> Response {
    let config = &inner.config;
    if form.client_id != config.client_id {
        return error_page("21324 invalid_client");
    }
    if !redirect_allowed(config, &form.redirect_uri) {
        return error_page("21322 redirect_uri_mismatch");
    }
    if !config.users.iter().any(|u| u.uid == form.uid) {
        return error_page("未知的测试账号");
    }
    let code = issue_code(&inner, &form.uid, &form.redirect_uri);
    let sep = if form.redirect_uri.contains('?') {
        '&'
    } else {
        '?'
    };
    let mut location = format!("{}{sep}code={code}", form.redirect_uri);
    if let Some(state) = form.state.filter(|s| !s.is_empty()) {
        location += &format!("&state={}", form_encode(&state));
    }
    (StatusCode::FOUND, [(header::LOCATION, location)]).into_response()
}

#[derive(Debug, Deserialize)]
struct TokenForm {
    client_id: Option<String>,
    client_secret: Option<String>,
    grant_type: Option<String>,
    code: Option<String>,
    redirect_uri: Option<String>,
}

async fn delay(inner: &Inner) {
    let ms = inner.books().switches.delay_ms;
    if ms > 0 {
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }
}

/// `POST /oauth2/access_token`.
async fn access_token(State(inner): State<Arc<Inner>>, Form(form): Form<TokenForm>) -> Response {
    const PATH: &str = "/oauth2/access_token";
    let switches = {
        let mut books = inner.books();
        books.token_requests += 1;
        books.switches.clone()
    };
    delay(&inner).await;
    if switches.token_http_500 {
        return (
            StatusCode::INTERNAL_SERVER_ERROR,
            Html("<html><body>500 Internal Server Error</body></html>"),
        )
            .into_response();
    }
    if let Some(error) = switches.token_error {
        return weibo_error(
            StatusCode::BAD_REQUEST,
            21325,
            &error,
            PATH,
            "simulated error",
        );
    }
    let config = &inner.config;
    if form.client_id.as_deref() != Some(config.client_id.as_str())
        || form.client_secret.as_deref() != Some(config.client_secret.as_str())
    {
        return weibo_error(
            StatusCode::BAD_REQUEST,
            21324,
            "invalid_client",
            PATH,
            "client_id or client_secret is wrong",
        );
    }
    if form.grant_type.as_deref() != Some("authorization_code") {
        return weibo_error(
            StatusCode::BAD_REQUEST,
            21323,
            "unsupported_grant_type",
            PATH,
            "grant_type must be authorization_code",
        );
    }
    let code = form.code.unwrap_or_default();
    // Single use: the code is gone whatever happens next.
    let grant = inner.books().codes.remove(&code);
    let Some(grant) = grant else {
        return weibo_error(
            StatusCode::BAD_REQUEST,
            21325,
            "invalid_grant",
            PATH,
            "invalid authorization code",
        );
    };
    if grant.expires < Instant::now() {
        return weibo_error(
            StatusCode::BAD_REQUEST,
            21325,
            "invalid_grant",
            PATH,
            "expired authorization code",
        );
    }
    if grant.client_id != config.client_id {
        return weibo_error(
            StatusCode::BAD_REQUEST,
            21325,
            "invalid_grant",
            PATH,
            "code of another app",
        );
    }
    if form.redirect_uri.as_deref() != Some(grant.redirect_uri.as_str()) {
        return weibo_error(
            StatusCode::BAD_REQUEST,
            21322,
            "redirect_uri_mismatch",
            PATH,
            "redirect_uri differs from the authorize request",
        );
    }
    let token = format!("2.00{}", random_hex(16));
    inner.books().tokens.insert(
        token.clone(),
        Issued {
            uid: grant.uid.clone(),
            created_at: now_secs(),
        },
    );
    Json(json!({
        "access_token": token,
        "remind_in": config.token_ttl_secs.to_string(),
        "expires_in": config.token_ttl_secs,
        "uid": grant.uid,
        "isRealName": "true",
    }))
    .into_response()
}

#[derive(Debug, Deserialize)]
struct TokenInfoForm {
    access_token: Option<String>,
}

/// `POST /oauth2/get_token_info`.
async fn token_info(State(inner): State<Arc<Inner>>, Form(form): Form<TokenInfoForm>) -> Response {
    delay(&inner).await;
    let (issued, wrong_appkey) = {
        let books = inner.books();
        let issued = form
            .access_token
            .as_deref()
            .and_then(|t| books.tokens.get(t))
            .map(|i| (i.uid.clone(), i.created_at));
        (issued, books.switches.wrong_appkey)
    };
    let Some((uid, created_at)) = issued else {
        return weibo_error(
            StatusCode::BAD_REQUEST,
            21332,
            "invalid_access_token",
            "/oauth2/get_token_info",
            "access token does not exist",
        );
    };
    let appkey = if wrong_appkey {
        "1000000001".to_owned()
    } else {
        inner.config.client_id.clone()
    };
    let left = (created_at + inner.config.token_ttl_secs).saturating_sub(now_secs());
    Json(json!({
        "uid": uid.parse::<u64>().unwrap_or(0),
        "appkey": appkey,
        "scope": null,
        "create_at": created_at,
        "expire_in": left,
    }))
    .into_response()
}

#[derive(Debug, Deserialize)]
struct ShowQuery {
    access_token: Option<String>,
    uid: Option<String>,
}

/// `GET /2/users/show.json`.
async fn users_show(State(inner): State<Arc<Inner>>, Query(q): Query<ShowQuery>) -> Response {
    const PATH: &str = "/2/users/show.json";
    delay(&inner).await;
    let (known, profile_error) = {
        let books = inner.books();
        let known = q
            .access_token
            .as_deref()
            .and_then(|t| books.tokens.get(t))
            .map(|i| i.uid.clone());
        (known, books.switches.profile_error)
    };
    if profile_error {
        return weibo_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            10001,
            "system error",
            PATH,
            "simulated",
        );
    }
    let Some(uid) = known else {
        return weibo_error(
            StatusCode::BAD_REQUEST,
            21332,
            "invalid_access_token",
            PATH,
            "access token does not exist",
        );
    };
    if q.uid.as_deref() != Some(uid.as_str()) {
        return weibo_error(
            StatusCode::BAD_REQUEST,
            10017,
            "parameter (uid)'s value invalid",
            PATH,
            "uid differs from the token's",
        );
    }
    let name = inner
        .config
        .users
        .iter()
        .find(|u| u.uid == uid)
        .map(|u| u.screen_name.clone())
        .unwrap_or_default();
    Json(json!({
        "id": uid.parse::<u64>().unwrap_or(0),
        "idstr": uid,
        "screen_name": name,
        "name": name,
        "profile_image_url": format!("{}/avatars/{uid}.svg", inner.base),
        "avatar_large": format!("{}/avatars/{uid}.svg", inner.base),
    }))
    .into_response()
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

/// A plain round avatar.
async fn avatar() -> Response {
    (
        [(header::CONTENT_TYPE, "image/svg+xml")],
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 64 64\"><circle cx=\"32\" cy=\"32\" r=\"32\" fill=\"#e6162d\"/></svg>",
    )
        .into_response()
}
