//! The `dadashop` command line: `serve`, `migrate`, `seed-demo`, `openapi`.

use clap::{Parser, Subcommand};
use tracing_subscriber::EnvFilter;
use utoipa::OpenApi;

use crate::app::{Application, BuildOptions, shutdown_signal};
use crate::config::{Profile, Settings};

/// The dadashop shop server. Configuration comes from defaults, `dadashop.toml` (or
/// `DADASHOP_CONFIG`), environment variables and `.env` (see the README).
#[derive(Debug, Parser)]
#[command(name = "dadashop", version, about)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the API (API_ADDR) and the SPA origin (WEB_ADDR); migrates first.
    Serve {
        /// Do not serve the SPA from DIST_DIR (e.g. when `trunk serve` runs on 7000).
        #[arg(long)]
        no_web: bool,
        /// Seed the demo catalog into an empty database even outside development.
        #[arg(long)]
        seed_demo: bool,
    },
    /// Apply the database migrations and exit.
    Migrate,
    /// Fill an empty catalog with the demo goods and their generated images.
    SeedDemo,
    /// Print the OpenAPI document (JSON), or with `--markdown` the reference of docs/api.md.
    Openapi {
        /// Print the Markdown endpoint reference instead of the JSON document.
        #[arg(long)]
        markdown: bool,
    },
}

/// Parses the command line and runs the command.
pub async fn run() -> anyhow::Result<()> {
    match Cli::parse().command {
        // Needs no configuration: the document is built from the code alone.
        Command::Openapi { markdown: true } => print!("{}", crate::openapi::markdown()),
        Command::Openapi { markdown: false } => {
            println!("{}", crate::openapi::ApiDoc::openapi().to_pretty_json()?);
        }
        Command::Serve { no_web, seed_demo } => {
            let settings = settings()?;
            let seed = seed_demo || settings.dadashop_env == Profile::Development;
            let app = Application::build(
                settings,
                BuildOptions {
                    web: !no_web,
                    seed_demo: seed,
                },
            )
            .await?;
            tracing::info!(api = %app.api_addr()?, web = ?app.web_addr(), "dadashop is serving");
            app.run_until(shutdown_signal()).await?;
        }
        Command::Migrate => {
            crate::app::open_database(&settings()?).await?;
            tracing::info!("migrations applied");
        }
        Command::SeedDemo => {
            let settings = settings()?;
            let db = crate::app::open_database(&settings).await?;
            match crate::seed::seed_demo(&db, &settings.media_dir).await? {
                Some(report) => {
                    tracing::info!(?report, "demo catalog seeded");
                    // Running API processes share Redis: tell them (crate::catalog). Without
                    // Redis the one API process sees the catalog when it next starts.
                    if let Some(url) = &settings.redis_url {
                        let kv = crate::kv::Kv::redis(url, &settings.kv_prefix)
                            .await
                            .map_err(|e| anyhow::anyhow!("{e}"))?;
                        crate::catalog::announce_change(&kv)
                            .await
                            .map_err(|e| anyhow::anyhow!("{e}"))?;
                    }
                }
                None => tracing::info!("the catalog is not empty; nothing seeded"),
            }
        }
    }
    Ok(())
}

/// Reads and validates the configuration, starting the logs on the way.
fn settings() -> anyhow::Result<Settings> {
    let settings = Settings::load()?;
    init_tracing(&settings.log_format);
    settings.validate()
}

/// Logs to stderr; `RUST_LOG` filters (default `info`), `LOG_FORMAT=json` for log shippers.
fn init_tracing(format: &str) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let result = if format == "json" {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
    if result.is_err() {
        eprintln!("tracing was already initialised");
    }
}
