//! The users who sign in, with their role, store and profile.

use super::{HqDb, HqDbError};
use crate::domain::access::{Role, SignedInUser};
use crate::storage::dialect::Dialect;

/// A user as HQ keeps them: who they are, and their password's hash.
#[derive(Debug, Clone)]
pub struct StoredUser {
    pub user: SignedInUser,
    pub password_hash: String,
}

/// What a change of a user's role and store came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccessChange {
    Changed,
    /// The user had that role and store already.
    Unchanged,
    /// The user who asked for it is no longer an admin (another admin
    /// changed their role meanwhile): nothing was changed.
    ActorNotAdmin,
    /// The user's role or store is no longer what the admin's page read
    /// (another admin changed it since): nothing was changed.
    ChangedMeanwhile,
}

#[derive(sqlx::FromRow)]
struct AccountRow {
    user_name: String,
    display_name: String,
    role: String,
    channel_id: Option<i64>,
    profile_key: Option<String>,
}

impl AccountRow {
    /// The user, unless their stored role is not one this version knows.
    fn into_user(self) -> Option<SignedInUser> {
        Some(SignedInUser {
            role: Role::from_name(&self.role)?,
            user_name: self.user_name,
            display_name: self.display_name,
            channel_id: self.channel_id,
            profile_key: self.profile_key,
        })
    }
}

#[derive(sqlx::FromRow)]
struct UserRow {
    #[sqlx(flatten)]
    account: AccountRow,
    password_hash: String,
}

impl HqDb {
    pub async fn find_user(&self, user_name: &str) -> Result<Option<StoredUser>, HqDbError> {
        let row: Option<UserRow> = on_engine!(self, |pools, sql| sqlx::query_as(
            "SELECT user_name, display_name, password_hash, role, channel_id, profile_key
             FROM users WHERE user_name = $1",
        )
        .bind(user_name)
        .fetch_optional(&pools.read)
        .await?);
        Ok(row.and_then(|row| {
            Some(StoredUser {
                user: row.account.into_user()?,
                password_hash: row.password_hash,
            })
        }))
    }

    pub async fn has_users(&self) -> Result<bool, HqDbError> {
        let count: i64 = on_engine!(self, |pools, sql| sqlx::query_scalar(
            "SELECT COUNT(*) FROM users"
        )
        .fetch_one(&pools.read)
        .await?);
        Ok(count > 0)
    }

