//! Typed, layered settings: defaults → optional TOML file → environment variables (and `.env`
//! in development), validated once at start.
//!
//! The environment variable names are part of the operator's contract (issue #2):
//! `DADASHOP_ENV`, `DATABASE_URL`, `REDIS_URL`, `JWT_SECRET`, `JWT_TTL_SECS`, `API_ADDR`,
//! `WEB_ADDR`, `PUBLIC_API_URL`, `PUBLIC_WEB_URL`, `CORS_ALLOWED_ORIGINS`, `MEDIA_DIR`,
//! `DIST_DIR`, plus `DATA_DIR`, `CORS_EXPOSE_HEADERS`, `CORS_ALLOW_CREDENTIALS`, `KV_PREFIX`,
//! `LOG_FORMAT` and `DADASHOP_CONFIG` (path of the optional TOML file, default `dadashop.toml`).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

/// Shortest JWT secret accepted, in bytes (API.md: "at least 32 random bytes").
pub const MIN_JWT_SECRET_BYTES: usize = 32;

/// Which profile the process runs under (`DADASHOP_ENV`), see DESIGN.md "Profiles".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Profile {
    /// Generated JWT secret kept in the data directory, demo catalog seeded, console sinks.
    Development,
    /// What the test harness sets.
    Test,
    /// Every secret must be configured; weak or missing secrets refuse to start.
    Production,
}

/// Every setting of the process. Built by [`Settings::load`], or directly by tests.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Settings {
    /// `DADASHOP_ENV`: `development` (default), `test` or `production`.
    pub dadashop_env: Profile,
    /// `DATABASE_URL`: `sqlite://path` or `mysql://user:pass@host:port/db`.
    pub database_url: String,
    /// `REDIS_URL`: when set, ephemeral data lives in Redis; otherwise in process.
    pub redis_url: Option<String>,
    /// `JWT_SECRET`: HS256 key, at least [`MIN_JWT_SECRET_BYTES`] bytes. In development a
    /// random one is generated and kept in `DATA_DIR/jwt_secret` when unset.
    pub jwt_secret: Option<String>,
    /// `JWT_TTL_SECS`: token lifetime in seconds (default 86 400 = 24 h).
    pub jwt_ttl_secs: u64,
    /// `API_ADDR`: listen address of the JSON API (default `127.0.0.1:8000`).
    pub api_addr: SocketAddr,
    /// `WEB_ADDR`: listen address of the SPA origin (default `127.0.0.1:7000`).
    pub web_addr: SocketAddr,
    /// `PUBLIC_API_URL`: the API origin as browsers reach it; `base_url` and the SPA use it.
    pub public_api_url: String,
    /// `PUBLIC_WEB_URL`: the SPA origin as browsers reach it.
    pub public_web_url: String,
    /// `CORS_ALLOWED_ORIGINS`: comma-separated exact origins allowed to call the API.
    pub cors_allowed_origins: String,
    /// `CORS_EXPOSE_HEADERS`: comma-separated response headers exposed to scripts.
    pub cors_expose_headers: String,
    /// `CORS_ALLOW_CREDENTIALS`: off by default (the token travels in a header, not a cookie).
    pub cors_allow_credentials: bool,
    /// `DATA_DIR`: where the SQLite file and the development JWT secret live (default `data`).
    pub data_dir: PathBuf,
    /// `MEDIA_DIR`: product images and avatars, served at `/media/` (default `media`).
    pub media_dir: PathBuf,
    /// `DIST_DIR`: the SPA built by Trunk, served on `WEB_ADDR` (default `dist`).
    pub dist_dir: PathBuf,
    /// `KV_PREFIX`: prefix of every key in the ephemeral store (lets tests share a Redis).
    pub kv_prefix: String,
    /// `LOG_FORMAT`: `pretty` (default) or `json`.
    pub log_format: String,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            dadashop_env: Profile::Development,
            database_url: "sqlite://data/dadashop.db".to_owned(),
            redis_url: None,
            jwt_secret: None,
            jwt_ttl_secs: 86_400,
            api_addr: SocketAddr::from(([127, 0, 0, 1], 8000)),
            web_addr: SocketAddr::from(([127, 0, 0, 1], 7000)),
            public_api_url: "http://127.0.0.1:8000".to_owned(),
            public_web_url: "http://127.0.0.1:7000".to_owned(),
            cors_allowed_origins: "http://127.0.0.1:7000,http://localhost:7000".to_owned(),
            cors_expose_headers: String::new(),
            cors_allow_credentials: false,
            data_dir: PathBuf::from("data"),
            media_dir: PathBuf::from("media"),
            dist_dir: PathBuf::from("dist"),
            kv_prefix: "dadashop:".to_owned(),
            log_format: "pretty".to_owned(),
        }
    }
}

