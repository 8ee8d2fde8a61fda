//! Emoji reactions over GraphQL: `awardEmojiAdd`, `awardEmojiRemove`,
//! `awardEmojiToggle` and the `AwardEmoji` type.

use super::ids::AwardableId;
use super::types::{required_user, UserCore};
use super::{ctx, payload};
use app::domain::award_emoji::{self, emoji_info};
use app::store::AwardEmojiRow;
use async_graphql::{Context, InputObject, Object, Result, SimpleObject};

/// An emoji awarded by a user.
pub struct AwardEmoji(pub AwardEmojiRow);

impl AwardEmoji {
    /// What the emoji is. Every stored name was checked against the emoji
    /// list when awarded, so this is always found.
    fn info(&self) -> Result<app::domain::award_emoji::EmojiInfo> {
        emoji_info(&self.0.name).ok_or_else(|| format!("Unknown emoji: {}", self.0.name).into())
    }
}

#[Object]
impl AwardEmoji {
    /// Emoji name.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// Emoji as an icon.
    async fn emoji(&self) -> Option<&'static str> {
        emoji_info(&self.0.name).map(|i| i.emoji)
    }
    /// Emoji description.
    async fn description(&self) -> Result<&'static str> {
        Ok(self.info()?.description)
    }
    /// Emoji in Unicode.
    async fn unicode(&self) -> Result<String> {
        Ok(self.info()?.unicode)
    }
    /// Unicode version for the emoji.
    async fn unicode_version(&self) -> Result<String> {
        Ok(self.info()?.unicode_version)
    }
    /// User who awarded the emoji.
    async fn user(&self, context: &Context<'_>) -> Result<UserCore> {
        required_user(context, Some(self.0.user_id)).await.map(UserCore)
    }
}

#[derive(InputObject)]
#[graphql(name = "AwardEmojiAddInput")]
pub struct AwardEmojiAddInput {
    client_mutation_id: Option<String>,
    awardable_id: AwardableId,
    name: String,
}

#[derive(InputObject)]
#[graphql(name = "AwardEmojiRemoveInput")]
pub struct AwardEmojiRemoveInput {
    client_mutation_id: Option<String>,
    awardable_id: AwardableId,
    name: String,
}

#[derive(InputObject)]
#[graphql(name = "AwardEmojiToggleInput")]
pub struct AwardEmojiToggleInput {
    client_mutation_id: Option<String>,
    awardable_id: AwardableId,
    name: String,
}

#[derive(SimpleObject)]
#[graphql(name = "AwardEmojiAddPayload")]
pub struct AwardEmojiAddPayload {
    client_mutation_id: Option<String>,
    errors: Vec<String>,
    award_emoji: Option<AwardEmoji>,
}

#[derive(SimpleObject)]
#[graphql(name = "AwardEmojiRemovePayload")]
pub struct AwardEmojiRemovePayload {
    client_mutation_id: Option<String>,
    errors: Vec<String>,
    /// Always null, as in GitLab.
    award_emoji: Option<AwardEmoji>,
}

#[derive(SimpleObject)]
#[graphql(name = "AwardEmojiTogglePayload")]
pub struct AwardEmojiTogglePayload {
    client_mutation_id: Option<String>,
    errors: Vec<String>,
    award_emoji: Option<AwardEmoji>,
    toggled_on: bool,
}

#[derive(Default)]
pub struct AwardEmojiMutation;

#[Object]
impl AwardEmojiMutation {
    async fn award_emoji_add(
        &self,
        context: &Context<'_>,
        input: AwardEmojiAddInput,
    ) -> Result<Option<AwardEmojiAddPayload>> {
        let c = ctx(context);
        let (change, errors) =
            payload(award_emoji::add_award_emoji(&c.app, &c.actor, input.awardable_id.0, &input.name).await)?;
        Ok(Some(AwardEmojiAddPayload {
            client_mutation_id: input.client_mutation_id,
            errors,
            award_emoji: change.map(|c| AwardEmoji(c.award)),
        }))
    }

    async fn award_emoji_remove(
        &self,
        context: &Context<'_>,
        input: AwardEmojiRemoveInput,
    ) -> Result<Option<AwardEmojiRemovePayload>> {
        let c = ctx(context);
        let result = award_emoji::remove_own_award_emoji(&c.app, &c.actor, input.awardable_id.0, &input.name).await;
        let (_, errors) = payload(result)?;
        Ok(Some(AwardEmojiRemovePayload { client_mutation_id: input.client_mutation_id, errors, award_emoji: None }))
    }

    async fn award_emoji_toggle(
        &self,
        context: &Context<'_>,
        input: AwardEmojiToggleInput,
    ) -> Result<Option<AwardEmojiTogglePayload>> {
        let c = ctx(context);
        let result = award_emoji::toggle_award_emoji(&c.app, &c.actor, input.awardable_id.0, &input.name).await;
        let (toggled, errors) = payload(result)?;
        let (award_emoji, toggled_on) = match toggled {
            Some((change, true)) => (Some(AwardEmoji(change.award)), true),
            _ => (None, false),
        };
        Ok(Some(AwardEmojiTogglePayload {
            client_mutation_id: input.client_mutation_id,
            errors,
            award_emoji,
            toggled_on,
        }))
    }
}
