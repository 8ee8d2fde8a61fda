//! GitLab's achievement mutations: input and payload names as GitLab's, so
//! clients' documents and variable declarations work unchanged.

use super::ids::{AchievementId, NamespaceId, UserAchievementId, UserId};
use super::types::{Achievement, UserAchievement};
use super::{ctx, payload};
use app::domain::achievements::{self, CreateAchievement, UpdateAchievement, UpdateAward};
use app::domain::uploads::{Upload as AvatarUpload, MAX_AVATAR_BYTES};
use async_graphql::{Context, InputObject, Object, Result, SimpleObject, Upload};
use std::io::Read;
use std::marker::PhantomData;

#[derive(Default)]
pub struct AchievementMutation;

/// Reads an upload, at most one byte past the avatar limit (the domain refuses it).
fn read_upload(context: &Context<'_>, upload: Option<Upload>) -> Result<Option<AvatarUpload>> {
    let Some(upload) = upload else { return Ok(None) };
    let value = upload.value(context)?;
    let mut bytes = Vec::new();
    value.content.take(MAX_AVATAR_BYTES as u64 + 1).read_to_end(&mut bytes)?;
    Ok(Some(AvatarUpload { filename: value.filename, bytes }))
}

#[derive(InputObject)]
#[graphql(name = "AchievementsCreateInput")]
pub struct AchievementsCreateInput {
    client_mutation_id: Option<String>,
    namespace_id: NamespaceId,
    name: String,
    description: Option<String>,
    avatar: Option<Upload>,
}

#[derive(InputObject)]
#[graphql(name = "AchievementsUpdateInput")]
pub struct AchievementsUpdateInput {
    client_mutation_id: Option<String>,
    achievement_id: AchievementId,
    name: Option<String>,
    description: Option<String>,
    avatar: Option<Upload>,
}

#[derive(InputObject)]
#[graphql(name = "AchievementsDeleteInput")]
pub struct AchievementsDeleteInput {
    client_mutation_id: Option<String>,
    achievement_id: AchievementId,
}

#[derive(InputObject)]
#[graphql(name = "AchievementsAwardInput")]
pub struct AchievementsAwardInput {
    client_mutation_id: Option<String>,
    achievement_id: AchievementId,
    user_id: UserId,
    award_message: Option<String>,
}

#[derive(InputObject)]
#[graphql(name = "AchievementsRevokeInput")]
pub struct AchievementsRevokeInput {
    client_mutation_id: Option<String>,
    user_achievement_id: UserAchievementId,
}

#[derive(InputObject)]
#[graphql(name = "UserAchievementsDeleteInput")]
pub struct UserAchievementsDeleteInput {
    client_mutation_id: Option<String>,
    user_achievement_id: UserAchievementId,
}

#[derive(InputObject)]
#[graphql(name = "UserAchievementsUpdateInput")]
pub struct UserAchievementsUpdateInput {
    client_mutation_id: Option<String>,
    user_achievement_id: UserAchievementId,
    show_on_profile: Option<bool>,
    award_message: Option<String>,
}

#[derive(InputObject)]
#[graphql(name = "UserAchievementPrioritiesUpdateInput")]
pub struct UserAchievementPrioritiesUpdateInput {
    client_mutation_id: Option<String>,
    user_achievement_ids: Vec<UserAchievementId>,
}

/// Markers that give each mutation's payload GitLab's type name.
pub struct Create;
pub struct Update;
pub struct Delete;
pub struct Award;
pub struct Revoke;

/// Payload with one achievement.
#[derive(SimpleObject)]
#[graphql(
    concrete(name = "AchievementsCreatePayload", params(Create)),
    concrete(name = "AchievementsUpdatePayload", params(Update)),
    concrete(name = "AchievementsDeletePayload", params(Delete))
)]
pub struct AchievementPayload<T: Send + Sync + 'static> {
    client_mutation_id: Option<String>,
    errors: Vec<String>,
    achievement: Option<Achievement>,
    #[graphql(skip)]
    kind: PhantomData<T>,
}

/// Payload with one award.
#[derive(SimpleObject)]
#[graphql(
    concrete(name = "AchievementsAwardPayload", params(Award)),
    concrete(name = "AchievementsRevokePayload", params(Revoke)),
    concrete(name = "UserAchievementsDeletePayload", params(Delete)),
    concrete(name = "UserAchievementsUpdatePayload", params(Update))
)]
pub struct UserAchievementPayload<T: Send + Sync + 'static> {
    client_mutation_id: Option<String>,
    errors: Vec<String>,
    user_achievement: Option<UserAchievement>,
    #[graphql(skip)]
    kind: PhantomData<T>,
}

#[derive(SimpleObject)]
#[graphql(name = "UserAchievementPrioritiesUpdatePayload")]
pub struct UserAchievementPrioritiesUpdatePayload {
    client_mutation_id: Option<String>,
    errors: Vec<String>,
    user_achievements: Vec<UserAchievement>,
}

