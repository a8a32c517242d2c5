//! `fake-sms`: the local Ronglian (容联云) template SMS endpoint, recording messages, for
//! trying SMS codes without a Ronglian account. Point the shop at it with
//! `SMS_PROVIDER=ronglian RONGLIAN_BASE_URL=<url>` and the same account sid, auth token and
//! app id; read the messages at `<url>/_fake/messages`.

use std::net::SocketAddr;

use clap::Parser;
use dadashop_fakes::sms::{Config, FakeSms};

/// A local stand-in for Ronglian's template SMS API (development and tests only).
#[derive(Debug, Parser)]
#[command(name = "fake-sms", version, about)]
struct Args {
    /// Listen address.
    #[arg(long, env = "FAKE_SMS_ADDR", default_value = "127.0.0.1:9200")]
    addr: SocketAddr,
    /// The account sid the shop must send (`RONGLIAN_ACCOUNT_SID`).
    #[arg(
        long,
        env = "RONGLIAN_ACCOUNT_SID",
        default_value = "8aaf0708dev0000000000000000000001"
    )]
    account_sid: String,
    /// The auth token the shop signs with (`RONGLIAN_AUTH_TOKEN`).
    #[arg(
        long,
        env = "RONGLIAN_AUTH_TOKEN",
        default_value = "dev-ronglian-auth-token"
    )]
    auth_token: String,
    /// The app id the shop must send (`RONGLIAN_APP_ID`).
    #[arg(
        long,
        env = "RONGLIAN_APP_ID",
        default_value = "8aaf0708dev0000000000000000000002"
    )]
    app_id: String,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let fake = FakeSms::start(
        args.addr,
        Config {
            account_sid: args.account_sid,
            auth_token: args.auth_token,
            app_id: args.app_id,
        },
    )
    .await?;
    eprintln!(
        "fake SMS (Ronglian) listening on {}; messages at {}/_fake/messages",
        fake.url(),
        fake.url()
    );
    tokio::signal::ctrl_c().await?;
    Ok(())
}
