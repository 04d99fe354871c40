//! Writing in a browser: starting a thread in a group and replying to a thread or a comment,
//! with a Markdown preview that needs no JavaScript (the form posts to itself).

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use plaza_core::limits::{COMMENT_BODY_MAX, POST_BODY_MAX, POST_TITLE_MAX};
use plaza_core::thread_view::{self, CommentSort};
use plaza_core::{CoreError, comments, markdown, media, threads};
use serde::Deserialize;

use super::access::{account, poster};
use super::forms::{PageForm, fixable};
use super::group::local_group;
use super::layout::{Layout, PageError, PersonView, render, respond, see_other};
use super::picture_field::{self, PictureView};
use super::session::Visitor;
use super::thread::parse_id;
use crate::AppState;

/// The comment a reply answers, quoted above the form.
pub struct Quoted {
    /// Who wrote it.
    pub author: PersonView,
    /// Its sanitized HTML.
    pub body_html: String,
}

/// The compose page: a new thread, or a reply.
#[derive(Template)]
#[template(path = "compose.html")]
pub struct ComposePage {
    /// The layout.
    pub layout: Layout,
    /// A reply (no title or link fields).
    pub reply: bool,
    /// Where the form posts.
    pub action: String,
    /// The group or thread this is written in.
    pub back_href: String,
    /// Its title.
    pub back_title: String,
    /// The comment answered, when replying to one.
    pub quoted: Option<Quoted>,
    /// Its id, sent back with the form.
    pub parent: Option<i64>,
    /// The title typed so far.
    pub title: String,
    /// The link typed so far.
    pub url: String,
    /// The text typed so far.
    pub body: String,
    /// The rendered text, after "Preview".
    pub preview_html: Option<String>,
    /// Why the last try was refused.
    pub message: Option<String>,
    /// The label of the button that posts.
    pub post_label: &'static str,
    /// The question box is ticked.
    pub question: bool,
    /// The group is a Q&A group: every thread is a question, so no box is shown.
    pub qa_group: bool,
    /// Longest title.
    pub title_max: usize,
    /// Longest text.
    pub body_max: usize,
    /// The picture chosen so far.
    pub picture: Option<PictureView>,
    /// Its description typed so far.
    pub image_alt: String,
    /// Longest description.
    pub alt_max: usize,
}

/// The fields of the new-thread form.
#[derive(Debug, Deserialize)]
pub struct ThreadForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    url: String,
    #[serde(default)]
    body: String,
    /// An unticked box is not sent at all.
    question: Option<String>,
    #[serde(default)]
    intent: String,
    #[serde(default)]
    image_alt: String,
    /// The picture taken in by an earlier post of this form (a preview).
    #[serde(default)]
    image_upload: String,
}

/// The fields of the reply form.
#[derive(Debug, Deserialize)]
pub struct ReplyForm {
    #[serde(default)]
    body: String,
    parent: Option<String>,
    #[serde(default)]
    intent: String,
    #[serde(default)]
    image_alt: String,
    /// The picture taken in by an earlier post of this form (a preview).
    #[serde(default)]
    image_upload: String,
}

/// "Preview" re-renders the form; anything else posts.
fn wants_preview(intent: &str) -> bool {
    intent == "preview"
}

impl ComposePage {
    async fn thread(
        state: &AppState,
        visitor: &Visitor,
        group: &str,
        form: Option<&ThreadForm>,
    ) -> Result<Self, PageError> {
        let details = local_group(state, group).await?;
        let g = &details.view.group;
        let layout = Layout::new(
            &state.ctx,
            visitor,
            format!("Start a thread in {}", g.title),
        )
        .await?;
        Ok(Self {
            layout,
            reply: false,
            action: format!("/g/{}/new", g.name),
            back_href: format!("/g/{}", g.name),
            back_title: g.title.clone(),
            quoted: None,
            parent: None,
            title: form.map(|f| f.title.clone()).unwrap_or_default(),
            url: form.map(|f| f.url.clone()).unwrap_or_default(),
            body: form.map(|f| f.body.clone()).unwrap_or_default(),
            preview_html: None,
            message: None,
            post_label: "Post",
            question: form.is_some_and(|f| f.question.is_some()),
            qa_group: g.qa,
            title_max: POST_TITLE_MAX,
            body_max: POST_BODY_MAX,
            picture: None,
            image_alt: String::new(),
            alt_max: media::ALT_CHARS,
        })
    }

    async fn reply(
        state: &AppState,
        visitor: &Visitor,
        thread_id: i64,
        parent: Option<i64>,
        body: &str,
    ) -> Result<Self, PageError> {
        let viewer = visitor.account.as_ref();
        let view = thread_view::get(&state.ctx, viewer, thread_id, CommentSort::Top).await?;
        if view.post.deleted {
            return Err(PageError::gone("This thread was deleted."));
        }
        let quoted = match parent {
            Some(id) => {
                let node = thread_view::comment(&state.ctx, viewer, id).await?;
                if node.comment.post_id != thread_id {
                    return Err(PageError::not_found("comment"));
                }
                Some(Quoted {
                    author: PersonView::from(&node.author),
                    body_html: node.comment.body_html.clone(),
                })
            }
            None => None,
        };
        let layout =
            Layout::new(&state.ctx, visitor, format!("Reply to {}", view.post.title)).await?;
        Ok(Self {
            layout,
            reply: true,
            action: format!("/post/{thread_id}/comment"),
            back_href: format!("/post/{thread_id}"),
            back_title: view.post.title.clone(),
            quoted,
            parent,
            title: String::new(),
            url: String::new(),
            body: body.to_owned(),
            preview_html: None,
            message: None,
            post_label: "Reply",
            question: false,
            qa_group: false,
            title_max: POST_TITLE_MAX,
            body_max: COMMENT_BODY_MAX,
            picture: None,
            image_alt: String::new(),
            alt_max: media::ALT_CHARS,
        })
    }

