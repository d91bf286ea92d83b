//! Reports: a titled table (and optionally a line chart) rendered as CSV (the `csv` crate) or as
//! a one-page A4 PDF (`pdf-writer`, standard Helvetica, vector chart). Pure: bytes out, no I/O.

use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str};
use time::Date;

use crate::metric::Snapshot;
use crate::plan::Scenario;
use crate::projections::projections;

/// A report's content.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// Title line.
    pub title: String,
    /// Lines under the title (period, totals).
    pub summary: Vec<String>,
    /// Column headers.
    pub columns: Vec<String>,
    /// Rows of cells.
    pub rows: Vec<Vec<String>>,
    /// A series to chart (label, values oldest first).
    pub chart: Option<(String, Vec<f64>)>,
}

/// Which report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
pub enum ReportKind {
    /// The last 7 days of snapshots.
    Weekly,
    /// The last 30 days.
    Monthly,
    /// Projections and scenarios.
    Projection,
}

impl ReportKind {
    /// Every report.
    pub const ALL: [ReportKind; 3] = [ReportKind::Weekly, ReportKind::Monthly, ReportKind::Projection];

    /// `weekly`, `monthly` or `projection`.
    pub fn name(self) -> &'static str {
        match self {
            ReportKind::Weekly => "weekly",
            ReportKind::Monthly => "monthly",
            ReportKind::Projection => "projection",
        }
    }

    /// Parses `weekly`, `monthly` or `projection`.
    pub fn parse(name: &str) -> Option<ReportKind> {
        ReportKind::ALL.into_iter().find(|kind| kind.name() == name)
    }

    /// Days of history a period report covers.
    pub fn days(self) -> i64 {
        match self {
            ReportKind::Weekly => 7,
            ReportKind::Monthly => 30,
            ReportKind::Projection => 730,
        }
    }
}

/// A report's file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
pub enum ReportFormat {
    /// Comma-separated values: the table.
    Csv,
    /// A one-page A4 PDF: title, summary, chart, table.
    Pdf,
}

impl ReportFormat {
    /// Parses `csv` or `pdf`.
    pub fn parse(name: &str) -> Option<ReportFormat> {
        match name {
            "csv" => Some(ReportFormat::Csv),
            "pdf" => Some(ReportFormat::Pdf),
            _ => None,
        }
    }

    /// `csv` or `pdf`.
    pub fn extension(self) -> &'static str {
        match self {
            ReportFormat::Csv => "csv",
            ReportFormat::Pdf => "pdf",
        }
    }

    /// The MIME type.
    pub fn content_type(self) -> &'static str {
        match self {
            ReportFormat::Csv => "text/csv; charset=utf-8",
            ReportFormat::Pdf => "application/pdf",
        }
    }
}

/// A rendered report file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedReport {
    /// The bytes.
    pub bytes: Vec<u8>,
    /// The format.
    pub format: ReportFormat,
    /// `orion-{kind}-{day}.{csv|pdf}`.
    pub file_name: String,
}

/// Renders report `kind` of `history` (oldest first: the last [`ReportKind::days`] days up to
/// `today`) as `format`.
pub fn render(
    kind: ReportKind,
    history: &[Snapshot],
    format: ReportFormat,
    today: Date,
) -> Result<RenderedReport, csv::Error> {
    let report = match kind {
        ReportKind::Weekly => period_report("Orion weekly capacity report", history),
        ReportKind::Monthly => period_report("Orion monthly capacity report", history),
        ReportKind::Projection => projection_report(history),
    };
    let bytes = match format {
        ReportFormat::Csv => to_csv(&report)?,
        ReportFormat::Pdf => to_pdf(&report),
    };
    let file_name = format!("orion-{}-{today}.{}", kind.name(), format.extension());
    Ok(RenderedReport { bytes, format, file_name })
}

