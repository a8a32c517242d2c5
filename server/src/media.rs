//! Where the shop's pictures are kept (issue 25 item 4): a local directory (`MEDIA_DIR`, the
//! default) or S3-compatible object storage (`MEDIA_STORE_URL=s3://bucket/prefix`), both
//! through the `object_store` crate, so that an API process on one machine serves a picture
//! uploaded through another.
//!
//! Keys are paths relative to the media root (`pictures/ab/ab12...ef.jpg`, `sku/1.svg`): the
//! same text the database keeps in `sku_images.image`, `skus.default_image_url` and
//! `brands.logo`, and the same text shoppers' answers append to their `base_url`
//! ([`crate::config::Settings::media_base_url`]: `MEDIA_PUBLIC_URL`, or the API's own
//! `/media/`).
//!
//! With S3 the API's `/media/` answers from the bucket ([`serve`]), so the shop works without
//! a CDN; with `MEDIA_PUBLIC_URL` pointing at a CDN or the bucket's own public address,
//! browsers fetch pictures from there and the API is not asked at all. Objects are written
//! with their `Content-Type` and a year's `Cache-Control` (the content-hashed names never
//! change meaning).

use std::sync::Arc;

use anyhow::Context;
use axum::body::Body;
use axum::extract::{Path as UrlPath, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::path::Path as StorePath;
use object_store::prefix::PrefixStore;
use object_store::{
    Attribute, Attributes, GetOptions, ObjectStore, ObjectStoreExt, PutOptions, PutPayload,
};

use crate::config::Settings;

/// `Cache-Control` of a content-hashed picture (its name changes with its content): a year,
/// never revalidated.
pub const IMMUTABLE_CACHE_CONTROL: &str = "public, max-age=31536000, immutable";

/// The media store of a process: cheap to clone.
#[derive(Clone)]
pub struct MediaStore {
    store: Arc<dyn ObjectStore>,
    /// True for object storage (attributes are written, `/media/` is served by [`serve`]);
    /// false for the local directory (served by `tower_http`'s `ServeDir`).
    remote: bool,
}

impl std::fmt::Debug for MediaStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "MediaStore({})", self.store)
    }
}

/// Why a media operation failed.
#[derive(Debug, thiserror::Error)]
pub enum MediaError {
    /// No object under that key.
    #[error("not found")]
    NotFound,
    /// The store could not be reached or refused the operation (a 503 to the client).
    #[error("media store: {0}")]
    Unavailable(String),
}

impl From<object_store::Error> for MediaError {
    fn from(e: object_store::Error) -> Self {
        match e {
            object_store::Error::NotFound { .. } => Self::NotFound,
            other => Self::Unavailable(other.to_string()),
        }
    }
}

/// The parts of `MEDIA_STORE_URL=s3://bucket/prefix`: the bucket and the prefix (no slashes
/// at either end, possibly empty). Errors on another scheme or a missing bucket.
pub fn parse_store_url(url: &str) -> anyhow::Result<(String, String)> {
    let rest = url
        .strip_prefix("s3://")
        .context("MEDIA_STORE_URL must look like s3://bucket/prefix")?;
    let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
    anyhow::ensure!(
        !bucket.is_empty() && !bucket.contains(['?', '#', '@', ':']),
        "MEDIA_STORE_URL names no bucket: {url}"
    );
    Ok((bucket.to_owned(), prefix.trim_matches('/').to_owned()))
}

