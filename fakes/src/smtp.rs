//! A small real SMTP server that captures mail, for development (`fake-smtp`) and the shop's
//! tests: it speaks the part of RFC 5321 a submission client needs without TLS or AUTH
//! (`EHLO`/`HELO`, `MAIL FROM`, `RCPT TO`, `DATA` with dot-unstuffing, `RSET`, `NOOP`,
//! `QUIT`) and keeps every message, decoded with mail-parser so tests read the text and HTML
//! parts (activation links, reset codes) from what was really sent.
//!
//! [`FakeSmtp::fail_next`] makes the next messages end in `451` (a temporary failure, which
//! a client retries), and [`FakeSmtp::serve_http`] shows the captured mail as JSON
//! (`GET /messages[?to=<address>]`) for the Playwright suite.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use axum::extract::{Query, State};
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

/// Longest accepted message, in bytes (also advertised as `SIZE`).
pub const MAX_MESSAGE_BYTES: usize = 10 * 1024 * 1024;
/// Longest accepted command line, in bytes (RFC 5321 4.5.3.1.4: 512 with CRLF).
const MAX_LINE_BYTES: usize = 4096;

/// One captured message.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CapturedMail {
    /// The envelope sender (`MAIL FROM`).
    pub from: String,
    /// The envelope recipients (`RCPT TO`).
    pub to: Vec<String>,
    /// The decoded `Subject`.
    pub subject: String,
    /// The decoded `text/plain` part.
    pub text: String,
    /// The decoded `text/html` part.
    pub html: String,
    /// The message as received (after dot-unstuffing).
    pub raw: String,
}

#[derive(Debug, Default)]
struct Books {
    mails: Vec<CapturedMail>,
    fail_next: u32,
}

#[derive(Debug, Default)]
struct Inner {
    books: Mutex<Books>,
}

impl Inner {
    fn books(&self) -> MutexGuard<'_, Books> {
        self.books.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A running SMTP capture server.
#[derive(Debug, Clone)]
pub struct FakeSmtp {
    addr: SocketAddr,
    inner: Arc<Inner>,
}

impl FakeSmtp {
    /// Listens on `addr` (port 0 for any) and serves SMTP in the background.
    pub async fn start(addr: SocketAddr) -> anyhow::Result<Self> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let inner = Arc::new(Inner::default());
        let shared = inner.clone();
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let inner = shared.clone();
                tokio::spawn(async move {
                    let _ = session(stream, inner).await;
                });
            }
        });
        Ok(Self { addr, inner })
    }

    /// Where it listens (`SMTP_HOST` and `SMTP_PORT` for the shop).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Every captured mail, oldest first.
    pub fn mails(&self) -> Vec<CapturedMail> {
        self.inner.books().mails.clone()
    }

    /// The captured mails to `address`, oldest first.
    pub fn mails_to(&self, address: &str) -> Vec<CapturedMail> {
        self.mails()
            .into_iter()
            .filter(|m| m.to.iter().any(|t| t.eq_ignore_ascii_case(address)))
            .collect()
    }

    /// Answers the end of the next `n` messages with `451` instead of accepting them.
    pub fn fail_next(&self, n: u32) {
        self.inner.books().fail_next = n;
    }

    /// Serves the captured mail as JSON on `addr`: `GET /messages[?to=<address>]`. Returns
    /// the base URL.
    pub async fn serve_http(&self, addr: SocketAddr) -> anyhow::Result<String> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let url = format!("http://{}", listener.local_addr()?);
        let app = Router::new()
            .route("/messages", get(http_messages))
            .with_state(self.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(url)
    }
}

#[derive(Debug, Deserialize)]
struct ToQuery {
    to: Option<String>,
}

async fn http_messages(
    State(fake): State<FakeSmtp>,
    Query(query): Query<ToQuery>,
) -> Json<Vec<CapturedMail>> {
    Json(match query.to {
        Some(to) => fake.mails_to(&to),
        None => fake.mails(),
    })
}

/// The address inside `FROM:<a>` / `TO:<a>` (parameters after it ignored).
fn path_arg(rest: &str) -> Option<String> {
    let start = rest.find('<')?;
    let end = rest[start..].find('>')? + start;
    Some(rest[start + 1..end].to_owned())
}

