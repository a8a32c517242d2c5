//! The `dadashop` command line: `serve`, `worker`, `jobs`, `orders`, `alipay`, `migrate`,
//! `seed-demo`, `openapi`.

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
    /// Run the API (API_ADDR), the SPA origin (WEB_ADDR) and the background workers;
    /// migrates first.
    Serve {
        /// Do not serve the SPA from DIST_DIR (e.g. when `trunk serve` runs on 7000).
        #[arg(long)]
        no_web: bool,
        /// Do not run background workers in this process (run `dadashop worker` instead).
        #[arg(long)]
        no_worker: bool,
        /// Seed the demo catalog into an empty database even outside development.
        #[arg(long)]
        seed_demo: bool,
    },
    /// Run only the background workers (SMS, mail), sharing the queues with every other
    /// worker process; stops on Ctrl-C or SIGTERM after the running jobs finish.
    Worker,
    /// Show the job queues: pending, running, done and failed jobs per kind, and the failed
    /// jobs with their last error.
    Jobs {
        #[command(subcommand)]
        action: Option<JobsAction>,
    },
    /// Operate on orders.
    Orders {
        #[command(subcommand)]
        action: OrdersAction,
    },
    /// Alipay tools.
    Alipay {
        #[command(subcommand)]
        action: AlipayAction,
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

#[derive(Debug, Subcommand)]
enum JobsAction {
    /// Queue the failed job `id` again, with a fresh count of tries.
    Retry {
        /// The id shown by `dadashop jobs`.
        id: String,
    },
}

#[derive(Debug, Subcommand)]
enum OrdersAction {
    /// Mark the paid order `order_id` shipped (status 2 → 3); the shopper can then confirm
    /// receipt. Fails when the order is unknown or not paid.
    Ship {
        /// The 25-digit order id.
        order_id: String,
    },
    /// List the payments that arrived for cancelled orders (status 6, 退款中): refund each
    /// with its Alipay trade number (商家平台 or `alipay.trade.refund`), then record it with
    /// `dadashop orders refunded <order_id>`. Refunded ones follow, marked as such.
    Refunds,
    /// Record that the payment of the cancelled order `order_id` was refunded (status
    /// 6 → 7). Fails when the order is not waiting for a refund.
    Refunded {
        /// The 25-digit order id.
        order_id: String,
    },
}

#[derive(Debug, Subcommand)]
enum AlipayAction {
    /// Make a 2048-bit RSA key pair for an Alipay app: `app_private.pem` (PKCS#8, mode 0600:
    /// the `ALIPAY_APP_PRIVATE_KEY`) and `app_public.pem` (upload its base64 body to the
    /// Alipay console, 接口加签方式 → 公钥). Refuses to overwrite an existing private key.
    Keygen {
        /// Where to write the two files.
        #[arg(long, default_value = "data/alipay")]
        dir: std::path::PathBuf,
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
        Command::Serve {
            no_web,
            no_worker,
            seed_demo,
        } => {
            let settings = settings()?;
            let seed = seed_demo || settings.dadashop_env == Profile::Development;
            let app = Application::build(
                settings,
                BuildOptions {
                    web: !no_web,
                    seed_demo: seed,
                    worker: !no_worker,
                },
            )
            .await?;
            tracing::info!(api = %app.api_addr()?, web = ?app.web_addr(), "dadashop is serving");
            app.run_until(shutdown_signal()).await?;
        }
        Command::Worker => {
            let settings = settings()?;
            let db = crate::app::open_database(&settings).await?;
            let jobs = crate::jobs::Jobs::connect(&settings).await?;
            let mut ctx = crate::jobs::JobContext::new(&settings, db)?;
            if let Some(url) = &settings.redis_url {
                ctx.kv = Some(
                    crate::kv::Kv::redis(url, &settings.kv_prefix)
                        .await
                        .map_err(|e| anyhow::anyhow!("{e}"))?,
                );
            }
            crate::jobs::run_workers(std::sync::Arc::new(settings), ctx, jobs, shutdown_signal())
                .await?;
        }
        Command::Jobs { action } => {
            let settings = settings()?;
            let jobs = crate::jobs::Jobs::connect(&settings).await?;
            match action {
                None => print!("{}", jobs_report(&jobs).await?),
                Some(JobsAction::Retry { id }) => {
                    if jobs.retry(&id).await? {
                        println!("job {id} queued again");
                    } else {
                        anyhow::bail!("no failed job with id {id}");
                    }
                }
            }
        }
        Command::Orders {
            action: OrdersAction::Refunds,
        } => {
            let settings = settings()?;
            let db = crate::app::open_database(&settings).await?;
            print!(
                "{}",
                refunds_report(&crate::db::payments::refunds(&db).await?)
            );
        }
        Command::Orders {
            action: OrdersAction::Refunded { order_id },
        } => {
            let settings = settings()?;
            let db = crate::app::open_database(&settings).await?;
            let id = order_id.trim();
            if crate::db::payments::mark_refunded(&db, id, crate::db::now_secs()).await? {
                println!("order {id}: refund recorded");
            } else {
                anyhow::bail!(
                    "order {id} is not waiting for a refund (see `dadashop orders refunds`)"
                );
            }
        }
        Command::Alipay {
            action: AlipayAction::Keygen { dir },
        } => {
            let private = dir.join("app_private.pem");
            if private.exists() {
                anyhow::bail!("{} exists; not overwriting a key", private.display());
            }
            std::fs::create_dir_all(&dir)?;
            let (private_pem, public_pem) = crate::alipay::generate_key_pair()?;
            crate::config::write_private(&private, &private_pem)?;
            std::fs::write(dir.join("app_public.pem"), public_pem)?;
            println!(
                "wrote {} (ALIPAY_APP_PRIVATE_KEY) and {}",
                private.display(),
                dir.join("app_public.pem").display()
            );
        }
        Command::Orders {
            action: OrdersAction::Ship { order_id },
        } => {
            let settings = settings()?;
            let db = crate::app::open_database(&settings).await?;
            if crate::db::orders::ship(&db, order_id.trim(), crate::db::now_secs()).await? {
                println!("order {order_id} marked shipped");
            } else {
                let status = crate::db::orders::status(&db, order_id.trim()).await?;
                match status {
                    None => anyhow::bail!("no order {order_id}"),
                    Some((status, _)) => anyhow::bail!(
                        "order {order_id} is {} (status {status}); only a paid order (status 2) can be shipped",
                        dadashop_types::orders::status_name(status)
                    ),
                }
            }
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

/// The text `dadashop orders refunds` prints: one line per payment for a cancelled order,
/// those still to refund first (amounts in yuan, times China time).
pub fn refunds_report(rows: &[crate::db::payments::RefundRow]) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    if rows.is_empty() {
        out.push_str("no payments for cancelled orders\n");
        return out;
    }
    let _ = writeln!(
        out,
        "{:<26} {:<20} {:<34} {:>10} {:<19} state",
        "order", "user", "alipay trade_no", "amount", "paid at"
    );
    for r in rows {
        let time = |t: i64| crate::db::orders::china_time(t, crate::alipay::TIME_FORMAT);
        let state = r.refunded_at.map_or_else(
            || "TO REFUND".to_owned(),
            |t| format!("refunded {}", time(t)),
        );
        let _ = writeln!(
            out,
            "{:<26} {:<20} {:<34} {:>10} {:<19} {state}",
            r.order_id,
            r.username,
            r.trade_no,
            dadashop_types::money::format_fen(r.amount),
            time(r.paid_at),
        );
    }
    out
}

/// The text `dadashop jobs` prints: a table of counts per kind, then the failed jobs.
pub async fn jobs_report(jobs: &crate::jobs::Jobs) -> anyhow::Result<String> {
    use std::fmt::Write;
    let mut out = String::new();
    writeln!(
        out,
        "{:<13} {:>9} {:>9} {:>9} {:>9}",
        "kind", "pending", "running", "done", "failed"
    )?;
    for s in jobs.stats().await? {
        writeln!(
            out,
            "{:<13} {:>9} {:>9} {:>9} {:>9}",
            s.kind, s.pending, s.running, s.done, s.failed
        )?;
    }
    let failed = jobs.failed(50).await?;
    if !failed.is_empty() {
        writeln!(
            out,
            "\nfailed jobs (retry one with `dadashop jobs retry <id>`):"
        )?;
        for job in failed {
            writeln!(
                out,
                "{}  {}  after {} tries: {}",
                job.id, job.kind, job.attempts, job.error
            )?;
        }
    }
    Ok(out)
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
