import Foundation
import Geometry

/// Dated places (`id,place,date`): a CSV that names each point's place instead of giving its
/// `lon,lat`. Each row becomes an `id,lon,lat,date` row with the coordinates of the place the
/// gazetteer finds, so that the batch classifier reads it as it reads any other; a name that
/// finds no single place is a problem of its row, whose line is left blank (line numbers keep).
///
/// The place may be quoted (`"Shusha, city"`, `""` for a quote inside); the id and the date are
/// passed on as written, for the dated-point parser to check.
public struct PlaceColumnCSV {
    public static let header = Array("id,place,date".utf8)

    private let gazetteer: Gazetteer
    /// Each name seen, with its `lon,lat` or the reason it names no single place.
    private var seen: [[UInt8]: Result<[UInt8], Gazetteer.Problem>] = [:]

    public init(gazetteer: Gazetteer) { self.gazetteer = gazetteer }

    /// True when `line` (without its line end, a byte-order mark allowed) is the header `id,place,date`.
    public static func isHeader(_ line: ArraySlice<UInt8>) -> Bool {
        var line = line
        if line.starts(with: [0xEF, 0xBB, 0xBF]) { line = line.dropFirst(3) }
        if line.last == 0x0D { line = line.dropLast() }
        return line.elementsEqual(header)
    }

    /// The first line of `bytes`, without its line end.
    public static func firstLine(_ bytes: [UInt8]) -> ArraySlice<UInt8> {
        bytes[..<(bytes.firstIndex(of: 0x0A) ?? bytes.count)]
    }

    /// The complete lines of `bytes`, the first being line `firstLine`, as `id,lon,lat,date` lines,
    /// one for one, with the problems of the rows whose place cannot be found (those lines blank).
    public mutating func translate(_ bytes: [UInt8], firstLine: Int) -> (lines: [UInt8], problems: [RowError]) {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + bytes.count / 2)
        var problems: [RowError] = []
        var line = firstLine
        var start = 0
        while start < bytes.count {
            let end = bytes[start...].firstIndex(of: 0x0A) ?? bytes.count
            var stop = end
            if stop > start, bytes[stop - 1] == 0x0D { stop -= 1 }
            if stop > start {
                switch row(bytes[start..<stop]) {
                case .success(let translated): out += translated
                case .failure(let problem): problems.append(RowError(line: line, message: problem.text))
                }
            }
            if end < bytes.count { out.append(0x0A) }
            line += 1
            start = end + 1
        }
        return (out, problems)
    }

    /// One row: `id,place,date` → `id,lon,lat,date`.
    private mutating func row(_ text: ArraySlice<UInt8>) -> Result<[UInt8], Gazetteer.Problem> {
        guard let firstComma = text.firstIndex(of: 0x2C) else {
            return .failure(Gazetteer.Problem(text: "expected 3 fields (id,place,date), found 1"))
        }
        let id = text[..<firstComma]
        if id.isEmpty { return .failure(Gazetteer.Problem(text: "the id is empty")) }
        // The place: quoted (with "" for a quote) or up to the next comma.
        var name: [UInt8] = []
        var i = firstComma + 1
        if i < text.endIndex, text[i] == 0x22 {
            i += 1
            var closed = false
            while i < text.endIndex {
                if text[i] == 0x22 {
                    if i + 1 < text.endIndex, text[i + 1] == 0x22 { name.append(0x22); i += 2; continue }
                    closed = true
                    i += 1
                    break
                }
                name.append(text[i])
                i += 1
            }
            guard closed else { return .failure(Gazetteer.Problem(text: "the place's quote is not closed")) }
            guard i < text.endIndex, text[i] == 0x2C else {
                return .failure(Gazetteer.Problem(text: i < text.endIndex ? "expected a comma after the quoted place" : "expected 3 fields (id,place,date), found 2"))
            }
        } else {
            guard let comma = text[i...].firstIndex(of: 0x2C) else {
                return .failure(Gazetteer.Problem(text: "expected 3 fields (id,place,date), found 2"))
            }
            name = Array(text[i..<comma])
            i = comma
        }
        let date = text[(i + 1)...]
        let position: [UInt8]
        if let known = seen[name] {
            switch known {
            case .success(let bytes): position = bytes
            case .failure(let problem): return .failure(problem)
            }
        } else {
            let found = gazetteer.lookup(String(decoding: name, as: UTF8.self), argument: "place")
                .map { Array("\($0.position.x),\($0.position.y)".utf8) }
            // Bounded: a file of a million distinct misspellings keeps no more than this.
            if seen.count < 100_000 { seen[name] = found }
            switch found {
            case .success(let bytes): position = bytes
            case .failure(let problem): return .failure(problem)
            }
        }
        var out: [UInt8] = []
        out.reserveCapacity(id.count + position.count + date.count + 2)
        out += id
        out.append(0x2C)
        out += position
        out.append(0x2C)
        out += date
        return .success(out)
    }
}
