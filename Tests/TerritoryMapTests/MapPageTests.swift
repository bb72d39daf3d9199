import Foundation
import Territory
import TerritoryStore
import Testing
import TestSupport

/// The web map at /map, served by `territory serve`: its files over HTTP, then the page in a real
/// browser (headless Chromium through Selenium and Debian's chromedriver: Browser/map_check.py).
@Suite(.serialized) struct MapPageTests {
    static let python = packageRoot.appendingPathComponent(".build-venv/bin/python")
    static let leaflet = URL(fileURLWithPath: "/usr/share/javascript/leaflet")

    func server() throws -> ServedTool {
        try ServedTool(["--store", MapStore.shared.folder.appendingPathComponent("nk.gpkg").path, "--quiet"])
    }

    @Test func thePageItsScriptAndDebiansLeafletAreServed() throws {
        let server = try server()
        defer { server.stop() }
        let page = try RawHTTP.get("/map?date=2021-06-01&facet=control", port: server.port)
        #expect(page.status == 200 && page.headers["content-type"]?.hasPrefix("text/html") == true)
        #expect(page.text.contains("/map/leaflet/leaflet.js") && page.text.contains("/map/map.js") && !page.text.contains("://unpkg") && !page.text.contains("cdn"))
        let script = try RawHTTP.get("/map/map.js", port: server.port)
        #expect(script.status == 200 && script.text.contains("window.territoryMap"))
        for file in ["leaflet.js", "leaflet.css", "images/layers.png"] {
            let served = try RawHTTP.get("/map/leaflet/\(file)", port: server.port)
            let onDisk = try Data(contentsOf: Self.leaflet.appendingPathComponent(file))
            #expect(served.status == 200 && Data(served.body) == onDisk, "\(file): the file of libjs-leaflet, byte for byte")
        }
        let base = try RawHTTP.get("/map/base.json", port: server.port)
        #expect(base.status == 200)
        let json = try JSONSerialization.jsonObject(with: Data(base.body)) as? [String: Any] ?? [:]
        let districts = (json["districts"] as? [String: Any])?["features"] as? [[String: Any]] ?? []
        let towns = (json["towns"] as? [String: Any])?["features"] as? [[String: Any]] ?? []
        let catalog = try Catalog.load(from: projectData)
        #expect(districts.count == catalog.shapes.values.filter { $0.kind == .district }.count && districts.count == 11)
        #expect(towns.count == catalog.towns.count && towns.count >= 10)
        let holders = json["holders"] as? [[String: Any]] ?? []
        for (code, actor) in catalog.actors {
            #expect(holders.contains { $0["code"] as? String == code && $0["colour"] as? String == actor.colour }, "\(code) with its colour")
        }
        #expect((json["palette"] as? String)?.contains("Okabe") == true)
    }

    @Test func inARealBrowser() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/chromium"), FileManager.default.isExecutableFile(atPath: "/usr/bin/chromedriver") else {
            Issue.record("Debian's chromium and chromium-driver are missing: tools/deps installs them"); return
        }
        guard (try? runTool(Self.python, ["-c", "import selenium"]))?.status == 0 else {
            Issue.record("selenium missing in .build-venv: tools/deps installs tools/requirements.txt"); return
        }
        let server = try server()
        defer { server.stop() }
        let shots = packageRoot.appendingPathComponent(".build/screenshots")
        let run = try runTool(Self.python, [packageRoot.appendingPathComponent("Tests/TerritoryMapTests/Browser/map_check.py").path, server.base, shots.path])
        #expect(run.status == 0, "\(run.output)")
        #expect(run.output.contains("all checks passed"), "\(run.output)")
        for day in ["2020-11-09", "2020-11-26", "2021-06-01"] {
            #expect(FileManager.default.fileExists(atPath: shots.appendingPathComponent("map-\(day).png").path), "a screenshot of \(day)")
        }
    }
}