/// Decodes `raw` into a captured mail.
fn capture(from: String, to: Vec<String>, raw: String) -> CapturedMail {
    let parsed = mail_parser::MessageParser::default().parse(raw.as_bytes());
    let (subject, text, html) = match &parsed {
        Some(m) => (
            m.subject().unwrap_or_default().to_owned(),
            m.body_text(0).map(|t| t.into_owned()).unwrap_or_default(),
            m.body_html(0).map(|t| t.into_owned()).unwrap_or_default(),
        ),
        None => Default::default(),
    };
    CapturedMail {
        from,
        to,
        subject,
        text,
        html,
        raw,
    }
}

/// One SMTP session.
async fn session(stream: TcpStream, inner: Arc<Inner>) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    write.write_all(b"220 fake-smtp ESMTP ready\r\n").await?;
    let mut from: Option<String> = None;
    let mut to: Vec<String> = Vec::new();
    let mut line = String::new();
    loop {
        line.clear();
        let n = (&mut lines)
            .take(MAX_LINE_BYTES as u64)
            .read_line(&mut line)
            .await?;
        if n == 0 {
            return Ok(());
        }
        let command = line.trim_end_matches(['\r', '\n']);
        let upper = command.to_ascii_uppercase();
        let reply: &[u8] = if upper.starts_with("EHLO") {
            from = None;
            to.clear();
            write
                .write_all(
                    format!(
                        "250-fake-smtp greets you\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250-PIPELINING\r\n250 SIZE {MAX_MESSAGE_BYTES}\r\n"
                    )
                    .as_bytes(),
                )
                .await?;
            continue;
        } else if upper.starts_with("HELO") {
            b"250 fake-smtp\r\n"
        } else if upper.starts_with("MAIL FROM:") {
            match path_arg(&command[10..]) {
                Some(a) => {
                    from = Some(a);
                    to.clear();
                    b"250 2.1.0 OK\r\n"
                }
                None => b"501 5.5.4 Syntax: MAIL FROM:<address>\r\n",
            }
        } else if upper.starts_with("RCPT TO:") {
            match (&from, path_arg(&command[8..])) {
                (None, _) => b"503 5.5.1 MAIL first\r\n",
                (Some(_), Some(a)) if !a.is_empty() => {
                    to.push(a);
                    b"250 2.1.5 OK\r\n"
                }
                _ => b"501 5.5.4 Syntax: RCPT TO:<address>\r\n",
            }
        } else if upper == "DATA" {
            if from.is_none() || to.is_empty() {
                b"503 5.5.1 RCPT first\r\n"
            } else {
                write
                    .write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                    .await?;
                let mut raw = String::new();
                let mut too_big = false;
                loop {
                    line.clear();
                    let n = (&mut lines)
                        .take(MAX_LINE_BYTES as u64 * 256)
                        .read_line(&mut line)
                        .await?;
                    if n == 0 {
                        return Ok(());
                    }
                    let content = line.trim_end_matches(['\r', '\n']);
                    if content == "." {
                        break;
                    }
                    // RFC 5321 4.5.2: a leading dot was doubled by the client.
                    let content = content.strip_prefix('.').unwrap_or(content);
                    if raw.len() + content.len() > MAX_MESSAGE_BYTES {
                        too_big = true;
                    } else {
                        raw.push_str(content);
                        raw.push_str("\r\n");
                    }
                }
                let sender = from.take().unwrap_or_default();
                let rcpts = std::mem::take(&mut to);
                if too_big {
                    b"552 5.3.4 Message too big\r\n"
                } else {
                    let mut books = inner.books();
                    if books.fail_next > 0 {
                        books.fail_next -= 1;
                        b"451 4.3.0 Temporary failure (fake-smtp was told to fail)\r\n"
                    } else {
                        books.mails.push(capture(sender, rcpts, raw));
                        b"250 2.0.0 OK: queued\r\n"
                    }
                }
            }
        } else if upper == "RSET" {
            from = None;
            to.clear();
            b"250 2.0.0 OK\r\n"
        } else if upper.starts_with("NOOP") {
            b"250 2.0.0 OK\r\n"
        } else if upper == "QUIT" {
            write.write_all(b"221 2.0.0 Bye\r\n").await?;
            return Ok(());
        } else {
            b"502 5.5.2 Command not recognized\r\n"
        };
        write.write_all(reply).await?;
    }
}
