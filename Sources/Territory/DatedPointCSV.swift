import Foundation

/// A dated point read from CSV (`id,lon,lat,date`): the id's bytes as written, the position in
/// degrees, the day as its ordinal (days since 1970-01-01).
public struct DatedPoint {
    /// The id's bytes, valid only during the call that hands the point over.
    public let id: UnsafeBufferPointer<UInt8>
    public let lon: Double
    public let lat: Double
    public let dayOrdinal: Int
}

/// A row that could not be read, with its 1-based line number.
public struct RowError: Error, CustomStringConvertible, Sendable, Equatable {
    public let line: Int
    public let message: String
    public var description: String { "line \(line): \(message)" }
}

/// Reads `id,lon,lat,date` CSV in chunks of any size, holding at most one partial line between
/// chunks, so memory stays bounded however long the input. The first line must be the header
/// `id,lon,lat,date`; blank lines are skipped; `\r\n` line ends are accepted. The id is passed on
/// as written (it may be quoted, without commas inside quotes).
public struct DatedPointReader {
    private var pending: [UInt8] = []
    private var line = 0
    private var sawHeader = false

    public init() {}

    /// Reads the complete lines of `chunk` (and any line left from the previous chunk), calling
    /// `row` for each point and `problem` for each row that cannot be read. With `final`, a last
    /// line without a newline is read too. Returns false when the header is wrong (then nothing
    /// more is read).
    public mutating func read(_ chunk: [UInt8], final: Bool, row: (DatedPoint) -> Void, problem: (RowError) -> Void) -> Bool {
        var data: [UInt8]
        if pending.isEmpty {
            data = chunk
        } else {
            data = pending
            data += chunk
            pending.removeAll(keepingCapacity: true)
        }
        var start = 0
        var ok = true
        data.withUnsafeBufferPointer { buffer in
            var i = 0
            let n = buffer.count
            while ok {
                // Find the end of the line.
                var end = i
                while end < n && buffer[end] != 0x0A { end += 1 }
                if end == n && !final { break }
                if i >= n { break }
                line += 1
                var stop = end
                if stop > i && buffer[stop - 1] == 0x0D { stop -= 1 }
                if !sawHeader {
                    let header = Array(buffer[i..<stop])
                    let trimmed = header.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(header.dropFirst(3)) : header
                    if trimmed != Array("id,lon,lat,date".utf8) {
                        problem(RowError(line: line, message: "expected the header 'id,lon,lat,date', found '\(String(decoding: trimmed.prefix(60), as: UTF8.self))'"))
                        ok = false
                        break
                    }
                    sawHeader = true
                } else if stop > i {
                    parse(buffer, i, stop, row: row, problem: problem)
                }
                i = end + 1
                start = i
            }
        }
        if ok && start < data.count && !final {
            pending = Array(data[start...])
        }
        if final && !sawHeader && ok {
            problem(RowError(line: max(line, 1), message: "empty input: expected the header 'id,lon,lat,date'"))
            return false
        }
        return ok
    }

