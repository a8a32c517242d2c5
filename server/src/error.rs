//! The one error type of the HTTP layer.
//!
//! Every handler returns `Result<_, ApiError>`; each variant maps to an HTTP status and a
//! dadashop business code (docs/api.md). Internal causes are logged (the request id is on the
//! tracing span) and never sent: the body is always `{"code", "error"}` in Chinese.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use dadashop_types::{ErrorBody, codes};

/// A failed request, as the client will see it.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400: bad input, with the business code that names what was wrong.
    #[error("bad request {code}: {message}")]
    BadRequest { code: u32, message: String },
    /// 401: missing, malformed, expired, tampered or revoked token (code 10101).
    #[error("unauthorized")]
    Unauthorized,
    /// 403: the path names someone else's resource.
    #[error("forbidden {code}")]
    Forbidden { code: u32, message: String },
    /// 404: unknown resource.
    #[error("not found {code}")]
    NotFound { code: u32, message: String },
    /// 405: the path exists but not with this method.
    #[error("method not allowed")]
    MethodNotAllowed,
    /// 409: conflict such as a taken username.
    #[error("conflict {code}")]
    Conflict { code: u32, message: String },
    /// 422: well-formed but not acceptable, such as an `Idempotency-Key` reused with another
    /// request (IETF draft "The Idempotency-Key HTTP Header Field").
    #[error("unprocessable {code}")]
    Unprocessable { code: u32, message: String },
    /// 413: the body is larger than the limit.
    #[error("payload too large")]
    PayloadTooLarge,
    /// 413 with a business code and a message naming the limit (a picture over
    /// `PICTURE_MAX_BYTES`).
    #[error("too large {code}")]
    TooLarge { code: u32, message: String },
    /// 429: rate limited; `retry_after` in seconds.
    #[error("too many requests")]
    TooManyRequests {
        code: u32,
        message: String,
        retry_after: u64,
    },
    /// 503 with `Retry-After`: the shop is saturated (every password-hashing slot busy for
    /// longer than the queue allows); the client should retry after `retry_after` seconds.
    #[error("busy")]
    Busy { retry_after: u64 },
    /// An error answered by the HTTP layer rather than a handler (408 time-out, 413 body too
    /// large before it was read, 414 URI too long, 431 headers too large, a media 404, ...):
    /// the HTTP status is the business code.
    #[error("transport error {0}")]
    Transport(StatusCode),
    /// 503 with a business code: an outside service (Weibo) failed or timed out; the message
    /// says which, and the client may retry.
    #[error("upstream unavailable {code}: {message}")]
    Upstream { code: u32, message: String },
    /// 503: a dependency (database, Redis) is down; the client may retry.
    #[error("service unavailable: {0:#}")]
    Unavailable(anyhow::Error),
    /// 500: a bug or an unexpected state; logged with its cause.
    #[error("internal: {0:#}")]
    Internal(anyhow::Error),
}

impl ApiError {
    /// 400 with `code` and `message`.
    pub fn bad_request(code: u32, message: impl Into<String>) -> Self {
        Self::BadRequest {
            code,
            message: message.into(),
        }
    }

    /// 400 with code 10123 (missing or bad parameters).
    pub fn bad_params(message: impl Into<String>) -> Self {
        Self::bad_request(codes::BAD_PARAMETERS, message)
    }

    /// 403 for a path that names another user (code 10101, as the original answered).
    pub fn not_yours() -> Self {
        Self::Forbidden {
            code: codes::NOT_LOGGED_IN,
            message: "无权访问其他用户的数据".into(),
        }
    }

    /// 404 with `code` and `message`.
    pub fn not_found(code: u32, message: impl Into<String>) -> Self {
        Self::NotFound {
            code,
            message: message.into(),
        }
    }

