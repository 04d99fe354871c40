//! What each command does.

use std::io::{BufRead, IsTerminal};

use plaza_core::accounts::{self, NewAccount};
use plaza_core::groups::{self, NewGroupInput};
use plaza_core::instances;
use plaza_core::media::{S3Settings, StoreSettings};
use plaza_core::{Context, CoreError, Settings, Urls};
use plaza_db::instance::{InstanceFilter, InstanceRow};
use plaza_db::{DatabaseUrl, DbError, DbPool, PoolOptions, migrate, transfer};

use crate::cli::{
    AdminCommand, Cli, Command, DatabaseCommand, DemoCommand, GlobalArgs, GroupCommand,
    InstanceCommand, MediaStoreKind, Switch,
};

/// A failure that ends the command, with a message for the operator.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error(transparent)]
    Db(#[from] DbError),
    #[error(transparent)]
    Core(#[from] CoreError),
    #[error("{0}")]
    Io(String),
}

/// Runs a parsed command line.
pub async fn run(cli: Cli) -> Result<(), CliError> {
    match cli.command {
        Command::Serve(args) => crate::serve::serve(&cli.global, args).await,
        Command::Worker(args) => crate::serve::worker(&cli.global, args).await,
        Command::Database(DatabaseCommand::Backup { file }) => {
            let (pool, _) = connect(&cli.global).await?;
            transfer::backup_sqlite(&pool, &file).await?;
            println!("backed up to {}", file.display());
            Ok(())
        }
        Command::Database(DatabaseCommand::CopyTo { url }) => copy_to(&cli.global, &url).await,
        Command::Migrate => {
            let (pool, url) = connect(&cli.global).await?;
            let applied = migrate::run_pending(&pool).await?;
            tracing::info!(count = applied.len(), database = %url.redacted(), "migrations applied");
            Ok(())
        }
        Command::Admin(AdminCommand::CreateUser {
            name,
            admin,
            email,
            password_file,
        }) => {
            let ctx = open(&cli.global).await?;
            let password = read_password(password_file.as_deref())?;
            let (user, person) = accounts::create(
                &ctx,
                NewAccount {
                    name,
                    password,
                    email,
                    admin,
                },
            )
            .await?;
            let role = if user.admin {
                "administrator"
            } else {
                "account"
            };
            println!("created {role} {} ({})", person.name, person.ap_id);
            Ok(())
        }
        Command::Group(GroupCommand::Create {
            name,
            title,
            description,
            moderators,
            moderators_only,
        }) => {
            let ctx = open(&cli.global).await?;
            let mut moderator_ids = Vec::with_capacity(moderators.len());
            for moderator in &moderators {
                moderator_ids.push(accounts::find(&ctx, moderator).await?.person_id);
            }
            let input = NewGroupInput {
                name,
                title,
                description,
                posting_restricted_to_mods: moderators_only,
            };
            let details = groups::create(&ctx, input, &moderator_ids).await?;
            let group = details.view.group;
            println!(
                "created group {} (!{}@{}, {})",
                group.title, group.name, details.view.domain, group.ap_id
            );
            Ok(())
        }
        // The domain is checked before the database is opened: a typo changes nothing.
        Command::Instance(InstanceCommand::Block { domain }) => {
            block_instance(&open(&cli.global).await?, &domain).await
        }
        Command::Instance(InstanceCommand::Unblock { domain }) => {
            unblock_instance(&open(&cli.global).await?, &domain).await
        }
        Command::Instance(InstanceCommand::Allow { domain }) => {
            allow_instance(&open(&cli.global).await?, &domain).await
        }
        Command::Instance(InstanceCommand::Disallow { domain }) => {
            disallow_instance(&open(&cli.global).await?, &domain).await
        }
        Command::Instance(InstanceCommand::Allowlist { state }) => {
            allowlist(&open(&cli.global).await?, state).await
        }
        Command::Demo(DemoCommand::Seed {
            threads,
            comments,
            days,
            remote_people,
            seed,
        }) => {
            let plan = plaza_core::demo::DemoPlan {
                threads,
                comments,
                days,
                remote_people,
                seed,
                ..plaza_core::demo::DemoPlan::default()
            };
            demo_seed(&open(&cli.global).await?, &plan).await
        }
        Command::Instance(InstanceCommand::List { blocked, allowed }) => {
            let filter = match (blocked, allowed) {
                (true, _) => InstanceFilter::Blocked,
                (false, true) => InstanceFilter::Allowed,
                (false, false) => InstanceFilter::All,
            };
            list_instances(&open(&cli.global).await?, filter).await
        }
    }
}

async fn block_instance(ctx: &Context, domain: &str) -> Result<(), CliError> {
    let outcome = instances::block(ctx, domain).await?;
    let domain = &outcome.domain;
    if outcome.was_blocked {
        println!("{domain} was blocked already");
    } else if outcome.was_known {
        println!("blocked {domain}");
    } else {
        println!("blocked {domain} (an instance not seen before)");
    }
    if outcome.dropped > 0 {
        println!(
            "dropped {} to {domain}",
            pending_deliveries(outcome.dropped)
        );
    }
    Ok(())
}

/// "1 pending delivery", "2 pending deliveries".
fn pending_deliveries(n: usize) -> String {
    let noun = if n == 1 { "delivery" } else { "deliveries" };
    format!("{n} pending {noun}")
}

async fn allow_instance(ctx: &Context, domain: &str) -> Result<(), CliError> {
    let outcome = instances::allow(ctx, domain).await?;
    let domain = &outcome.domain;
    if outcome.was_allowed {
        println!("{domain} was allowed already");
    } else if outcome.was_known {
        println!("allowed {domain}");
    } else {
        println!("allowed {domain} (an instance not seen before)");
    }
    if outcome.blocked {
        println!("{domain} is blocked, and a block wins: unblock it to federate with it");
    }
    if !instances::policy(ctx).await?.allowlist {
        println!(
            "allow-list mode is off: the allow-list applies once it is on (plaza instance allowlist on)"
        );
    }
    Ok(())
}

async fn disallow_instance(ctx: &Context, domain: &str) -> Result<(), CliError> {
    let outcome = instances::disallow(ctx, domain).await?;
    let domain = &outcome.domain;
    if outcome.was_allowed {
        println!("took {domain} off the allow-list");
    } else {
        println!("{domain} is not on the allow-list");
    }
    if outcome.dropped > 0 {
        println!("dropped {}", pending_deliveries(outcome.dropped));
    }
    Ok(())
}

async fn allowlist(ctx: &Context, state: Option<Switch>) -> Result<(), CliError> {
    let Some(state) = state else {
        let on = instances::policy(ctx).await?.allowlist;
        let allowed = instances::list(ctx, InstanceFilter::Allowed).await?;
        println!("allow-list mode is {}", if on { "on" } else { "off" });
        if allowed.is_empty() {
            println!("no instances on the allow-list");
        }
        for row in allowed {
            let note = if row.blocked { " (blocked)" } else { "" };
            println!("allowed: {}{note}", row.domain);
        }
        return Ok(());
    };
    let outcome = instances::set_allowlist_mode(ctx, state == Switch::On).await?;
    match (outcome.on, outcome.was_on) {
        (true, true) => println!("allow-list mode was on already"),
        (true, false) => println!(
            "allow-list mode is on: Plaza federates only with the {} allowed instance{}",
            outcome.allowed,
            if outcome.allowed == 1 { "" } else { "s" }
        ),
        (false, false) => println!("allow-list mode was off already"),
        (false, true) => println!(
            "allow-list mode is off: Plaza federates with every instance that is not blocked"
        ),
    }
    if outcome.dropped > 0 {
        println!(
            "dropped {} to instances not on the allow-list",
            pending_deliveries(outcome.dropped)
        );
    }
    Ok(())
}

async fn unblock_instance(ctx: &Context, domain: &str) -> Result<(), CliError> {
    let (domain, was_blocked) = instances::unblock(ctx, domain).await?;
    if was_blocked {
        println!("unblocked {domain}");
    } else {
        println!("{domain} is not blocked");
    }
    Ok(())
}

/// Prints the other instances as an aligned table (times in UTC).
async fn list_instances(ctx: &Context, filter: InstanceFilter) -> Result<(), CliError> {
    let rows: Vec<InstanceRow> = instances::list(ctx, filter).await?;
    let policy = instances::policy(ctx).await?;
    if policy.allowlist {
        println!("allow-list mode is on: only allowed instances that are not blocked federate");
    }
    if rows.is_empty() {
        println!(
            "{}",
            match filter {
                InstanceFilter::Blocked => "no blocked instances",
                InstanceFilter::Allowed => "no instances on the allow-list",
                InstanceFilter::All => "no other instances known yet",
            }
        );
        return Ok(());
    }
    let time = |t: Option<chrono::NaiveDateTime>| {
        t.map_or_else(
            || "-".to_owned(),
            |t| t.format("%Y-%m-%d %H:%M:%S").to_string(),
        )
    };
    let mut table = vec![[
        "DOMAIN".to_owned(),
        "SOFTWARE".to_owned(),
        "BLOCKED".to_owned(),
        "ALLOWED".to_owned(),
        "FEDERATING".to_owned(),
        "FAILURES".to_owned(),
        "DEAD SINCE (UTC)".to_owned(),
        "LAST SUCCESS (UTC)".to_owned(),
    ]];
    let yes_no = |b: bool| if b { "yes" } else { "no" }.to_owned();
    for r in rows {
        let federating = yes_no(policy.check_row(&r).is_ok());
        let software = match (r.software, r.version) {
            (Some(name), Some(version)) => format!("{name} {version}"),
            (Some(name), None) => name,
            _ => "-".to_owned(),
        };
        table.push([
            r.domain,
            software,
            yes_no(r.blocked),
            yes_no(r.allowed),
            federating,
            r.failure_count.to_string(),
            time(r.dead_since),
            time(r.last_success_at),
        ]);
    }
    print!("{}", aligned(&table));
    Ok(())
}

/// Left-aligned columns two spaces apart, without trailing spaces.
fn aligned<const N: usize>(rows: &[[String; N]]) -> String {
    let mut widths = [0; N];
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in rows {
        let mut line = String::new();
        for (cell, width) in row.iter().zip(widths) {
            line.push_str(&format!("{cell:<width$}  "));
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// Copies the SQLite database into the PostgreSQL one at `url`, holding the SQLite database's
/// lock so that no server writes to it meanwhile.
async fn copy_to(global: &GlobalArgs, url: &str) -> Result<(), CliError> {
    let (from, from_url) = connect(global).await?;
    let DatabaseUrl::Sqlite(path) = &from_url else {
        return Err(CliError::Io(
            "DATABASE_URL must name the SQLite database to copy from".into(),
        ));
    };
    let _lock = crate::sqlite_lock::acquire(path).map_err(|e| CliError::Io(e.to_string()))?;
    let to_url = DatabaseUrl::parse(url)?;
    let to = DbPool::connect(&to_url, &PoolOptions::default()).await?;
    let copied = transfer::sqlite_to_postgres(&from, &to).await?;
    let rows: i64 = copied.iter().map(|table| table.rows).sum();
    let table = |c: &transfer::CopiedTable| [c.table.clone(), c.rows.to_string()];
    print!("{}", aligned(&copied.iter().map(table).collect::<Vec<_>>()));
    println!(
        "copied {rows} rows in {} tables to {}; start Plaza with DATABASE_URL set to it",
        copied.len(),
        to_url.redacted()
    );
    Ok(())
}

async fn connect(global: &GlobalArgs) -> Result<(DbPool, DatabaseUrl), CliError> {
    let url = DatabaseUrl::parse(&global.database_url)?;
    let options = PoolOptions {
        max_size: global.db_pool_size.max(1),
        ..PoolOptions::default()
    };
    let pool = DbPool::connect(&url, &options).await?;
    Ok((pool, url))
}

/// Connects, migrates and opens the instance.
pub(crate) async fn open(global: &GlobalArgs) -> Result<Context, CliError> {
    let urls = Urls::new(&global.public_url)?;
    let store = media_store(global)?;
    let (pool, _) = connect(global).await?;
    migrate::run_pending(&pool).await?;
    let mail = match global.smtp_url.as_deref().map(str::trim) {
        Some(url) if !url.is_empty() => {
            let from = global.mail_from.clone().unwrap_or_else(|| {
                format!(
                    "{} <noreply@{}>",
                    global.instance_name,
                    urls.base().host_str().unwrap_or("localhost")
                )
            });
            Some(plaza_core::mail::MailSettings::new(url, &from)?)
        }
        _ => None,
    };
    let settings = Settings {
        instance_name: global.instance_name.clone(),
        media: plaza_core::media::MediaSettings {
            store,
            max_bytes: global.upload_max_mb.saturating_mul(1024 * 1024),
            max_pixels: global.upload_max_pixels,
        },
        mail,
        ..Settings::default()
    };
    Ok(Context::open(pool, urls, settings).await?)
}

/// Where uploads go, as the flags say; a bucket's settings are checked here, and a bucket named
/// while the folder is chosen is refused rather than silently left unused.
fn media_store(global: &GlobalArgs) -> Result<StoreSettings, CliError> {
    let args = &global.media_store;
    match args.media_store {
        MediaStoreKind::Folder => {
            if args
                .s3_bucket
                .as_deref()
                .is_some_and(|b| !b.trim().is_empty())
            {
                return Err(CoreError::Config(
                    "PLAZA_S3_BUCKET is set, but PLAZA_MEDIA_STORE is folder: set PLAZA_MEDIA_STORE=s3 to keep uploads in the bucket, or unset PLAZA_S3_BUCKET".to_owned(),
                )
                .into());
            }
            Ok(StoreSettings::Folder(global.media_dir.clone()))
        }
        MediaStoreKind::S3 => Ok(StoreSettings::S3(S3Settings::new(
            args.s3_bucket.as_deref().unwrap_or_default(),
            &args.s3_region,
            args.s3_endpoint.as_deref(),
            args.s3_access_key_id.as_deref().unwrap_or_default(),
            args.s3_secret_access_key.as_deref().unwrap_or_default(),
        )?)),
    }
}

/// Reads a password from a file, a terminal prompt (asked twice), or one line of standard input.
fn read_password(file: Option<&std::path::Path>) -> Result<String, CliError> {
    if let Some(path) = file {
        let text = std::fs::read_to_string(path)
            .map_err(|e| CliError::Io(format!("cannot read {}: {e}", path.display())))?;
        return Ok(text.lines().next().unwrap_or_default().to_owned());
    }
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("Password: ")
            .map_err(|e| CliError::Io(format!("cannot read the password: {e}")))?;
        let second = rpassword::prompt_password("Password again: ")
            .map_err(|e| CliError::Io(format!("cannot read the password: {e}")))?;
        if first != second {
            return Err(CliError::Io("the passwords differ".into()));
        }
        return Ok(first);
    }
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| CliError::Io(format!("cannot read the password from standard input: {e}")))?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

async fn demo_seed(ctx: &Context, plan: &plaza_core::demo::DemoPlan) -> Result<(), CliError> {
    let started = std::time::Instant::now();
    let terminal = std::io::stderr().is_terminal();
    let summary = plaza_core::demo::fill(ctx, plan, |done, total| {
        let width = 30;
        let filled = done * width / total.max(1);
        let bar = format!(
            "[{}{}] {done}/{total} threads",
            "#".repeat(filled),
            ".".repeat(width - filled)
        );
        // On a terminal the bar is redrawn in place; in a log, a line per tenth.
        if terminal {
            eprint!("\r{bar}");
        } else if done == total || (done * 10 / total.max(1)) != ((done - 1) * 10 / total.max(1)) {
            eprintln!("{bar}");
        }
    })
    .await?;
    if terminal {
        eprintln!();
    }
    println!(
        "seeded {} groups, {} people, {} threads, {} comments and {} votes in {:.1} s",
        summary.groups,
        summary.people,
        summary.threads,
        summary.comments,
        summary.votes,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_are_aligned_without_trailing_spaces() {
        let rows = [
            ["A".to_owned(), "BB".to_owned(), "C".to_owned()],
            ["long".to_owned(), "x".to_owned(), "-".to_owned()],
        ];
        assert_eq!(aligned(&rows), "A     BB  C\nlong  x   -\n");
    }
}