    private func parse(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, row: (DatedPoint) -> Void, problem: (RowError) -> Void) {
        // Split on commas (a quoted id may not hold a comma), without allocating.
        var commas = (0, 0, 0)
        var count = 0
        var k = start
        while k < end {
            if b[k] == 0x2C {
                switch count {
                case 0: commas.0 = k
                case 1: commas.1 = k
                case 2: commas.2 = k
                default: break
                }
                count += 1
            }
            k += 1
        }
        guard count == 3 else {
            problem(RowError(line: line, message: "expected 4 fields (id,lon,lat,date), found \(count + 1)"))
            return
        }
        let idRange = start..<commas.0
        guard !idRange.isEmpty else { problem(RowError(line: line, message: "the id is empty")); return }
        guard let lon = DatedPointReader.number(b, commas.0 + 1, commas.1), lon.isFinite else {
            problem(RowError(line: line, message: "lon '\(text(b, commas.0 + 1, commas.1))' is not a number"))
            return
        }
        guard let lat = DatedPointReader.number(b, commas.1 + 1, commas.2), lat.isFinite else {
            problem(RowError(line: line, message: "lat '\(text(b, commas.1 + 1, commas.2))' is not a number"))
            return
        }
        guard (-180...180).contains(lon) else { problem(RowError(line: line, message: "lon \(lon) is outside -180..180")); return }
        guard (-90...90).contains(lat) else { problem(RowError(line: line, message: "lat \(lat) is outside -90..90")); return }
        let d = commas.2 + 1
        guard end - d == 10, b[d + 4] == 0x2D, b[d + 7] == 0x2D,
              let y = digits(b, d, 4), let m = digits(b, d + 5, 2), let dd = digits(b, d + 8, 2)
        else {
            problem(RowError(line: line, message: "date '\(text(b, d, end))' is not YYYY-MM-DD"))
            return
        }
        let day: Day
        do { day = try Day(year: y, month: m, day: dd) } catch {
            problem(RowError(line: line, message: "date '\(text(b, d, end))' is not a day: \(error.message)"))
            return
        }
        row(DatedPoint(id: UnsafeBufferPointer(rebasing: b[idRange]), lon: lon, lat: lat, dayOrdinal: day.ordinal))
    }

    private func text(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> String {
        String(decoding: b[start..<min(end, start + 40)], as: UTF8.self)
    }

    private func digits(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ count: Int) -> Int? {
        var v = 0
        for k in start..<(start + count) {
            let c = b[k]
            guard c >= 0x30 && c <= 0x39 else { return nil }
            v = v * 10 + Int(c - 0x30)
        }
        return v
    }

    /// 10^k for k in 0...22, each exact in binary64.
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
        case 15: 1e15
        case 16: 1e16
        case 17: 1e17
        case 18: 1e18
        case 19: 1e19
        case 20: 1e20
        case 21: 1e21
        default: 1e22
        }
    }

    /// A decimal number. Plain decimals of up to 15 digits take the exact fast path (an integer
    /// below 2^53 divided by a power of ten, both exact in binary, rounds correctly); anything
    /// else (exponents, spaces, long digit strings) goes to `strtod`.
    @inline(__always)
    static func number(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Double? {
        var i = start
        var negative = false
        if i < end && b[i] == 0x2D { negative = true; i += 1 }
        var mantissa: UInt64 = 0
        var digits = 0, fraction = 0
        var dot = false
        var simple = i < end
        while i < end {
            let d = b[i] &- 0x30
            if d < 10 {
                mantissa = mantissa &* 10 &+ UInt64(d)
                digits += 1
                if dot { fraction += 1 }
            } else if b[i] == 0x2E && !dot {
                dot = true
            } else {
                simple = false
                break
            }
            i += 1
        }
        if simple && digits > 0 && digits <= 15 {
            let v = Double(mantissa) / powerOfTen(fraction)
            return negative ? -v : v
        }
        return slowNumber(b, start, end)
    }

    private static func slowNumber(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Double? {
        guard start < end else { return nil }
        // Slow path: strtod over a NUL-terminated copy; the whole field must be consumed.
        var copy = Array(b[start..<end])
        while copy.last == 0x20 { copy.removeLast() }
        copy.append(0)
        return copy.withUnsafeBufferPointer { p -> Double? in
            let base = UnsafeRawPointer(p.baseAddress!).assumingMemoryBound(to: CChar.self)
            var endPointer: UnsafeMutablePointer<CChar>?
            let v = strtod(base, &endPointer)
            guard let endPointer, endPointer != UnsafeMutablePointer(mutating: base),
                  endPointer.pointee == 0 else { return nil }
            // strtod accepts words such as "nan", "inf" and hexadecimal: only decimal digits are numbers here.
            let field = p.prefix(p.count - 1)
            guard field.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || [0x2E, 0x2D, 0x2B, 0x65, 0x45, 0x20].contains($0) }) else { return nil }
            return v
        }
    }
}
