import ArgumentParser
import Geometry
import JSONText
import Territory
import TerritoryStore

/// `territory places`: the places known by name, with their names and coordinates.
struct Places: ParsableCommand {
    static let configuration = CommandConfiguration(
        // Named here: deriving the name from the type costs ArgumentParser milliseconds at every start.
        commandName: "places",
        abstract: "The places known by name (for --place), with every name they go by and their coordinates.",
        discussion: """
        Names match without regard to case or diacritics, in any of a place's spellings: \
        --place shushi, --place "Şuşa" and --place SHUSHA all name Shusha. The places are \
        data/towns.csv, each with the source of its coordinates.

        JSON is a list of {"id", "name", "names", "lon", "lat", "kind", "shape", "source"} (and \
        "km" with --near).

        EXAMPLES
          territory places
          territory places --near 46.75,39.80 --format json
        """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

    @OptionGroup var data: DataOptions

    @Option(help: ArgumentHelp("List by distance from this point, nearest first.", valueName: "LON,LAT"))
    var near: String?

    @Option(help: "Output format: text or json.")
    var format: Format = .text

    func validate() throws { _ = try point() }

    /// `--near LON,LAT`, checked.
    func point() throws(ValidationError) -> Position? {
        guard let near else { return nil }
        let parts = near.split(separator: ",", omittingEmptySubsequences: false).map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 2, let lon = parts[0], let lat = parts[1], lon.isFinite, lat.isFinite, (-180...180).contains(lon), (-90...90).contains(lat) else {
            throw ValidationError("--near: '\(near.prefix(60))' is not LON,LAT in degrees (e.g. 46.75,39.80)")
        }
        return Position(lon, lat)
    }

    func run() throws {
        try reporting("places") {
            let store = try data.openStore(use: .few)
            let gazetteer: Gazetteer
            do { gazetteer = try store.gazetteer() } catch let error as TerritoryError { throw Failure(error) }
            let from: Position?
            do { from = try point() } catch let error as ValidationError { throw Failure.usage(error.message) }
            let listed: [(town: Town, km: Double?)] = from.map { p in gazetteer.near(p).map { ($0.town, $0.km) } }
                ?? gazetteer.towns.map { ($0, nil) }
            if format == .json {
                let items: [JSONValue] = listed.map { entry in
                    guard case .object(var o) = entry.town.json else { return entry.town.json }
                    o.members.insert(("names", .array(Array(Set(entry.town.allNames.dropFirst())).sorted().map { .string($0) })), at: 2)
                    if let km = entry.km { o.members.append(("km", .number((km * 100).rounded() / 100))) }
                    return .object(o)
                }
                try writeOutput(JSONWriter.string(.array(items), sortedKeys: false) + "\n", to: nil)
                return
            }
            var out = ""
            let width = listed.map(\.town.id.count).max() ?? 0
            for entry in listed {
                let t = entry.town
                let others = Array(Set(t.allNames.dropFirst(2))).sorted().filter { $0 != t.name }
                out += "\(t.id.padding(toLength: width, withPad: " ", startingAt: 0)) \(t.name)\(others.isEmpty ? "" : " — also " + others.joined(separator: ", "))"
                out += "; \(t.kind), \(coordinates(t.position))\(entry.km.map { String(format: ", %.1f km away", $0) } ?? "")\n"
            }
            try writeOutput(out, to: nil)
        }
    }
}
