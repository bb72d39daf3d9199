import ArgumentParser
import Foundation
import Geometry
import JSONText
import Territory
import TerritoryStore

/// `territory status`: who held a place on a day, or a million dated points.
struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(
        // Named here: deriving the name from the type costs ArgumentParser milliseconds at every start.
        commandName: "status",
        abstract: "The status of a place on a day, or of many dated points from CSV.",
        discussion: """
        One place: the text answer names, for each facet, the holder and its name, the zones, and \
        the statements behind it with their intervals and sources. JSON output is one object: \
        {"lon", "lat", "date", "covered", "control", "sovereignty", "presence", "administration", \
        "access", "zones", "statements"} (codes and statement ids, for scripts) and "holders" \
        (per facet, each holder's code, name and statements) and "authority" (each statement with \
        its facet, holder, holder_name, zone, valid_from, valid_to, announced, source and note). \
        A place outside the covered area answers "covered": false with no holders; that is not an \
        error. Every answer says its record: "as_of" (null for today's record) and "view" (null \
        for the default view, which leaves claims out); "uncertain" lists the facets whose \
        holder here changed on a day the sources do not fix, when the day asked falls inside \
        that range ({"facet", "between", "before", "after", "statement"}).

        Many points: --csv reads CSV with the header id,lon,lat,date and writes id and the \
        --columns (default control,sovereignty,administration,presence,access,zones; also covered \
        and statements) in input order; several holders, zones and statements are joined with ';'; \
        dates from 1800 to 2199. It streams, in bounded memory (the rows go through a temporary \
        file, so that a failure never leaves a partial result). A row that cannot be read is \
        reported on standard error with its line number and skipped; --strict stops at the first \
        one instead, writing nothing. A header id,place,date names each point's place instead of \
        its coordinates (any name 'territory places' lists; quote a name with a comma): a name \
        that finds no single place is a row that cannot be read.

        Answers come from the compiled store, built first when it is missing or stale. One place \
        and a million points get the same answers: one engine, one status rule.

        EXAMPLES
          territory status --lon 46.5469 --lat 39.6408 --date 2020-11-30
          territory status --lon 46.93 --lat 39.98 --date 2020-11-20 --format json
          territory status --lon 46.0383 --lat 40.1067 --date 2020-11-16 --as-of 2020-11-12
          territory status --lon 46.7519 --lat 39.8153 --date 2019-06-01 --view NK
          territory status --csv points.csv --out classified.csv
          territory status --csv points.csv --columns covered,control,statements
          printf 'id,place,date\\nq1,Shushi,2021-06-01\\n' | territory status --csv -
        """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

    @OptionGroup var data: DataOptions

    @OptionGroup var place: PlaceOptions

    @OptionGroup var record: RecordOptions

    @Option(help: ArgumentHelp("The day, YYYY-MM-DD.", valueName: "YYYY-MM-DD"))
    var date: Checked<Day>?

    @Option(help: "Output format for one place: text (a short summary with sources) or json.")
    var format: Format = .text

    @Option(help: ArgumentHelp("Classify the dated points of this CSV file ('-' for standard input).", valueName: "FILE|-"))
    var csv: String?

    @Option(help: ArgumentHelp("With --csv: the columns after id, comma-separated, from covered, control, sovereignty, administration, presence, access, zones, statements.", valueName: "LIST"))
    var columns: Checked<ColumnList>?

    @Option(help: ArgumentHelp("With --csv: the input has no header line and these are its columns; only id,lon,lat,date or id,place,date is read. No header is written either: for a stage of a pipeline (Spark's RDD.pipe, mapPartitions).", valueName: "COLUMNS"))
    var header: String?

    @Flag(help: "With --csv and --store: answer from that store as it is, without reading data/ (a worker shipped the binary and the store alone).")
    var storeOnly = false

    @Flag(help: "With --csv: stop at the first row that cannot be read, writing nothing.")
    var strict = false

    @Flag(help: "With --csv: read and check every row and classify nothing (no store is opened, nothing is written); exit 65 when a row cannot be read. Also the floor of a run's time: reading and parsing alone.")
    var check = false

    @Option(name: .shortAndLong, help: ArgumentHelp("With --csv: write to this file (atomically) instead of standard output.", valueName: "FILE"))
    var out: String?

    func validate() throws {
        if csv != nil {
            guard !place.given, date == nil else {
                throw ValidationError("--csv classifies the points of a file: give it without --lon, --lat, --place and --date")
            }
            _ = try columns?.value("--columns")
            if let header, !["id,lon,lat,date", "id,place,date"].contains(header.replacingOccurrences(of: " ", with: "")) {
                throw ValidationError("--header: '\(header)' is not the columns read (give --header id,lon,lat,date or id,place,date, the order the rows must have)")
            }
            if storeOnly, data.store == nil { throw ValidationError("--store-only needs --store PATH: the store to answer from") }
            if check, out != nil || columns != nil || storeOnly { throw ValidationError("--check reads the rows and writes nothing: give it without --out, --columns and --store-only") }
            return
        }
        if header != nil || storeOnly { throw ValidationError("--header and --store-only go with --csv") }
        guard place.given, date != nil else {
            throw ValidationError("give --lon and --lat (or --place NAME) and --date for one place, or --csv FILE for many dated points")
        }
        _ = try date?.value("--date")
        if out != nil || strict || check || columns != nil { throw ValidationError("--out, --strict, --check and --columns go with --csv") }
    }

    func run() throws {
        try reporting("status") {
            if let csv {
                try classify(csv: csv, columns: columns?.checked.columns ?? CSVColumn.defaults, headerless: header != nil,
                             placeColumn: header?.replacingOccurrences(of: " ", with: "") == "id,place,date", storeOnly: storeOnly,
                             strict: strict, out: out, check: check, data: data, record: record)
                return
            }
            // One answer: grids of one cell, built as fast as they are asked.
            let store = try data.openStore(use: .few)
            let (position, town) = try place.resolve(store)!
            let answer = store.status(at: position, on: date!.checked, in: try record.record(store))
            // Hints, not silent answers: a swapped pair, a day before the record.
            if !answer.covered, store.engine.isCovered(Position(position.y, position.x)) {
                printError("territory status: note: \(coordinates(position)) is outside the covered area, but \(coordinates(Position(position.y, position.x))) is inside: did you swap --lon and --lat?")
            }
            if format == .json, answer.covered, let first = answer.recordBegins, answer.day < first {
                printError("territory status: note: the record begins on \(first): no statement is in force on \(answer.day)")
            }
            let boundaries = store.boundaries
            var json = answer.json(boundaries: boundaries)
            if let town, case .object(var o) = json {
                o.members.insert(("place", town.json), at: 0)
                json = .object(o)
            }
            let placeLine = town.map { "\($0.name) (\($0.kind), \(coordinates($0.position)); \($0.source))\n" } ?? ""
            try writeOutput(format == .json ? JSONWriter.string(json, sortedKeys: false) + "\n"
                            : placeLine + text(answer, title: store.title) + (boundaries.map { "  boundaries   \($0)\n" } ?? ""), to: nil)
        }
    }

    private func text(_ answer: StatusAnswer, title: String) -> String {
        var out = "\(coordinates(answer.position)) on \(answer.day)"
        if !answer.record.isToday { out += " (\(answer.record))" }
        out += ":"
        guard answer.covered else {
            return out + " outside the covered area (\(title)): no status\n"
        }
        if let first = answer.recordBegins, answer.day < first {
            return out + " before the record begins (on \(first.longDescription)): no statement is in force yet\n"
        }
        out += "\n"
        func row(_ label: String, _ text: String) { out += "  " + label.padding(toLength: 16, withPad: " ", startingAt: 0) + text + "\n" }
        func names(_ facet: Facet) -> String {
            let holders = answer.holders[facet] ?? []
            // A state is said once: `open`, not `open (Open)`.
            return holders.isEmpty ? "none" : holders.map { $0.code.caseInsensitiveCompare($0.name) == .orderedSame ? $0.name.lowercased() : "\($0.code) (\($0.name))" }.joined(separator: ", ")
        }
        row("control", names(.control))
        row("sovereignty", names(.sovereignty))
        if answer.administration != nil { row("administration", names(.administration)) }
        row("presence", names(.presence))
        if answer.access != nil { row("access", names(.access)) }
        row("zones", answer.zones.joined(separator: ", "))
        for u in answer.uncertain {
            func said(_ codes: [String]) -> String { codes.isEmpty ? "none" : codes.joined(separator: ", ") }
            row("uncertain", "\(u.facet.rawValue) changed from \(said(u.before)) to \(said(u.after)) on a day between \(u.first.longDescription) and \(u.last.longDescription), not known for certain [\(u.statement)]")
        }
        out += "  on the authority of:\n"
        for s in answer.statements {
            let strength = s.qualifiers.strength.map { " (\($0.summary))" } ?? ""
            out += "    \(s.facet.rawValue) \(s.holder)\(strength), \(s.zone), \(Status.prose(s.valid(asOf: answer.record.asOf))) — \(s.source.citation) (announced \(s.announced.longDescription)) [\(s.id)]\n"
            if s.qualifiers.isClaim { out += "      a claim by \(s.qualifiers.claimedBy.joined(separator: ", "))\(s.qualifiers.disputedBy.isEmpty ? "" : ", disputed by " + s.qualifiers.disputedBy.map { "\($0.actor) (\($0.source.citation))" }.joined(separator: "; "))\n" }
            if let mandate = s.qualifiers.mandate { out += "      mandate: \(mandate)\n" }
        }
        return out
    }
}

extension Status {
    /// `since 10 November 2020`, or `10 November 2020 until 26 August 2022` ("until" as the
    /// statements say it: the first day on which it no longer holds).
    static func prose(_ interval: DayInterval) -> String {
        guard let to = interval.to else { return "since \(interval.from.longDescription)" }
        return "\(interval.from.longDescription) until \(to.longDescription)"
    }
}
