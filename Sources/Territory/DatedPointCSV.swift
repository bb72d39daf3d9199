import Foundation

/// Dated points (`id,lon,lat,date`) parsed from CSV, a batch at a time, in flat arrays that are
/// reused from batch to batch: point k's id is `ids[idEnds[k-1]..<idEnds[k]]`.
public struct PointBatch: Sendable {
    public var ids: [UInt8] = []
    public var idEnds: [Int] = []
    public var lons: [Double] = []
    public var lats: [Double] = []
    /// Days since 1970-01-01.
    public var days: [Int] = []
    /// Rows that could not be read, with their line numbers.
    public var problems: [RowError] = []

    public init() {}

    public var count: Int { lons.count }

    public mutating func removeAll() {
        ids.removeAll(keepingCapacity: true)
        idEnds.removeAll(keepingCapacity: true)
        lons.removeAll(keepingCapacity: true)
        lats.removeAll(keepingCapacity: true)
        days.removeAll(keepingCapacity: true)
        problems.removeAll(keepingCapacity: true)
    }

    /// The id of point `k`.
    public func id(_ k: Int) -> ArraySlice<UInt8> {
        ids[(k == 0 ? 0 : idEnds[k - 1])..<idEnds[k]]
    }
}

/// A row that could not be read, with its 1-based line number.
public struct RowError: Error, CustomStringConvertible, Sendable, Equatable {
    public let line: Int
    public let message: String

    public init(line: Int, message: String) {
        self.line = line
        self.message = message
    }

    public var description: String { "line \(line): \(message)" }
}

/// Cuts a byte stream into runs of complete lines, holding at most one partial line between
/// reads, so memory stays bounded however long the input.
public struct LineChunker {
    private var pending: [UInt8] = []

    /// The longest line accepted: a row of dated points is a few dozen bytes.
    public static let maximumLineLength = 1 << 20

    /// A line longer than `maximumLineLength`: the input is not a CSV of dated points.
    public struct LineTooLong: Error {}

    public init() {}

    /// The complete lines available after `chunk` (all the rest when `final`), or nil when none.
    /// Throws when a line grows past `maximumLineLength`, so that memory stays bounded.
    public mutating func feed(_ chunk: ArraySlice<UInt8>, final: Bool) throws(LineTooLong) -> [UInt8]? {
        var data = pending
        data += chunk
        pending.removeAll(keepingCapacity: true)
        if final { return data.isEmpty ? nil : data }
        // Only the new bytes can hold the first newline after what was pending.
        guard chunk.contains(0x0A), let lastNewline = data.lastIndex(of: 0x0A) else {
            if data.count > LineChunker.maximumLineLength { throw LineTooLong() }
            pending = data
            return nil
        }
        pending = Array(data[(lastNewline + 1)...])
        data.removeSubrange((lastNewline + 1)...)
        return data
    }
}

/// The `id,lon,lat,date` CSV format: its header, and the parsing of rows.
///
/// Blank lines are skipped and `\r\n` line ends are accepted. The id is passed on as written (it
/// may be quoted, without commas inside quotes). Longitudes and latitudes are decimal degrees
/// within ±180 and ±90; dates are real calendar days, `YYYY-MM-DD`.
public enum DatedPointCSV {
    public static let header = Array("id,lon,lat,date".utf8)

    /// Where the rows start, once the header has been checked (a UTF-8 byte-order mark is allowed).
    public static func bodyStart(_ bytes: UnsafeBufferPointer<UInt8>) -> Result<Int, RowError> {
        var start = 0
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { start = 3 }
        var end = start
        while end < bytes.count && bytes[end] != 0x0A { end += 1 }
        var stop = end
        if stop > start && bytes[stop - 1] == 0x0D { stop -= 1 }
        let line = Array(bytes[start..<stop])
        guard line == header else {
            if bytes.count == start { return .failure(RowError(line: 1, message: "empty input: expected the header 'id,lon,lat,date'")) }
            return .failure(RowError(line: 1, message: "expected the header 'id,lon,lat,date', found '\(String(decoding: line.prefix(60), as: UTF8.self))'"))
        }
        return .success(min(end + 1, bytes.count))
    }

