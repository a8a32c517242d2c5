//! `fake-weibo`: the local Weibo OAuth 2.0 provider for trying Weibo login without a Weibo
//! account. Point the shop at it with `WEIBO_AUTHORIZE_URL=<url>/oauth2/authorize`,
//! `WEIBO_TOKEN_URL=<url>/oauth2/access_token` and `WEIBO_API_BASE=<url>`, and give the shop
//! the same client id and secret (`scripts/run.sh` does all of this).

use std::net::SocketAddr;

use clap::Parser;
use dadashop_fakes::weibo::{Config, FakeWeibo};

/// A local stand-in for api.weibo.com's OAuth 2.0 endpoints (development only).
#[derive(Debug, Parser)]
#[command(name = "fake-weibo", version, about)]
struct Args {
    /// Listen address.
    #[arg(long, env = "FAKE_WEIBO_ADDR", default_value = "127.0.0.1:9100")]
    addr: SocketAddr,
    /// The app key the shop must send (`WEIBO_CLIENT_ID`).
    #[arg(long, env = "WEIBO_CLIENT_ID", default_value = "3825791046")]
    client_id: String,
    /// The app secret the shop must send (`WEIBO_CLIENT_SECRET`).
    #[arg(
        long,
        env = "WEIBO_CLIENT_SECRET",
        default_value = "dev-weibo-app-secret"
    )]
    client_secret: String,
    /// Registered callback URIs, comma separated; empty accepts any.
    #[arg(long, env = "FAKE_WEIBO_REDIRECT_URIS", default_value = "")]
    redirect_uris: String,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let config = Config {
        client_id: args.client_id,
        client_secret: args.client_secret,
        redirect_uris: args
            .redirect_uris
            .split(',')
            .map(str::trim)
            .filter(|u| !u.is_empty())
            .map(str::to_owned)
            .collect(),
        ..Config::default()
    };
    let fake = FakeWeibo::start(args.addr, config).await?;
    eprintln!("fake weibo listening on {}", fake.url());
    tokio::signal::ctrl_c().await?;
    Ok(())
}
