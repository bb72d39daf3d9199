import Foundation
import Geodesy
import Geometry
import Territory
import TerritoryMap
import TerritoryStore
import Testing
import TestSupport

/// A store built from data/ once for the suite.
final class MapStore: @unchecked Sendable {
    let folder: URL
    let store: Store

    static let shared: MapStore = {
        do { return try MapStore() } catch { fatalError("cannot build the store: \(error)") }
    }()

    init() throws {
        folder = try temporaryFolder()
        let path = folder.appendingPathComponent("nk.gpkg")
        let built = try Run(["build", "--store", path.path])
        guard built.status == 0 else { throw SVGProblem(message: built.stderr) }
        store = try Store(path: path)
    }
}

struct SVGProblem: Error { let message: String }

/// The elements of our own SVG with their attributes, read by a scanner that knows nothing of
/// the writer: `<name a="v" ...>`, entities undone.
struct SVGElement {
    let name: String
    let attributes: [String: String]
    let text: String

    static func all(_ svg: String) -> [SVGElement] {
        var out: [SVGElement] = []
        let u = Array(svg.utf8)
        var i = 0
        while i < u.count {
            guard u[i] == UInt8(ascii: "<"), i + 1 < u.count, u[i + 1] != UInt8(ascii: "/"), u[i + 1] != UInt8(ascii: "?") else { i += 1; continue }
            var j = i + 1
            while j < u.count, u[j] != UInt8(ascii: " "), u[j] != UInt8(ascii: ">"), u[j] != UInt8(ascii: "/") { j += 1 }
            let name = String(decoding: u[(i + 1)..<j], as: UTF8.self)
            var attributes: [String: String] = [:]
            while j < u.count, u[j] != UInt8(ascii: ">") {
                if u[j] == UInt8(ascii: "=") && j + 1 < u.count && u[j + 1] == UInt8(ascii: "\"") {
                    var k = j - 1
                    while k > i, u[k] != UInt8(ascii: " ") { k -= 1 }
                    let key = String(decoding: u[(k + 1)..<j], as: UTF8.self)
                    var e = j + 2
                    while e < u.count, u[e] != UInt8(ascii: "\"") { e += 1 }
                    attributes[key] = unescape(String(decoding: u[(j + 2)..<e], as: UTF8.self))
                    j = e + 1
                } else { j += 1 }
            }
            var text = ""
            if j < u.count, j > 0, u[j - 1] != UInt8(ascii: "/") {
                var e = j + 1
                while e < u.count, u[e] != UInt8(ascii: "<") { e += 1 }
                text = unescape(String(decoding: u[min(j + 1, e)..<e], as: UTF8.self))
            }
            out.append(SVGElement(name: name, attributes: attributes, text: text))
            i = j
        }
        return out
    }

    static func unescape(_ s: String) -> String {
        s.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&amp;", with: "&")
    }

    subscript(_ key: String) -> String? { attributes[key] }
    func number(_ key: String) -> Double? { attributes[key].flatMap(Double.init) }
}

@Suite(.serialized) struct MapPictureTests {
    var store: Store { MapStore.shared.store }

    func render(_ days: [String], facet: Facet = .control, size: (Int, Int) = (1600, 1200)) throws -> (String, [SVGElement]) {
        let svg = try MapPicture(store: store, request: .init(days: days.map(day), facet: facet, width: size.0, height: size.1)).svg()
        return (svg, SVGElement.all(svg))
    }

