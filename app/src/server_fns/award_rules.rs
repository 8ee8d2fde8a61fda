//! An achievement's automatic award rule page (Maintainers+): the rule, a
//! preview of a rule (a plain GET: no script needed), save and remove.

use crate::model::{AwardRuleView, RuleView, UiError};
use leptos::prelude::*;

#[server(endpoint = "award_rule")]
pub async fn get_award_rule(
    group: String,
    achievement_id: i64,
    preview: Option<RuleView>,
) -> Result<AwardRuleView, UiError> {
    use super::ssr;
    use crate::domain::{achievements, award_rules, DomainError};
    let app = ssr::state()?;
    let actor = ssr::actor(&app).await?;
    let (achievement, abilities) =
        achievements::group_achievement(&app, &actor, &group, achievement_id).await.map_err(ssr::ui_error)?;
    if !abilities.manage {
        return Err(ssr::ui_error(DomainError::Forbidden));
    }
    let (_, current) = award_rules::rule(&app, &actor, achievement.id).await.map_err(ssr::ui_error)?;
    let current = current.map(|r| RuleView {
        trigger: r.trigger,
        threshold: r.threshold,
        emoji: r.emoji.unwrap_or_default(),
        auto_revoke: r.auto_revoke,
    });
    let (form, found, problem) = match preview {
        Some(asked) => match award_rules::preview(&app, &actor, achievement.id, &input(&asked)).await {
            Ok(p) => {
                let names = p.sample.into_iter().map(|u| u.username).collect();
                (asked, Some((p.matching, names)), None)
            }
            Err(DomainError::Invalid(messages)) => (asked, None, Some(messages.join(" "))),
            Err(other) => return Err(ssr::ui_error(other)),
        },
        None => {
            let default = || RuleView { trigger: "reactions_received".into(), threshold: 10, ..RuleView::default() };
            (current.clone().unwrap_or_else(default), None, None)
        }
    };
    let (group, _) = achievements::group_abilities(&app, &actor, &group).await.map_err(ssr::ui_error)?;
    Ok(AwardRuleView {
        full_path: group.full_path,
        achievement_id: achievement.id,
        achievement_name: achievement.name,
        current,
        form,
        preview: found,
        problem,
    })
}

#[cfg(feature = "ssr")]
fn input(rule: &RuleView) -> crate::domain::award_rules::RuleInput {
    crate::domain::award_rules::RuleInput {
        trigger: rule.trigger.clone(),
        threshold: rule.threshold,
        emoji: Some(rule.emoji.clone()).filter(|e| !e.trim().is_empty()),
        auto_revoke: rule.auto_revoke,
    }
}

/// Saves the rule and awards who meets it now.
#[server(endpoint = "save_award_rule")]
pub async fn save_award_rule(
    achievement_id: i64,
    trigger: String,
    threshold: i64,
    emoji: String,
    auto_revoke: Option<String>,
    next: String,
) -> Result<(), UiError> {
    use super::ssr;
    use crate::domain::award_rules;
    let app = ssr::state()?;
    let actor = ssr::actor(&app).await?;
    let rule = RuleView { trigger, threshold, emoji, auto_revoke: auto_revoke.is_some() };
    let result = award_rules::save_rule(&app, &actor, achievement_id, &input(&rule)).await.map(|_| ());
    super::form::back(&next, crate::model::Done::Saved, &result);
    result.map_err(ssr::ui_error)
}

/// Removes the rule; the awards it made stay.
#[server(endpoint = "delete_award_rule")]
pub async fn delete_award_rule(achievement_id: i64, next: String) -> Result<(), UiError> {
    use super::ssr;
    use crate::domain::award_rules;
    let app = ssr::state()?;
    let actor = ssr::actor(&app).await?;
    let result = award_rules::delete_rule(&app, &actor, achievement_id).await;
    super::form::back(&next, crate::model::Done::Saved, &result);
    result.map_err(ssr::ui_error)
}