impl MediaStore {
    /// The store `settings` name: S3 when `MEDIA_STORE_URL` is set (with
    /// `MEDIA_STORE_ENDPOINT`, `MEDIA_STORE_REGION`, `MEDIA_STORE_ACCESS_KEY_ID`,
    /// `MEDIA_STORE_SECRET_ACCESS_KEY`), else `MEDIA_DIR` (created when missing).
    pub fn from_settings(settings: &Settings) -> anyhow::Result<Self> {
        match settings
            .media_store_url
            .as_deref()
            .filter(|u| !u.is_empty())
        {
            Some(url) => {
                let (bucket, prefix) = parse_store_url(url)?;
                let mut builder = AmazonS3Builder::new()
                    .with_bucket_name(bucket)
                    .with_region(settings.media_store_region.clone());
                if let Some(endpoint) = settings.media_store_endpoint.as_deref() {
                    builder = builder
                        .with_endpoint(endpoint)
                        .with_allow_http(endpoint.starts_with("http://"));
                }
                if let (Some(id), Some(secret)) = (
                    settings.media_store_access_key_id.as_deref(),
                    settings.media_store_secret_access_key.as_deref(),
                ) {
                    builder = builder
                        .with_access_key_id(id)
                        .with_secret_access_key(secret);
                }
                let s3 = builder.build().context("MEDIA_STORE_URL")?;
                let store: Arc<dyn ObjectStore> = if prefix.is_empty() {
                    Arc::new(s3)
                } else {
                    Arc::new(PrefixStore::new(s3, prefix.as_str()))
                };
                Ok(Self {
                    store,
                    remote: true,
                })
            }
            None => Self::local(&settings.media_dir),
        }
    }

