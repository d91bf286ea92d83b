//! The commands of the `admin-api` binary.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use forecast::report::{ReportFormat, ReportKind};
use time::OffsetDateTime;

use crate::config::Settings;
use crate::startup::{Application, connect_and_migrate};

/// Orion admin API: platform health and capacity planning.
#[derive(Debug, Parser)]
#[command(name = "admin-api", version)]
pub struct Cli {
    /// Directory with default.toml and <ORION_ENV>.toml.
    #[arg(long, global = true, default_value = "config")]
    pub config_dir: PathBuf,
    /// What to do (default: serve).
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Migrate the database and serve the API (the default).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Create an admin user (or reuse one) and print a new API token as the last line.
    CreateAdmin {
        /// The user's email address.
        #[arg(long)]
        email: String,
        /// What the user may do.
        #[arg(long, value_enum, default_value = "admin")]
        role: accounts::Role,
    },
    /// Revoke a token, given in full or by the prefix `create-admin` printed.
    RevokeToken {
        /// The token or its prefix (e.g. `orion_1a2b3c4d`).
        token: String,
    },
    /// Fill an empty database with realistic demo data.
    SeedDemo(demo::DemoSizes),
    /// Capture today's capacity snapshot (once per UTC day) and print it.
    Snapshot,
    /// Write the weekly, monthly or projection report to a file.
    Report {
        /// Which report.
        #[arg(value_enum)]
        kind: ReportKind,
        /// The file format.
        #[arg(long, value_enum, default_value = "csv")]
        format: ReportFormat,
        /// Output file (default: orion-<kind>-<date>.<format> here).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Image storage maintenance.
    Images {
        /// What to do.
        #[command(subcommand)]
        command: ImagesCommand,
    },
    /// Alert rules.
    Alerts {
        /// What to do.
        #[command(subcommand)]
        command: AlertsCommand,
    },
}

/// `admin-api alerts …`
#[derive(Debug, Subcommand)]
pub enum AlertsCommand {
    /// Write the alert rules in force as a Prometheus rule file (each watches
    /// `orion_alert_input{metric=…}` from /metrics), to stdout or `--out`.
    ExportPrometheusRules {
        /// Output file (default: stdout).
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

/// `admin-api images …`
#[derive(Debug, Subcommand)]
pub enum ImagesCommand {
    /// Walk the image storage, report drift between it and the counters (orphan and missing
    /// files), and set the counters to what the storage holds.
    Reconcile {
        /// Also remove orphan files (no image refers to them) and interrupted writes' staging
        /// files, when last written more than this many minutes ago (uploads in flight are
        /// younger).
        #[arg(long, value_name = "MINUTES")]
        remove_orphans_older_than: Option<u32>,
    },
}

/// Runs the parsed command.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let settings = Settings::load(&cli.config_dir)?;
    crate::telemetry::init(&settings.log);
    let now = OffsetDateTime::now_utc();
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(&settings).await,
        Command::Migrate => {
            connect_and_migrate(&settings).await?;
            println!("Database at {} is migrated.", settings.database.redacted_url());
            Ok(())
        }
        Command::CreateAdmin { email, role } => {
            let email = accounts::Email::parse(&email)?;
            let issued =
                accounts::create_admin(&connect_and_migrate(&settings).await?, &email, role, now).await?;
            let (user, role) = (&issued.user.email, issued.user.role.as_str());
            println!("User {user} (role {role}), token {}… (shown once, store it now):", issued.prefix);
            println!("{}", issued.token);
            Ok(())
        }
        Command::RevokeToken { token } => {
            match accounts::revoke_token(&connect_and_migrate(&settings).await?, &token, now).await? {
                0 => bail!("no live token matches {:?}", token.chars().take(14).collect::<String>()),
                n => {
                    println!("Revoked {n} token(s).");
                    Ok(())
                }
            }
        }
        Command::Snapshot => snapshot(&settings, now).await,
        Command::Report { kind, format, out } => report(&settings, kind, format, out, now).await,
        Command::Images { command: ImagesCommand::Reconcile { remove_orphans_older_than } } => {
            reconcile_images(&settings, remove_orphans_older_than).await
        }
        Command::SeedDemo(sizes) => seed_demo(&settings, &sizes).await,
        Command::Alerts { command: AlertsCommand::ExportPrometheusRules { out } } => {
            let yaml = alerts::prometheus_rules(&settings.alerts.rules(&settings.thresholds));
            match out {
                Some(path) => {
                    write_atomically(&path, yaml.as_bytes())?;
                    println!("Wrote {}", path.display());
                }
                None => print!("{yaml}"),
            }
            Ok(())
        }
    }
}

async fn snapshot(settings: &Settings, now: OffsetDateTime) -> anyhow::Result<()> {
    let db = connect_and_migrate(settings).await?;
    let sampler =
        health::SystemSampler::start(&settings.server.data_dir, std::time::Duration::from_secs(1)).ok();
    let system = match &sampler {
        Some(sampler) => sampler.first_sample().await.map(|s| s.metrics),
        None => None,
    };
    let captured = forecast::capture_daily_snapshot(&db, now, system).await?;
    let (s, verb) = (&captured.snapshot, if captured.created { "Captured" } else { "Already had" });
    let (stores, products, orders, mb) =
        (s.total_stores, s.total_products, s.orders_last_30_days, s.db_size_mb);
    println!(
        "{verb} snapshot {} (id {}): {stores} stores, {products} products, {orders} orders in 30 days, {mb:.2} MB database",
        s.snapshot_date, captured.id
    );
    Ok(())
}

async fn report(
    settings: &Settings,
    kind: ReportKind,
    format: ReportFormat,
    out: Option<PathBuf>,
    now: OffsetDateTime,
) -> anyhow::Result<()> {
    let db = connect_and_migrate(settings).await?;
    let history = forecast::history(&db, now.date(), kind.days()).await?;
    let report = forecast::report::render(kind, &history, format, now.date())?;
    let out = out.unwrap_or_else(|| PathBuf::from(&report.file_name));
    write_atomically(&out, &report.bytes)?;
    println!("Wrote {} ({} bytes, {} snapshots).", out.display(), report.bytes.len(), history.len());
    Ok(())
}

async fn seed_demo(settings: &Settings, sizes: &demo::DemoSizes) -> anyhow::Result<()> {
    let db = connect_and_migrate(settings).await?;
    // Not an error: the first `serve` fills an empty embedded database with this same demo data,
    // and seed-demo never mixes demo rows into existing ones.
    let existing = demo::merchant_count(&db).await?;
    if existing > 0 {
        println!(
            "The database already holds {existing} merchants (the first start's demo data, or real ones): nothing written; seed-demo fills an empty database only (point ORION__DATABASE__URL at a new one)."
        );
        return Ok(());
    }
    let bar = indicatif::ProgressBar::new(u64::from(sizes.merchants));
    let style = indicatif::ProgressStyle::with_template(
        "{spinner} seeding merchants {pos}/{len} [{bar:30}] {elapsed} {msg}",
    );
    bar.set_style(style.unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()));
    let started = std::time::Instant::now();
    let report = demo::seed_demo(&db, sizes, |so_far| {
        bar.set_position(so_far.merchants);
        bar.set_message(format!("{} products, {} orders", so_far.products, so_far.orders));
    })
    .await?;
    bar.finish_and_clear();
    println!("Seeded {report} in {:.1} s.", started.elapsed().as_secs_f64());
    Ok(())
}

