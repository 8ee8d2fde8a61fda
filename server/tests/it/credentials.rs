//! Open Badges 3.0 credentials, verified by an independent implementation:
//! PyJWT with `cryptography` (from PyPI) checks the signature against the
//! published JWKS, the issuer, and the claims Open Badges 3.0 requires; only
//! the recipient gets one; a rotated key leaves old credentials verifiable.

use crate::common;

use common::{call, client, start, token_for, Backend, ROOT_TOKEN};
use reqwest::Method;
use serde_json::{json, Value};

/// What PyJWT makes of `jwt` with the keys at `jwks`: the verified claims and
/// header, or why not.
pub(crate) fn verify(jwt: &str, jwks: &Value, issuer: &str) -> Result<(Value, Value), String> {
    let dir = common::temp_dir();
    std::fs::write(dir.join("token"), jwt).expect("token");
    std::fs::write(dir.join("jwks.json"), jwks.to_string()).expect("jwks");
    let script = r#"
import json, sys, jwt
token = open(sys.argv[1] + "/token").read()
keys = jwt.PyJWKSet.from_dict(json.load(open(sys.argv[1] + "/jwks.json")))
header = jwt.get_unverified_header(token)
key = keys[header["kid"]]
claims = jwt.decode(token, key.key, algorithms=["EdDSA"], issuer=sys.argv[2],
                    options={"require": ["iss", "sub", "nbf", "jti"]})
print(json.dumps({"header": header, "claims": claims}))
"#;
    let out = std::process::Command::new("python3")
        .args(["-c", script, dir.to_str().expect("dir"), issuer])
        .output()
        .expect("python3");
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    let both: Value = serde_json::from_slice(&out.stdout).expect("json");
    Ok((both["claims"].clone(), both["header"].clone()))
}

/// The bit of `index` in a status list credential's `encodedList`
/// (`u` + base64url of GZIP; index 0 is the first byte's highest bit).
pub(crate) fn status_bit(status: &Value, index: usize) -> bool {
    use base64::Engine;
    use std::io::Read;
    let encoded = status["credentialSubject"]["encodedList"].as_str().expect("encodedList");
    let packed = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(encoded.strip_prefix('u').expect("multibase u"))
        .expect("base64url");
    let mut bits = Vec::new();
    flate2::read::GzDecoder::new(&packed[..]).read_to_end(&mut bits).expect("gzip");
    assert_eq!(bits.len(), 16_384, "131,072 entries");
    bits[index / 8] & (0x80 >> (index % 8)) != 0
}

pub(crate) async fn get_text(url: &str, token: Option<&str>) -> (u16, String, String) {
    let mut request = client().get(url);
    if let Some(token) = token {
        request = request.header("PRIVATE-TOKEN", token);
    }
    let response = request.send().await.expect("request");
    let status = response.status().as_u16();
    let kind = response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    (status, kind, response.text().await.expect("text"))
}

on_both!(
    a_recipient_downloads_a_credential_anyone_can_verify,
    baked_badges_carry_it_and_the_verification_page_says_what_holds
);

