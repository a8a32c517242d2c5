//! `fake-alipay`: the local Alipay gateway for trying payments without an Alipay account or
//! the sandbox. Point the shop's gateway URL at `<url>/gateway.do`, give the fake the shop
//! app's public key (`FAKE_ALIPAY_APP_PUBLIC_KEY`), and give the shop the gateway's public key
//! from `<key dir>/gateway_public.pem` (created on the first start and reused afterwards, so
//! the shop's configuration stays valid across restarts).

use std::fs;
use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::Parser;
use dadashop_fakes::alipay::{Config, FakeAlipay, sign};

/// A local stand-in for openapi.alipay.com's gateway (development only).
#[derive(Debug, Parser)]
#[command(name = "fake-alipay", version, about)]
struct Args {
    /// Listen address.
    #[arg(long, env = "FAKE_ALIPAY_ADDR", default_value = "127.0.0.1:9400")]
    addr: SocketAddr,
    /// The shop's app id (`ALIPAY_APP_ID`).
    #[arg(long, env = "ALIPAY_APP_ID", default_value = "2021000000000001")]
    app_id: String,
    /// The shop app's RSA2 public key, which checks its requests: PEM, bare base64 or a path.
    #[arg(long, env = "FAKE_ALIPAY_APP_PUBLIC_KEY")]
    app_public_key: String,
    /// Where the gateway's key pair lives (`gateway_private.pem`, `gateway_public.pem`);
    /// generated on the first start.
    #[arg(long, env = "FAKE_ALIPAY_KEY_DIR", default_value = "data/fake-alipay")]
    key_dir: PathBuf,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let (private_pem, public_path) = gateway_keys(&args.key_dir)?;
    let config = Config {
        app_id: args.app_id,
        app_public_key: args.app_public_key,
        gateway_private_key: Some(private_pem),
        ..Config::default()
    };
    let fake = FakeAlipay::start(args.addr, config).await?;
    eprintln!("fake alipay listening on {}", fake.gateway_url());
    eprintln!(
        "gateway public key (the shop's 支付宝公钥): {}",
        public_path.display()
    );
    tokio::signal::ctrl_c().await?;
    Ok(())
}

/// The gateway's private key PEM and the path of its public key, creating both on the first
/// start.
fn gateway_keys(dir: &Path) -> anyhow::Result<(String, PathBuf)> {
    let private_path = dir.join("gateway_private.pem");
    let public_path = dir.join("gateway_public.pem");
    let private_pem = if private_path.exists() {
        fs::read_to_string(&private_path)
            .with_context(|| format!("reading {}", private_path.display()))?
    } else {
        fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        eprintln!("generating the gateway's 2048-bit RSA key (first start) ...");
        let pem = sign::private_key_pem(&sign::generate_private_key()?)?;
        write_private(&private_path, &pem)?;
        pem
    };
    let key = sign::parse_private_key(&private_pem)
        .with_context(|| format!("reading {}", private_path.display()))?;
    let public_pem = sign::public_key_pem(key.as_public_key())?;
    // Rewritten on every start: it is derived, and must match the private key.
    fs::write(&public_path, public_pem)
        .with_context(|| format!("writing {}", public_path.display()))?;
    Ok((private_pem, public_path))
}

/// Writes a new private key readable by its owner only.
fn write_private(path: &Path, pem: &str) -> anyhow::Result<()> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(path)
        .with_context(|| format!("creating {}", path.display()))?;
    file.write_all(pem.as_bytes())
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}
