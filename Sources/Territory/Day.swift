/// A calendar day, without a time of day or a time zone: what treaties and announcements date.
///
/// Written `YYYY-MM-DD` (proleptic Gregorian). Days are counted from 1970-01-01 for arithmetic.
public struct Day: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    /// Why a text is not a day.
    public struct ParseError: Error, CustomStringConvertible, Sendable, Equatable {
        public let message: String
        public var description: String { message }
    }

    /// A valid calendar day; throws for a month or day that does not exist (2020-02-30, 2021-02-29).
    public init(year: Int, month: Int, day: Int) throws(ParseError) {
        guard (1...9999).contains(year) else { throw ParseError(message: "year \(year) is outside 1..9999") }
        guard (1...12).contains(month) else { throw ParseError(message: "month \(month) does not exist") }
        let length = Day.daysIn(month: month, year: year)
        guard (1...length).contains(day) else {
            throw ParseError(message: "day \(day) does not exist in \(Day.monthNames[month - 1]) \(year) (it has \(length) days)")
        }
        self.year = year
        self.month = month
        self.day = day
    }

    /// Reads `YYYY-MM-DD` strictly: four-digit year, two-digit month and day, a real calendar day.
    public init(parsing text: String) throws(ParseError) {
        let bytes = Array(text.utf8)
        func digits(_ range: Range<Int>) -> Int? {
            var value = 0
            for i in range {
                let b = bytes[i]
                guard b >= 0x30 && b <= 0x39 else { return nil }
                value = value * 10 + Int(b - 0x30)
            }
            return value
        }
        guard bytes.count == 10, bytes[4] == 0x2D, bytes[7] == 0x2D,
              let y = digits(0..<4), let m = digits(5..<7), let d = digits(8..<10)
        else { throw ParseError(message: "'\(text.prefix(40))' is not a day: write YYYY-MM-DD, e.g. 2020-11-10") }
        do {
            try self.init(year: y, month: m, day: d)
        } catch {
            throw ParseError(message: "'\(text)' is not a day: \(error.message)")
        }
    }

    /// The day `ordinal` days after 1970-01-01 (negative before).
    public init(ordinal: Int) {
        // Howard Hinnant's civil_from_days.
        let z = ordinal + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        year = yoe + era * 400 + (m <= 2 ? 1 : 0)
        month = m
        day = d
    }

    /// Days since 1970-01-01 (Howard Hinnant's days_from_civil).
    public var ordinal: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = month > 2 ? month - 3 : month + 9
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The day `count` days later (earlier when negative).
    public func adding(days count: Int) -> Day { Day(ordinal: ordinal + count) }

    public static func < (a: Day, b: Day) -> Bool {
        (a.year, a.month, a.day) < (b.year, b.month, b.day)
    }

    /// `YYYY-MM-DD`.
    public var description: String {
        func pad(_ v: Int, _ width: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }

    /// `10 November 2020`, for sentences.
    public var longDescription: String { "\(day) \(Day.monthNames[month - 1]) \(year)" }

    static let monthNames = ["January", "February", "March", "April", "May", "June", "July",
                             "August", "September", "October", "November", "December"]

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}

/// A half-open run of days, `[from, to)`: it includes `from` and excludes `to`.
///
/// The rule: a statement effective from 2020-11-20 "until" 2020-12-01 holds on 30 November and
/// no longer on 1 December, so that one statement's `to` is the next one's `from` with neither a
/// gap nor a shared day. `to == nil` leaves the interval open: in force from `from` onwards.
public struct DayInterval: Hashable, Sendable, CustomStringConvertible {
    public let from: Day
    public let to: Day?

    /// Throws when `to` is not after `from` (an empty or reversed interval).
    public init(from: Day, to: Day?) throws(Day.ParseError) {
        if let to, to <= from {
            throw Day.ParseError(message: "'to' \(to) is not after 'from' \(from): intervals are [from, to), so 'to' must be a later day")
        }
        self.from = from
        self.to = to
    }

    /// True when `day` is in `[from, to)`.
    public func contains(_ day: Day) -> Bool {
        day >= from && (to.map { day < $0 } ?? true)
    }

    /// True when the two intervals share at least one day.
    public func overlaps(_ other: DayInterval) -> Bool {
        let endA = to?.ordinal ?? Int.max, endB = other.to?.ordinal ?? Int.max
        return from.ordinal < endB && other.from.ordinal < endA
    }

    public var description: String { "[\(from), \(to.map(\.description) ?? "open"))" }
}
