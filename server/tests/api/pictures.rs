//! The console's pictures (issue 25 item 4) on both backends: uploads checked by their
//! content and re-encoded (fake names, malformed files, SVG, a picture bomb, an oversized
//! body, EXIF dropped), their order and default as shoppers see them, the sweep of unused
//! pictures after the grace period (an order keeps its picture), brand logos, and pictures in
//! S3-compatible object storage (moto's server) served by every API process.

use std::io::Cursor;

use image::{ImageFormat, Rgb, RgbImage};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::admin::staff;
use crate::common::{Backend, MediaStoreOptions, Options, TestApp};
use crate::on_both_backends;
use crate::payments::{paying_shop, unpaid_order};

on_both_backends!(
    uploads_are_checked_by_content_and_keep_only_pixels,
    order_and_default_are_what_shoppers_see,
    unused_pictures_are_swept_after_the_grace_period,
    brand_logos_are_pictures_too,
    pictures_in_object_storage_reach_every_process,
);

/// A JPEG of `width` × `height` pixels of one colour.
pub(crate) fn jpeg(width: u32, height: u32, colour: [u8; 3]) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    RgbImage::from_pixel(width, height, Rgb(colour))
        .write_to(&mut out, ImageFormat::Jpeg)
        .expect("jpeg");
    out.into_inner()
}

/// A JPEG of `width` × `height` pixels of noise (as much scan data as a photo).
fn noisy_jpeg(width: u32, height: u32) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    RgbImage::from_fn(width, height, |x, y| {
        let v = (x.wrapping_mul(7919) ^ y.wrapping_mul(104_729)).wrapping_mul(2_654_435_761);
        Rgb([(v >> 8) as u8, (v >> 16) as u8, (v >> 24) as u8])
    })
    .write_to(&mut out, ImageFormat::Jpeg)
    .expect("jpeg");
    out.into_inner()
}

/// A PNG of `width` × `height` pixels of one colour.
fn png(width: u32, height: u32, colour: [u8; 3]) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    RgbImage::from_pixel(width, height, Rgb(colour))
        .write_to(&mut out, ImageFormat::Png)
        .expect("png");
    out.into_inner()
}

/// `file` with an EXIF segment (a big-endian TIFF header with no entries, then `secret`)
/// right after the JPEG's start-of-image marker.
fn with_exif(file: &[u8], secret: &[u8]) -> Vec<u8> {
    let mut payload = b"Exif\0\0MM\0\x2a\0\0\0\x08\0\0\0\0\0\0".to_vec();
    payload.extend_from_slice(secret);
    let length = u16::try_from(payload.len() + 2).expect("short");
    let mut out = file[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&length.to_be_bytes());
    out.extend_from_slice(&payload);
    out.extend_from_slice(&file[2..]);
    out
}

