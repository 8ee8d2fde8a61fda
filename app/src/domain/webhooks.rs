//! Group webhooks as GitLab has them: Owners (and admins) keep a list of URLs
//! a group's events are POSTed to, each with a secret token, an optional
//! signing key and event switches. Which addresses a hook may target is decided
//! here ([`address_allowed`]) for both the URL check and the delivery worker's
//! resolver; delivery itself is in [`super::hook_delivery`], the payloads in
//! [`super::hook_events`].

use super::secrets::{Column, Sealer};
use super::{audit_concerning, groups, listing, Actor, AppState, DomainError, DomainResult};
use crate::policy;
use crate::store::{Concerns, HookDeliveryRow, HookFields, HookRow, NamespaceRow, Tx};
use std::net::IpAddr;

/// GitLab's event switches, in the order its hook JSON lists them, then
/// Laurel's own. Laurel sends `emoji_events` and `achievement_events`; the
/// others are kept and shown, for clients that set them.
pub const EVENT_SWITCHES: [&str; 22] = [
    "push_events",
    "tag_push_events",
    "merge_requests_events",
    "repository_update_events",
    "issues_events",
    "confidential_issues_events",
    "note_events",
    "confidential_note_events",
    "pipeline_events",
    "wiki_page_events",
    "job_events",
    "deployment_events",
    "feature_flag_events",
    "releases_events",
    "milestone_events",
    "subgroup_events",
    "emoji_events",
    "resource_access_token_events",
    "member_events",
    "vulnerability_events",
    "project_events",
    "achievement_events",
];

/// The switches a new hook has on unless told otherwise (GitLab's default: push).
const DEFAULT_EVENTS: &str = "push_events";

/// The events Laurel sends, with their `X-Gitlab-Event` names.
pub const SENT_EVENTS: [(&str, &str); 2] = [("emoji_events", "Emoji Hook"), ("achievement_events", "Achievement Hook")];

/// At most this many hooks per group.
pub const MAX_HOOKS_PER_GROUP: i64 = 100;
const MAX_URL_LENGTH: usize = 2048;
const MAX_TOKEN_LENGTH: usize = 255;

pub const URL_BLOCKED_LOCAL: &str = "Url is blocked: Requests to the local network are not allowed";
pub const URL_BLOCKED_LINK_LOCAL: &str = "Url is blocked: Requests to the link local network are not allowed";

/// Cloud metadata services: never a hook's target, whatever the admin allows.
fn metadata_service(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_link_local() || v4.octets() == [100, 100, 100, 200],
        IpAddr::V6(v6) => {
            (v6.segments()[0] & 0xffc0) == 0xfe80 || v6.segments() == [0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254]
        }
    }
}

/// The IPv4 address an IPv6 one carries (mapped, compatible, NAT64, 6to4,
/// Teredo), which is where it really goes.
fn embedded_v4(v6: std::net::Ipv6Addr) -> Option<std::net::Ipv4Addr> {
    let s = v6.segments();
    let v4 = |hi: u16, lo: u16| std::net::Ipv4Addr::from((u32::from(hi) << 16) | u32::from(lo));
    if let Some(mapped) = v6.to_ipv4_mapped() {
        return Some(mapped);
    }
    match s {
        // IPv4-compatible (::a.b.c.d, but not :: and ::1).
        [0, 0, 0, 0, 0, 0, hi, lo] if hi != 0 => Some(v4(hi, lo)),
        // IPv4-translated (SIIT, ::ffff:0:a.b.c.d).
        [0, 0, 0, 0, 0xffff, 0, hi, lo] => Some(v4(hi, lo)),
        // NAT64: 64:ff9b::/96 and 64:ff9b:1::/48.
        [0x64, 0xff9b, 0, 0, 0, 0, hi, lo] | [0x64, 0xff9b, 1, _, _, _, hi, lo] => Some(v4(hi, lo)),
        // 6to4: 2002:aabb:ccdd::/48.
        [0x2002, hi, lo, ..] => Some(v4(hi, lo)),
        // Teredo: 2001:0::/32, the client address inverted in the last 32 bits.
        [0x2001, 0, _, _, _, _, hi, lo] => Some(v4(!hi, !lo)),
        _ => None,
    }
}

