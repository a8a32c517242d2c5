//! One Redis connection for the ephemeral store (crate::kv) and the job queues
//! (crate::jobs): a plain Redis, or the master of a set that Redis Sentinel watches.
//!
//! `REDIS_URL` takes either form:
//!
//! - `redis://[[user]:password@]host[:port][/db]`: one Redis server, reconnected in the
//!   background by the redis crate's `ConnectionManager` when the link breaks;
//! - `redis+sentinel://[[user]:password@]host[:port][,host[:port]...]/<master-name>[/db]`:
//!   the Sentinels (port 26379 when left out) and the name they monitor the master under
//!   (`sentinel monitor <master-name> ...` in sentinel.conf). The user and password, if any,
//!   are the master's (`requirepass` / ACL); `?sentinel_password=` gives the Sentinels' own
//!   password when they have one. Percent-encode reserved characters in passwords.
//!
//! With Sentinel, the master's address is asked of the Sentinels at start, and again after
//! a command fails in a way that says the master is gone or demoted: the link is refused or
//! dropped, the command timed out, or the server answers `READONLY` (an old master that came
//! back as a replica). Those lookups happen at most every [`RESOLVE_INTERVAL`]. The failed
//! command itself is not repeated (it may have been applied: an `INCR` of a throttle must
//! not count twice); its caller answers 503 as for any Redis outage, and the next command
//! goes to the new master. So after a failover the shop carries on without a restart, and
//! what Redis replication had copied to the new master (codes, throttles, queued jobs) is
//! still there.
//!
//! The Sentinel protocol itself (`SENTINEL get-master-addr-by-name`, the `ROLE` check of the
//! answer) is the redis crate's (`redis::sentinel`); this module only decides when to ask.

use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use redis::aio::{ConnectionLike, ConnectionManager, ConnectionManagerConfig};
use redis::sentinel::{SentinelClient, SentinelNodeConnectionInfo, SentinelServerType};
use redis::{
    Cmd, ConnectionAddr, ConnectionInfo, IntoConnectionInfo, Pipeline, RedisError, RedisFuture,
    RedisResult, Value,
};

/// Least time between two lookups of the master with the Sentinels.
pub const RESOLVE_INTERVAL: Duration = Duration::from_millis(500);

/// Port of a Sentinel whose address gives none.
pub const SENTINEL_DEFAULT_PORT: u16 = 26379;

/// Where Redis is, as `REDIS_URL` says.
#[derive(Clone, PartialEq, Eq)]
pub enum RedisTarget {
    /// One server: the URL as given (`redis://...`, `rediss://...`, `unix://...`).
    Direct(String),
    /// A master watched by Sentinels.
    Sentinel(SentinelTarget),
}

/// The parts of a `redis+sentinel://` URL.
#[derive(Clone, PartialEq, Eq)]
pub struct SentinelTarget {
    /// The Sentinels, as `(host, port)`.
    pub sentinels: Vec<(String, u16)>,
    /// The name the Sentinels monitor the master under.
    pub master_name: String,
    /// The logical database on the master (0 when left out).
    pub db: i64,
    /// The master's user (Redis 6 ACL), if any.
    pub username: Option<String>,
    /// The master's password, if any.
    pub password: Option<String>,
    /// The Sentinels' password, if any (`?sentinel_password=`).
    pub sentinel_password: Option<String>,
}

impl std::fmt::Debug for SentinelTarget {
    /// Leaves the passwords out.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SentinelTarget")
            .field("sentinels", &self.sentinels)
            .field("master_name", &self.master_name)
            .field("db", &self.db)
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for RedisTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Direct(url) => f
                .debug_tuple("Direct")
                .field(&crate::db::redact(url))
                .finish(),
            Self::Sentinel(t) => f.debug_tuple("Sentinel").field(t).finish(),
        }
    }
}

/// A `REDIS_URL` that cannot be used; the message says why (never the password).
#[derive(Debug, thiserror::Error)]
#[error("REDIS_URL: {0}")]
pub struct TargetError(String);

fn decode(part: &str) -> Result<String, TargetError> {
    percent_encoding::percent_decode_str(part)
        .decode_utf8()
        .map(|s| s.into_owned())
        .map_err(|_| TargetError("a user or password is not valid percent-encoded UTF-8".into()))
}

