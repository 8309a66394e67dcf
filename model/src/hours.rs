//! Opening hours as Europe/London wall-clock windows, and the clock they are read by.
//! Time zone rules come from jiff's bundled database, so a result never depends on the
//! machine's own time zone or zoneinfo files.

use serde::Deserialize;
use serde::de::{self, Deserializer};

const MINUTES_A_DAY: u16 = 24 * 60;
const MINUTES_A_WEEK: usize = 7 * MINUTES_A_DAY as usize;
const DAY_NAMES: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// The zone every opening time is written in: compiled into the program from the bundled
/// time-zone database (reading it when the program starts would take longer than reading
/// the rules).
pub fn london() -> &'static jiff::tz::TimeZone {
    static LONDON: jiff::tz::TimeZone = jiff::tz::get!("Europe/London");
    &LONDON
}

/// A moment as the London clock shows it: day of week (0 = Monday) and minute of day. On
/// a bank holiday `weekday` is Sunday's: bank holidays count as out of hours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WallClock {
    pub weekday: u8,
    pub minute: u16,
}

const SUNDAY: u8 = 6;

impl WallClock {
    /// The London clock at `moment`, with no bank holidays (the calendar's `clock` counts
    /// them).
    pub fn of(moment: &jiff::ZonedDateTime) -> WallClock {
        let local = moment.with_time_zone(london().clone());
        WallClock::of_civil(local.datetime(), false)
    }

    fn of_civil(local: jiff::civil::DateTime, bank_holiday: bool) -> WallClock {
        WallClock {
            weekday: if bank_holiday {
                SUNDAY
            } else {
                local.weekday().to_monday_zero_offset() as u8
            },
            minute: local.hour() as u16 * 60 + local.minute() as u16,
        }
    }

    fn minute_of_week(self) -> usize {
        usize::from(self.weekday) * usize::from(MINUTES_A_DAY) + usize::from(self.minute)
    }
}

/// When a contact answers.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Hours {
    /// How the hours read to a person ("Mon-Fri 08:30-16:30").
    pub text: String,
    /// Open every minute of every day.
    #[serde(default)]
    pub always: bool,
    /// Weekly windows; empty and not `always` means the hours are not known.
    #[serde(default)]
    pub open: Vec<Window>,
    /// False when the times are the best reading of the sources but not confirmed.
    pub confirmed: bool,
}

impl Hours {
    /// Whether the contact is open at `now`; `None` when its hours are not known.
    pub fn open_at(&self, now: WallClock) -> Option<bool> {
        if self.always {
            return Some(true);
        }
        if self.open.is_empty() {
            return None;
        }
        let minute = now.minute_of_week();
        Some(self.open.iter().any(|w| w.contains(minute)))
    }

    /// How many windows cover each minute of the week.
    pub fn week_cover(&self, cover: &mut [u8; MINUTES_A_WEEK]) {
        if self.always {
            cover.iter_mut().for_each(|c| *c = c.saturating_add(1));
        }
        for window in &self.open {
            for minute in window.minutes() {
                cover[minute] = cover[minute].saturating_add(1);
            }
        }
    }
}

/// England and Wales bank holidays as published (`rules/bank-holidays.yaml`): on those
/// days every service keeps its Sunday hours.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BankHolidays {
    /// The last day the published list covers; after it a bank holiday cannot be known.
    pub published_to: Option<jiff::civil::Date>,
    pub dates: Vec<jiff::civil::Date>,
    pub source: String,
    /// The published list as shipped (`sources/...txt`): the dates must be exactly its
    /// dates, and `published_to` no later than the end of its last year.
    pub text: String,
}

/// The London clock at a moment, as opening hours read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clock {
    pub wall: WallClock,
    pub date: jiff::civil::Date,
    /// Whether `date` is a bank holiday; `None` beyond the published list.
    pub bank_holiday: Option<bool>,
}

