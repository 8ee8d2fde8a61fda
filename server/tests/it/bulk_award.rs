//! Bulk award over REST: a CSV file's dry run says line by line who would get
//! the achievement and who not (unknown, blocked, already holds it, named
//! twice, a bad line) and changes nothing; applied, it awards exactly those
//! (each audited, as by hand); refused callers change nothing.

use crate::common;

use common::{call, client, sign_in_cookie, start, token_for, Backend, ROOT_TOKEN};
use reqwest::Method;
use serde_json::{json, Value};

on_both!(a_csv_file_is_dry_run_then_applied);

async fn bulk(
    base: &str,
    token: Option<&str>,
    path: &str,
    csv: impl AsRef<[u8]>,
    extra: &[(&str, &str)],
) -> (u16, String, String) {
    let mut form = reqwest::multipart::Form::new()
        .part("file", reqwest::multipart::Part::bytes(csv.as_ref().to_vec()).file_name("people.csv"));
    for (name, value) in extra {
        form = form.text(name.to_string(), value.to_string());
    }
    let mut request = client().post(format!("{base}/api/v4{path}")).multipart(form);
    if let Some(token) = token {
        request = request.header("PRIVATE-TOKEN", token);
    }
    let response = request.send().await.expect("bulk");
    let status = response.status().as_u16();
    let kind = response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    let text = response.text().await.expect("body");
    assert!(status < 500, "{status} {text}");
    (status, kind, text)
}

fn outcomes(report: &Value) -> Vec<(u64, String)> {
    report["lines"]
        .as_array()
        .expect("lines")
        .iter()
        .map(|l| (l["line"].as_u64().unwrap(), l["outcome"].as_str().unwrap().to_string()))
        .collect()
}

async fn holders(base: &str, path: &str) -> Vec<String> {
    let (_, awards) = call(base, Method::GET, &format!("{path}?per_page=100"), Some(ROOT_TOKEN), None).await;
    let mut names: Vec<String> = awards
        .as_array()
        .expect("awards")
        .iter()
        .map(|a| a["user"]["username"].as_str().unwrap().to_string())
        .collect();
    names.sort();
    names
}

