//! The command line and its configuration (flags, or the environment variables named below).

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use plaza_web::rate_limit::Limit;

/// Plaza, a federated community server.
#[derive(Debug, Parser)]
#[command(name = "plaza", version, about)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Settings every command needs.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Where data lives: sqlite://PATH (default) or postgres://USER:PASSWORD@HOST/DATABASE.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite://data/plaza.db",
        global = true
    )]
    pub database_url: String,
    /// The public origin people and servers reach this instance at; it becomes part of every
    /// ActivityPub id, so keep it fixed once the instance has federated.
    #[arg(
        long,
        env = "PLAZA_PUBLIC_URL",
        default_value = "http://localhost:8080",
        global = true
    )]
    pub public_url: String,
    /// The name a new instance gets.
    #[arg(
        long,
        env = "PLAZA_INSTANCE_NAME",
        default_value = "Plaza",
        global = true
    )]
    pub instance_name: String,
    /// Most database connections open at once.
    #[arg(long, env = "PLAZA_DB_POOL_SIZE", default_value_t = 16, global = true)]
    pub db_pool_size: usize,
    /// Where uploaded pictures are kept with `--media-store folder` (each process that serves or
    /// prunes them needs it).
    #[arg(
        long,
        env = "PLAZA_MEDIA_DIR",
        default_value = "data/media",
        global = true
    )]
    pub media_dir: std::path::PathBuf,
    #[command(flatten)]
    pub media_store: MediaStoreArgs,
    /// The largest picture taken, in megabytes.
    #[arg(long, env = "PLAZA_UPLOAD_MAX_MB", default_value_t = 10, global = true)]
    pub upload_max_mb: usize,
    /// The most pixels (width × height) an uploaded picture may have; larger ones are refused
    /// before they are decoded.
    #[arg(
        long,
        env = "PLAZA_UPLOAD_MAX_PIXELS",
        default_value_t = 40_000_000,
        global = true
    )]
    pub upload_max_pixels: u64,
    /// How log lines are written: `text` for people, `json` for one JSON object per line.
    #[arg(
        long,
        env = "PLAZA_LOG_FORMAT",
        value_enum,
        default_value_t = LogFormat::Text,
        global = true
    )]
    pub log_format: LogFormat,
    /// The mail server Plaza sends through: smtp://HOST[:PORT] (plain, for a relay nearby),
    /// smtp://USER:PASSWORD@HOST[:PORT] (STARTTLS required, port 587 by default) or
    /// smtps://USER:PASSWORD@HOST[:PORT] (TLS from the start, port 465). Unset: no mail at all
    /// (no address verification, no password reset, no notifications by mail).
    #[arg(long, env = "PLAZA_SMTP_URL", global = true, hide_env_values = true)]
    pub smtp_url: Option<String>,
    /// The From: of Plaza's mail, such as `Plaza <plaza@example.com>`; by default
    /// `INSTANCE NAME <noreply@DOMAIN>`.
    #[arg(long, env = "PLAZA_MAIL_FROM", global = true)]
    pub mail_from: Option<String>,
}

/// Where uploaded pictures are kept: a local folder, or a bucket of an S3-compatible object store.
#[derive(Debug, Args)]
pub struct MediaStoreArgs {
    /// `folder` (PLAZA_MEDIA_DIR, the default) or `s3`: a bucket of an S3-compatible object
    /// store (Amazon S3, MinIO, Garage, Ceph, R2…), which processes on several machines share.
    /// Plaza serves the pictures itself either way.
    #[arg(
        long,
        env = "PLAZA_MEDIA_STORE",
        value_enum,
        default_value_t = MediaStoreKind::Folder,
        global = true
    )]
    pub media_store: MediaStoreKind,
    /// The bucket, with `--media-store s3`; it must exist.
    #[arg(long, env = "PLAZA_S3_BUCKET", global = true)]
    pub s3_bucket: Option<String>,
    /// The bucket's region.
    #[arg(
        long,
        env = "PLAZA_S3_REGION",
        default_value = "us-east-1",
        global = true
    )]
    pub s3_region: String,
    /// The store's origin, such as https://s3.example.com or http://127.0.0.1:9000 (path-style
    /// requests); unset for Amazon S3 itself.
    #[arg(long, env = "PLAZA_S3_ENDPOINT", global = true)]
    pub s3_endpoint: Option<String>,
    /// The access key's id.
    #[arg(long, env = "PLAZA_S3_ACCESS_KEY_ID", global = true)]
    pub s3_access_key_id: Option<String>,
    /// The access key's secret (better given in the environment: a flag shows in the process
    /// list).
    #[arg(
        long,
        env = "PLAZA_S3_SECRET_ACCESS_KEY",
        global = true,
        hide_env_values = true
    )]
    pub s3_secret_access_key: Option<String>,
}

