//! The HTTP client of calls to outside services (Weibo, Ronglian SMS, the Alipay gateway).

use std::time::Duration;

/// A client whose every call gives up after `timeout_secs` seconds (connecting included),
/// follows no redirect (these APIs answer directly: a redirect is a misconfiguration) and
/// names the shop in `User-Agent`. rustls with the webpki roots.
///
/// # Errors
/// No TLS backend could be set up.
pub fn client(timeout_secs: u64) -> reqwest::Result<reqwest::Client> {
    let timeout = Duration::from_secs(timeout_secs);
    reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("dadashop/", env!("CARGO_PKG_VERSION")))
        .build()
}
