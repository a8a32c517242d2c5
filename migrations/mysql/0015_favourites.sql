-- Favourites (收藏, issue 27 item 4), MySQL / MariaDB. The SQLite twin is
-- migrations/sqlite/0015_favourites.sql. One row per shopper and SKU; listed newest first.
CREATE TABLE favourites (
    user_id    BIGINT NOT NULL,
    sku_id     BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, sku_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE INDEX favourites_newest ON favourites (user_id, created_at);
