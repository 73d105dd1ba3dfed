//! Pure time arithmetic of a campaign's sending window: local weekdays and a local
//! time range in an IANA zone, resolved to UTC instants with DST gaps and overlaps handled.

use chrono::{
    DateTime, Datelike, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeZone, Utc,
};
use chrono_tz::Tz;

/// How many local days past `at`'s day `next_opening` looks for a window before giving up.
const MAX_SCAN_DAYS: u64 = 370;

/// When a campaign may send: ISO weekdays (1 = Monday … 7 = Sunday) and a local time range [start, end) in an IANA zone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Window {
    tz: Tz,
    days: [bool; 7],
    start: NaiveTime,
    end: NaiveTime,
    /// Local dates no window opens on.
    skipped: Vec<NaiveDate>,
}

impl Window {
    /// Err(message) for an unknown zone, empty/out-of-range days, a time not "HH:MM", or
    /// start = end. An end before the start is a window across midnight: it opens on the
    /// listed days and closes the next morning.
    pub fn new(timezone: &str, days: &[i32], start: &str, end: &str) -> Result<Window, String> {
        let tz: Tz = timezone
            .parse()
            .map_err(|_| format!("unknown timezone: {timezone}"))?;
        if days.is_empty() {
            return Err("at least one sending day is required".into());
        }
        let mut enabled = [false; 7];
        for &d in days {
            if !(1..=7).contains(&d) {
                return Err(format!(
                    "invalid weekday {d}: expected 1 (Monday) to 7 (Sunday)"
                ));
            }
            enabled[(d - 1) as usize] = true;
        }
        let (start, end) = (parse_hhmm(start)?, parse_hhmm(end)?);
        if start == end {
            return Err("a window's start and end differ".into());
        }
        Ok(Window {
            tz,
            days: enabled,
            start,
            end,
            skipped: Vec::new(),
        })
    }

    /// The same window, opening on none of `dates` (`YYYY-MM-DD`, local).
    pub fn skipping(mut self, dates: &[String]) -> Result<Window, String> {
        for date in dates {
            let day = NaiveDate::parse_from_str(date, "%Y-%m-%d")
                .map_err(|_| format!("invalid date {date}"))?;
            self.skipped.push(day);
        }
        self.skipped.sort_unstable();
        Ok(self)
    }

    /// The same window in another zone (an unknown one leaves it as it is).
    pub fn in_zone(&self, zone: &str) -> Window {
        let mut moved = self.clone();
        if let Ok(tz) = zone.parse() {
            moved.tz = tz;
        }
        moved
    }

    /// Whether `day` is one of the skipped dates.
    pub fn skips(&self, day: NaiveDate) -> bool {
        self.skipped.binary_search(&day).is_ok()
    }

    /// Whether the window opens on `day`'s weekday.
    pub fn opens_on_weekday(&self, day: NaiveDate) -> bool {
        self.days[day.weekday().num_days_from_monday() as usize]
    }

    /// The IANA zone the window's days and times are expressed in.
    pub fn timezone(&self) -> Tz {
        self.tz
    }

    /// Whether `at` falls inside an open window (start inclusive, end exclusive).
    pub fn contains(&self, at: DateTime<Utc>) -> bool {
        self.closing(at).is_some()
    }

    /// `at` itself when inside the window, else the first instant after `at` when a window opens.
    pub fn next_opening(&self, at: DateTime<Utc>) -> DateTime<Utc> {
        if self.contains(at) {
            return at;
        }
        let mut day = local_day(self.tz, at).pred_opt();
        for _ in 0..MAX_SCAN_DAYS + 2 {
            let Some(d) = day else { break };
            if let Some((open, _)) = self.window_on(d).filter(|(open, _)| *open > at) {
                return open;
            }
            day = d.succ_opt();
        }
        at
    }

    /// When the window `at` is inside closes (None when `at` is outside).
    pub fn closing(&self, at: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let day = local_day(self.tz, at);
        [day.pred_opt(), Some(day), day.succ_opt()]
            .into_iter()
            .flatten()
            .filter_map(|d| self.window_on(d))
            .filter(|(open, close)| *open <= at && at < *close)
            .map(|(_, close)| close)
            .max()
    }

    /// The window that opens on `day` (local), if one does: a night window closes the next
    /// day.
    fn window_on(&self, day: NaiveDate) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        if !self.opens_on_weekday(day) || self.skips(day) {
            return None;
        }
        let open = resolve_local(self.tz, day, self.start);
        let close_day = if self.end > self.start {
            day
        } else {
            day.succ_opt()?
        };
        let close = resolve_local(self.tz, close_day, self.end);
        (close > open).then_some((open, close))
    }
}