/// Whether a hook may send to `ip`: public addresses always; loopback,
/// private, shared (CGNAT), reserved and unspecified ones only when the admin
/// allows local requests; link-local ones and cloud metadata services never.
/// An IPv6 address carrying an IPv4 one is judged by that one.
pub fn address_allowed(ip: IpAddr, allow_local: bool) -> Result<(), &'static str> {
    let ip = match ip {
        IpAddr::V6(v6) => embedded_v4(v6).map(IpAddr::V4).unwrap_or(IpAddr::V6(v6)),
        v4 => v4,
    };
    if metadata_service(ip) {
        return Err(URL_BLOCKED_LINK_LOCAL);
    }
    let local = match ip {
        IpAddr::V4(v4) => {
            let [a, b, c, _] = v4.octets();
            v4.is_loopback()
                || v4.is_private()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || (a == 100 && (64..128).contains(&b))
                || (a == 192 && b == 0 && c == 0)
                || (a == 198 && (18..20).contains(&b))
                || a >= 240
                || a == 0
        }
        IpAddr::V6(v6) => {
            let first = v6.segments()[0];
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfec0
        }
    };
    if local && !allow_local {
        Err(URL_BLOCKED_LOCAL)
    } else {
        Ok(())
    }
}

/// A hook URL as GitLab takes it: absolute http(s) with a host. `None`: not a
/// URL at all (REST's `Invalid url given`).
pub fn parse_url(raw: &str) -> Option<url::Url> {
    let raw = raw.trim();
    if raw.is_empty() || raw.len() > MAX_URL_LENGTH {
        return None;
    }
    let url = url::Url::parse(raw).ok()?;
    (matches!(url.scheme(), "http" | "https") && url.host().is_some()).then_some(url)
}

/// Checks a hook URL: well formed, and not aimed at a local address unless the
/// admin allows it (names are checked again, resolved, at every delivery).
pub fn check_url(raw: &str, allow_local: bool) -> DomainResult<url::Url> {
    let url = parse_url(raw).ok_or_else(|| DomainError::invalid("Url is invalid"))?;
    let refused = match url.host() {
        Some(url::Host::Ipv4(v4)) => address_allowed(IpAddr::V4(v4), allow_local).err(),
        Some(url::Host::Ipv6(v6)) => address_allowed(IpAddr::V6(v6), allow_local).err(),
        Some(url::Host::Domain(name)) => {
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            let localhost = name == "localhost" || name.ends_with(".localhost");
            (localhost && !allow_local).then_some(URL_BLOCKED_LOCAL)
        }
        None => Some("Url is invalid"),
    };
    match refused {
        Some(message) => Err(DomainError::invalid(message)),
        None => Ok(url),
    }
}

/// A signing key as GitLab 19 takes it: `whsec_` and a base64 key of 24 to 64 bytes.
pub fn signing_key(token: &str) -> Option<Vec<u8>> {
    use base64::Engine;
    let key = base64::engine::general_purpose::STANDARD.decode(token.strip_prefix("whsec_")?).ok()?;
    (24..=64).contains(&key.len()).then_some(key)
}

/// The Standard Webhooks signature of a delivery: `v1,<base64 HMAC-SHA256 of
/// "{id}.{timestamp}.{body}">`.
pub fn signature(signing_token: &str, id: &str, timestamp: i64, body: &str) -> Option<String> {
    use base64::Engine;
    use hmac::Mac;
    let key = signing_key(signing_token)?;
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(&key).ok()?;
    mac.update(format!("{id}.{timestamp}.{body}").as_bytes());
    Some(format!("v1,{}", base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())))
}

/// A random UUID (version 4), for idempotency keys and event ids.
pub fn uuid_v4() -> String {
    let mut b: [u8; 16] = rand::random();
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex = hex::encode(b);
    format!("{}-{}-{}-{}-{}", &hex[0..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..32])
}

/// What a create or an edit says; `None` leaves a field as it is (on create:
/// its default). An empty `token` or `signing_token` removes it.
#[derive(Clone, Debug, Default)]
pub struct HookInput {
    pub url: Option<String>,
    pub name: Option<String>,
    pub description: Option<String>,
    pub token: Option<String>,
    pub signing_token: Option<String>,
    pub enable_ssl_verification: Option<bool>,
    /// Switches to turn on or off (names from [`EVENT_SWITCHES`]).
    pub events: Vec<(String, bool)>,
}

