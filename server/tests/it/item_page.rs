//! An issue's page shows its comments a hundred at a time, the newest page when
//! none is asked for, with links to the pages before and after: every comment
//! can be read (the page used to show the first thousand and no more), and a
//! long discussion costs one page to show.

use crate::common;

use common::{page, start, Backend};

on_both!(an_issues_comments_come_a_hundred_to_a_page);

fn shown(html: &str) -> usize {
    html.matches(r#"<li id="note_"#).count()
}

async fn an_issues_comments_come_a_hundred_to_a_page(backend: Backend) {
    let server = start(backend, &[("DEMO_DATA", "1")]).await;
    let url = format!("{}/heroes/website/-/issues/1", server.base);
    let before = shown(&page(&url, None).await);
    assert!((1..100).contains(&before), "the demo issue has a few comments: {before}");
    // 1,050 more, as a long discussion would have.
    common::db::execute(
        &server.database_url(),
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1050) \
         INSERT INTO notes (project_id, noteable_type, noteable_id, author_id, body, created_at, updated_at) \
         SELECT project_id, 'Issue', id, author_id, 'Long talk ' || i || '.', created_at, updated_at \
         FROM issues, n WHERE project_id = 1 AND iid = 1",
    )
    .await;
    // And an internal one, which a visitor neither sees nor counts.
    common::db::execute(
        &server.database_url(),
        "INSERT INTO notes (project_id, noteable_type, noteable_id, author_id, body, confidential, created_at, \
         updated_at) SELECT project_id, 'Issue', id, author_id, 'Internal only.', TRUE, created_at, updated_at \
         FROM issues WHERE project_id = 1 AND iid = 1",
    )
    .await;
    let total = before + 1_050;
    let pages = total.div_ceil(100);

    // The newest page, unless asked: the last comments, the 1,001st among them.
    let newest = page(&url, None).await;
    assert_eq!(shown(&newest), total - (pages - 1) * 100);
    assert!(newest.contains("Long talk 1050.") && newest.contains("Long talk 1000."), "the newest");
    let first = (pages - 1) * 100 + 1;
    assert!(newest.contains(&format!("Comments {first}–{total} of {total}")), "where they are");
    let earlier = format!(r#"href="/heroes/website/-/issues/1?notes_page={}" rel="prev">Earlier comments"#, pages - 1);
    assert!(newest.contains(&earlier) && !newest.contains("Later comments"), "a way back only");
    assert!(!newest.contains("Internal only."), "an internal comment is no visitor's");
    let alice = common::sign_in_cookie(&server.base, "alice", "laurel-demo").await.expect("alice signs in");
    let members = page(&url, Some(&alice)).await;
    let all = total + 1;
    assert!(members.contains("Internal only.") && members.contains(&format!(" of {all}<")), "a member's count");

    // The first page: the demo's comments, then the first of the long talk.
    let oldest = page(&format!("{url}?notes_page=1"), None).await;
    assert_eq!(shown(&oldest), 100);
    assert!(oldest.contains(&format!("Comments 1–100 of {total}")));
    assert!(oldest.contains("Long talk 1.") && !oldest.contains("Long talk 1050."));
    assert!(oldest.contains(r#"href="/heroes/website/-/issues/1?notes_page=2" rel="next">Later comments"#));
    assert!(!oldest.contains("Earlier comments"));
    // A reaction given there without JavaScript comes back to it.
    assert!(oldest.contains("notes_page=1"), "the page's return address");

    // Pages out of range are the nearest; a page that is not a number, the newest.
    let past = page(&format!("{url}?notes_page=9999"), None).await;
    assert!(past.contains(&format!("Comments {first}–{total} of {total}")));
    let before_first = page(&format!("{url}?notes_page=-3"), None).await;
    assert!(before_first.contains(&format!("Comments 1–100 of {total}")));
    let word = page(&format!("{url}?notes_page=last%27%3B"), None).await;
    assert!(word.contains(&format!("Comments {first}–{total} of {total}")));

    // In the reader's language.
    let korean = page(&format!("{url}?notes_page=2"), Some("laurel_lang=ko")).await;
    assert!(korean.contains(&format!("댓글 {total}개 중 101–200")) && korean.contains("이전 댓글"), "Korean");
}