/// An IANA zone's name as the zone database spells it (`Europe/Lisbon`), None for anything
/// else: the one check of a time zone a user gives.
pub fn zone_name(text: &str) -> Option<&'static str> {
    text.trim().parse::<Tz>().ok().map(|tz| tz.name())
}

/// The calendar day of `at` in `tz`.
pub fn local_day(tz: Tz, at: DateTime<Utc>) -> NaiveDate {
    let offset = tz.offset_from_utc_datetime(&at.naive_utc()).fix();
    at.naive_utc()
        .checked_add_offset(offset)
        .map_or(at.date_naive(), |t| t.date())
}

/// `days` calendar days after `at` in `tz`, at the same local time of day: across a DST change
/// that is 23 or 25 hours a day, not 24 (a time the change skips maps past the gap).
pub fn add_calendar_days(tz: Tz, at: DateTime<Utc>, days: u32) -> DateTime<Utc> {
    let local = at.with_timezone(&tz).naive_local();
    match local
        .date()
        .checked_add_days(chrono::Days::new(u64::from(days)))
    {
        Some(date) => resolve_local(tz, date, local.time()),
        None => DateTime::<Utc>::MAX_UTC,
    }
}

/// The first instant of the local day after `at`'s local day (DST-safe: a midnight that does not exist maps to the first instant that does).
pub fn next_local_midnight(tz: Tz, at: DateTime<Utc>) -> DateTime<Utc> {
    let Some(next) = local_day(tz, at).succ_opt() else {
        return DateTime::<Utc>::MAX_UTC;
    };
    let (earliest, latest) = candidates(tz, next.and_time(NaiveTime::MIN));
    if earliest > at { earliest } else { latest }
}

/// The instant a local date+time maps to: a time in a DST gap maps to the first valid instant after the gap (the transition instant); an ambiguous time (overlap) to the earlier of its two instants.
pub fn resolve_local(tz: Tz, date: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
    candidates(tz, date.and_time(time)).0
}

fn candidates(tz: Tz, local: NaiveDateTime) -> (DateTime<Utc>, DateTime<Utc>) {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) => (t.to_utc(), t.to_utc()),
        LocalResult::Ambiguous(a, b) => (a.to_utc().min(b.to_utc()), a.to_utc().max(b.to_utc())),
        LocalResult::None => {
            let t = gap_end(tz, local);
            (t, t)
        }
    }
}

/// First UTC second whose local wall time is at or after `local` (the transition closing the gap `local` lies in).
fn gap_end(tz: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    const MARGIN: i64 = 26 * 3600;
    let target = local.and_utc().timestamp();
    let wall = |secs: i64| {
        DateTime::from_timestamp(secs, 0).map(|t| {
            secs + i64::from(
                tz.offset_from_utc_datetime(&t.naive_utc())
                    .fix()
                    .local_minus_utc(),
            )
        })
    };
    let (mut lo, mut hi) = (target.saturating_sub(MARGIN), target.saturating_add(MARGIN));
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        match wall(mid) {
            Some(w) if w >= target => hi = mid,
            Some(_) => lo = mid,
            None => return local.and_utc(),
        }
    }
    DateTime::from_timestamp(hi, 0).unwrap_or_else(|| local.and_utc())
}