/// Kinds of store for uploaded pictures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MediaStoreKind {
    /// A local folder.
    Folder,
    /// An S3-compatible bucket.
    S3,
}

/// The format of log lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

/// What to do.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Runs the server (applies pending migrations first). By default one process does
    /// everything; `--role web` serves HTTP only, beside `plaza worker` processes.
    Serve(ServeArgs),
    /// Runs the background work only (publishing, delivery, housekeeping), no HTTP: with
    /// `plaza serve --role web`, web processes and workers scale apart on one PostgreSQL
    /// database.
    Worker(WorkerArgs),
    /// Applies pending database migrations and exits.
    Migrate,
    /// Administration.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Groups.
    #[command(subcommand)]
    Group(GroupCommand),
    /// Other instances: which Plaza knows, and which it blocks.
    #[command(subcommand)]
    Instance(InstanceCommand),
    /// The database itself: backups, and moving from SQLite to PostgreSQL.
    #[command(subcommand)]
    Database(DatabaseCommand),
    /// A demonstration instance.
    #[command(subcommand)]
    Demo(DemoCommand),
}

/// Demonstration commands.
#[derive(Debug, Subcommand)]
pub enum DemoCommand {
    /// Fills the instance with made-up history to look at the insight pages: groups (support,
    /// ideas, showcase, news), local accounts demo_1… (demo_1 is staff; none can log in until
    /// given a password) and people from six made-up servers, who follow, ask, answer, vote and
    /// report over the last DAYS days. Nothing is sent to other servers. Not for an instance in
    /// use: the history cannot be told apart from real posts.
    Seed {
        /// Threads to write.
        #[arg(long, default_value_t = 3000)]
        threads: usize,
        /// Comments to write, spread over the threads.
        #[arg(long, default_value_t = 12_000)]
        comments: usize,
        /// How far back the history goes, in days.
        #[arg(long, default_value_t = 90)]
        days: i64,
        /// People from other servers.
        #[arg(long, default_value_t = 60)]
        remote_people: usize,
        /// The same seed writes the same history.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
}

/// Database commands.
#[derive(Debug, Subcommand)]
pub enum DatabaseCommand {
    /// Writes a consistent copy of the SQLite database to FILE while Plaza goes on serving
    /// (SQLite's VACUUM INTO). Back up PostgreSQL with pg_dump instead.
    Backup {
        /// Where the copy goes; it must not exist yet.
        file: std::path::PathBuf,
    },
    /// Copies every row of the SQLite database (DATABASE_URL) into a new, empty PostgreSQL
    /// database, keeping every id: the way to move an instance to PostgreSQL. Stop Plaza first;
    /// afterwards, start it with DATABASE_URL set to the PostgreSQL URL.
    CopyTo {
        /// The PostgreSQL database, as postgres://USER:PASSWORD@HOST:PORT/DATABASE.
        url: String,
    },
}

/// How the server listens.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address and port to listen on.
    #[arg(long, env = "PLAZA_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Largest request body in bytes; larger ones are refused with 413.
    #[arg(long, env = "PLAZA_MAX_BODY_BYTES", default_value_t = 256 * 1024)]
    pub max_body_bytes: usize,
    /// Development mode: federation may use plain http, explicit ports and loopback addresses,
    /// so several instances can federate on one machine. Never in production.
    #[arg(long, env = "PLAZA_DEV_MODE")]
    pub dev_mode: bool,
    /// Plaza runs behind a reverse proxy that sets X-Forwarded-For: rate limits then count per
    /// address in that header, not per proxy. Only with a proxy you run.
    #[arg(long, env = "PLAZA_BEHIND_PROXY")]
    pub behind_proxy: bool,
    /// Where pictures other servers attached to posts are kept once fetched, to be served from
    /// here; an empty value keeps none (each view fetches again).
    #[arg(
        long,
        env = "PLAZA_MEDIA_CACHE_DIR",
        default_value = "data/media-cache"
    )]
    // A String, not a PathBuf: clap refuses an empty path, and empty means "no cache" here.
    pub media_cache_dir: String,
    /// The most the media cache holds, in megabytes; the oldest pictures go first.
    #[arg(long, env = "PLAZA_MEDIA_CACHE_MB", default_value_t = 1024)]
    pub media_cache_mb: u64,
    /// What this process runs: `all` (HTTP and the background work, the default) or `web`
    /// (HTTP only; `plaza worker` processes publish and deliver). `web` needs PostgreSQL.
    #[arg(long, env = "PLAZA_ROLE", value_enum, default_value_t = Role::All)]
    pub role: Role,
    #[command(flatten)]
    pub delivery: DeliveryArgs,
    /// Serves Prometheus metrics at /metrics on this address (such as 127.0.0.1:9090); off
    /// unless set. Keep it private: it is not behind the rate limits.
    #[arg(long, env = "PLAZA_METRICS_LISTEN")]
    pub metrics_listen: Option<SocketAddr>,
    #[command(flatten)]
    pub rate_limits: RateLimitArgs,
}

