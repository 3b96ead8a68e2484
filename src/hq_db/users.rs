//! The users who sign in, with their role, store and profile.

use super::{HqDb, HqDbError};
use crate::access::{Role, SignedInUser};

/// A user as HQ keeps them: who they are, and their password's hash.
#[derive(Debug, Clone)]
pub struct StoredUser {
    pub user: SignedInUser,
    pub password_hash: String,
}

#[derive(sqlx::FromRow)]
struct UserRow {
    user_name: String,
    display_name: String,
    password_hash: String,
    role: String,
    channel_id: Option<i64>,
    profile_key: Option<String>,
}

impl HqDb {
    pub async fn find_user(&self, user_name: &str) -> Result<Option<StoredUser>, HqDbError> {
        let row: Option<UserRow> = sqlx::query_as(
            "SELECT user_name, display_name, password_hash, role, channel_id, profile_key
             FROM users WHERE user_name = ?",
        )
        .bind(user_name)
        .fetch_optional(&self.pools.read)
        .await?;
        Ok(row.and_then(|row| {
            let role = Role::from_name(&row.role)?;
            Some(StoredUser {
                user: SignedInUser {
                    user_name: row.user_name,
                    display_name: row.display_name,
                    role,
                    channel_id: row.channel_id,
                    profile_key: row.profile_key,
                },
                password_hash: row.password_hash,
            })
        }))
    }

    pub async fn has_users(&self) -> Result<bool, HqDbError> {
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users")
            .fetch_one(&self.pools.read)
            .await?;
        Ok(count > 0)
    }

    pub async fn add_users(&self, users: &[StoredUser]) -> Result<(), HqDbError> {
        let mut tx = self.pools.begin_write().await?;
        for StoredUser { user, password_hash } in users {
            sqlx::query(
                "INSERT INTO users (user_name, display_name, password_hash, role, channel_id, profile_key)
                 VALUES (?, ?, ?, ?, ?, ?)",
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
        Ok(())
    }

    /// Makes `profile_key` the shopper's own customer.
    pub async fn set_profile_key(&self, user_name: &str, profile_key: &str) -> Result<(), HqDbError> {
        let mut tx = self.pools.begin_write().await?;
        sqlx::query("UPDATE users SET profile_key = ? WHERE user_name = ? AND role = 'shopper'")
            .bind(profile_key)
            .bind(user_name)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }
}
