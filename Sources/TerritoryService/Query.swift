import Foundation
import Territory
import TerritoryStore

/// What a client got wrong, or what it asked for that is not there: an HTTP status, a code and a
/// sentence, sent as `{"code": ..., "description": ...}`.
public struct ServiceError: Error, Sendable, Equatable, CustomStringConvertible {
    public let status: Int
    public let code: String
    public let description: String

    public init(status: Int, code: String, description: String) {
        self.status = status
        self.code = code
        self.description = description
    }

    public static func invalid(_ description: String) -> ServiceError {
        ServiceError(status: 400, code: "InvalidParameterValue", description: description)
    }

    public static func notFound(_ description: String) -> ServiceError {
        ServiceError(status: 404, code: "NotFound", description: description)
    }
}

/// The parameters of a query string, decoded: `+` is a space, `%XX` a byte, and the result must
/// be UTF-8. A name given twice, a malformed escape or bytes that are not UTF-8 are the client's
/// mistake (400), named in the error.
public enum QueryString {
    /// The longest query string read (the request line's limit is the server's).
    public static let maximumLength = 8192

    public static func parse(_ raw: Substring) throws(ServiceError) -> [(name: String, value: String)] {
        guard raw.utf8.count <= maximumLength else {
            throw .invalid("the query string is longer than \(maximumLength) bytes")
        }
        var result: [(name: String, value: String)] = []
        for part in raw.split(separator: "&", omittingEmptySubsequences: true) {
            let pieces = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = try decode(pieces[0], what: "a parameter name")
            let value = pieces.count > 1 ? try decode(pieces[1], what: "parameter '\(name.prefix(40))'") : ""
            guard !name.isEmpty else { throw .invalid("a query parameter has no name ('=\(value.prefix(40))')") }
            if result.contains(where: { $0.name == name }) { throw .invalid("parameter '\(name.prefix(40))' is given twice") }
            result.append((name, value))
        }
        return result
    }

    /// Percent-decoding of one name or value into UTF-8 text.
    static func decode(_ text: Substring, what: String) throws(ServiceError) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = text.utf8.makeIterator()
        while let b = iterator.next() {
            switch b {
            case UInt8(ascii: "+"): bytes.append(UInt8(ascii: " "))
            case UInt8(ascii: "%"):
                guard let h = iterator.next().flatMap(hex), let l = iterator.next().flatMap(hex) else {
                    throw .invalid("\(what): a '%' not followed by two hexadecimal digits")
                }
                bytes.append(h << 4 | l)
            default: bytes.append(b)
            }
        }
        guard let decoded = String(validating: bytes, as: UTF8.self) else { throw .invalid("\(what): not UTF-8 text once decoded") }
        guard !decoded.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            throw .invalid("\(what): contains a control character")
        }
        return decoded
    }

    private static func hex(_ b: UInt8) -> UInt8? {
        switch b {
        case 0x30...0x39: return b - 0x30
        case 0x41...0x46: return b - 0x41 + 10
        case 0x61...0x66: return b - 0x61 + 10
        default: return nil
        }
    }

    /// Refuses any parameter not in `allowed` (OGC API - Features, REQ_query-param-unknown).
    public static func check(_ parameters: [(name: String, value: String)], allowed: Set<String>, at path: String) throws(ServiceError) {
        for p in parameters where !allowed.contains(p.name) {
            throw .invalid("unknown parameter '\(p.name.prefix(60))' for \(path) (known: \(allowed.sorted().joined(separator: ", ")))")
        }
    }
}

/// The `datetime` parameter as days.
///
/// An instant (RFC 3339: `2021-06-01T12:00:00Z`, any offset, or a bare date `2021-06-01` as users
/// type it) means the day that holds it in UTC: a slice's days are whole UTC days, so
/// `2021-06-01T23:30:00-02:00` is 2 June. An interval `A/B` (either end `..` or empty for open)
/// means every day from A's through B's. A slice matches when its `[valid_from, valid_to)` meets
/// those days.
public enum TimeFilter {
    public static func parse(_ text: String) throws(ServiceError) -> DayRange {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2 else { throw .invalid("datetime: '\(text.prefix(80))' has more than one '/' (an instant, or an interval A/B)") }
        if parts.count == 1 {
            guard !parts[0].isEmpty, parts[0] != ".." else { throw .invalid("datetime: an instant must be a date or a time, not '\(text.prefix(80))'") }
            let d = try day(parts[0])
            return try range(d, d, text)
        }
        let from = parts[0].isEmpty || parts[0] == ".." ? nil : try day(parts[0])
        let through = parts[1].isEmpty || parts[1] == ".." ? nil : try day(parts[1])
        return try range(from, through, text)
    }

    private static func range(_ from: Day?, _ through: Day?, _ text: String) throws(ServiceError) -> DayRange {
        do { return try DayRange(from: from, through: through) } catch {
            throw .invalid("datetime: '\(text.prefix(80))' ends before it begins")
        }
    }

