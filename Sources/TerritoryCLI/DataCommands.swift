import ArgumentParser
import Foundation
import Geometry
import Territory
import TerritoryStore

/// `--data DIR` and `--store PATH`, shared by every command that reads data/.
struct DataOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The data folder (catalog.json, boundaries/, statements/). Default: the built-in data, found from any working directory, or $TERRITORY_DATA.", valueName: "DIR"))
    var data: String?

    @Option(help: ArgumentHelp("The compiled store (a GeoPackage). Default: $TERRITORY_STORE, else one per data folder and boundary pack under $XDG_CACHE_HOME/territory (~/.cache/territory).", valueName: "PATH"))
    var store: String?

    @Option(help: ArgumentHelp("A boundary pack made by 'territory import' to use instead of the built-in shapes it replaces; 'builtin' for none. Default: $TERRITORY_BOUNDARIES, else the pack 'import --default' chose, else builtin.", valueName: "PACK"))
    var boundaries: String?

    /// A pack being tried by `import` before it is saved, used when --boundaries names it.
    nonisolated(unsafe) static var trialPack: PackFile?

    /// The imported pack in use, if any.
    func pack() throws(Failure) -> PackFile? {
        if let trial = Self.trialPack, boundaries == "\u{0}trial" { return trial }
        let packs = PackFolder.url
        var name = boundaries ?? ProcessInfo.processInfo.environment["TERRITORY_BOUNDARIES"]
        if name == nil || name == "" {
            name = (try? String(contentsOf: packs.appendingPathComponent("default"), encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        guard let name, !name.isEmpty, name != "builtin" else { return nil }
        let file = packs.appendingPathComponent("\(name).geojson")
        guard FileManager.default.fileExists(atPath: file.path) else {
            let known = ((try? FileManager.default.contentsOfDirectory(atPath: packs.path)) ?? []).filter { $0.hasSuffix(".geojson") }.map { String($0.dropLast(8)) }.sorted()
            throw .missingInput("--boundaries: no pack '\(name)' in \(packs.path) (packs: \((["builtin"] + known).joined(separator: ", "))); make one with 'territory import'")
        }
        return PackFile(name: name, url: file)
    }

    /// With an imported pack, overlaps and gaps up to this many km² each are warnings: surveyed
    /// district lines meet the hand-drawn ones (the contact lines, the corridor) imperfectly.
    /// Larger ones, and every problem without a pack, are errors.
    static let packWarningKm2 = 1.0

    /// The data folder in use.
    func folder() throws(Failure) -> URL {
        if let data { return URL(fileURLWithPath: data) }
        guard let found = DataLocator.builtIn() else {
            throw .missingInput("cannot find the built-in data folder: name one with --data DIR or TERRITORY_DATA")
        }
        return found
    }

    private func checkedFolder() throws(Failure) -> URL {
        let folder = try folder()
        guard FileManager.default.fileExists(atPath: folder.appendingPathComponent(Catalog.manifest).path) else {
            throw .missingInput("\(folder.path): no \(Catalog.manifest) here: not a territory data folder")
        }
        return folder
    }

    /// Loads, resolves and validates the data: any problem refuses the data with every message.
    func atlas() throws(Failure) -> Atlas {
        let folder = try checkedFolder()
        let pack = try pack()
        do {
            let atlas = try Atlas(Catalog.load(from: folder, pack: pack))
            var problems = try atlas.validate()
            if pack != nil {
                let warnings = problems.filter { ($0.areaKm2 ?? .infinity) <= Self.packWarningKm2 }
                problems.removeAll { ($0.areaKm2 ?? .infinity) <= Self.packWarningKm2 }
                for w in warnings { printError("territory: warning (boundary pack \(pack!.name)): \(Self.line(w, in: folder))") }
            }
            if !problems.isEmpty { throw Problems(problems: problems) }
            return atlas
        } catch let problems as Problems {
            throw .badData(Self.report(problems.problems, in: folder))
        } catch {
            throw .internalError("\(folder.path): \(error)")
        }
    }

    /// Where the store of this data folder lives.
    func storePath() throws(Failure) -> URL {
        if let store { return URL(fileURLWithPath: store) }
        let env = ProcessInfo.processInfo.environment
        if let path = env["TERRITORY_STORE"], !path.isEmpty { return URL(fileURLWithPath: path) }
        let cache: URL
        if let xdg = env["XDG_CACHE_HOME"], !xdg.isEmpty {
            cache = URL(fileURLWithPath: xdg)
        } else if let home = env["HOME"], !home.isEmpty {
            cache = URL(fileURLWithPath: home).appendingPathComponent(".cache")
        } else {
            cache = FileManager.default.temporaryDirectory
        }
        let folder = try checkedFolder().standardizedFileURL.path
        var hasher = Hasher64()
        hasher.add(folder)
        if let pack = try pack() { hasher.add("\u{0}" + pack.name) }
        return cache.appendingPathComponent("territory/store-\(hasher.hex).gpkg")
    }

    /// Compiles the data into the store now.
    func build() throws(Failure) -> (Store, URL) {
        let folder = try checkedFolder()
        let path = try storePath()
        if store != nil {
            var isDirectory: ObjCBool = false
            let parent = path.deletingLastPathComponent()
            guard FileManager.default.fileExists(atPath: parent.path, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw .io("\(path.path): the folder \(parent.path) does not exist")
            }
        }
        if FileManager.default.fileExists(atPath: path.path), !Store.looksLikeStore(path) {
            throw .io("\(path.path): exists and is not a territory store: not replacing it (choose another --store)")
        }
        let atlas = try atlas()
        do {
            let hash = try fingerprint(folder)
            try Store.build(atlas, dataHash: hash, to: path)
            return (try Store(path: path), path)
        } catch let failure as Failure {
            throw failure
        } catch {
            throw .io("\(path.path): cannot build the store: \(error)")
        }
    }

    /// The store, built first when it is missing or stale (its data hash differs from data/'s),
    /// with a one-line note on standard error.
    func openStore() throws(Failure) -> Store {
        let folder = try checkedFolder()
        let path = try storePath()
        let hash: String
        do { hash = try fingerprint(folder) } catch { throw .missingInput("\(error)") }
        var reason = "it does not exist yet"
        if FileManager.default.fileExists(atPath: path.path) {
            do {
                let store = try Store(path: path)
                if try store.meta("data_hash") == hash, try store.meta("format_version") == Store.formatVersion { return store }
                reason = "data/ changed since it was built"
            } catch {
                reason = "it cannot be read (\(error))"
            }
            // Only a territory store is ever replaced: any other file at that path is left alone.
            guard Store.looksLikeStore(path) else {
                throw .io("\(path.path): exists and is not a territory store: not replacing it (choose another --store)")
            }
        }
        printError("territory: note: building the store \(path.path) (\(reason))")
        return try build().0
    }

    /// The hash the store is checked against: data/ and the boundary pack in use.
    private func fingerprint(_ folder: URL) throws -> String {
        var also: [URL] = []
        // A boundary file that catalog.json names outside the folder counts too.
        if let bytes = FileManager.default.contents(atPath: folder.appendingPathComponent(Catalog.manifest).path),
           case .object(let root)? = try? JSONReader.parse(Array(bytes)), case .string(let boundaries)? = root["boundaries"],
           boundaries.hasPrefix("/") || boundaries.hasPrefix("..") {
            also.append(boundaries.hasPrefix("/") ? URL(fileURLWithPath: boundaries) : folder.appendingPathComponent(boundaries))
        }
        if let pack = try pack() { also.append(pack.url) }
        return try DataFingerprint.hash(folder: folder, also: also)
    }

    /// A problem as one line, with the data folder's path before its file.
    static func line(_ problem: Problem, in folder: URL) -> String {
        let file = problem.file.hasPrefix("/") ? problem.file : folder.appendingPathComponent(problem.file).path
        return "\(file)\(problem.subject.map { ": \($0)" } ?? ""): \(problem.message)"
    }

    /// Every problem on a line of its own, with the data folder's path before each file.
    static func report(_ problems: [Problem], in folder: URL) -> String {
        let lines = problems.map { line($0, in: folder) }
        return "\(problems.count) problem\(problems.count == 1 ? "" : "s") in the data:\n" + lines.joined(separator: "\n")
    }
}

/// FNV-1a, 64 bits: a short stable name for a data folder's store.
struct Hasher64 {
    private var value: UInt64 = 0xcbf2_9ce4_8422_2325
    mutating func add(_ text: String) {
        for b in text.utf8 {
            value ^= UInt64(b)
            value = value &* 0x0000_0100_0000_01B3
        }
    }
    var hex: String {
        let s = String(value, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }
}

/// Runs a store query, turning its failures into internal errors that name the store.
func query<T>(_ store: Store, _ body: () throws -> T) throws(Failure) -> T {
    do { return try body() } catch let failure as Failure { throw failure } catch {
        throw .internalError("\(store.path.path): \(error)")
    }
}

/// Reads a `YYYY-MM-DD` option, naming it in the error.
func parseDay(_ text: String, option: String) throws(Failure) -> Day {
    do { return try Day(parsing: text) } catch { throw .usage("\(option): \(error.message)") }
}

/// `territory layers`: GeoJSON of the situation on a day, or of every time slice.
struct Layers: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "GeoJSON layers of the situation on a day (or every time slice).",
        discussion: """
        Writes an RFC 7946 FeatureCollection with one feature per (facet, holder) in force: the \
        union of the grounds of the statements in force, with properties facet, holder, \
        holder_name, valid_from and valid_to (the time slice: half-open, valid_to null when \
        open), statements, sources, zones and area_km2. Output is deterministic to the byte.

        EXAMPLES
          territory layers --date 2020-11-25 --facet control > control-2020-11-25.geojson
          territory layers --all --out all-slices.geojson
        """
    )

    @OptionGroup var data: DataOptions

    @Option(help: ArgumentHelp("The day, YYYY-MM-DD.", valueName: "YYYY-MM-DD"))
    var date: String?

    @Flag(help: "Every time slice instead of one day.")
    var all = false

    @Option(help: ArgumentHelp("control, sovereignty, administration, presence, access or all.", valueName: "facet"))
    var facet: String = "all"

    @Option(name: .shortAndLong, help: ArgumentHelp("Write to this file (atomically) instead of standard output.", valueName: "FILE"))
    var out: String?

    func run() throws {
        try reporting("layers") {
            let facets = try parseFacets(facet)
            let day: Day?
            switch (date, all) {
            case (nil, false): throw Failure.usage("give --date YYYY-MM-DD, or --all for every time slice")
            case (.some, true): throw Failure.usage("give --date or --all, not both")
            case (let d?, false): day = try parseDay(d, option: "--date")
            case (nil, true): day = nil
            }
            let store = try data.openStore()
            let features = try query(store) { try store.layers(on: day, facets: facets) }
            if let day, let first = try query(store, { try store.firstDay() }), day < first {
                printError("territory layers: note: no statement is in force on \(day) (the data begins on \(first))")
            }
            try writeOutput(GeoJSON.document(features, alwaysCollection: true), to: out)
        }
    }
}

/// Reads `--facet`.
func parseFacets(_ text: String) throws(Failure) -> [Facet] {
    if text == "all" { return Facet.allCases }
    guard let facet = Facet(rawValue: text) else {
        throw .usage("--facet: '\(text)' is not a facet (one of \(Facet.allCases.map(\.rawValue).joined(separator: ", ")), all)")
    }
    return [facet]
}

/// `territory status`: who held a place on a day, or a million dated points.
struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The status of a place on a day, or of many dated points from CSV.",
        discussion: """
        One place: JSON output is one object: {"lon", "lat", "date", "covered", "control", \
        "sovereignty", "presence", "administration", "access", "zones", "statements"}. A place \
        outside the covered area answers "covered": false with no holders; that is not an error.

        Many points: --csv reads CSV with the header id,lon,lat,date and writes \
        id,control,sovereignty,presence,zones in input order (presence and zones joined with ';'; \
        dates from 1800 to 2199), \
        streaming, in bounded memory (the rows go through a temporary file, so that a failure never \
        leaves a partial result). A row that cannot be read is reported on standard error with \
        its line number and skipped; --strict stops at the first one instead, writing nothing.

        Answers come from the compiled store, built first when it is missing or stale.

        EXAMPLES
          territory status --lon 46.5469 --lat 39.6408 --date 2020-11-30
          territory status --lon 46.93 --lat 39.98 --date 2020-11-20 --format json
          territory status --csv points.csv --out classified.csv
        """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

    @OptionGroup var data: DataOptions

    @Option(parsing: .unconditional, help: ArgumentHelp("Longitude, degrees east (WGS 84).", valueName: "X"))
    var lon: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("Latitude, degrees north (WGS 84).", valueName: "Y"))
    var lat: String?

    @Option(help: ArgumentHelp("The day, YYYY-MM-DD.", valueName: "YYYY-MM-DD"))
    var date: String?

    @Option(help: "Output format for one place: text (a short summary with sources) or json.")
    var format: Format = .text

    @Option(help: ArgumentHelp("Classify the dated points of this CSV file ('-' for standard input).", valueName: "FILE|-"))
    var csv: String?

    @Flag(help: "With --csv: stop at the first row that cannot be read, writing nothing.")
    var strict = false

    @Option(name: .shortAndLong, help: ArgumentHelp("With --csv: write to this file (atomically) instead of standard output.", valueName: "FILE"))
    var out: String?

    func run() throws {
        try reporting("status") {
            if let csv {
                guard lon == nil, lat == nil, date == nil else {
                    throw Failure.usage("--csv classifies the points of a file: give it without --lon, --lat and --date")
                }
                try classify(csv: csv, strict: strict, out: out, data: data)
                return
            }
            guard let lon, let lat, let date else {
                throw Failure.usage("give --lon, --lat and --date for one place, or --csv FILE for many dated points")
            }
            if out != nil || strict { throw Failure.usage("--out and --strict go with --csv") }
            let position = try parsePosition(lon: lon, lat: lat)
            let day = try parseDay(date, option: "--date")
            let store = try data.openStore()
            let answer = try query(store) { try store.status(at: position, on: day) }
            let title = try query(store) { try store.meta("title") } ?? "the data"
            let boundaries = try query(store) { try store.meta("boundaries") } ?? ""
            var json = answer.json
            if !boundaries.isEmpty, case .object(var o) = json {
                o.members.append(("boundaries", .string(boundaries)))
                json = .object(o)
            }
            try writeOutput(format == .json ? JSONWriter.string(json, sortedKeys: false) + "\n"
                            : text(answer, title: title) + (boundaries.isEmpty ? "" : "  boundaries   \(boundaries)\n"), to: nil)
        }
    }

    private func text(_ answer: StatusAnswer, title: String) -> String {
        var out = "\(coordinates(answer.position)) on \(answer.day):"
        guard answer.covered else {
            return out + " outside the covered area (\(title)): no status\n"
        }
        out += "\n"
        func name(_ code: String?) -> String {
            guard let code else { return "none" }
            return "\(code) (\(answer.statements.first { $0.holder == code }?.holderName ?? code))"
        }
        out += "  control      \(name(answer.control))\n"
        out += "  sovereignty  \(name(answer.sovereignty))\n"
        if let administration = answer.administration { out += "  administration \(name(administration))\n" }
        out += "  presence     \(answer.presence.isEmpty ? "none" : answer.presence.map { name($0) }.joined(separator: ", "))\n"
        if let access = answer.access { out += "  access       \(name(access))\n" }
        out += "  zones        \(answer.zones.joined(separator: ", "))\n"
        out += "  on the authority of:\n"
        for s in answer.statements {
            out += "    \(s.id): \(s.facet.rawValue) \(s.holder), \(s.zone), \(s.interval) — \(s.source.citation) (announced \(s.announced))\(s.source.via.map { "; text: \($0)" } ?? "")\n"
        }
        return out
    }
}

