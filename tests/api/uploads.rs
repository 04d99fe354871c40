//! Uploading pictures: what comes out (no metadata, its content hash, the headers it is served
//! with), what is refused (and then nothing is stored), attaching them, and their removal.

use plaza_core::Settings;
use plaza_core::media::{self, GRACE, MediaSettings};
use plaza_tests::TestInstance;
use plaza_tests::pictures::{
    contains, jpeg, jpeg_exif, jpeg_with_gps, latitude_bytes, png, png_claiming,
};
use plaza_tests::s3::S3Server;
use plaza_web::WebConfig;
use serde_json::json;
use sha2::{Digest, Sha256};

fn path_of(plaza: &TestInstance, url: &str) -> String {
    url.strip_prefix(&plaza.base)
        .unwrap_or_else(|| panic!("{url} is not on {}", plaza.base))
        .to_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn an_uploaded_photo_comes_out_without_its_gps_position() {
    let plaza = TestInstance::spawn().await;
    let ada = plaza.member("ada").await;
    let sent = jpeg_with_gps(800, 600);
    // The test's own photo does carry the position, where a decoder finds it.
    let exif = jpeg_exif(&sent).expect("the photo sent has EXIF");
    assert!(contains(&exif, &latitude_bytes()));

    let uploaded = ada.upload("IMG_0042.jpg", "image/jpeg", &sent).await;
    assert_eq!(uploaded.status, 201, "{}", uploaded.body);
    assert_eq!(uploaded.at("/media_type"), "image/jpeg");
    assert_eq!(
        (uploaded.i64("/width"), uploaded.i64("/height")),
        (800, 600)
    );

    let (status, headers, body) = plaza.fetch_bytes(&uploaded.str("/url")).await;
    assert_eq!(status, 200);
    assert_eq!(jpeg_exif(&body), None, "EXIF left in the stored photo");
    assert!(!contains(&body, b"Exif"));
    assert!(!contains(&body, &latitude_bytes()));
    assert_eq!(headers["content-type"], "image/jpeg");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    let cache = headers["cache-control"].to_str().unwrap();
    assert!(
        cache.contains("immutable") && cache.contains("max-age=31536000"),
        "{cache}"
    );
    // Named by the hash of what is served.
    let hash: String = Sha256::digest(&body)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(uploaded.str("/id"), hash);
    assert!(
        uploaded
            .str("/url")
            .ends_with(&format!("{}.jpg", uploaded.str("/id")))
    );

    let (status, headers, thumbnail) = plaza.fetch_bytes(&uploaded.str("/thumbnail_url")).await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "image/jpeg");
    let small = image::load_from_memory(&thumbnail).unwrap();
    assert_eq!((small.width(), small.height()), (640, 480));
    assert_eq!(jpeg_exif(&thumbnail), None);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_same_picture_uploaded_twice_is_one_upload() {
    let plaza = TestInstance::spawn().await;
    let ada = plaza.member("ada").await;
    let bob = plaza.member("bob").await;
    let picture = png(64, 48);
    let first = ada.upload("a.png", "image/png", &picture).await;
    let second = bob.upload("b.png", "image/png", &picture).await;
    assert_eq!(first.status, 201, "{}", first.body);
    assert_eq!(second.status, 201, "{}", second.body);
    assert_eq!(first.str("/id"), second.str("/id"));
    assert_eq!(
        plaza.media_files().len(),
        2,
        "the picture and its thumbnail"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn hostile_files_are_refused_and_nothing_is_stored() {
    let plaza = TestInstance::spawn().await;
    let ada = plaza.member("ada").await;
    let whole_png = png(300, 200);
    let whole_jpeg = jpeg(300, 200);
    let cases: Vec<(&str, Vec<u8>, u16, &str)> = vec![
        (
            "shell.png",
            b"<?php system($_GET['cmd']); ?>".to_vec(),
            415,
            "unsupported_media_type",
        ),
        (
            "logo.svg",
            b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>".to_vec(),
            415,
            "unsupported_media_type",
        ),
        (
            "page.jpg",
            b"<!DOCTYPE html><html>".to_vec(),
            415,
            "unsupported_media_type",
        ),
        ("huge.png", png_claiming(20_000, 20_000), 422, "invalid"),
        ("wide.png", png_claiming(60_000, 2), 422, "invalid"),
        (
            "cut.png",
            whole_png[..whole_png.len() / 2].to_vec(),
            422,
            "invalid",
        ),
        (
            "cut.jpg",
            whole_jpeg[..whole_jpeg.len() / 3].to_vec(),
            422,
            "invalid",
        ),
        ("empty.jpg", Vec::new(), 422, "invalid"),
    ];
    for (name, bytes, status, code) in cases {
        let answer = ada.upload(name, "image/png", &bytes).await;
        assert_eq!(answer.status, status, "{name}: {}", answer.body);
        answer.assert_error(status, code);
        assert!(
            plaza.media_files().is_empty(),
            "{name} left {:?}",
            plaza.media_files()
        );
    }
    // No file at all, and a body that is not multipart.
    let (boundary, body) = plaza_tests::multipart(&[("alt", "nothing")], &[]);
    ada.send_raw(
        "/uploads",
        &format!("multipart/form-data; boundary={boundary}"),
        body,
    )
    .await
    .assert_error(422, "invalid");
    ada.send_raw("/uploads", "image/png", png(10, 10))
        .await
        .assert_error(415, "unsupported_media_type");
    // Only members upload.
    plaza
        .anonymous()
        .upload("a.png", "image/png", &png(10, 10))
        .await
        .assert_error(401, "unauthorized");
    assert!(plaza.media_files().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_decompression_bomb_and_an_oversized_file_are_refused() {
    let settings = Settings {
        media: MediaSettings {
            max_pixels: 1_000_000,
            max_bytes: 200_000,
            ..MediaSettings::default()
        },
        ..Settings::default()
    };
    let plaza = TestInstance::spawn_with(settings, WebConfig::default()).await;
    let ada = plaza.member("ada").await;
    // Nine million pixels from a few kilobytes.
    let bomb = png(3_000, 3_000);
    assert!(bomb.len() < 100_000, "{} bytes", bomb.len());
    ada.upload("bomb.png", "image/png", &bomb)
        .await
        .assert_error(422, "invalid");
    // Larger than the limit (and than the body limit around it).
    let mut big = jpeg(64, 64);
    big.resize(400_000, 0);
    ada.upload("big.jpg", "image/jpeg", &big)
        .await
        .assert_error(413, "payload_too_large");
    // Over the file limit, within the body limit.
    let mut over = jpeg(64, 64);
    over.resize(230_000, 0);
    ada.upload("over.jpg", "image/jpeg", &over)
        .await
        .assert_error(413, "payload_too_large");
    assert!(plaza.media_files().is_empty());
    // What fits is taken.
    assert_eq!(
        ada.upload("ok.png", "image/png", &png(900, 900))
            .await
            .status,
        201
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn only_stored_pictures_are_served_and_with_their_own_type() {
    let plaza = TestInstance::spawn().await;
    let ada = plaza.member("ada").await;
    let uploaded = ada.upload("a.png", "image/png", &png(32, 32)).await;
    let id = uploaded.str("/id");
    let (status, headers, _) = plaza.fetch_bytes(&format!("/media/uploads/{id}.png")).await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "image/png");
    assert!(
        headers["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("sandbox")
    );
    for missing in [
        format!("/media/uploads/{id}.jpg"),
        format!("/media/uploads/{id}.html"),
        format!("/media/uploads/{id}.svg"),
        format!("/media/uploads/{}.png", "0".repeat(64)),
        "/media/uploads/..%2F..%2Fplaza.db".to_owned(),
        "/media/uploads/x.png".to_owned(),
    ] {
        let (status, _, _) = plaza.fetch_bytes(&missing).await;
        assert_eq!(status, 404, "{missing}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_thread_and_a_reply_carry_uploaded_pictures_with_their_descriptions() {
    let plaza = TestInstance::spawn().await;
    plaza.with_group("support").await;
    let ada = plaza.member("ada").await;
    let photo = ada
        .upload("router.jpg", "image/jpeg", &jpeg(1200, 900))
        .await;
    let created = ada
        .post(
            "/groups/support/threads",
            &json!({"title": "Blinking lights", "body": "See the picture",
                    "images": [{"upload": photo.str("/id"), "alt": "A router with a red light"}]}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let thread = created.i64("/thread/id");
    let read = plaza.anonymous().get(&format!("/threads/{thread}")).await;
    assert_eq!(read.at("/thread/attachments/0/url"), photo.at("/url"));
    assert_eq!(
        read.at("/thread/attachments/0/alt"),
        "A router with a red light"
    );
    assert_eq!(read.at("/thread/attachments/0/media_type"), "image/jpeg");
    assert_eq!(read.at("/thread/attachments/0/width"), 1200);
    // Pages show the thumbnail, through the same path as pictures from elsewhere.
    let shown = read.str("/thread/attachments/0/proxy_path");
    let (status, headers, body) = plaza.fetch_bytes(&shown).await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "image/jpeg");
    assert_eq!(image::load_from_memory(&body).unwrap().width(), 640);
    let page = plaza.browse(&format!("/post/{thread}")).await;
    assert!(
        page.text.contains("alt=\"A router with a red light\""),
        "{}",
        page.text
    );

    let screenshot = ada.upload("lights.png", "image/png", &png(200, 100)).await;
    let reply = ada
        .post(
            &format!("/threads/{thread}/comments"),
            &json!({"body": "And the back", "images": [{"upload": screenshot.str("/id")}]}),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    assert_eq!(reply.at("/attachments/0/url"), screenshot.at("/url"));

    // Pictures must be uploaded here first, and a post carries at most four.
    ada.post(
        "/groups/support/threads",
        &json!({"title": "x", "images": [{"upload": "f".repeat(64)}]}),
    )
    .await
    .assert_error(422, "invalid");
    let five: Vec<_> = (0..5)
        .map(|_| json!({"upload": photo.str("/id")}))
        .collect();
    ada.post(
        "/groups/support/threads",
        &json!({"title": "x", "images": five}),
    )
    .await
    .assert_error(422, "invalid");
}

#[tokio::test(flavor = "multi_thread")]
async fn pictures_nothing_shows_are_removed_after_the_grace_period() {
    let plaza = TestInstance::spawn().await;
    plaza.with_group("support").await;
    let ada = plaza.member("ada").await;
    let attached = ada.upload("a.jpg", "image/jpeg", &jpeg(100, 100)).await;
    let avatar = ada.upload("me.png", "image/png", &png(120, 120)).await;
    let thread = ada
        .post(
            "/groups/support/threads",
            &json!({"title": "With a picture", "images": [{"upload": attached.str("/id")}]}),
        )
        .await
        .i64("/thread/id");
    let profile = ada
        .patch("/me/profile", &json!({"avatar_upload": avatar.str("/id")}))
        .await;
    assert_eq!(profile.status, 200, "{}", profile.body);
    assert_eq!(profile.at("/avatar_url"), avatar.at("/url"));
    assert_eq!(ada.delete(&format!("/threads/{thread}")).await.status, 204);

    let now = plaza_db::now();
    let first = media::prune(&plaza.ctx, now).await.unwrap();
    assert_eq!((first.marked, first.removed), (1, 0));
    assert_eq!(plaza.media_files().len(), 4, "kept during the grace period");
    let later = media::prune(&plaza.ctx, now + GRACE + chrono::TimeDelta::minutes(1))
        .await
        .unwrap();
    assert_eq!(later.removed, 1);
    let left = plaza.media_files();
    assert_eq!(left.len(), 2, "{left:?}");
    assert!(
        left.iter().all(|f| f.starts_with(&avatar.str("/id"))),
        "{left:?}"
    );
    let (status, _, _) = plaza.fetch_bytes(&attached.str("/url")).await;
    assert_eq!(status, 404);
    let (status, _, _) = plaza
        .fetch_bytes(&path_of(&plaza, &avatar.str("/url")))
        .await;
    assert_eq!(status, 200);
}

#[tokio::test(flavor = "multi_thread")]
async fn only_those_who_uploaded_a_picture_or_staff_may_attach_it() {
    let plaza = TestInstance::spawn().await;
    let admin = plaza.with_group("support").await;
    let ada = plaza.member("ada").await;
    let bob = plaza.member("bob").await;
    let sam = plaza.member("sam").await;
    assert_eq!(admin.put("/admin/accounts/sam/staff").await.status, 200);
    let router = ada
        .upload("router.jpg", "image/jpeg", &jpeg(300, 200))
        .await;
    let hash = router.str("/id");
    let thread = ada
        .post(
            "/groups/support/threads",
            &json!({"title": "Blinking lights", "images": [{"upload": hash, "alt": "A router"}]}),
        )
        .await;
    assert_eq!(thread.status, 201, "{}", thread.body);
    let thread = thread.i64("/thread/id");

    // Bob knows the picture's address (it is public), but did not upload it.
    let refused = bob
        .post(
            "/groups/support/threads",
            &json!({"title": "My router", "images": [{"upload": hash}]}),
        )
        .await;
    refused.assert_error(403, "forbidden");
    let message = refused.str("/message");
    assert!(
        message.contains("images") && message.contains("uploaded by someone else"),
        "{message}"
    );
    bob.post(
        &format!("/threads/{thread}/comments"),
        &json!({"body": "Mine too", "images": [{"upload": hash}]}),
    )
    .await
    .assert_error(403, "forbidden");
    let avatar = bob
        .patch("/me/profile", &json!({"avatar_upload": hash}))
        .await;
    avatar.assert_error(403, "forbidden");
    assert!(
        avatar.str("/message").starts_with("avatar_upload"),
        "{}",
        avatar.body
    );
    // Nothing was written by the refusals.
    let listed = plaza.anonymous().get("/groups/support/threads").await;
    let titles: Vec<&str> = listed.body["items"]
        .as_array()
        .map(|items| items.iter().filter_map(|t| t["title"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(titles, ["Blinking lights"], "{}", listed.body);
    let read = plaza.anonymous().get(&format!("/threads/{thread}")).await;
    assert_eq!(
        read.at("/comments").as_array().map(Vec::len),
        Some(0),
        "{}",
        read.body
    );
    assert_eq!(bob.get("/me/profile").await.at("/avatar_url"), &json!(null));

    // A moderator who is not staff may not use another's picture as the group's icon either.
    assert_eq!(
        admin.put("/groups/support/moderators/bob").await.status,
        200
    );
    bob.patch("/groups/support", &json!({"icon_upload": hash}))
        .await
        .assert_error(403, "forbidden");

    // The same picture uploaded by Bob himself is the same upload, and now his to use.
    let again = bob.upload("copy.jpg", "image/jpeg", &jpeg(300, 200)).await;
    assert_eq!(again.str("/id"), hash);
    let own = bob
        .post(
            "/groups/support/threads",
            &json!({"title": "My router", "images": [{"upload": hash}]}),
        )
        .await;
    assert_eq!(own.status, 201, "{}", own.body);
    // Ada's stays hers too: the second upload did not take it over.
    let hers = ada
        .patch("/me/profile", &json!({"avatar_upload": hash}))
        .await;
    assert_eq!(hers.status, 200, "{}", hers.body);

    // Staff and administrators may show anyone's picture.
    let other = ada.upload("back.png", "image/png", &png(80, 60)).await;
    let official = sam
        .post(
            &format!("/threads/{thread}/comments"),
            &json!({"body": "This is the light we mean",
                    "images": [{"upload": other.str("/id"), "alt": "The back"}]}),
        )
        .await;
    assert_eq!(official.status, 201, "{}", official.body);
    assert_eq!(official.at("/attachments/0/url"), other.at("/url"));
    let icon = admin
        .patch("/groups/support", &json!({"icon_upload": other.str("/id")}))
        .await;
    assert_eq!(icon.status, 200, "{}", icon.body);
}

#[tokio::test(flavor = "multi_thread")]
async fn uploads_kept_in_an_s3_bucket_are_served_and_pruned_from_it() {
    let s3 = S3Server::start().await;
    s3.create_bucket("plaza-uploads").await;
    let settings = Settings {
        media: MediaSettings {
            store: s3.store("plaza-uploads"),
            ..MediaSettings::default()
        },
        ..Settings::default()
    };
    let plaza = TestInstance::spawn_with(settings, WebConfig::default()).await;
    plaza
        .ctx
        .media_store
        .check()
        .await
        .expect("the bucket can be used");
    assert!(
        s3.keys("plaza-uploads").await.is_empty(),
        "the check leaves nothing"
    );
    plaza.with_group("support").await;
    let ada = plaza.member("ada").await;

    let kept = ada
        .upload("IMG_0042.jpg", "image/jpeg", &jpeg_with_gps(800, 600))
        .await;
    assert_eq!(kept.status, 201, "{}", kept.body);
    let dropped = ada.upload("draft.png", "image/png", &png(90, 90)).await;
    assert_eq!(dropped.status, 201, "{}", dropped.body);
    let (k, d) = (kept.str("/id"), dropped.str("/id"));
    let mut expected = vec![
        format!("{d}.png"),
        format!("{d}.thumb.png"),
        format!("{k}.jpg"),
        format!("{k}.thumb.jpg"),
    ];
    expected.sort();
    assert_eq!(s3.keys("plaza-uploads").await, expected);

    // Served by Plaza from the bucket, at the same URL and with the same headers as from a folder.
    let (status, headers, body) = plaza.fetch_bytes(&kept.str("/url")).await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "image/jpeg");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    let cache = headers["cache-control"].to_str().unwrap();
    assert!(
        cache.contains("immutable") && cache.contains("max-age=31536000"),
        "{cache}"
    );
    assert!(
        headers["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("sandbox")
    );
    assert_eq!(
        s3.object("plaza-uploads", &format!("{k}.jpg"))
            .await
            .as_deref(),
        Some(body.as_slice())
    );
    assert_eq!(jpeg_exif(&body), None, "EXIF left in the stored photo");
    let (status, headers, thumbnail) = plaza.fetch_bytes(&kept.str("/thumbnail_url")).await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "image/jpeg");
    assert_eq!(image::load_from_memory(&thumbnail).unwrap().width(), 640);

    // One is shown in a thread, the other never attached: pruning removes that one's objects.
    let thread = ada
        .post(
            "/groups/support/threads",
            &json!({"title": "From the bucket", "images": [{"upload": k, "alt": "A router"}]}),
        )
        .await;
    assert_eq!(thread.status, 201, "{}", thread.body);
    let now = plaza_db::now();
    assert_eq!(media::prune(&plaza.ctx, now).await.unwrap().marked, 1);
    assert_eq!(
        s3.keys("plaza-uploads").await.len(),
        4,
        "kept during the grace period"
    );
    let later = media::prune(&plaza.ctx, now + GRACE + chrono::TimeDelta::minutes(1))
        .await
        .unwrap();
    assert_eq!(later.removed, 1);
    assert_eq!(
        s3.keys("plaza-uploads").await,
        [format!("{k}.jpg"), format!("{k}.thumb.jpg")]
    );
    let (status, _, _) = plaza.fetch_bytes(&dropped.str("/url")).await;
    assert_eq!(status, 404);
    let (status, _, _) = plaza.fetch_bytes(&kept.str("/url")).await;
    assert_eq!(status, 200);

    // With the store gone, a picture is an error that no cache keeps, not a crash.
    drop(s3);
    let (status, headers, _) = plaza.fetch_bytes(&kept.str("/url")).await;
    assert_eq!(status, 500);
    assert_eq!(headers["cache-control"], "no-store");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bucket_that_does_not_exist_is_named_when_the_store_is_checked() {
    let s3 = S3Server::start().await;
    let store = media::Store::open(&s3.store("no-such-bucket")).unwrap();
    let message = match store.check().await {
        Err(plaza_core::CoreError::Config(message)) => message,
        other => panic!("a missing bucket passed the check: {other:?}"),
    };
    assert!(
        message.contains("no-such-bucket") && message.contains("there is no such bucket"),
        "{message}"
    );
    s3.create_bucket("no-such-bucket").await;
    store
        .check()
        .await
        .expect("the bucket, once created, can be used");
}

/// The peak resident memory of this process since the last reset, in KiB (Linux).
fn peak_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// Figures for docs/benchmarks.md, not a check: run with
/// `cargo test -p plaza-tests --test api upload_figures -- --ignored --nocapture`.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "a measurement"]
async fn upload_figures() {
    figures(&TestInstance::spawn().await).await;
}

/// The same figures with the uploads in a bucket of moto's S3 server on loopback.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "a measurement"]
async fn upload_figures_in_a_bucket() {
    let s3 = S3Server::start().await;
    s3.create_bucket("plaza-figures").await;
    let settings = Settings {
        media: MediaSettings {
            store: s3.store("plaza-figures"),
            ..MediaSettings::default()
        },
        ..Settings::default()
    };
    figures(&TestInstance::spawn_with(settings, WebConfig::default()).await).await;
}

async fn figures(plaza: &TestInstance) {
    let ada = plaza.member("ada").await;
    // A photo of about 5 MB: 4000 × 3000 pixels of gradient and sensor-like noise.
    let photo = plaza_tests::pictures::noisy_jpeg(4_000, 3_000, 24);
    println!("photo: {} bytes", photo.len());
    let started = std::time::Instant::now();
    let done = plaza_core::media::picture::process(&photo, 40_000_000).unwrap();
    println!(
        "decoding, writing anew and the thumbnail alone: {} ms",
        started.elapsed().as_millis()
    );
    drop(done);
    let resident_before = peak_kib();
    // Resets the peak to the current resident size (Linux), so the peak below is this upload's.
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let rest = peak_kib();
    let started = std::time::Instant::now();
    let uploaded = ada.upload("photo.jpg", "image/jpeg", &photo).await;
    let stored = started.elapsed();
    assert_eq!(uploaded.status, 201, "{}", uploaded.body);
    let (status, _, body) = plaza.fetch_bytes(&uploaded.str("/url")).await;
    let served = started.elapsed();
    assert_eq!(status, 200);
    let peak = peak_kib();
    println!(
        "upload answered in {} ms, served back in {} ms ({} bytes stored)",
        stored.as_millis(),
        served.as_millis(),
        body.len()
    );
    println!(
        "resident before {resident_before} KiB, at rest {rest} KiB, peak while uploading {peak} KiB (+{} KiB)",
        peak.saturating_sub(rest)
    );
}
