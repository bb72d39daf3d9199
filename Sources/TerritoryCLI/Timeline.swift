import ArgumentParser
import Geometry
import JSONText
import Territory
import TerritoryStore

/// `territory timeline`: the dated changes, with sources.
struct Timeline: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The dated changes, in order, each with its ground (km²) and source; at a place with --lon and --lat.",
        discussion: """
        EXAMPLES
          territory timeline
          territory timeline --lon 46.5469 --lat 39.6408
          territory timeline --format json
        """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

    @OptionGroup var data: DataOptions

    @OptionGroup var place: PlaceOptions

    @Option(help: "Output format: text or json.")
    var format: Format = .text

    func run() throws {
        try reporting("timeline") {
            let place = self.place.position
            let store = try data.openStore(use: .few)
            let events = store.timeline(at: place)
            if format == .json {
                let items = events.map(\.json)
                try writeOutput(JSONWriter.string(.array(items), sortedKeys: false) + "\n", to: nil)
                return
            }
            var out = place.map { "Timeline at \(coordinates($0)):\n" } ?? "Timeline of \(store.title):\n"
            for e in events { out += line(e) + "\n" }
            try writeOutput(out, to: nil)
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
            return "\(e.day)  \(s.facet.rawValue) of \(s.zone) by \(holder), due from \(s.valid.from) under \(cited), is superseded: now from \(successor?.valid.from.description ?? "?") under \(successor.map { "\($0.source.citation) [\($0.id)]" } ?? "?") [\(s.id)]"
        case .begins:
            return "\(e.day)  \(s.facet.rawValue) → \(holder): \(s.zone), \(km2) km² — \(cited) [\(s.id)]"
        case .ends:
            return "\(e.day)  \(s.facet.rawValue) ends for \(holder): \(s.zone), \(km2) km² — \(cited) [\(s.id)]"
        }
    }
}