    @Test func aPathPerFeatureInItsHoldersColourAndTheLegend() throws {
        let base = try store.mapBase()
        for (date, facet) in [("2021-06-01", Facet.control), ("2020-11-09", .control), ("2021-06-01", .presence), ("2024-01-01", .sovereignty)] {
            let (_, elements) = try render([date], facet: facet)
            let grounds = elements.filter { $0.name == "path" && $0["class"] == "ground" }
            let features = try store.layers(on: day(date), facets: [facet])
            #expect(grounds.count == features.count, "\(date) \(facet): \(grounds.count) paths for \(features.count) features")
            #expect(grounds.map { $0["data-holder"] ?? "" } == features.map(\.holder))
            for path in grounds {
                let holder = path["data-holder"] ?? ""
                let declared = base.holders.first { $0.code == holder }?.colour
                #expect(declared != nil, "\(holder) has a colour in catalog.json")
                #expect(path["fill"] == declared, "\(date): \(holder) drawn \(path["fill"] ?? "none"), declared \(declared ?? "none")")
                #expect((path["d"] ?? "").hasPrefix("M"))
            }
            let legend = elements.filter { $0.name == "g" && $0["class"] == "legend-entry" }.compactMap { $0["data-label"] }
            for feature in features { #expect(legend.contains(feature.holderName), "\(date): legend lacks \(feature.holderName): \(legend)") }
            #expect(legend.contains("District boundary") && legend.contains("Town"))
            if date == "2021-06-01" && facet == .control {
                #expect(legend.contains("Present: Russian peacekeeping contingent"), "\(legend)")
                #expect(legend.contains("Lachin corridor, access: Open"), "\(legend)")
                #expect(elements.contains { $0["class"] == "presence" && $0["data-holder"] == "RU" && $0["fill"] == "url(#hatch-RU)" })
                #expect(elements.contains { $0["class"] == "access" && $0["data-holder"] == "open" })
            }
            if date == "2020-11-09" {
                #expect(!legend.contains { $0.hasPrefix("Present:") || $0.hasPrefix("Lachin corridor") }, "no peacekeepers or corridor before 10 November 2020: \(legend)")
            }
            // The colours differ for every holder drawn.
            let colours = Set(grounds.compactMap { $0["fill"] })
            #expect(colours.count == Set(grounds.compactMap { $0["data-holder"] }).count)
        }
    }

    @Test func townsAndDistrictsWhereTheProjectionPutsThem() throws {
        let (_, elements) = try render(["2021-06-01"])
        guard let root = elements.first(where: { $0.name == "svg" }), let definition = root["data-projection"],
              let panel = elements.first(where: { $0["class"] == "panel" }), let origin = panel["data-origin"]?.split(separator: ",").compactMap({ Double($0) }),
              origin.count == 2, let scale = panel.number("data-scale") else { Issue.record("no projection or panel"); return }
        #expect(definition.contains("+proj=stere"), "conformal: \(definition)")
        let projection = try LocalProjection(definition: definition, center: Position(0, 0))
        let base = try store.mapBase()
        let circles = elements.filter { $0.name == "circle" && $0["class"] == "town" }
        // Cities and towns, not the villages that pin the contact line: an overview labels few.
        let shown = base.towns.filter(\.isLabelledOnOverview)
        #expect(circles.count == shown.count && shown.count >= 10 && shown.count < base.towns.count, "\(circles.count) of \(base.towns.count)")
        for town in shown {
            guard let circle = circles.first(where: { $0["data-id"] == town.id }), let cx = circle.number("cx"), let cy = circle.number("cy") else {
                Issue.record("no circle for \(town.id)"); continue
            }
            let m = try projection.forward([town.position])[0]
            #expect(abs(cx - (origin[0] + scale * m.x)) <= 0.06 && abs(cy - (origin[1] - scale * m.y)) <= 0.06, "\(town.id) at \(cx),\(cy)")
            #expect(elements.contains { $0["class"] == "town-name" && $0.text == town.name }, "\(town.name) is labelled")
        }
        let names = elements.filter { $0["class"] == "district-name" }.map(\.text)
        #expect(names.count == base.districts.count && names.contains("Lachin") && names.contains("Kalbajar"), "\(names)")
        #expect(elements.filter { $0["class"] == "district" }.count == base.districts.count)
        // The title is the date; the credit names the statement's sources, the boundaries and the licence.
        #expect(elements.first { $0["class"] == "title" }?.text == "1 June 2021")
        let credit = elements.filter { $0.name == "text" && !$0.text.isEmpty }.map(\.text).joined(separator: " ")
        #expect(credit.contains("Statement by President of the Republic of Azerbaijan") || credit.contains("10 November 2020"), "\(credit)")
        #expect(credit.contains("drawn by hand") && credit.contains("CC BY 4.0"), "\(credit)")
    }

    @Test func theScaleBarIsTrueOnTheGround() throws {
        for size in [(1600, 1200), (800, 600), (3000, 1000)] {
            let (_, elements) = try render(["2020-12-01"], size: size)
            guard let root = elements.first(where: { $0.name == "svg" }), let definition = root["data-projection"],
                  let panel = elements.first(where: { $0["class"] == "panel" }), let scale = panel.number("data-scale"),
                  let bar = elements.first(where: { $0["class"] == "scale-bar" }), let km = bar.number("data-km"),
                  let line = elements.first(where: { $0["class"] == "scale-line" }), let x1 = line.number("x1"), let x2 = line.number("x2")
            else { Issue.record("no scale bar"); return }
            let projection = try LocalProjection(definition: definition, center: Position(0, 0))
            // The bar's length in pixels, laid across the map's centre, measured on the ellipsoid.
            let half = (x2 - x1) / scale / 2
            let ends = try projection.inverse([Position(-half, 0), Position(half, 0)])
            let metres = Geodesic.wgs84.distance(ends[0], ends[1])
            #expect(abs(metres - km * 1000) / (km * 1000) < 0.002, "\(size): a bar of \(km) km measures \(metres) m on the ground")
            let label = elements.first { $0.name == "text" && $0.text.contains(" km") }?.text ?? ""
            #expect(label.hasPrefix("\(km == km.rounded() ? String(Int(km)) : String(km)) km"), "\(label)")
            #expect(x2 - x1 >= 40, "the bar is long enough to read: \(x2 - x1) px")
        }
    }

    @Test func smallMultiplesShareOneScaleAndOneLegend() throws {
        let days = ["2020-11-09", "2020-11-20", "2020-11-25", "2020-12-01"]
        let (_, elements) = try render(days)
        let panels = elements.filter { $0["class"] == "panel" }
        #expect(panels.map { $0["data-date"] ?? "" } == days)
        #expect(Set(panels.compactMap { $0["data-scale"] }).count == 1, "one scale")
        #expect(elements.filter { $0["class"] == "legend" }.count == 1 && elements.filter { $0["class"] == "scale-bar" }.count == 1)
        #expect(elements.filter { $0["class"] == "caption" }.map(\.text) == ["9 November 2020", "20 November 2020", "25 November 2020", "1 December 2020"])
        // Aghdam changes hands on the 20th, Kalbajar on the 25th: the panels differ.
        let grounds = panels.indices.map { i in elements.filter { $0["class"] == "ground" } }
        #expect(!grounds.isEmpty)
    }

    @Test func badRequestsAreRefused() throws {
        #expect(throws: TerritoryError.self) { _ = try MapPicture(store: store, request: .init(days: [day("2021-06-01")], width: 0, height: 0)) }
        #expect(throws: TerritoryError.self) { _ = try MapPicture(store: store, request: .init(days: [])) }
        do {
            _ = try MapPicture(store: store, request: .init(days: Array(repeating: day("2021-06-01"), count: 30), width: 200, height: 200)).svg()
            Issue.record("30 maps in 200x200 were drawn")
        } catch {
            #expect(error.kind == .badInput && error.message.contains("too"), "\(error)")
        }
    }
}

/// The tool's `render`: files, PNG through librsvg, determinism and bad arguments.
@Suite(.serialized) struct RenderCommandTests {
    let folder: URL
    init() throws { folder = try temporaryFolder() }

