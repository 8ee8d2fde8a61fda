//! The e-mail a recipient gets when awarded an achievement. The domain writes the
//! message, the outbox keeps it, the server's transport (SMTP or a folder) delivers it.

use crate::store::{AchievementRow, NamespaceRow, UserRow};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// A message ready to send.
#[derive(Clone, Debug, PartialEq)]
pub struct Mail {
    pub to_name: String,
    pub to_address: String,
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// Delivers mail; errors are reported as text (the outbox logs and retries).
/// `message_id` is the same on every attempt at one message.
pub trait Mailer: Send + Sync {
    fn send<'a>(
        &'a self,
        message_id: &'a str,
        mail: Mail,
    ) -> Pin<Box<dyn Future<Output = Result<(), String>> + Send + 'a>>;
}

pub type SharedMailer = Arc<dyn Mailer>;

/// `<group full path> awarded you the <name> achievement`, with links to the
/// group and the recipient's profile, and an accept link when acceptance is needed.
pub fn award_mail(
    base: &str,
    recipient: &UserRow,
    achievement: &AchievementRow,
    group: &NamespaceRow,
    message: Option<&str>,
    needs_acceptance: bool,
) -> Mail {
    let subject = format!("{} awarded you the {} achievement", group.full_path, achievement.name);
    let group_url = format!("{base}/groups/{}", group.full_path);
    let profile_url = format!("{base}/{}", recipient.username);
    let accept_url = format!("{base}/-/profile");
    let e = super::text::escape_html;
    let mut html = format!(
        "<p>Hi {name},</p><p><a href=\"{group_url}\">{group}</a> awarded you the <strong>{achievement}</strong> achievement.</p>",
        name = e(&recipient.name),
        group_url = e(&group_url),
        group = e(&group.full_path),
        achievement = e(&achievement.name),
    );
    let mut text =
        format!("Hi {},\n\n{} awarded you the {} achievement.\n", recipient.name, group.full_path, achievement.name);
    if let Some(message) = message {
        // Each line quoted; a bare CR is a line break too, never sent as it
        // is (a relay that reads it as the end of a line could be made to
        // read SMTP commands in it).
        let lines: Vec<&str> = message.split("\r\n").flat_map(|l| l.split(['\r', '\n'])).collect();
        let html_lines: Vec<String> = lines.iter().map(|l| e(l)).collect();
        html.push_str(&format!("<blockquote>{}</blockquote>", html_lines.join("<br>")));
        text.push('\n');
        for line in lines {
            text.push_str(&format!("> {line}\n"));
        }
    }
    if needs_acceptance {
        html.push_str(&format!(
            "<p><a href=\"{}\">Accept or decline it</a> to show it on your profile.</p>",
            e(&accept_url)
        ));
        text.push_str(&format!("\nAccept or decline it: {accept_url}\n"));
    }
    html.push_str(&format!("<p><a href=\"{}\">See your profile</a></p>", e(&profile_url)));
    text.push_str(&format!("\nYour profile: {profile_url}\n"));
    Mail { to_name: recipient.name.clone(), to_address: recipient.email.clone(), subject, text, html }
}
