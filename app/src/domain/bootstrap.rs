//! First start: the `root` admin, its optional token, and the settings row.

use super::tokens::{insert_token, CreateToken};
use super::users::{insert_user, CreateUser};
use super::{audit, Actor, AppState, DomainResult};

pub struct RootSetup {
    pub password: Option<String>,
    pub token: Option<String>,
}

/// What happened at start-up, for the log.
pub struct Bootstrapped {
    /// True when the database had no users (and so gets demo data if asked).
    pub was_empty: bool,
    /// The generated root password, to be printed once.
    pub generated_password: Option<String>,
}

/// Creates `root` if the database has no users. Idempotent.
pub async fn bootstrap(app: &AppState, setup: RootSetup) -> DomainResult<Bootstrapped> {
    let mut tx = app.store.write().await?;
    tx.lock_instance_setup().await?;
    if tx.count_users().await? > 0 {
        return Ok(Bootstrapped { was_empty: false, generated_password: None });
    }
    let generated = setup.password.is_none().then(|| super::auth::random_secret(20));
    let password = setup.password.or_else(|| generated.clone());
    let password_hash = match password.as_deref() {
        Some(password) => Some(super::passwords::hash_password(password).await?),
        None => None,
    };
    let root = insert_user(
        &mut tx,
        &CreateUser {
            username: "root".into(),
            name: "Administrator".into(),
            email: "admin@example.com".into(),
            password,
            admin: true,
            private_profile: false,
        },
        password_hash,
    )
    .await?;
    if let Some(secret) = setup.token {
        let token = CreateToken {
            name: "initial root token".into(),
            description: None,
            scopes: vec!["api".into(), "read_api".into(), "read_user".into(), "sudo".into(), "admin_mode".into()],
            expires_at: None,
            secret: Some(secret),
        };
        insert_token(&mut tx, root.id, token).await?;
    }
    tx.set_auto_accept_awarded_achievements(true).await?;
    audit(&mut tx, &Actor::Anonymous, "instance_bootstrapped", "User", root.id, serde_json::json!({})).await?;
    app.commit(tx).await?;
    Ok(Bootstrapped { was_empty: true, generated_password: generated })
}