/// Names of the environment variables read by [`Settings::load`].
const ENV_KEYS: &[&str] = &[
    "DADASHOP_ENV",
    "DATABASE_URL",
    "REDIS_URL",
    "JWT_SECRET",
    "JWT_TTL_SECS",
    "API_ADDR",
    "WEB_ADDR",
    "PUBLIC_API_URL",
    "PUBLIC_WEB_URL",
    "CORS_ALLOWED_ORIGINS",
    "CORS_EXPOSE_HEADERS",
    "CORS_ALLOW_CREDENTIALS",
    "DATA_DIR",
    "MEDIA_DIR",
    "DIST_DIR",
    "KV_PREFIX",
    "LOG_FORMAT",
];

impl Settings {
    /// Loads defaults, then `DADASHOP_CONFIG` (or `dadashop.toml` if present), then the
    /// environment. A `.env` file in the working directory is read first unless the profile
    /// is production. Errors name the offending variable.
    pub fn load() -> anyhow::Result<Self> {
        if std::env::var("DADASHOP_ENV").as_deref() != Ok("production") {
            // A missing .env is the normal case; a malformed one is worth stopping for.
            match dotenvy::dotenv() {
                Ok(_) => {}
                Err(e) if e.not_found() => {}
                Err(e) => return Err(e).context("could not read .env"),
            }
        }
        let file = std::env::var("DADASHOP_CONFIG").unwrap_or_else(|_| "dadashop.toml".into());
        let settings: Settings = Figment::from(Serialized::defaults(Settings::default()))
            .merge(Toml::file(&file))
            .merge(
                Env::raw()
                    .only(ENV_KEYS)
                    .map(|k| k.as_str().to_lowercase().into()),
            )
            .extract()
            .context("invalid configuration")?;
        Ok(settings)
    }

    /// Checks the settings and fills the development JWT secret. Call once at start.
    ///
    /// # Errors
    /// A message naming the variable for: an unknown database scheme, a production start
    /// without `JWT_SECRET` or with one shorter than 32 bytes, a zero token lifetime,
    /// a malformed origin in `CORS_ALLOWED_ORIGINS` (or `null`/`*`).
    pub fn validate(mut self) -> anyhow::Result<Self> {
        if !(self.database_url.starts_with("sqlite:") || self.database_url.starts_with("mysql:")) {
            bail!(
                "DATABASE_URL must start with sqlite:// or mysql:// (got {:?})",
                scheme(&self.database_url)
            );
        }
        if self.jwt_ttl_secs == 0 || self.jwt_ttl_secs > 30 * 86_400 {
            bail!("JWT_TTL_SECS must be between 1 and 2592000 seconds");
        }
        for origin in self.allowed_origins() {
            if !is_origin(&origin) {
                bail!("CORS_ALLOWED_ORIGINS: {origin:?} is not an origin like http://host:port");
            }
        }
        for url in [&self.public_api_url, &self.public_web_url] {
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                bail!("PUBLIC_API_URL and PUBLIC_WEB_URL must be http(s) URLs (got {url:?})");
            }
        }
        match (&self.jwt_secret, self.dadashop_env) {
            (Some(s), _) if s.len() >= MIN_JWT_SECRET_BYTES => {}
            (Some(_), Profile::Production) | (None, Profile::Production) => bail!(
                "JWT_SECRET must be set to at least {MIN_JWT_SECRET_BYTES} random bytes in production"
            ),
            (Some(_), _) => bail!("JWT_SECRET is shorter than {MIN_JWT_SECRET_BYTES} bytes"),
            (None, _) => self.jwt_secret = Some(dev_secret(&self.data_dir)?),
        }
        Ok(self)
    }

    /// The CORS allow-list, trimmed, without trailing slashes, empty entries dropped.
    pub fn allowed_origins(&self) -> Vec<String> {
        split_list(&self.cors_allowed_origins)
            .map(|o| o.trim_end_matches('/').to_owned())
            .collect()
    }

    /// The headers listed in `CORS_EXPOSE_HEADERS`.
    pub fn expose_headers(&self) -> Vec<String> {
        split_list(&self.cors_expose_headers)
            .map(str::to_owned)
            .collect()
    }

    /// `<PUBLIC_API_URL>/media/`, the `base_url` of goods answers.
    pub fn media_base_url(&self) -> String {
        format!("{}/media/", self.public_api_url.trim_end_matches('/'))
    }

    /// Whether `DATABASE_URL` points at MySQL/MariaDB.
    pub fn is_mysql(&self) -> bool {
        self.database_url.starts_with("mysql:")
    }
}

