//! Open Badges 3.0 credentials: an award as an `OpenBadgeCredential`
//! (W3C Verifiable Credentials 2.0), signed as a VC-JWT with the instance's
//! Ed25519 key (`alg: EdDSA`, `typ: JWT`, `kid` naming the key in the
//! issuer's `did:web` document), as Open Badges 3.0's JSON Web Token proof
//! format says: the credential is the payload, with `iss`, `jti`, `sub` and
//! `nbf` beside it. The key is made at first use and kept in the database, so
//! every server process signs alike; a rotation keeps the old keys published,
//! so credentials they signed still verify.

use super::secrets::{Column, Sealer};
use super::{audit, require_admin, Actor, AppState, DomainError, DomainResult};
use crate::store::SigningKeyRow;
use base64::Engine;
use ring::signature::{Ed25519KeyPair, KeyPair};
use serde_json::{json, Value};

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// The issuer's DID: `did:web:` and the instance's host (a port's colon
/// percent-encoded, as did:web says), from `EXTERNAL_URL`.
pub fn issuer_did(external_url: &str) -> String {
    let url = url::Url::parse(external_url).ok();
    let host = url.as_ref().and_then(|u| u.host_str().map(str::to_string)).unwrap_or_else(|| "localhost".into());
    let port = url.as_ref().and_then(|u| u.port()).map(|p| format!("%3A{p}")).unwrap_or_default();
    format!("did:web:{host}{port}")
}

fn kid_uri(did: &str, kid: &str) -> String {
    format!("{did}#{kid}")
}

/// A new key pair: its seed sealed as stored ([`super::secrets`]), and its public key.
fn new_key(sealer: &Sealer) -> DomainResult<(Vec<u8>, Vec<u8>)> {
    use ring::rand::SecureRandom;
    let mut seed = [0u8; 32];
    ring::rand::SystemRandom::new()
        .fill(&mut seed)
        .map_err(|_| DomainError::Io(std::io::Error::other("no randomness for a signing key")))?;
    let pair = Ed25519KeyPair::from_seed_unchecked(&seed)
        .map_err(|_| DomainError::Io(std::io::Error::other("signing key rejected")))?;
    Ok((sealer.seal(Column::SigningSeed, &seed)?, pair.public_key().as_ref().to_vec()))
}

/// The key that signs now, made at first use.
async fn signing_key(app: &AppState) -> DomainResult<SigningKeyRow> {
    {
        let mut tx = app.store.read().await?;
        if let Some(key) = tx.active_signing_key().await? {
            return Ok(key);
        }
    }
    let mut tx = app.store.write().await?;
    tx.lock_signing_keys().await?;
    if tx.active_signing_key().await?.is_none() {
        let (seed, public) = new_key(&app.instance.sealer)?;
        let kid = format!("key-{}", tx.count_signing_keys().await? + 1);
        tx.insert_signing_key(&kid, &seed, &public).await?;
    }
    let key = tx.active_signing_key().await?.ok_or(DomainError::NotFound("Signing Key"))?;
    tx.commit().await?;
    Ok(key)
}

fn jwk(did: &str, key: &SigningKeyRow) -> Value {
    json!({
        "kty": "OKP", "crv": "Ed25519", "x": B64.encode(&key.public_key),
        "alg": "EdDSA", "use": "sig", "kid": kid_uri(did, &key.kid),
    })
}

/// `/.well-known/jwks.json`: every key, newest first.
pub async fn jwks(app: &AppState) -> DomainResult<Value> {
    signing_key(app).await?;
    let did = issuer_did(&app.instance.external_url);
    let mut tx = app.store.read().await?;
    let keys: Vec<Value> = tx.signing_keys().await?.iter().map(|k| jwk(&did, k)).collect();
    Ok(json!({ "keys": keys }))
}

/// `/.well-known/did.json`: the issuer's DID document, every key a
/// `JsonWebKey` verification method.
pub async fn did_document(app: &AppState) -> DomainResult<Value> {
    signing_key(app).await?;
    let did = issuer_did(&app.instance.external_url);
    let mut tx = app.store.read().await?;
    let keys = tx.signing_keys().await?;
    let methods: Vec<Value> = keys
        .iter()
        .map(|k| {
            let mut public = jwk(&did, k);
            if let Some(map) = public.as_object_mut() {
                map.remove("kid");
                map.remove("use");
            }
            json!({ "id": kid_uri(&did, &k.kid), "type": "JsonWebKey", "controller": did, "publicKeyJwk": public })
        })
        .collect();
    let ids: Vec<String> = keys.iter().map(|k| kid_uri(&did, &k.kid)).collect();
    Ok(json!({
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/jwk/v1"],
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": ids,
    }))
}

