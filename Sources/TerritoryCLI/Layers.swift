import ArgumentParser
import Geometry
import Territory
import TerritoryStore

/// `territory layers`: GeoJSON of the situation on a day, or of every time slice.
struct Layers: ParsableCommand {
    static let configuration = CommandConfiguration(
        // Named here: deriving the name from the type costs ArgumentParser milliseconds at every start.
        commandName: "layers",
        abstract: "GeoJSON layers of the situation on a day (or every time slice).",
        discussion: """
        Writes an RFC 7946 FeatureCollection with one feature per (facet, holder) in force: the \
        union of the grounds of the statements in force, with properties facet, holder, \
        holder_name, valid_from and valid_to (the time slice: half-open, valid_to null when \
        open), statements, sources, zones, area_km2, uncertain (statements behind it whose start \
        or end is an uncertain range), strength (of a presence, as its source states it), and \
        as_of and view: the record it is drawn from (null: today's record, the default view; \
        other records are computed on the spot). Geometries lie on a 1e-7° grid and are \
        valid as GEOS judges them. Output is deterministic to the byte.

        EXAMPLES
          territory layers --date 2020-11-25 --facet control > control-2020-11-25.geojson
          territory layers --all --out all-slices.geojson
          territory layers --date 2020-11-16 --facet control --as-of 2020-11-12
          territory layers --date 2019-06-01 --facet sovereignty --view NK
        """
    )

    @OptionGroup var data: DataOptions

    @OptionGroup var record: RecordOptions

    @Option(help: ArgumentHelp("The day, YYYY-MM-DD.", valueName: "YYYY-MM-DD"))
    var date: Checked<Day>?

    @Flag(help: "Every time slice instead of one day.")
    var all = false

    @Option(help: ArgumentHelp("control, sovereignty, administration, presence, access or all (any case).", valueName: "facet"))
    var facet: Checked<FacetChoice> = Checked(argument: "all")!

    @Option(name: .shortAndLong, help: ArgumentHelp("Write to this file (atomically) instead of standard output.", valueName: "FILE"))
    var out: String?

    func validate() throws {
        switch (date, all) {
        case (nil, false): throw ValidationError("give --date YYYY-MM-DD, or --all for every time slice")
        case (.some, true): throw ValidationError("give --date or --all, not both")
        default: break
        }
        _ = try date?.value("--date")
        _ = try facet.value("--facet")
    }

    func run() throws {
        try reporting("layers") {
            let day = date?.checked
            let store = try data.openStore()
            let record = try self.record.record(store)
            let features = try store.layers(on: day, facets: facet.checked.facets, in: record)
            if let day, let first = store.engine.slices(in: record).first?.interval.from, day < first {
                printError("territory layers: note: no statement is in force on \(day) (the data begins on \(first))")
            }
            try writeOutput(GeoJSON.document(features.map(\.feature), alwaysCollection: true), to: out)
        }
    }
}