impl RedisTarget {
    /// Reads `url`: `redis+sentinel://` is a Sentinel set (module docs), anything else goes
    /// to the redis crate as it is.
    ///
    /// # Errors
    /// [`TargetError`] for a Sentinel URL without Sentinels or master name, with a bad port or
    /// database number, or with `rediss+sentinel://` (TLS to Sentinels is not built in).
    pub fn parse(url: &str) -> Result<Self, TargetError> {
        if url.starts_with("rediss+sentinel://") {
            return Err(TargetError(
                "TLS to Sentinels (rediss+sentinel://) is not supported; use redis+sentinel:// on a private network".into(),
            ));
        }
        let Some(rest) = url.strip_prefix("redis+sentinel://") else {
            return Ok(Self::Direct(url.to_owned()));
        };
        let (rest, query) = rest.split_once('?').unwrap_or((rest, ""));
        let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
        let (userinfo, hosts) = match authority.rsplit_once('@') {
            Some((u, h)) => (Some(u), h),
            None => (None, authority),
        };
        let (username, password) = match userinfo {
            None => (None, None),
            Some(u) => {
                let (user, pass) = u.split_once(':').unwrap_or((u, ""));
                let user = decode(user)?;
                let pass = decode(pass)?;
                (
                    (!user.is_empty()).then_some(user),
                    (!pass.is_empty()).then_some(pass),
                )
            }
        };
        let mut sentinels = Vec::new();
        for host in hosts.split(',').filter(|h| !h.is_empty()) {
            sentinels.push(parse_host(host)?);
        }
        if sentinels.is_empty() {
            return Err(TargetError(
                "a redis+sentinel:// URL names at least one Sentinel (host:port)".into(),
            ));
        }
        let mut segments = path.split('/').filter(|s| !s.is_empty());
        let master_name = segments
            .next()
            .map(decode)
            .transpose()?
            .ok_or_else(|| {
                TargetError(
                    "a redis+sentinel:// URL ends with the master name: redis+sentinel://host:26379/<master-name>[/db]".into(),
                )
            })?;
        let db = match segments.next() {
            None => 0,
            Some(d) => d
                .parse::<i64>()
                .ok()
                .filter(|d| *d >= 0)
                .ok_or_else(|| TargetError(format!("database number {d:?} is not a number")))?,
        };
        if segments.next().is_some() {
            return Err(TargetError(
                "a redis+sentinel:// path is /<master-name>[/db]".into(),
            ));
        }
        let mut sentinel_password = None;
        for (key, value) in form_urlencoded::parse(query.as_bytes()) {
            match key.as_ref() {
                "sentinel_password" => sentinel_password = Some(value.into_owned()),
                other => {
                    return Err(TargetError(format!(
                        "unknown redis+sentinel:// parameter {other:?} (only sentinel_password)"
                    )));
                }
            }
        }
        Ok(Self::Sentinel(SentinelTarget {
            sentinels,
            master_name,
            db,
            username,
            password,
            sentinel_password,
        }))
    }
}

/// `host[:port]` or `[v6]:port` of one Sentinel.
fn parse_host(host: &str) -> Result<(String, u16), TargetError> {
    let bad = || TargetError(format!("Sentinel address {host:?} is not host:port"));
    let (name, port) = if let Some(v6) = host.strip_prefix('[') {
        let (name, after) = v6.split_once(']').ok_or_else(bad)?;
        match after.strip_prefix(':') {
            Some(p) => (name, Some(p)),
            None if after.is_empty() => (name, None),
            None => return Err(bad()),
        }
    } else {
        match host.split_once(':') {
            Some((n, p)) => (n, Some(p)),
            None => (host, None),
        }
    };
    if name.is_empty() {
        return Err(bad());
    }
    let port = match port {
        None => SENTINEL_DEFAULT_PORT,
        Some(p) => p.parse::<u16>().ok().filter(|p| *p > 0).ok_or_else(bad)?,
    };
    Ok((name.to_owned(), port))
}

/// The shared connection: cheap to clone; every clone follows the same master.
#[derive(Clone)]
pub struct RedisLink {
    inner: Arc<Inner>,
    db: i64,
}

struct Inner {
    current: RwLock<ConnectionManager>,
    config: ConnectionManagerConfig,
    sentinel: Option<Resolver>,
}

/// What finds the master again after a failover.
struct Resolver {
    client: tokio::sync::Mutex<SentinelClient>,
    master: Mutex<ConnectionAddr>,
    last_lookup: Mutex<Option<Instant>>,
    master_name: String,
}

