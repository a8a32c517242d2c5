//! The Weibo OAuth 2.0 client: the authorize URL, the code exchange, the token check and the
//! profile read, over HTTP with reqwest.
//!
//! Protocol (Weibo's OAuth 2.0 documentation, RFC 6749 §4.1):
//! - `GET <WEIBO_AUTHORIZE_URL>?client_id&redirect_uri&response_type=code&state` in the
//!   browser; Weibo redirects to `redirect_uri?code=...&state=...`.
//! - `POST <WEIBO_TOKEN_URL>` with the form `client_id, client_secret,
//!   grant_type=authorization_code, code, redirect_uri` answers `{access_token, expires_in,
//!   remind_in, uid}`, where numbers may come as strings; a failure is
//!   `{error, error_code, error_description}` (usually with HTTP 400).
//! - `POST <WEIBO_API_BASE>/oauth2/get_token_info` with the form `access_token` answers
//!   `{uid, appkey, scope, create_at, expire_in}`. Weibo advises checking `appkey` against
//!   the app's own key instead of trusting `uid` alone: a token issued to another app must
//!   not log anyone in here.
//! - `GET <WEIBO_API_BASE>/2/users/show.json?access_token&uid` answers the public profile
//!   (`screen_name`, `avatar_large`, `profile_image_url`).
//!
//! Every call has the `WEIBO_TIMEOUT_SECS` time-out. Errors are sorted into what the shopper
//! can fix by starting again ([`WeiboError::Refused`], [`WeiboError::Mismatch`]) and what is
//! Weibo's trouble ([`WeiboError::Unavailable`], answered 503).

use serde_json::Value;

use crate::config::Settings;

/// Why a Weibo call failed.
#[derive(Debug, thiserror::Error)]
pub enum WeiboError {
    /// Weibo answered with its error JSON: an unknown, used or expired code, a redirect URI
    /// that does not match, a bad client. `code` is Weibo's `error_code` (21325: invalid
    /// grant), when given.
    #[error("weibo refused: {error} ({code:?}): {description}")]
    Refused {
        error: String,
        code: Option<i64>,
        description: String,
    },
    /// The token belongs to another app, or to another uid than the exchange said.
    #[error("weibo token mismatch: {0}")]
    Mismatch(String),
    /// Unreachable, timed out, a 5xx, or an answer that is not the documented JSON.
    #[error("weibo unavailable: {0}")]
    Unavailable(String),
}

/// A successful code exchange.
#[derive(Debug, Clone)]
pub struct WeiboToken {
    /// The Weibo access token (a secret: never logged, never stored in the database).
    pub access_token: String,
    /// The Weibo user id, digits.
    pub uid: String,
    /// Seconds the access token stays valid.
    pub expires_in: u64,
}

/// The public profile used to prefill the bind form.
#[derive(Debug, Clone, Default)]
pub struct WeiboProfile {
    /// `screen_name`.
    pub nickname: String,
    /// `avatar_large`, else `profile_image_url` (an https URL on Weibo's image hosts).
    pub avatar_url: Option<String>,
}

/// The configured Weibo app; cheap to clone.
#[derive(Debug, Clone)]
pub struct WeiboClient {
    http: reqwest::Client,
    client_id: String,
    client_secret: String,
    redirect_uri: String,
    authorize_url: String,
    token_url: String,
    api_base: String,
}

impl WeiboClient {
    /// The client of the validated `settings`, or `None` when Weibo login is off (no
    /// `WEIBO_CLIENT_ID`).
    ///
    /// # Errors
    /// The HTTP client cannot be built (no TLS backend).
    pub fn from_settings(settings: &Settings) -> anyhow::Result<Option<Self>> {
        let (Some(client_id), Some(client_secret)) = (
            settings
                .weibo_client_id
                .clone()
                .filter(|v| !v.trim().is_empty()),
            settings.weibo_client_secret.clone(),
        ) else {
            return Ok(None);
        };
        let http = crate::outbound::client(settings.weibo_timeout_secs)?;
        Ok(Some(Self {
            http,
            client_id: client_id.trim().to_owned(),
            client_secret: client_secret.trim().to_owned(),
            redirect_uri: settings.weibo_redirect_uri(),
            authorize_url: settings.weibo_authorize_url.clone(),
            token_url: settings.weibo_token_url.clone(),
            api_base: settings.weibo_api_base.trim_end_matches('/').to_owned(),
        }))
    }

    /// The authorize URL the browser is sent to, carrying the one-time `state`.
    pub fn authorize_url(&self, state: &str) -> Result<String, WeiboError> {
        let mut url = reqwest::Url::parse(&self.authorize_url)
            .map_err(|e| WeiboError::Unavailable(format!("WEIBO_AUTHORIZE_URL: {e}")))?;
        url.query_pairs_mut()
            .append_pair("response_type", "code")
            .append_pair("client_id", &self.client_id)
            .append_pair("redirect_uri", &self.redirect_uri)
            .append_pair("state", state);
        Ok(url.into())
    }