fn parse_hhmm(s: &str) -> Result<NaiveTime, String> {
    let err = || format!("invalid time {s:?}: expected HH:MM");
    let b = s.as_bytes();
    if b.len() != 5 || b[2] != b':' || ![b[0], b[1], b[3], b[4]].iter().all(u8::is_ascii_digit) {
        return Err(err());
    }
    let num = |i: usize| u32::from(b[i] - b'0') * 10 + u32::from(b[i + 1] - b'0');
    NaiveTime::from_hms_opt(num(0), num(3), 0).ok_or_else(err)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().to_utc()
    }

    fn weekdays(tz: &str, start: &str, end: &str) -> Window {
        Window::new(tz, &[1, 2, 3, 4, 5], start, end).unwrap()
    }

    #[test]
    fn new_rejects_invalid_input() {
        assert!(Window::new("Mars/Olympus", &[1], "09:00", "17:00").is_err());
        assert!(Window::new("UTC", &[], "09:00", "17:00").is_err());
        assert!(Window::new("UTC", &[0], "09:00", "17:00").is_err());
        assert!(Window::new("UTC", &[8], "09:00", "17:00").is_err());
        for bad in ["9:00", "24:00", "12:60", "12-00", "12:00:00", "ab:cd", ""] {
            assert!(Window::new("UTC", &[1], bad, "23:00").is_err(), "{bad}");
        }
        assert!(Window::new("UTC", &[1], "17:00", "17:00").is_err());
        // An end before the start is a window across midnight.
        assert!(Window::new("UTC", &[1], "18:00", "17:00").is_ok());
        assert!(Window::new("Pacific/Chatham", &[1, 7, 7], "00:00", "23:59").is_ok());
    }

    #[test]
    fn weekday_hours_are_inside_and_weekend_or_evening_is_outside() {
        let w = weekdays("Europe/Lisbon", "09:00", "17:00");
        assert!(w.contains(utc("2026-01-14T12:00:00Z")));
        assert!(!w.contains(utc("2026-01-14T20:00:00Z")));
        assert!(!w.contains(utc("2026-01-17T12:00:00Z")));
        assert!(w.contains(utc("2026-07-14T08:30:00Z")));
        assert!(!w.contains(utc("2026-07-14T07:30:00Z")));
    }

    #[test]
    fn start_is_inclusive_and_end_is_exclusive() {
        let w = weekdays("Europe/Lisbon", "09:00", "17:00");
        assert!(w.contains(utc("2026-07-14T08:00:00Z")));
        assert!(!w.contains(utc("2026-07-14T16:00:00Z")));
        assert_eq!(
            w.closing(utc("2026-07-14T08:00:00Z")),
            Some(utc("2026-07-14T16:00:00Z"))
        );
        assert_eq!(w.closing(utc("2026-07-14T16:00:00Z")), None);
    }

    #[test]
    fn next_opening_from_friday_evening_is_monday_morning() {
        let w = weekdays("Europe/Lisbon", "09:00", "17:00");
        assert_eq!(
            w.next_opening(utc("2026-07-17T17:00:00Z")),
            utc("2026-07-20T08:00:00Z")
        );
        let inside = utc("2026-07-17T10:00:00Z");
        assert_eq!(w.next_opening(inside), inside);
    }

    #[test]
    fn spring_forward_gap_opens_at_the_transition() {
        let w = Window::new("America/New_York", &[7], "02:30", "04:00").unwrap();
        assert_eq!(
            w.next_opening(utc("2026-03-08T00:00:00Z")),
            utc("2026-03-08T07:00:00Z")
        );
        assert_eq!(
            w.closing(utc("2026-03-08T07:00:00Z")),
            Some(utc("2026-03-08T08:00:00Z"))
        );
    }

    #[test]
    fn fall_back_overlap_opens_at_the_first_occurrence() {
        let w = Window::new("America/New_York", &[7], "01:30", "05:00").unwrap();
        assert_eq!(
            w.next_opening(utc("2026-11-01T00:00:00Z")),
            utc("2026-11-01T05:30:00Z")
        );
        assert_eq!(
            w.closing(utc("2026-11-01T05:30:00Z")),
            Some(utc("2026-11-01T10:00:00Z"))
        );
    }

    #[test]
    fn window_entirely_inside_a_gap_does_not_open_that_day() {
        let w = Window::new("America/New_York", &[7], "02:10", "02:40").unwrap();
        assert_eq!(
            w.next_opening(utc("2026-03-08T00:00:00Z")),
            utc("2026-03-15T06:10:00Z")
        );
    }

    #[test]
    fn skipped_midnight_maps_to_one_in_the_morning() {
        let tz: Tz = "America/Santiago".parse().unwrap();
        let day = NaiveDate::from_ymd_opt(2026, 9, 6).unwrap();
        assert!(matches!(
            tz.from_local_datetime(&day.and_time(NaiveTime::MIN)),
            LocalResult::None
        ));
        let midnight = next_local_midnight(tz, utc("2026-09-05T15:00:00Z"));
        assert_eq!(midnight, utc("2026-09-06T04:00:00Z"));
        assert_eq!(
            midnight.with_timezone(&tz).time(),
            NaiveTime::from_hms_opt(1, 0, 0).unwrap()
        );
        assert_eq!(local_day(tz, midnight), day);
    }

    #[test]
    fn local_day_follows_the_zone_near_midnight() {
        let auckland: Tz = "Pacific/Auckland".parse().unwrap();
        let at = utc("2026-01-14T11:30:00Z");
        assert_eq!(
            local_day(auckland, at),
            NaiveDate::from_ymd_opt(2026, 1, 15).unwrap()
        );
        assert_eq!(
            local_day(Tz::UTC, at),
            NaiveDate::from_ymd_opt(2026, 1, 14).unwrap()
        );
        assert_eq!(
            local_day(auckland, utc("2026-01-14T10:59:59Z")),
            NaiveDate::from_ymd_opt(2026, 1, 14).unwrap()
        );
    }

    #[test]
    fn random_instants_respect_the_window_invariants() {
        let windows = [
            Window::new("Europe/Lisbon", &[1, 2, 3, 4, 5], "09:00", "17:00"),
            Window::new("America/New_York", &[7], "01:30", "05:00"),
            Window::new("America/New_York", &[7, 1], "02:30", "04:00"),
            Window::new("America/Santiago", &[6, 7], "00:00", "00:30"),
            Window::new("Pacific/Chatham", &[2, 4], "23:00", "23:59"),
            Window::new("Australia/Lord_Howe", &[7], "01:45", "02:15"),
            Window::new("Asia/Kathmandu", &[3], "00:00", "23:59"),
            Window::new("Pacific/Auckland", &[1, 7], "02:00", "03:30"),
        ]
        .map(Result::unwrap);
        let (from, span) = (utc("2026-01-01T00:00:00Z").timestamp(), 365 * 86_400);
        let mut seed: u64 = 0x2545_F491_4F6C_DD1D;
        for i in 0..2000 {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            let at = DateTime::from_timestamp(from + ((seed >> 33) % span) as i64, 0).unwrap();
            let w = &windows[i % windows.len()];
            let next = w.next_opening(at);
            assert!(next >= at, "{w:?} {at}");
            assert!(w.contains(next), "{w:?} {at} -> {next}");
            if next > at {
                assert!(!w.contains(at + (next - at) / 2), "{w:?} {at} -> {next}");
            }
            if let Some(close) = w.closing(next) {
                assert!(close > next, "{w:?} {next}");
            }
            assert!(next_local_midnight(w.timezone(), at) > at);
        }
    }

    #[test]
    fn extreme_instants_do_not_panic() {
        let w = Window::new("Australia/Lord_Howe", &[3], "02:00", "23:59").unwrap();
        for at in [
            DateTime::<Utc>::MIN_UTC,
            DateTime::<Utc>::MAX_UTC,
            DateTime::UNIX_EPOCH,
        ] {
            let _ = (w.contains(at), w.next_opening(at), w.closing(at));
            let _ = (
                next_local_midnight(w.timezone(), at),
                local_day(w.timezone(), at),
            );
        }
    }

    #[test]
    fn a_night_window_opens_on_its_days_and_closes_the_next_morning() {
        // Monday to Friday, 18:00–09:00 in Lisbon (UTC in winter).
        let w = weekdays("Europe/Lisbon", "18:00", "09:00");
        // Monday 30 Nov 2026: closed at noon, opens at 18:00.
        assert!(!w.contains(utc("2026-11-30T12:00:00Z")));
        assert_eq!(
            w.next_opening(utc("2026-11-30T12:00:00Z")),
            utc("2026-11-30T18:00:00Z")
        );
        // Open across midnight, until Tuesday 09:00.
        assert!(w.contains(utc("2026-11-30T23:30:00Z")));
        assert!(w.contains(utc("2026-12-01T08:59:00Z")));
        assert_eq!(
            w.closing(utc("2026-12-01T03:00:00Z")),
            Some(utc("2026-12-01T09:00:00Z"))
        );
        assert!(!w.contains(utc("2026-12-01T09:00:00Z")));
        // Friday's night runs into Saturday morning; Saturday opens none.
        assert!(w.contains(utc("2026-12-05T08:00:00Z")));
        assert!(!w.contains(utc("2026-12-05T20:00:00Z")));
        assert_eq!(
            w.next_opening(utc("2026-12-05T20:00:00Z")),
            utc("2026-12-07T18:00:00Z")
        );
        // Sunday night belongs to no listed day: closed until Monday 18:00.
        assert!(!w.contains(utc("2026-12-07T03:00:00Z")));
    }

    #[test]
    fn skipped_dates_open_no_window() {
        let w = weekdays("America/Sao_Paulo", "09:00", "17:00")
            .skipping(&["2026-12-25".to_owned(), "2026-12-24".to_owned()])
            .unwrap();
        // Thursday 24 and Friday 25 December are skipped: from Wednesday evening the next
        // opening is Monday 28 at 09:00 in São Paulo (UTC−3).
        assert!(!w.contains(utc("2026-12-24T15:00:00Z")));
        assert_eq!(
            w.next_opening(utc("2026-12-23T21:00:00Z")),
            utc("2026-12-28T12:00:00Z")
        );
        assert!(w.contains(utc("2026-12-23T15:00:00Z")));
        assert!(
            Window::new("UTC", &[1], "09:00", "17:00")
                .unwrap()
                .skipping(&["2026-13-01".to_owned()])
                .is_err()
        );
    }

    #[test]
    fn the_same_window_in_another_zone_opens_at_that_zone_s_local_time() {
        let w = weekdays("UTC", "09:00", "10:00");
        let tokyo = w.in_zone("Asia/Tokyo");
        assert!(tokyo.contains(utc("2026-11-30T00:30:00Z")));
        assert!(!w.contains(utc("2026-11-30T00:30:00Z")));
        assert_eq!(w.in_zone("Not/AZone"), w);
        let new_york = w.in_zone("America/New_York");
        assert_eq!(
            new_york.next_opening(utc("2026-11-30T00:30:00Z")),
            utc("2026-11-30T14:00:00Z")
        );
    }
}