async fn a_recipient_downloads_a_credential_anyone_can_verify(backend: Backend) {
    let server = start(backend, &[("DEMO_DATA", "1")]).await;
    let base = &server.base;
    let (carol, bob) = (token_for(base, "carol").await, token_for(base, "bob").await);
    let (_, me) = call(base, Method::GET, "/user", Some(&carol), None).await;
    let (_, awards) = call(base, Method::GET, &format!("/users/{}/achievements", me["id"]), Some(&carol), None).await;
    let award = awards[0]["id"].as_i64().expect("carol holds an award");
    let name = awards[0]["achievement"]["name"].clone();
    let url = format!("{base}/api/v4/user_achievements/{award}/credential");

    // Only the recipient.
    assert_eq!(get_text(&url, Some(&bob)).await.0, 404);
    assert_eq!(get_text(&url, None).await.0, 404);
    assert_eq!(get_text(&url, Some(ROOT_TOKEN)).await.0, 404, "not even an admin: it is carol's to take");

    let (status, kind, jwt) = get_text(&url, Some(&carol)).await;
    assert_eq!((status, kind.as_str()), (200, "application/vc+jwt"), "{jwt}");
    assert_eq!(jwt.split('.').count(), 3, "a compact JWT");
    let did_doc: Value =
        client().get(format!("{base}/.well-known/did.json")).send().await.expect("did").json().await.expect("json");
    let issuer = did_doc["id"].as_str().expect("a DID").to_string();
    let port = base.rsplit(':').next().expect("port");
    assert_eq!(issuer, format!("did:web:127.0.0.1%3A{port}"));
    let jwks: Value =
        client().get(format!("{base}/.well-known/jwks.json")).send().await.expect("jwks").json().await.expect("json");
    let (claims, header) = verify(&jwt, &jwks, &issuer).expect("PyJWT verifies it");
    assert_eq!((&header["alg"], &header["typ"]), (&json!("EdDSA"), &json!("JWT")));
    assert_eq!(header["kid"], did_doc["assertionMethod"][0]);
    assert_eq!(claims["type"], json!(["VerifiableCredential", "OpenBadgeCredential"]));
    assert_eq!(claims["@context"][0], "https://www.w3.org/ns/credentials/v2");
    assert_eq!(claims["credentialSubject"]["type"], json!(["AchievementSubject"]));
    assert_eq!(claims["credentialSubject"]["achievement"]["name"], name);
    assert_eq!(claims["sub"], claims["credentialSubject"]["id"]);
    assert_eq!(claims["sub"], format!("{base}/carol"));
    assert_eq!(claims["jti"], claims["id"]);
    // Its status: a signed status list, its bit clear.
    let entry = claims["credentialStatus"].clone();
    assert_eq!((&entry["type"], &entry["statusPurpose"]), (&json!("BitstringStatusListEntry"), &json!("revocation")));
    let index: usize = entry["statusListIndex"].as_str().expect("a string").parse().expect("a number");
    let list_url = entry["statusListCredential"].as_str().expect("url").to_string();
    let (status, kind, list_jwt) = get_text(&list_url, None).await;
    assert_eq!((status, kind.as_str()), (200, "application/vc+jwt"));
    let (list, _) = verify(&list_jwt, &jwks, &issuer).expect("PyJWT verifies the status list");
    assert_eq!(list["type"], json!(["VerifiableCredential", "BitstringStatusListCredential"]));
    assert!(!status_bit(&list, index), "not revoked");
    // Heroes is public: the credential names it.
    assert_eq!(claims["issuer"]["name"], "Laurel Heroes", "{claims}");
    assert_eq!(claims["issuer"]["url"], format!("{base}/groups/heroes/-/achievements"));

    // Carol also holds an award of the private group secret-lab, which she
    // is not in. Its credential, made to be shown to anyone, names neither
    // the group nor its path; it verifies as any other.
    let hidden = awards.as_array().expect("awards").iter().find(|a| a["achievement"]["name"] == "Bug hunter");
    let hidden = hidden.expect("carol holds Bug hunter")["id"].as_i64().expect("id");
    let hidden_url = format!("{base}/api/v4/user_achievements/{hidden}/credential");
    let (status, _, hidden_jwt) = get_text(&hidden_url, Some(&carol)).await;
    assert_eq!(status, 200, "{hidden_jwt}");
    let (hidden_claims, _) = verify(&hidden_jwt, &jwks, &issuer).expect("PyJWT verifies it");
    assert_eq!(hidden_claims["issuer"]["name"], "A private group", "{hidden_claims}");
    assert_eq!(hidden_claims["issuer"]["url"], format!("{base}/"));
    let text = hidden_claims.to_string().to_lowercase();
    assert!(!text.contains("secret") && !text.contains("lab"), "{hidden_claims}");
    // Nor does the verification page, which anyone may use.
    let verified = client()
        .post(format!("{base}/-/sfn/verification"))
        .form(&[("credential", hidden_jwt.as_str())])
        .send()
        .await
        .expect("verification");
    let verified = verified.text().await.expect("text");
    assert!(verified.contains("A private group") && !verified.contains("Secret Lab"), "{verified}");

    let tampered = {
        let parts: Vec<&str> = jwt.split('.').collect();
        let other = claims["sub"].as_str().expect("sub").replace("carol", "mallory");
        let mut payload = claims.clone();
        payload["sub"] = json!(other);
        use base64::Engine;
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        format!("{}.{}.{}", parts[0], b64.encode(payload.to_string()), parts[2])
    };
    assert!(verify(&tampered, &jwks, &issuer).is_err(), "a changed credential does not verify");

    // A rotated key: new credentials name it, old ones still verify.
    let rotate = "/application/credential_keys/rotate";
    assert_eq!(call(base, Method::POST, rotate, Some(&bob), None).await.0, 403);
    let (status, rotated) = call(base, Method::POST, rotate, Some(ROOT_TOKEN), None).await;
    assert_eq!(status, 201, "{rotated}");
    let (_, _, fresh) = get_text(&url, Some(&carol)).await;
    let jwks: Value =
        client().get(format!("{base}/.well-known/jwks.json")).send().await.expect("jwks").json().await.expect("json");
    assert_eq!(jwks["keys"].as_array().map(Vec::len), Some(2));
    let (_, fresh_header) = verify(&fresh, &jwks, &issuer).expect("the new one verifies");
    assert_eq!(fresh_header["kid"], rotated["kid"]);
    assert_ne!(fresh_header["kid"], header["kid"]);
    verify(&jwt, &jwks, &issuer).expect("the old one still verifies");

    // A revoked award has no credential to download.
    let revoke = format!("/user_achievements/{award}/revoke");
    assert_eq!(call(base, Method::POST, &revoke, Some(ROOT_TOKEN), None).await.0, 201);
    assert_eq!(get_text(&url, Some(&carol)).await.0, 404);
    // ... and its bit is set at the next read of the status list.
    let (_, _, list_jwt) = get_text(&list_url, None).await;
    let jwks: Value =
        client().get(format!("{base}/.well-known/jwks.json")).send().await.expect("jwks").json().await.expect("json");
    let (list, _) = verify(&list_jwt, &jwks, &issuer).expect("verifies");
    assert!(status_bit(&list, index), "revoked");
    // Deleting an achievement revokes the credentials of its awards too.
    let (_, made) = call(
        base,
        Method::POST,
        "/groups/heroes/achievements",
        Some(ROOT_TOKEN),
        Some(json!({ "name": "Short-lived" })),
    )
    .await;
    let awards = format!("/groups/heroes/achievements/{}/awards", made["id"]);
    let (_, given) = call(base, Method::POST, &awards, Some(ROOT_TOKEN), Some(json!({ "username": "carol" }))).await;
    let url = format!("{base}/api/v4/user_achievements/{}/credential", given["id"]);
    let (status, _, second) = get_text(&url, Some(&carol)).await;
    assert_eq!(status, 200);
    let (claims, _) = verify(&second, &jwks, &issuer).expect("verifies");
    let index: usize = claims["credentialStatus"]["statusListIndex"].as_str().expect("index").parse().expect("number");
    let gone = format!("/groups/heroes/achievements/{}", made["id"]);
    assert_eq!(call(base, Method::DELETE, &gone, Some(ROOT_TOKEN), None).await.0, 204);
    let (_, _, list_jwt) = get_text(&list_url, None).await;
    assert!(status_bit(&verify(&list_jwt, &jwks, &issuer).expect("verifies").0, index), "revoked with its achievement");
    // The next award does not take the deleted one's id (it was the newest):
    // it would read as revoked, and the old credential would name it.
    let (_, next) =
        call(base, Method::POST, "/groups/heroes/achievements", Some(ROOT_TOKEN), Some(json!({ "name": "Next one" })))
            .await;
    let awards = format!("/groups/heroes/achievements/{}/awards", next["id"]);
    let (_, after) = call(base, Method::POST, &awards, Some(ROOT_TOKEN), Some(json!({ "username": "carol" }))).await;
    assert!(after["id"].as_i64() > given["id"].as_i64(), "a new id: {after} after {given}");
    assert!(next["id"].as_i64() > made["id"].as_i64(), "a new achievement id: {next} after {made}");
    let url = format!("{base}/api/v4/user_achievements/{}/credential", after["id"]);
    let (status, _, third) = get_text(&url, Some(&carol)).await;
    assert_eq!(status, 200);
    let (claims, _) = verify(&third, &jwks, &issuer).expect("verifies");
    let index: usize = claims["credentialStatus"]["statusListIndex"].as_str().expect("index").parse().expect("number");
    let (_, _, list_jwt) = get_text(&list_url, None).await;
    assert!(!status_bit(&verify(&list_jwt, &jwks, &issuer).expect("verifies").0, index), "the new award holds");
    assert_eq!(get_text(&format!("{base}/-/credentials/status/0"), None).await.0, 404);
    assert_eq!(get_text(&format!("{base}/-/credentials/status/x"), None).await.0, 400);
}

