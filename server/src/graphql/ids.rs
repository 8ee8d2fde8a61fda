//! GitLab's global ID scalars (`gid://gitlab/<Model>/<id>`) and `Time`.

use async_graphql::{InputValueError, InputValueResult, Scalar, ScalarType, Value};
use chrono::{DateTime, Utc};

/// Defines an ID scalar named as GitLab names it, accepting the listed models.
macro_rules! global_id {
    ($rust:ident, $name:literal, [$($model:literal),+]) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub struct $rust(pub i64);

        #[Scalar(name = $name)]
        impl ScalarType for $rust {
            fn parse(value: Value) -> InputValueResult<Self> {
                let Value::String(s) = &value else { return Err(InputValueError::expected_type(value)) };
                parse_gid(s, &[$($model),+]).map($rust).ok_or_else(|| {
                    InputValueError::custom(format!("\"{s}\" is not a valid Global ID for {}", $name))
                })
            }

            fn to_value(&self) -> Value {
                Value::String(format!("gid://gitlab/{}/{}", [$($model),+][0], self.0))
            }
        }
    };
}

pub fn parse_gid(s: &str, models: &[&str]) -> Option<i64> {
    let rest = s.strip_prefix("gid://gitlab/")?;
    let (model, id) = rest.rsplit_once('/')?;
    if !models.contains(&model) {
        return None;
    }
    id.parse().ok().filter(|id: &i64| *id > 0)
}

global_id!(AchievementId, "AchievementsAchievementID", ["Achievements::Achievement"]);
global_id!(UserAchievementId, "AchievementsUserAchievementID", ["Achievements::UserAchievement"]);
global_id!(UserId, "UserID", ["User"]);
global_id!(NamespaceId, "NamespaceID", ["Namespace", "Group"]);
global_id!(IssueId, "IssueID", ["Issue"]);
global_id!(MergeRequestId, "MergeRequestID", ["MergeRequest"]);
global_id!(NoteId, "NoteID", ["Note", "DiscussionNote"]);

/// `AwardableID`: an issue, merge request, snippet or note.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AwardableId(pub app::events::AwardableRef);

#[Scalar(name = "AwardableID")]
impl ScalarType for AwardableId {
    fn parse(value: Value) -> InputValueResult<Self> {
        use app::events::{AwardableKind, AwardableRef};
        let Value::String(s) = &value else { return Err(InputValueError::expected_type(value)) };
        for (model, kind) in [
            ("Issue", AwardableKind::Issue),
            ("MergeRequest", AwardableKind::MergeRequest),
            ("Snippet", AwardableKind::Snippet),
            ("ProjectSnippet", AwardableKind::Snippet),
            ("Note", AwardableKind::Note),
            ("DiscussionNote", AwardableKind::Note),
        ] {
            if let Some(id) = parse_gid(s, &[model]) {
                return Ok(AwardableId(AwardableRef { kind, id }));
            }
        }
        Err(InputValueError::custom(format!("\"{s}\" is not a valid Global ID for AwardableID")))
    }

    fn to_value(&self) -> Value {
        Value::String(format!("gid://gitlab/{}/{}", self.0.kind.as_str(), self.0.id))
    }
}

/// GitLab's `Time`: ISO 8601.
#[derive(Clone, Copy, Debug)]
pub struct Time(pub DateTime<Utc>);

#[Scalar(name = "Time")]
impl ScalarType for Time {
    fn parse(value: Value) -> InputValueResult<Self> {
        let Value::String(s) = &value else { return Err(InputValueError::expected_type(value)) };
        DateTime::parse_from_rfc3339(s)
            .map(|d| Time(d.with_timezone(&Utc)))
            .map_err(|e| InputValueError::custom(e.to_string()))
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.format("%Y-%m-%dT%H:%M:%SZ").to_string())
    }
}

/// A plain `ID` holding a global ID, where GitLab's schema types the field `ID`
/// rather than a model's ID scalar (`Group.id`, `Project.id`, `Issue.id`, ...).
pub fn gid(model: &str, id: i64) -> async_graphql::ID {
    async_graphql::ID(format!("gid://gitlab/{model}/{id}"))
}
