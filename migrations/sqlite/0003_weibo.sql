-- Weibo login (issue #7), SQLite. The MySQL twin is migrations/mysql/0003_weibo.sql.

-- One row per bound Weibo account. Both columns are unique: one Weibo uid binds to one
-- user and one user to one uid, so of two concurrent binds only one insert can succeed.
-- No Weibo access token is kept: it is only needed during the login that fetched it.
CREATE TABLE weibo_users (
    uid        TEXT    NOT NULL PRIMARY KEY,
    user_id    INTEGER NOT NULL UNIQUE REFERENCES users(id),
    -- The Weibo screen name when the binding was made (shown in the personal center).
    nickname   TEXT    NOT NULL DEFAULT '',
    -- Unix seconds.
    created_at INTEGER NOT NULL
);
