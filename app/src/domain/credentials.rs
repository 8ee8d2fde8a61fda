//! Open Badges 3.0 credentials: an award as an `OpenBadgeCredential`
//! (W3C Verifiable Credentials 2.0), signed as a VC-JWT with the instance's
//! Ed25519 key (`alg: EdDSA`, `typ: JWT`, `kid` naming the key in the
//! issuer's `did:web` document), as Open Badges 3.0's JSON Web Token proof
//! format says: the credential is the payload, with `iss`, `jti`, `sub` and
//! `nbf` beside it. The key is made at first use and kept in the database, so
//! every server process signs alike; a rotation keeps the old keys published,
//! so credentials they signed still verify.

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

fn new_key() -> DomainResult<([u8; 32], Vec<u8>)> {
    use ring::rand::SecureRandom;
    let mut seed = [0u8; 32];
    ring::rand::SystemRandom::new()
        .fill(&mut seed)
        .map_err(|_| DomainError::Io(std::io::Error::other("no randomness for a signing key")))?;
    let pair = Ed25519KeyPair::from_seed_unchecked(&seed)
        .map_err(|_| DomainError::Io(std::io::Error::other("signing key rejected")))?;
    Ok((seed, pair.public_key().as_ref().to_vec()))
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
    if tx.active_signing_key().await?.is_none() {
        let (seed, public) = new_key()?;
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
    let (seed, public) = new_key()?;
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
    let pair = Ed25519KeyPair::from_seed_unchecked(&key.seed)
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

/// The recipient's own unrevoked award as a signed VC-JWT (compact form).
/// Anyone else, and a revoked award, is `404 User Achievement Not Found`.
pub async fn credential(app: &AppState, actor: &Actor, award_id: i64) -> DomainResult<String> {
    let not_found = DomainError::NotFound("User Achievement");
    let user = actor.require_user().map_err(|_| DomainError::NotFound("User Achievement"))?.clone();
    let (award, achievement, group) = {
        let mut tx = app.store.read().await?;
        let award = tx.award_by_id(award_id).await?.filter(|a| a.user_id == user.id && a.revoked_by_user_id.is_none());
        let Some(award) = award else { return Err(not_found) };
        let achievement =
            tx.achievement_by_id(award.achievement_id).await?.ok_or(DomainError::NotFound("Achievement"))?;
        let group = tx.namespace_by_id(achievement.namespace_id).await?.ok_or(DomainError::NotFound("Group"))?;
        (award, achievement, group)
    };
    let base = app.instance.external_url.trim_end_matches('/');
    let did = issuer_did(base);
    let valid_from = seconds(award.accepted_at.unwrap_or(award.created_at));
    let id = format!("{base}/-/credentials/{}", award.id);
    let subject = format!("{base}/{}", user.username);
    let description = achievement.description.clone().filter(|d| !d.trim().is_empty());
    let mut achieved = json!({
        "id": format!("{base}/groups/{}/-/achievements#achievement-{}", group.full_path, achievement.id),
        "type": ["Achievement"],
        "name": achievement.name,
        "description": description.clone().unwrap_or_else(|| achievement.name.clone()),
        "criteria": { "narrative": description.unwrap_or_else(|| format!("Awarded by {}.", group.name)) },
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
        "issuer": { "id": did, "type": ["Profile"], "name": group.name, "url": format!("{base}/groups/{}/-/achievements", group.full_path) },
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
