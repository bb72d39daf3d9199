import JSONText
/// A GeoJSON feature as read: its geometry (nil for a `null` geometry), properties and id.
public struct Feature: Sendable, Equatable {
    public var id: JSONValue?
    public var geometry: Shape?
    public var properties: JSONObject

    public init(id: JSONValue? = nil, geometry: Shape?, properties: JSONObject = JSONObject()) {
        self.id = id
        self.geometry = geometry
        self.properties = properties
    }
}

/// What is wrong with a GeoJSON text, and where: a JSON path such as
/// `features[2].geometry.coordinates[0][5]`, or a line and column for a syntax error.
public struct GeoJSONError: Error, CustomStringConvertible, Sendable, Equatable {
    public let message: String
    public let location: String

    public init(_ message: String, at location: String) {
        self.message = message
        self.location = location
    }

    public var description: String { location.isEmpty ? message : "\(location): \(message)" }
}

/// RFC 7946 GeoJSON, read strictly and written deterministically.
public enum GeoJSON {
    /// The number of decimals written for each coordinate (RFC 7946 §11.2: about 1 cm).
    public static let decimals = 7

    // MARK: Reading

    /// Reads a GeoJSON text holding a geometry, a Feature or a FeatureCollection, as features.
    /// A bare geometry becomes one feature with no properties.
    public static func features(from bytes: [UInt8]) throws(GeoJSONError) -> [Feature] {
        let value: JSONValue
        do {
            value = try JSONReader.parse(bytes)
        } catch {
            throw GeoJSONError("not valid JSON: \(error.message)", at: error.line.map { "line \($0), column \(error.column ?? 0)" } ?? "")
        }
        return try features(from: value)
    }

    /// Reads a parsed GeoJSON value (a geometry, a Feature or a FeatureCollection) as features.
    public static func features(from value: JSONValue) throws(GeoJSONError) -> [Feature] {
        guard case .object(let object) = value else {
            throw GeoJSONError("expected a GeoJSON object, found \(value.kindName)", at: "top level")
        }
        let type = try typeName(object, at: "")
        switch type {
        case "FeatureCollection":
            guard case .array(let items)? = object["features"] else {
                throw GeoJSONError("a FeatureCollection needs a \"features\" array", at: "top level")
            }
            var result: [Feature] = []
            result.reserveCapacity(items.count)
            for (i, item) in items.enumerated() {
                result.append(try feature(item, at: "features[\(i)]"))
            }
            return result
        case "Feature":
            return [try feature(value, at: "")]
        default:
            return [Feature(geometry: try geometry(value, at: ""))]
        }
    }

    private static func typeName(_ object: JSONObject, at path: String) throws(GeoJSONError) -> String {
        guard let type = object["type"] else {
            throw GeoJSONError("missing \"type\" member", at: path.isEmpty ? "top level" : path)
        }
        guard case .string(let name) = type else {
            throw GeoJSONError("\"type\" must be a string, found \(type.kindName)", at: join(path, "type"))
        }
        return name
    }

    private static func join(_ path: String, _ member: String) -> String {
        path.isEmpty ? member : "\(path).\(member)"
    }

    private static func feature(_ value: JSONValue, at path: String) throws(GeoJSONError) -> Feature {
        guard case .object(let object) = value else {
            throw GeoJSONError("expected a Feature object, found \(value.kindName)", at: path)
        }
        let type = try typeName(object, at: path)
        guard type == "Feature" else {
            throw GeoJSONError("expected type \"Feature\", found \"\(type)\"", at: join(path, "type"))
        }
        guard let geometryValue = object["geometry"] else {
            throw GeoJSONError("a Feature needs a \"geometry\" member (null when it has none)", at: path.isEmpty ? "top level" : path)
        }
        var properties = JSONObject()
        switch object["properties"] {
        case nil, .null?: break
        case .object(let p)?: properties = p
        case let other?:
            throw GeoJSONError("\"properties\" must be an object or null, found \(other.kindName)", at: join(path, "properties"))
        }
        let id = object["id"]
        if let id {
            switch id {
            case .string, .number: break
            default: throw GeoJSONError("\"id\" must be a string or a number, found \(id.kindName)", at: join(path, "id"))
            }
        }
        if case .null = geometryValue { return Feature(id: id, geometry: nil, properties: properties) }
        return Feature(id: id, geometry: try geometry(geometryValue, at: join(path, "geometry")), properties: properties)
    }

