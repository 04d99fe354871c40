//! An `Event` (Mobilizon) as a thread: its `name` is the title, and when and where it happens
//! are written at the top of the body, since a thread has no fields for them.

use chrono::{DateTime, FixedOffset};

use super::escape_html;
use crate::protocol::received::ReceivedObject;

/// The lines an event's body starts with: when (in the event's own time zone) and where.
/// `None` for anything but an event that tells either.
pub fn details_html(object: &ReceivedObject) -> Option<String> {
    if object.kind != "Event" {
        return None;
    }
    let mut html = String::new();
    if let Some(start) = object.start_time {
        let when = match object.end_time {
            Some(end) => span(start, end),
            None => format!("{} ({})", start.format("%Y-%m-%d %H:%M"), zone(start)),
        };
        html.push_str(&format!(
            "<p><strong>When:</strong> {}</p>",
            escape_html(&when)
        ));
    }
    let place = object
        .location
        .as_ref()
        .map(|p| p.line())
        .filter(|p| !p.is_empty());
    if let Some(place) = place {
        html.push_str(&format!(
            "<p><strong>Where:</strong> {}</p>",
            escape_html(&place)
        ));
    }
    (!html.is_empty()).then_some(html)
}

/// "2026-12-12 14:00 – 17:00 (UTC+01:00)", the date repeated only when the end is on another
/// day.
fn span(start: DateTime<FixedOffset>, end: DateTime<FixedOffset>) -> String {
    let end = end.with_timezone(start.offset());
    let until = if end.date_naive() == start.date_naive() {
        end.format("%H:%M").to_string()
    } else {
        end.format("%Y-%m-%d %H:%M").to_string()
    };
    format!(
        "{} – {until} ({})",
        start.format("%Y-%m-%d %H:%M"),
        zone(start)
    )
}

fn zone(at: DateTime<FixedOffset>) -> String {
    format!("UTC{}", at.format("%:z"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(json: serde_json::Value) -> ReceivedObject {
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn an_event_tells_when_and_where_it_happens() {
        let e = event(serde_json::json!({
            "id": "https://events.example/events/1", "type": "Event",
            "startTime": "2026-12-12T14:00:00+01:00", "endTime": "2026-12-12T17:00:00+01:00",
            "location": {"type": "Place", "name": "Caf\u{e9} <Central>"}
        }));
        assert_eq!(
            details_html(&e).unwrap(),
            "<p><strong>When:</strong> 2026-12-12 14:00 – 17:00 (UTC+01:00)</p>\
             <p><strong>Where:</strong> Caf\u{e9} &lt;Central&gt;</p>"
        );
    }

    #[test]
    fn an_event_over_several_days_names_both_dates_and_a_note_gets_nothing() {
        let e = event(serde_json::json!({
            "id": "https://events.example/events/2", "type": "Event",
            "startTime": "2026-12-12T22:00:00Z", "endTime": "2026-12-13T02:00:00Z"
        }));
        assert_eq!(
            details_html(&e).unwrap(),
            "<p><strong>When:</strong> 2026-12-12 22:00 – 2026-12-13 02:00 (UTC+00:00)</p>"
        );
        let note = event(serde_json::json!({
            "id": "https://events.example/n/1", "type": "Note",
            "startTime": "2026-12-12T22:00:00Z"
        }));
        assert!(details_html(&note).is_none());
    }
}