    func run(_ arguments: [String]) throws -> Run { try Run(["render"] + arguments) }

    @Test func svgIsTheSameToTheByte() throws {
        let a = folder.appendingPathComponent("a.svg"), b = folder.appendingPathComponent("b.svg")
        for file in [a, b] {
            let r = try run(["--date", "2020-12-01", "--out", file.path])
            #expect(r.status == 0, "\(r.stderr)")
        }
        let first = try Data(contentsOf: a), second = try Data(contentsOf: b)
        #expect(first == second && first.count > 10_000)
        let other = try run(["--date", "2020-11-09"])
        #expect(other.status == 0 && other.stdout.hasPrefix("<?xml") && Data(other.stdout.utf8) != first)
    }

    /// The colour most often drawn in a ring of 6 to 9 pixels around a town (its marker and its
    /// label, up and to the right, left out).
    func colourAround(_ town: String, date: String) throws -> UInt32 {
        let svg = folder.appendingPathComponent("\(date).svg"), png = folder.appendingPathComponent("\(date).png")
        for file in [svg, png] {
            let r = try run(["--date", date, "--out", file.path])
            #expect(r.status == 0, "\(r.stderr)")
        }
        let elements = SVGElement.all(try String(contentsOf: svg, encoding: .utf8))
        guard let circle = elements.first(where: { $0["class"] == "town" && $0["data-id"] == town }),
              let cx = circle.number("cx"), let cy = circle.number("cy") else { throw SVGProblem(message: "no town \(town)") }
        let image = try Raster.pixels(png: Array(try Data(contentsOf: png)))
        #expect(image.width == 1600 && image.height == 1200)
        var counts: [UInt32: Int] = [:]
        for dy in -9...9 {
            for dx in -9...9 {
                let r2 = dx * dx + dy * dy
                guard r2 >= 36, r2 <= 81, !(dx > 0 && dy < 0) else { continue }
                let x = Int(cx.rounded()) + dx, y = Int(cy.rounded()) + dy
                counts[image.rgb[y * image.width + x], default: 0] += 1
            }
        }
        return counts.max { $0.value < $1.value }!.key
    }

    @Test func thePNGIsColouredByTheHolderAtLachin() throws {
        // Held by the Nagorno-Karabakh authorities the day before the statement, then in the
        // corridor held by the Russian peacekeeping contingent (catalog.json: NK #D55E00, RU #009E73).
        #expect(try colourAround("lachin", date: "2020-11-09") == 0xD55E00)
        #expect(try colourAround("lachin", date: "2020-12-01") == 0x009E73)
        // Kalbajar: returned to Azerbaijan (#0072B2) on 25 November 2020.
        #expect(try colourAround("kalbajar", date: "2020-11-24") == 0xD55E00)
        #expect(try colourAround("kalbajar", date: "2020-11-26") == 0x0072B2)
    }