    /// Reads one GeoJSON geometry object, checking every position (finite, longitude within ±180,
    /// latitude within ±90), the length of lines and the closure of rings.
    public static func geometry(_ value: JSONValue, at path: String) throws(GeoJSONError) -> Shape {
        guard case .object(let object) = value else {
            throw GeoJSONError("expected a geometry object, found \(value.kindName)", at: path.isEmpty ? "top level" : path)
        }
        let type = try typeName(object, at: path)
        if type == "GeometryCollection" {
            guard case .array(let members)? = object["geometries"] else {
                throw GeoJSONError("a GeometryCollection needs a \"geometries\" array", at: path.isEmpty ? "top level" : path)
            }
            var shapes: [Shape] = []
            for (i, member) in members.enumerated() {
                shapes.append(try geometry(member, at: join(path, "geometries[\(i)]")))
            }
            return .collection(shapes)
        }
        let known = ["Point", "LineString", "Polygon", "MultiPoint", "MultiLineString", "MultiPolygon"]
        guard known.contains(type) else {
            throw GeoJSONError("unknown geometry type \"\(type)\" (expected one of \(known.joined(separator: ", ")), GeometryCollection, Feature or FeatureCollection)", at: join(path, "type"))
        }
        guard let coordinates = object["coordinates"] else {
            throw GeoJSONError("a \(type) needs a \"coordinates\" member", at: path.isEmpty ? "top level" : path)
        }
        let at = join(path, "coordinates")
        switch type {
        case "Point": return .point(try position(coordinates, at: at))
        case "LineString": return .lineString(try line(coordinates, at: at))
        case "Polygon": return .polygon(try rings(coordinates, at: at))
        case "MultiPoint": return .multiPoint(try positions(coordinates, at: at))
        case "MultiLineString":
            let items = try list(coordinates, at: at)
            var lines: [[Position]] = []
            for (i, item) in items.enumerated() { lines.append(try line(item, at: "\(at)[\(i)]")) }
            return .multiLineString(lines)
        default:
            let items = try list(coordinates, at: at)
            var polygons: [[[Position]]] = []
            for (i, item) in items.enumerated() { polygons.append(try rings(item, at: "\(at)[\(i)]")) }
            return .multiPolygon(polygons)
        }
    }

    private static func list(_ value: JSONValue, at path: String) throws(GeoJSONError) -> [JSONValue] {
        guard case .array(let items) = value else {
            throw GeoJSONError("expected an array, found \(value.kindName)", at: path)
        }
        return items
    }

    private static func position(_ value: JSONValue, at path: String) throws(GeoJSONError) -> Position {
        let items = try list(value, at: path)
        guard items.count >= 2 else {
            throw GeoJSONError("a position needs at least longitude and latitude, found \(items.count) number\(items.count == 1 ? "" : "s")", at: path)
        }
        var numbers: [Double] = []
        for (i, item) in items.enumerated() {
            guard case .number(let n) = item else {
                throw GeoJSONError("a coordinate must be a number, found \(item.kindName)", at: "\(path)[\(i)]")
            }
            numbers.append(n)
        }
        let (lon, lat) = (numbers[0], numbers[1])
        guard (-180...180).contains(lon) else {
            throw GeoJSONError("longitude \(lon) is outside -180..180 (are longitude and latitude swapped, or is it not WGS 84?)", at: path)
        }
        guard (-90...90).contains(lat) else {
            throw GeoJSONError("latitude \(lat) is outside -90..90 (is it projected rather than WGS 84 longitude/latitude?)", at: path)
        }
        return Position(lon, lat)
    }

