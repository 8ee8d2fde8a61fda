//! Bulk award: one achievement to the people a CSV file names (`username` or
//! `email`, optional `message`), first as a dry run that says, line by line,
//! who would get it and who not (unknown, blocked, already holds it, named
//! twice, a bad line), then applied in one transaction: every award with its
//! audit entry, event and mail, exactly as one made by hand, or none.

use super::achievements::{self, Awarding, Loaded};
use super::{Actor, AppState, DomainError, DomainResult};
use crate::policy;
use crate::store::{UserKey, UserRow};
use std::collections::{HashMap, HashSet};

/// A file holds at most this many lines, and this many bytes.
pub const MAX_LINES: usize = 10_000;
pub const MAX_BYTES: usize = 2 * 1024 * 1024;

/// What happens to one line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Gets it (or would, in a dry run).
    Award,
    /// Nobody by that username or e-mail.
    Unknown,
    Blocked,
    /// Holds it already (unrevoked): not awarded again.
    AlreadyHolds,
    /// Named before, on that line.
    Duplicate(usize),
    /// Not a line that names someone, or a message too long.
    Invalid(String),
}

impl Outcome {
    /// Its name in reports (`award`, `unknown`, ...).
    pub fn code(&self) -> &'static str {
        match self {
            Outcome::Award => "award",
            Outcome::Unknown => "unknown",
            Outcome::Blocked => "blocked",
            Outcome::AlreadyHolds => "already_holds",
            Outcome::Duplicate(_) => "duplicate",
            Outcome::Invalid(_) => "invalid",
        }
    }
}

/// One line of the file and what happens to it.
#[derive(Clone, Debug)]
pub struct BulkLine {
    /// 1-based, as an editor counts.
    pub line: usize,
    /// The username or e-mail as written.
    pub given: String,
    /// Whether the line names someone by e-mail (the report then never says whose it is).
    pub by_email: bool,
    pub user: Option<UserRow>,
    pub message: Option<String>,
    pub outcome: Outcome,
}

pub struct BulkReport {
    pub lines: Vec<BulkLine>,
    /// Whether the awards were made (not a dry run).
    pub applied: bool,
}

impl BulkReport {
    pub fn count(&self, code: &str) -> usize {
        self.lines.iter().filter(|l| l.outcome.code() == code).count()
    }
}

/// A line as read: who, with which message.
struct Named {
    line: usize,
    given: String,
    key: Option<UserKey>,
    message: Option<String>,
    problem: Option<String>,
}

/// Line numbers of records, counted as the reader moves on (each byte of the
/// file is looked at once).
struct LineCounter<'a> {
    bytes: &'a [u8],
    at: usize,
    line: usize,
}

impl LineCounter<'_> {
    /// The line (1-based) a record starts on, from where the reader began it
    /// (blank lines before it are part of that stretch).
    fn line_at(&mut self, byte: usize) -> usize {
        let mut start = byte.min(self.bytes.len());
        while start < self.bytes.len() && (self.bytes[start] == b'\n' || self.bytes[start] == b'\r') {
            start += 1;
        }
        if start >= self.at {
            self.line += self.bytes[self.at..start].iter().filter(|b| **b == b'\n').count();
            self.at = start;
        }
        self.line
    }
}

