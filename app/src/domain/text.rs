//! Text rules every use case shares: GitLab's (Rails-style) validation
//! messages for names and titles, and HTML escaping for what Laurel renders
//! itself (award e-mail, GraphQL `awardMessageHtml`), in one place.

/// GitLab's rule for usernames and group and project paths, after the field name.
pub(crate) const PATH_RULE: &str =
    "can contain only letters, digits, '_', '-' and '.'. Cannot start with '-' or end in '.', '.git' or '.atom'.";

/// The messages for a one-line field (a name, a title): required, at most
/// `max` characters, and no control characters (a tab, a newline or a bell in
/// a name is a mistake or an attack on whoever renders it).
pub fn one_line_field(field: &str, value: &str, max: usize) -> Vec<String> {
    let mut errors = Vec::new();
    if value.trim().is_empty() {
        errors.push(format!("{field} can't be blank"));
    } else {
        errors.extend(too_long(field, Some(value), max));
    }
    errors.extend(one_line(field, value));
    errors
}

/// An optional field's message when it is longer than `max` characters.
pub(crate) fn too_long(field: &str, value: Option<&str>, max: usize) -> Option<String> {
    value.is_some_and(|v| v.chars().count() > max).then(|| format!("{field} is too long (maximum is {max} characters)"))
}

/// The message for control characters in a one-line field.
pub(crate) fn one_line(field: &str, value: &str) -> Option<String> {
    value.contains(char::is_control).then(|| format!("{field} can't contain control characters"))
}

pub fn escape_html(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

/// A plain-text message as safe HTML: escaped, line breaks kept.
pub fn message_html(message: &str) -> String {
    format!("<p>{}</p>", escape_html(message).replace('\n', "<br>"))
}
