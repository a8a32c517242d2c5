//! SMS delivery behind one interface, chosen by `SMS_PROVIDER`: Ronglian (容联云) template
//! SMS over HTTP, or the development console.
//!
//! Ronglian's REST API (version 2013-12-26, "模板短信"), as its documentation specifies it:
//! `POST {RONGLIAN_BASE_URL}/2013-12-26/Accounts/{accountSid}/SMS/TemplateSMS?sig={SigParameter}`
//! where `SigParameter = UPPER(MD5(accountSid + authToken + timestamp))` and `timestamp` is
//! `yyyyMMddHHmmss` (Beijing time); headers `Accept: application/json`,
//! `Content-Type: application/json;charset=utf-8` and
//! `Authorization: Base64(accountSid + ":" + timestamp)`; JSON body
//! `{"to", "appId", "templateId", "datas": [code, minutes]}`. The answer is JSON whose
//! `statusCode` is `"000000"` on success; any other code, an HTTP error or a time-out is a
//! failure and the job is retried.

use anyhow::Context;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use md5::{Digest, Md5};
use serde::Deserialize;
use serde_json::json;

use crate::config::{Settings, SmsProvider};

/// Sending failed; the job will be retried (the message says why, never the code).
#[derive(Debug, thiserror::Error)]
pub enum SmsError {
    /// No answer in time, or the connection failed.
    #[error("SMS provider unreachable: {0}")]
    Transport(String),
    /// The provider answered with an error.
    #[error("SMS provider refused the message: {0}")]
    Refused(String),
}

/// Where SMS messages go.
#[derive(Debug, Clone)]
pub enum SmsSender {
    /// Standard output (development): the code is printed, which is its delivery.
    Console,
    /// Ronglian template SMS.
    Ronglian(Ronglian),
}

/// Ronglian's account, application and template.
#[derive(Clone)]
pub struct Ronglian {
    client: reqwest::Client,
    base_url: String,
    account_sid: String,
    auth_token: String,
    app_id: String,
    template_id: String,
}

impl std::fmt::Debug for Ronglian {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ronglian")
            .field("base_url", &self.base_url)
            .field("account_sid", &self.account_sid)
            .field("app_id", &self.app_id)
            .field("template_id", &self.template_id)
            .finish_non_exhaustive()
    }
}

impl SmsSender {
    /// The sender of `SMS_PROVIDER` (settings already validated).
    pub fn from_settings(s: &Settings) -> anyhow::Result<Self> {
        match s.sms_provider {
            SmsProvider::Console => Ok(Self::Console),
            SmsProvider::Ronglian => {
                let client = crate::outbound::client(s.ronglian_timeout_secs)
                    .context("HTTP client for Ronglian")?;
                let get = |v: &Option<String>| v.clone().unwrap_or_default().trim().to_owned();
                Ok(Self::Ronglian(Ronglian {
                    client,
                    base_url: s.ronglian_base_url.trim_end_matches('/').to_owned(),
                    account_sid: get(&s.ronglian_account_sid),
                    auth_token: get(&s.ronglian_auth_token),
                    app_id: get(&s.ronglian_app_id),
                    template_id: s.ronglian_template_id.trim().to_owned(),
                }))
            }
        }
    }

    /// Sends the verification `code` to `phone`, saying it is valid for `minutes`.
    ///
    /// # Errors
    /// [`SmsError`] when the provider cannot be reached in time or refuses the message.
    pub async fn send_code(&self, phone: &str, code: &str, minutes: u64) -> Result<(), SmsError> {
        match self {
            Self::Console => {
                println!(
                    "[短信] 发送至 {phone}：您的达达商城验证码是 {code}，{minutes} 分钟内有效。"
                );
                Ok(())
            }
            Self::Ronglian(r) => r.send_template(phone, &[code, &minutes.to_string()]).await,
        }
    }
}

/// Ronglian's answer; only `statusCode` and `statusMsg` matter.
#[derive(Debug, Deserialize)]
struct RonglianAnswer {
    #[serde(rename = "statusCode")]
    status_code: String,
    #[serde(rename = "statusMsg", default)]
    status_msg: Option<String>,
}

impl Ronglian {
    /// Sends the template with its parameters `datas` to `to`.
    async fn send_template(&self, to: &str, datas: &[&str]) -> Result<(), SmsError> {
        let timestamp = beijing_timestamp(crate::db::now_secs());
        let url = format!(
            "{}/2013-12-26/Accounts/{}/SMS/TemplateSMS?sig={}",
            self.base_url,
            self.account_sid,
            signature(&self.account_sid, &self.auth_token, &timestamp)
        );
        let authorization = STANDARD.encode(format!("{}:{timestamp}", self.account_sid));
        let body = json!({
            "to": to,
            "appId": self.app_id,
            "templateId": self.template_id,
            "datas": datas,
        });
        let response = self
            .client
            .post(url)
            .header(reqwest::header::ACCEPT, "application/json")
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/json;charset=utf-8",
            )
            .header(reqwest::header::AUTHORIZATION, authorization)
            .body(body.to_string())
            .send()
            .await
            .map_err(|e| SmsError::Transport(e.without_url().to_string()))?;
        let status = response.status();
        let text = response
            .text()
            .await
            .map_err(|e| SmsError::Transport(e.without_url().to_string()))?;
        match serde_json::from_str::<RonglianAnswer>(&text) {
            Ok(answer) if answer.status_code == "000000" => Ok(()),
            Ok(answer) => Err(SmsError::Refused(format!(
                "statusCode {} {}",
                answer.status_code,
                answer.status_msg.unwrap_or_default()
            ))),
            Err(_) => Err(SmsError::Refused(format!(
                "HTTP {status} with a body that is not Ronglian's JSON"
            ))),
        }
    }
}

/// `UPPER(MD5(accountSid + authToken + timestamp))`, Ronglian's `sig` parameter.
pub fn signature(account_sid: &str, auth_token: &str, timestamp: &str) -> String {
    let digest = Md5::digest(format!("{account_sid}{auth_token}{timestamp}").as_bytes());
    hex::encode_upper(digest)
}

/// `yyyyMMddHHmmss` of `unix_secs` in Beijing time (UTC+8, no daylight saving), the
/// timestamp Ronglian's signature and `Authorization` header carry.
pub fn beijing_timestamp(unix_secs: i64) -> String {
    let local = unix_secs + 8 * 3600;
    let days = local.div_euclid(86_400);
    let secs = local.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}{m:02}{d:02}{:02}{:02}{:02}",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

/// The proleptic Gregorian date of `days` since 1970-01-01 (H. Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_beijing_time() {
        assert_eq!(beijing_timestamp(0), "19700101080000");
        // 2024-02-29 23:59:59 UTC is 2024-03-01 07:59:59 in Beijing.
        assert_eq!(beijing_timestamp(1_709_251_199), "20240301075959");
        // 2026-12-31 16:00:00 UTC is midnight of the new year in Beijing.
        assert_eq!(beijing_timestamp(1_798_732_800), "20270101000000");
    }

    #[test]
    fn the_signature_is_the_upper_case_md5_of_sid_token_and_timestamp() {
        // md5("abc") = 900150983cd24fb0d6963f7d28e17f72
        assert_eq!(signature("a", "b", "c"), "900150983CD24FB0D6963F7D28E17F72");
    }
}