/// What Pillow (an independent PNG reader) finds in a PNG: its format, size
/// and the `openbadgecredential` text; or, for an SVG, what Python's XML
/// parser finds in the Open Badges 3.0 element's `verify` attribute.
fn read_baked(file: &[u8]) -> Value {
    let dir = common::temp_dir();
    std::fs::write(dir.join("baked"), file).expect("file");
    let script = r#"
import io, json, sys
import xml.etree.ElementTree as ET
from PIL import Image
data = open(sys.argv[1] + "/baked", "rb").read()
if data.startswith(b"\x89PNG"):
    image = Image.open(io.BytesIO(data))
    image.load()
    print(json.dumps({"format": image.format, "size": list(image.size),
                      "credential": image.text.get("openbadgecredential")}))
else:
    root = ET.fromstring(data)
    found = root.find("{https://purl.imsglobal.org/ob/v3p0}credential")
    print(json.dumps({"format": root.tag, "credential": None if found is None else found.get("verify"),
                      "first": root[0].tag if len(root) else None}))
"#;
    let out = std::process::Command::new("python3")
        .args(["-c", script, dir.to_str().expect("dir")])
        .output()
        .expect("python3");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("json")
}

/// An avatar to upload: its bytes and file name.
type Picture = (Vec<u8>, &'static str);

/// A JPEG made by Pillow (the server converts it to PNG when it bakes).
fn jpeg() -> Vec<u8> {
    let script = "import io,sys\nfrom PIL import Image\nb=io.BytesIO()\nImage.new('RGB',(40,30),(30,90,200)).save(b,'JPEG')\nsys.stdout.buffer.write(b.getvalue())";
    let out = std::process::Command::new("python3").args(["-c", script]).output().expect("python3");
    assert!(out.status.success());
    out.stdout
}

async fn get_bytes(url: &str, token: Option<&str>) -> (u16, String, Vec<u8>) {
    let mut request = client().get(url);
    if let Some(token) = token {
        request = request.header("PRIVATE-TOKEN", token);
    }
    let response = request.send().await.expect("request");
    let status = response.status().as_u16();
    let kind = response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    (status, kind, response.bytes().await.expect("bytes").to_vec())
}

/// The verification page's verdict for `credential`, and its HTML.
async fn verdict(base: &str, credential: &str) -> (String, String) {
    let url = format!(
        "{base}/-/verify?credential={}",
        form_urlencoded::byte_serialize(credential.as_bytes()).collect::<String>()
    );
    let (status, _, html) = get_text(&url, None).await;
    assert_eq!(status, 200, "{html}");
    let verdict = html.split("data-verdict=\"").nth(1).and_then(|rest| rest.split('"').next()).unwrap_or("none");
    (verdict.to_string(), html)
}

/// Where the verification page's upload sends the browser.
async fn upload(base: &str, form: reqwest::multipart::Form) -> String {
    let response = client()
        .post(format!("{base}/-/verify/upload"))
        .header("Origin", base)
        .multipart(form)
        .send()
        .await
        .expect("upload");
    assert_eq!(response.status(), 303);
    response.headers()["location"].to_str().expect("location").to_string()
}

/// Baked badges (the achievement's PNG as it is, a JPEG converted, a
/// medallion when there is no image; and an SVG) carry exactly the
/// credential, read back by independent parsers and verified by PyJWT; only
/// the recipient may take them. The public verification page says plainly
/// what holds, for a pasted credential or an uploaded badge: valid, changed,
/// revoked, not a credential, another server's.
async fn baked_badges_carry_it_and_the_verification_page_says_what_holds(backend: Backend) {
    let server = start(backend, &[("DEMO_DATA", "1")]).await;
    let base = &server.base;
    let (carol, bob) = (token_for(base, "carol").await, token_for(base, "bob").await);
    let jwks: Value =
        client().get(format!("{base}/.well-known/jwks.json")).send().await.expect("jwks").json().await.expect("json");
    let issuer = client().get(format!("{base}/.well-known/did.json")).send().await.expect("did");
    let issuer = issuer.json::<Value>().await.expect("json")["id"].as_str().expect("did").to_string();
    let avatar = common::png([200, 30, 30]);
    let pictures: [(&str, Option<Picture>); 3] =
        [("Baked PNG", Some((avatar.clone(), "red.png"))), ("Baked JPEG", Some((jpeg(), "blue.jpg"))), ("Bare", None)];
    let mut first = None;
    for (name, picture) in pictures {
        let mut form = reqwest::multipart::Form::new().text("name", name);
        if let Some((bytes, file)) = picture.clone() {
            form = form.part("avatar", reqwest::multipart::Part::bytes(bytes).file_name(file));
        }
        let made = client()
            .post(format!("{base}/api/v4/groups/heroes/achievements"))
            .header("PRIVATE-TOKEN", ROOT_TOKEN)
            .multipart(form)
            .send()
            .await
            .expect("create");
        assert_eq!(made.status(), 201);
        let made: Value = made.json().await.expect("json");
        let awards = format!("/groups/heroes/achievements/{}/awards", made["id"]);
        let (status, given) =
            call(base, Method::POST, &awards, Some(ROOT_TOKEN), Some(json!({ "username": "carol" }))).await;
        assert_eq!(status, 201, "{given}");
        let url = format!("{base}/api/v4/user_achievements/{}/credential", given["id"]);
        let (_, _, jwt) = get_text(&url, Some(&carol)).await;
        verify(&jwt, &jwks, &issuer).expect("the credential verifies");

        // Only carol: others are told there is no such award, and get nothing.
        for (ext, kind) in [("png", "image/png"), ("svg", "image/svg+xml")] {
            assert_eq!(get_bytes(&format!("{url}.{ext}"), Some(&bob)).await.0, 404);
            assert_eq!(get_bytes(&format!("{url}.{ext}"), None).await.0, 404);
            assert_eq!(get_bytes(&format!("{url}.{ext}"), Some(ROOT_TOKEN)).await.0, 404);
            let (status, got, file) = get_bytes(&format!("{url}.{ext}"), Some(&carol)).await;
            assert_eq!((status, got.as_str()), (200, kind), "{name} {ext}");
            let read = read_baked(&file);
            assert_eq!(read["credential"], json!(jwt), "{name} {ext}: the very credential, baked: {read}");
            if ext == "png" {
                assert_eq!(read["format"], "PNG");
                let size = if name == "Bare" {
                    json!([256, 256])
                } else if name == "Baked JPEG" {
                    json!([40, 30])
                } else {
                    read["size"].clone()
                };
                assert_eq!(read["size"], size, "{name}: the achievement's own picture");
                if name == "Baked PNG" {
                    // The image as uploaded, plus one chunk.
                    assert!(file.len() > avatar.len() + jwt.len() && file.starts_with(&avatar[..33]), "{name}");
                }
            } else {
                assert_eq!(read["format"], "{http://www.w3.org/2000/svg}svg");
                assert_eq!(read["first"], "{https://purl.imsglobal.org/ob/v3p0}credential", "right after <svg>");
            }
            // Uploaded to the verification page, it is read back and checked.
            let form = reqwest::multipart::Form::new()
                .part("image", reqwest::multipart::Part::bytes(file).file_name(format!("badge.{ext}")));
            let to = upload(base, form).await;
            let sent = form_urlencoded::byte_serialize(jwt.as_bytes()).collect::<String>();
            assert_eq!(to, format!("/-/verify?credential={sent}"));
        }
        first.get_or_insert((given["id"].as_i64().expect("id"), jwt));
    }
    let (award, jwt) = first.expect("an award");

    // The page: valid, with who, what, by whom and when.
    let (said, html) = verdict(base, &jwt).await;
    assert_eq!(said, "valid", "{html}");
    assert!(html.contains("Baked PNG") && html.contains("carol") && html.contains("Laurel Heroes"), "{html}");
    assert_eq!(html.matches("class=\"held\"").count(), 5, "five checks held: {html}");
    // Changed after signing: the signature check fails, and what it claims is not shown.
    let tampered = {
        use base64::Engine;
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let parts: Vec<&str> = jwt.split('.').collect();
        let mut claims: Value = serde_json::from_slice(&b64.decode(parts[1]).expect("b64")).expect("json");
        claims["credentialSubject"]["achievement"]["name"] = json!("Forged honour");
        format!("{}.{}.{}", parts[0], b64.encode(claims.to_string()), parts[2])
    };
    let (said, html) = verdict(base, &tampered).await;
    assert_eq!(said, "invalid");
    assert!(html.contains("Signature does not match") && !html.contains("Forged honour"), "{html}");
    // Not a credential at all; another server's; longer than any credential
    // (8 KB): read as nothing, on the page and through the form.
    assert_eq!(verdict(base, "hello there").await.0, "unreadable");
    let huge = format!("{jwt}{}", "A".repeat(9 * 1024));
    assert_eq!(verdict(base, &huge).await.0, "unreadable");
    assert_eq!(upload(base, reqwest::multipart::Form::new().text("credential", huge)).await, "/-/verify?unreadable=1");
    let foreign = {
        use base64::Engine;
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let header = json!({ "alg": "EdDSA", "typ": "JWT", "kid": "did:web:elsewhere.example#key-1" });
        let claims =
            json!({ "iss": "did:web:elsewhere.example", "type": ["VerifiableCredential", "OpenBadgeCredential"] });
        format!("{}.{}.{}", b64.encode(header.to_string()), b64.encode(claims.to_string()), b64.encode([7u8; 64]))
    };
    let (said, html) = verdict(base, &foreign).await;
    assert_eq!(said, "foreign");
    assert!(html.contains("did:web:elsewhere.example"), "{html}");
    // A pasted credential goes through the same form; a file with none is said so.
    let to = upload(base, reqwest::multipart::Form::new().text("credential", format!("  {jwt}\n"))).await;
    assert_eq!(
        to,
        format!("/-/verify?credential={}", form_urlencoded::byte_serialize(jwt.as_bytes()).collect::<String>())
    );
    let plain =
        reqwest::multipart::Form::new().part("image", reqwest::multipart::Part::bytes(avatar).file_name("a.png"));
    assert_eq!(upload(base, plain).await, "/-/verify?unreadable=1");
    let (status, _, html) = get_text(&format!("{base}/-/verify?unreadable=1"), None).await;
    assert!(status == 200 && html.contains("No credential was found"), "{html}");
    // The link inside the credential (its id) leads to this server's record of it.
    let id = {
        use base64::Engine;
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let claims: Value =
            serde_json::from_slice(&b64.decode(jwt.split('.').nth(1).expect("payload")).expect("b64")).expect("json");
        claims["id"].as_str().expect("id").to_string()
    };
    assert_eq!(id, format!("{base}/-/credentials/{award}"));
    let followed = client().get(&id).send().await.expect("link");
    assert_eq!(followed.status(), 303);
    assert_eq!(followed.headers()["location"], format!("/-/verify?award={award}"));
    let (status, _, html) = get_text(&format!("{base}/-/verify?award={award}"), None).await;
    assert_eq!(status, 200);
    assert!(html.contains("data-verdict=\"valid\"") && html.contains("Baked PNG") && html.contains("carol"), "{html}");
    let (_, _, html) = get_text(&format!("{base}/-/verify?award=999999"), None).await;
    assert!(html.contains("No credential was found") && !html.contains("data-verdict"), "{html}");
    assert_eq!(get_text(&format!("{base}/-/credentials/x"), None).await.0, 404);
    // Revoked: the page says so at once.
    let revoke = format!("/user_achievements/{award}/revoke");
    assert_eq!(call(base, Method::POST, &revoke, Some(ROOT_TOKEN), None).await.0, 201);
    let (said, html) = verdict(base, &jwt).await;
    assert_eq!(said, "revoked", "{html}");
    assert!(html.contains("Revoked by its issuer"), "{html}");
    let (_, _, html) = get_text(&format!("{base}/-/verify?award={award}"), None).await;
    assert!(html.contains("data-verdict=\"revoked\"") && !html.contains("Baked PNG"), "the link too: {html}");
}
