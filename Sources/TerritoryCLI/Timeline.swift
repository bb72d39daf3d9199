import ArgumentParser
import Geometry
import JSONText
import Territory
import TerritoryStore

/// `territory timeline`: the chronology of changes of holder, with sources.
struct Timeline: ParsableCommand {
    static let configuration = CommandConfiguration(
        // Named here: deriving the name from the type costs ArgumentParser milliseconds at every start.
        commandName: "timeline",
        abstract: "The changes of holder, in order, each with its ground (km²) and source; at a place with --lon and --lat.",
        discussion: """
        Each line is a change of holder on some ground from one time slice to the next: the \
        day, the facet, from holder → to holder (none where no statement said), the zones and \
        the km² that changed, the source and the statement ids. Notes follow where a date was \
        superseded (a postponed deadline), a presence has a stated strength or mandate, or the \
        day is uncertain (marked '?': the sources give a range; slices take its first day).

        At a place (--lon, --lat) only the changes there are listed, after a line per facet \
        with that place's holders in turn.

        JSON is one object: {"as_of", "view", "changes": [{"date", "facet", "from_holder", \
        "to_holder", "area_km2", "zones", "statements_from", "statements_to", "sources", \
        "notes", "uncertain"}]}, with "lon", "lat" and "holders" at a place.

        EXAMPLES
          territory timeline
          territory timeline --lon 46.0383 --lat 40.1067
          territory timeline --from 2020-09-27 --to 2020-12-01 --facet control
          territory timeline --as-of 2020-11-12 --format json
        """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

    @OptionGroup var data: DataOptions

    @OptionGroup var place: PlaceOptions

    @OptionGroup var record: RecordOptions

    @Option(help: ArgumentHelp("Only changes on or after this day.", valueName: "YYYY-MM-DD"))
    var from: Checked<Day>?

    @Option(help: ArgumentHelp("Only changes on or before this day.", valueName: "YYYY-MM-DD"))
    var to: Checked<Day>?

    @Option(help: ArgumentHelp("control, sovereignty, administration, presence, access or all (any case).", valueName: "facet"))
    var facet: Checked<FacetChoice> = Checked(argument: "all")!

    @Option(help: "Output format: text or json.")
    var format: Format = .text

    func validate() throws {
        let a = try from?.value("--from"), b = try to?.value("--to")
        if let a, let b, a > b { throw ValidationError("--from \(a) is after --to \(b): give the earlier day first") }
        _ = try facet.value("--facet")
    }

    func run() throws {
        try reporting("timeline") {
            let store = try data.openStore(use: .few)
            let resolved = try place.resolve(store)
            let position = resolved?.position
            let chronology = try store.chronology(at: position, in: try record.record(store))
                .filtered(from: from?.checked, to: to?.checked, facets: facet.checked.facets)
            if format == .json {
                var json = chronology.json
                if let town = resolved?.town, case .object(var o) = json {
                    o.members.insert(("place", town.json), at: 0)
                    json = .object(o)
                }
                try writeOutput(JSONWriter.string(json, sortedKeys: false) + "\n", to: nil)
                return
            }
            let recordNote = chronology.record.isToday ? "" : " (\(chronology.record))"
            var out = position.map { p in "Timeline at \(resolved?.town.map { "\($0.name), " } ?? "")\(coordinates(p))\(recordNote):\n" } ?? "Timeline of \(store.title)\(recordNote):\n"
            if position != nil {
                for entry in chronology.holders {
                    out += "  \(entry.facet.rawValue.padding(toLength: 14, withPad: " ", startingAt: 0)) \(Chronology.sentence(entry.runs))\n"
                }
                out += "\n"
            }
            for c in chronology.changes {
                out += line(c) + "\n"
                for note in chronology.notes(c) { out += "              note: \(note)\n" }
            }
            if chronology.changes.isEmpty { out += "  no change\(position == nil ? "" : " here") in what was asked\n" }
            try writeOutput(out, to: nil)
        }
    }

    /// `2020-10-04  control  NK → AZ  Jabrayil and the Aras valley, 566 km² — source [id]`.
    func line(_ c: HolderChange) -> String {
        func who(_ h: [String]) -> String { h.isEmpty ? "none" : h.joined(separator: "+") }
        let km2 = c.areaKm2 < 10 ? String(format: "%.2f", c.areaKm2) : String(format: "%.0f", c.areaKm2)
        let behind = c.toHolders.isEmpty ? c.statementsFrom : c.statementsTo
        var sources: [String] = []
        for s in behind where !sources.contains(s.source.citation) { sources.append(s.source.citation) }
        let day = c.day.description + (c.uncertain == nil ? " " : "?")
        return "\(day) \(c.facet.rawValue)  \(who(c.fromHolders)) → \(who(c.toHolders))  \(c.zones.joined(separator: "; ")), \(km2) km² — \(sources.joined(separator: "; ")) [\(behind.map(\.id).joined(separator: ", "))]"
    }
}