/// CRC-32 (ISO 3309, as PNG chunks use it).
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A PNG of a few dozen bytes whose header declares `side` × `side` pixels (a picture bomb:
/// decoding it would take gigabytes).
fn png_bomb(side: u32) -> Vec<u8> {
    let mut file = png(1, 1, [0, 0, 0]);
    // Signature (8), IHDR length (4), "IHDR" (4), width (4), height (4), ... CRC after 13 bytes.
    file[16..20].copy_from_slice(&side.to_be_bytes());
    file[20..24].copy_from_slice(&side.to_be_bytes());
    let crc = crc32(&file[12..29]);
    file[29..33].copy_from_slice(&crc.to_be_bytes());
    file
}

/// Uploads `bytes` as a picture of SKU `sku` with `content_type`.
pub(crate) async fn upload(
    app: &TestApp,
    token: &str,
    sku: i64,
    bytes: Vec<u8>,
    content_type: &str,
) -> (StatusCode, Value) {
    let res = app
        .client
        .post(format!("{}/v1/admin/skus/{sku}/pictures", app.base))
        .header("Authorization", token)
        .header("Content-Type", content_type)
        .body(bytes)
        .send()
        .await
        .expect("sent");
    let status = res.status();
    (status, res.json().await.expect("json"))
}

async fn pictures(app: &TestApp, token: &str, sku: i64) -> Vec<Value> {
    let (status, body) = app
        .get(&format!("/v1/admin/skus/{sku}/pictures"), Some(token))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["data"].as_array().expect("pictures").clone()
}

/// Removes every picture of SKU `sku` (the demo catalog's included).
async fn clear(app: &TestApp, token: &str, sku: i64) {
    for p in pictures(app, token, sku).await {
        let (status, body) = app
            .call(
                Method::DELETE,
                &format!("/v1/admin/skus/{sku}/pictures/{}", p["id"]),
                None,
                Some(token),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
}

/// GETs a media URL of `app`'s answers from `app` (the test shops' `PUBLIC_API_URL` is not
/// where they listen).
async fn fetch(app: &TestApp, url: &str) -> (StatusCode, String, Vec<u8>) {
    let url = format!("{}/media/{}", app.base, key_of(url));
    let res = app.client.get(url).send().await.expect("sent");
    let status = res.status();
    let kind = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    (status, kind, res.bytes().await.expect("body").to_vec())
}

/// The picture keys shoppers get for SKU `sku`: its card picture and its gallery.
async fn shopper_view(app: &TestApp, sku: i64) -> (String, Vec<String>, String) {
    let (status, body) = app.get(&format!("/v1/goods/detail/{sku}"), None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let data = &body["data"];
    let images = data["images"]
        .as_array()
        .expect("images")
        .iter()
        .map(|v| v.as_str().expect("key").to_owned())
        .collect();
    (
        data["image"].as_str().expect("image").to_owned(),
        images,
        body["base_url"].as_str().unwrap_or_default().to_owned(),
    )
}

/// The media key of a picture URL of the console (the part after `/media/`).
fn key_of(url: &str) -> String {
    url.split("/media/").nth(1).expect("a media URL").to_owned()
}

async fn uploads_are_checked_by_content_and_keep_only_pixels(b: Backend) {
    let app = TestApp::spawn_with(
        b,
        Options {
            seed_demo: true,
            ..Options::default()
        },
    )
    .await;
    let goods = staff(&app, "goods", "catalog").await;
    let clerk = staff(&app, "clerk", "orders").await;
    let before = pictures(&app, &goods, 2).await;

    let (status, body) = upload(&app, &clerk, 2, jpeg(64, 64, [1, 2, 3]), "image/jpeg").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["code"], 60101);

    let mut cut = noisy_jpeg(300, 300);
    cut.truncate(cut.len() / 3);
    let svg = br#"<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>"#;
    let refusals: Vec<(&str, Vec<u8>, &str, &str)> = vec![
        (
            "text named .jpg",
            b"GPS and a script, not pixels".to_vec(),
            "image/jpeg",
            "不是",
        ),
        ("svg", svg.to_vec(), "image/png", "SVG"),
        (
            "svg without a declaration",
            b"  <svg onload=\"alert(1)\"/>".to_vec(),
            "image/svg+xml",
            "SVG",
        ),
        (
            "gif",
            b"GIF89a\x01\x00\x01\x00\x00\x00\x00;".to_vec(),
            "image/gif",
            "不是",
        ),
        ("truncated jpeg", cut, "image/jpeg", "损坏"),
        ("bomb", png_bomb(60_000), "image/png", "60000×60000"),
        // One pixel past PICTURE_MAX_SIDE_PX (4096), an honest file.
        ("too wide", png(4097, 10, [9, 9, 9]), "image/png", "4097×10"),
        ("empty", Vec::new(), "image/jpeg", "空"),
    ];
    for (what, bytes, kind, says) in refusals {
        let (status, body) = upload(&app, &goods, 2, bytes, kind).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{what}: {body}");
        assert_eq!(body["code"], 60107, "{what}");
        assert!(
            body["error"].as_str().expect("message").contains(says),
            "{what}: {body}"
        );
    }
    let oversized = vec![0xFFu8; 5 * 1024 * 1024 + 1];
    let (status, body) = upload(&app, &goods, 2, oversized, "image/jpeg").await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    assert_eq!(body["code"], 60107);
    assert!(body["error"].as_str().expect("message").contains("5 MB"));
    let (status, body) = upload(&app, &goods, 999_999, jpeg(8, 8, [0, 0, 0]), "image/jpeg").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_eq!(
        pictures(&app, &goods, 2).await,
        before,
        "refused uploads change nothing"
    );

    // A camera's JPEG with EXIF, sent as PNG with a misleading type: taken by its content,
    // stored without the EXIF, in full and as a copy of at most 400 px.
    let photo = with_exif(&jpeg(800, 600, [30, 140, 60]), b"GPS 31.2304N 121.4737E");
    let (status, body) = upload(&app, &goods, 2, photo.clone(), "image/png").await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let picture = body["data"].clone();
    assert_eq!(
        (picture["width"].as_u64(), picture["height"].as_u64()),
        (Some(800), Some(600))
    );
    let (status, kind, stored) = fetch(&app, picture["url"].as_str().expect("url")).await;
    assert_eq!((status, kind.as_str()), (StatusCode::OK, "image/jpeg"));
    assert!(!stored.windows(3).any(|w| w == b"GPS"), "no EXIF kept");
    assert!(
        !stored.windows(4).any(|w| w == b"Exif"),
        "no EXIF segment kept"
    );
    assert_eq!(
        stored.len() as i64,
        picture["bytes"].as_i64().expect("bytes")
    );
    let (status, _, small) = fetch(&app, picture["thumbnail_url"].as_str().expect("url")).await;
    assert_eq!(status, StatusCode::OK);
    let small = image::load_from_memory(&small).expect("decodes");
    assert_eq!((small.width(), small.height()), (400, 300));
    let key = key_of(picture["url"].as_str().expect("url"));
    assert!(
        key.starts_with("pictures/") && key.ends_with(".jpg"),
        "{key}"
    );

    // A WebP (lossless, as the `image` crate writes it) is a picture too: re-encoded, the
    // opaque one as a JPEG.
    let mut webp = Cursor::new(Vec::new());
    RgbImage::from_pixel(640, 480, Rgb([200, 40, 40]))
        .write_to(&mut webp, ImageFormat::WebP)
        .expect("webp");
    let (status, body) = upload(&app, &goods, 2, webp.into_inner(), "image/webp").await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(
        (
            body["data"]["width"].as_u64(),
            body["data"]["height"].as_u64()
        ),
        (Some(640), Some(480))
    );
    let (status, kind, _) = fetch(&app, body["data"]["url"].as_str().expect("url")).await;
    assert_eq!((status, kind.as_str()), (StatusCode::OK, "image/jpeg"));

    // The same file again: the picture the SKU has, 200.
    let (status, body) = upload(&app, &goods, 2, photo, "application/octet-stream").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["data"]["id"], picture["id"]);
    assert_eq!(pictures(&app, &goods, 2).await.len(), before.len() + 2);
}

async fn order_and_default_are_what_shoppers_see(b: Backend) {
    let app = TestApp::spawn_with(
        b,
        Options {
            seed_demo: true,
            ..Options::default()
        },
    )
    .await;
    let goods = staff(&app, "goods", "catalog").await;
    clear(&app, &goods, 4).await;
    let (card, gallery, _) = shopper_view(&app, 4).await;
    assert_eq!((card.as_str(), gallery.len()), ("", 0), "no picture left");

    let mut ids = Vec::new();
    let mut keys = Vec::new();
    let mut thumbs = Vec::new();
    for colour in [[250, 0, 0], [0, 250, 0], [0, 0, 250]] {
        let (status, body) = upload(&app, &goods, 4, png(500, 500, colour), "image/png").await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        ids.push(body["data"]["id"].as_i64().expect("id"));
        keys.push(key_of(body["data"]["url"].as_str().expect("url")));
        thumbs.push(key_of(body["data"]["thumbnail_url"].as_str().expect("url")));
    }
    let listed = pictures(&app, &goods, 4).await;
    assert_eq!(
        listed
            .iter()
            .map(|p| p["is_default"].as_bool())
            .collect::<Vec<_>>(),
        [Some(true), Some(false), Some(false)],
        "the first upload became the default"
    );
    let (card, gallery, _) = shopper_view(&app, 4).await;
    assert_eq!(card, thumbs[0], "cards show the smaller copy");
    assert_eq!(gallery, keys);

    // A new order, the third picture the default.
    let (status, body) = app
        .call(
            Method::PUT,
            "/v1/admin/skus/4/pictures",
            Some(json!({"order": [ids[2], ids[0], ids[1]], "default_id": ids[1]})),
            Some(&goods),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (card, gallery, _) = shopper_view(&app, 4).await;
    assert_eq!(card, thumbs[1]);
    assert_eq!(gallery, [keys[1].clone(), keys[2].clone(), keys[0].clone()]);

    // Orders that are not exactly the SKU's pictures change nothing.
    let other = pictures(&app, &goods, 5).await[0]["id"].clone();
    for bad in [
        json!({"order": [ids[2], ids[0]]}),
        json!({"order": [ids[2], ids[0], ids[1], ids[1]]}),
        json!({"order": [ids[2], ids[0], other]}),
        json!({"order": [ids[2], ids[0], ids[1]], "default_id": other}),
        json!({"order": "1,2,3"}),
    ] {
        let (status, body) = app
            .call(
                Method::PUT,
                "/v1/admin/skus/4/pictures",
                Some(bad.clone()),
                Some(&goods),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {body}");
    }
    assert_eq!(shopper_view(&app, 4).await.1[0], keys[1]);

    // The default removed: the first remaining one takes its place.
    let (status, body) = app
        .call(
            Method::DELETE,
            &format!("/v1/admin/skus/4/pictures/{}", ids[1]),
            None,
            Some(&goods),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (card, gallery, _) = shopper_view(&app, 4).await;
    assert_eq!(card, thumbs[2]);
    assert_eq!(gallery, [keys[2].clone(), keys[0].clone()]);
    let (status, _) = app
        .call(
            Method::DELETE,
            &format!("/v1/admin/skus/5/pictures/{}", ids[0]),
            None,
            Some(&goods),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "another SKU's picture");

    let boss = staff(&app, "boss", "superuser").await;
    let (_, audit) = app
        .get("/v1/admin/audit?resource=skus&resource_id=4", Some(&boss))
        .await;
    let actions: Vec<&str> = audit["data"]["items"]
        .as_array()
        .expect("rows")
        .iter()
        .filter_map(|r| r["action"].as_str())
        .collect();
    for action in ["add_picture", "arrange_pictures", "remove_picture"] {
        assert!(actions.contains(&action), "{action} audited: {actions:?}");
    }
}

/// Runs one picture sweep with a grace period of `grace_secs`.
async fn sweep(app: &TestApp, grace_secs: u64) -> usize {
    let mut ctx = dadashop_server::jobs::JobContext::new(&app.state.settings, app.state.db.clone())
        .expect("context");
    ctx.picture_grace_secs = grace_secs;
    dadashop_server::jobs::pictures::sweep(&ctx)
        .await
        .expect("sweep")
}

async fn unused_pictures_are_swept_after_the_grace_period(b: Backend) {
    let app = paying_shop(b, true).await;
    let goods = staff(&app, "goods", "catalog").await;
    clear(&app, &goods, 3).await;
    let (status, kept) = upload(&app, &goods, 3, jpeg(120, 90, [9, 99, 199]), "image/jpeg").await;
    assert_eq!(status, StatusCode::CREATED, "{kept}");
    // An order of SKU 3 now shows this picture.
    let _ = unpaid_order(&app, "picbuyer", 1).await;
    let (status, gone) = upload(&app, &goods, 3, jpeg(120, 90, [250, 99, 9]), "image/jpeg").await;
    assert_eq!(status, StatusCode::CREATED, "{gone}");
    let (status, shared) = upload(&app, &goods, 3, jpeg(64, 64, [1, 1, 1]), "image/jpeg").await;
    assert_eq!(status, StatusCode::CREATED, "{shared}");
    let (status, _) = upload(&app, &goods, 5, jpeg(64, 64, [1, 1, 1]), "image/jpeg").await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "the same picture on another SKU"
    );
    clear(&app, &goods, 3).await;

    assert_eq!(sweep(&app, 3_600).await, 0, "within the grace period");
    assert_eq!(sweep(&app, 0).await, 1, "only the picture nothing uses");
    for (picture, status) in [
        (&kept, StatusCode::OK),
        (&gone, StatusCode::NOT_FOUND),
        (&shared, StatusCode::OK),
    ] {
        for field in ["url", "thumbnail_url"] {
            let url = picture["data"][field].as_str().expect("url");
            assert_eq!(fetch(&app, url).await.0, status, "{field} of {picture}");
        }
    }
    assert_eq!(
        sweep(&app, 0).await,
        0,
        "the order's picture is kept for good"
    );

    // Uploaded again after the sweep: stored again.
    let (status, again) = upload(&app, &goods, 3, jpeg(120, 90, [250, 99, 9]), "image/jpeg").await;
    assert_eq!(status, StatusCode::CREATED, "{again}");
    assert_eq!(
        fetch(&app, again["data"]["url"].as_str().expect("url"))
            .await
            .0,
        StatusCode::OK
    );
}

async fn brand_logos_are_pictures_too(b: Backend) {
    let app = TestApp::spawn_with(
        b,
        Options {
            seed_demo: true,
            ..Options::default()
        },
    )
    .await;
    let goods = staff(&app, "goods", "catalog").await;
    let clerk = staff(&app, "clerk", "orders").await;
    let (_, brands) = app.get("/v1/admin/brands", Some(&goods)).await;
    let brand = brands["data"][0]["id"].as_i64().expect("brand");
    let put_logo = |token: String, bytes: Vec<u8>| {
        let app = &app;
        async move {
            let res = app
                .client
                .put(format!("{}/v1/admin/brands/{brand}/logo", app.base))
                .header("Authorization", token)
                .body(bytes)
                .send()
                .await
                .expect("sent");
            let status = res.status();
            (status, res.json::<Value>().await.expect("json"))
        }
    };
    let (status, _) = put_logo(clerk.clone(), png(300, 100, [0, 0, 0])).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, body) = put_logo(goods.clone(), b"<svg/>".to_vec()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, body) = put_logo(goods.clone(), png(900, 300, [200, 0, 0])).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, brands) = app.get("/v1/admin/brands", Some(&goods)).await;
    let logo = brands["data"][0]["logo"].as_str().expect("logo").to_owned();
    let (status, kind, bytes) = fetch(&app, &logo).await;
    assert_eq!((status, kind.as_str()), (StatusCode::OK, "image/jpeg"));
    let small = image::load_from_memory(&bytes).expect("decodes");
    assert_eq!((small.width(), small.height()), (400, 133));
    let (status, _) = app
        .call(
            Method::DELETE,
            &format!("/v1/admin/brands/{brand}/logo"),
            None,
            Some(&goods),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, brands) = app.get("/v1/admin/brands", Some(&goods)).await;
    assert_eq!(brands["data"][0]["logo"], "");
    assert_eq!(
        sweep(&app, 0).await,
        1,
        "the old logo goes after its grace period"
    );
    assert_eq!(fetch(&app, &logo).await.0, StatusCode::NOT_FOUND);
}

/// An S3-compatible server for one test: `TEST_S3_SERVER` (moto's `moto_server`, installed
/// by `bash scripts/stack.sh install`) on a free port, killed when dropped.
struct S3Server {
    endpoint: String,
    _child: tokio::process::Child,
}

impl S3Server {
    async fn start() -> Option<S3Server> {
        let Ok(program) = std::env::var("TEST_S3_SERVER") else {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "CI sets TEST_S3_SERVER (scripts/test.sh finds moto_server)"
            );
            eprintln!("skipped: TEST_S3_SERVER is not set (bash scripts/stack.sh install)");
            return None;
        };
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .expect("free port")
            .local_addr()
            .expect("addr")
            .port();
        let child = tokio::process::Command::new(&program)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|e| panic!("{program}: {e}"));
        let endpoint = format!("http://127.0.0.1:{port}");
        let client = reqwest::Client::new();
        for _ in 0..150 {
            if client.get(&endpoint).send().await.is_ok() {
                return Some(S3Server {
                    endpoint,
                    _child: child,
                });
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!("the S3 server did not start on {endpoint}");
    }
}

async fn pictures_in_object_storage_reach_every_process(b: Backend) {
    let Some(s3) = S3Server::start().await else {
        return;
    };
    let client = reqwest::Client::new();
    // moto takes an unsigned CreateBucket; its objects are private (read them signed, through
    // a store client of the test's own).
    let res = client
        .put(format!("{}/dadashop-media", s3.endpoint))
        .send()
        .await
        .expect("create bucket");
    assert!(res.status().is_success(), "{}", res.status());
    let bucket = format!("{}/dadashop-media", s3.endpoint);
    let app = TestApp::spawn_with(
        b,
        Options {
            seed_demo: true,
            media_store: Some(MediaStoreOptions {
                url: "s3://dadashop-media/shop-a/".to_owned(),
                endpoint: s3.endpoint.clone(),
                public_url: String::new(),
            }),
            ..Options::default()
        },
    )
    .await;
    let store = dadashop_server::media::MediaStore::from_settings(&app.state.settings)
        .expect("store client");
    // The demo catalog's pictures went to the bucket, not to MEDIA_DIR.
    assert!(store.exists("sku/1.svg").await.expect("bucket answers"));
    assert!(!app.state.settings.media_dir.join("sku").exists());
    let (status, kind, _) = fetch(&app, &format!("{}/media/sku/1.svg", app.base)).await;
    assert_eq!((status, kind.as_str()), (StatusCode::OK, "image/svg+xml"));

    let goods = staff(&app, "goods", "catalog").await;
    let (status, body) = upload(&app, &goods, 6, jpeg(640, 480, [90, 20, 160]), "image/jpeg").await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let url = body["data"]["url"].as_str().expect("url").to_owned();
    let key = key_of(&url);
    assert!(!app.state.settings.media_dir.join("pictures").exists());

    // In the bucket under the prefix; through the API with its type, lifetime and an ETag.
    let stored = store.get(&key).await.expect("in the bucket").to_vec();
    let url = format!("{}/media/{key}", app.base);
    let through = client.get(&url).send().await.expect("sent");
    assert_eq!(through.status(), StatusCode::OK);
    assert_eq!(through.headers()["content-type"], "image/jpeg");
    assert_eq!(
        through.headers()["content-security-policy"],
        dadashop_server::routes::MEDIA_CSP
    );
    assert!(
        through.headers()["cache-control"]
            .to_str()
            .expect("text")
            .contains("immutable")
    );
    let etag = through.headers()["etag"].clone();
    assert_eq!(through.bytes().await.expect("body").to_vec(), stored);
    let again = client
        .get(&url)
        .header("If-None-Match", etag)
        .send()
        .await
        .expect("sent");
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    let (status, body) = app.get("/media/pictures/none.jpg", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");

    // Another API process (its own state and store client) serves what this one stored.
    let peer = app.peer().await;
    let (status, kind, bytes) = fetch(&peer, &format!("{}/media/{key}", peer.base)).await;
    assert_eq!((status, kind.as_str()), (StatusCode::OK, "image/jpeg"));
    assert_eq!(bytes, stored);

    // Removed and swept: gone from the bucket.
    clear(&app, &goods, 6).await;
    assert_eq!(sweep(&app, 0).await, 1);
    assert!(!store.exists(&key).await.expect("bucket answers"));
    assert_eq!(
        client.get(&url).send().await.expect("sent").status(),
        StatusCode::NOT_FOUND
    );

    // With MEDIA_PUBLIC_URL shoppers are sent to the bucket (a CDN) directly.
    let cdn = TestApp::spawn_with(
        Backend::Sqlite,
        Options {
            seed_demo: true,
            media_store: Some(MediaStoreOptions {
                url: "s3://dadashop-media/shop-b".to_owned(),
                endpoint: s3.endpoint.clone(),
                public_url: format!("{bucket}/shop-b/"),
            }),
            ..Options::default()
        },
    )
    .await;
    let (card, _, base_url) = shopper_view(&cdn, 1).await;
    assert_eq!(base_url, format!("{bucket}/shop-b/"));
    let cdn_store = dadashop_server::media::MediaStore::from_settings(&cdn.state.settings)
        .expect("store client");
    assert!(cdn_store.exists(&card).await.expect("bucket answers"));
}
