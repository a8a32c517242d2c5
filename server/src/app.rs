//! `Application::build(settings)`: everything `serve` needs, used by `main` and by the tests
//! alike (listeners bound to the configured addresses, port 0 in tests).

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use tokio::net::TcpListener;

use crate::auth::jwt::TokenService;
use crate::auth::password::Hasher;
use crate::config::Settings;
use crate::kv::Kv;
use crate::state::AppState;

/// Loads the address picker's divisions from `REGIONS_DIR` when the table is empty. A
/// missing folder is a warning (addresses then stay free text); a malformed one stops the
/// start.
async fn load_regions(state: &AppState) -> anyhow::Result<()> {
    let dir = &state.settings.regions_dir;
    if crate::db::regions::count(&state.db).await? > 0 {
        return Ok(());
    }
    if !dir.is_dir() {
        tracing::warn!(
            dir = %dir.display(),
            "no region data (省/市/区): run scripts/setup.sh or set REGIONS_DIR; addresses stay free text"
        );
        return Ok(());
    }
    let added = crate::db::regions::import_dir(&state.db, dir).await?;
    tracing::info!(added, "regions loaded");
    Ok(())
}

/// A built, not yet running, shop.
#[derive(Debug)]
pub struct Application {
    state: AppState,
    api: TcpListener,
    web: Option<(TcpListener, axum::Router)>,
    worker: bool,
}

/// Options of [`Application::build`].
#[derive(Debug, Clone, Copy)]
pub struct BuildOptions {
    /// Also serve the SPA on `WEB_ADDR`.
    pub web: bool,
    /// Seed the demo catalog when the catalog is empty.
    pub seed_demo: bool,
    /// Also run the background workers in this process (`serve` without `--no-worker`).
    pub worker: bool,
}

impl Application {
    /// Connects the database (applying migrations) and the ephemeral store, seeds the demo
    /// catalog when asked and the catalog is empty, and binds the listeners.
    ///
    /// `settings` must have passed [`Settings::validate`].
    pub async fn build(settings: Settings, options: BuildOptions) -> anyhow::Result<Self> {
        Self::build_on(settings, options, None).await
    }

    /// [`Application::build`] serving the API on `api`, a listener the caller bound already
    /// (its address must be `settings.api_addr`, which the settings' URLs may name), instead
    /// of binding `API_ADDR`. Tests use it to know the port before the settings are fixed
    /// without another process taking that port in between.
    pub async fn build_on(
        settings: Settings,
        options: BuildOptions,
        api: Option<std::net::TcpListener>,
    ) -> anyhow::Result<Self> {
        let state = connect(settings).await?;
        if options.seed_demo
            && let Some(report) = crate::seed::seed_demo(&state.db, &state.media).await?
        {
            tracing::info!(?report, "seeded the demo catalog");
            crate::catalog::announce_change(&state.kv)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))
                .context("announcing the demo catalog")?;
            state.search.refresh(&state.db).await?;
        }
        load_regions(&state).await?;
        let settings = &state.settings;
        let web = if options.web {
            let router = crate::web::router(&state)?;
            let listener = TcpListener::bind(settings.web_addr)
                .await
                .with_context(|| format!("could not listen on WEB_ADDR {}", settings.web_addr))?;
            Some((listener, router))
        } else {
            None
        };
        let api = match api {
            Some(listener) => {
                listener.set_nonblocking(true)?;
                TcpListener::from_std(listener)?
            }
            None => TcpListener::bind(settings.api_addr)
                .await
                .with_context(|| format!("could not listen on API_ADDR {}", settings.api_addr))?,
        };
        Ok(Self {
            state,
            api,
            web,
            worker: options.worker,
        })
    }

    /// Where the API listens.
    pub fn api_addr(&self) -> anyhow::Result<SocketAddr> {
        Ok(self.api.local_addr()?)
    }

    /// Where the web origin listens, if it runs.
    pub fn web_addr(&self) -> Option<SocketAddr> {
        self.web.as_ref().and_then(|(l, _)| l.local_addr().ok())
    }

    /// The state handlers see (tests use it to reach the database).
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until `shutdown` resolves, then lets in-flight requests finish.
    ///
    /// # Errors
    /// Besides a server that cannot run, when the in-process background workers give up
    /// (crate::jobs::run_workers: never for an outage of Redis or the database, which they
    /// wait out): then `/readyz` answers 503, the servers stop as for `shutdown`, and the
    /// error is returned, so that `dadashop serve` exits non-zero and its service manager
    /// starts it again with working workers. An API that kept serving without them would
    /// queue SMS codes and order time-outs that nothing runs.
    pub async fn run_until(
        self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let (tx, rx) = tokio::sync::watch::channel(());
        let stop_servers = tx.clone();
        tokio::spawn(async move {
            shutdown.await;
            let _ = tx.send(());
        });
        let workers = if self.worker {
            let mut ctx =
                crate::jobs::JobContext::new(&self.state.settings, self.state.db.clone())?;
            ctx.kv = Some(self.state.kv.clone());
            ctx.alipay.clone_from(&self.state.alipay);
            let mut stop = rx.clone();
            let run = crate::jobs::run_workers(
                self.state.settings.clone(),
                ctx,
                self.state.jobs.clone(),
                async move {
                    let _ = stop.changed().await;
                },
            );
            Some(tokio::spawn(async move {
                let result = run.await;
                if let Err(e) = &result {
                    tracing::error!(
                        error = %format!("{e:#}"),
                        "background workers gave up; stopping the servers so that the process exits non-zero and is restarted"
                    );
                    let _ = stop_servers.send(());
                }
                result
            }))
        } else {
            None
        };
        let limits = crate::serve::Limits::from_settings(&self.state.settings);
        let api_router = crate::routes::api_router(self.state.clone());
        let api = crate::serve::serve(self.api, api_router, limits, rx.clone());
        match self.web {
            Some((listener, router)) => {
                let web = crate::serve::serve(listener, router, limits, rx);
                let (a, w) = tokio::join!(api, web);
                a.context("API server")?;
                w.context("web server")?;
            }
            None => api.await.context("API server")?,
        }
        if let Some(workers) = workers {
            workers.await.context("job workers")??;
        }
        Ok(())
    }
}