/// The group, if the actor may manage its hooks: unknown or unreadable groups
/// are `404 Group Not Found`; others who may see it get `403`.
async fn managed(tx: &mut Tx, actor: &Actor, group: &str) -> DomainResult<NamespaceRow> {
    let (group, facts) = groups::readable_group(tx, actor, group).await?;
    if !policy::admin_group_hooks(&actor.viewer(), &facts) {
        return Err(if actor.user().is_some() { DomainError::Forbidden } else { DomainError::Unauthorized });
    }
    Ok(group)
}

async fn managed_hook(tx: &mut Tx, actor: &Actor, group: &str, hook_id: i64) -> DomainResult<(NamespaceRow, HookRow)> {
    let group = managed(tx, actor, group).await?;
    let hook = tx.hook_by_id(hook_id).await?.filter(|h| h.group_id == group.id).ok_or(DomainError::NotFound("Hook"))?;
    Ok((group, hook))
}

pub async fn list_hooks(app: &AppState, actor: &Actor, group: &str) -> DomainResult<(NamespaceRow, Vec<HookRow>)> {
    let mut tx = app.store.read().await?;
    let group = managed(&mut tx, actor, group).await?;
    let hooks = tx.hooks_of_group(group.id).await?;
    Ok((group, hooks))
}

pub async fn hook(app: &AppState, actor: &Actor, group: &str, hook_id: i64) -> DomainResult<HookRow> {
    let mut tx = app.store.read().await?;
    Ok(managed_hook(&mut tx, actor, group, hook_id).await?.1)
}

/// Applies `input` over `base` (an existing hook, or none for a new one) and checks it all.
/// The tokens come back sealed, as stored ([`super::secrets`]).
async fn fields(
    (tx, sealer): (&mut Tx, &Sealer),
    input: &HookInput,
    base: Option<&HookRow>,
) -> DomainResult<(OwnedFields, bool)> {
    let allow_local = tx.allow_local_hook_requests().await?;
    let url = match (&input.url, base) {
        (Some(url), _) => check_url(url, allow_local)?.to_string(),
        (None, Some(hook)) => hook.url.clone(),
        (None, None) => return Err(DomainError::invalid("Url can't be blank")),
    };
    let url_changed = base.is_some_and(|hook| hook.url != url);
    let text =
        |given: &Option<String>, old: Option<&String>| given.clone().or_else(|| old.cloned()).unwrap_or_default();
    let name = text(&input.name, base.map(|h| &h.name)).trim().to_string();
    let description = text(&input.description, base.map(|h| &h.description)).trim().to_string();
    let secret = |given: &Option<String>, old: Option<&String>| match given {
        Some(s) if s.is_empty() => None,
        Some(s) => Some(s.clone()),
        None => old.cloned(),
    };
    // A new address gets no old secret: whoever may move a hook must not be
    // able to have its token and signatures sent somewhere else (as GitLab).
    let kept = |old: Option<&String>| if url_changed { None } else { old.cloned() };
    // An old secret is opened only when it is kept (not replaced, same URL).
    let old = |given: &Option<String>, column: Column, sealed: Option<&String>| match given {
        None if !url_changed => sealer.open_optional(column, sealed.map(String::as_str)),
        _ => Ok(None),
    };
    let old_token = old(&input.token, Column::HookToken, base.and_then(|h| h.token.as_ref()))?;
    let old_signing = old(&input.signing_token, Column::HookSigningToken, base.and_then(|h| h.signing_token.as_ref()))?;
    let token = secret(&input.token, kept(old_token.as_ref()).as_ref());
    let signing_token = secret(&input.signing_token, kept(old_signing.as_ref()).as_ref());
    let mut errors: Vec<String> = super::text::too_long("Name", Some(&name), 255).into_iter().collect();
    errors.extend(super::text::too_long("Description", Some(&description), 2048));
    errors.extend(super::text::too_long("Token", token.as_deref(), MAX_TOKEN_LENGTH));
    // It is sent as a header: visible ASCII only.
    if token.as_deref().is_some_and(|t| !t.chars().all(|c| c.is_ascii_graphic())) {
        errors.push("Token may hold letters, digits and ASCII punctuation only".into());
    }
    if signing_token.as_deref().is_some_and(|t| signing_key(t).is_none()) {
        errors.push("Signing token must be whsec_ followed by a base64 key of 24 to 64 bytes".into());
    }
    let mut on: Vec<&str> = match base {
        Some(hook) => hook.events.split_whitespace().collect(),
        None => vec![DEFAULT_EVENTS],
    };
    for (switch, enabled) in &input.events {
        let Some(known) = EVENT_SWITCHES.iter().find(|s| *s == switch) else {
            errors.push(format!("{switch} is not an event"));
            continue;
        };
        on.retain(|s| s != known);
        if *enabled {
            on.push(known);
        }
    }
    if !errors.is_empty() {
        return Err(DomainError::Invalid(errors));
    }
    let events = EVENT_SWITCHES.iter().filter(|s| on.contains(s)).copied().collect::<Vec<_>>().join(" ");
    let enable_ssl_verification =
        input.enable_ssl_verification.or(base.map(|h| h.enable_ssl_verification)).unwrap_or(true);
    let token = sealer.seal_optional(Column::HookToken, token.as_deref())?;
    let signing_token = sealer.seal_optional(Column::HookSigningToken, signing_token.as_deref())?;
    Ok((OwnedFields { url, name, description, token, signing_token, enable_ssl_verification, events }, url_changed))
}