    private static func positions(_ value: JSONValue, at path: String) throws(GeoJSONError) -> [Position] {
        let items = try list(value, at: path)
        var result: [Position] = []
        result.reserveCapacity(items.count)
        for (i, item) in items.enumerated() { result.append(try position(item, at: "\(path)[\(i)]")) }
        return result
    }

    private static func line(_ value: JSONValue, at path: String) throws(GeoJSONError) -> [Position] {
        let ps = try positions(value, at: path)
        guard ps.count >= 2 else {
            throw GeoJSONError("a LineString needs at least 2 positions, found \(ps.count)", at: path)
        }
        return ps
    }

    private static func rings(_ value: JSONValue, at path: String) throws(GeoJSONError) -> [[Position]] {
        let items = try list(value, at: path)
        var rings: [[Position]] = []
        for (i, item) in items.enumerated() {
            let at = "\(path)[\(i)]"
            let ring = try positions(item, at: at)
            guard ring.count >= 4 else {
                throw GeoJSONError("a polygon ring needs at least 4 positions (first repeated last), found \(ring.count)", at: at)
            }
            guard ring.first == ring.last else {
                throw GeoJSONError("polygon ring is not closed: its last position must repeat its first", at: at)
            }
            rings.append(ring)
        }
        return rings
    }

    // MARK: Writing

    /// A coordinate rounded to `decimals` places and written in its shortest exact form.
    public static func coordinate(_ value: Double) -> String {
        let scale = 10_000_000.0
        var rounded = (value * scale).rounded() / scale
        if rounded == 0 { rounded = 0 }  // no "-0"
        return JSONWriter.number(rounded)
    }

    private static func rounded(_ p: Position) -> Position {
        let scale = 10_000_000.0
        return Position((p.x * scale).rounded() / scale, (p.y * scale).rounded() / scale)
    }

    /// Rounds a run of positions and drops repeats that rounding made.
    private static func roundedRun(_ ps: [Position]) -> [Position] {
        var out: [Position] = []
        out.reserveCapacity(ps.count)
        for p in ps.map(rounded) where out.last != p { out.append(p) }
        return out
    }

    /// A line ready for writing: rounded, repeats dropped, but never fewer than the 2 positions a
    /// LineString needs (RFC 7946 §3.1.4): a line shorter than the rounding keeps its two ends,
    /// now equal, rather than becoming one position that no reader accepts.
    private static func roundedLine(_ ps: [Position]) -> [Position] {
        let run = roundedRun(ps)
        guard run.count < 2, let first = ps.first, let last = ps.last else { return run }
        return [rounded(first), rounded(last)]
    }

    /// A polygon ready for writing: rounded, exterior counter-clockwise, holes clockwise (RFC 7946 §3.1.6),
    /// rings that rounding collapsed dropped; nil when the exterior collapsed.
    private static func oriented(_ rings: [[Position]]) -> [[Position]]? {
        var out: [[Position]] = []
        for (i, ring) in rings.enumerated() {
            var r = roundedRun(ring)
            guard r.count >= 4 else {
                if i == 0 { return nil } else { continue }
            }
            let ccw = Ring.isCounterClockwise(r)
            if (i == 0) != ccw { r.reverse() }
            out.append(r)
        }
        return out
    }

    private static func write(_ ps: [Position], into out: inout String) {
        out += "["
        for (i, p) in ps.enumerated() {
            if i > 0 { out += "," }
            out += "["
            out += coordinate(p.x)
            out += ","
            out += coordinate(p.y)
            out += "]"
        }
        out += "]"
    }

