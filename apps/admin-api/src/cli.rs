//! The commands of the `admin-api` binary.

use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};

use crate::auth::{self, Email, Role};
use crate::config::Settings;
use crate::seed::{self, DemoSizes};
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
        /// `admin` (full access) or `viewer` (no admin routes).
        #[arg(long, default_value = "admin")]
        role: String,
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
        #[arg(long, default_value = "essential=45,professional=30,business=18,enterprise=7", value_parser = seed::parse_tier_weights)]
        tiers: std::collections::BTreeMap<String, u32>,
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
        /// weekly, monthly or projection.
        kind: String,
        /// csv or pdf.
        #[arg(long, default_value = "csv")]
        format: String,
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
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(&settings).await,
        Command::Migrate => {
            connect_and_migrate(&settings).await?;
            println!("Database at {} is migrated.", redact(&settings.database.url));
            Ok(())
        }
        Command::CreateAdmin { email, role } => {
            let email = Email::parse(&email).map_err(anyhow::Error::msg)?;
            let role = Role::parse(&role).with_context(|| format!("--role {role:?}: use admin or viewer"))?;
            let db = connect_and_migrate(&settings).await?;
            let issued = auth::create_admin(&db, &email, role).await?;
            println!(
                "User {} (role {}), token {}… (shown once, store it now):",
                issued.user.email, issued.user.role, issued.prefix
            );
            println!("{}", issued.token);
            Ok(())
        }
        Command::RevokeToken { token } => {
            let db = connect_and_migrate(&settings).await?;
            match auth::revoke_token(&db, &token).await? {
                0 => bail!("no live token matches {:?}", token.chars().take(14).collect::<String>()),
                n => {
                    println!("Revoked {n} token(s).");
                    Ok(())
                }
            }
        }
        Command::Snapshot => {
            let db = connect_and_migrate(&settings).await?;
            let sampler =
                health::SystemSampler::start(&settings.server.data_dir, std::time::Duration::from_secs(1))
                    .ok();
            let system = match &sampler {
                Some(sampler) => sampler.first_sample().await.map(|s| s.metrics),
                None => None,
            };
            let captured = forecast::capture_daily_snapshot(&db, chrono::Utc::now(), system).await?;
            let s = &captured.snapshot;
            println!(
                "{} snapshot {} (id {}): {} stores, {} products, {} orders this month, {:.2} MB database",
                if captured.created { "Captured" } else { "Already had" },
                s.snapshot_date,
                s.id,
                s.total_stores,
                s.total_products,
                s.total_orders_month,
                s.db_size_mb
            );
            Ok(())
        }
        Command::Report { kind, format, out } => {
            let kind_parsed = forecast::report::ReportKind::parse(&kind)
                .with_context(|| format!("report {kind:?}: use weekly, monthly or projection"))?;
            let format_parsed =
                crate::routes::forecast::ReportFormat::parse(&format).map_err(|e| anyhow::anyhow!("{e}"))?;
            let db = connect_and_migrate(&settings).await?;
            let today = chrono::Utc::now().date_naive();
            let history =
                forecast::snapshots_between(&db, today - chrono::Duration::days(kind_parsed.days()), today)
                    .await?;
            let (bytes, _, extension) =
                crate::routes::forecast::render_report(kind_parsed, &history, format_parsed)
                    .map_err(|e| anyhow::anyhow!("{e}"))?;
            let out = out.unwrap_or_else(|| PathBuf::from(format!("orion-{kind}-{today}.{extension}")));
            write_atomically(&out, &bytes)?;
            println!("Wrote {} ({} bytes, {} snapshots).", out.display(), bytes.len(), history.len());
            Ok(())
        }
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
            let db = connect_and_migrate(&settings).await?;
            // Not an error: the first `serve` fills an empty embedded database with this same
            // demo data, and seed-demo never mixes demo rows into existing ones.
            let existing = {
                use sea_orm::{EntityTrait, PaginatorTrait};
                merchants::entity::merchant::Entity::find().count(&db).await?
            };
            if existing > 0 {
                println!(
                    "The database already holds {existing} merchants (demo data from the first start, or real \
                     ones); seed-demo only fills an empty database, so nothing was written. For fresh demo data \
                     point ORION__DATABASE__URL at a new database."
                );
                return Ok(());
            }
            let sizes = DemoSizes {
                merchants,
                products_per_store,
                orders_per_store_month,
                months,
                tier_weights: tiers,
                seed,
                history_days,
            };
            let started = std::time::Instant::now();
            let report = seed::seed_demo(&db, &sizes, true).await?;
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
    }
}

