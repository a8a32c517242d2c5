//! Mail through lettre: SMTP (none, STARTTLS or implicit TLS, optional AUTH), a file outbox
//! or the console, chosen by `MAIL_TRANSPORT`. Every mail has a plain-text and an HTML part
//! (`multipart/alternative`), both in Chinese.

use std::time::Duration;

use anyhow::Context;
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::config::{MailTransport, Settings, SmtpTls};

/// Sending failed; the job will be retried.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    /// The recipient address is not a mailbox: retrying cannot help.
    #[error("bad recipient address")]
    BadAddress,
    /// The transport failed (connection, time-out, the server refused, disk full).
    #[error("mail transport: {0}")]
    Transport(String),
}

/// One mail to send.
#[derive(Debug, Clone)]
pub struct Mail {
    /// Recipient address.
    pub to: String,
    pub subject: String,
    /// The plain-text part.
    pub text: String,
    /// The HTML part.
    pub html: String,
}

/// The configured transport and sender; cheap to clone.
#[derive(Clone)]
pub struct Mailer {
    from: Mailbox,
    transport: Transport,
}

#[derive(Clone)]
enum Transport {
    Console,
    File(AsyncFileTransport<Tokio1Executor>),
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match self.transport {
            Transport::Console => "console",
            Transport::File(_) => "file",
            Transport::Smtp(_) => "smtp",
        };
        f.debug_struct("Mailer")
            .field("from", &self.from.to_string())
            .field("transport", &kind)
            .finish()
    }
}

impl Mailer {
    /// The mailer of `MAIL_TRANSPORT` (settings already validated). The file outbox is
    /// created when missing.
    pub fn from_settings(s: &Settings) -> anyhow::Result<Self> {
        let from: Mailbox = s.mail_from.parse().context("MAIL_FROM")?;
        let transport = match s.mail_transport {
            MailTransport::Console => Transport::Console,
            MailTransport::File => {
                let dir = s.mail_outbox_dir();
                std::fs::create_dir_all(&dir).with_context(|| {
                    format!("could not create MAIL_OUTBOX_DIR {}", dir.display())
                })?;
                Transport::File(AsyncFileTransport::new(dir))
            }
            MailTransport::Smtp => {
                let host = s.smtp_host.clone().unwrap_or_default().trim().to_owned();
                let tls = match s.smtp_tls {
                    SmtpTls::None => Tls::None,
                    SmtpTls::Starttls => Tls::Required(
                        TlsParameters::new(host.clone()).context("SMTP TLS parameters")?,
                    ),
                    SmtpTls::Tls => Tls::Wrapper(
                        TlsParameters::new(host.clone()).context("SMTP TLS parameters")?,
                    ),
                };
                let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&host)
                    .port(s.smtp_port)
                    .tls(tls)
                    .timeout(Some(Duration::from_secs(s.smtp_timeout_secs)));
                if let (Some(user), Some(password)) = (&s.smtp_username, &s.smtp_password) {
                    builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
                }
                Transport::Smtp(builder.build())
            }
        };
        Ok(Self { from, transport })
    }

    /// Sends `mail`.
    ///
    /// # Errors
    /// [`MailError::BadAddress`] for a recipient that is not a mailbox, otherwise
    /// [`MailError::Transport`].
    pub async fn send(&self, mail: &Mail) -> Result<(), MailError> {
        let to: Mailbox = mail.to.parse().map_err(|_| MailError::BadAddress)?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(mail.subject.clone())
            .multipart(MultiPart::alternative_plain_html(
                mail.text.clone(),
                mail.html.clone(),
            ))
            .map_err(|e| MailError::Transport(e.to_string()))?;
        match &self.transport {
            Transport::Console => {
                println!(
                    "[邮件] 发送至 {}\n主题：{}\n\n{}\n[邮件结束]",
                    mail.to, mail.subject, mail.text
                );
                Ok(())
            }
            Transport::File(file) => file
                .send(message)
                .await
                .map(|_| ())
                .map_err(|e| MailError::Transport(e.to_string())),
            Transport::Smtp(smtp) => smtp
                .send(message)
                .await
                .map(|_| ())
                .map_err(|e| MailError::Transport(e.to_string())),
        }
    }
}

/// The activation mail of `username` with its `link` (valid 3 days).
pub fn activation_mail(to: &str, username: &str, link: &str) -> Mail {
    let (name, href) = (escape_html(username), escape_html(link));
    Mail {
        to: to.to_owned(),
        subject: "达达商城账户激活".to_owned(),
        text: format!(
            "{username}，您好！\n\n感谢您注册达达商城。请在 3 天内打开下面的链接激活您的账户：\n\n{link}\n\n如果您没有注册过达达商城，请忽略本邮件。\n\n达达商城"
        ),
        html: format!(
            "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>达达商城账户激活</title></head><body>\
             <p>{name}，您好！</p><p>感谢您注册达达商城。请在 3 天内点击下面的链接激活您的账户：</p>\
             <p><a href=\"{href}\">{href}</a></p><p>如果您没有注册过达达商城，请忽略本邮件。</p><p>达达商城</p></body></html>"
        ),
    }
}

/// The password-reset mail carrying the 6-digit `code`, valid `minutes`.
pub fn reset_code_mail(to: &str, code: &str, minutes: u64) -> Mail {
    Mail {
        to: to.to_owned(),
        subject: "达达商城找回密码验证码".to_owned(),
        text: format!(
            "您好！\n\n您正在找回达达商城账户的密码，验证码是：{code}\n\n验证码 {minutes} 分钟内有效，只能使用一次。如果这不是您本人的操作，请忽略本邮件，您的密码不会改变。\n\n达达商城"
        ),
        html: format!(
            "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>达达商城找回密码验证码</title></head><body>\
             <p>您好！</p><p>您正在找回达达商城账户的密码，验证码是：</p><p style=\"font-size:24px;letter-spacing:4px\"><b>{code}</b></p>\
             <p>验证码 {minutes} 分钟内有效，只能使用一次。如果这不是您本人的操作，请忽略本邮件，您的密码不会改变。</p><p>达达商城</p></body></html>"
        ),
    }
}

/// `&`, `<`, `>`, `"` and `'` as HTML entities.
fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}