/// A new signing key (instance admins); the old ones stay published.
pub async fn rotate_key(app: &AppState, actor: &Actor) -> DomainResult<String> {
    require_admin(actor)?;
    let mut tx = app.store.write().await?;
    tx.lock_signing_keys().await?;
    let (seed, public) = new_key(&app.instance.sealer)?;
    let kid = format!("key-{}", tx.count_signing_keys().await? + 1);
    tx.insert_signing_key(&kid, &seed, &public).await?;
    tx.retire_signing_keys_but(&kid).await?;
    audit(&mut tx, actor, "signing_key_rotated", "SigningKey", 0, json!({ "kid": kid })).await?;
    app.commit(tx).await?;
    Ok(kid_uri(&issuer_did(&app.instance.external_url), &kid))
}

/// Entries per status list: the least Bitstring Status List allows (16 KB).
pub const LIST_SIZE: i64 = 131_072;

/// Where an award's bit is: its list (from 1) and its index there.
pub fn status_place(award_id: i64) -> (i64, i64) {
    (award_id.div_euclid(LIST_SIZE) + 1, award_id.rem_euclid(LIST_SIZE))
}

/// Signs `payload` as a compact JWT with the active key.
async fn sign(app: &AppState, payload: &Value) -> DomainResult<String> {
    let key = signing_key(app).await?;
    let did = issuer_did(&app.instance.external_url);
    let header = json!({ "alg": "EdDSA", "typ": "JWT", "kid": kid_uri(&did, &key.kid) });
    let signing_input = format!("{}.{}", B64.encode(header.to_string()), B64.encode(payload.to_string()));
    let seed = app.instance.sealer.open(Column::SigningSeed, &key.seed)?;
    let pair = Ed25519KeyPair::from_seed_unchecked(&seed)
        .map_err(|_| DomainError::Io(std::io::Error::other("the stored signing key is not one")))?;
    let signature = pair.sign(signing_input.as_bytes());
    Ok(format!("{signing_input}.{}", B64.encode(signature.as_ref())))
}

/// Status list `list` as a signed `BitstringStatusListCredential` (VC-JWT):
/// the bit of every revoked, declined or deleted award set, read now, so a
/// revocation shows at the next read.
pub async fn status_list(app: &AppState, list: i64) -> DomainResult<String> {
    use std::io::Write;
    if !(1..=1_000_000).contains(&list) {
        return Err(DomainError::NotFound("Status List"));
    }
    let from = (list - 1) * LIST_SIZE;
    let revoked = {
        let mut tx = app.store.read().await?;
        tx.revoked_credentials_between(from, from + LIST_SIZE).await?
    };
    let mut bits = vec![0u8; (LIST_SIZE / 8) as usize];
    for id in revoked {
        let index = (id - from) as usize;
        if let Some(byte) = bits.get_mut(index / 8) {
            *byte |= 0x80 >> (index % 8);
        }
    }
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&bits)?;
    let encoded = format!("u{}", B64.encode(gz.finish()?));
    let base = app.instance.external_url.trim_end_matches('/');
    let did = issuer_did(base);
    let id = format!("{base}/-/credentials/status/{list}");
    let subject = format!("{id}#list");
    let now = chrono::Utc::now();
    let payload = json!({
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": id,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": did,
        "validFrom": seconds(now),
        "credentialSubject": {
            "id": subject, "type": "BitstringStatusList", "statusPurpose": "revocation", "encodedList": encoded,
        },
        "iss": did,
        "jti": id,
        "sub": subject,
        "nbf": now.timestamp(),
    });
    sign(app, &payload).await
}

