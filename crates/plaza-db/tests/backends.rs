//! The storage layer against a real database of the backend the environment selects.

use plaza_db::instance::{self, InstanceFilter, Refusal};
use plaza_db::testing::TestDatabase;
use plaza_db::{DbError, migrate};

#[tokio::test(flavor = "multi_thread")]
async fn migrations_apply_once_and_are_idempotent() -> Result<(), DbError> {
    let db = TestDatabase::create().await?;
    // TestDatabase ran them already: a second run finds nothing to do.
    assert!(migrate::run_pending(&db.pool).await?.is_empty());
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn instance_upsert_returns_the_existing_row() -> Result<(), DbError> {
    let db = TestDatabase::create().await?;
    let mut pooled = db.pool.get().await?;
    let conn = &mut pooled.conn();
    let first = instance::upsert(conn, "lemmy.example").await?;
    let again = instance::upsert(conn, "lemmy.example").await?;
    assert_eq!(first.id, again.id);
    let other = instance::upsert(conn, "mastodon.example").await?;
    assert_ne!(first.id, other.id);
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failed_transaction_leaves_nothing_behind() -> Result<(), DbError> {
    let db = TestDatabase::create().await?;
    let result: Result<(), DbError> = plaza_db::transaction!(&db.pool, DbError, |conn| {
        instance::upsert(conn, "half.example").await?;
        Err(DbError::Config("abort".into()))
    });
    assert!(result.is_err());
    let mut pooled = db.pool.get().await?;
    assert!(
        instance::find_by_domain(&mut pooled.conn(), "half.example")
            .await?
            .is_none()
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn foreign_keys_are_enforced() -> Result<(), DbError> {
    use plaza_db::person::{self, NewPerson};
    let db = TestDatabase::create().await?;
    let mut pooled = db.pool.get().await?;
    let result = person::insert(
        &mut pooled.conn(),
        &NewPerson {
            ap_id: "https://x.example/u/a",
            instance_id: 999_999,
            name: "a",
            display_name: None,
            local: false,
            inbox_url: "https://x.example/u/a/inbox",
            shared_inbox_url: None,
            public_key: "k",
            private_key: None,
            created_at: plaza_db::now(),
        },
    )
    .await;
    assert!(matches!(result, Err(DbError::Query(_))), "{result:?}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn pruning_removes_only_finished_rows_past_their_retention() -> Result<(), DbError> {
    use plaza_db::maintenance::{Retention, prune};
    use plaza_db::{delivery, event, received};
    let db = TestDatabase::create().await?;
    let mut pooled = db.pool.get().await?;
    let conn = &mut pooled.conn();
    let inboxes = [
        ("https://a.example/inbox".to_owned(), "a.example".to_owned()),
        ("https://b.example/inbox".to_owned(), "b.example".to_owned()),
    ];
    delivery::enqueue(
        conn,
        "https://x.example/a/1",
        "https://x.example/g/s",
        "{}",
        &inboxes,
    )
    .await?;
    let claimed = delivery::claim_due(conn, 10, chrono::TimeDelta::seconds(60)).await?;
    assert_eq!(claimed.len(), 2);
    // One delivered, one still pending.
    delivery::mark_delivered(conn, claimed[0].id, claimed[0].instance_id, None).await?;
    received::record(conn, "https://a.example/follow/1").await?;
    let event_id = event::record(
        conn,
        event::EventKind::PostCreated,
        event::NewEvent::default(),
    )
    .await?;
    event::mark_processed(conn, event_id).await?;
    event::record(
        conn,
        event::EventKind::PostCreated,
        event::NewEvent::default(),
    )
    .await?;

    // Nothing is old enough yet.
    let now = plaza_db::now();
    assert_eq!(
        prune(conn, now, Retention::default()).await?,
        Default::default()
    );

    // Much later: finished rows go; the pending delivery, its activity and the pending event stay.
    let later = now + chrono::TimeDelta::days(60);
    let pruned = prune(conn, later, Retention::default()).await?;
    assert_eq!(pruned.deliveries, 1);
    assert_eq!(
        pruned.activities, 0,
        "the activity still has a pending delivery"
    );
    assert_eq!(pruned.received_activities, 1);
    assert_eq!(pruned.events, 1);
    assert_eq!(delivery::counts(conn).await?.pending, 1);
    assert_eq!(event::pending(conn, 10).await?.len(), 1);
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn only_one_process_prunes_at_a_time() -> Result<(), DbError> {
    use plaza_db::DbConn;
    use plaza_db::maintenance::{Retention, prune_once};
    use plaza_db::reexports::diesel_async::SimpleAsyncConnection;
    let db = TestDatabase::create().await?;
    let now = plaza_db::now();
    assert!(
        prune_once(&db.pool, now, Retention::default())
            .await?
            .is_some(),
        "nobody else prunes: this call does"
    );
    // Another session (another worker) holds housekeeping's lock while this one tries.
    let mut other = db.pool.get().await?;
    let holds_lock = match &mut other.conn() {
        DbConn::Pg(c) => {
            c.batch_execute("BEGIN; SELECT pg_advisory_xact_lock(8100957007980228722)")
                .await?;
            true
        }
        DbConn::Sqlite(_) => false,
    };
    let second = prune_once(&db.pool, now, Retention::default()).await?;
    if holds_lock {
        assert_eq!(second, None, "the lock holder prunes; this process skips");
        if let DbConn::Pg(c) = &mut other.conn() {
            c.batch_execute("COMMIT").await?;
        }
        assert!(
            prune_once(&db.pool, now, Retention::default())
                .await?
                .is_some(),
            "the lock is free again once its transaction ends"
        );
    } else {
        assert!(second.is_some(), "SQLite serves one process: no lock");
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn dropping_an_instances_pending_deliveries_leaves_the_rest() -> Result<(), DbError> {
    use plaza_db::delivery;
    let db = TestDatabase::create().await?;
    let mut pooled = db.pool.get().await?;
    let conn = &mut pooled.conn();
    let inboxes = [
        ("https://a.example/inbox".to_owned(), "a.example".to_owned()),
        ("https://b.example/inbox".to_owned(), "b.example".to_owned()),
    ];
    for n in 1..=2 {
        let id = format!("https://x.example/a/{n}");
        delivery::enqueue(conn, &id, "https://x.example/g/s", "{}", &inboxes).await?;
    }
    let a = instance::find_by_domain(conn, "a.example")
        .await?
        .ok_or_else(|| DbError::Config("enqueue did not create a.example".into()))?;
    // One of a.example's two deliveries has arrived already.
    let claimed = delivery::claim_due(conn, 10, chrono::TimeDelta::seconds(60)).await?;
    let arrived = claimed
        .iter()
        .find(|d| d.instance_id == a.id)
        .ok_or_else(|| DbError::Config("no delivery to a.example".into()))?;
    delivery::mark_delivered(conn, arrived.id, a.id, None).await?;

    assert_eq!(delivery::drop_pending(conn, a.id).await?, 1);
    assert_eq!(delivery::drop_pending(conn, a.id).await?, 0);
    let counts = delivery::counts(conn).await?;
    assert_eq!((counts.pending, counts.delivered), (2, 1), "{counts:?}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn instances_are_listed_by_domain_and_filtered_by_block() -> Result<(), DbError> {
    let db = TestDatabase::create().await?;
    let mut pooled = db.pool.get().await?;
    let conn = &mut pooled.conn();
    instance::upsert(conn, "b.example").await?;
    instance::upsert(conn, "a.example").await?;
    instance::set_blocked(conn, "c.example", true).await?;
    let all: Vec<String> = instance::list(conn, InstanceFilter::All)
        .await?
        .into_iter()
        .map(|i| i.domain)
        .collect();
    assert_eq!(all, ["a.example", "b.example", "c.example"]);
    let blocked = instance::list(conn, InstanceFilter::Blocked).await?;
    assert_eq!(blocked.len(), 1);
    assert_eq!(blocked[0].domain, "c.example");
    assert!(blocked[0].blocked);
    instance::set_blocked(conn, "c.example", false).await?;
    assert!(
        instance::list(conn, InstanceFilter::Blocked)
            .await?
            .is_empty()
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn allow_list_mode_refuses_unlisted_instances_and_drops_what_waits_for_them()
-> Result<(), DbError> {
    use plaza_db::{delivery, site};
    let db = TestDatabase::create().await?;
    let mut pooled = db.pool.get().await?;
    let conn = &mut pooled.conn();
    site::create(conn, "plaza.example", "Plaza").await?;
    let inboxes = [
        ("https://a.example/inbox".to_owned(), "a.example".to_owned()),
        ("https://b.example/inbox".to_owned(), "b.example".to_owned()),
        ("https://c.example/inbox".to_owned(), "c.example".to_owned()),
    ];
    delivery::enqueue(
        conn,
        "https://plaza.example/a/1",
        "https://plaza.example/g/s",
        "{}",
        &inboxes,
    )
    .await?;
    instance::set_allowed(conn, "a.example", true).await?;
    instance::set_allowed(conn, "c.example", true).await?;
    instance::set_blocked(conn, "c.example", true).await?;

    // Mode off: only the block counts, and nothing is dropped for b.example.
    assert_eq!(instance::federates_with(conn, "b.example").await?, Ok(()));
    assert_eq!(
        instance::federates_with(conn, "c.example").await?,
        Err(Refusal::Blocked)
    );
    // The blocked one's delivery is dropped when it is blocked (as the core does).
    let c = instance::upsert(conn, "c.example").await?;
    assert_eq!(delivery::drop_pending(conn, c.id).await?, 1);
    assert_eq!(delivery::drop_pending_refused(conn).await?, 0);

    assert!(!site::set_federation_allowlist(conn, true).await?);
    assert_eq!(instance::federates_with(conn, "a.example").await?, Ok(()));
    assert_eq!(
        instance::federates_with(conn, "b.example").await?,
        Err(Refusal::NotAllowed)
    );
    assert_eq!(
        instance::federates_with(conn, "never-seen.example").await?,
        Err(Refusal::NotAllowed)
    );
    assert_eq!(
        instance::federates_with(conn, "c.example").await?,
        Err(Refusal::Blocked),
        "a block wins over an allow"
    );
    assert_eq!(
        instance::federates_with(conn, "plaza.example").await?,
        Ok(())
    );
    assert_eq!(
        delivery::drop_pending_refused(conn).await?,
        1,
        "b.example's delivery"
    );
    let counts = delivery::counts(conn).await?;
    assert_eq!(counts.pending, 1, "a.example's delivery waits: {counts:?}");

    let allowed: Vec<String> = instance::list(conn, InstanceFilter::Allowed)
        .await?
        .into_iter()
        .map(|i| i.domain)
        .collect();
    assert_eq!(allowed, ["a.example", "c.example"]);
    assert!(site::set_federation_allowlist(conn, false).await?);
    assert_eq!(instance::federates_with(conn, "b.example").await?, Ok(()));
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn notifications_are_stored_once_and_read_only_by_their_recipient() -> Result<(), DbError> {
    use plaza_db::group::{self, NewGroup};
    use plaza_db::notification::{self, NewNotification};
    use plaza_db::person::{self, NewPerson};
    let db = TestDatabase::create().await?;
    let mut pooled = db.pool.get().await?;
    let conn = &mut pooled.conn();
    let home = instance::upsert(conn, "brand.example").await?;
    let mut people = Vec::new();
    for name in ["ada", "bob"] {
        let ap_id = format!("https://brand.example/u/{name}");
        let inbox = format!("{ap_id}/inbox");
        let row = person::insert(
            conn,
            &NewPerson {
                ap_id: &ap_id,
                instance_id: home.id,
                name,
                display_name: None,
                local: true,
                inbox_url: &inbox,
                shared_inbox_url: None,
                public_key: "k",
                private_key: None,
                created_at: plaza_db::now(),
            },
        )
        .await?;
        people.push(row.id);
    }
    let (ada, bob) = (people[0], people[1]);
    let support = group::insert(
        conn,
        &NewGroup {
            ap_id: "https://brand.example/g/support",
            instance_id: home.id,
            name: "support",
            title: "Support",
            description_source: None,
            description_html: None,
            local: true,
            inbox_url: "https://brand.example/g/support/inbox",
            shared_inbox_url: None,
            followers_url: None,
            public_key: "k",
            private_key: None,
            posting_restricted_to_mods: false,
            created_at: plaza_db::now(),
        },
    )
    .await?;
    let about = |recipient_id, subject_id| NewNotification {
        recipient_id,
        kind: "banned",
        subject_id,
        actor_id: Some(bob),
        group_id: support.id,
        post_id: None,
        comment_id: None,
        reason: Some("spam"),
    };
    assert!(notification::insert(conn, &about(ada, 1)).await?);
    assert!(!notification::insert(conn, &about(ada, 1)).await?);
    assert!(notification::insert(conn, &about(ada, 2)).await?);
    assert!(notification::insert(conn, &about(bob, 1)).await?);
    assert_eq!(notification::unread_count(conn, ada).await?, 2);

    let page = plaza_db::Page {
        number: 1,
        limit: 10,
    };
    let listed = notification::list(conn, ada, false, page).await?;
    let subjects: Vec<i64> = listed.iter().map(|(n, _)| n.subject_id).collect();
    assert_eq!(subjects, [2, 1], "newest first");
    assert_eq!(listed[0].1.name, "support");
    let bobs = notification::list(conn, bob, false, page).await?[0].0.id;

    assert_eq!(notification::mark_read(conn, ada, &[bobs]).await?, 0);
    assert_eq!(notification::unread_count(conn, bob).await?, 1);
    assert_eq!(
        notification::mark_read(conn, ada, &[listed[1].0.id]).await?,
        1
    );
    assert_eq!(notification::unread_count(conn, ada).await?, 1);
    let unread = notification::list(conn, ada, true, page).await?;
    assert_eq!(unread.len(), 1);
    assert_eq!(unread[0].0.subject_id, 2);
    assert_eq!(notification::mark_all_read(conn, ada).await?, 1);
    assert_eq!(notification::unread_count(conn, ada).await?, 0);
    assert_eq!(notification::unread_count(conn, bob).await?, 1);
    Ok(())
}

/// Runs statements as they are written (the same SQL on both backends).
async fn execute(conn: &mut plaza_db::DbConn<'_>, statements: &str) -> Result<(), DbError> {
    use plaza_db::reexports::diesel_async::SimpleAsyncConnection;
    match conn {
        plaza_db::DbConn::Sqlite(c) => c.batch_execute(statements).await?,
        plaza_db::DbConn::Pg(c) => c.batch_execute(statements).await?,
    }
    Ok(())
}

/// The threads whose reply columns differ from a count of their comments made now.
async fn threads_off_their_recount(conn: &mut plaza_db::DbConn<'_>) -> Result<i64, DbError> {
    use plaza_db::reexports::diesel::{self, sql_types::BigInt};
    use plaza_db::reexports::diesel_async::RunQueryDsl;
    const FIRST: &str = "FROM comments c WHERE c.post_id = p.id AND c.author_id <> p.author_id \
                         ORDER BY c.created_at, c.id LIMIT 1";
    let query = diesel::select(diesel::dsl::sql::<BigInt>(&format!(
        "(SELECT count(*) FROM posts p WHERE p.live_comments <> (SELECT count(*) FROM comments c \
         WHERE c.post_id = p.id AND NOT c.deleted AND NOT c.removed) \
         OR p.first_reply_at IS DISTINCT FROM (SELECT c.created_at {FIRST}) \
         OR p.first_reply_by IS DISTINCT FROM (SELECT c.author_id {FIRST}))"
    )));
    Ok(match conn {
        plaza_db::DbConn::Sqlite(c) => query.get_result(&mut **c).await?,
        plaza_db::DbConn::Pg(c) => query.get_result(&mut **c).await?,
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn what_a_thread_knows_of_its_replies_follows_every_change_of_them() -> Result<(), DbError> {
    let db = TestDatabase::create().await?;
    let mut pooled = db.pool.get().await?;
    let conn = &mut pooled.conn();
    // People a, b and c; thread 1 by a and thread 2 by b, in one group. Ids are generated (on
    // PostgreSQL they must be), so rows are found by name.
    execute(
        conn,
        "INSERT INTO instances (domain, created_at, updated_at)
         VALUES ('brand.example', '2026-01-01 00:00:00', '2026-01-01 00:00:00');
         INSERT INTO persons (ap_id, instance_id, name, local, inbox_url, public_key, created_at)
         SELECT 'https://brand.example/u/' || n.name, i.id, n.name, TRUE, 'https://brand.example/inbox',
                'k', '2026-01-01 00:00:00'
         FROM instances i, (SELECT 'a' AS name UNION ALL SELECT 'b' UNION ALL SELECT 'c') n;
         INSERT INTO \"groups\" (ap_id, instance_id, name, title, local, inbox_url, public_key, created_at)
         SELECT 'https://brand.example/g/s', id, 's', 'S', TRUE, 'https://brand.example/inbox', 'k',
                '2026-01-01 00:00:00' FROM instances;
         INSERT INTO posts (ap_id, group_id, author_id, title, local, created_at, last_activity_at)
         SELECT 'p' || pe.name, g.id, pe.id, 'Thread', TRUE, '2026-01-01 10:00:00', '2026-01-01 10:00:00'
         FROM \"groups\" g, persons pe WHERE pe.name IN ('a', 'b');",
    )
    .await?;
    // Comment `id` in thread `post` (a or b: who started it) by `author`.
    let comment = |id: &str, post: &str, author: &str, at: &str| {
        format!(
            "INSERT INTO comments (ap_id, post_id, author_id, body_html, local, created_at) \
             SELECT '{id}', p.id, pe.id, '', TRUE, '{at}' FROM posts p, persons pe \
             WHERE p.ap_id = 'p{post}' AND pe.name = '{author}';"
        )
    };
    let steps = [
        // The author's own reply is live but no answer; a later one, then an earlier one, by others.
        comment("c1", "a", "a", "2026-01-01 10:05:00"),
        comment("c2", "a", "b", "2026-01-01 12:00:00"),
        comment("c3", "a", "c", "2026-01-01 11:00:00"),
        comment("c4", "b", "a", "2026-01-01 11:30:00"),
        "UPDATE comments SET deleted = TRUE WHERE ap_id = 'c3';".to_owned(),
        "UPDATE comments SET removed = TRUE WHERE ap_id = 'c2';".to_owned(),
        "UPDATE comments SET removed = FALSE WHERE ap_id = 'c2';".to_owned(),
        "UPDATE comments SET removed = TRUE, deleted = TRUE WHERE ap_id = 'c1';".to_owned(),
        "DELETE FROM comments WHERE ap_id = 'c3';".to_owned(),
        "UPDATE comments SET post_id = (SELECT id FROM posts WHERE ap_id = 'pb') WHERE ap_id = 'c2';"
            .to_owned(),
        "UPDATE comments SET author_id = (SELECT id FROM persons WHERE name = 'b') \
         WHERE ap_id = 'c4';"
            .to_owned(),
        "UPDATE comments SET created_at = '2026-01-01 09:00:00' WHERE ap_id = 'c1';".to_owned(),
        "DELETE FROM comments WHERE ap_id = 'c4';".to_owned(),
    ];
    for step in &steps {
        execute(conn, step).await?;
        assert_eq!(threads_off_their_recount(conn).await?, 0, "after {step}");
    }
    Ok(())
}
