import ArgumentParser
import Geometry
import JSONText
import Territory
import TerritoryStore

/// `territory diff`: the ground whose holder changed between two days.
struct Diff: ParsableCommand {
    static let configuration = CommandConfiguration(
        // Named here: deriving the name from the type costs ArgumentParser milliseconds at every start.
        commandName: "diff",
        abstract: "The ground whose holder changed between two days, by facet and (from → to holder), in km².",
        discussion: """
        Compares the statements in force on --from with those in force on --to (in the record \
        chosen by --as-of and --view) and reports, per facet, each pair from holder → to holder \
        with the geodesic km² of the ground that changed, its zones, and the statements on each \
        side. Ground that did not change is not listed; the changed pieces and the unchanged \
        ground together make the covered area.

        text: a line per change. json: {"from", "to", "as_of", "view", "changes": [{"facet", \
        "from_holder", "to_holder", "area_km2", "zones", "statements_from", "statements_to", \
        "sources", "notes", "uncertain"}]} (a holder null for none; "RU+TR" for several present). \
        geojson: a FeatureCollection with one MultiPolygon feature per change, with those \
        properties.

        EXAMPLES
          territory diff --from 2020-11-09 --to 2020-12-01 --facet control
          territory diff --from 2020-09-26 --to 2020-11-10 --format geojson --out war.geojson
        """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json, geojson }

    @OptionGroup var data: DataOptions

    @OptionGroup var record: RecordOptions

    @Option(help: ArgumentHelp("The earlier day.", valueName: "YYYY-MM-DD"))
    var from: Checked<Day>

    @Option(help: ArgumentHelp("The later day.", valueName: "YYYY-MM-DD"))
    var to: Checked<Day>

    @Option(help: ArgumentHelp("control, sovereignty, administration, presence, access or all (any case).", valueName: "facet"))
    var facet: Checked<FacetChoice> = Checked(argument: "all")!

    @Option(help: "Output format: text, json or geojson.")
    var format: Format = .text

    @Option(name: .shortAndLong, help: ArgumentHelp("Write to this file (atomically) instead of standard output.", valueName: "FILE"))
    var out: String?

    func validate() throws {
        let a = try from.value("--from"), b = try to.value("--to")
        if a > b { throw ValidationError("--from \(a) is after --to \(b): give the earlier day first") }
        _ = try facet.value("--facet")
    }

    func run() throws {
        try reporting("diff") {
            let store = try data.openStore(use: .few)
            let record = try self.record.record(store)
            let (d1, d2) = (from.checked, to.checked)
            let changes = try store.diff(from: d1, to: d2, facets: facet.checked.facets, in: record)
            let notes = { (c: HolderChange) in c.notes(superseded: store.engine.statement) }
            switch format {
            case .json:
                let doc = HolderChange.document(from: d1, to: d2, record: record, changes: changes, notes: notes)
                try writeOutput(JSONWriter.string(doc, sortedKeys: false) + "\n", to: out)
            case .geojson:
                let features = changes.map { c in
                    var p = c.json(notes: notes(c))
                    p.members.insert(contentsOf: [("from", .string(d1.description)), ("to", .string(d2.description))], at: 0)
                    p.members.append(("as_of", record.asOf.map { .string($0.description) } ?? .null))
                    p.members.append(("view", record.view.map { .string($0) } ?? .null))
                    return Feature(id: .string("\(c.facet.rawValue)/\(HolderChange.label(c.fromHolders) ?? "none")/\(HolderChange.label(c.toHolders) ?? "none")"),
                                   geometry: .multiPolygon(c.polygons), properties: p)
                }
                try writeOutput(GeoJSON.document(features, alwaysCollection: true), to: out)
            case .text:
                var text = "Changes from \(d1) to \(d2)\(record.isToday ? "" : " (\(record))"):\n"
                func who(_ h: [String]) -> String { h.isEmpty ? "none" : h.joined(separator: "+") }
                for c in changes {
                    let km2 = c.areaKm2 < 10 ? String(format: "%.2f", c.areaKm2) : String(format: "%.0f", c.areaKm2)
                    text += "  \(c.facet.rawValue)  \(who(c.fromHolders)) → \(who(c.toHolders))  \(km2) km²  \(c.zones.joined(separator: "; "))\n"
                    text += "      before: \(c.statementsFrom.map(\.id).joined(separator: ", ").nonEmpty ?? "none")   after: \(c.statementsTo.map(\.id).joined(separator: ", ").nonEmpty ?? "none")\n"
                }
                if changes.isEmpty { text += "  no ground changed holder\n" }
                try writeOutput(text, to: out)
            }
        }
    }
}

extension String {
    /// nil when empty.
    var nonEmpty: String? { isEmpty ? nil : self }
}