/// Rate limits, each `0` (off) or COUNT/WINDOW: a burst of COUNT requests, refilled evenly over
/// WINDOW (`ms`, `s`, `min` or `h`, with an optional number before it: `10/min`, `300/3s`).
#[derive(Debug, Args)]
pub struct RateLimitArgs {
    /// Log-ins and sign-ups per client address.
    #[arg(long, env = "PLAZA_RATE_LIMIT_AUTH", default_value = "10/min")]
    pub rate_limit_auth: Limit,
    /// Writes (threads, replies, votes, reports, edits) per client address.
    #[arg(long, env = "PLAZA_RATE_LIMIT_POSTING", default_value = "30/min")]
    pub rate_limit_posting: Limit,
    /// Every POST, the inboxes included, per client address.
    #[arg(long, env = "PLAZA_RATE_LIMIT_ANY_POST", default_value = "300/3s")]
    pub rate_limit_any_post: Limit,
    /// Activities posted to the inboxes per remote instance (the host of the signing key).
    #[arg(long, env = "PLAZA_RATE_LIMIT_INBOX", default_value = "300/3s")]
    pub rate_limit_inbox: Limit,
}

/// What a `plaza serve` process runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Role {
    /// HTTP and the background work: the one process a small instance needs.
    All,
    /// HTTP only.
    Web,
}

/// How a worker process runs.
#[derive(Debug, Args)]
pub struct WorkerArgs {
    /// Development mode: deliveries may go to plain http, explicit ports and loopback
    /// addresses. Never in production.
    #[arg(long, env = "PLAZA_DEV_MODE")]
    pub dev_mode: bool,
    #[command(flatten)]
    pub delivery: DeliveryArgs,
    /// Serves Prometheus metrics (deliveries, queue) at /metrics on this address; off unless
    /// set.
    #[arg(long, env = "PLAZA_METRICS_LISTEN")]
    pub metrics_listen: Option<SocketAddr>,
}

/// How deliveries are sent, wherever the delivery worker runs.
#[derive(Debug, Clone, Copy, Args)]
pub struct DeliveryArgs {
    /// Deliveries in flight at once in this process.
    #[arg(long, env = "PLAZA_DELIVERY_CONCURRENCY", default_value_t = 32,
          value_parser = clap::value_parser!(u16).range(1..))]
    pub delivery_concurrency: u16,
    /// Seconds a worker's claim on a delivery holds: if the worker dies, another one sends the
    /// delivery once this has passed.
    #[arg(long, env = "PLAZA_DELIVERY_LEASE_SECONDS", default_value_t = 120,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub delivery_lease_seconds: u32,
}

/// Administration commands.
#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Creates an account; the password comes from --password-file, a prompt, or standard input.
    CreateUser {
        /// The account's name (a-z, 0-9, _).
        name: String,
        /// Make the account an administrator.
        #[arg(long)]
        admin: bool,
        /// Optional e-mail address.
        #[arg(long)]
        email: Option<String>,
        /// Read the password from the first line of this file.
        #[arg(long)]
        password_file: Option<PathBuf>,
    },
}

/// Group commands.
#[derive(Debug, Subcommand)]
pub enum GroupCommand {
    /// Creates a group.
    Create {
        /// The group's name (a-z, 0-9, _): `!name@domain`.
        name: String,
        /// Display title.
        #[arg(long)]
        title: String,
        /// Markdown description.
        #[arg(long)]
        description: Option<String>,
        /// An account to make moderator (repeatable).
        #[arg(long = "moderator")]
        moderators: Vec<String>,
        /// Only moderators may start threads.
        #[arg(long)]
        moderators_only: bool,
    },
}

/// Instance commands: defederation.
#[derive(Debug, Subcommand)]
pub enum InstanceCommand {
    /// Blocks an instance: its activities are refused, nothing is fetched from it or sent to
    /// it, and the deliveries waiting for it are dropped.
    Block {
        /// The instance's domain, such as mastodon.example (with :PORT if it uses one).
        domain: String,
    },
    /// Lifts a block: the instance federates again from now on.
    Unblock {
        /// The instance's domain.
        domain: String,
    },
    /// Puts an instance on the allow-list: in allow-list mode, Plaza federates with it (unless
    /// it is blocked; a block wins).
    Allow {
        /// The instance's domain, such as lemmy.example (with :PORT if it uses one).
        domain: String,
    },
    /// Takes an instance off the allow-list: in allow-list mode it is then treated as a blocked
    /// one, and the deliveries waiting for it are dropped.
    Disallow {
        /// The instance's domain.
        domain: String,
    },
    /// Shows or switches allow-list mode. When it is on, Plaza federates only with the
    /// instances on the allow-list; every other one is treated as blocked.
    Allowlist {
        /// `on` or `off`; without it, shows the mode and the allow-list.
        state: Option<Switch>,
    },
    /// Lists the other instances Plaza knows, with their block, allow and delivery state.
    List {
        /// Only the blocked ones.
        #[arg(long, conflicts_with = "allowed")]
        blocked: bool,
        /// Only the ones on the allow-list.
        #[arg(long)]
        allowed: bool,
    },
}

