//! The storage layer against a real database of the backend the environment selects.

use plaza_db::instance;
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