fn achievement_payload<T: Send + Sync + 'static>(
    id: Option<String>,
    result: app::domain::DomainResult<app::store::AchievementRow>,
) -> Result<Option<AchievementPayload<T>>> {
    let (row, errors) = payload(result)?;
    Ok(Some(AchievementPayload {
        client_mutation_id: id,
        errors,
        achievement: row.map(Achievement),
        kind: PhantomData,
    }))
}

fn award_payload<T: Send + Sync + 'static>(
    id: Option<String>,
    result: app::domain::DomainResult<app::store::UserAchievementRow>,
) -> Result<Option<UserAchievementPayload<T>>> {
    let (row, errors) = payload(result)?;
    Ok(Some(UserAchievementPayload {
        client_mutation_id: id,
        errors,
        user_achievement: row.map(UserAchievement),
        kind: PhantomData,
    }))
}

#[Object]
impl AchievementMutation {
    async fn achievements_create(
        &self,
        context: &Context<'_>,
        input: AchievementsCreateInput,
    ) -> Result<Option<AchievementPayload<Create>>> {
        let c = ctx(context);
        let avatar = read_upload(context, input.avatar)?;
        let create = CreateAchievement {
            namespace_id: input.namespace_id.0,
            name: input.name,
            description: input.description,
            avatar,
        };
        achievement_payload(input.client_mutation_id, achievements::create_achievement(&c.app, &c.actor, create).await)
    }

    async fn achievements_update(
        &self,
        context: &Context<'_>,
        input: AchievementsUpdateInput,
    ) -> Result<Option<AchievementPayload<Update>>> {
        let c = ctx(context);
        let avatar = read_upload(context, input.avatar)?;
        let update = UpdateAchievement { name: input.name, description: input.description.map(Some), avatar };
        let result = achievements::update_achievement(&c.app, &c.actor, input.achievement_id.0, update).await;
        achievement_payload(input.client_mutation_id, result)
    }

    async fn achievements_delete(
        &self,
        context: &Context<'_>,
        input: AchievementsDeleteInput,
    ) -> Result<Option<AchievementPayload<Delete>>> {
        let c = ctx(context);
        let result = achievements::delete_achievement(&c.app, &c.actor, input.achievement_id.0).await;
        achievement_payload(input.client_mutation_id, result)
    }

    async fn achievements_award(
        &self,
        context: &Context<'_>,
        input: AchievementsAwardInput,
    ) -> Result<Option<UserAchievementPayload<Award>>> {
        let c = ctx(context);
        let result = achievements::award_achievement(
            &c.app,
            &c.actor,
            input.achievement_id.0,
            input.user_id.0,
            input.award_message,
        )
        .await;
        award_payload(input.client_mutation_id, result)
    }

    async fn achievements_revoke(
        &self,
        context: &Context<'_>,
        input: AchievementsRevokeInput,
    ) -> Result<Option<UserAchievementPayload<Revoke>>> {
        let c = ctx(context);
        let result = achievements::revoke_award(&c.app, &c.actor, input.user_achievement_id.0).await;
        award_payload(input.client_mutation_id, result)
    }

    async fn user_achievements_delete(
        &self,
        context: &Context<'_>,
        input: UserAchievementsDeleteInput,
    ) -> Result<Option<UserAchievementPayload<Delete>>> {
        let c = ctx(context);
        let result = achievements::delete_award(&c.app, &c.actor, input.user_achievement_id.0).await;
        award_payload(input.client_mutation_id, result)
    }

    async fn user_achievements_update(
        &self,
        context: &Context<'_>,
        input: UserAchievementsUpdateInput,
    ) -> Result<Option<UserAchievementPayload<Update>>> {
        let c = ctx(context);
        let update =
            UpdateAward { show_on_profile: input.show_on_profile, award_message: input.award_message.map(Some) };
        let result = achievements::update_award(&c.app, &c.actor, input.user_achievement_id.0, update).await;
        award_payload(input.client_mutation_id, result)
    }

    async fn user_achievement_priorities_update(
        &self,
        context: &Context<'_>,
        input: UserAchievementPrioritiesUpdateInput,
    ) -> Result<Option<UserAchievementPrioritiesUpdatePayload>> {
        let c = ctx(context);
        let ids: Vec<i64> = input.user_achievement_ids.iter().map(|id| id.0).collect();
        let (rows, errors) = payload(achievements::set_priorities(&c.app, &c.actor, &ids).await)?;
        Ok(Some(UserAchievementPrioritiesUpdatePayload {
            client_mutation_id: input.client_mutation_id,
            errors,
            user_achievements: rows.unwrap_or_default().into_iter().map(UserAchievement).collect(),
        }))
    }
}