/// Projections of every metric and seed 003's scenarios, with the products history charted.
pub fn projection_report(history: &[Snapshot]) -> Report {
    let p = projections(history, Scenario::presets().into());
    let expected = |m: &crate::projections::MetricProjection, months| {
        m.months.get(&months).map_or(String::new(), |b| format!("{:.0}", b.expected))
    };
    let rows = p
        .metrics
        .iter()
        .map(|(name, m)| {
            let year = m.months.get(&12).map_or(String::new(), |b| format!("{:.0}-{:.0}", b.low, b.high));
            vec![
                (*name).to_owned(),
                format!("{:?}", m.method),
                format!("{:.0}", m.current),
                expected(m, 3),
                expected(m, 6),
                expected(m, 12),
                year,
            ]
        })
        .collect();
    let mut summary = vec![format!(
        "From {} ({} stores, {} products)",
        p.based_on.map_or("no snapshot".to_owned(), |d| d.to_string()),
        p.stores,
        p.products
    )];
    for t in &p.fitted_tiers {
        summary.push(format!(
            "Fitted, {} months: {} stores, {} products -> {} tier, EUR {}/month",
            t.month, t.stores, t.products, t.infrastructure_tier, t.monthly_cost_eur
        ));
    }
    for s in &p.scenarios {
        if let Some(m) = s.months.last() {
            summary.push(format!(
                "Scenario {} ({:.0} % growth, {:.0} % churn), 12 months: {} stores -> {} tier, EUR {}/month",
                s.scenario.name,
                s.scenario.monthly_growth * 100.0,
                s.scenario.churn_rate * 100.0,
                m.stores,
                m.infrastructure_tier,
                m.monthly_cost_eur
            ));
        }
    }
    Report {
        title: "Orion capacity projection report".to_owned(),
        summary,
        columns: ["metric", "method", "now", "3 months", "6 months", "12 months", "12m 80 %"]
            .map(str::to_owned)
            .to_vec(),
        rows,
        chart: Some((
            "Products (history)".to_owned(),
            history.iter().map(|s| s.total_products as f64).collect(),
        )),
    }
}

/// A weekly or monthly report: one row per snapshot, trends in the summary, products charted.
pub fn period_report(title: &str, snapshots: &[Snapshot]) -> Report {
    let columns = [
        "date",
        "stores",
        "active_stores",
        "products",
        "orders_month",
        "orders_30d",
        "team_members",
        "storage_gb",
        "db_size_mb",
    ];
    let rows = snapshots
        .iter()
        .map(|s| {
            vec![
                s.snapshot_date.to_string(),
                s.total_stores.to_string(),
                s.active_stores.to_string(),
                s.total_products.to_string(),
                s.total_orders_month.to_string(),
                s.orders_last_30_days.to_string(),
                s.total_team_members.to_string(),
                format!("{:.2}", s.storage_used_gb),
                format!("{:.2}", s.db_size_mb),
            ]
        })
        .collect();
    let mut summary = Vec::new();
    if let (Some(first), Some(last)) = (snapshots.first(), snapshots.last()) {
        summary.push(format!(
            "{} to {}, {} daily snapshots",
            first.snapshot_date,
            last.snapshot_date,
            snapshots.len()
        ));
        let days = (last.snapshot_date - first.snapshot_date).whole_days();
        for (name, a, b) in [
            ("Stores", first.total_stores, last.total_stores),
            ("Products", first.total_products, last.total_products),
            ("Orders (last 30 days)", first.orders_last_30_days, last.orders_last_30_days),
        ] {
            let t = crate::trend(a as f64, b as f64, days, true);
            summary.push(format!(
                "{name}: {a} -> {b} ({:+.2} %, {:.3} %/day)",
                t.growth_rate_percent, t.daily_growth_rate
            ));
        }
    } else {
        summary.push("No snapshots in this period".to_owned());
    }
    Report {
        title: title.to_owned(),
        summary,
        columns: columns.map(str::to_owned).to_vec(),
        rows,
        chart: Some(("Products".to_owned(), snapshots.iter().map(|s| s.total_products as f64).collect())),
    }
}

/// CSV: the header row and the rows (the title and summary are for the PDF).
pub fn to_csv(report: &Report) -> Result<Vec<u8>, csv::Error> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(&report.columns)?;
    for row in &report.rows {
        writer.write_record(row)?;
    }
    writer.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}

const PAGE_W: f32 = 595.0; // A4, points
const PAGE_H: f32 = 842.0;
const MARGIN: f32 = 40.0;

