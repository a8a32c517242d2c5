//! What every handler can reach: settings, the database pool, the ephemeral store, the token
//! service, the bounded password hasher, the trusted proxies, the Weibo and Alipay clients. No global singletons; tests
//! build their own.

use std::sync::Arc;

use sqlx::AnyPool;

use crate::alipay::AlipayClient;
use crate::auth::jwt::TokenService;
use crate::auth::password::Hasher;
use crate::catalog::GoodsCache;
use crate::client_ip::TrustedProxies;
use crate::config::Settings;
use crate::db::replica::{CatalogReads, Replica};
use crate::jobs::Jobs;
use crate::kv::Kv;
use crate::search::SearchIndex;
use crate::verify::CodeKey;
use crate::weibo::WeiboClient;

/// Shared application state; cheap to clone.
#[derive(Clone, Debug)]
pub struct AppState {
    pub settings: Arc<Settings>,
    pub db: AnyPool,
    pub kv: Kv,
    pub tokens: Arc<TokenService>,
    /// The operators' console tokens (their own key and audience).
    pub staff_tokens: Arc<crate::auth::jwt::StaffTokenService>,
    /// Product views per catalog counted in this process, added to the database every few
    /// seconds (the console's dashboard).
    pub visits: Arc<crate::routes::admin::dashboard::VisitCounter>,
    /// The dashboard charts' figures of the days before yesterday, kept a few minutes.
    pub closed_days: Arc<crate::routes::admin::dashboard::ClosedDaysCache>,
    pub hasher: Hasher,
    pub proxies: Arc<TrustedProxies>,
    /// The Weibo app, when Weibo login is on (`WEIBO_CLIENT_ID`).
    pub weibo: Option<Arc<WeiboClient>>,
    /// Cached goods answers of this process, valid for one goods generation (crate::catalog).
    pub goods_cache: Arc<GoodsCache>,
    /// The catalog's search index (crate::search).
    pub search: Arc<SearchIndex>,
    /// The job queues (SMS, mail): Redis or the SQLite queue file.
    pub jobs: Jobs,
    /// The Alipay app, when online payment is on (`ALIPAY_APP_ID`).
    pub alipay: Option<Arc<AlipayClient>>,
    /// The HMAC key of verification codes.
    pub code_key: CodeKey,
    /// The read replica of catalog reads, when `DATABASE_REPLICA_URL` is set.
    pub replica: Option<Arc<Replica>>,
    /// Where pictures are kept: `MEDIA_DIR` or the object storage of `MEDIA_STORE_URL`.
    pub media: crate::media::MediaStore,
}

impl AppState {
    /// Where the catalog reads of a request under goods generation `generation` go: the
    /// replica when it may serve, else the primary (crate::db::replica).
    pub fn catalog_reads(&self, generation: &str) -> CatalogReads<'_> {
        CatalogReads::new(
            &self.db,
            self.replica.as_deref(),
            crate::catalog::changed_at_ms(generation),
            crate::db::now_millis(),
        )
    }
}