    /// Adds `users` to an HQ that has none, read and written in one
    /// transaction, so that of two processes starting on a new HQ at once
    /// one adds them; answers whether this call did.
    pub async fn add_first_users(&self, users: &[StoredUser]) -> Result<bool, HqDbError> {
        on_engine!(self, |pools, sql| {
            let mut tx = pools.begin_write().await?;
            let existing: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users")
                .fetch_one(&mut *tx)
                .await?;
            if existing > 0 {
                return Ok(false);
            }
            for StoredUser { user, password_hash } in users {
                sqlx::query(
                    "INSERT INTO users (user_name, display_name, password_hash, role, channel_id, profile_key)
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(&user.user_name)
                .bind(&user.display_name)
                .bind(password_hash)
                .bind(user.role.name())
                .bind(user.channel_id)
                .bind(&user.profile_key)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            Ok(true)
        })
    }

    /// Every user, by user name.
    pub async fn users(&self) -> Result<Vec<SignedInUser>, HqDbError> {
        let rows: Vec<AccountRow> = on_engine!(self, |pools, sql| sqlx::query_as(
            "SELECT user_name, display_name, role, channel_id, profile_key FROM users ORDER BY user_name",
        )
        .fetch_all(&pools.read)
        .await?);
        Ok(rows.into_iter().filter_map(AccountRow::into_user).collect())
    }

    /// Gives `user_name` a role and store, at the word of the admin
    /// `changed_by`: unchanged when the user does not exist or already had
    /// them, refused when `changed_by` is no longer an admin, or when the
    /// user's role and store are no longer those the admin's page read
    /// (`seen`).
    pub async fn change_user_access(
        &self,
        user_name: &str,
        role: Role,
        channel_id: Option<i64>,
        changed_by: &str,
        seen: Option<(Role, Option<i64>)>,
    ) -> Result<AccessChange, HqDbError> {
        on_engine!(self, |pools, sql| {
            let mut tx = pools.begin_write().await?;
            // Checked in the change's own transaction: a session's role can
            // be a few seconds old, and two admins could demote each other.
            let actor_is_admin: bool =
                sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM users WHERE user_name = $1 AND role = $2)")
                    .bind(changed_by)
                    .bind(Role::Admin.name())
                    .fetch_one(&mut *tx)
                    .await?;
            if !actor_is_admin {
                return Ok(AccessChange::ActorNotAdmin);
            }
            if let Some((seen_role, seen_channel)) = seen {
                let current: Option<(String, Option<i64>)> =
                    sqlx::query_as("SELECT role, channel_id FROM users WHERE user_name = $1")
                        .bind(user_name)
                        .fetch_optional(&mut *tx)
                        .await?;
                let seen = (seen_role.name().to_string(), seen_channel);
                let asked = (role.name().to_string(), channel_id);
                if current
                    .as_ref()
                    .is_some_and(|current| *current != seen && *current != asked)
                {
                    return Ok(AccessChange::ChangedMeanwhile);
                }
            }
            let changed = sqlx::query(
                "UPDATE users SET role = $1, channel_id = $2
                 WHERE user_name = $3 AND (role <> $1 OR channel_id IS DISTINCT FROM $2)",
            )
            .bind(role.name())
            .bind(channel_id)
            .bind(user_name)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if changed > 0 {
                sqlx::query(&insert_session_end(sql))
                    .bind(user_name)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            Ok(if changed > 0 {
                AccessChange::Changed
            } else {
                AccessChange::Unchanged
            })
        })
    }

    /// Records that every session of `user_name` ends, in every scale unit.
    /// Written as HQ's other changes are, one at a time, so that the ends
    /// become visible in the order of their numbers, which is how the units
    /// read them.
    pub async fn end_sessions_everywhere(&self, user_name: &str) -> Result<(), HqDbError> {
        on_engine!(self, |pools, sql| {
            let mut tx = pools.begin_write().await?;
            sqlx::query(&insert_session_end(sql))
                .bind(user_name)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
        });
        Ok(())
    }

    /// The number of the last session end recorded (0 before the first).
    pub async fn last_session_end(&self) -> Result<i64, HqDbError> {
        let last: Option<i64> = on_engine!(self, |pools, sql| sqlx::query_scalar(
            "SELECT MAX(end_id) FROM session_ends"
        )
        .fetch_one(&pools.read)
        .await?);
        Ok(last.unwrap_or(0))
    }

    /// The session ends recorded after `after`, oldest first: (end id,
    /// user name).
    pub async fn session_ends_after(&self, after: i64) -> Result<Vec<(i64, String)>, HqDbError> {
        on_engine!(self, |pools, sql| Ok(sqlx::query_as(
            "SELECT end_id, user_name FROM session_ends WHERE end_id > $1 ORDER BY end_id"
        )
        .bind(after)
        .fetch_all(&pools.read)
        .await?))
    }

    /// Whether `profile_key` is the profile of a shopper other than
    /// `user_name`.
    pub async fn is_profile_of_another(&self, profile_key: &str, user_name: &str) -> Result<bool, HqDbError> {
        on_engine!(self, |pools, sql| Ok(sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM users WHERE profile_key = $1 AND user_name <> $2)"
        )
        .bind(profile_key)
        .bind(user_name)
        .fetch_one(&pools.read)
        .await?))
    }

    /// Makes `profile_key` the shopper's own customer.
    pub async fn set_profile_key(&self, user_name: &str, profile_key: &str) -> Result<(), HqDbError> {
        on_engine!(self, |pools, sql| {
            sqlx::query("UPDATE users SET profile_key = $1 WHERE user_name = $2 AND role = 'shopper'")
                .bind(profile_key)
                .bind(user_name)
                .execute(&pools.write)
                .await?;
        });
        Ok(())
    }
}

/// Records that every session of `$1` (a user name) ends: each scale unit
/// ends the sessions it keeps as it reads it.
fn insert_session_end(dialect: Dialect) -> String {
    format!(
        "INSERT INTO session_ends (user_name, ended_at) VALUES ($1, {now})",
        now = dialect.now()
    )
}