/// A one-page A4 PDF: title, summary, chart (if any), then as many table rows as fit.
pub fn to_pdf(report: &Report) -> Vec<u8> {
    let (catalog, tree, page_id, font_id, bold_id, content_id) =
        (Ref::new(1), Ref::new(2), Ref::new(3), Ref::new(4), Ref::new(5), Ref::new(6));
    let (regular, bold) = (Name(b"F1"), Name(b"F2"));
    let mut pdf = Pdf::new();
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree).kids([page_id]).count(1);
    let mut page = pdf.page(page_id);
    page.media_box(Rect::new(0.0, 0.0, PAGE_W, PAGE_H)).parent(tree).contents(content_id);
    page.resources().fonts().pair(regular, font_id).pair(bold, bold_id);
    page.finish();
    pdf.type1_font(font_id).base_font(Name(b"Helvetica"));
    pdf.type1_font(bold_id).base_font(Name(b"Helvetica-Bold"));

    let mut c = Content::new();
    let mut y = PAGE_H - MARGIN - 10.0;
    text(&mut c, bold, 16.0, MARGIN, y, &report.title);
    y -= 22.0;
    for line in &report.summary {
        text(&mut c, regular, 9.5, MARGIN, y, line);
        y -= 13.0;
    }
    if let Some((label, values)) = report.chart.as_ref().filter(|(_, v)| v.len() >= 2) {
        y -= 10.0;
        let height = 150.0;
        chart(&mut c, regular, MARGIN, y - height, PAGE_W - 2.0 * MARGIN, height, label, values);
        y -= height + 24.0;
    }
    let width = (PAGE_W - 2.0 * MARGIN) / report.columns.len().max(1) as f32;
    for (i, column) in report.columns.iter().enumerate() {
        text(&mut c, bold, 8.0, MARGIN + i as f32 * width, y, column);
    }
    y -= 4.0;
    c.set_line_width(0.5).move_to(MARGIN, y).line_to(PAGE_W - MARGIN, y).stroke();
    y -= 11.0;
    let mut shown = 0;
    for row in &report.rows {
        if y < MARGIN + 12.0 {
            break;
        }
        for (i, cell) in row.iter().enumerate() {
            text(&mut c, regular, 8.0, MARGIN + i as f32 * width, y, cell);
        }
        y -= 11.0;
        shown += 1;
    }
    if shown < report.rows.len() {
        text(
            &mut c,
            regular,
            8.0,
            MARGIN,
            y,
            &format!("... {} more rows in the CSV", report.rows.len() - shown),
        );
    }
    let content = c.finish();
    pdf.stream(content_id, &content);
    pdf.finish()
}

fn text(c: &mut Content, font: Name, size: f32, x: f32, y: f32, s: &str) {
    // Standard fonts take WinAnsi bytes: keep ASCII, replace the rest.
    let ascii: Vec<u8> = s.chars().map(|ch| if ch.is_ascii() { ch as u8 } else { b'?' }).collect();
    c.begin_text().set_font(font, size).next_line(x, y).show(Str(&ascii)).end_text();
}

#[allow(clippy::too_many_arguments)] // a drawing primitive: position, size, font, data
fn chart(c: &mut Content, font: Name, x: f32, y: f32, w: f32, h: f32, label: &str, values: &[f64]) {
    let (min, max) = values.iter().fold((f64::MAX, f64::MIN), |(lo, hi), v| (lo.min(*v), hi.max(*v)));
    let span = if max > min { max - min } else { 1.0 };
    c.set_line_width(0.5).set_stroke_rgb(0.6, 0.6, 0.6).rect(x, y, w, h).stroke();
    c.set_line_width(1.5).set_stroke_rgb(0.1, 0.35, 0.75);
    for (i, v) in values.iter().enumerate() {
        let px = x + w * i as f32 / (values.len() - 1) as f32;
        let py = y + 6.0 + (h - 12.0) * ((v - min) / span) as f32;
        if i == 0 {
            c.move_to(px, py);
        } else {
            c.line_to(px, py);
        }
    }
    c.stroke().set_stroke_rgb(0.0, 0.0, 0.0);
    text(c, font, 8.0, x + 4.0, y + h - 10.0, &format!("{label}: max {max:.0}"));
    text(c, font, 8.0, x + 4.0, y + 4.0, &format!("min {min:.0}"));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report() -> Report {
        Report {
            title: "Weekly capacity report".to_owned(),
            summary: vec!["2026-11-17 to 2026-11-23".to_owned()],
            columns: vec!["date".to_owned(), "products".to_owned()],
            rows: vec![
                vec!["2026-11-17".to_owned(), "100".to_owned()],
                vec!["2026-11-18".to_owned(), "1,5\"00".to_owned()],
            ],
            chart: Some(("Products".to_owned(), vec![100.0, 150.0, 130.0])),
        }
    }

    #[test]
    fn csv_parses_back_with_quoting() {
        let bytes = to_csv(&report()).unwrap();
        let mut reader = csv::Reader::from_reader(bytes.as_slice());
        assert_eq!(reader.headers().unwrap(), vec!["date", "products"]);
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), 2);
        assert_eq!(&rows[1][1], "1,5\"00");
    }

    #[test]
    fn pdf_is_a_pdf_with_the_title() {
        let bytes = to_pdf(&report());
        assert!(bytes.starts_with(b"%PDF-"));
        assert!(bytes.ends_with(b"%%EOF") || bytes.ends_with(b"%%EOF\n"));
        let text = String::from_utf8_lossy(&bytes);
        assert!(text.contains("Weekly capacity report"));
        assert!(text.contains("Helvetica"));
    }
}