async fn reconcile_images(settings: &Settings, remove_orphans_older_than: Option<u32>) -> anyhow::Result<()> {
    let db = connect_and_migrate(settings).await?;
    let library = settings.images.library().context("opening the image storage")?;
    let files = library.files();
    let bar = indicatif::ProgressBar::new_spinner();
    bar.set_message(format!("walking {}", files.describe()));
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    let before =
        remove_orphans_older_than.map(|m| OffsetDateTime::now_utc() - time::Duration::minutes(i64::from(m)));
    let options = images::ReconcileOptions { remove_orphans_before: before };
    let report = images::reconcile(&db, files, options, |seen| {
        bar.set_message(format!("walking {}: {seen} files", files.describe()));
    })
    .await?;
    bar.finish_and_clear();
    println!("Image storage {}:\n{report}", files.describe());
    Ok(())
}

async fn serve(settings: &Settings) -> anyhow::Result<()> {
    let db = connect_and_migrate(settings).await?;
    if settings.demo.seed_empty_sqlite
        && settings.database.is_sqlite()
        && demo::merchant_count(&db).await? == 0
    {
        tracing::info!("empty embedded database: seeding demo data (demo.seed_empty_sqlite)");
        let report = demo::seed_demo(&db, &demo::DemoSizes::default(), |_| {}).await?;
        tracing::info!(%report, "demo data ready");
    }
    let admins = accounts::admin_count(&db).await?;
    let app = Application::build(settings, db).await?;
    let base = format!("http://{}:{}", settings.server.host, app.port());
    println!("Orion admin API on {base} (database {})", settings.database.redacted_url());
    println!("  health:  {base}/api/v1/admin/platform-health/health");
    println!("  page:    {base}/admin/platform-health");
    println!("  docs:    {base}/api/docs/   (OpenAPI: {base}/api/openapi.json)");
    if admins == 0 {
        println!(
            "  no admin yet: `cargo run -p admin-api -- create-admin --email you@example.com` prints a token;\n  then: curl -H \"Authorization: Bearer $TOKEN\" {base}/api/v1/admin/platform-health/health"
        );
    }
    app.run_until_stopped().await.context("serving")?;
    tracing::info!("stopped");
    Ok(())
}

/// Writes `bytes` to a temporary file beside `path`, then renames it: no reader ever sees a
/// partial report, and a failure leaves no file behind.
fn write_atomically(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    use std::io::Write;
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let mut file = tempfile::NamedTempFile::new_in(dir)
        .with_context(|| format!("creating a file in {}", dir.display()))?;
    file.write_all(bytes).context("writing the report")?;
    file.as_file().sync_all().context("syncing the report")?;
    file.persist(path).with_context(|| format!("moving the report to {}", path.display()))?;
    Ok(())
}