/// Reads the file: a header line naming `username` or `email` (and `message`)
/// columns, or none (then the first column names the person, the second is
/// the message). Blank lines are skipped.
fn read(csv_text: &str, admin: bool) -> DomainResult<Vec<Named>> {
    if csv_text.len() > MAX_BYTES {
        return Err(DomainError::invalid(format!("The file is too big (at most {} MB)", MAX_BYTES / 1024 / 1024)));
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(csv_text.as_bytes());
    let mut named = Vec::new();
    let mut lines = LineCounter { bytes: csv_text.as_bytes(), at: 0, line: 1 };
    let (mut who_column, mut message_column, mut forced) = (0usize, Some(1usize), None::<UserKey>);
    for (index, record) in reader.records().enumerate() {
        let record = record.map_err(|e| DomainError::invalid(format!("The file is not CSV: {e}")))?;
        let line = record.position().map_or(index + 1, |p| lines.line_at(p.byte() as usize));
        if record.iter().all(str::is_empty) {
            // A line of spaces is as blank as an empty one.
            continue;
        }
        if index == 0 {
            let fields: Vec<String> = record.iter().map(|f| f.to_lowercase()).collect();
            let column = |name: &str| fields.iter().position(|f| f == name);
            if let Some(at) = column("username").or_else(|| column("email")) {
                forced = Some(if column("username").is_some() { UserKey::Username } else { UserKey::Email });
                who_column = at;
                message_column = column("message");
                continue;
            }
        }
        if named.len() >= MAX_LINES {
            return Err(DomainError::invalid(format!("The file has more than {MAX_LINES} lines")));
        }
        let given = record.get(who_column).unwrap_or_default().to_string();
        let message = message_column.and_then(|at| record.get(at)).filter(|m| !m.is_empty()).map(str::to_string);
        let mut problem = None;
        let who = given.trim_start_matches('@');
        let key = match forced {
            _ if who.is_empty() => {
                problem = Some("No username or e-mail".to_string());
                None
            }
            Some(key) => Some(key),
            None if who.contains('@') => Some(UserKey::Email),
            None => Some(UserKey::Username),
        };
        if problem.is_none() && key == Some(UserKey::Email) && !admin {
            // Who owns an address is not for everyone to learn.
            problem = Some("Name people by username (e-mail addresses are for instance admins)".to_string());
        }
        if problem.is_none() && achievements::validate_message(message.as_deref()).is_err() {
            problem = Some("Award message is too long (maximum is 200 characters)".to_string());
        }
        named.push(Named { line, given, key, message, problem });
    }
    Ok(named)
}

/// The report for `csv_text` (a dry run), or, with `apply`, the awards made
/// and the report of what was done. Maintainers+ of the achievement's group.
pub async fn bulk_award(
    app: &AppState,
    actor: &Actor,
    achievement_id: i64,
    csv_text: &str,
    apply: bool,
) -> DomainResult<BulkReport> {
    let awarder = actor.require_user().map_err(|_| DomainError::NotFound("Achievement"))?.clone();
    {
        // Only someone who may award here makes the server read a file.
        let mut read_tx = app.store.read().await?;
        let Loaded { facts, .. } = achievements::load(&mut read_tx, actor, achievement_id).await?;
        if !policy::award_achievement(&actor.viewer(), &facts) {
            return Err(DomainError::NotFound("Achievement"));
        }
    }
    let named = read(csv_text, actor.viewer().admin)?;
    let mut tx = if apply { app.store.write().await? } else { app.store.read().await? };
    let Loaded { achievement, group, facts } = achievements::load(&mut tx, actor, achievement_id).await?;
    if !policy::award_achievement(&actor.viewer(), &facts) {
        return Err(DomainError::NotFound("Achievement"));
    }
    // Everyone the file names, in a few queries.
    let mut people: HashMap<(UserKey, String), UserRow> = HashMap::new();
    for key in [UserKey::Username, UserKey::Email] {
        let wanted: Vec<String> = named
            .iter()
            .filter(|n| n.key == Some(key))
            .map(|n| n.given.trim_start_matches('@').to_lowercase())
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        for user in tx.users_named(key, &wanted).await? {
            let name = match key {
                UserKey::Username => user.username.to_lowercase(),
                UserKey::Email => user.email.to_lowercase(),
            };
            people.insert((key, name), user);
        }
    }
    // Holders as the actor may list them: someone whose holding the actor may
    // not see (a private profile) is not told apart, and simply gets it again.
    let listing = policy::award_listing(&actor.viewer(), &facts);
    let holders: HashSet<i64> = match &listing {
        Some(rule) => {
            tx.achievement_holders(achievement.id, rule, i64::MAX, 0).await?.into_iter().map(|u| u.id).collect()
        }
        None => HashSet::new(),
    };
    let mut first_line: HashMap<i64, usize> = HashMap::new();
    let lines: Vec<BulkLine> = named
        .into_iter()
        .map(|n| {
            let user =
                n.key.and_then(|key| people.get(&(key, n.given.trim_start_matches('@').to_lowercase())).cloned());
            let outcome = match (&n.problem, &user) {
                (Some(problem), _) => Outcome::Invalid(problem.clone()),
                (None, None) => Outcome::Unknown,
                (None, Some(user)) if user.is_blocked() => Outcome::Blocked,
                (None, Some(user)) if holders.contains(&user.id) => Outcome::AlreadyHolds,
                (None, Some(user)) => match first_line.get(&user.id) {
                    Some(first) => Outcome::Duplicate(*first),
                    None => {
                        first_line.insert(user.id, n.line);
                        Outcome::Award
                    }
                },
            };
            let by_email = n.key == Some(UserKey::Email);
            BulkLine { line: n.line, given: n.given, by_email, user, message: n.message, outcome }
        })
        .collect();
    if !apply {
        return Ok(BulkReport { lines, applied: false });
    }
    let mut awarding = Awarding::read(&mut tx, awarder.id, &achievement, &group).await?;
    let awards: Vec<&BulkLine> = lines.iter().filter(|l| l.outcome == Outcome::Award).collect();
    awarding.within_limit(&mut tx, awards.len()).await?;
    let mut mailed = false;
    for line in &awards {
        let Some(recipient) = &line.user else { continue };
        mailed |= awarding.record(app, &mut tx, actor, recipient, line.message.as_deref()).await?.1;
    }
    app.commit(tx).await?;
    if let Some(signal) = app.outbox.as_ref().filter(|_| mailed) {
        signal.wake();
    }
    Ok(BulkReport { lines, applied: true })
}
