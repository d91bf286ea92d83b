//! Calendar arithmetic of billing: month starts and billing periods, in UTC.

use time::{Date, OffsetDateTime, UtcOffset};

/// 00:00 UTC on the first day of `at`'s calendar month (UTC): where "orders this month" start.
pub fn month_start(at: OffsetDateTime) -> OffsetDateTime {
    let at = at.to_offset(UtcOffset::UTC);
    at.date().replace_day(1).map_or(at, |first| first.midnight().assume_utc())
}

/// `at` plus `months` calendar months, the day clamped to the target month's length (Jan 31 + 1
/// month = Feb 28 or 29), time of day kept; `None` past the representable range.
pub fn add_months(at: OffsetDateTime, months: u32) -> Option<OffsetDateTime> {
    let total = i64::from(at.year()) * 12 + i64::from(u8::from(at.month())) - 1 + i64::from(months);
    let year = i32::try_from(total.div_euclid(12)).ok()?;
    let month = time::Month::try_from(u8::try_from(total.rem_euclid(12) + 1).ok()?).ok()?;
    let day = at.day().min(month.length(year));
    let date = Date::from_calendar_date(year, month, day).ok()?;
    Some(at.replace_date(date))
}

/// The current period `[start, end)` that contains `now`: the stored period advanced by whole
/// cycles of `cycle_months`, so monthly order counts roll over even before the renewal job has run.
pub fn current_period(
    start: OffsetDateTime,
    end: OffsetDateTime,
    cycle_months: u32,
    now: OffsetDateTime,
) -> (OffsetDateTime, OffsetDateTime) {
    let (mut start, mut end) = (start, end);
    while now >= end {
        let Some(next) = add_months(end, cycle_months) else { break };
        (start, end) = (end, next);
    }
    (start, end)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn months_start_at_midnight_utc_on_the_first() {
        assert_eq!(month_start(datetime!(2026-03-31 23:59:59.9 UTC)), datetime!(2026-03-01 0:00 UTC));
        assert_eq!(month_start(datetime!(2026-04-01 00:30 +02:00)), datetime!(2026-03-01 0:00 UTC));
    }

    #[test]
    fn adding_months_clamps_the_day() {
        assert_eq!(add_months(datetime!(2026-01-31 10:00 UTC), 1), Some(datetime!(2026-02-28 10:00 UTC)));
        assert_eq!(add_months(datetime!(2028-01-31 10:00 UTC), 1), Some(datetime!(2028-02-29 10:00 UTC)));
        assert_eq!(add_months(datetime!(2026-11-15 10:00 UTC), 14), Some(datetime!(2028-01-15 10:00 UTC)));
    }

    #[test]
    fn the_current_period_rolls_forward_by_whole_cycles() {
        let (start, end) = (datetime!(2026-01-10 12:00 UTC), datetime!(2026-02-10 12:00 UTC));
        assert_eq!(current_period(start, end, 1, datetime!(2026-01-20 0:00 UTC)), (start, end));
        assert_eq!(
            current_period(start, end, 1, datetime!(2026-03-11 0:00 UTC)),
            (datetime!(2026-03-10 12:00 UTC), datetime!(2026-04-10 12:00 UTC))
        );
    }
}