impl Hours {
    /// What in `text` disagrees with the hours it describes: words that tell a person not to
    /// ring, or to ring at once; a time of day that no window starts or ends at; "Mon-Fri"
    /// over a window that opens at the weekend; "24 hours" on hours that are not always.
    pub fn text_problem(&self) -> Option<String> {
        let text = self.text.to_lowercase();
        const NEVER: [&str; 10] = [
            "closed",
            "do not",
            "don't",
            "dont ",
            "never",
            "ring now",
            "call now",
            "not open",
            "unavailable",
            "urgent",
        ];
        if let Some(word) = NEVER.iter().find(|w| text.contains(*w)) {
            return Some(format!(
                "says \"{word}\": the hours text describes when the service answers; whether to ring is the result's to say"
            ));
        }
        let times = clock_times(&text);
        if self.always {
            if !times.is_empty() || !(text.contains("24") || text.contains("always")) {
                return Some("is open always, but the text does not say 24 hours".into());
            }
            return None;
        }
        if text.contains("24 hours") || text.contains("24/7") {
            return Some("says 24 hours, but the service is not open always".into());
        }
        for minute in &times {
            if !self
                .open
                .iter()
                .any(|w| w.from == *minute || w.to == *minute)
            {
                return Some(format!(
                    "names {:02}:{:02}, which no opening window starts or ends at",
                    minute / 60,
                    minute % 60
                ));
            }
        }
        let weekdays_only = text.contains("mon-fri") || text.contains("monday to friday");
        if weekdays_only && self.open.iter().any(|w| w.days[5] || w.days[6]) {
            return Some("says Monday to Friday, but a window opens at the weekend".into());
        }
        if text.contains("weekend")
            && !self.open.is_empty()
            && !self.open.iter().any(|w| w.days[5] && w.days[6])
        {
            return Some("names weekends, but no window opens on Saturday and Sunday".into());
        }
        None
    }
}

/// The times of day written in `text` ("08:30", "8.30am", "4pm"), as minutes of the day.
fn clock_times(text: &str) -> Vec<u16> {
    let bytes = text.as_bytes();
    let mut times = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_digit() || (i > 0 && bytes[i - 1].is_ascii_alphanumeric()) {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        let hour: u16 = text[start..i].parse().unwrap_or(99);
        let mut minute = 0;
        let mut clock = false;
        if i < bytes.len()
            && (bytes[i] == b':' || bytes[i] == b'.')
            && bytes.get(i + 1).is_some_and(u8::is_ascii_digit)
            && bytes.get(i + 2).is_some_and(u8::is_ascii_digit)
        {
            minute = text[i + 1..i + 3].parse().unwrap_or(0);
            clock = bytes[i] == b':';
            i += 3;
        }
        let rest = &text[i..];
        let pm = rest.starts_with("pm");
        if rest.starts_with("am") || pm {
            clock = true;
        }
        if clock && hour < 24 && minute < 60 {
            let hour = if pm && hour < 12 { hour + 12 } else { hour };
            times.push(hour * 60 + minute);
        }
    }
    times
}

impl BankHolidays {
    /// Whether `date` is a bank holiday; `None` outside the years the published list
    /// covers (after `published_to`, or before the first year it lists), where it cannot be
    /// known.
    fn is_holiday(&self, date: jiff::civil::Date) -> Option<bool> {
        let first_year = self.dates.first().map(|d| d.year());
        if self.published_to.is_none_or(|last| date > last)
            || first_year.is_none_or(|year| date.year() < year)
        {
            return None;
        }
        Some(self.dates.binary_search(&date).is_ok())
    }

    /// The clock at `moment`: on a bank holiday, Sunday's hours.
    pub fn clock(&self, moment: &jiff::ZonedDateTime) -> Clock {
        let local = moment.with_time_zone(london().clone()).datetime();
        let bank_holiday = self.is_holiday(local.date());
        Clock {
            wall: WallClock::of_civil(local, bank_holiday == Some(true)),
            date: local.date(),
            bank_holiday,
        }
    }

