import Foundation
import Geodesy
import Geometry
import JSONText
import Territory
import TerritoryService
import TerritoryStore

/// What one fuzz input is fed to, chosen by the environment variable `FUZZ_TARGET`.
enum FuzzTarget: String, CaseIterable {
    /// JSONReader, GeoJSON.features, GEOS geometries built from the shapes, their validity,
    /// geodesic measures, and GeoJSON written back and read again.
    case geojson
    /// The catalog loader on a data folder whose only statements file is the input.
    case statements
    /// DatedPointCSV.bodyStart and parse through LineChunker, as `status --csv` drives them,
    /// checked against one parse of the whole input.
    case csv
    /// Day(parsing:), checked against the CSV parser's own reading of days.
    case date
    /// The service's query strings (QueryString, ItemsQuery, TimeFilter) and paths (Route): any
    /// bytes are accepted or refused with a 4xx, and what is accepted reads back the same.
    case query

    /// The target named by `FUZZ_TARGET`; the tool stops with a message when it names none.
    static let selected: FuzzTarget = {
        let name = ProcessInfo.processInfo.environment["FUZZ_TARGET"] ?? ""
        guard let target = FuzzTarget(rawValue: name) else {
            let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")
            FileHandle.standardError.write(Data("TerritoryFuzz: set FUZZ_TARGET to one of \(names) (found '\(name)')\n".utf8))
            exit(2)
        }
        return target
    }()
}

/// libFuzzer's entry point: any input must be refused with an error or accepted, never crash.
/// A broken invariant calls `fail`, which aborts, and libFuzzer keeps the input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = size == 0 || data == nil ? [] : Array(UnsafeBufferPointer(start: data, count: size))
    switch FuzzTarget.selected {
    case .geojson: Fuzz.geojson(bytes)
    case .statements: Fuzz.statements(bytes)
    case .csv: Fuzz.csv(bytes)
    case .date: Fuzz.date(bytes)
    case .query: Fuzz.query(bytes)
    }
    return 0
}

/// `fuzzOneInput` as a C function pointer for libFuzzer's driver, taken in this file: taken in
/// another, the compiler would emit a second copy of the `@_cdecl` symbol there.
let fuzzOneInputPointer: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt = fuzzOneInput