impl std::fmt::Debug for RedisLink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut s = f.debug_struct("RedisLink");
        if let Some(r) = &self.inner.sentinel {
            s.field("sentinel_master", &r.master_name);
            if let Ok(addr) = r.master.lock() {
                s.field("address", &addr.to_string());
            }
        }
        s.field("db", &self.db).finish()
    }
}

impl RedisLink {
    /// Connects to the Redis of `url` (a plain or a Sentinel URL, module docs) with the
    /// reconnection and time-out settings of `config`.
    ///
    /// # Errors
    /// A bad URL (`InvalidClientConfig`), no Sentinel answering for the master, or the master
    /// (or the plain server) refusing the connection.
    pub async fn connect(url: &str, config: ConnectionManagerConfig) -> RedisResult<Self> {
        let target = RedisTarget::parse(url).map_err(|e| {
            RedisError::from((redis::ErrorKind::InvalidClientConfig, "bad REDIS_URL", e.0))
        })?;
        match target {
            RedisTarget::Direct(url) => {
                let info = url.as_str().into_connection_info()?;
                let db = info.redis_settings().db();
                let client = redis::Client::open(info)?;
                let manager = ConnectionManager::new_with_config(client, config.clone()).await?;
                Ok(Self {
                    inner: Arc::new(Inner {
                        current: RwLock::new(manager),
                        config,
                        sentinel: None,
                    }),
                    db,
                })
            }
            RedisTarget::Sentinel(target) => Self::connect_sentinel(target, config).await,
        }
    }

    async fn connect_sentinel(
        target: SentinelTarget,
        config: ConnectionManagerConfig,
    ) -> RedisResult<Self> {
        let mut master_info = redis::RedisConnectionInfo::default().set_db(target.db);
        if let Some(user) = &target.username {
            master_info = master_info.set_username(user);
        }
        if let Some(password) = &target.password {
            master_info = master_info.set_password(password);
        }
        let sentinels = target
            .sentinels
            .iter()
            .map(|(host, port)| {
                let info: ConnectionInfo =
                    ConnectionAddr::Tcp(host.clone(), *port).into_connection_info()?;
                Ok(match &target.sentinel_password {
                    Some(p) => {
                        let settings = info.redis_settings().clone().set_password(p);
                        info.set_redis_settings(settings)
                    }
                    None => info,
                })
            })
            .collect::<RedisResult<Vec<ConnectionInfo>>>()?;
        let mut client = SentinelClient::build(
            sentinels,
            target.master_name.clone(),
            Some(SentinelNodeConnectionInfo::default().set_redis_connection_info(master_info)),
            SentinelServerType::Master,
        )?;
        let master = client.async_get_client().await?;
        let addr = master.get_connection_info().addr().clone();
        let manager = ConnectionManager::new_with_config(master, config.clone()).await?;
        tracing::info!(master = %addr, name = %target.master_name, "Redis master found through Sentinel");
        Ok(Self {
            inner: Arc::new(Inner {
                current: RwLock::new(manager),
                config,
                sentinel: Some(Resolver {
                    client: tokio::sync::Mutex::new(client),
                    master: Mutex::new(addr),
                    last_lookup: Mutex::new(Some(Instant::now())),
                    master_name: target.master_name,
                }),
            }),
            db: target.db,
        })
    }

    /// Whether this link follows a Sentinel-watched master.
    pub fn is_sentinel(&self) -> bool {
        self.inner.sentinel.is_some()
    }