async fn a_csv_file_is_dry_run_then_applied(backend: Backend) {
    let server = start(backend, &[("DEMO_DATA", "1")]).await;
    let base = &server.base;
    let (bob, carol) = (token_for(base, "bob").await, token_for(base, "carol").await);
    // Frank is blocked by the admin (the dashboard's form).
    let (_, frank) = call(base, Method::GET, "/users?username=frank", Some(ROOT_TOKEN), None).await;
    let root = sign_in_cookie(base, "root", "root-password").await.expect("root session");
    let blocked = client()
        .post(format!("{base}/-/sfn/admin_update_user"))
        .header("Cookie", root)
        .header("Accept", "text/html")
        .form(&[("id", frank[0]["id"].to_string()), ("blocked", "true".into())])
        .send()
        .await
        .expect("block");
    assert!(blocked.status().as_u16() < 400);
    let (_, list) = call(base, Method::GET, "/groups/heroes/achievements", None, None).await;
    let first = list.as_array().unwrap().iter().find(|a| a["name"] == "First merge request").unwrap()["id"].clone();
    let path = format!("/groups/heroes/achievements/{first}/awards/bulk");
    let awards = format!("/groups/heroes/achievements/{first}/awards");
    let before = holders(base, &awards).await;
    assert_eq!(before, ["carol", "dave"]);

    let csv = "username,message\n\
               carol,hi\n\
               erin,Thanks for the docs\n\
               \n\
               @grace,\n\
               nobody-here,\n\
               ERIN,again\n\
               frank,\n\
               ,no one\n\
               alice,\"a message, with a comma\"\n";
    let (status, _, text) = bulk(base, Some(&bob), &path, csv, &[("dry_run", "true")]).await;
    assert_eq!(status, 200, "{text}");
    let report: Value = serde_json::from_str(&text).expect("json");
    assert_eq!(report["applied"], false);
    let expected: Vec<(u64, String)> = [
        (2, "already_holds"),
        (3, "award"),
        (5, "award"),
        (6, "unknown"),
        (7, "duplicate"),
        (8, "blocked"),
        (9, "invalid"),
        (10, "award"),
    ]
    .iter()
    .map(|(l, o)| (*l, o.to_string()))
    .collect();
    assert_eq!(outcomes(&report), expected);
    assert_eq!(report["lines"][4]["first_line"], 3);
    assert_eq!(
        report["counts"],
        json!({ "award": 3, "unknown": 1, "blocked": 1, "already_holds": 1, "duplicate": 1, "invalid": 1 })
    );
    assert_eq!(holders(base, &awards).await, before, "a dry run changes nothing");

    // The report as a CSV file to download.
    let (status, kind, text) = bulk(base, Some(&bob), &path, csv, &[("dry_run", "true"), ("format", "csv")]).await;
    assert_eq!((status, kind.as_str()), (200, "text/csv; charset=utf-8"));
    assert!(text.starts_with("line,given,username,outcome,first_line,reason\n"));
    assert!(text.contains("7,ERIN,erin,duplicate,3,\n"), "{text}");

    // Refused callers change nothing: a Developer, no token, a bad file.
    assert_eq!(bulk(base, Some(&carol), &path, csv, &[("dry_run", "false")]).await.0, 403);
    assert_eq!(bulk(base, None, &path, csv, &[("dry_run", "false")]).await.0, 401);
    let (status, _, text) = bulk(base, Some(&bob), &path, b"username\n\xff\xfe\n", &[("dry_run", "false")]).await;
    assert_eq!((status, text.as_str()), (400, r#"{"error":"file is invalid"}"#));
    let too_long = format!("username,message\nerin,{}\n", "x".repeat(201));
    let (_, _, text) = bulk(base, Some(&bob), &path, &too_long, &[("dry_run", "true")]).await;
    assert_eq!(serde_json::from_str::<Value>(&text).unwrap()["lines"][0]["outcome"], "invalid");
    let many = format!("username\n{}", "erin\n".repeat(10_001));
    let (status, _, text) = bulk(base, Some(&bob), &path, &many, &[("dry_run", "false")]).await;
    assert_eq!((status, text.as_str()), (400, r#"{"message":["The file has more than 10000 lines"]}"#));
    assert_eq!(holders(base, &awards).await, before);

    // Without `dry_run`, a dry run still: the report comes first.
    let (_, _, text) = bulk(base, Some(&bob), &path, csv, &[]).await;
    assert_eq!(serde_json::from_str::<Value>(&text).unwrap()["applied"], false);
    assert_eq!(holders(base, &awards).await, before);

    // Applied: exactly the three, each with its message, audited as by hand.
    let (status, _, text) = bulk(base, Some(&bob), &path, csv, &[("dry_run", "false")]).await;
    assert_eq!(status, 200, "{text}");
    assert_eq!(serde_json::from_str::<Value>(&text).unwrap()["applied"], true);
    assert_eq!(holders(base, &awards).await, ["alice", "carol", "dave", "erin", "grace"]);
    let (_, listed) = call(base, Method::GET, &format!("{awards}?per_page=100"), Some(ROOT_TOKEN), None).await;
    let alices = listed.as_array().unwrap().iter().find(|a| a["user"]["username"] == "alice").cloned().unwrap();
    assert_eq!(alices["award_message"], "a message, with a comma");
    let (_, log) = call(base, Method::GET, "/groups/heroes/audit_events?username=grace", Some(ROOT_TOKEN), None).await;
    assert_eq!(log[0]["event_name"], "achievement_awarded");

    // Applied again, nobody gets it twice.
    let (_, _, text) = bulk(base, Some(&bob), &path, csv, &[("dry_run", "false")]).await;
    let again: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(again["counts"]["award"], 0);
    // E-mail addresses name people for instance admins only (who owns an
    // address is not for every Maintainer to learn), and the report never
    // says whose an address is; a leading @ does not make it a username.
    for line in ["bob@example.com,By mail\n", "@bob@example.com,By mail\n"] {
        let (_, _, text) = bulk(base, Some(&bob), &path, line, &[("dry_run", "false")]).await;
        let refused: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            (&refused["lines"][0]["outcome"], &refused["lines"][0]["username"]),
            (&json!("invalid"), &Value::Null)
        );
    }
    assert!(!holders(base, &awards).await.contains(&"bob".to_string()));
    let (_, _, text) = bulk(base, Some(ROOT_TOKEN), &path, "@bob@example.com,By mail\n", &[("dry_run", "false")]).await;
    let by_mail: Value = serde_json::from_str(&text).unwrap();
    assert_eq!((&by_mail["lines"][0]["outcome"], &by_mail["lines"][0]["username"]), (&json!("award"), &Value::Null));
    assert!(holders(base, &awards).await.contains(&"bob".to_string()));
}
