//! The unit tests of `app/src/domain/mail.rs`.

use app::domain::mail::*;
use app::store::{AchievementRow, NamespaceRow, UserRow};
use chrono::Utc;

#[test]
fn award_mail_escapes_everything_it_interpolates() {
    let now = Utc::now();
    let user = UserRow {
        id: 1,
        username: "eve".into(),
        name: "Eve <b>".into(),
        email: "eve@example.com".into(),
        password_hash: None,
        admin: false,
        state: "active".into(),
        private_profile: false,
        achievements_enabled: true,
        bio: String::new(),
        avatar: None,
        created_at: now,
        updated_at: now,
    };
    let achievement = AchievementRow {
        id: 2,
        namespace_id: 3,
        name: "<script>alert(1)</script>".into(),
        description: None,
        avatar: None,
        created_at: now,
        updated_at: now,
    };
    let group = NamespaceRow {
        id: 3,
        kind: "group".into(),
        name: "Heroes".into(),
        path: "heroes".into(),
        full_path: "heroes".into(),
        parent_id: None,
        owner_id: None,
        visibility: "public".into(),
        description: String::new(),
        created_at: now,
        updated_at: now,
    };
    let mail = award_mail("https://l.example", &user, &achievement, &group, Some("\"quoted\" & <i>"), true);
    assert_eq!(mail.subject, "heroes awarded you the <script>alert(1)</script> achievement");
    assert!(!mail.html.contains("<script>") && mail.html.contains("&lt;script&gt;"));
    assert!(mail.html.contains("Eve &lt;b&gt;") && mail.html.contains("&quot;quoted&quot; &amp; &lt;i&gt;"));
    assert!(mail.html.contains("https://l.example/groups/heroes") && mail.html.contains("https://l.example/eve"));
    assert!(mail.html.contains("https://l.example/-/profile"), "acceptance link");
    // Line breaks of any kind are one kind, each line quoted; no bare CR is left.
    let message = "cr\r.\rRCPT TO:<x@evil.test>\r\nnext\nlast";
    let mail = award_mail("https://l.example", &user, &achievement, &group, Some(message), false);
    assert!(!mail.text.contains('\r') && !mail.html.contains('\r'), "{:?}", mail.text);
    assert!(mail.text.contains("> cr\n> .\n> RCPT TO:<x@evil.test>\n> next\n> last\n"), "{:?}", mail.text);
    assert!(mail.html.contains("cr<br>.<br>RCPT TO:&lt;x@evil.test&gt;<br>next<br>last"), "{}", mail.html);
}