    /// Exchanges an authorization `code` for an access token and the Weibo uid.
    pub async fn exchange_code(&self, code: &str) -> Result<WeiboToken, WeiboError> {
        let form = [
            ("client_id", self.client_id.as_str()),
            ("client_secret", self.client_secret.as_str()),
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", self.redirect_uri.as_str()),
        ];
        let body = self
            .call(self.http.post(&self.token_url).form(&form), "token")
            .await?;
        let access_token = text(&body["access_token"])
            .filter(|t| !t.is_empty())
            .ok_or_else(|| WeiboError::Unavailable("token answer without access_token".into()))?;
        let uid = text(&body["uid"])
            .filter(|uid| is_uid(uid))
            .ok_or_else(|| WeiboError::Unavailable("token answer without a valid uid".into()))?;
        let expires_in = number(&body["expires_in"]).unwrap_or(0);
        Ok(WeiboToken {
            access_token,
            uid,
            expires_in,
        })
    }

    /// Checks with `oauth2/get_token_info` that `token` was issued to this app for its uid
    /// and is still valid.
    pub async fn check_token(&self, token: &WeiboToken) -> Result<(), WeiboError> {
        let url = format!("{}/oauth2/get_token_info", self.api_base);
        let form = [("access_token", token.access_token.as_str())];
        let info = self
            .call(self.http.post(url).form(&form), "get_token_info")
            .await?;
        let appkey = text(&info["appkey"]).unwrap_or_default();
        if appkey != self.client_id {
            return Err(WeiboError::Mismatch(format!(
                "token issued to app {appkey:?}, not ours"
            )));
        }
        if text(&info["uid"]).as_deref() != Some(token.uid.as_str()) {
            return Err(WeiboError::Mismatch("token info names another uid".into()));
        }
        if number(&info["expire_in"]).is_some_and(|left| left == 0) {
            return Err(WeiboError::Mismatch("token already expired".into()));
        }
        Ok(())
    }

    /// The public profile of `uid` (`2/users/show.json`).
    pub async fn profile(&self, token: &WeiboToken) -> Result<WeiboProfile, WeiboError> {
        let url = format!("{}/2/users/show.json", self.api_base);
        let query = [
            ("access_token", token.access_token.as_str()),
            ("uid", token.uid.as_str()),
        ];
        let user = self
            .call(self.http.get(url).query(&query), "users/show")
            .await?;
        let avatar = [&user["avatar_large"], &user["profile_image_url"]]
            .into_iter()
            .filter_map(text)
            .find(|url| url.starts_with("https://") || url.starts_with("http://"));
        Ok(WeiboProfile {
            nickname: text(&user["screen_name"]).unwrap_or_default(),
            avatar_url: avatar,
        })
    }

    /// Sends a request and returns its JSON object, sorting failures into [`WeiboError`].
    async fn call(
        &self,
        request: reqwest::RequestBuilder,
        what: &str,
    ) -> Result<Value, WeiboError> {
        let response = request
            .send()
            .await
            .map_err(|e| WeiboError::Unavailable(format!("{what}: {}", without_url(e))))?;
        let status = response.status();
        let body: Option<Value> = response.json().await.ok();
        match body {
            Some(body) if body.get("error").is_some() || body.get("error_code").is_some() => {
                if status.is_server_error() {
                    return Err(WeiboError::Unavailable(format!("{what}: HTTP {status}")));
                }
                Err(WeiboError::Refused {
                    error: text(&body["error"]).unwrap_or_default(),
                    code: body["error_code"]
                        .as_i64()
                        .or_else(|| text(&body["error_code"])?.parse().ok()),
                    description: text(&body["error_description"]).unwrap_or_default(),
                })
            }
            Some(body) if status.is_success() && body.is_object() => Ok(body),
            _ => Err(WeiboError::Unavailable(format!(
                "{what}: HTTP {status} without the documented JSON"
            ))),
        }
    }
}

/// A JSON string or number as text (Weibo sends `uid`, `expires_in` and `appkey` as
/// either).
fn text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A JSON number or numeric string as an unsigned integer.
fn number(value: &Value) -> Option<u64> {
    value.as_u64().or_else(|| text(value)?.parse().ok())
}

/// A Weibo uid: 1 to 20 ASCII digits.
pub fn is_uid(uid: &str) -> bool {
    (1..=20).contains(&uid.len()) && uid.bytes().all(|b| b.is_ascii_digit())
}

/// A reqwest error without its URL, which may carry the access token in its query.
fn without_url(error: reqwest::Error) -> String {
    let kind = if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "could not connect"
    } else {
        "request failed"
    };
    format!("{kind}: {}", error.without_url())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_strings_are_both_accepted() {
        assert_eq!(text(&serde_json::json!("123")).as_deref(), Some("123"));
        assert_eq!(text(&serde_json::json!(123)).as_deref(), Some("123"));
        assert_eq!(number(&serde_json::json!("157679999")), Some(157_679_999));
        assert_eq!(number(&serde_json::json!(157_679_999)), Some(157_679_999));
        assert_eq!(text(&serde_json::json!(null)), None);
    }

    #[test]
    fn uids_are_digits() {
        assert!(is_uid("1404376560"));
        assert!(!is_uid(""));
        assert!(!is_uid("12a"));
        assert!(!is_uid("123456789012345678901"));
    }
}
