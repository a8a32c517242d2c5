//! The HTTP server loop of the API and the web origin, with the connection limits a public
//! server needs (issue #5, item 2). `axum::serve` has no header-read time-out, no idle
//! time-out and no connection cap, so a client sending its headers one byte a second, an idle
//! socket or a few thousand half-sent requests held a connection (and a file descriptor) for
//! as long as they liked. This loop drives hyper directly:
//!
//! - **Connection cap** ([`Limits::max_connections`]): a connection is accepted only with a
//!   permit; past the cap, new clients wait in the kernel's accept queue and hold no file
//!   descriptor of ours.
//! - **Header-read time-out** ([`Limits::header_read_timeout`]): hyper closes an HTTP/1
//!   connection whose request head is incomplete this long after it started waiting for it
//!   (counted from the connection's start or the end of the previous response).
//! - **Idle time-out** ([`Limits::idle_timeout`]): a watchdog closes, gracefully, a connection
//!   with no request in flight and no byte read or written for this long (an idle socket, an
//!   idle keep-alive connection, a client that stopped reading our answer). A connection that
//!   has not finished closing one idle time-out later is dropped.
//! - **HTTP/1.1 only**: cleartext HTTP/2 is refused (browsers use HTTP/2 only over TLS,
//!   which the proxy terminates); its control frames could keep a connection busy forever.
//! - **Peer address**: every request carries `ConnectInfo<SocketAddr>` for
//!   [`crate::client_ip`].
//! - **Graceful shutdown**: on the shutdown signal the listener stops accepting, every
//!   connection is asked to finish its requests in flight and close, and the loop waits for
//!   them up to [`Limits::drain_timeout`].

use std::convert::Infallible;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, watch};
use tower::ServiceExt;

use crate::config::Settings;

/// Largest number of request headers hyper parses before it answers 431 itself (with an
/// empty body). The shop's own, JSON-answered limit ([`crate::routes::MAX_HEADER_COUNT`]) is
/// lower, so that nearly every client error gets the shop's error shape.
const HYPER_MAX_HEADERS: usize = 256;

/// Connection limits of one listener.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Open connections at most.
    pub max_connections: usize,
    /// Longest wait for a complete HTTP/1 request head.
    pub header_read_timeout: Duration,
    /// Longest idle time (no request in flight, no byte moving) before the connection closes.
    pub idle_timeout: Duration,
    /// Longest wait for connections to finish at shutdown.
    pub drain_timeout: Duration,
}

impl Limits {
    /// The limits of `MAX_CONNECTIONS`, `HEADER_READ_TIMEOUT_SECS` and
    /// `KEEP_ALIVE_TIMEOUT_SECS`; the drain time-out is the request time-out plus 5 s.
    pub fn from_settings(settings: &Settings) -> Self {
        Self {
            max_connections: settings.max_connections,
            header_read_timeout: Duration::from_secs(settings.header_read_timeout_secs),
            idle_timeout: Duration::from_secs(settings.keep_alive_timeout_secs),
            drain_timeout: Duration::from_secs(settings.request_timeout_secs + 5),
        }
    }
}

/// Serves `router` on `listener` under `limits` until `shutdown` changes, then drains.
///
/// # Errors
/// Never for a client's misbehaviour (those only close that connection); accept errors such
/// as running out of file descriptors are logged and retried after 100 ms.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    mut shutdown: watch::Receiver<()>,
) -> anyhow::Result<()> {
    let permits = Arc::new(Semaphore::new(limits.max_connections));
    // HTTP/1.1 only: browsers speak HTTP/2 only over TLS, which nginx terminates, and
    // cleartext HTTP/2 would let a client hold a connection with control frames alone.
    let mut builder = auto::Builder::new(TokioExecutor::new()).http1_only();
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .max_headers(HYPER_MAX_HEADERS);
    let builder = Arc::new(builder);
    // Connections wait on this to be told to finish; it changes once, at shutdown.
    let (stop_tx, stop_rx) = watch::channel(false);

    loop {
        let permit = tokio::select! {
            permit = permits.clone().acquire_owned() => permit?,
            _ = shutdown.changed() => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            _ = shutdown.changed() => break,
        };
        if let Err(e) = stream.set_nodelay(true) {
            tracing::debug!(error = %e, "TCP_NODELAY not set");
        }
        let builder = builder.clone();
        let router = router.clone();
        let stop = stop_rx.clone();
        tokio::spawn(async move {
            serve_connection(&builder, stream, peer, router, limits, stop).await;
            drop(permit);
        });
    }

    drop(listener);
    let _ = stop_tx.send(true);
    let all = u32::try_from(limits.max_connections).unwrap_or(u32::MAX);
    if tokio::time::timeout(limits.drain_timeout, permits.acquire_many(all))
        .await
        .is_err()
    {
        tracing::warn!("connections still open after the drain time-out; closing them");
    }
    Ok(())
}