    /// The UTC day of an RFC 3339 date or date-time.
    static func day(_ text: Substring) throws(ServiceError) -> Day {
        let bytes = Array(text.utf8)
        func bad(_ why: String) -> ServiceError {
            .invalid("datetime: '\(text.prefix(80))' is not an RFC 3339 date or time (\(why)); write 2021-06-01 or 2021-06-01T12:00:00Z")
        }
        guard bytes.count >= 10 else { throw bad("too short") }
        let date: Day
        do { date = try Day(parsing: String(decoding: bytes[0..<10], as: UTF8.self)) } catch { throw bad("\(error)") }
        if bytes.count == 10 { return date }
        guard bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: "t") || bytes[10] == UInt8(ascii: " ") else { throw bad("a time starts with 'T'") }
        var i = 11
        func number(_ digits: Int, max: Int) throws(ServiceError) -> Int {
            guard i + digits <= bytes.count else { throw bad("the time is cut short") }
            var n = 0
            for k in i..<(i + digits) {
                guard (0x30...0x39).contains(bytes[k]) else { throw bad("a digit was expected") }
                n = n * 10 + Int(bytes[k] - 0x30)
            }
            guard n <= max else { throw bad("\(n) is out of range") }
            i += digits
            return n
        }
        func expect(_ c: Character) throws(ServiceError) {
            guard i < bytes.count, bytes[i] == c.asciiValue! else { throw bad("'\(c)' was expected") }
            i += 1
        }
        let hour = try number(2, max: 23)
        try expect(":")
        let minute = try number(2, max: 59)
        try expect(":")
        _ = try number(2, max: 60)
        if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
            i += 1
            let start = i
            while i < bytes.count, (0x30...0x39).contains(bytes[i]) { i += 1 }
            guard i > start else { throw bad("a fraction needs digits") }
        }
        guard i < bytes.count else { throw bad("a time needs its offset: Z or ±HH:MM") }
        var offset = 0
        switch bytes[i] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            i += 1
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            let sign = bytes[i] == UInt8(ascii: "-") ? -1 : 1
            i += 1
            let h = try number(2, max: 23)
            try expect(":")
            let m = try number(2, max: 59)
            offset = sign * (h * 60 + m)
        default:
            throw bad("a time needs its offset: Z or ±HH:MM")
        }
        guard i == bytes.count else { throw bad("something follows the offset") }
        let minutes = hour * 60 + minute - offset
        let shift = minutes < 0 ? -1 : (minutes >= 1440 ? 1 : 0)
        return Day(ordinal: date.ordinal + shift)
    }
}

/// The parameters of `/collections/{id}/items`, checked.
public struct ItemsQuery: Sendable, Equatable {
    public var bbox: BBox?
    public var during: DayRange?
    public var limit: Int = ItemsQuery.defaultLimit
    public var offset: Int = 0
    public var holder: String?
    public var statement: String?

    public static let defaultLimit = 100, maximumLimit = 10_000
    public static let parameters: Set<String> = ["bbox", "datetime", "limit", "offset", "holder", "statement", "f", "as_of", "view"]

    public init() {}

    public init(_ parameters: [(name: String, value: String)]) throws(ServiceError) {
        for (name, value) in parameters {
            switch name {
            case "bbox": bbox = try ItemsQuery.box(value)
            case "datetime": during = try TimeFilter.parse(value)
            case "limit":
                let n = try ItemsQuery.integer(value, "limit")
                guard n >= 1 else { throw .invalid("limit: \(n) is below 1 (give 1 to \(ItemsQuery.maximumLimit); larger values are taken as \(ItemsQuery.maximumLimit))") }
                limit = min(n, ItemsQuery.maximumLimit)
            case "offset":
                let n = try ItemsQuery.integer(value, "offset")
                guard n >= 0 else { throw .invalid("offset: \(n) is negative") }
                offset = n
            case "holder":
                guard !value.isEmpty else { throw .invalid("holder: empty (give an actor's code, e.g. holder=AZ)") }
                holder = value
            case "statement":
                guard !value.isEmpty else { throw .invalid("statement: empty (give a statement's id)") }
                statement = value
            default: break
            }
        }
    }

    /// A whole number of at most 18 digits (larger counts are not pages anyone can ask for).
    static func integer(_ text: String, _ name: String) throws(ServiceError) -> Int {
        let digits = text.hasPrefix("-") || text.hasPrefix("+") ? text.dropFirst() : Substring(text)
        guard !digits.isEmpty, digits.count <= 18, digits.utf8.allSatisfy({ (0x30...0x39).contains($0) }), let n = Int(text) else {
            throw .invalid("\(name): '\(text.prefix(40))' is not a whole number")
        }
        return n
    }

    /// `west,south,east,north` in degrees (CRS84).
    static func box(_ text: String) throws(ServiceError) -> BBox {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false)
        guard parts.count == 4 else {
            throw .invalid("bbox: '\(text.prefix(80))' must be 4 numbers, west,south,east,north (CRS84)\(parts.count == 6 ? "; boxes with heights are not served" : "")")
        }
        var numbers: [Double] = []
        for p in parts {
            let t = p.trimmingCharacters(in: .whitespaces)
            guard let x = Double(t), x.isFinite, !t.isEmpty, t.utf8.allSatisfy({ (0x30...0x39).contains($0) || $0 == 0x2E || $0 == 0x2D || $0 == 0x2B || $0 == 0x65 || $0 == 0x45 }) else {
                throw .invalid("bbox: '\(p.prefix(40))' is not a number")
            }
            numbers.append(x)
        }
        do { return try BBox(minX: numbers[0], minY: numbers[1], maxX: numbers[2], maxY: numbers[3]) } catch {
            throw .invalid("\(error)")
        }
    }
}