    /// Parses the complete lines of `bytes`, the first being line `firstLine`, into `batch`.
    /// Returns the number of lines read.
    @discardableResult
    public static func parse(_ bytes: UnsafeBufferPointer<UInt8>, firstLine: Int, into batch: inout PointBatch) -> Int {
        forEachRow(bytes, firstLine: firstLine, problems: &batch.problems) { row in
            batch.ids.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[row.id]))
            batch.idEnds.append(batch.ids.count)
            batch.lons.append(row.lon)
            batch.lats.append(row.lat)
            batch.days.append(row.day)
        }
    }

    /// One row read: where its id is in the buffer, its position and its day (days since 1970-01-01).
    public struct Row {
        public let id: Range<Int>
        public let lon: Double, lat: Double
        public let day: Int
    }

    /// Reads the complete lines of `bytes`, the first being line `firstLine`, calling `body` with
    /// each row that reads and appending a problem for each that does not (blank lines skipped).
    /// Returns the number of lines read. The one reader of rows: `parse` and the batch classifier's
    /// single pass both use it.
    @inline(__always)
    public static func forEachRow(_ bytes: UnsafeBufferPointer<UInt8>, firstLine: Int, problems: inout [RowError], _ body: (Row) -> Void) -> Int {
        var i = 0
        var line = firstLine - 1
        let n = bytes.count
        guard let base = bytes.baseAddress else { return 0 }
        // The table of days, looked up once for the whole buffer rather than once a row.
        ordinals.withUnsafeBufferPointer { table in
            while i < n {
                line += 1
                // The line's end, found with memchr (vectorised).
                let end = memchr(base + i, 0x0A, n - i).map { UnsafeRawPointer($0) - UnsafeRawPointer(base) } ?? n
                var stop = end
                if stop > i && bytes[stop - 1] == 0x0D { stop -= 1 }
                if stop > i, let row = row(bytes, i, stop, line, table, &problems) { body(row) }
                i = end + 1
            }
        }
        return line - firstLine + 1
    }

    @inline(__always)
    private static func row(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, _ line: Int, _ table: UnsafeBufferPointer<Int>, _ problems: inout [RowError]) -> Row? {
        // The id: up to the first comma.
        var k = start
        while k < end && b[k] != 0x2C { k += 1 }
        guard k < end, k > start else {
            problems.append(fieldsProblem(b, start, end, line))
            return nil
        }
        let idEnd = k
        // The longitude and latitude: a fast decimal scan that stops at the comma.
        guard let (lon, afterLon) = number(b, idEnd + 1, end), afterLon < end, b[afterLon] == 0x2C,
              let (lat, afterLat) = number(b, afterLon + 1, end), afterLat < end, b[afterLat] == 0x2C
        else {
            problems.append(fieldsProblem(b, start, end, line))
            return nil
        }
        guard (-180...180).contains(lon) else { problems.append(RowError(line: line, message: "lon \(lon) is outside -180..180")); return nil }
        guard (-90...90).contains(lat) else { problems.append(RowError(line: line, message: "lat \(lat) is outside -90..90")); return nil }
        let d = afterLat + 1
        guard let ordinal = dayOrdinal(b, d, end, table) else {
            problems.append(dateProblem(b, d, end, line))
            return nil
        }
        return Row(id: start..<idEnd, lon: lon, lat: lat, day: ordinal)
    }

    /// Says what is wrong with a row whose fields did not read on the fast path.
    private static func fieldsProblem(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, _ line: Int) -> RowError {
        var fields: [Range<Int>] = []
        var s = start
        for k in start...end where k == end || b[k] == 0x2C {
            fields.append(s..<k)
            s = k + 1
        }
        guard fields.count == 4 else {
            return RowError(line: line, message: "expected 4 fields (id,lon,lat,date), found \(fields.count)")
        }
        if fields[0].isEmpty { return RowError(line: line, message: "the id is empty") }
        for (name, range) in [("lon", fields[1]), ("lat", fields[2])] {
            let text = String(decoding: b[range].prefix(40), as: UTF8.self)
            guard let (v, stop) = number(b, range.lowerBound, range.upperBound), stop == range.upperBound else {
                return RowError(line: line, message: "\(name) '\(text)' is not a number")
            }
            if !v.isFinite { return RowError(line: line, message: "\(name) '\(text)' is not a finite number") }
        }
        return RowError(line: line, message: "the row cannot be read")
    }

    private static func dateProblem(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, _ line: Int) -> RowError {
        let text = String(decoding: b[start..<end].prefix(40), as: UTF8.self)
        do {
            _ = try Day(parsing: text)
            return RowError(line: line, message: "date '\(text)' is outside the years 1800 to 2199")
        } catch {
            if b[start..<end].contains(0x2C) { return RowError(line: line, message: "expected 4 fields (id,lon,lat,date), found more") }
            return RowError(line: line, message: "date \(error.message)")
        }
    }

    // MARK: Days

    private static let firstYear = 1800, lastYear = 2199
    /// Ordinals of every real day of 1800-2199, by (year - 1800) * 416 + month * 32 + day; Int.min for none.
    private static let ordinals: [Int] = {
        var table = [Int](repeating: Int.min, count: (lastYear - firstYear + 1) * 416)
        var ordinal = try! Day(year: firstYear, month: 1, day: 1).ordinal
        for y in firstYear...lastYear {
            for m in 1...12 {
                for d in 1...Day.daysIn(month: m, year: y) {
                    table[(y - firstYear) * 416 + m * 32 + d] = ordinal
                    ordinal += 1
                }
            }
        }
        return table
    }()

    /// The ordinal of a `YYYY-MM-DD` day in 1800-2199 filling exactly `start..<end`; nil otherwise.
    @inline(__always)
    static func dayOrdinal(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, _ table: UnsafeBufferPointer<Int>) -> Int? {
        guard end - start == 10, b[start + 4] == 0x2D, b[start + 7] == 0x2D else { return nil }
        @inline(__always) func digit(_ k: Int) -> Int? {
            let v = b[start + k] &- 0x30
            return v < 10 ? Int(v) : nil
        }
        guard let y0 = digit(0), let y1 = digit(1), let y2 = digit(2), let y3 = digit(3),
              let m0 = digit(5), let m1 = digit(6), let d0 = digit(8), let d1 = digit(9) else { return nil }
        let year = y0 * 1000 + y1 * 100 + y2 * 10 + y3
        let month = m0 * 10 + m1, day = d0 * 10 + d1
        guard year >= firstYear, year <= lastYear, month >= 1, month <= 12, day >= 1, day <= 31 else { return nil }
        let ordinal = table[(year - firstYear) * 416 + month * 32 + day]
        return ordinal == Int.min ? nil : ordinal
    }

    // MARK: Numbers

    /// 10^k for k in 0...15, each exact in binary64.
    @inline(__always)
    private static func powerOfTen(_ k: Int) -> Double {
        switch k {
        case 0: 1
        case 1: 1e1
        case 2: 1e2
        case 3: 1e3
        case 4: 1e4
        case 5: 1e5
        case 6: 1e6
        case 7: 1e7
        case 8: 1e8
        case 9: 1e9
        case 10: 1e10
        case 11: 1e11
        case 12: 1e12
        case 13: 1e13
        case 14: 1e14
        default: 1e15
        }
    }

    /// A decimal number starting at `start`, and where it stops (a comma, or `end`). Plain
    /// decimals of up to 15 digits take the exact fast path: an integer below 2^53 divided by a
    /// power of ten, both exact in binary, rounds correctly. Anything else up to the next comma
    /// (exponents, spaces, long digit strings) goes to `strtod`, which must read all of it.
    @inline(__always)
    static func number(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> (Double, Int)? {
        var i = start
        var negative = false
        if i < end && b[i] == 0x2D { negative = true; i += 1 }
        var mantissa: UInt64 = 0
        var digits = 0, fraction = 0
        var dot = false
        while i < end {
            let c = b[i]
            let d = c &- 0x30
            if d < 10 {
                mantissa = mantissa &* 10 &+ UInt64(d)
                digits += 1
                if dot { fraction += 1 }
            } else if c == 0x2E && !dot {
                dot = true
            } else {
                break
            }
            i += 1
        }
        if digits > 0 && digits <= 15 && (i == end || b[i] == 0x2C) {
            let v = Double(mantissa) / powerOfTen(fraction)
            return (negative ? -v : v, i)
        }
        return slowNumber(b, start, end)
    }

    private static func slowNumber(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> (Double, Int)? {
        var stop = start
        while stop < end && b[stop] != 0x2C { stop += 1 }
        let field = Array(b[start..<stop])
        // Only decimal notation: strtod would also take "nan", "inf" and hexadecimal.
        guard !field.isEmpty, field.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || [0x2E, 0x2D, 0x2B, 0x65, 0x45, 0x20].contains($0) }) else { return nil }
        var copy = field
        while copy.last == 0x20 { copy.removeLast() }
        copy.append(0)
        let value = copy.withUnsafeBufferPointer { p -> Double? in
            let base = UnsafeRawPointer(p.baseAddress!).assumingMemoryBound(to: CChar.self)
            var endPointer: UnsafeMutablePointer<CChar>?
            let v = strtod(base, &endPointer)
            guard let endPointer, endPointer != UnsafeMutablePointer(mutating: base), endPointer.pointee == 0 else { return nil }
            return v
        }
        guard let value, value.isFinite else { return nil }
        return (value, stop)
    }
}
