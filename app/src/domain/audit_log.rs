//! A group's audit log: what was done to its achievements and awards, by whom,
//! to whom, and when, for its Owners and admins.

use super::listing::{self, Listing, Window};
use super::{groups, Actor, AppState, DomainError, DomainResult};
use crate::policy;
use crate::store::{AuditRow, GroupAudit, NamespaceRow, UserRow};
use chrono::{DateTime, NaiveDate, Utc};

/// The log's filters, as a person gives them.
#[derive(Clone, Debug, Default)]
pub struct AuditFilter {
    /// A username: entries by that person, or done to them.
    pub person: Option<String>,
    pub achievement_id: Option<i64>,
    /// From this moment on (inclusive).
    pub from: Option<DateTime<Utc>>,
    /// Up to this moment (exclusive).
    pub until: Option<DateTime<Utc>>,
}

/// The start of a calendar day (UTC).
fn day_start(day: NaiveDate) -> DateTime<Utc> {
    day.and_time(chrono::NaiveTime::MIN).and_utc()
}

/// Years 1 to 9999: what both databases store and compare as times.
fn storable(year: i32) -> bool {
    (1..=9999).contains(&year)
}

/// A date as people write it (`YYYY-MM-DD`), in a year the log can hold.
pub fn parse_day(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok().filter(|d| storable(chrono::Datelike::year(d)))
}

/// A bound of the log's time filter: a date, or an RFC 3339 time. `until`
/// includes it (a date to its end); otherwise it starts there. `None` for
/// anything else.
pub fn bound(text: &str, until: bool) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if let Some(at) = DateTime::parse_from_rfc3339(text).ok().filter(|at| storable(chrono::Datelike::year(at))) {
        let at = at.with_timezone(&Utc);
        return Some(if until { at + chrono::Duration::milliseconds(1) } else { at });
    }
    let day = parse_day(text)?;
    Some(day_start(if until { day.succ_opt()? } else { day }))
}

/// A page of the group's log, newest first, with the people it names (who
/// did it, and to whom) by id.
pub struct AuditPage {
    pub group: NamespaceRow,
    pub entries: Listing<AuditRow>,
    pub people: Vec<UserRow>,
}

pub async fn group_audit(
    app: &AppState,
    actor: &Actor,
    group: &str,
    filter: &AuditFilter,
    window: Window,
) -> DomainResult<AuditPage> {
    let mut tx = app.store.read().await?;
    let (group, facts) = groups::readable_group(&mut tx, actor, group).await?;
    if !policy::read_group_audit(&actor.viewer(), &facts) {
        return Err(if actor.user().is_some() { DomainError::Forbidden } else { DomainError::Unauthorized });
    }
    let person = match filter.person.as_deref().map(|p| p.trim().trim_start_matches('@')).filter(|p| !p.is_empty()) {
        Some(name) => match tx.user_by_username(name).await? {
            Some(user) => Some(user.id),
            // Nobody by that name did anything here.
            None => return Ok(AuditPage { group, entries: Listing::empty(), people: Vec::new() }),
        },
        None => None,
    };
    let q = GroupAudit {
        group_id: group.id,
        person,
        achievement_id: filter.achievement_id,
        from: filter.from,
        until: filter.until,
    };
    let total = listing::count(tx.count_group_audit(&q).await?);
    let range = window.range(total);
    let (limit, offset) = listing::limit_offset(&range);
    let items = tx.group_audit(&q, limit, offset).await?;
    let mut ids: Vec<i64> = items.iter().flat_map(|e| [e.actor_id, e.subject_id]).flatten().collect();
    ids.sort_unstable();
    ids.dedup();
    let people = tx.users_by_ids(&ids).await?;
    Ok(AuditPage { group, entries: Listing { total, start: range.start, items }, people })
}
