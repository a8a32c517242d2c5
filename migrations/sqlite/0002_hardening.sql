-- Hardening (issue #5), SQLite. The MySQL twin is migrations/mysql/0002_hardening.sql.

-- Logged-out tokens, kept until they would have expired anyway, so that a logout survives
-- restarts of the API and of Redis (the ephemeral store is not durable).
CREATE TABLE revoked_tokens (
    jti        TEXT    NOT NULL PRIMARY KEY,
    user_id    INTEGER NOT NULL,
    -- Unix seconds: the token's own `exp`; rows past it are purged.
    expires_at INTEGER NOT NULL
);
CREATE INDEX revoked_tokens_expiry ON revoked_tokens (expires_at);

-- The username folded to lower case (usernames are ASCII word characters or CJK, so ASCII
-- folding is complete): unique, so that "Tom" cannot register beside "tom". Accounts that
-- already differ only in case keep working: all but the oldest get "#<id>" appended, which
-- no typed username can contain.
ALTER TABLE users ADD COLUMN username_key TEXT NOT NULL DEFAULT '';
UPDATE users SET username_key = lower(username) || CASE
    WHEN EXISTS (SELECT 1 FROM users o WHERE lower(o.username) = lower(users.username) AND o.id < users.id)
    THEN '#' || id ELSE '' END;
CREATE UNIQUE INDEX users_username_key ON users (username_key);