    /// When `hours` next open after `from` (London wall time, as "Mon 08:30" within the
    /// week or "Tue 29 Dec 08:30" further off), looking up to two weeks ahead; `None` when
    /// the hours are not known or they open at no time in that span.
    pub fn next_opening(&self, hours: &Hours, from: Clock) -> Option<jiff::civil::DateTime> {
        if hours.always || hours.open.is_empty() {
            return None;
        }
        let now = usize::from(from.wall.minute);
        // Day by day (no span arithmetic: this runs for every closed service of every case).
        let days = std::iter::successors(Some(from.date), |d| d.tomorrow().ok()).take(15);
        days.flat_map(|date| {
            let weekday = if self.is_holiday(date) == Some(true) {
                SUNDAY
            } else {
                date.weekday().to_monday_zero_offset() as u8
            };
            let mut starts: Vec<u16> = hours
                .open
                .iter()
                .filter(|w| w.days[usize::from(weekday)])
                .map(|w| w.from)
                .collect();
            starts.sort_unstable();
            starts.into_iter().map(move |start| (date, start))
        })
        .find(|(date, start)| *date > from.date || usize::from(*start) > now)
        .map(|(date, start)| date.at((start / 60) as i8, (start % 60) as i8, 0, 0))
    }
}

/// The minute-of-week cover of several contacts' hours.
pub fn week_cover<'a>(hours: impl IntoIterator<Item = &'a Hours>) -> Box<[u8; MINUTES_A_WEEK]> {
    let mut cover = Box::new([0u8; MINUTES_A_WEEK]);
    for h in hours {
        h.week_cover(&mut cover);
    }
    cover
}

/// Where the first run of minutes for which `pred` holds on the cover count begins (as
/// "Sat 09:00"), counting round the end of the week, so a gap over the weekend is reported
/// where it starts.
pub fn first_run_where(cover: &[u8; MINUTES_A_WEEK], pred: impl Fn(u8) -> bool) -> Option<String> {
    let holds = |m: usize| pred(cover[m % MINUTES_A_WEEK]);
    let start = (0..MINUTES_A_WEEK)
        .find(|m| holds(*m) && !holds(m + MINUTES_A_WEEK - 1))
        .or_else(|| holds(0).then_some(0))?;
    let day = DAY_NAMES[start / usize::from(MINUTES_A_DAY)];
    let minute = start % usize::from(MINUTES_A_DAY);
    Some(format!("{day} {:02}:{:02}", minute / 60, minute % 60))
}

/// Open on `days` from `from` until `to`; a `to` before `from` runs past midnight into the
/// next day, and a `to` equal to `from` means 24 hours.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Window {
    days: [bool; 7],
    from: u16,
    to: u16,
}

impl Window {
    fn length(&self) -> usize {
        usize::from(if self.to > self.from {
            self.to - self.from
        } else {
            MINUTES_A_DAY - self.from + self.to
        })
    }

    fn starts(&self) -> impl Iterator<Item = usize> + '_ {
        (0..7usize)
            .filter(|d| self.days[*d])
            .map(|day| day * usize::from(MINUTES_A_DAY) + usize::from(self.from))
    }

    fn contains(&self, minute_of_week: usize) -> bool {
        self.starts()
            .any(|start| (minute_of_week + MINUTES_A_WEEK - start) % MINUTES_A_WEEK < self.length())
    }

    fn minutes(&self) -> impl Iterator<Item = usize> + '_ {
        self.starts()
            .flat_map(move |start| (start..start + self.length()).map(|m| m % MINUTES_A_WEEK))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WrittenWindow {
    days: String,
    from: String,
    to: String,
}

impl<'de> Deserialize<'de> for Window {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let w = WrittenWindow::deserialize(deserializer)?;
        let days = parse_days(&w.days).map_err(de::Error::custom)?;
        let from = parse_time(&w.from).map_err(de::Error::custom)?;
        let to = parse_time(&w.to).map_err(de::Error::custom)?;
        let to = if to == MINUTES_A_DAY { 0 } else { to };
        Ok(Window { days, from, to })
    }
}

fn day_index(name: &str) -> Result<usize, String> {
    DAY_NAMES
        .iter()
        .position(|d| d.eq_ignore_ascii_case(name.trim()))
        .ok_or_else(|| format!("`{name}` is not a day: use Mon, Tue, Wed, Thu, Fri, Sat or Sun"))
}

/// "Mon-Fri", "Sat,Sun", "Mon-Sun", "Wed".
fn parse_days(text: &str) -> Result<[bool; 7], String> {
    let mut days = [false; 7];
    for part in text.split(',') {
        match part.split_once('-') {
            Some((first, last)) => {
                let (first, last) = (day_index(first)?, day_index(last)?);
                if last < first {
                    return Err(format!(
                        "day range `{part}` runs backwards: write Mon-Sun order"
                    ));
                }
                days[first..=last].iter_mut().for_each(|d| *d = true);
            }
            None => days[day_index(part)?] = true,
        }
    }
    Ok(days)
}

