//! Outgoing mail: SMTP (lettre) when `SMTP_URL` is set, else `.eml` files in
//! `DATA_DIR/mail/` (logged), so nothing is silently dropped. The outbox worker
//! (`app::domain::outbox`) calls this; a message keeps its Message-ID (and its
//! file name) on every attempt.

use app::domain::mail::{Mail, Mailer};
use lettre::message::{header::ContentType, Mailbox, MultiPart, SinglePart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;

/// Checks an SMTP URL the way the transport will read it.
pub fn check_smtp_url(url: &str) -> Result<(), String> {
    if !(url.starts_with("smtp://") || url.starts_with("smtps://")) {
        return Err(format!("'{url}' is not an smtp:// or smtps:// URL"));
    }
    AsyncSmtpTransport::<Tokio1Executor>::from_url(url).map(|_| ()).map_err(|e| e.to_string())
}

pub enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Outbox(PathBuf),
}

pub struct LaurelMailer {
    transport: Transport,
    from: Mailbox,
    host: String,
}

impl LaurelMailer {
    pub fn new(
        smtp_url: Option<&str>,
        timeout: std::time::Duration,
        data_dir: &std::path::Path,
        external_url: &str,
    ) -> Result<LaurelMailer, String> {
        let transport = match smtp_url {
            Some(url) => Transport::Smtp(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|e| e.to_string())?
                    .timeout(Some(timeout))
                    .build(),
            ),
            None => Transport::Outbox(data_dir.join("mail")),
        };
        let host =
            external_url.split("://").nth(1).unwrap_or("localhost").split([':', '/']).next().unwrap_or("localhost");
        let is_name = host.contains('.') && host.parse::<std::net::IpAddr>().is_err();
        let host = if is_name { host.to_string() } else { "localhost.localdomain".to_string() };
        let from = format!("Laurel <noreply@{host}>").parse().map_err(|e| format!("sender address: {e}"))?;
        Ok(LaurelMailer { transport, from, host })
    }

    fn message(&self, message_id: &str, mail: &Mail) -> Result<Message, String> {
        let to =
            Mailbox::new(Some(mail.to_name.clone()), mail.to_address.parse().map_err(|e| format!("recipient: {e}"))?);
        Message::builder()
            .message_id(Some(format!("<{message_id}@{}>", self.host)))
            .from(self.from.clone())
            .to(to)
            .subject(mail.subject.clone())
            .multipart(
                MultiPart::alternative()
                    .singlepart(SinglePart::builder().header(ContentType::TEXT_PLAIN).body(mail.text.clone()))
                    .singlepart(SinglePart::builder().header(ContentType::TEXT_HTML).body(mail.html.clone())),
            )
            .map_err(|e| e.to_string())
    }

    async fn deliver(&self, message_id: &str, mail: Mail) -> Result<(), String> {
        let message = self.message(message_id, &mail)?;
        match &self.transport {
            Transport::Smtp(smtp) => smtp.send(message).await.map(|_| ()).map_err(|e| e.to_string()),
            Transport::Outbox(dir) => {
                tokio::fs::create_dir_all(dir).await.map_err(|e| e.to_string())?;
                // Named by Message-ID: a second attempt replaces, never duplicates.
                let path = dir.join(format!("{message_id}.eml"));
                // Write then rename, so a reader never sees half a message.
                let tmp = path.with_extension("eml.tmp");
                tokio::fs::write(&tmp, message.formatted()).await.map_err(|e| e.to_string())?;
                tokio::fs::rename(&tmp, &path).await.map_err(|e| e.to_string())?;
                tracing::info!("mail \"{}\" to {} written to {}", mail.subject, mail.to_address, path.display());
                Ok(())
            }
        }
    }
}

impl Mailer for LaurelMailer {
    fn send<'a>(
        &'a self,
        message_id: &'a str,
        mail: Mail,
    ) -> Pin<Box<dyn Future<Output = Result<(), String>> + Send + 'a>> {
        Box::pin(self.deliver(message_id, mail))
    }
}
