//! The commands of the `admin-api` binary.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::{Parser, Subcommand, ValueEnum};
use forecast::report::{ReportFormat, ReportKind};
use time::OffsetDateTime;

use crate::config::Settings;
use crate::startup::{Application, connect_and_migrate, redact};

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
        #[arg(long, value_enum, default_value_t = RoleArg::Admin)]
        role: RoleArg,
    },
    /// Revoke a token, given in full or by the prefix `create-admin` printed.
    RevokeToken {
        /// The token or its prefix (e.g. `orion_1a2b3c4d`).
        token: String,
    },
    /// Fill an empty database with realistic demo data.
    SeedDemo {
        /// Merchants (each with 1 to 3 stores).
        #[arg(long, default_value_t = 40)]
        merchants: u32,
        /// Average products per store (within tier limits).
        #[arg(long, default_value_t = 120)]
        products_per_store: u32,
        /// Orders per store in the latest month (earlier months fewer; within tier limits).
        #[arg(long, default_value_t = 60)]
        orders_per_store_month: u32,
        /// Months of order history.
        #[arg(long, default_value_t = 6)]
        months: u32,
        /// Tier mix as weights.
        #[arg(long, default_value = "essential=45,professional=30,business=18,enterprise=7", value_parser = demo::TierWeights::parse)]
        tiers: demo::TierWeights,
        /// Random seed (same seed, same data).
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Days of daily capacity snapshots before today.
        #[arg(long, default_value_t = 180)]
        history_days: u32,
    },
    /// Capture today's capacity snapshot (once per UTC day) and print it.
    Snapshot,
    /// Write the weekly, monthly or projection report to a file.
    Report {
        /// Which report.
        #[arg(value_enum)]
        kind: KindArg,
        /// The file format.
        #[arg(long, value_enum, default_value_t = FormatArg::Csv)]
        format: FormatArg,
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
}

/// `--role`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RoleArg {
    /// Full access.
    Admin,
    /// No admin routes.
    Viewer,
}

/// A report kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KindArg {
    /// The last 7 days.
    Weekly,
    /// The last 30 days.
    Monthly,
    /// Projections and scenarios.
    Projection,
}

/// A report format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    /// Comma-separated values.
    Csv,
    /// One-page PDF.
    Pdf,
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
            println!("Database at {} is migrated.", redact(&settings.database.url));
            Ok(())
        }
        Command::CreateAdmin { email, role } => {
            let email = accounts::Email::parse(&email)?;
            let role = match role {
                RoleArg::Admin => accounts::Role::Admin,
                RoleArg::Viewer => accounts::Role::Viewer,
            };
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
        Command::SeedDemo {
            merchants,
            products_per_store,
            orders_per_store_month,
            months,
            tiers,
            seed,
            history_days,
        } => {
            let sizes = demo::DemoSizes {
                merchants,
                products_per_store,
                orders_per_store_month,
                months,
                tier_weights: tiers,
                seed,
                history_days,
            };
            seed_demo(&settings, &sizes).await
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
    let s = &captured.snapshot;
    println!(
        "{} snapshot {} (id {}): {} stores, {} products, {} orders this month, {:.2} MB database",
        if captured.created { "Captured" } else { "Already had" },
        s.snapshot_date,
        captured.id,
        s.total_stores,
        s.total_products,
        s.total_orders_month,
        s.db_size_mb
    );
    Ok(())
}

async fn report(
    settings: &Settings,
    kind: KindArg,
    format: FormatArg,
    out: Option<PathBuf>,
    now: OffsetDateTime,
) -> anyhow::Result<()> {
    let kind = match kind {
        KindArg::Weekly => ReportKind::Weekly,
        KindArg::Monthly => ReportKind::Monthly,
        KindArg::Projection => ReportKind::Projection,
    };
    let format = match format {
        FormatArg::Csv => ReportFormat::Csv,
        FormatArg::Pdf => ReportFormat::Pdf,
    };
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
            "The database already holds {existing} merchants (demo data from the first start, or real ones); \
             seed-demo only fills an empty database, so nothing was written. For fresh demo data point \
             ORION__DATABASE__URL at a new database."
        );
        return Ok(());
    }
    let bar = indicatif::ProgressBar::new(u64::from(sizes.merchants));
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} seeding merchants {pos}/{len} [{bar:30}] {elapsed} {msg}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let started = std::time::Instant::now();
    let report = demo::seed_demo(&db, sizes, |so_far| {
        bar.set_position(so_far.merchants);
        bar.set_message(format!("{} products, {} orders", so_far.products, so_far.orders));
    })
    .await?;
    bar.finish_and_clear();
    println!(
        "Seeded {} merchants, {} stores, {} products, {} orders ({} items), {} loyalty cards, {} daily snapshots in {:.1} s.",
        report.merchants,
        report.stores,
        report.products,
        report.orders,
        report.order_items,
        report.loyalty_cards,
        report.snapshots,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

async fn reconcile_images(settings: &Settings, remove_orphans_older_than: Option<u32>) -> anyhow::Result<()> {
    let db = connect_and_migrate(settings).await?;
    let library = settings.images.library()?;
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
    let (was, holds) = (report.recorded, report.found);
    println!("Image storage {}:", files.describe());
    println!("  {:<18} {:>14} {:>14}", "", "counters were", "storage holds");
    for (name, a, b) in [
        ("files", was.total_files, holds.total_files),
        ("bytes", was.total_bytes, holds.total_bytes),
        ("images", was.total_blobs, holds.total_blobs),
        ("fullest directory", was.max_files_per_dir, holds.max_files_per_dir),
    ] {
        println!("  {name:<18} {a:>14} {b:>14}");
    }
    println!(
        "  orphan files: {} ({} removed); missing files: {}; staging files removed: {}",
        report.orphans.len(),
        report.orphans_removed,
        report.missing.len(),
        report.staging_removed
    );
    report.missing.iter().take(20).for_each(|key| println!("  missing: {key}"));
    report.orphans.iter().take(20).for_each(|key| println!("  orphan:  {key}"));
    println!(
        "{}",
        if report.drifted() { "Counters had drifted; they now match the storage." } else { "No drift." }
    );
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
        tracing::info!(
            merchants = report.merchants,
            products = report.products,
            orders = report.orders,
            "demo data ready"
        );
    }
    let admins = accounts::admin_count(&db).await?;
    let app = Application::build(settings, db).await?;
    let base = format!("http://{}:{}", settings.server.host, app.port());
    println!("Orion admin API on {base} (database {})", redact(&settings.database.url));
    println!("  health:  {base}/api/v1/admin/platform-health/health");
    println!("  page:    {base}/admin/platform-health");
    println!("  docs:    {base}/api/docs/   (OpenAPI: {base}/api/openapi.json)");
    if admins == 0 {
        println!(
            "  no admin yet: `cargo run -p admin-api -- create-admin --email you@example.com` prints a token;"
        );
        println!(
            "  then: curl -H \"Authorization: Bearer $TOKEN\" {base}/api/v1/admin/platform-health/health"
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
