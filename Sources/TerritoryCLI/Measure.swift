import ArgumentParser
import Geodesy
import Geometry
import JSONText
import Territory
import TerritoryStore

/// `territory measure`: geodesic lengths and areas.
struct Measure: ParsableCommand {
    static let configuration = CommandConfiguration(
        // Named here: deriving the name from the type costs ArgumentParser milliseconds at every start.
        commandName: "measure",
        abstract: "Geodesic length (km) and area (km²) of GeoJSON features, one row each and a total.",
        discussion: """
        Lengths and areas are measured on the WGS 84 ellipsoid along the lines GeoJSON draws \
        (straight in longitude/latitude), never in square degrees. length_km is the length of \
        LineStrings, perimeter_km the length of polygon rings, area_km2 the area of polygons \
        (holes subtracted). The total adds the features up as they are: overlapping features \
        count twice.

        With --districts, it measures the districts of the boundary pack in use instead (the \
        built-in one, or --boundaries PACK) beside their official areas (data/official_areas.csv, \
        each with its source).

        EXAMPLES
          territory measure districts.geojson
          territory measure --format json corridor.geojson
          territory measure --districts --boundaries geoboundaries
        """
    )

    @Flag(help: "Measure the districts of the boundary pack in use beside their official areas.")
    var districts = false

    @OptionGroup var data: DataOptions

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case table, json
    }

    @Argument(help: ArgumentHelp("GeoJSON input; '-' or nothing for standard input.", valueName: "FILE|-"))
    var input: String?

    @Option(help: "Output format: table (aligned text) or json.")
    var format: Format = .table

    @Option(name: .shortAndLong, help: ArgumentHelp("Write to this file (atomically) instead of standard output.", valueName: "FILE"))
    var out: String?

    func validate() throws {
        if districts, input != nil { throw ValidationError("--districts measures the boundary pack: give it without a FILE") }
    }

    func run() throws {
        try reporting("measure") {
            if districts {
                try writeOutput(try districtTable(), to: out)
                return
            }
            let source = InputSource(input)
            let features = try source.features()
            var rows: [(label: String, type: String, measures: GeodesicMeasure.Measures)] = []
            for (i, feature) in features.enumerated() {
                guard let shape = feature.geometry else {
                    throw Failure.badData("\(source.name): \(location(i, of: features.count))the feature has a null geometry: nothing to measure")
                }
                rows.append((label(feature, index: i), shape.typeName, GeodesicMeasure.measures(of: shape)))
            }
            let total = rows.reduce(GeodesicMeasure.Measures()) { $0 + $1.measures }
            let text = format == .json ? json(rows, total) : table(rows, total)
            try writeOutput(text, to: out)
        }
    }

    private func values(_ m: GeodesicMeasure.Measures) -> [(String, Double)] {
        [("length_km", rounded(m.lineLength / 1000, 6)), ("perimeter_km", rounded(m.perimeter / 1000, 6)), ("area_km2", rounded(m.area / 1e6, 6))]
    }

    private func json(_ rows: [(label: String, type: String, measures: GeodesicMeasure.Measures)], _ total: GeodesicMeasure.Measures) -> String {
        let features: [JSONValue] = rows.enumerated().map { i, row in
            .object(JSONObject([("index", .number(Double(i))), ("name", .string(row.label)), ("type", .string(row.type))]
                + values(row.measures).map { ($0.0, JSONValue.number($0.1)) }))
        }
        let document = JSONValue.object(JSONObject([
            ("features", .array(features)),
            ("total", .object(JSONObject(values(total).map { ($0.0, JSONValue.number($0.1)) }))),
            ("units", .object(JSONObject([("length", .string("km, geodesic on WGS 84")), ("area", .string("km², geodesic on WGS 84"))]))),
        ]))
        return JSONWriter.string(document) + "\n"
    }

    private func table(_ rows: [(label: String, type: String, measures: GeodesicMeasure.Measures)], _ total: GeodesicMeasure.Measures) -> String {
        let header = ["feature", "type", "length_km", "perimeter_km", "area_km2"]
        func cells(_ label: String, _ type: String, _ m: GeodesicMeasure.Measures) -> [String] {
            [label, type, fixed(m.lineLength / 1000), fixed(m.perimeter / 1000), fixed(m.area / 1e6)]
        }
        var lines = rows.map { cells($0.label, $0.type, $0.measures) }
        lines.append(cells("total", "", total))
        let widths = header.indices.map { c in ([header] + lines).map { $0[c].count }.max() ?? 0 }
        func render(_ row: [String]) -> String {
            row.enumerated().map { c, cell in
                c < 2 ? cell.padding(toLength: widths[c], withPad: " ", startingAt: 0)
                      : String(repeating: " ", count: widths[c] - cell.count) + cell
            }.joined(separator: "  ")
        }
        var out = render(header) + "\n"
        for (i, row) in lines.enumerated() {
            if i == lines.count - 1 { out += widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ") + "\n" }
            out += render(row) + "\n"
        }
        return out
    }

    /// The districts of the pack in use: geodesic area, official area and the difference.
    private func districtTable() throws(Failure) -> String {
        let set = try data.dataSet()
        let catalog: Catalog
        do { catalog = try set.catalog() } catch { throw Failure(error) }
        let official = catalog.officialAreas.mapValues { ($0.km2, $0.source) }
        var rows: [JSONValue] = []
        var lines = ["district             area_km2  official_km2  difference  source"]
        for shape in catalog.shapes.values.filter({ $0.kind == .district }).sorted(by: { $0.id < $1.id }) {
            let km2 = GeodesicMeasure.measures(of: shape.shape).area / 1e6
            let o = official[shape.id]
            let difference = o.map { (km2 - $0.0) / $0.0 * 100 }
            rows.append(.object(JSONObject([
                ("id", .string(shape.id)), ("name", .string(shape.name)), ("area_km2", .number(rounded(km2, 1))),
                ("official_km2", o.map { .number($0.0) } ?? .null), ("difference_percent", difference.map { .number(rounded($0, 1)) } ?? .null),
                ("source", o.map { .string($0.1) } ?? .null),
            ])))
            lines.append("\(shape.name.padding(toLength: 18, withPad: " ", startingAt: 0)) \(String(format: "%10.1f", km2))  \(o.map { String(format: "%12.0f", $0.0) } ?? "           -")  \(difference.map { String(format: "%+9.1f %%", $0) } ?? "          -")  \(o?.1 ?? "")")
        }
        let which = catalog.pack.map { "boundary pack \($0.citation)" } ?? "built-in boundary pack (drawn by hand)"
        if format == .json {
            return JSONWriter.string(.object(JSONObject([("boundaries", .string(which)), ("districts", .array(rows))])), sortedKeys: false) + "\n"
        }
        return "Districts of the \(which); areas geodesic on WGS 84:\n" + lines.joined(separator: "\n") + "\n"
    }

    private func fixed(_ v: Double) -> String {
        String(format: "%.3f", v)
    }
}