    /// A store on the local directory `dir` (created when missing).
    pub fn local(dir: &std::path::Path) -> anyhow::Result<Self> {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("creating MEDIA_DIR {}", dir.display()))?;
        let fs = LocalFileSystem::new_with_prefix(dir)
            .with_context(|| format!("MEDIA_DIR {}", dir.display()))?;
        Ok(Self {
            store: Arc::new(fs),
            remote: false,
        })
    }

    /// True when pictures live in object storage (the API's `/media/` reads them from there).
    pub fn is_remote(&self) -> bool {
        self.remote
    }

    /// Writes `bytes` under `key` (a relative path such as `pictures/ab/<hash>.jpg`),
    /// replacing what was there. On object storage the object carries `content_type` and
    /// `cache_control`.
    pub async fn put(
        &self,
        key: &str,
        bytes: Bytes,
        content_type: &str,
        cache_control: &str,
    ) -> Result<(), MediaError> {
        let path = store_path(key)?;
        let payload = PutPayload::from_bytes(bytes);
        if self.remote {
            let mut attributes = Attributes::new();
            attributes.insert(Attribute::ContentType, content_type.to_owned().into());
            attributes.insert(Attribute::CacheControl, cache_control.to_owned().into());
            let options = PutOptions {
                attributes,
                ..PutOptions::default()
            };
            self.store.put_opts(&path, payload, options).await?;
        } else {
            self.store.put(&path, payload).await?;
        }
        Ok(())
    }

    /// The bytes under `key`.
    pub async fn get(&self, key: &str) -> Result<Bytes, MediaError> {
        let path = store_path(key)?;
        Ok(self.store.get(&path).await?.bytes().await?)
    }

    /// True when an object is under `key`.
    pub async fn exists(&self, key: &str) -> Result<bool, MediaError> {
        match self.store.head(&store_path(key)?).await {
            Ok(_) => Ok(true),
            Err(object_store::Error::NotFound { .. }) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    /// Removes `key`; a key already gone is not an error.
    pub async fn delete(&self, key: &str) -> Result<(), MediaError> {
        match self.store.delete(&store_path(key)?).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// Lists every key under `prefix` (relative, e.g. `pictures`).
    pub async fn list(&self, prefix: &str) -> Result<Vec<String>, MediaError> {
        use futures::TryStreamExt;
        let prefix = store_path(prefix)?;
        let metas: Vec<_> = self.store.list(Some(&prefix)).try_collect().await?;
        Ok(metas.into_iter().map(|m| m.location.to_string()).collect())
    }
}

/// A key as the store's path: relative, no `..`, no empty segment, no backslash.
fn store_path(key: &str) -> Result<StorePath, MediaError> {
    let clean = !key.is_empty()
        && !key.starts_with('/')
        && !key.contains('\\')
        && key
            .split('/')
            .all(|s| !s.is_empty() && s != "." && s != "..");
    if !clean {
        return Err(MediaError::NotFound);
    }
    StorePath::parse(key).map_err(|_| MediaError::NotFound)
}

/// The `Content-Type` of a media key, by its extension (the shop names every file itself).
pub fn content_type_of(key: &str) -> &'static str {
    match key.rsplit_once('.').map(|(_, ext)| ext) {
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("png") => "image/png",
        Some("webp") => "image/webp",
        Some("svg") => "image/svg+xml",
        _ => "application/octet-stream",
    }
}

/// `GET /media/{*key}` when pictures live in object storage: the object's bytes with its
/// type, `ETag` (a matching `If-None-Match` gets 304) and cache lifetime (a year for the
/// content-hashed `pictures/`, a week otherwise); 404 for a missing or malformed key, 503
/// when the store cannot be reached.
pub async fn serve(
    State(media): State<MediaStore>,
    UrlPath(key): UrlPath<String>,
    headers: HeaderMap,
) -> Response {
    let path = match store_path(&key) {
        Ok(p) => p,
        Err(_) => return crate::error::ApiError::not_found(404, "文件不存在").into_response(),
    };
    let if_none_match = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let options = GetOptions {
        if_none_match,
        ..GetOptions::default()
    };
    let cache = if key.starts_with("pictures/") {
        IMMUTABLE_CACHE_CONTROL
    } else {
        crate::routes::MEDIA_CACHE_CONTROL
    };
    match media.store.get_opts(&path, options).await {
        Ok(found) => {
            let etag = found.meta.e_tag.clone();
            match found.bytes().await {
                Ok(bytes) => {
                    let mut response = Response::new(Body::from(bytes));
                    let h = response.headers_mut();
                    h.insert(
                        header::CONTENT_TYPE,
                        HeaderValue::from_static(content_type_of(&key)),
                    );
                    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
                    if let Some(tag) = etag.and_then(|t| HeaderValue::from_str(&t).ok()) {
                        h.insert(header::ETAG, tag);
                    }
                    response
                }
                Err(e) => unavailable(&e.to_string()),
            }
        }
        Err(object_store::Error::NotModified { .. }) => {
            let mut response = StatusCode::NOT_MODIFIED.into_response();
            response
                .headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
            response
        }
        Err(object_store::Error::NotFound { .. }) => {
            crate::error::ApiError::not_found(404, "文件不存在").into_response()
        }
        Err(e) => unavailable(&e.to_string()),
    }
}

fn unavailable(error: &str) -> Response {
    crate::error::ApiError::Unavailable(anyhow::anyhow!("media store: {error}")).into_response()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn store_urls_name_a_bucket_and_a_prefix() {
        assert_eq!(
            parse_store_url("s3://shop/media/").unwrap(),
            ("shop".into(), "media".into())
        );
        assert_eq!(
            parse_store_url("s3://shop").unwrap(),
            ("shop".into(), String::new())
        );
        assert!(parse_store_url("s3:///x").is_err());
        assert!(parse_store_url("https://shop/x").is_err());
    }

    #[test]
    fn keys_stay_inside_the_store() {
        assert!(store_path("pictures/ab/abc.jpg").is_ok());
        for bad in ["", "/etc/passwd", "a/../b", "a//b", "a\\b", "./a"] {
            assert!(store_path(bad).is_err(), "{bad}");
        }
    }

    #[tokio::test]
    async fn a_local_store_keeps_and_forgets() {
        let dir = std::env::temp_dir().join(format!("dadashop-media-{}", std::process::id()));
        let media = MediaStore::local(&dir).unwrap();
        media
            .put(
                "pictures/ab/x.png",
                Bytes::from_static(b"png"),
                "image/png",
                "",
            )
            .await
            .unwrap();
        assert_eq!(media.get("pictures/ab/x.png").await.unwrap(), "png");
        assert!(media.exists("pictures/ab/x.png").await.unwrap());
        assert_eq!(
            media.list("pictures").await.unwrap(),
            vec!["pictures/ab/x.png"]
        );
        media.delete("pictures/ab/x.png").await.unwrap();
        media.delete("pictures/ab/x.png").await.unwrap();
        assert!(!media.exists("pictures/ab/x.png").await.unwrap());
        std::fs::remove_dir_all(dir).ok();
    }
}
