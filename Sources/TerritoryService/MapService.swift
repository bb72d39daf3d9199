import Foundation
import Geometry
import JSONText
import Synchronization
import Territory
import TerritoryStore

/// How the web map is served: Leaflet's folder (Debian's libjs-leaflet) and an optional tile layer.
public struct MapSettings: Sendable {
    /// Where Leaflet's files are (leaflet.js, leaflet.css, images/).
    public var leaflet: URL
    /// A tile URL template (`https://tile.example.org/{z}/{x}/{y}.png`) drawn under the ground, if any.
    public var tiles: String?
    /// The tiles' attribution, shown in the corner.
    public var tilesAttribution: String?

    /// Debian's folder of libjs-leaflet.
    public static let debianLeaflet = URL(fileURLWithPath: "/usr/share/javascript/leaflet")

    public init(leaflet: URL = MapSettings.debianLeaflet, tiles: String? = nil, tilesAttribution: String? = nil) {
        self.leaflet = leaflet
        self.tiles = tiles
        self.tilesAttribution = tilesAttribution
    }

    /// A file under /map/leaflet/ that may be served: Leaflet's scripts, styles and images, by a
    /// plain name (no `..`, no hidden file, no other folder than `images`).
    static func isLeafletFile(_ path: String) -> Bool {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 1 || (parts.count == 2 && parts[0] == "images") else { return false }
        guard let name = parts.last, !name.isEmpty, !name.hasPrefix("."), name.utf8.count <= 100 else { return false }
        guard name.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") }) else { return false }
        return contentType(of: String(name)) != nil
    }

    static func contentType(of name: String) -> String? {
        if name.hasSuffix(".js") { return "text/javascript; charset=utf-8" }
        if name.hasSuffix(".css") { return "text/css; charset=utf-8" }
        if name.hasSuffix(".png") { return "image/png" }
        if name.hasSuffix(".svg") { return "image/svg+xml" }
        if name.hasSuffix(".map") { return "application/json" }
        return nil
    }

    /// The answer to a map route; nil for the other routes.
    func answer(_ route: Route, _ parameters: [(name: String, value: String)], snapshot: Snapshot) throws(ServiceError) -> ServiceResponse? {
        switch route {
        case .map:
            try MapSettings.check(parameters)
            return ServiceResponse(status: 200, contentType: "text/html; charset=utf-8", body: Array(MapPage.html.utf8))
        case .mapScript:
            return ServiceResponse(status: 200, contentType: "text/javascript; charset=utf-8", body: Array(MapPage.script.utf8))
        case .mapBase:
            return ServiceResponse(status: 200, contentType: "application/json", body: try snapshot.mapBaseBody(self))
        case .leaflet(let file):
            let url = leaflet.appendingPathComponent(file)
            guard let data = FileManager.default.contents(atPath: url.path) else {
                let folderThere = FileManager.default.fileExists(atPath: leaflet.appendingPathComponent("leaflet.js").path)
                throw .notFound(folderThere ? "no Leaflet file '\(file)' in \(leaflet.path)"
                                            : "Leaflet is not installed in \(leaflet.path) (Debian: apt-get install libjs-leaflet)")
            }
            return ServiceResponse(status: 200, contentType: MapSettings.contentType(of: file) ?? "application/octet-stream", body: Array(data))
        default:
            return nil
        }
    }

    /// The page's parameters: `date` a day, `facet` a facet, `lon`/`lat`/`zoom` numbers in range.
    static func check(_ parameters: [(name: String, value: String)]) throws(ServiceError) {
        for (name, value) in parameters {
            switch name {
            case "date":
                do { _ = try Day(parsing: value) } catch { throw .invalid("date: '\(value.prefix(40))': \(error.message) (YYYY-MM-DD)") }
            case "facet":
                guard Facet(parsing: value) != nil else { throw .invalid("facet: '\(value.prefix(40))' is not a facet (one of \(Facet.names))") }
            case "lon", "lat", "zoom":
                let limit = name == "lon" ? 180.0 : name == "lat" ? 90.0 : 24.0
                guard let v = Double(value), v.isFinite, (name == "zoom" ? (0...limit) : (-limit...limit)).contains(v) else {
                    throw .invalid("\(name): '\(value.prefix(40))' is not a \(name == "zoom" ? "zoom level (0 to 24)" : "number of degrees within ±\(Int(limit))")")
                }
            default: break
            }
        }
    }
}

extension Snapshot {
    /// /map/base.json: the title, the facets, the holders with their colours, the districts and
    /// towns as GeoJSON, the palette, the credit, the tile layer and the day the map opens on.
    func mapBaseBody(_ settings: MapSettings) throws(ServiceError) -> [UInt8] {
        if let body = mapBaseCell.withLock({ $0 }) { return body }
        let base: MapBase
        do { base = try store.mapBase() } catch { throw ServiceError(status: 500, code: "InternalError", description: "\(error)") }
        func text(_ s: String?) -> String { s.map { JSONWriter.string(.string($0)) } ?? "null" }
        let holders = base.holders.map { h -> JSONValue in
            .object(JSONObject([("code", .string(h.code)), ("name", .string(h.name)), ("note", h.note.map { .string($0) } ?? .null),
                                ("colour", .string(h.colour ?? MapBase.undeclared)), ("access_state", .bool(h.isAccessState))]))
        }
        let districts = base.districts.map { d in
            Feature(id: .string(d.id), geometry: d.shape, properties: JSONObject([
                ("name", .string(d.name)),
                ("label", .string(d.name.hasSuffix(" District") ? String(d.name.dropLast(" District".count)) : d.name)),
            ]))
        }
        let towns = base.towns.map { t in
            Feature(id: .string(t.id), geometry: .point(t.position), properties: JSONObject([
                ("name", .string(t.name)), ("kind", .string(t.kind)), ("source", .string(t.source)),
            ]))
        }
        let boundaries = store.boundaries ?? "boundaries drawn by hand for territory, approximate to a few km"
        let credit = boundaries + (base.licence.map { "; \($0)" } ?? "")
        let defaultDay = store.engine.slices.last?.interval.from.description ?? "2020-11-10"
        var out = "{\"title\":" + text(store.title)
        out += ",\"facets\":" + JSONWriter.string(.array(Facet.allCases.map { .string($0.rawValue) }))
        out += ",\"holders\":" + JSONWriter.string(.array(holders), sortedKeys: false)
        out += ",\"palette\":" + text(base.palette) + ",\"licence\":" + text(base.licence) + ",\"credit\":" + text(credit)
        out += ",\"tiles\":" + text(settings.tiles) + ",\"tiles_attribution\":" + text(settings.tilesAttribution)
        out += ",\"default_date\":" + text(defaultDay)
        out += ",\"districts\":" + GeoJSON.document(districts, alwaysCollection: true).trimmingCharacters(in: .whitespacesAndNewlines)
        out += ",\"towns\":" + GeoJSON.document(towns, alwaysCollection: true).trimmingCharacters(in: .whitespacesAndNewlines)
        out += "}\n"
        let body = Array(out.utf8)
        mapBaseCell.withLock { $0 = body }
        return body
    }
}