/// "08:30" -> minutes since midnight; "24:00" is the end of the day.
fn parse_time(text: &str) -> Result<u16, String> {
    let bad = || format!("`{text}` is not a time: write HH:MM, 00:00 to 24:00");
    let (h, m) = text.split_once(':').ok_or_else(bad)?;
    let (h, m): (u16, u16) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    if h > 24 || m > 59 || (h == 24 && m != 0) {
        return Err(bad());
    }
    Ok(h * 60 + m)
}

/// Read a moment given as RFC 3339 (`2026-11-24T10:00:00Z`, any offset) or as
/// London wall time without an offset (`2026-11-24T10:00`). A London time that the clocks
/// skip (the spring gap) or show twice (the autumn fold) is refused: the message says which
/// offsets to write, so a moment is never guessed. A bracketed zone is read only beside an
/// offset, and must then be Europe/London.
pub fn parse_moment(text: &str) -> Result<jiff::ZonedDateTime, String> {
    let text = text.trim();
    let (moment, zone) = match text.split_once('[') {
        Some((moment, zone)) => (moment, Some(zone.trim_end_matches(']'))),
        None => (text, None),
    };
    // `get`, not indexing: byte 16 may fall inside a character of text that is no time at all.
    let has_offset = moment
        .get(16..)
        .is_some_and(|rest| rest.contains(['+', '-', 'Z', 'z']));
    if let Some(zone) = zone {
        if !has_offset {
            return Err(format!(
                "`{text}` names a zone but no offset: write the offset (2026-11-24T10:00:00+00:00) or London time without a zone (2026-11-24T10:00)"
            ));
        }
        if !zone.eq_ignore_ascii_case("Europe/London") {
            return Err(format!(
                "`{text}`: times are read in Europe/London; write an offset instead of [{zone}]"
            ));
        }
    }
    if let Ok(instant) = moment.parse::<jiff::Timestamp>() {
        return Ok(instant.to_zoned_datetime(london().clone()));
    }
    let bad = || {
        format!(
            "`{text}` is not a time: use RFC 3339 (2026-11-24T10:00:00Z), London time as YYYY-MM-DDTHH:MM, or `now`"
        )
    };
    match moment.parse::<jiff::civil::DateTime>() {
        Ok(wall) if !has_offset && moment.len() >= 16 => london_wall_time(wall, text),
        _ => Err(bad()),
    }
}

/// `--at`: `now` (the moment of reading, said out loud) or a moment as `parse_moment` reads it.
pub fn parse_at_flag(text: &str, now: &jiff::ZonedDateTime) -> Result<jiff::ZonedDateTime, String> {
    if text.trim().eq_ignore_ascii_case("now") {
        return Ok(now.with_time_zone(london().clone()));
    }
    parse_moment(text)
}