/// Reads --lon and --lat.
func parsePosition(lon: String, lat: String) throws(Failure) -> Position {
    guard let x = Double(lon), x.isFinite else { throw .usage("--lon: '\(lon)' is not a number of degrees") }
    guard let y = Double(lat), y.isFinite else { throw .usage("--lat: '\(lat)' is not a number of degrees") }
    guard (-180...180).contains(x) else { throw .usage("--lon: \(lon) is outside -180..180") }
    guard (-90...90).contains(y) else { throw .usage("--lat: \(lat) is outside -90..90") }
    return Position(x, y)
}

func coordinates(_ p: Position) -> String {
    String(format: "%.4f°%@, %.4f°%@", abs(p.y), p.y >= 0 ? "N" : "S", abs(p.x), p.x >= 0 ? "E" : "W")
}

/// `territory timeline`: the dated changes, with sources.
struct Timeline: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The dated changes, in order, each with its ground (km²) and source; at a place with --lon and --lat.",
        discussion: """
        EXAMPLES
          territory timeline
          territory timeline --lon 46.5469 --lat 39.6408
        """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

    @OptionGroup var data: DataOptions

    @Option(parsing: .unconditional, help: ArgumentHelp("Longitude of the place (with --lat).", valueName: "X"))
    var lon: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("Latitude of the place (with --lon).", valueName: "Y"))
    var lat: String?

    @Option(help: "Output format: text or json.")
    var format: Format = .text

    func run() throws {
        try reporting("timeline") {
            var position: Position?
            switch (lon, lat) {
            case (nil, nil): position = nil
            case (let x?, let y?): position = try parsePosition(lon: x, lat: y)
            default: throw Failure.usage("give both --lon and --lat, or neither")
            }
            let store = try data.openStore()
            let events = try query(store) { try store.timeline(at: position) }
            let title = try query(store) { try store.meta("title") } ?? "the data"
            if format == .json {
                let items: [JSONValue] = events.map { e in
                    .object(JSONObject([
                        ("date", .string(e.day.description)), ("change", .string(e.change.rawValue)),
                        ("facet", .string(e.statement.facet.rawValue)), ("holder", .string(e.statement.holder)),
                        ("zone", .string(e.statement.zone)), ("area_km2", .number((e.statement.areaKm2 * 10).rounded() / 10)),
                        ("statement", .string(e.statement.id)), ("source", .string(e.statement.source.citation)),
                        ("announced", .string(e.statement.announced.description)),
                    ]))
                }
                try writeOutput(JSONWriter.string(.array(items), sortedKeys: false) + "\n", to: nil)
                return
            }
            var out = position.map { "Timeline at \(coordinates($0)):\n" } ?? "Timeline of \(title):\n"
            for e in events {
                out += line(e) + "\n"
            }
            try writeOutput(out, to: nil)
        }
    }
}