enum Fuzz {
    /// Reports a broken invariant and aborts, so that libFuzzer saves the input as a crash.
    static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("TerritoryFuzz: invariant broken: \(message)\n".utf8))
        abort()
    }

    // MARK: geojson

    static func geojson(_ bytes: [UInt8]) {
        let value: JSONValue
        do {
            value = try JSONReader.parse(bytes)
        } catch {
            _ = error.description
            // The GeoJSON reader says the same, wrapped.
            do { _ = try GeoJSON.features(from: bytes); fail("GeoJSON.features accepted what JSONReader refused") } catch { _ = error.description }
            return
        }
        // What the writer writes, the reader reads back as the same value.
        let written = JSONWriter.string(value, sortedKeys: false)
        do {
            let again = try JSONReader.parse(written)
            if again != value { fail("JSON written and read back differs: \(written.prefix(200))") }
        } catch {
            fail("JSONWriter wrote what JSONReader refuses (\(error)): \(written.prefix(200))")
        }
        _ = JSONWriter.string(value, sortedKeys: true)

        let features: [Feature]
        do {
            features = try GeoJSON.features(from: value)
        } catch {
            _ = error.description
            return
        }
        let context = GEOSContext()
        for feature in features {
            guard let shape = feature.geometry else { continue }
            _ = shape.typeName
            _ = shape.isEmpty
            _ = GeodesicMeasure.measures(of: shape)
            do {
                let geometry = try Geometry(shape, context: context)
                _ = try geometry.validity()
                _ = geometry.shape
            } catch {
                _ = error.description
            }
        }
        // What GeoJSON writes, it reads back: as many features, each with or without a geometry as before.
        let document = GeoJSON.document(features)
        do {
            let again = try GeoJSON.features(from: Array(document.utf8))
            guard again.count == features.count else {
                fail("GeoJSON written and read back has \(again.count) features, not \(features.count)")
            }
            func sorted(_ p: JSONObject) -> String { JSONWriter.string(.object(p), sortedKeys: true) }
            for (a, b) in zip(again, features) where (a.geometry == nil) != (b.geometry == nil) || sorted(a.properties) != sorted(b.properties) || a.id != b.id {
                fail("GeoJSON written and read back differs: \(document.prefix(300))")
            }
        } catch {
            fail("GeoJSON wrote what it refuses to read (\(error)): \(document.prefix(300))")
        }
    }

    // MARK: statements

    /// A data folder of its own: the built-in catalog.json and boundary pack, and statements/fuzz.json.
    static let dataFolder: URL = {
        let fm = FileManager.default
        let source = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("data")
        let folder = fm.temporaryDirectory.appendingPathComponent("territory-fuzz-\(getpid())")
        do {
            try? fm.removeItem(at: folder)
            try fm.createDirectory(at: folder.appendingPathComponent("statements"), withIntermediateDirectories: true)
            try fm.createDirectory(at: folder.appendingPathComponent("boundaries"), withIntermediateDirectories: true)
            try fm.copyItem(at: source.appendingPathComponent("catalog.json"), to: folder.appendingPathComponent("catalog.json"))
            try fm.copyItem(at: source.appendingPathComponent("boundaries/drawing.json"),
                            to: folder.appendingPathComponent("boundaries/drawing.json"))
        } catch {
            FileHandle.standardError.write(Data("TerritoryFuzz: cannot make a data folder from \(source.path): \(error)\n".utf8))
            exit(2)
        }
        atexit { try? FileManager.default.removeItem(at: Fuzz.dataFolder) }
        return folder
    }()

    static func statements(_ bytes: [UInt8]) {
        let file = dataFolder.appendingPathComponent("statements/fuzz.json")
        guard FileManager.default.createFile(atPath: file.path, contents: Data(bytes)) else {
            fail("cannot write \(file.path)")
        }
        do {
            let catalog = try Catalog.load(from: dataFolder)
            for statement in catalog.statements where statement.isOnRecord {
                _ = catalog.successor(of: statement)
                _ = catalog.holderName(statement.holder)
                _ = statement.valid.description
                if statement.recorded.from != statement.announced { fail("statement \(statement.id) recorded from \(statement.recorded.from), announced \(statement.announced)") }
                if statement.file != "statements/fuzz.json" { fail("statement \(statement.id) from \(statement.file)") }
            }
        } catch {
            if error.problems.isEmpty { fail("Catalog.load threw no problems") }
            for problem in error.problems { _ = problem.description }
        }
    }

    // MARK: csv

    /// One reading of a CSV input: the points and the problems, with absolute line numbers.
    struct Reading: Equatable {
        var ids: [[UInt8]] = []
        var lons: [Double] = []
        var lats: [Double] = []
        var days: [Int] = []
        var problems: [RowError] = []
        var header: RowError?

        mutating func add(_ batch: PointBatch, lineOffset: Int) {
            for k in 0..<batch.count {
                ids.append(Array(batch.id(k)))
                lons.append(batch.lons[k])
                lats.append(batch.lats[k])
                days.append(batch.days[k])
            }
            for p in batch.problems { problems.append(RowError(line: p.line + lineOffset, message: p.message)) }
        }
    }

    /// The whole input at once.
    static func readWhole(_ bytes: [UInt8]) -> Reading {
        var reading = Reading()
        bytes.withUnsafeBufferPointer { all in
            switch DatedPointCSV.bodyStart(all) {
            case .failure(let problem): reading.header = problem
            case .success(let offset):
                guard offset <= all.count else { fail("bodyStart \(offset) past the end \(all.count)") }
                var batch = PointBatch()
                DatedPointCSV.parse(UnsafeBufferPointer(rebasing: all[offset...]), firstLine: 2, into: &batch)
                reading.add(batch, lineOffset: 0)
            }
        }
        return reading
    }

    /// As `status --csv` reads: chunks of `size` bytes through LineChunker, the header from the
    /// first run of complete lines, each run cut in two at a newline near its middle, each part
    /// parsed from line 1 and renumbered.
    static func readChunked(_ bytes: [UInt8], size: Int) -> Reading {
        var reading = Reading()
        var chunker = LineChunker()
        var nextLine = 0
        var offset = 0
        while true {
            let end = min(offset + size, bytes.count)
            let final = offset == bytes.count
            let chunk = bytes[offset..<end]
            offset = end
            let fed: [UInt8]?
            do { fed = try chunker.feed(chunk, final: final) } catch {
                // A line past the limit: status --csv refuses the input; so does this reading.
                reading.header = RowError(line: max(nextLine, 1), message: "line too long")
                return reading
            }
            guard var lines = fed else {
                if final { break }
                continue
            }
            if nextLine == 0 {
                let start = lines.withUnsafeBufferPointer { DatedPointCSV.bodyStart($0) }
                switch start {
                case .failure(let problem):
                    reading.header = problem
                    return reading
                case .success(let offset): lines.removeFirst(offset)
                }
                nextLine = 2
            }
            var cuts = [0]
            if lines.count > 1, let mid = lines[(lines.count / 2)...].firstIndex(of: 0x0A) { cuts.append(mid + 1) }
            cuts.append(lines.count)
            for i in 0..<(cuts.count - 1) {
                var batch = PointBatch()
                let read = lines.withUnsafeBufferPointer { all in
                    DatedPointCSV.parse(UnsafeBufferPointer(rebasing: all[cuts[i]..<cuts[i + 1]]), firstLine: 1, into: &batch)
                }
                reading.add(batch, lineOffset: nextLine - 1)
                nextLine += read
            }
            if final { break }
        }
        if nextLine == 0 && reading.header == nil {
            reading.header = RowError(line: 1, message: "empty input")
        }
        return reading
    }

    static func csv(_ bytes: [UInt8]) {
        let whole = readWhole(bytes)
        for p in whole.problems { _ = p.description }
        for (lon, lat) in zip(whole.lons, whole.lats) where !(lon.isFinite && lat.isFinite && abs(lon) <= 180 && abs(lat) <= 90) {
            fail("a point out of range was accepted: \(lon), \(lat)")
        }
        let variable = 1 + Int(bytes.last ?? 0) % 64
        for size in [variable, 1 << 20] {
            var chunked = readChunked(bytes, size: size)
            // An empty input has no header line for either reading; only the messages differ.
            if bytes.isEmpty { continue }
            if whole.header != nil, chunked.header != nil { chunked.header = whole.header }
            if chunked != whole {
                fail("CSV read in chunks of \(size) differs from the whole: \(chunked.problems.prefix(3)) vs \(whole.problems.prefix(3)), \(chunked.days.count) vs \(whole.days.count) points")
            }
        }
    }

    // MARK: date

    static func date(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        var parsed: Day?
        do {
            let day = try Day(parsing: text)
            parsed = day
            if day.description != text { fail("Day '\(text)' is written '\(day)'") }
            if Day(ordinal: day.ordinal) != day { fail("Day '\(text)' does not survive its ordinal") }
            if !(day.adding(days: 1) > day) || day.adding(days: 1).adding(days: -1) != day { fail("Day arithmetic around '\(text)'") }
            _ = day.longDescription
            _ = try DayInterval(from: day, to: day.adding(days: 1))
        } catch {
            _ = error.description
        }
        // The CSV parser's fast reading of a day agrees with Day(parsing:) within its years.
        guard !bytes.contains(where: { $0 == 0x0A || $0 == 0x0D || $0 == 0x2C }) else { return }
        let row = Array("id,lon,lat,date\nx,0,0,".utf8) + bytes + [0x0A]
        let reading = readWhole(row)
        if let day = parsed, (1800...2199).contains(day.year) {
            guard reading.days == [day.ordinal] else { fail("CSV reads '\(text)' as \(reading.days), Day as \(day.ordinal)") }
        } else if !reading.days.isEmpty {
            fail("CSV accepts the day '\(text)' that Day refuses or that is outside 1800-2199")
        }
    }

    static func query(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        // The path: a route or a 404, nothing else.
        do { _ = try Route(path: "/" + text.prefix { $0 != "?" }) } catch {
            if error.status != 404 { fail("path '\(text.prefix(80))' refused with \(error.status)") }
        }
        let parameters: [(name: String, value: String)]
        do { parameters = try QueryString.parse(Substring(text)) } catch {
            if error.status != 400 || error.description.isEmpty { fail("query '\(text.prefix(80))' refused with \(error.status)") }
            return
        }
        // Decoded names are unique, and escaping them again reads back the same.
        if Set(parameters.map(\.name)).count != parameters.count { fail("a name twice in '\(text.prefix(80))'") }
        let again = parameters.map { escape($0.name) + "=" + escape($0.value) }.joined(separator: "&")
        // Escaping (every byte but letters, digits and -_.~ becomes three) can make a query too
        // long to take: then it is refused, as any overlong query; otherwise it reads back the same.
        if again.utf8.count > QueryString.maximumLength {
            do { _ = try QueryString.parse(Substring(again)); fail("a query of \(again.utf8.count) bytes is taken") } catch {
                if error.status != 400 { fail("an overlong query refused with \(error.status)") }
            }
        } else {
            let back = try? QueryString.parse(Substring(again))
            if back?.map(\.name) != parameters.map(\.name) || back?.map(\.value) != parameters.map(\.value) {
                fail("'\(text.prefix(80))' does not read back through '\(again.prefix(80))'")
            }
        }
        do {
            let items = try ItemsQuery(parameters)
            if !(1...ItemsQuery.maximumLimit).contains(items.limit) || items.offset < 0 { fail("limit \(items.limit), offset \(items.offset) from '\(text.prefix(80))'") }
            if let box = items.bbox, !(box.minX <= box.maxX && box.minY <= box.maxY) { fail("an upside-down box from '\(text.prefix(80))'") }
            if let range = items.during, let from = range.from, let through = range.through, from > through { fail("a reversed range from '\(text.prefix(80))'") }
        } catch {
            if error.status != 400 || error.description.isEmpty { fail("items '\(text.prefix(80))' refused with \(error.status)") }
        }
        do { _ = try TimeFilter.parse(text) } catch {
            if error.status != 400 { fail("datetime '\(text.prefix(80))' refused with \(error.status)") }
        }
    }

    static func escape(_ text: String) -> String {
        var out = ""
        for b in text.utf8 {
            if (0x30...0x39).contains(b) || (0x41...0x5A).contains(b) || (0x61...0x7A).contains(b) { out.unicodeScalars.append(Unicode.Scalar(b)) } else { out += String(format: "%%%02X", b) }
        }
        return out
    }
}