/// Opens the database of `settings` and applies the pending migrations. `migrate` and
/// `seed-demo` need nothing more (no Redis, no token service).
pub async fn open_database(settings: &Settings) -> anyhow::Result<sqlx::AnyPool> {
    let db = crate::db::connect(&settings.database_url).await?;
    crate::db::migrate(&db, settings.is_mysql()).await?;
    Ok(db)
}

/// Opens the database (migrating it) and the ephemeral store, and makes the token service.
pub async fn connect(settings: Settings) -> anyhow::Result<AppState> {
    let db = open_database(&settings).await?;
    let kv = match &settings.redis_url {
        Some(url) => Kv::redis(url, &settings.kv_prefix).await.with_context(|| {
            format!("could not connect to REDIS_URL {}", crate::db::redact(url))
        })?,
        None => Kv::memory(&settings.kv_prefix),
    };
    let secret = settings
        .jwt_secret
        .clone()
        .context("JWT secret missing: call Settings::validate first")?;
    let tokens = Arc::new(TokenService::new(secret.as_bytes(), settings.jwt_ttl_secs));
    let staff_tokens = Arc::new(crate::auth::jwt::StaffTokenService::new(
        secret.as_bytes(),
        settings.staff_token_ttl_secs,
    ));
    let hasher = Hasher::new(
        settings.hash_concurrency(),
        std::time::Duration::from_secs(settings.password_hash_queue_secs),
    );
    let proxies = Arc::new(
        crate::client_ip::parse_trusted_proxies(&settings.trusted_proxies)
            .context("TRUSTED_PROXIES")?,
    );
    let jobs = crate::jobs::Jobs::connect(&settings).await?;
    let code_key = crate::verify::CodeKey::new(secret.as_bytes());
    let weibo = crate::weibo::WeiboClient::from_settings(&settings)
        .context("Weibo client")?
        .map(Arc::new);
    let alipay = crate::alipay::AlipayClient::from_settings(&settings)
        .context("Alipay client")?
        .map(Arc::new);
    let search = Arc::new(
        crate::search::SearchIndex::open(
            &settings.search_index_path(),
            &db,
            settings.search_words()?,
        )
        .await
        .with_context(|| {
            format!(
                "could not open the search index in SEARCH_INDEX_DIR {}",
                settings.search_index_path().display()
            )
        })?,
    );
    let replica = match &settings.database_replica_url {
        Some(url) => {
            let replica = crate::db::replica::Replica::open(
                url,
                std::time::Duration::from_secs(settings.database_replica_max_lag_secs),
            )?;
            replica.check().await;
            replica.spawn_monitor();
            Some(replica)
        }
        None => None,
    };
    let visits = Arc::new(crate::routes::admin::dashboard::VisitCounter::default());
    visits.clone().spawn_flusher(db.clone());
    let media = crate::media::MediaStore::from_settings(&settings)?;
    Ok(AppState {
        replica,
        media,
        settings: Arc::new(settings),
        db,
        kv,
        tokens,
        staff_tokens,
        visits,
        closed_days: Arc::default(),
        hasher,
        proxies,
        weibo,
        goods_cache: Arc::new(crate::catalog::GoodsCache::default()),
        search,
        jobs,
        code_key,
        alipay,
    })
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down: finishing in-flight requests");
}
