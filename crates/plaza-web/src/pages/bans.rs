//! Banning from the pages, for a group's moderators: the ban form (person, reason, how many days,
//! reached from a thread or comment with its author filled in), the bans in force with a button
//! to lift each, and those two forms' handlers. The core records and federates each ban.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{NaiveDateTime, TimeDelta};
use plaza_core::limits::REASON_MAX;
use plaza_core::moderation::{self, Action};
use plaza_core::{modlog, people};
use serde::Deserialize;

use super::access::{Via, moderator};
use super::forms::{PageForm, fixable, person_field};
use super::layout::{Layout, PageError, PersonView, TimeView, render, respond, see_other};
use super::session::Visitor;
use crate::AppState;

/// Longest ban, in days (about a hundred years; longer is a ban without end).
const BAN_DAYS_MAX: i64 = 36_500;

/// The ban form.
#[derive(Template)]
#[template(path = "ban.html")]
pub struct BanPage {
    /// The layout.
    pub layout: Layout,
    /// The group's name.
    pub name: String,
    /// The group's title.
    pub group_title: String,
    /// The person typed or filled in.
    pub person: String,
    /// The reason typed so far.
    pub reason: String,
    /// The days typed so far.
    pub days: String,
    /// Why the last try was refused.
    pub message: Option<String>,
    /// Longest reason.
    pub reason_max: usize,
    /// Longest ban in days.
    pub days_max: i64,
}

/// A ban in force as the list shows it.
pub struct BanView {
    /// Who is banned.
    pub person: PersonView,
    /// Why.
    pub reason: Option<String>,
    /// Who banned them.
    pub by: Option<PersonView>,
    /// Since when.
    pub since: TimeView,
    /// Until when; `None` for good.
    pub until: Option<TimeView>,
}

/// The list of bans in force.
#[derive(Template)]
#[template(path = "bans.html")]
pub struct BansPage {
    /// The layout.
    pub layout: Layout,
    /// The group's name.
    pub name: String,
    /// The group's title.
    pub group_title: String,
    /// The bans, newest first.
    pub bans: Vec<BanView>,
}

/// `?person=` of the ban form.
#[derive(Debug, Deserialize)]
pub struct BanQuery {
    person: Option<String>,
}

/// The ban form's fields.
#[derive(Debug, Deserialize)]
pub struct BanForm {
    #[serde(default)]
    person: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    days: String,
}

/// The unban button's field.
#[derive(Debug, Deserialize)]
pub struct UnbanForm {
    #[serde(default)]
    person: String,
}

/// When a ban of `days` days from `now` ends: empty is never; anything but a whole number of
/// days within bounds is refused with a sentence for the form.
fn expiry(days: &str, now: NaiveDateTime) -> Result<Option<NaiveDateTime>, String> {
    let days = days.trim();
    if days.is_empty() {
        return Ok(None);
    }
    match days.parse::<i64>() {
        Ok(n) if (1..=BAN_DAYS_MAX).contains(&n) => Ok(Some(now + TimeDelta::days(n))),
        _ => Err(format!(
            "The length must be a whole number of days from 1 to {BAN_DAYS_MAX}, or empty for a ban without end."
        )),
    }
}

async fn ban_page(
    state: &AppState,
    visitor: &Visitor,
    name: &str,
    group_title: &str,
    fields: BanForm,
    refusal: Option<(StatusCode, String)>,
) -> Result<Response, PageError> {
    let layout = Layout::new(
        &state.ctx,
        visitor,
        format!("Ban someone from {group_title}"),
    )
    .await?;
    let (status, message) = match refusal {
        Some((status, message)) => (status, Some(message)),
        None => (StatusCode::OK, None),
    };
    Ok(render(
        status,
        &BanPage {
            layout,
            name: name.to_owned(),
            group_title: group_title.to_owned(),
            person: fields.person,
            reason: fields.reason,
            days: fields.days,
            message,
            reason_max: REASON_MAX,
            days_max: BAN_DAYS_MAX,
        },
    ))
}

