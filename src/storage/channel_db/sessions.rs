//! Which user each session belongs to, beside tower-sessions' own table.

use super::{ChannelDb, ChannelDbError};

impl ChannelDb {
    /// Remembers that session `session_id` is `user_name`'s, begun when
    /// HQ's last session end was `last_end_seen`.
    pub async fn record_user_session(
        &self,
        session_id: &str,
        user_name: &str,
        last_end_seen: i64,
    ) -> Result<(), ChannelDbError> {
        sqlx::query(
            "INSERT OR REPLACE INTO user_sessions (session_id, user_name, last_end_seen) VALUES (?, ?, ?)",
        )
        .bind(session_id)
        .bind(user_name)
        .bind(last_end_seen)
        .execute(&self.sessions)
        .await?;
        Ok(())
    }

    /// The sessions `user_name` signed in with before HQ's session end
    /// `before` (`i64::MAX`: all of them).
    pub async fn user_session_ids(
        &self,
        user_name: &str,
        before: i64,
    ) -> Result<Vec<String>, ChannelDbError> {
        Ok(sqlx::query_scalar(
            "SELECT session_id FROM user_sessions WHERE user_name = ? AND last_end_seen < ?",
        )
        .bind(user_name)
        .bind(before)
        .fetch_all(&self.sessions)
        .await?)
    }

    /// Forgets sessions, once they are ended.
    pub async fn forget_sessions(&self, session_ids: &[String]) -> Result<(), ChannelDbError> {
        for session_id in session_ids {
            sqlx::query("DELETE FROM user_sessions WHERE session_id = ?")
                .bind(session_id)
                .execute(&self.sessions)
                .await?;
        }
        Ok(())
    }

    /// The last of HQ's session ends this scale unit has applied.
    pub async fn applied_session_end(&self) -> Result<i64, ChannelDbError> {
        Ok(
            sqlx::query_scalar("SELECT last_end_id FROM session_ends_applied WHERE id = 1")
                .fetch_one(&self.sessions)
                .await?,
        )
    }

    /// Remembers that HQ's session ends up to `end_id` are applied.
    pub async fn set_applied_session_end(&self, end_id: i64) -> Result<(), ChannelDbError> {
        sqlx::query("UPDATE session_ends_applied SET last_end_id = ? WHERE id = 1")
            .bind(end_id)
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