fn split_list(s: &str) -> impl Iterator<Item = &str> {
    s.split(',').map(str::trim).filter(|s| !s.is_empty())
}

fn scheme(url: &str) -> &str {
    url.split_once(':').map_or(url, |(s, _)| s)
}

/// `scheme://host[:port]` with no path, query, user info or wildcard.
fn is_origin(s: &str) -> bool {
    let Some((scheme, rest)) = s.split_once("://") else {
        return false;
    };
    matches!(scheme, "http" | "https")
        && !rest.is_empty()
        && !rest.contains(['/', '?', '#', '@', '*', ' '])
}

/// Reads the development JWT secret from `data_dir/jwt_secret`, creating it (32 random bytes,
/// hex, mode 0600) the first time so that tokens survive restarts.
fn dev_secret(data_dir: &Path) -> anyhow::Result<String> {
    let path = data_dir.join("jwt_secret");
    if let Ok(existing) = std::fs::read_to_string(&path) {
        let existing = existing.trim().to_owned();
        if existing.len() >= MIN_JWT_SECRET_BYTES {
            return Ok(existing);
        }
    }
    std::fs::create_dir_all(data_dir)
        .with_context(|| format!("could not create DATA_DIR {}", data_dir.display()))?;
    let bytes: [u8; 32] = rand::random();
    let secret: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    write_private(&path, &secret).with_context(|| format!("could not write {}", path.display()))?;
    tracing::info!(path = %path.display(), "generated a development JWT secret");
    Ok(secret)
}

#[cfg(unix)]
fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(contents.as_bytes())
}

#[cfg(not(unix))]
fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    std::fs::write(path, contents)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn production_refuses_a_missing_or_short_secret() {
        let base = Settings {
            dadashop_env: Profile::Production,
            ..Settings::default()
        };
        assert!(base.clone().validate().is_err());
        let short = Settings {
            jwt_secret: Some("x".repeat(31)),
            ..base.clone()
        };
        assert!(short.validate().is_err());
        let good = Settings {
            jwt_secret: Some("x".repeat(32)),
            ..base
        };
        assert!(good.validate().is_ok());
    }

    #[test]
    fn development_generates_and_keeps_a_secret() {
        let dir = tempfile::tempdir().expect("tempdir");
        let s = Settings {
            data_dir: dir.path().to_owned(),
            ..Settings::default()
        };
        let first = s.clone().validate().expect("valid").jwt_secret;
        let second = s.validate().expect("valid").jwt_secret;
        assert_eq!(first, second);
        assert_eq!(first.map(|s| s.len()), Some(64));
    }

    #[test]
    fn cors_origins_must_be_exact_origins() {
        for bad in ["*", "null", "http://a.example/path", "ftp://a.example"] {
            let s = Settings {
                cors_allowed_origins: bad.to_owned(),
                jwt_secret: Some("k".repeat(32)),
                ..Settings::default()
            };
            assert!(s.validate().is_err(), "{bad} should be refused");
        }
    }
}