struct OwnedFields {
    url: String,
    name: String,
    description: String,
    token: Option<String>,
    signing_token: Option<String>,
    enable_ssl_verification: bool,
    events: String,
}

impl OwnedFields {
    fn borrowed(&self) -> HookFields<'_> {
        HookFields {
            url: &self.url,
            name: &self.name,
            description: &self.description,
            token: self.token.as_deref(),
            signing_token: self.signing_token.as_deref(),
            enable_ssl_verification: self.enable_ssl_verification,
            events: &self.events,
        }
    }
}

async fn audit_hook(tx: &mut Tx, actor: &Actor, action: &str, hook: &HookRow) -> DomainResult<()> {
    let concerns = Concerns { group_id: Some(hook.group_id), ..Concerns::default() };
    // The URL's credentials and query may hold secrets: the audit log keeps the host.
    let host = url::Url::parse(&hook.url).ok().and_then(|u| u.host_str().map(str::to_string)).unwrap_or_default();
    let details = serde_json::json!({ "host": host, "events": hook.events });
    audit_concerning(tx, actor, concerns, (action, "GroupHook", hook.id), details).await
}

pub async fn create_hook(app: &AppState, actor: &Actor, group: &str, input: HookInput) -> DomainResult<HookRow> {
    let mut tx = app.store.write().await?;
    let group = managed(&mut tx, actor, group).await?;
    tx.lock_group(group.id).await?;
    if tx.count_group_hooks(group.id).await? >= MAX_HOOKS_PER_GROUP {
        return Err(DomainError::invalid(format!("A group has at most {MAX_HOOKS_PER_GROUP} webhooks")));
    }
    let (fields, _) = fields((&mut tx, &app.instance.sealer), &input, None).await?;
    let hook = tx.insert_hook(group.id, &fields.borrowed()).await?;
    audit_hook(&mut tx, actor, "webhook_created", &hook).await?;
    app.commit(tx).await?;
    Ok(hook)
}

pub async fn update_hook(
    app: &AppState,
    actor: &Actor,
    group: &str,
    hook_id: i64,
    input: HookInput,
) -> DomainResult<HookRow> {
    let mut tx = app.store.write().await?;
    let (_, hook) = managed_hook(&mut tx, actor, group, hook_id).await?;
    let (fields, url_changed) = fields((&mut tx, &app.instance.sealer), &input, Some(&hook)).await?;
    let hook = tx.update_hook(hook.id, &fields.borrowed(), url_changed).await?;
    audit_hook(&mut tx, actor, "webhook_updated", &hook).await?;
    app.commit(tx).await?;
    Ok(hook)
}