/// `GET /g/NAME/ban?person=HANDLE`.
pub async fn form(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(name): Path<String>,
    Query(query): Query<BanQuery>,
) -> Response {
    let result = async {
        let path = format!("/g/{name}/ban");
        let (_, details) = moderator(&state, &visitor, &name, Via::Page(&path)).await?;
        let g = &details.view.group;
        let fields = BanForm {
            person: query.person.unwrap_or_default(),
            reason: String::new(),
            days: String::new(),
        };
        ban_page(&state, &visitor, &g.name, &g.title, fields, None).await
    }
    .await;
    respond(&state.ctx, result).await
}

/// `POST /g/NAME/ban`: bans the person and shows the bans in force.
pub async fn ban(
    State(state): State<AppState>,
    Path(name): Path<String>,
    form: PageForm<BanForm>,
) -> Response {
    let result = async {
        let PageForm {
            visitor, fields, ..
        } = form;
        let (account, details) = moderator(&state, &visitor, &name, Via::Form).await?;
        let g = &details.view.group;
        let refuse =
            |fields, refusal| ban_page(&state, &visitor, &g.name, &g.title, fields, Some(refusal));
        let expires_at = match expiry(&fields.days, plaza_db::now()) {
            Ok(at) => at,
            Err(message) => {
                tracing::info!(days = %fields.days, "ban form refused: not a length in days");
                return refuse(fields, (StatusCode::UNPROCESSABLE_ENTITY, message)).await;
            }
        };
        let person_id = match person_field(&state, &fields.person).await {
            Ok(id) => id,
            Err(e) => return refuse(fields, fixable(e)?).await,
        };
        let action = Action::Ban {
            group_id: g.id,
            person_id,
            expires_at,
        };
        match moderation::act(&state.ctx, account, action, Some(&fields.reason)).await {
            Ok(()) => Ok(see_other(&format!("/g/{}/bans", g.name))),
            Err(e) => refuse(fields, fixable(e)?).await,
        }
    }
    .await;
    respond(&state.ctx, result).await
}

/// `GET /g/NAME/bans`.
pub async fn list(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(name): Path<String>,
) -> Response {
    let result = async {
        let path = format!("/g/{name}/bans");
        let (account, details) = moderator(&state, &visitor, &name, Via::Page(&path)).await?;
        let g = &details.view.group;
        let bans = modlog::bans(&state.ctx, account, g.id).await?;
        let layout = Layout::new(&state.ctx, &visitor, format!("Bans in {}", g.title)).await?;
        Ok(render(
            StatusCode::OK,
            &BansPage {
                layout,
                name: g.name.clone(),
                group_title: g.title.clone(),
                bans: bans
                    .iter()
                    .map(|b| BanView {
                        person: PersonView::from(&b.person),
                        reason: b.row.reason.clone().filter(|r| !r.trim().is_empty()),
                        by: b.banned_by.as_ref().map(PersonView::from),
                        since: TimeView::new(b.row.created_at),
                        until: b.row.expires_at.map(TimeView::new),
                    })
                    .collect(),
            },
        ))
    }
    .await;
    respond(&state.ctx, result).await
}

/// `POST /g/NAME/unban`: lifts a ban and shows the bans in force.
pub async fn unban(
    State(state): State<AppState>,
    Path(name): Path<String>,
    form: PageForm<UnbanForm>,
) -> Response {
    let result = async {
        let PageForm {
            visitor, fields, ..
        } = form;
        let (account, details) = moderator(&state, &visitor, &name, Via::Form).await?;
        let g = &details.view.group;
        let action = Action::Unban {
            group_id: g.id,
            person_id: people::by_handle(&state.ctx, &fields.person).await?,
        };
        moderation::act(&state.ctx, account, action, None).await?;
        Ok(see_other(&format!("/g/{}/bans", g.name)))
    }
    .await;
    respond(&state.ctx, result).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ban_lasts_the_days_given_or_has_no_end() {
        let now = chrono::DateTime::from_timestamp(1_800_000_000, 0)
            .map(|t| t.naive_utc())
            .unwrap_or_default();
        assert_eq!(expiry("", now), Ok(None));
        assert_eq!(expiry("  ", now), Ok(None));
        assert_eq!(expiry("7", now), Ok(Some(now + TimeDelta::days(7))));
        assert_eq!(
            expiry(" 36500 ", now),
            Ok(Some(now + TimeDelta::days(36_500)))
        );
        for refused in ["0", "-3", "1.5", "soon", "36501", "99999999999999999999"] {
            assert!(expiry(refused, now).is_err(), "{refused}");
        }
    }
}
