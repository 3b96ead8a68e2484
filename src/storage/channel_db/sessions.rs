//! Which user each session belongs to, beside tower-sessions' own table.

use super::{ChannelDb, ChannelDbError};

impl ChannelDb {
    /// Remembers that session `session_id` is `user_name`'s.
    pub async fn record_user_session(&self, session_id: &str, user_name: &str) -> Result<(), ChannelDbError> {
        sqlx::query("INSERT OR REPLACE INTO user_sessions (session_id, user_name) VALUES (?, ?)")
            .bind(session_id)
            .bind(user_name)
            .execute(&self.sessions)
            .await?;
        Ok(())
    }

    /// The sessions `user_name` signed in with.
    pub async fn user_session_ids(&self, user_name: &str) -> Result<Vec<String>, ChannelDbError> {
        Ok(
            sqlx::query_scalar("SELECT session_id FROM user_sessions WHERE user_name = ?")
                .bind(user_name)
                .fetch_all(&self.sessions)
                .await?,
        )
    }

    /// Forgets the sessions of `user_name`, once they are ended.
    pub async fn forget_user_sessions(&self, user_name: &str) -> Result<(), ChannelDbError> {
        sqlx::query("DELETE FROM user_sessions WHERE user_name = ?")
            .bind(user_name)
            .execute(&self.sessions)
            .await?;
        Ok(())
    }

    /// Forgets the sessions that ended by themselves (signed out, expired).
    pub async fn forget_ended_sessions(&self) -> Result<(), ChannelDbError> {
        sqlx::query("DELETE FROM user_sessions WHERE session_id NOT IN (SELECT id FROM tower_sessions)")
            .execute(&self.sessions)
            .await?;
        Ok(())
    }
}
