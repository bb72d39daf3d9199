import Foundation
import Testing
import TestSupport
@testable import Territory

/// A small synthetic data folder, written to a temporary place, for tests of loading and
/// validation: two squares side by side ("west" and "east", about 11 km each at 40°N), and a road.
struct FixtureData {
    let folder: URL

    static let pack = """
    {"type":"FeatureCollection","features":[
    {"type":"Feature","id":"west","properties":{"name":"West district","kind":"district"},"geometry":{"type":"Polygon","coordinates":[[[46.0,40.0],[46.1,40.0],[46.1,40.1],[46.0,40.1],[46.0,40.0]]]}},
    {"type":"Feature","id":"east","properties":{"name":"East district","kind":"district"},"geometry":{"type":"Polygon","coordinates":[[[46.1,40.0],[46.2,40.0],[46.2,40.1],[46.1,40.1],[46.1,40.0]]]}},
    {"type":"Feature","id":"road","properties":{"name":"Road","kind":"road"},"geometry":{"type":"LineString","coordinates":[[46.0,40.05],[46.2,40.05]]}}
    ]}
    """

    static let catalog = """
    {"title":"fixture","boundaries":"boundaries/pack.geojson","tolerance_km2":0.01,
     "covered":{"union":["west","east"]},
     "actors":[{"code":"AZ","name":"Azerbaijan"},{"code":"NK","name":"Nagorno-Karabakh authorities"},{"code":"RU","name":"Russian peacekeepers"}],
     "grounds":{"strip":{"buffer":"road","width":"2km","ends":"flat"}}}
    """

    static let statements = """
    {"source":{"document":"Fixture accord"},"statements":[
     {"id":"w-nk","facet":"control","holder":"NK","zone":"West","ground":{"difference":["west","strip"]},"from":"2020-01-01","to":"2020-06-01","announced":"2019-12-20","source":{"clause":"1"}},
     {"id":"w-az","facet":"control","holder":"AZ","zone":"West","ground":{"difference":["west","strip"]},"from":"2020-06-01","announced":"2019-12-20","source":{"clause":"2"}},
     {"id":"e-az","facet":"control","holder":"AZ","zone":"East","ground":{"difference":["east","strip"]},"from":"2020-01-01","announced":"2019-12-20","source":{"clause":"3"}},
     {"id":"strip-ru","facet":"control","holder":"RU","zone":"Strip","ground":"strip","from":"2020-01-01","announced":"2019-12-20","source":{"clause":"4"}},
     {"id":"sov","facet":"sovereignty","holder":"AZ","zone":"All","ground":{"union":["west","east"]},"from":"2020-01-01","announced":"2019-12-20","source":{"clause":"5"}},
     {"id":"ru-here","facet":"presence","holder":"RU","zone":"Strip","ground":"strip","from":"2020-01-01","to":"2021-01-01","announced":"2019-12-20","source":{"clause":"6"}}
    ]}
    """

    /// Writes the fixture, with `edit` applied to the statements file's text and `files` added or replaced.
    init(statements: String = FixtureData.statements, catalog: String = FixtureData.catalog,
         pack: String = FixtureData.pack, files: [String: String] = [:]) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("territory-fixture-\(UUID().uuidString)")
        let fm = FileManager.default
        try fm.createDirectory(at: folder.appendingPathComponent("boundaries"), withIntermediateDirectories: true)
        try fm.createDirectory(at: folder.appendingPathComponent("statements"), withIntermediateDirectories: true)
        var all = ["catalog.json": catalog, "boundaries/pack.geojson": pack, "statements/a.json": statements]
        for (k, v) in files { all[k] = v }
        for (path, text) in all {
            try text.write(to: folder.appendingPathComponent(path), atomically: true, encoding: .utf8)
        }
    }

    func remove() {
        try? FileManager.default.removeItem(at: folder)
    }

    /// Loads, resolves and validates, returning every problem found (empty when the data is sound).
    func problems() -> [Problem] {
        do {
            let atlas = try Atlas(Catalog.load(from: folder))
            return try atlas.validate()
        } catch let problems as Problems {
            return problems.problems
        } catch {
            return [Problem(file: "?", "unexpected: \(error)")]
        }
    }
}