async fn reconcile_images(settings: &Settings, remove_orphans_older_than: Option<u32>) -> anyhow::Result<()> {
    let db = connect_and_migrate(settings).await?;
    let library = crate::startup::image_library(&settings.images)?;
    let bar = indicatif::ProgressBar::new_spinner();
    bar.set_style(
        indicatif::ProgressStyle::with_template("{spinner} {msg} [{elapsed}]")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
    );
    bar.set_message(format!("walking {}", library.files().describe()));
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    let options = images::ReconcileOptions {
        remove_orphans_before: remove_orphans_older_than
            .map(|minutes| chrono::Utc::now() - chrono::Duration::minutes(i64::from(minutes))),
    };
    let report = images::reconcile(&db, library.files(), options, |seen| {
        bar.set_message(format!("walking {}: {seen} files", library.files().describe()));
    })
    .await?;
    bar.finish_and_clear();

    let (before, after) = (report.recorded, report.found);
    println!("Image storage {}:", library.files().describe());
    println!("  {:<18} {:>14} {:>14}", "", "counters were", "storage holds");
    println!("  {:<18} {:>14} {:>14}", "files", before.total_files, after.total_files);
    println!("  {:<18} {:>14} {:>14}", "bytes", before.total_bytes, after.total_bytes);
    println!("  {:<18} {:>14} {:>14}", "images", before.total_blobs, after.total_blobs);
    println!(
        "  {:<18} {:>14} {:>14}",
        "fullest directory", before.max_files_per_dir, after.max_files_per_dir
    );
    println!(
        "  orphan files: {} ({} removed); missing files: {}; staging files removed: {}",
        report.orphans.len(),
        report.orphans_removed,
        report.missing.len(),
        report.staging_removed
    );
    for key in report.missing.iter().take(20) {
        println!("  missing: {key}");
    }
    for key in report.orphans.iter().take(20) {
        println!("  orphan:  {key}");
    }
    println!(
        "{}",
        if report.drifted() { "Counters had drifted; they now match the storage." } else { "No drift." }
    );
    Ok(())
}

async fn serve(settings: &Settings) -> anyhow::Result<()> {
    let db = connect_and_migrate(settings).await?;
    if settings.demo.seed_empty_sqlite && settings.database.is_sqlite() {
        use sea_orm::{EntityTrait, PaginatorTrait};
        if merchants::entity::merchant::Entity::find().count(&db).await? == 0 {
            tracing::info!("empty embedded database: seeding demo data (demo.seed_empty_sqlite)");
            let report = seed::seed_demo(&db, &DemoSizes::default(), false).await?;
            tracing::info!(
                merchants = report.merchants,
                products = report.products,
                orders = report.orders,
                "demo data ready"
            );
        }
    }
    let admins = auth::admin_count(&db).await?;
    let app = Application::build(settings, db).await?;
    let base = format!("http://{}:{}", settings.server.host, app.port());
    println!("Orion admin API on {base} (database {})", redact(&settings.database.url));
    println!("  health:  {base}/api/v1/admin/platform-health/health");
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
fn write_atomically(path: &std::path::Path, bytes: &[u8]) -> anyhow::Result<()> {
    use std::io::Write;
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(std::path::Path::new("."));
    let mut file = tempfile::NamedTempFile::new_in(dir)
        .with_context(|| format!("creating a file in {}", dir.display()))?;
    file.write_all(bytes).context("writing the report")?;
    file.as_file().sync_all().context("syncing the report")?;
    file.persist(path).with_context(|| format!("moving the report to {}", path.display()))?;
    Ok(())
}