/// A mode switched on or off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Switch {
    On,
    Off,
}

#[cfg(test)]
mod tests {
    use super::*;
    use plaza_web::rate_limit::RateLimits;

    #[test]
    fn the_rate_limit_flags_default_to_the_built_in_limits_and_read_zero_as_off() {
        let cli = Cli::try_parse_from(["plaza", "serve"]).unwrap();
        let Command::Serve(args) = cli.command else {
            panic!("not serve");
        };
        let limits = RateLimits::default();
        assert_eq!(args.rate_limits.rate_limit_auth, limits.auth);
        assert_eq!(args.rate_limits.rate_limit_posting, limits.posting);
        assert_eq!(args.rate_limits.rate_limit_any_post, limits.any_post);
        assert_eq!(args.rate_limits.rate_limit_inbox, limits.inbox);
        assert_eq!(args.metrics_listen, None);
        assert_eq!(cli.global.log_format, LogFormat::Text);

        let cli = Cli::try_parse_from([
            "plaza",
            "--log-format",
            "json",
            "serve",
            "--rate-limit-inbox",
            "0",
            "--metrics-listen",
            "127.0.0.1:9090",
        ])
        .unwrap();
        let Command::Serve(args) = cli.command else {
            panic!("not serve");
        };
        assert!(!args.rate_limits.rate_limit_inbox.is_on());
        assert_eq!(args.metrics_listen, Some("127.0.0.1:9090".parse().unwrap()));
        assert_eq!(cli.global.log_format, LogFormat::Json);
        let bad = Cli::try_parse_from(["plaza", "serve", "--rate-limit-auth", "lots"]);
        assert!(bad.unwrap_err().to_string().contains("COUNT/WINDOW"));
    }

    #[test]
    fn the_media_cache_has_a_folder_by_default_and_none_when_left_empty() {
        let serve = |args: &[&str]| {
            let cli = Cli::try_parse_from([&["plaza", "serve"], args].concat()).unwrap();
            let Command::Serve(args) = cli.command else {
                panic!("not serve");
            };
            args.media_cache_dir
        };
        assert_eq!(serve(&[]), "data/media-cache");
        assert_eq!(serve(&["--media-cache-dir", ""]), "");
    }

    #[test]
    fn uploads_have_a_folder_and_limits_by_default_and_take_flags() {
        let cli = Cli::try_parse_from(["plaza", "serve"]).unwrap();
        assert_eq!(cli.global.media_dir, std::path::PathBuf::from("data/media"));
        assert_eq!(
            (cli.global.upload_max_mb, cli.global.upload_max_pixels),
            (10, 40_000_000)
        );
        let cli = Cli::try_parse_from([
            "plaza",
            "serve",
            "--media-dir",
            "/srv/media",
            "--upload-max-mb",
            "3",
            "--upload-max-pixels",
            "1000",
        ])
        .unwrap();
        assert_eq!(cli.global.media_dir, std::path::PathBuf::from("/srv/media"));
        assert_eq!(
            (cli.global.upload_max_mb, cli.global.upload_max_pixels),
            (3, 1_000)
        );
    }

    #[test]
    fn uploads_go_to_a_folder_unless_a_bucket_is_chosen() {
        let cli = Cli::try_parse_from(["plaza", "serve"]).unwrap();
        assert_eq!(cli.global.media_store.media_store, MediaStoreKind::Folder);
        assert_eq!(cli.global.media_store.s3_region, "us-east-1");
        let cli = Cli::try_parse_from([
            "plaza",
            "worker",
            "--media-store",
            "s3",
            "--s3-bucket",
            "plaza-media",
            "--s3-endpoint",
            "http://127.0.0.1:9000",
        ])
        .unwrap();
        let store = &cli.global.media_store;
        assert_eq!(store.media_store, MediaStoreKind::S3);
        assert_eq!(store.s3_bucket.as_deref(), Some("plaza-media"));
        assert_eq!(store.s3_endpoint.as_deref(), Some("http://127.0.0.1:9000"));
        let bad = Cli::try_parse_from(["plaza", "serve", "--media-store", "gcs"]);
        assert!(bad.unwrap_err().to_string().contains("folder, s3"));
    }
}