    private static func writeRings(_ rings: [[Position]], into out: inout String) {
        out += "["
        for (i, r) in rings.enumerated() {
            if i > 0 { out += "," }
            write(r, into: &out)
        }
        out += "]"
    }

    /// Appends `shape` as an RFC 7946 geometry object.
    public static func write(_ shape: Shape, into out: inout String) {
        switch shape {
        case .point(let p):
            let r = rounded(p)
            out += "{\"type\":\"Point\",\"coordinates\":[\(coordinate(r.x)),\(coordinate(r.y))]}"
        case .lineString(let ps):
            out += "{\"type\":\"LineString\",\"coordinates\":"
            write(roundedLine(ps), into: &out)
            out += "}"
        case .multiPoint(let ps):
            out += "{\"type\":\"MultiPoint\",\"coordinates\":"
            write(ps.map(rounded), into: &out)
            out += "}"
        case .multiLineString(let lines):
            out += "{\"type\":\"MultiLineString\",\"coordinates\":"
            writeRings(lines.map(roundedLine), into: &out)
            out += "}"
        case .polygon(let rings):
            out += "{\"type\":\"Polygon\",\"coordinates\":"
            writeRings(oriented(rings) ?? [], into: &out)
            out += "}"
        case .multiPolygon(let polys):
            out += "{\"type\":\"MultiPolygon\",\"coordinates\":["
            var first = true
            for poly in polys {
                guard let o = oriented(poly) else { continue }
                if !first { out += "," }
                first = false
                writeRings(o, into: &out)
            }
            out += "]}"
        case .collection(let shapes):
            out += "{\"type\":\"GeometryCollection\",\"geometries\":["
            for (i, s) in shapes.enumerated() {
                if i > 0 { out += "," }
                write(s, into: &out)
            }
            out += "]}"
        }
    }

    /// The shape exactly as `write` puts it down: positions rounded to 7 decimals, repeats that
    /// rounding made dropped, rings that it collapsed dropped, rings oriented.
    public static func asWritten(_ shape: Shape) -> Shape {
        switch shape {
        case .point(let p): .point(rounded(p))
        case .lineString(let ps): .lineString(roundedLine(ps))
        case .multiPoint(let ps): .multiPoint(ps.map(rounded))
        case .multiLineString(let lines): .multiLineString(lines.map(roundedLine))
        case .polygon(let rings): .polygon(oriented(rings) ?? [])
        case .multiPolygon(let polys): .multiPolygon(polys.compactMap(oriented))
        case .collection(let shapes): .collection(shapes.map(asWritten))
        }
    }

    /// `shape` as an RFC 7946 geometry object.
    public static func string(_ shape: Shape) -> String {
        var out = ""
        write(shape, into: &out)
        return out
    }

    /// Appends `feature` as a Feature object: `type`, `id` when present, `properties` with sorted keys, `geometry`.
    public static func write(_ feature: Feature, into out: inout String) {
        out += "{\"type\":\"Feature\","
        if let id = feature.id {
            out += "\"id\":"
            JSONWriter.write(id, into: &out)
            out += ","
        }
        out += "\"properties\":"
        JSONWriter.write(.object(feature.properties), sortedKeys: true, into: &out)
        out += ",\"geometry\":"
        if let geometry = feature.geometry { write(geometry, into: &out) } else { out += "null" }
        out += "}"
    }

    /// A single feature, or a FeatureCollection (one feature per line) when there are several or none;
    /// ends with a newline.
    public static func document(_ features: [Feature], alwaysCollection: Bool = false) -> String {
        var out = ""
        if features.count == 1 && !alwaysCollection {
            write(features[0], into: &out)
            out += "\n"
            return out
        }
        out += "{\"type\":\"FeatureCollection\",\"features\":["
        for (i, f) in features.enumerated() {
            out += i == 0 ? "\n" : ",\n"
            write(f, into: &out)
        }
        out += "\n]}\n"
        return out
    }
}