    /// After posting: off to what was written, or this form again with a fixable refusal.
    fn outcome<T>(
        mut self,
        created: Result<T, CoreError>,
        location: impl FnOnce(&T) -> String,
    ) -> Result<Response, PageError> {
        match created {
            Ok(row) => Ok(see_other(&location(&row))),
            Err(e) => {
                let (status, message) = fixable(e)?;
                self.message = Some(message);
                Ok(render(status, &self))
            }
        }
    }

    /// Takes in the picture of the form; `Err` is the form again, saying why it was refused.
    async fn take_picture(
        &mut self,
        state: &AppState,
        account: &plaza_core::Account,
        files: &[(String, axum::body::Bytes)],
        kept: &str,
        alt: &str,
    ) -> Result<(), Result<Response, PageError>> {
        self.image_alt = alt.to_owned();
        match picture_field::chosen(state, account, files, "image", kept).await {
            Ok(row) => {
                self.picture = row.as_ref().map(PictureView::new);
                Ok(())
            }
            Err(e) => Err(self.refused(e)),
        }
    }

    fn refused(&mut self, error: CoreError) -> Result<Response, PageError> {
        let (status, message) = fixable(error)?;
        self.message = Some(message);
        Ok(render(status, &*self))
    }

    /// The chosen picture, to attach.
    fn images(&self) -> Vec<media::ImageChoice> {
        self.picture
            .iter()
            .map(|p| media::ImageChoice {
                upload: p.upload.clone(),
                alt: Some(self.image_alt.clone()),
            })
            .collect()
    }

    async fn with_preview(mut self) -> Self {
        match markdown::render("body", &self.body).await {
            Ok(html) => self.preview_html = Some(html),
            Err(e) => self.message = Some(e.to_string()),
        }
        self
    }
}

/// `GET /g/NAME/new`.
pub async fn thread_form(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(name): Path<String>,
) -> Response {
    let page = async {
        account(&visitor, &format!("/g/{name}/new"))?;
        ComposePage::thread(&state, &visitor, &name, None).await
    }
    .await;
    respond(&state.ctx, page.map(|p| render(StatusCode::OK, &p))).await
}

/// `POST /g/NAME/new`: preview, or start the thread and go to it.
pub async fn start_thread(
    State(state): State<AppState>,
    Path(name): Path<String>,
    form: PageForm<ThreadForm>,
) -> Response {
    let result = start(&state, &name, form).await;
    respond(&state.ctx, result).await
}

async fn start(
    state: &AppState,
    name: &str,
    form: PageForm<ThreadForm>,
) -> Result<Response, PageError> {
    let PageForm {
        visitor,
        fields,
        files,
    } = form;
    let account = poster(&visitor)?;
    let mut page = ComposePage::thread(state, &visitor, name, Some(&fields)).await?;
    if let Err(refused) = page
        .take_picture(
            state,
            account,
            &files,
            &fields.image_upload,
            &fields.image_alt,
        )
        .await
    {
        return refused;
    }
    if wants_preview(&fields.intent) {
        return Ok(render(StatusCode::OK, &page.with_preview().await));
    }
    let input = threads::ThreadInput {
        title: fields.title,
        body: Some(fields.body).filter(|b| !b.trim().is_empty()),
        url: Some(fields.url).filter(|u| !u.trim().is_empty()),
        question: fields.question.is_some(),
        images: page.images(),
    };
    let created = threads::create(&state.ctx, account, name, input).await;
    page.outcome(created, |row| format!("/post/{}", row.id))
}

/// `GET /comment/ID/reply`: the form to answer one comment.
pub async fn reply_form(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
) -> Response {
    let result = async {
        let id = parse_id(&id, "comment")?;
        account(&visitor, &format!("/comment/{id}/reply"))?;
        let node = thread_view::comment(&state.ctx, visitor.account.as_ref(), id).await?;
        if node.comment.deleted || node.comment.removed {
            return Err(PageError::gone("This comment was deleted."));
        }
        let page = ComposePage::reply(&state, &visitor, node.comment.post_id, Some(id), "").await?;
        Ok(render(StatusCode::OK, &page))
    }
    .await;
    respond(&state.ctx, result).await
}

/// `POST /post/ID/comment`: preview, or reply and go to the new comment.
pub async fn post_reply(
    State(state): State<AppState>,
    Path(id): Path<String>,
    form: PageForm<ReplyForm>,
) -> Response {
    let result = answer(&state, &id, form).await;
    respond(&state.ctx, result).await
}

async fn answer(
    state: &AppState,
    id: &str,
    form: PageForm<ReplyForm>,
) -> Result<Response, PageError> {
    let PageForm {
        visitor,
        fields,
        files,
    } = form;
    let thread_id = parse_id(id, "thread")?;
    let parent = match fields.parent.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(raw) => Some(parse_id(raw, "comment")?),
    };
    let account = poster(&visitor)?;
    let mut page = ComposePage::reply(state, &visitor, thread_id, parent, &fields.body).await?;
    if let Err(refused) = page
        .take_picture(
            state,
            account,
            &files,
            &fields.image_upload,
            &fields.image_alt,
        )
        .await
    {
        return refused;
    }
    if wants_preview(&fields.intent) {
        return Ok(render(StatusCode::OK, &page.with_preview().await));
    }
    let images = page.images();
    let created = comments::create(
        &state.ctx,
        account,
        thread_id,
        parent,
        &fields.body,
        &images,
    )
    .await;
    page.outcome(created, |row| format!("/post/{thread_id}#c-{}", row.id))
}