    @Test func changeDaysAreDrawnSideBySide() throws {
        let out = folder.appendingPathComponent("changes.svg")
        let r = try run(["--days", "changes", "--from", "2020-11-01", "--to", "2020-12-31", "--out", out.path])
        #expect(r.status == 0, "\(r.stderr)")
        let panels = SVGElement.all(try String(contentsOf: out, encoding: .utf8)).filter { $0["class"] == "panel" }.compactMap { $0["data-date"] }
        // The change days by the timeline the tool prints, independently of the renderer.
        let timeline = try Run(["timeline", "--format", "json"])
        let document = try JSONSerialization.jsonObject(with: Data(timeline.stdout.utf8)) as? [String: Any] ?? [:]
        let events = document["changes"] as? [[String: Any]] ?? []
        // A superseded statement (the Kalbajar deadline, postponed on 15 November) changes no ground.
        let dates = Set(events.compactMap { $0["date"] as? String })
        #expect(panels == dates.filter { $0 >= "2020-11-01" && $0 <= "2020-12-31" }.sorted(), "\(panels)")
        #expect(panels.contains("2020-11-10") && panels.contains("2020-11-20") && panels.contains("2020-11-25") && panels.contains("2020-12-01"))
    }

    /// The README's pictures in geojson/pictures are what tools/regenerate draws from data/ now.
    @Test func aViewIsDrawnAsItsActorSeesIt() throws {
        let folder = try temporaryFolder()
        let nk = folder.appendingPathComponent("nk.svg"), plain = folder.appendingPathComponent("default.svg")
        #expect(try run(["--date", "2019-06-01", "--facet", "sovereignty", "--view", "NK", "--out", nk.path]).status == 0)
        #expect(try run(["--date", "2019-06-01", "--facet", "sovereignty", "--out", plain.path]).status == 0)
        func holders(_ url: URL) throws -> Set<String> {
            Set(SVGElement.all(try String(contentsOf: url, encoding: .utf8)).compactMap { $0["data-holder"] })
        }
        #expect(try holders(nk).contains("NK"), "the NK claim is drawn in NK's view")
        #expect(try !holders(plain).contains("NK"))
        let refused = try run(["--date", "2019-06-01", "--view", "QQ", "--out", folder.appendingPathComponent("q.svg").path])
        #expect(refused.status == 64 && refused.stderr.contains("unknown view 'QQ'"))
    }

    @Test func theREADMEsPicturesAreUpToDate() throws {
        let folder = packageRoot.appendingPathComponent("geojson/pictures")
        let cases: [(String, [String])] = [
            ("november-2020.svg", ["--days", "changes", "--from", "2020-11-01", "--to", "2020-12-31", "--title", "How control changed in November 2020"]),
            ("2021-06-01.svg", ["--date", "2021-06-01"]),
        ]
        for (name, arguments) in cases {
            let r = try run(arguments + ["--size", "1600x1200", "--data", projectData.path])
            #expect(r.status == 0, "\(r.stderr)")
            let checkedIn = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
            #expect(r.stdout == checkedIn, "geojson/pictures/\(name) is out of date with data/: run tools/regenerate")
            #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent(name.replacingOccurrences(of: ".svg", with: ".png")).path))
        }
    }

    @Test func badArgumentsAreClearErrors() throws {
        let cases: [([String], Int32, String)] = [
            (["--date", "2021-06-01", "--facet", "kontrol"], 64, "--facet: 'kontrol' is not a facet"),
            (["--date", "2021-06-01", "--size", "0x0"], 64, "--size: 0x0: each side must be"),
            (["--date", "2021-06-01", "--size", "big"], 64, "--size: 'big' is not a size"),
            (["--date", "2021-06-01", "--out", "/nonexistent-folder/map.png"], 74, "/nonexistent-folder/map.png"),
            (["--date", "2021-06-01", "--out", "map.jpg"], 64, "must end in .svg or .png"),
            (["--date", "2021-02-30"], 64, "--date"),
            ([], 64, "give --date"),
            (["--days", "changes"], 64, "--from"),
            (["--days", "2021-06-01,,2021-07-01"], 64, "empty day"),
            (["--days", "changes", "--from", "2019-01-01", "--to", "2019-12-31"], 64, "nothing changes"),
        ]
        for (arguments, status, message) in cases {
            let r = try run(arguments)
            #expect(r.status == status, "\(arguments): exit \(r.status), \(r.stderr)")
            #expect(r.stderr.contains(message), "\(arguments): \(r.stderr)")
            #expect(r.stdout.isEmpty, "\(arguments): nothing on standard output")
        }
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.contains("map") }
        #expect(leftovers.isEmpty, "\(leftovers)")
    }
}
