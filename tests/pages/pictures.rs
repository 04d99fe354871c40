//! Pictures in the pages' forms: a reply with a picture (previewed first), a file that is no
//! picture, a group's icon and a person's avatar from their settings pages.

use plaza_tests::pictures::{jpeg, png};

use crate::{assert_html, instance_with_thread};

/// The value of the hidden field `name` in a page.
fn hidden(text: &str, name: &str) -> Option<String> {
    let marker = format!(r#"name="{name}" value=""#);
    let start = text.find(&marker)? + marker.len();
    Some(text[start..start + text[start..].find('"')?].to_owned())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_member_replies_with_a_picture_previewed_first() {
    let (plaza, thread, _) = instance_with_thread().await;
    let ada = plaza.browser_as("ada").await;
    let page = ada.open(&format!("/post/{thread}")).await;
    assert!(
        page.text.contains(r#"enctype="multipart/form-data""#)
            && page.text.contains(r#"name="image""#),
        "{}",
        page.text
    );
    let picture = png(900, 300);
    let preview = ada
        .submit_multipart(
            &format!("/post/{thread}/comment"),
            &[
                ("body", "The **back** of it"),
                ("image_alt", "Three cables, one loose"),
                ("intent", "preview"),
            ],
            &[("image", "back.png", "image/png", &picture)],
        )
        .await;
    assert_html(&preview, 200);
    let upload = hidden(&preview.text, "image_upload").expect("the picture is carried on");
    assert!(
        preview
            .text
            .contains(&format!("/media/uploads/{upload}.thumb.png")),
        "{}",
        preview.text
    );
    assert!(preview.text.contains(r#"value="Three cables, one loose""#));
    // Previewing stores the picture, not the reply.
    assert_eq!(plaza.media_files().len(), 2);

    let posted = ada
        .submit_multipart(
            &format!("/post/{thread}/comment"),
            &[
                ("body", "The **back** of it"),
                ("image_alt", "Three cables, one loose"),
                ("image_upload", &upload),
                ("intent", "post"),
            ],
            &[("image", "", "application/octet-stream", b"")],
        )
        .await;
    assert_eq!(posted.status, 303, "{}", posted.text);
    let page = ada.open(&format!("/post/{thread}")).await;
    assert!(
        page.text.contains(r#"alt="Three cables, one loose""#),
        "{}",
        page.text
    );
    assert!(page.text.contains("/media/attachments/"), "{}", page.text);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_file_that_is_no_picture_gets_the_form_again_and_nothing_is_stored() {
    let (plaza, thread, _) = instance_with_thread().await;
    let ada = plaza.browser_as("ada").await;
    ada.open(&format!("/post/{thread}")).await;
    let refused = ada
        .submit_multipart(
            &format!("/post/{thread}/comment"),
            &[("body", "Look at this"), ("intent", "post")],
            &[(
                "image",
                "shell.png",
                "image/png",
                b"<?php system($_GET['c']); ?>",
            )],
        )
        .await;
    assert_html(&refused, 415);
    assert!(
        refused
            .text
            .contains("not a JPEG, PNG, WebP or GIF picture"),
        "{}",
        refused.text
    );
    assert!(
        refused.text.contains("Look at this"),
        "what was typed is kept"
    );
    assert!(plaza.media_files().is_empty());
    let read = plaza.anonymous().get(&format!("/threads/{thread}")).await;
    assert_eq!(read.at("/thread/comment_count"), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn staff_set_a_group_icon_and_people_an_avatar_from_their_settings() {
    let (plaza, _, _) = instance_with_thread().await;
    let admin = plaza.browser_as("admin").await;
    admin.open("/g/support/settings").await;
    let saved = admin
        .submit_multipart(
            "/g/support/settings",
            &[("title", "Support"), ("description", "")],
            &[
                ("icon", "logo.png", "image/png", &png(128, 128)),
                ("banner", "banner.jpg", "image/jpeg", &jpeg(1200, 300)),
            ],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.text);
    let group = plaza.anonymous().get("/groups/support").await;
    let icon = group.str("/icon_url");
    let page = plaza.browse("/g/support").await;
    let icon_path = icon.strip_prefix(&plaza.base).unwrap();
    assert!(
        page.text
            .contains(&format!(r#"class="group-icon" src="{icon_path}""#)),
        "{}",
        page.text
    );
    assert!(
        page.text.contains(r#"class="group-banner""#),
        "{}",
        page.text
    );

    let ada = plaza.browser_as("ada").await;
    ada.open("/settings/profile").await;
    let saved = ada
        .submit_multipart(
            "/settings/profile",
            &[("display_name", "Ada"), ("bio", ""), ("avatar_url", "")],
            &[("avatar", "me.jpg", "image/jpeg", &jpeg(300, 300))],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.text);
    let profile = plaza.login("ada").await.get("/me/profile").await;
    assert!(
        profile.str("/avatar_url").contains("/media/uploads/"),
        "{}",
        profile.body
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_picture_someone_else_uploaded_cannot_be_attached_through_the_form() {
    let (plaza, thread, _) = instance_with_thread().await;
    let carol = plaza.member("carol").await;
    let hers = carol.upload("hers.png", "image/png", &png(120, 80)).await;
    assert_eq!(hers.status, 201, "{}", hers.body);
    let bob = plaza.browser_as("bob").await;
    bob.open(&format!("/post/{thread}")).await;
    // The hidden field carries a picture on from a preview; here it names Carol's.
    let refused = bob
        .submit_multipart(
            &format!("/post/{thread}/comment"),
            &[
                ("body", "Look at this"),
                ("image_upload", &hers.str("/id")),
                ("intent", "post"),
            ],
            &[("image", "", "application/octet-stream", b"")],
        )
        .await;
    assert_html(&refused, 403);
    assert!(
        refused.text.contains("uploaded by someone else"),
        "{}",
        refused.text
    );
    let page = bob.open(&format!("/post/{thread}")).await;
    assert!(!page.text.contains("Look at this"), "{}", page.text);
}