/// Deletes a hook and its deliveries. `unmodified_since`: REST's `If-Unmodified-Since`.
pub async fn delete_hook(
    app: &AppState,
    actor: &Actor,
    group: &str,
    hook_id: i64,
    unmodified_since: Option<chrono::DateTime<chrono::Utc>>,
) -> DomainResult<()> {
    let mut tx = app.store.write().await?;
    let (_, hook) = managed_hook(&mut tx, actor, group, hook_id).await?;
    if unmodified_since.is_some_and(|since| hook.updated_at.timestamp() > since.timestamp()) {
        return Err(DomainError::PreconditionFailed);
    }
    tx.delete_hook(hook.id).await?;
    audit_hook(&mut tx, actor, "webhook_deleted", &hook).await?;
    app.commit(tx).await
}

/// Sends a sample event of `trigger` (`emoji_events`, `achievement_events`) to
/// the hook now, through the outbox like any other, tried once. A delivered
/// test enables a disabled hook again.
pub async fn test_hook(app: &AppState, actor: &Actor, group: &str, hook_id: i64, trigger: &str) -> DomainResult<()> {
    let mut tx = app.store.write().await?;
    let (group, mut hook) = managed_hook(&mut tx, actor, group, hook_id).await?;
    if let Some(user) = actor.user() {
        super::limits::check_hook_test(app, user.id)?;
    }
    let Some((_, event_name)) = SENT_EVENTS.iter().find(|(switch, _)| *switch == trigger) else {
        return Err(DomainError::invalid(format!("trigger does not have a valid value ({trigger})")));
    };
    let payload = super::hook_events::sample(&mut tx, app, actor, (&group, &hook), trigger).await?;
    // A test goes out now, even to a disabled hook, once; if it gets through,
    // the hook is enabled again.
    hook.disabled_until = None;
    let test = super::hook_events::Queued { event_name, trigger, is_test: true };
    super::hook_events::enqueue(&mut tx, &[hook], test, &payload, &mut Default::default()).await?;
    app.commit(tx).await?;
    app.hooks.wake();
    Ok(())
}

/// A page of a hook's deliveries, newest first.
pub async fn deliveries(
    app: &AppState,
    actor: &Actor,
    group: &str,
    hook_id: i64,
    window: listing::Window,
) -> DomainResult<(HookRow, listing::Listing<HookDeliveryRow>)> {
    let mut tx = app.store.read().await?;
    let (_, hook) = managed_hook(&mut tx, actor, group, hook_id).await?;
    let total = listing::count(tx.count_deliveries_of_hook(hook.id).await?);
    let range = window.range(total);
    let (limit, offset) = listing::limit_offset(&range);
    let items = tx.deliveries_of_hook(hook.id, limit, offset).await?;
    Ok((hook, listing::Listing { total, start: range.start, items }))
}

/// Sends a delivery again, as a new delivery with the same payload and
/// Idempotency-Key (so a receiver that got the first can tell).
pub async fn resend(app: &AppState, actor: &Actor, group: &str, hook_id: i64, delivery_id: i64) -> DomainResult<i64> {
    let mut tx = app.store.write().await?;
    let (_, hook) = managed_hook(&mut tx, actor, group, hook_id).await?;
    let delivery = tx
        .delivery_by_id(delivery_id)
        .await?
        .filter(|d| d.hook_id == hook.id)
        .ok_or(DomainError::NotFound("Hook Log"))?;
    let id = tx
        .insert_delivery(&crate::store::NewDelivery {
            hook_id: hook.id,
            event_name: &delivery.event_name,
            trigger: &delivery.trigger,
            idempotency_key: &delivery.idempotency_key,
            event_uuid: &delivery.event_uuid,
            is_test: delivery.is_test,
            payload: &delivery.payload,
            not_before: crate::store::now(),
        })
        .await?;
    app.commit(tx).await?;
    app.hooks.wake();
    Ok(id)
}

/// GitLab's `alert_status` of a hook now.
pub fn alert_status(hook: &HookRow) -> &'static str {
    if hook.permanently_disabled {
        "disabled"
    } else if hook.disabled_until.is_some_and(|until| until > chrono::Utc::now()) {
        "temporarily_disabled"
    } else {
        "executable"
    }
}