/// One dated change as a sentence: day, what changed, the ground and its size, the source, the id.
func line(_ e: TimelineEvent) -> String {
    let s = e.statement
    let holder = s.holderName
    let km2 = s.areaKm2 < 10 ? String(format: "%.2f", s.areaKm2) : String(format: "%.0f", s.areaKm2)
    let cited = "\(s.source.citation) (announced \(s.announced))"
    switch e.change {
    case .superseded:
        let successor = e.successor
        return "\(e.day)  \(s.facet.rawValue) of \(s.zone) by \(holder), due from \(s.interval.from) under \(cited), is superseded: now from \(successor?.interval.from.description ?? "?") under \(successor.map { "\($0.source.citation) [\($0.id)]" } ?? "?") [\(s.id)]"
    case .begins:
        return "\(e.day)  \(s.facet.rawValue) → \(holder): \(s.zone), \(km2) km² — \(cited) [\(s.id)]"
    case .ends:
        return "\(e.day)  \(s.facet.rawValue) ends for \(holder): \(s.zone), \(km2) km² — \(cited) [\(s.id)]"
    }
}

/// `territory build`: compiles data/ into the store.
struct Build: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compile data/ into the store: a SQLite database that is also an OGC GeoPackage 1.3.",
        discussion: """
        The store holds every statement with its resolved ground (table statements), the ground of \
        each (facet, holder) in every time slice (table slices), the boundary pack (boundaries) \
        and the covered area (covered_area), each with an R*Tree spatial index; dates are DATE \
        columns. It opens in QGIS and GDAL as it is. The build is atomic: it writes a temporary \
        file and renames it over the old store, so a failure or a kill leaves the old one as it \
        was. Query commands build the store themselves when it is missing or stale (data/ hashed).

        EXAMPLES
          territory build --store nk.gpkg && ogrinfo nk.gpkg
        """
    )

    @OptionGroup var data: DataOptions

    func run() throws {
        try reporting("build") {
            let (store, path) = try data.build()
            let counts = try query(store) { () throws -> String in
                let statements = try store.timeline().count
                return "\(statements) timeline events"
            }
            try writeOutput("\(path.path): built from \(try data.folder().path) (\(counts))\n", to: nil)
        }
    }
}

/// `territory validate`: checks data/ and prints every problem.
struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check data/ and print every problem (file, statement, what, where); exit 65 if any.",
        discussion: """
        Checks: JSON syntax, dates (real calendar days, 'to' after 'from'), unknown shape ids \
        and actors, duplicate ids, invalid or self-intersecting boundary shapes, grounds empty \
        within the covered area, and on every time slice that control and sovereignty neither \
        overlap nor leave gaps inside the covered area beyond the catalog's tolerance.
        """
    )

    @OptionGroup var data: DataOptions

    func run() throws {
        try reporting("validate") {
            let atlas = try data.atlas()
            let c = atlas.catalog
            let first = atlas.slices.first.map(\.from.description) ?? "-"
            try writeOutput("\(try data.folder().path): \(c.statements.count) statements, \(c.shapes.count) shapes, \(c.actors.count) actors, \(atlas.slices.count) time slices from \(first); covered area \(String(format: "%.1f", Atlas.areaKm2(atlas.covered))) km²; no problems\n", to: nil)
        }
    }
}
