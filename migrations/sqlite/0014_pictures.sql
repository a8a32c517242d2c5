-- Pictures uploaded through the console (issue 25 item 4), SQLite. The MySQL / MariaDB twin
-- is migrations/mysql/0014_pictures.sql.

-- One row per stored picture, named by the SHA-256 of its re-encoded bytes: the full picture
-- (`image`) and its smaller copy (`thumbnail`) are media keys (crate::media). `unused_since`
-- is when the last SKU or brand let go of it (Unix seconds; NULL while used): the picture
-- sweep removes it after PICTURE_GRACE_SECS unless an order still shows it.
CREATE TABLE pictures (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    content_hash VARCHAR(64)  NOT NULL UNIQUE,
    image        VARCHAR(200) NOT NULL,
    thumbnail    VARCHAR(200) NOT NULL,
    width        INTEGER NOT NULL,
    height       INTEGER NOT NULL,
    bytes        INTEGER NOT NULL,
    uploaded_by  INTEGER NULL,
    created_at   INTEGER NOT NULL,
    unused_since INTEGER NULL
);
CREATE INDEX pictures_unused ON pictures (unused_since);

-- A SKU's pictures in order, one of them its default (the card picture, whose smaller copy
-- is skus.default_image_url). Rows seeded from the demo catalog have no picture row.
ALTER TABLE sku_images ADD COLUMN picture_id INTEGER NULL;
ALTER TABLE sku_images ADD COLUMN thumbnail VARCHAR(200) NOT NULL DEFAULT '';
ALTER TABLE sku_images ADD COLUMN position INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sku_images ADD COLUMN is_default INTEGER NOT NULL DEFAULT 0;
UPDATE sku_images SET thumbnail = image;
UPDATE sku_images SET is_default = 1
 WHERE image = (SELECT k.default_image_url FROM skus k WHERE k.id = sku_images.sku_id);
CREATE INDEX sku_images_sku ON sku_images (sku_id, position, id);
CREATE INDEX sku_images_picture ON sku_images (picture_id);