/// What the idle watchdog of one connection looks at.
#[derive(Debug)]
struct Activity {
    started: Instant,
    /// Milliseconds since `started` of the last byte read or written, or request finished.
    last_ms: AtomicU64,
    in_flight: AtomicUsize,
}

impl Activity {
    fn touch(&self) {
        let ms = u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.last_ms.store(ms, Ordering::Relaxed);
    }

    fn idle_for(&self) -> Duration {
        let last = Duration::from_millis(self.last_ms.load(Ordering::Relaxed));
        self.started.elapsed().saturating_sub(last)
    }
}

/// Counts a request in flight until dropped (also when the client goes away mid-request).
struct InFlight(Arc<Activity>);

impl InFlight {
    fn begin(activity: &Arc<Activity>) -> Self {
        activity.in_flight.fetch_add(1, Ordering::Relaxed);
        activity.touch();
        Self(activity.clone())
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.touch();
        self.0.in_flight.fetch_sub(1, Ordering::Relaxed);
    }
}

async fn serve_connection(
    builder: &auto::Builder<TokioExecutor>,
    stream: TcpStream,
    peer: SocketAddr,
    router: Router,
    limits: Limits,
    mut stop: watch::Receiver<bool>,
) {
    let idle_timeout = limits.idle_timeout;
    let activity = Arc::new(Activity {
        started: Instant::now(),
        last_ms: AtomicU64::new(0),
        in_flight: AtomicUsize::new(0),
    });
    let io = TokioIo::new(Tracked {
        inner: stream,
        activity: activity.clone(),
    });
    let service_activity = activity.clone();
    let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
        request.extensions_mut().insert(ConnectInfo(peer));
        let guard = InFlight::begin(&service_activity);
        let router = router.clone();
        async move {
            let response = router.oneshot(request).await;
            drop(guard);
            Ok::<_, Infallible>(response.unwrap_or_else(|never| match never {}))
        }
    });
    let conn = builder.serve_connection_with_upgrades(io, service);
    tokio::pin!(conn);
    // Once asked to close, a connection gets this long to finish what it is writing; a
    // client that stopped reading would otherwise hold it (and its permit) for ever.
    let mut deadline: Option<tokio::time::Instant> = None;
    loop {
        let at = deadline;
        let hard_stop = async move {
            match at {
                Some(at) => tokio::time::sleep_until(at).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            result = conn.as_mut() => {
                if let Err(e) = result {
                    tracing::debug!(%peer, error = %e, "connection ended with an error");
                }
                return;
            }
            () = idle(&activity, idle_timeout), if deadline.is_none() => {
                tracing::debug!(%peer, "closing an idle connection");
                conn.as_mut().graceful_shutdown();
                deadline = Some(tokio::time::Instant::now() + idle_timeout);
            }
            _ = stop.changed(), if deadline.is_none() => {
                conn.as_mut().graceful_shutdown();
                deadline = Some(tokio::time::Instant::now() + limits.drain_timeout);
            }
            () = hard_stop => {
                tracing::debug!(%peer, "dropping a connection that did not finish closing");
                return;
            }
        }
    }
}

/// Resolves once the connection has had no request in flight and no traffic for `timeout`.
async fn idle(activity: &Activity, timeout: Duration) {
    loop {
        let idle_for = activity.idle_for();
        if activity.in_flight.load(Ordering::Relaxed) == 0 && idle_for >= timeout {
            return;
        }
        let wait = timeout
            .saturating_sub(idle_for)
            .max(Duration::from_millis(50));
        tokio::time::sleep(wait).await;
    }
}

/// A socket that notes when bytes last moved.
struct Tracked {
    inner: TcpStream,
    activity: Arc<Activity>,
}

impl AsyncRead for Tracked {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let result = Pin::new(&mut self.inner).poll_read(cx, buf);
        if buf.filled().len() > before {
            self.activity.touch();
        }
        result
    }
}

impl AsyncWrite for Tracked {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let result = Pin::new(&mut self.inner).poll_write(cx, buf);
        if matches!(result, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.touch();
        }
        result
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let result = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        if matches!(result, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.touch();
        }
        result
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}
