//! Outgoing mail settings. `SMTP_URL` selects SMTP (lettre); without it, mail is
//! written as `.eml` files under DATA_DIR/mail/.

use lettre::{AsyncSmtpTransport, Tokio1Executor};

/// Checks an SMTP URL the way the transport will read it.
pub fn check_smtp_url(url: &str) -> Result<(), String> {
    if !(url.starts_with("smtp://") || url.starts_with("smtps://")) {
        return Err(format!("'{url}' is not an smtp:// or smtps:// URL"));
    }
    AsyncSmtpTransport::<Tokio1Executor>::from_url(url).map(|_| ()).map_err(|e| e.to_string())
}