fn london_wall_time(
    wall: jiff::civil::DateTime,
    text: &str,
) -> Result<jiff::ZonedDateTime, String> {
    use jiff::tz::AmbiguousOffset;
    match london().to_ambiguous_zoned_datetime(wall).offset() {
        AmbiguousOffset::Unambiguous { .. } => wall
            .to_zoned_datetime(london().clone())
            .map_err(|e| format!("`{text}` is not a time in Europe/London: {e}")),
        AmbiguousOffset::Gap { before, after } => Err(format!(
            "`{text}` does not exist in London: the clocks go forward then; write an offset (for example {}{before} or {}{after})",
            wall.strftime("%Y-%m-%dT%H:%M"),
            wall.strftime("%Y-%m-%dT%H:%M"),
        )),
        AmbiguousOffset::Fold { before, after } => Err(format!(
            "`{text}` happens twice in London: the clocks go back then; write which with an offset ({}{before} for the first, {}{after} for the second)",
            wall.strftime("%Y-%m-%dT%H:%M"),
            wall.strftime("%Y-%m-%dT%H:%M"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hours(yaml: &str) -> Hours {
        crate::yaml::from_str(yaml).unwrap()
    }

    #[test]
    fn a_moment_with_wide_characters_near_its_offset_is_refused_in_words() {
        // Found by the page's boundary property: byte 16 falls inside a character.
        for text in [
            "¡a 𐀀 𐀀𐀀",
            "2026-11-24T10:0𐀀",
            "2026-11-24T10:00[Europe/London]𐀀",
        ] {
            let refused = parse_moment(text).unwrap_err();
            assert!(
                refused.contains("is not a time") || refused.contains("zone"),
                "{refused}"
            );
        }
    }

    #[test]
    fn hours_text_must_agree_with_the_hours() {
        let day = |text: &str| {
            hours(&format!(
                "{{text: \"{text}\", open: [{{days: Mon-Fri, from: \"08:30\", to: \"16:30\"}}], confirmed: true}}"
            ))
            .text_problem()
        };
        assert_eq!(day("Mon-Fri 08:30-16:30"), None);
        assert_eq!(day("Monday to Friday 8.30am - 4.30pm"), None);
        assert!(day("CLOSED - do not ring").is_some());
        assert!(day("RING NOW").is_some());
        assert!(day("Mon-Fri 09:00-17:00").is_some());
        assert!(day("24 hours").is_some());
        assert!(day("evenings and weekends").is_some());
        let always = |text: &str| {
            hours(&format!(
                "{{text: \"{text}\", always: true, confirmed: true}}"
            ))
            .text_problem()
        };
        assert_eq!(always("24 hours, free"), None);
        assert!(always("Mon-Fri 09:00-17:00").is_some());
        assert!(always("free").is_some());
    }

    fn at(weekday: u8, h: u16, m: u16) -> WallClock {
        WallClock {
            weekday,
            minute: h * 60 + m,
        }
    }

    #[test]
    fn office_hours_open_on_weekdays_only() {
        let office =
            hours("text: x\nconfirmed: true\nopen: [{days: Mon-Fri, from: '08:30', to: '16:30'}]");
        assert_eq!(office.open_at(at(0, 8, 29)), Some(false));
        assert_eq!(office.open_at(at(0, 8, 30)), Some(true));
        assert_eq!(office.open_at(at(4, 16, 29)), Some(true));
        assert_eq!(office.open_at(at(4, 16, 30)), Some(false));
        assert_eq!(office.open_at(at(5, 12, 0)), Some(false));
    }

    #[test]
    fn overnight_windows_run_into_the_next_day_and_wrap_the_week() {
        let nights =
            hours("text: x\nconfirmed: true\nopen: [{days: Sun, from: '17:00', to: '09:00'}]");
        assert_eq!(nights.open_at(at(6, 23, 0)), Some(true));
        assert_eq!(nights.open_at(at(0, 8, 59)), Some(true));
        assert_eq!(nights.open_at(at(0, 9, 0)), Some(false));
    }

    #[test]
    fn unknown_hours_are_not_guessed() {
        assert_eq!(
            hours("text: office hours\nconfirmed: false").open_at(at(0, 10, 0)),
            None
        );
    }

    #[test]
    fn day_and_out_of_hours_cover_the_week_exactly() {
        let day =
            hours("text: x\nconfirmed: true\nopen: [{days: Mon-Fri, from: '09:00', to: '17:00'}]");
        let night = hours(
            "text: x\nconfirmed: true\nopen: [{days: Mon-Fri, from: '17:00', to: '09:00'}, \
             {days: Sat-Sun, from: '09:00', to: '09:00'}]",
        );
        let cover = week_cover([&day, &night]);
        assert_eq!(first_run_where(&cover, |c| c != 1), None);
        let cover = week_cover([&day]);
        assert_eq!(
            first_run_where(&cover, |c| c == 0).as_deref(),
            Some("Mon 17:00")
        );
        let always = hours("text: x\nconfirmed: true\nalways: true");
        assert_eq!(first_run_where(&week_cover([&always]), |c| c == 0), None);
        assert_eq!(
            first_run_where(&week_cover([&always, &day]), |c| c > 1).as_deref(),
            Some("Mon 09:00")
        );
    }

    #[test]
    fn the_london_clock_follows_summer_time() {
        let summer: jiff::Timestamp = "2026-07-01T08:00:00Z".parse().unwrap();
        let clock = WallClock::of(&summer.to_zoned_datetime(jiff::tz::TimeZone::UTC));
        assert_eq!(clock, at(2, 9, 0));
    }
}