fn seconds(at: chrono::DateTime<chrono::Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// The issuer's name in a credential of a group a visitor may not see.
pub const PRIVATE_GROUP: &str = "A private group";

/// How a credential names the group that awarded it: the group itself when a
/// visitor may see it (a credential is made to be shown to anyone), else "a
/// private group" of this instance, neither its name nor its path.
struct Awarder {
    name: String,
    /// The group's achievements page, when it is named.
    url: Option<String>,
}

/// The recipient's own unrevoked award as a signed VC-JWT (compact form).
/// Anyone else, a revoked award, and an award of a group whose achievements
/// are switched off, is `404 User Achievement Not Found`.
pub async fn credential(app: &AppState, actor: &Actor, award_id: i64) -> DomainResult<String> {
    let not_found = DomainError::NotFound("User Achievement");
    let user = actor.require_user().map_err(|_| DomainError::NotFound("User Achievement"))?.clone();
    let base = app.instance.external_url.trim_end_matches('/');
    let (award, achievement, awarder) = {
        let mut tx = app.store.read().await?;
        let award = tx.award_by_id(award_id).await?.filter(|a| a.user_id == user.id && a.revoked_by_user_id.is_none());
        let Some(award) = award else { return Err(not_found) };
        let achievement =
            tx.achievement_by_id(award.achievement_id).await?.ok_or(DomainError::NotFound("Achievement"))?;
        let group = tx.namespace_by_id(achievement.namespace_id).await?.ok_or(DomainError::NotFound("Group"))?;
        let seen = super::facts::group_facts(&mut tx, &Actor::Anonymous, &group).await?;
        if !seen.achievements_enabled {
            return Err(not_found);
        }
        let awarder = if crate::policy::embed_award(&seen) {
            Awarder { url: Some(format!("{base}/groups/{}/-/achievements", group.full_path)), name: group.name }
        } else {
            Awarder { name: PRIVATE_GROUP.to_string(), url: None }
        };
        (award, achievement, awarder)
    };
    let did = issuer_did(base);
    let valid_from = seconds(award.accepted_at.unwrap_or(award.created_at));
    let id = format!("{base}/-/credentials/{}", award.id);
    let subject = format!("{base}/{}", user.username);
    let description = achievement.description.clone().filter(|d| !d.trim().is_empty());
    let achievement_id = match &awarder.url {
        Some(page) => format!("{page}#achievement-{}", achievement.id),
        None => format!("{id}#achievement"),
    };
    let mut achieved = json!({
        "id": achievement_id,
        "type": ["Achievement"],
        "name": achievement.name,
        "description": description.clone().unwrap_or_else(|| achievement.name.clone()),
        "criteria": { "narrative": description.unwrap_or_else(|| format!("Awarded by {}.", awarder.name)) },
    });
    if let Some(image) = super::uploads::achievement_avatar_url(&app.instance, &achievement) {
        achieved["image"] = json!({ "id": image, "type": "Image" });
    }
    let nbf = chrono::DateTime::parse_from_rfc3339(&valid_from).map(|t| t.timestamp()).unwrap_or(0);
    let (list, index) = status_place(award.id);
    let payload = json!({
        "@context": ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
        "id": id,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": { "id": did, "type": ["Profile"], "name": awarder.name, "url": awarder.url.unwrap_or_else(|| format!("{base}/")) },
        "validFrom": valid_from,
        "name": achievement.name,
        "credentialSubject": { "id": subject, "type": ["AchievementSubject"], "achievement": achieved },
        "credentialStatus": {
            "id": format!("{base}/-/credentials/status/{list}#{index}"),
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": index.to_string(),
            "statusListCredential": format!("{base}/-/credentials/status/{list}"),
        },
        "iss": did,
        "jti": id,
        "sub": subject,
        "nbf": nbf,
    });
    sign(app, &payload).await
}

/// A baked badge's file: its media type, name and bytes.
pub struct BakedFile {
    pub content_type: &'static str,
    pub file_name: String,
    pub bytes: Vec<u8>,
}

/// The recipient's own unrevoked award as a baked badge (`svg`, else PNG):
/// the achievement's image with the credential inside. Anyone else gets
/// what [`credential`] gives them.
pub async fn baked(app: &AppState, actor: &Actor, award_id: i64, svg: bool) -> DomainResult<BakedFile> {
    let jwt = credential(app, actor, award_id).await?;
    let (name, image) = {
        let mut tx = app.store.read().await?;
        let award = tx.award_by_id(award_id).await?.ok_or(DomainError::NotFound("User Achievement"))?;
        let achievement =
            tx.achievement_by_id(award.achievement_id).await?.ok_or(DomainError::NotFound("Achievement"))?;
        let image = match achievement.avatar.as_deref() {
            Some(_) => tx.avatar_image(achievement.id, None).await?,
            None => None,
        };
        (achievement.name, image.and_then(|i| Some((i.content_type, i.data?))))
    };
    let stem: String = super::uploads::safe_file_name(&name).chars().take(60).collect();
    if svg {
        let image = image.as_ref().map(|(content_type, bytes)| (content_type.as_str(), bytes.as_slice()));
        let bytes = super::baking::bake_svg(image, &name, &jwt).into_bytes();
        return Ok(BakedFile { content_type: "image/svg+xml", file_name: format!("{stem}.svg"), bytes });
    }
    // Decoding and encoding an image is CPU work: off the async runtime, a
    // few at a time.
    let bytes = super::uploads::decoding(move || {
        super::baking::bake_png(image.as_ref().map(|(_, bytes)| bytes.as_slice()), &jwt)
    })
    .await
    .ok_or_else(|| DomainError::Io(std::io::Error::other("baking stopped")))?
    .map_err(|err| DomainError::Io(std::io::Error::other(err.to_string())))?;
    Ok(BakedFile { content_type: "image/png", file_name: format!("{stem}.png"), bytes })
}

/// The longest text the verification page reads as a credential (ours are
/// about 2 KB; the page's address carries it, and proxies refuse long ones).
pub const MAX_CREDENTIAL_BYTES: usize = 8 * 1024;

/// Leeway for clocks a little apart.
const SKEW_SECONDS: i64 = 60;

fn decoded_json(part: &str) -> Option<Value> {
    let bytes = B64.decode(part).ok()?;
    serde_json::from_slice::<Value>(&bytes).ok().filter(Value::is_object)
}

fn unix_time(value: &Value) -> Option<i64> {
    value.as_i64().or_else(|| {
        let text = value.as_str()?;
        chrono::DateTime::parse_from_rfc3339(text).ok().map(|t| t.timestamp())
    })
}

/// Checks `text` (a compact VC-JWT, as issued here) the way anyone relying
/// on it should: that it is one, that this server issued it with a key it
/// published (retired keys included), its signature, its dates, and that it
/// is not revoked. Says which check failed; what the credential says is only
/// given once its signature held.
pub async fn verify(app: &AppState, text: &str) -> DomainResult<crate::model::VerificationView> {
    use crate::model::{CredentialCheck as Check, Verdict, VerificationView};
    let mut view = VerificationView::new(Verdict::Unreadable, Vec::new());
    let text = text.trim();
    let parts: Vec<&str> = text.split('.').collect();
    let read = (text.len() <= MAX_CREDENTIAL_BYTES && parts.len() == 3)
        .then(|| Some((decoded_json(parts[0])?, decoded_json(parts[1])?, B64.decode(parts[2]).ok()?)))
        .flatten();
    let Some((header, payload, signature)) = read else {
        view.checks.push((Check::Format, false));
        return Ok(view);
    };
    let types = payload["type"].as_array().cloned().unwrap_or_default();
    let is_badge = types.iter().any(|t| t == "OpenBadgeCredential" || t == "AchievementCredential");
    let format_ok = header["alg"] == "EdDSA" && is_badge;
    view.checks.push((Check::Format, format_ok));
    view.verdict = Verdict::Invalid;
    if !format_ok {
        return Ok(view);
    }
    // The issuer: this server's DID, in the claims and in the key's id.
    let did = issuer_did(&app.instance.external_url);
    let iss = payload["iss"].as_str().or_else(|| payload["issuer"]["id"].as_str()).unwrap_or("");
    if iss != did {
        view.verdict = Verdict::Foreign;
        view.foreign_issuer = Some(iss.chars().take(200).collect());
        view.checks.push((Check::Issuer, false));
        return Ok(view);
    }
    let keys = {
        let mut tx = app.store.read().await?;
        tx.signing_keys().await?
    };
    let kid = header["kid"].as_str().unwrap_or("");
    let key = keys.iter().find(|k| kid_uri(&did, &k.kid) == kid);
    view.checks.push((Check::Issuer, key.is_some()));
    let Some(key) = key else { return Ok(view) };
    let public = ring::signature::UnparsedPublicKey::new(&ring::signature::ED25519, &key.public_key);
    let signed = format!("{}.{}", parts[0], parts[1]);
    let genuine = public.verify(signed.as_bytes(), &signature).is_ok();
    view.checks.push((Check::Signature, genuine));
    if !genuine {
        return Ok(view);
    }
    // What it says, now that it is known to be ours.
    let achievement = &payload["credentialSubject"]["achievement"];
    view.achievement = achievement["name"].as_str().map(str::to_string);
    view.image = achievement["image"]["id"].as_str().map(str::to_string);
    view.issuer = payload["issuer"]["name"].as_str().map(str::to_string);
    let subject = payload["credentialSubject"]["id"].as_str().unwrap_or("");
    let base = app.instance.external_url.trim_end_matches('/');
    match subject.strip_prefix(base).and_then(|rest| rest.strip_prefix('/')) {
        Some(username) if !username.is_empty() && !username.contains('/') => {
            view.recipient = Some(username.to_string());
            view.recipient_url = Some(format!("/{username}"));
        }
        _ => view.recipient = (!subject.is_empty()).then(|| subject.to_string()),
    }
    let valid_from = unix_time(&payload["validFrom"]).or_else(|| unix_time(&payload["nbf"]));
    view.awarded_on =
        valid_from.and_then(|t| chrono::DateTime::from_timestamp(t, 0)).map(|t| t.format("%Y-%m-%d").to_string());
    let now = chrono::Utc::now().timestamp();
    let started = [&payload["nbf"], &payload["validFrom"]]
        .iter()
        .all(|v| v.is_null() || unix_time(v).is_some_and(|t| t <= now + SKEW_SECONDS));
    let ends = [&payload["exp"], &payload["validUntil"]];
    let not_ended = ends.iter().all(|v| v.is_null() || unix_time(v).is_some_and(|t| now <= t + SKEW_SECONDS));
    let in_date = started && not_ended;
    view.checks.push((Check::Dates, in_date));
    // Its status: this server's own list, read now.
    let status = &payload["credentialStatus"];
    let list = status["statusListCredential"].as_str().and_then(|url| {
        url.strip_prefix(&format!("{base}/-/credentials/status/"))?.parse::<i64>().ok().filter(|n| *n >= 1)
    });
    let index =
        status["statusListIndex"].as_str().and_then(|i| i.parse::<i64>().ok()).filter(|i| (0..LIST_SIZE).contains(i));
    let award = list.zip(index).and_then(|(list, index)| {
        (list - 1).checked_mul(LIST_SIZE)?.checked_add(index).filter(|award| *award < i64::MAX)
    });
    let revoked = match award {
        Some(award) => {
            let mut tx = app.store.read().await?;
            !tx.revoked_credentials_between(award, award + 1).await?.is_empty()
        }
        // Ours always carry a status: one without is not as issued.
        None => true,
    };
    view.checks.push((Check::Status, !revoked));
    view.verdict = match (in_date, revoked) {
        (true, false) => Verdict::Valid,
        (true, true) => Verdict::Revoked,
        _ => Verdict::Invalid,
    };
    Ok(view)
}

/// What the link inside a credential (its `id`, `/-/credentials/<award>`)
/// says when followed: this server's own record of the award, as a visitor
/// may know it. Revoked (or deleted) shows as such, as the public status
/// list already says; a live award is valid, with who holds what, only when
/// a visitor may see it on the holder's profile. Anything else (no such
/// award, or one a visitor may not see: hidden, pending, a private profile
/// or group) is `None`, so the link tells a stranger nothing the profile
/// does not.
pub async fn verify_award(app: &AppState, award_id: i64) -> DomainResult<Option<crate::model::VerificationView>> {
    use crate::model::{CredentialCheck as Check, Verdict, VerificationView};
    if !(1..i64::MAX).contains(&award_id) {
        return Ok(None);
    }
    let revoked = {
        let mut tx = app.store.read().await?;
        !tx.revoked_credentials_between(award_id, award_id + 1).await?.is_empty()
    };
    if revoked {
        return Ok(Some(VerificationView::new(Verdict::Revoked, vec![(Check::Issuer, true), (Check::Status, false)])));
    }
    let Ok((holder, shown)) = super::embeds::public_award(app, award_id).await else { return Ok(None) };
    let mut view = VerificationView::new(Verdict::Valid, vec![(Check::Issuer, true), (Check::Status, true)]);
    view.achievement = Some(shown.achievement);
    view.recipient_url = Some(format!("/{holder}"));
    view.recipient = Some(holder);
    view.issuer = Some(shown.group);
    view.awarded_on = Some(shown.awarded_on);
    view.image = shown.avatar_url;
    Ok(Some(view))
}
