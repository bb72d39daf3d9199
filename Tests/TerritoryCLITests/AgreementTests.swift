import Foundation
import Geometry
import JSONText
import Testing
import TestSupport
import Territory
import TerritoryStore

/// The three paths to an answer agree: on 10,000 seeded random (point, day) pairs over the area
/// and 1994-2026, the single answer (the store's engine), the row of `territory status --csv` (the
/// tool, run as a user runs it) and a point-in-polygon test by GEOS on that day's layers, written
/// as GeoJSON by `territory layers --all` and read back, give the same holders on every facet.
@Suite(.serialized) struct AgreementTests {
    @Test func singleAnswerCSVRowAndLayersAgreeOnEveryFacet() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = folder.appendingPathComponent("nk.gpkg").path
        var random = SplitMix(state: 19940512)
        let pairs = (0..<10_000).map { _ in (Position(random.uniform(45.6...47.6), random.uniform(38.8...40.5)), random.day()) }

        // The CSV path: the tool itself.
        var csv = "id,lon,lat,date\n"
        for (i, (p, d)) in pairs.enumerated() { csv += "\(i),\(p.x),\(p.y),\(d)\n" }
        let input = folder.appendingPathComponent("points.csv")
        try csv.write(to: input, atomically: true, encoding: .utf8)
        let facets = Facet.allCases
        let classified = try Run(["status", "--csv", input.path, "--store", store, "--columns", facets.map(\.rawValue).joined(separator: ",")])
        #expect(classified.status == 0, "\(classified.stderr)")
        let rows = classified.stdout.split(separator: "\n").dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        #expect(rows.count == pairs.count)

        // The layers path: every slice as GeoJSON, read back and prepared in GEOS.
        let layers = try Run(["layers", "--all", "--store", store])
        #expect(layers.status == 0, "\(layers.stderr)")
        let context = GEOSContext()
        struct Layer { let facet: Facet; let holder: String; let from: Day; let to: Day?; let ground: PreparedGeometry }
        var written: [Layer] = []
        for feature in try GeoJSON.features(from: Array(layers.stdout.utf8)) {
            guard case .string(let f)? = feature.properties["facet"], let facet = Facet(rawValue: f),
                  case .string(let holder)? = feature.properties["holder"], case .string(let from)? = feature.properties["valid_from"],
                  let shape = feature.geometry else { Issue.record("a layer feature without facet, holder or dates"); continue }
            var to: Day?
            if case .string(let t)? = feature.properties["valid_to"] { to = day(t) }
            written.append(Layer(facet: facet, holder: holder, from: day(from), to: to, ground: try PreparedGeometry(Geometry(shape, context: context))))
        }

        // The single answer: the store's engine, in this process.
        let opened = try Store(path: URL(fileURLWithPath: store))
        var disagreements = 0, held = 0
        var holdersSeen = Set<String>()
        for (i, (p, d)) in pairs.enumerated() {
            let answer = opened.status(at: p, on: d)
            for (k, facet) in facets.enumerated() {
                let single = answer.codes(facet).sorted()
                let row = rows[i].count == facets.count + 1 ? rows[i][k + 1].split(separator: ";").map(String.init).sorted() : ["?"]
                var pip: [String] = []
                for layer in written where layer.facet == facet && layer.from <= d && (layer.to.map { d < $0 } ?? true) {
                    if try layer.ground.covers(p) { pip.append(layer.holder) }
                }
                pip.sort()
                if single != row || single != pip {
                    disagreements += 1
                    if disagreements <= 10 { Issue.record("\(p) on \(d), \(facet.rawValue): answer \(single), csv \(row), layers \(pip)") }
                }
                if !single.isEmpty { held += 1; holdersSeen.insert("\(facet.rawValue)/\(single.joined(separator: "+"))") }
            }
        }
        #expect(disagreements == 0)
        // The pairs reach every facet and many holders: the comparison is not of empty answers.
        #expect(held > 8_000, "\(held) facet answers with a holder")
        for expected in ["control/AZ", "control/NK", "control/RU", "sovereignty/AZ", "presence/RU", "administration/NK", "access/open"] {
            #expect(holdersSeen.contains(expected), "no point answered \(expected): \(holdersSeen.sorted())")
        }
    }
}
