//! `fake-smtp`: a local SMTP server that captures mail, for trying activation and password
//! reset without a mail account. Point the shop at it with `MAIL_TRANSPORT=smtp
//! SMTP_HOST=127.0.0.1 SMTP_PORT=<port> SMTP_TLS=none`; read the mail as JSON at
//! `http://<http addr>/messages`.

use std::net::SocketAddr;

use clap::Parser;
use dadashop_fakes::smtp::FakeSmtp;

/// A local SMTP capture server (development and tests only).
#[derive(Debug, Parser)]
#[command(name = "fake-smtp", version, about)]
struct Args {
    /// SMTP listen address.
    #[arg(long, env = "FAKE_SMTP_ADDR", default_value = "127.0.0.1:9300")]
    addr: SocketAddr,
    /// Listen address of the JSON view of the captured mail.
    #[arg(long, env = "FAKE_SMTP_HTTP_ADDR", default_value = "127.0.0.1:9301")]
    http_addr: SocketAddr,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let fake = FakeSmtp::start(args.addr).await?;
    let url = fake.serve_http(args.http_addr).await?;
    eprintln!(
        "fake SMTP listening on {}; captured mail at {url}/messages",
        fake.addr()
    );
    tokio::signal::ctrl_c().await?;
    Ok(())
}
