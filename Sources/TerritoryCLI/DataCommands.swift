import ArgumentParser
import Foundation
import Geometry
import Territory

/// `--data DIR`, shared by every command that reads data/.
struct DataOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The data folder (catalog.json, boundaries/, statements/). Default: the built-in data, found from any working directory, or $TERRITORY_DATA.", valueName: "DIR"))
    var data: String?

    /// The data folder in use.
    func folder() throws(Failure) -> URL {
        if let data { return URL(fileURLWithPath: data) }
        guard let found = DataLocator.builtIn() else {
            throw .missingInput("cannot find the built-in data folder: name one with --data DIR or TERRITORY_DATA")
        }
        return found
    }

    /// Loads, resolves and validates the data: any problem refuses the data with every message.
    func atlas() throws(Failure) -> Atlas {
        let folder = try folder()
        guard FileManager.default.fileExists(atPath: folder.appendingPathComponent(Catalog.manifest).path) else {
            throw .missingInput("\(folder.path): no \(Catalog.manifest) here: not a territory data folder")
        }
        do {
            let atlas = try Atlas(Catalog.load(from: folder))
            let problems = try atlas.validate()
            if !problems.isEmpty { throw Problems(problems: problems) }
            return atlas
        } catch let problems as Problems {
            throw .badData(Self.report(problems.problems, in: folder))
        } catch {
            throw .internalError("\(folder.path): \(error)")
        }
    }

    /// Every problem on a line of its own, with the data folder's path before each file.
    static func report(_ problems: [Problem], in folder: URL) -> String {
        let lines = problems.map { problem in
            "\(folder.appendingPathComponent(problem.file).path)\(problem.subject.map { ": \($0)" } ?? ""): \(problem.message)"
        }
        return "\(problems.count) problem\(problems.count == 1 ? "" : "s") in the data:\n" + lines.joined(separator: "\n")
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
            let atlas = try data.atlas()
            var features: [Feature] = []
            if let day {
                if let slice = atlas.slice(containing: day) {
                    features = try atlas.layer(slice, facets: facets)
                } else {
                    printError("territory layers: note: no statement is in force on \(day) (the data begins on \(atlas.slices.first.map(\.from.description) ?? "no day"))")
                }
            } else {
                for (i, slice) in atlas.slices.enumerated() {
                    if stderrIsTerminal { printError("slice \(i + 1)/\(atlas.slices.count): \(slice)") }
                    features += try atlas.layer(slice, facets: facets)
                }
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

/// `territory status`: who held a place on a day.
struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The status of a place on a day: control, sovereignty, presence, zones, and the statements behind them.",
        discussion: """
        JSON output is one object: {"lon", "lat", "date", "covered", "control", "sovereignty", \
        "presence", "zones", "statements"}. A place outside the covered area answers \
        "covered": false with no holders; that is not an error.

        EXAMPLES
          territory status --lon 46.5469 --lat 39.6408 --date 2020-11-30
          territory status --lon 46.93 --lat 39.98 --date 2020-11-20 --format json
        """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

    @OptionGroup var data: DataOptions

    @Option(parsing: .unconditional, help: ArgumentHelp("Longitude, degrees east (WGS 84).", valueName: "X"))
    var lon: String

    @Option(parsing: .unconditional, help: ArgumentHelp("Latitude, degrees north (WGS 84).", valueName: "Y"))
    var lat: String

    @Option(help: ArgumentHelp("The day, YYYY-MM-DD.", valueName: "YYYY-MM-DD"))
    var date: String

    @Option(help: "Output format: text (a short summary with sources) or json.")
    var format: Format = .text

    func run() throws {
        try reporting("status") {
            let position = try parsePosition(lon: lon, lat: lat)
            let day = try parseDay(date, option: "--date")
            let atlas = try data.atlas()
            let answer = try atlas.status(at: position, on: day)
            try writeOutput(format == .json ? JSONWriter.string(answer.json, sortedKeys: false) + "\n" : text(answer, atlas), to: nil)
        }
    }

    private func text(_ answer: StatusAnswer, _ atlas: Atlas) -> String {
        var out = "\(coordinates(answer.position)) on \(answer.day):"
        guard answer.covered else {
            return out + " outside the covered area (\(atlas.catalog.title)): no status\n"
        }
        out += "\n"
        func name(_ code: String?) -> String {
            guard let code else { return "none" }
            return "\(code) (\(atlas.catalog.holderName(code)))"
        }
        out += "  control      \(name(answer.control))\n"
        out += "  sovereignty  \(name(answer.sovereignty))\n"
        if let administration = answer.administration { out += "  administration \(name(administration))\n" }
        out += "  presence     \(answer.presence.isEmpty ? "none" : answer.presence.map { name($0) }.joined(separator: ", "))\n"
        if let access = answer.access { out += "  access       \(access) (\(atlas.catalog.holderName(access)))\n" }
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
            let atlas = try data.atlas()
            let events = try atlas.timeline(at: position)
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
            var out = position.map { "Timeline at \(coordinates($0)):\n" } ?? "Timeline of \(atlas.catalog.title):\n"
            for e in events {
                out += line(e, atlas.catalog) + "\n"
            }
            try writeOutput(out, to: nil)
        }
    }
}

/// One dated change as a sentence: day, what changed, the ground and its size, the source, the id.
func line(_ e: TimelineEvent, _ catalog: Catalog) -> String {
    let s = e.statement
    let holder = s.holderName
    let km2 = s.areaKm2 < 10 ? String(format: "%.2f", s.areaKm2) : String(format: "%.0f", s.areaKm2)
    let cited = "\(s.source.citation) (announced \(s.announced))"
    switch e.change {
    case .superseded:
        let successor = e.successor
        return "\(e.day)  \(s.facet.rawValue) of \(s.zone) by \(holder), due from \(s.interval.from) under \(cited), is superseded: now from \(successor?.interval.from.description ?? "?") under \(successor.map { "\($0.source.citation) [\($0.id)]" } ?? "?") [\(s.id)]"
    case .begins:
        let verb: String
        switch s.facet {
        case .control: verb = "control: \(holder) holds"
        case .sovereignty: verb = "sovereignty: \(holder) over"
        case .presence: verb = "presence: \(holder) in"
        case .administration: verb = "administration: \(holder) governs"
        case .access: verb = "access: \(holder) on"
        }
        return "\(e.day)  \(verb) \(s.zone), \(km2) km² — \(cited) [\(s.id)]"
    case .ends:
        let verb: String
        switch s.facet {
        case .control: verb = "control: \(holder) no longer holds"
        case .sovereignty: verb = "sovereignty: \(holder) no longer over"
        case .presence: verb = "presence: \(holder) leaves"
        case .administration: verb = "administration: \(holder) no longer governs"
        case .access: verb = "access: no longer \(holder) on"
        }
        return "\(e.day)  \(verb) \(s.zone), \(km2) km² — \(cited) [\(s.id)]"
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