    fn parts(&self) -> (StatusCode, u32, String) {
        match self {
            Self::BadRequest { code, message } => (StatusCode::BAD_REQUEST, *code, message.clone()),
            Self::Unauthorized => (
                StatusCode::UNAUTHORIZED,
                codes::NOT_LOGGED_IN,
                "请先登录".to_owned(),
            ),
            Self::Forbidden { code, message } => (StatusCode::FORBIDDEN, *code, message.clone()),
            Self::NotFound { code, message } => (StatusCode::NOT_FOUND, *code, message.clone()),
            Self::MethodNotAllowed => (
                StatusCode::METHOD_NOT_ALLOWED,
                405,
                "该接口不支持此请求方法".to_owned(),
            ),
            Self::Conflict { code, message } => (StatusCode::CONFLICT, *code, message.clone()),
            Self::Unprocessable { code, message } => {
                (StatusCode::UNPROCESSABLE_ENTITY, *code, message.clone())
            }
            Self::PayloadTooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                codes::BAD_PARAMETERS,
                "请求内容过大".to_owned(),
            ),
            Self::TooLarge { code, message } => {
                (StatusCode::PAYLOAD_TOO_LARGE, *code, message.clone())
            }
            Self::TooManyRequests { code, message, .. } => {
                (StatusCode::TOO_MANY_REQUESTS, *code, message.clone())
            }
            Self::Busy { .. } => (
                StatusCode::SERVICE_UNAVAILABLE,
                codes::SERVICE_UNAVAILABLE,
                "当前访问人数过多，请稍后再试".to_owned(),
            ),
            Self::Transport(status) => (
                *status,
                u32::from(status.as_u16()),
                transport_message(*status).to_owned(),
            ),
            Self::Upstream { code, message } => {
                (StatusCode::SERVICE_UNAVAILABLE, *code, message.clone())
            }
            Self::Unavailable(_) => (
                StatusCode::SERVICE_UNAVAILABLE,
                codes::SERVICE_UNAVAILABLE,
                "服务暂时不可用，请稍后再试".to_owned(),
            ),
            Self::Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                codes::INTERNAL,
                "服务器内部错误".to_owned(),
            ),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match &self {
            Self::Internal(e) => tracing::error!(error = ?e, "internal error"),
            Self::Unavailable(e) => {
                tracing::warn!(error = %format!("{e:#}"), "dependency unavailable")
            }
            _ => tracing::debug!(error = %self, "request refused"),
        }
        let (status, code, error) = self.parts();
        let mut response = (status, Json(ErrorBody { code, error })).into_response();
        if let Self::TooManyRequests { retry_after, .. } | Self::Busy { retry_after } = self
            && let Ok(v) = http::HeaderValue::from_str(&retry_after.to_string())
        {
            response.headers_mut().insert(http::header::RETRY_AFTER, v);
            // A refused or shed client must queue again for a connection: under a flood of
            // keep-alive connections that is what lets a newcomer's connection in.
            response.headers_mut().insert(
                http::header::CONNECTION,
                http::HeaderValue::from_static("close"),
            );
        }
        response
    }
}

impl From<sqlx::Error> for ApiError {
    /// Connection-level failures (pool time-out, I/O, closed pool) mean the database is
    /// unreachable: 503. Anything else is a bug: 500.
    fn from(e: sqlx::Error) -> Self {
        match e {
            sqlx::Error::PoolTimedOut
            | sqlx::Error::Io(_)
            | sqlx::Error::PoolClosed
            | sqlx::Error::Tls(_)
            | sqlx::Error::Protocol(_) => {
                Self::Unavailable(anyhow::Error::new(e).context("database"))
            }
            // The server is shutting down or killed the statement (a primary restart).
            ref gone if crate::db::is_server_going_away(gone) => {
                Self::Unavailable(anyhow::Error::new(e).context("database restarting"))
            }
            // Lock waits that outlasted their time-out: the database is overloaded, not wrong.
            ref busy if crate::db::is_transient(busy) => {
                Self::Unavailable(anyhow::Error::new(e).context("database busy"))
            }
            other => Self::Internal(anyhow::Error::new(other).context("database")),
        }
    }
}

/// The JSON body (`{"code": <status>, "error": <zh-CN message>}`) of an error the HTTP layer
/// answers, for the answers written below axum (hyper's own 400, 414 and 431).
pub(crate) fn transport_body(status: StatusCode) -> Vec<u8> {
    serde_json::to_vec(&ErrorBody {
        code: u32::from(status.as_u16()),
        error: transport_message(status).to_owned(),
    })
    .unwrap_or_default()
}

/// The zh-CN message of an error the HTTP layer answers.
fn transport_message(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "请求格式错误",
        404 => "资源不存在",
        405 => "该接口不支持此请求方法",
        408 => "请求超时，请稍后再试",
        411 => "缺少请求内容长度",
        413 => "请求内容过大",
        414 => "请求地址过长",
        415 => "不支持的内容类型",
        431 => "请求头过大",
        500..=599 => "服务暂时不可用，请稍后再试",
        _ => "请求无法处理",
    }
}

impl From<crate::auth::password::HashError> for ApiError {
    fn from(e: crate::auth::password::HashError) -> Self {
        match e {
            crate::auth::password::HashError::Busy { retry_after } => Self::Busy { retry_after },
            crate::auth::password::HashError::Failed(e) => Self::Internal(e),
        }
    }
}

impl From<crate::kv::KvError> for ApiError {
    fn from(e: crate::kv::KvError) -> Self {
        Self::Unavailable(anyhow::Error::new(e).context("ephemeral store"))
    }
}

/// Handler result.
pub type ApiResult<T> = Result<T, ApiError>;