    fn manager(&self) -> ConnectionManager {
        // A poisoned lock still holds a usable manager (it is only ever replaced whole).
        match self.inner.current.read() {
            Ok(m) => m.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// After a failed command: when `e` says the master may have moved, asks the Sentinels
    /// (at most every [`RESOLVE_INTERVAL`]) and switches to the master they name.
    async fn after_error(&self, e: &RedisError) {
        let Some(resolver) = &self.inner.sentinel else {
            return;
        };
        let moved = e.is_io_error()
            || e.is_connection_refusal()
            || e.is_connection_dropped()
            || e.is_timeout()
            || matches!(
                e.kind(),
                redis::ErrorKind::Server(redis::ServerErrorKind::ReadOnly)
            );
        if !moved {
            return;
        }
        {
            let Ok(mut last) = resolver.last_lookup.lock() else {
                return;
            };
            if last.is_some_and(|t| t.elapsed() < RESOLVE_INTERVAL) {
                return;
            }
            *last = Some(Instant::now());
        }
        let mut client = resolver.client.lock().await;
        let master = match client.async_get_client().await {
            Ok(m) => m,
            Err(err) => {
                tracing::warn!(error = %err, name = %resolver.master_name, "no Sentinel named a Redis master");
                return;
            }
        };
        let addr = master.get_connection_info().addr().clone();
        let same = resolver.master.lock().map(|a| *a == addr).unwrap_or(false);
        if same
            && !matches!(
                e.kind(),
                redis::ErrorKind::Server(redis::ServerErrorKind::ReadOnly)
            )
        {
            return;
        }
        match ConnectionManager::new_with_config(master, self.inner.config.clone()).await {
            Ok(manager) => {
                if let Ok(mut current) = self.inner.current.write() {
                    *current = manager;
                }
                if let Ok(mut a) = resolver.master.lock() {
                    *a = addr.clone();
                }
                metrics::counter!("redis_master_switches_total").increment(1);
                tracing::warn!(master = %addr, name = %resolver.master_name, "switched to the Redis master the Sentinels name");
            }
            Err(err) => {
                tracing::warn!(error = %err, master = %addr, "could not connect to the Redis master the Sentinels name");
            }
        }
    }
}

impl ConnectionLike for RedisLink {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, Value> {
        Box::pin(async move {
            let mut conn = self.manager();
            let result = conn.req_packed_command(cmd).await;
            if let Err(e) = &result {
                self.after_error(e).await;
            }
            result
        })
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        pipeline: &'a Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<Value>> {
        Box::pin(async move {
            let mut conn = self.manager();
            let result = conn.req_packed_commands(pipeline, offset, count).await;
            if let Err(e) = &result {
                self.after_error(e).await;
            }
            result
        })
    }

    fn get_db(&self) -> i64 {
        self.db
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sentinel(url: &str) -> SentinelTarget {
        match RedisTarget::parse(url) {
            Ok(RedisTarget::Sentinel(t)) => t,
            other => panic!("{url}: {other:?}"),
        }
    }

    #[test]
    fn plain_urls_pass_through() {
        assert_eq!(
            RedisTarget::parse("redis://127.0.0.1:6379/2").ok(),
            Some(RedisTarget::Direct("redis://127.0.0.1:6379/2".into()))
        );
    }

    #[test]
    fn sentinel_urls_name_sentinels_master_and_db() {
        let t = sentinel("redis+sentinel://10.0.0.1:26380,10.0.0.2,[::1]:26381/shop/3");
        assert_eq!(
            t.sentinels,
            vec![
                ("10.0.0.1".to_owned(), 26380),
                ("10.0.0.2".to_owned(), 26379),
                ("::1".to_owned(), 26381)
            ]
        );
        assert_eq!(t.master_name, "shop");
        assert_eq!(t.db, 3);
        assert_eq!(t.password, None);

        let t = sentinel("redis+sentinel://:p%40ss@h:1/m?sentinel_password=s%26x");
        assert_eq!(t.password.as_deref(), Some("p@ss"));
        assert_eq!(t.username, None);
        assert_eq!(t.sentinel_password.as_deref(), Some("s&x"));
        assert_eq!(t.db, 0);
        assert!(
            !format!("{t:?}").contains("p@ss"),
            "Debug leaves passwords out"
        );

        let t = sentinel("redis+sentinel://shop:pw@h/m/0");
        assert_eq!(t.username.as_deref(), Some("shop"));
        assert_eq!(t.password.as_deref(), Some("pw"));
    }

    #[test]
    fn bad_sentinel_urls_are_refused_with_a_reason() {
        for url in [
            "redis+sentinel:///m",
            "redis+sentinel://h:26379",
            "redis+sentinel://h:26379/",
            "redis+sentinel://h:x/m",
            "redis+sentinel://h:0/m",
            "redis+sentinel://h/m/-1",
            "redis+sentinel://h/m/x",
            "redis+sentinel://h/m/0/extra",
            "redis+sentinel://h/m?db=1",
            "rediss+sentinel://h/m",
        ] {
            assert!(RedisTarget::parse(url).is_err(), "{url} was accepted");
        }
    }
}
