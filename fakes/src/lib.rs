//! Local stand-ins of the shop's outside services, speaking their real protocols, for
//! development and for the shop's own tests. Nothing here runs in production.
//!
//! - [`weibo`]: Weibo's OAuth 2.0 authorize page, token endpoint, `get_token_info` and
//!   `users/show` (the `fake-weibo` binary serves it on a port of its own).
//! - [`sms`]: Ronglian's (容联云) template SMS endpoint, recording messages (`fake-sms`).
//! - [`smtp`]: an SMTP server that captures mail (`fake-smtp`).
//! - [`alipay`]: Alipay's open-platform gateway for computer-website payment: page pay with a
//!   收银台, the signed return redirect, asynchronous notifications with retries, and the
//!   trade query, all RSA2-signed (`fake-alipay`).

pub mod alipay;
pub mod sms;
pub mod smtp;
pub mod weibo;
