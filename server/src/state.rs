//! What every handler can reach: settings, the database pool, the ephemeral store and the
//! token service. No global singletons; tests build their own.

use std::sync::Arc;

use sqlx::AnyPool;

use crate::auth::jwt::TokenService;
use crate::config::Settings;
use crate::kv::Kv;

/// Shared application state; cheap to clone.
#[derive(Clone, Debug)]
pub struct AppState {
    pub settings: Arc<Settings>,
    pub db: AnyPool,
    pub kv: Kv,
    pub tokens: Arc<TokenService>,
}
