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
//! - **hyper's own answers in the shop's shape**: a request head hyper cannot take (a target
//!   of 64 KiB or more, over [`HYPER_MAX_HEADERS`] headers, a malformed head) is answered by
//!   hyper itself before the router sees a request, with an empty body. The socket wrapper
//!   recognises that answer and writes the same status with the shop's JSON error body
//!   (`{"code": <status>, "error": ...}`) instead (issue #21, item 8).
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

/// Largest number of request headers hyper parses before it answers 431 itself (that answer
/// is rewritten with the shop's JSON body by the socket wrapper). The shop's own limit
/// ([`crate::routes::MAX_HEADER_COUNT`]) is lower.
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
        replacement: None,
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

/// A socket that notes when bytes last moved, and that writes hyper's own error answers with
/// the shop's JSON body.
struct Tracked {
    inner: TcpStream,
    activity: Arc<Activity>,
    /// The answer written in place of hyper's own error head, and how much of it is written.
    replacement: Option<(Vec<u8>, usize)>,
}

/// The status of `head` if it is an answer hyper wrote itself for a request head it refused:
/// 400, 414 or 431 with an empty body (`content-length: 0`). The shop's own answers always
/// carry a JSON body, so they never look like this.
fn hyper_error_head(head: &[u8]) -> Option<http::StatusCode> {
    let status = match head.get(..13)? {
        b"HTTP/1.1 400 " => http::StatusCode::BAD_REQUEST,
        b"HTTP/1.1 414 " => http::StatusCode::URI_TOO_LONG,
        b"HTTP/1.1 431 " => http::StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
        _ => return None,
    };
    let end = head.windows(4).position(|w| w == b"\r\n\r\n")?;
    // Only the head, nothing after it: an empty body.
    if end + 4 != head.len() {
        return None;
    }
    let lower = head[..end].to_ascii_lowercase();
    lower
        .windows(19)
        .any(|w| w == b"\r\ncontent-length: 0")
        .then_some(status)
}

/// The whole answer written instead of hyper's empty one: the same status, the shop's JSON
/// error body, and `Connection: close` (hyper closes the connection after it).
fn hyper_error_answer(status: http::StatusCode) -> Vec<u8> {
    let body = crate::error::transport_body(status);
    let mut answer = format!(
        "HTTP/1.1 {} {}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\
         x-content-type-options: nosniff\r\ncache-control: no-store\r\nconnection: close\r\n\r\n",
        status.as_u16(),
        status.canonical_reason().unwrap_or(""),
        body.len()
    )
    .into_bytes();
    answer.extend_from_slice(&body);
    answer
}

impl Tracked {
    /// Writes the pending replacement answer; ready once all of it is written.
    fn poll_replacement(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while let Some((answer, written)) = self.replacement.as_mut() {
            if *written == answer.len() {
                self.replacement = None;
                break;
            }
            match Pin::new(&mut self.inner).poll_write(cx, &answer[*written..]) {
                Poll::Ready(Ok(0)) => return Poll::Ready(Err(io::ErrorKind::WriteZero.into())),
                Poll::Ready(Ok(n)) => {
                    *written += n;
                    self.activity.touch();
                }
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Pending => return Poll::Pending,
            }
        }
        Poll::Ready(Ok(()))
    }

    /// Writes `buf`, or, when it is hyper's own error head, the shop's answer in its place
    /// (reporting all of `buf` as written once that answer is out).
    fn poll_write_head_aware(
        &mut self,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if self.replacement.is_none()
            && let Some(status) = hyper_error_head(buf)
        {
            self.replacement = Some((hyper_error_answer(status), 0));
        }
        if self.replacement.is_some() {
            return match self.poll_replacement(cx) {
                Poll::Ready(Ok(())) => Poll::Ready(Ok(buf.len())),
                Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
                Poll::Pending => Poll::Pending,
            };
        }
        let result = Pin::new(&mut self.inner).poll_write(cx, buf);
        if matches!(result, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.touch();
        }
        result
    }
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
        self.poll_write_head_aware(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        // hyper's own error answer is a head alone, in one slice.
        let first = bufs.iter().position(|b| !b.is_empty());
        if let Some(i) = first
            && (self.replacement.is_some()
                || (bufs[i + 1..].iter().all(|b| b.is_empty())
                    && hyper_error_head(&bufs[i]).is_some()))
        {
            return self.poll_write_head_aware(cx, &bufs[i]);
        }
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
        match self.poll_replacement(cx) {
            Poll::Ready(Ok(())) => Pin::new(&mut self.inner).poll_flush(cx),
            other => other,
        }
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.poll_replacement(cx) {
            Poll::Ready(Ok(())) => Pin::new(&mut self.inner).poll_shutdown(cx),
            other => other,
        }
    }
}
