//! Times as people read them, in the browser's own language: "3 hours ago", and the exact
//! date and time. The formatters are made once and reused: building an `Intl` formatter per
//! call is what makes a 1,000-row table slow.

use js_sys::{Date, Intl, Object, Reflect};
use wasm_bindgen::JsValue;

thread_local! {
    static RELATIVE: Intl::RelativeTimeFormat =
        Intl::RelativeTimeFormat::new(&js_sys::Array::new(), &options(&[("numeric", "auto")]));
    static EXACT: Intl::DateTimeFormat = Intl::DateTimeFormat::new(
        &js_sys::Array::new(),
        &options(&[("dateStyle", "medium"), ("timeStyle", "short")]),
    );
    static DAY: Intl::DateTimeFormat =
        Intl::DateTimeFormat::new(&js_sys::Array::new(), &options(&[("dateStyle", "long")]));
    static CLOCK: Intl::DateTimeFormat =
        Intl::DateTimeFormat::new(&js_sys::Array::new(), &options(&[("timeStyle", "short")]));
    static WEEKDAY: Intl::DateTimeFormat = Intl::DateTimeFormat::new(
        &js_sys::Array::new(),
        &options(&[("weekday", "long"), ("day", "numeric"), ("month", "long")]),
    );
    static WEEKDAY_YEAR: Intl::DateTimeFormat = Intl::DateTimeFormat::new(
        &js_sys::Array::new(),
        &options(&[("weekday", "long"), ("day", "numeric"), ("month", "long"), ("year", "numeric")]),
    );
}

fn options(pairs: &[(&str, &str)]) -> Object {
    let object = Object::new();
    for (key, value) in pairs {
        let _ = Reflect::set(&object, &JsValue::from_str(key), &JsValue::from_str(value));
    }
    object
}

/// Milliseconds since the epoch of an RFC 3339 time; `None` if the browser can't read it.
fn millis(at: &str) -> Option<f64> {
    let time = Date::parse(at);
    (!time.is_nan()).then_some(time)
}

fn format_with(
    formatter: &'static std::thread::LocalKey<Intl::DateTimeFormat>,
    at: &str,
) -> String {
    let Some(time) = millis(at) else {
        return at.to_owned();
    };
    formatter.with(|f| {
        f.format()
            .call1(&JsValue::UNDEFINED, &Date::new(&time.into()))
            .ok()
            .and_then(|s| s.as_string())
            .unwrap_or_else(|| at.to_owned())
    })
}

/// "22 Nov 2026, 09:14".
pub fn exact(at: &str) -> String {
    format_with(&EXACT, at)
}

/// "22 November 2026".
pub fn day(at: &str) -> String {
    format_with(&DAY, at)
}

/// "09:14": the time of day alone, for a list already grouped by day.
pub fn clock(at: &str) -> String {
    format_with(&CLOCK, at)
}

/// The calendar day of `at` where the browser is, as `yyyymmdd`: what a list groups by.
pub fn local_day(at: &str) -> Option<u32> {
    millis(at).map(|time| day_number(&Date::new(&time.into())))
}

fn day_number(date: &Date) -> u32 {
    date.get_full_year() * 10_000 + (date.get_month() + 1) * 100 + date.get_date()
}

/// A day's heading: "Today", "Yesterday", "Monday 23 November" (in the browser's language
/// and order), with the year when it isn't this one.
pub fn day_heading(at: &str) -> String {
    let today = Date::new_0();
    let day = local_day(at);
    if day == Some(day_number(&today)) {
        return "Today".to_owned();
    }
    // Noon, so a change of daylight-saving time can't make "a day ago" the same day.
    let yesterday = Date::new_0();
    yesterday.set_hours(12);
    yesterday.set_date(today.get_date() - 1);
    if day == Some(day_number(&yesterday)) {
        return "Yesterday".to_owned();
    }
    let this_year = day.is_some_and(|d| d / 10_000 == today.get_full_year());
    format_with(if this_year { &WEEKDAY } else { &WEEKDAY_YEAR }, at)
}

/// "just now", "5 minutes ago", "yesterday", "3 weeks ago".
pub fn relative(at: &str) -> String {
    let Some(time) = millis(at) else {
        return at.to_owned();
    };
    let (value, unit) = relative_parts((Date::now() - time) / 1000.0);
    if unit == "now" {
        return "just now".to_owned();
    }
    RELATIVE.with(|f| f.format(-value, unit).into())
}

/// How long ago `seconds` is, in the largest whole unit. Pure, so it is tested natively.
pub fn relative_parts(seconds: f64) -> (f64, &'static str) {
    const UNITS: [(f64, &str); 6] = [
        (365.0 * 86_400.0, "year"),
        (30.0 * 86_400.0, "month"),
        (7.0 * 86_400.0, "week"),
        (86_400.0, "day"),
        (3_600.0, "hour"),
        (60.0, "minute"),
    ];
    let seconds = seconds.max(0.0);
    UNITS
        .iter()
        .find(|(size, _)| seconds >= *size)
        .map_or((0.0, "now"), |(size, unit)| {
            ((seconds / size).floor(), unit)
        })
}

#[cfg(test)]
mod tests {
    use super::relative_parts;

    #[test]
    fn the_largest_whole_unit_is_used() {
        assert_eq!(relative_parts(30.0), (0.0, "now"));
        assert_eq!(relative_parts(90.0), (1.0, "minute"));
        assert_eq!(relative_parts(3.0 * 3_600.0 + 5.0), (3.0, "hour"));
        assert_eq!(relative_parts(15.0 * 86_400.0), (2.0, "week"));
        assert_eq!(relative_parts(400.0 * 86_400.0), (1.0, "year"));
    }

    #[test]
    fn a_clock_running_ahead_is_just_now() {
        assert_eq!(relative_parts(-120.0), (0.0, "now"));
    }
}
