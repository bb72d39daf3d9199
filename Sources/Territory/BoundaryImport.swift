import Foundation
import Geodesy
import Geometry
import JSONText

/// How one feature of an imported file was matched.
public struct ImportMatch: Sendable {
    public let featureIndex: Int
    public let featureName: String
    public let shapeID: String
    /// `map` (the explicit map), `name` (a known spelling), `city` (a city polygon joined to its district).
    public let how: String
}

/// An imported shape beside the built-in one it replaces.
public struct ImportComparison: Sendable {
    public let shapeID: String
    public let builtInKm2: Double
    public let importedKm2: Double
    /// The ground in one and not the other.
    public let differenceKm2: Double
}

/// The result of matching an authority's administrative areas to the built-in shapes.
public struct ImportResult: Sendable {
    public let matches: [ImportMatch]
    /// Features matched to nothing: (index, name).
    public let unmatched: [(Int, String)]
    /// One feature per matched shape id: the union of its features, ready to write as a pack.
    public let features: [Feature]
    public let comparisons: [ImportComparison]
    /// Imported shapes that lose one of their places (data/towns.csv): the shape, the town, how
    /// far outside it lies (metres), and whether it was taken anyway (`acceptMoved`).
    public var moved: [(shapeID: String, town: String, metres: Double, taken: Bool)] = []
}

/// Why an import cannot be done.
public struct ImportError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public var description: String { message }
}

/// Matches administrative areas to the built-in pack's shapes by name and builds a pack.
public enum BoundaryImport {
    /// Matches `features` by `nameField` (the explicit `idMap` first: folded name → shape id, or
    /// "-" to leave a feature out), unions what matches each shape, and compares it with the
    /// built-in shape. Only polygonal shapes (districts, cities) are replaced.
    ///
    /// Districts are known by their id, their name and the variants of data/names.csv
    /// (`Catalog.nameVariants`), all folded.
    /// An imported shape that loses one of its places (a town of data/towns.csv naming it) is not
    /// taken: it keeps the drawn geometry, and `moved` says why and by how many metres, unless
    /// `acceptMoved` takes it anyway.
    public static func match(_ features: [Feature], nameField: String, idMap: [String: String], catalog: Catalog,
                             acceptMoved: Bool = false) throws -> ImportResult {
        let builtIn = catalog.shapes
        let polygonal = builtIn.values.filter { !$0.shape.polygons.isEmpty && $0.kind.isPlace }
        var districtsByVariant: [String: String] = [:]
        for shape in builtIn.values.sorted(by: { $0.id < $1.id }) where shape.kind == .district {
            for name in [PlaceNames.importKey(shape.id), PlaceNames.importKey(shape.name)] + (catalog.nameVariants[shape.id] ?? []) where districtsByVariant[name] == nil {
                districtsByVariant[name] = shape.id
            }
        }
        let citiesByFold: [String: String] = Dictionary(
            polygonal.filter { $0.kind == .city }.map { (PlaceNames.importKey($0.name), $0.id) }, uniquingKeysWith: { a, _ in a })
        var matches: [ImportMatch] = []
        var unmatched: [(Int, String)] = []
        var parts: [String: [Shape]] = [:]
        var sawName = false
        for (i, feature) in features.enumerated() {
            guard let value = feature.properties[nameField] else { unmatched.append((i, "(no \(nameField))")); continue }
            guard case .string(let name) = value else { unmatched.append((i, "(\(nameField) is \(value.kindName))")); continue }
            sawName = true
            guard let shape = feature.geometry, !shape.polygons.isEmpty else { unmatched.append((i, "\(name) (not a polygon)")); continue }
            let folded = PlaceNames.importKey(name)
            var targets: [(String, String)] = []
            if let mapped = idMap[folded] ?? idMap[name] {
                if mapped == "-" {
                    unmatched.append((i, "\(name) (left out by the map)"))
                    continue
                }
                targets.append((mapped, "map"))
            } else if let district = districtsByVariant[folded] {
                if PlaceNames.isCity(name) {
                    // A city polygon cut out of its district: joined to the district (so the district has no hole),
                    // and the city shape of that name, if the pack has one.
                    targets.append((district, "city"))
                    if let city = citiesByFold[folded] { targets.append((city, "name")) }
                } else {
                    targets.append((district, "name"))
                }
            }
            guard !targets.isEmpty else { unmatched.append((i, name)); continue }
            for (id, how) in targets {
                guard let target = builtIn[id], !target.shape.polygons.isEmpty, target.kind.isPlace else {
                    throw ImportError(message: "the id map sends '\(name)' to '\(id)', which is not a built-in shape (known: \(polygonal.map(\.id).sorted().joined(separator: ", ")))")
                }
                matches.append(ImportMatch(featureIndex: i, featureName: name, shapeID: id, how: how))
                parts[id, default: []].append(shape)
            }
        }
        if !sawName {
            throw ImportError(message: "no feature has a string property '\(nameField)': name the field that holds the districts' names with --name-field")
        }
        var packFeatures: [Feature] = []
        var comparisons: [ImportComparison] = []
        var moved: [(shapeID: String, town: String, metres: Double, taken: Bool)] = []
        let context = GEOSContext()
        for id in parts.keys.sorted() {
            let geometries = try parts[id]!.map { try Geometry($0, context: context).makeValid() }
            let union = try Geometry.union(geometries, context: context)
            let shape = Shape.multiPolygon(union.shape.polygons)
            guard !shape.polygons.isEmpty else {
                throw ImportError(message: "the areas matched to '\(id)' (\(matches.filter { $0.shapeID == id }.map(\.featureName).joined(separator: ", "))) have no area")
            }
            let names = matches.filter { $0.shapeID == id }.map(\.featureName)
            // Anchors: every place naming the shape must lie in it.
            var loses = false
            for town in catalog.towns where town.shape == id && !PolygonGrid(shape.polygons, resolution: 1).contains(town.position) {
                moved.append((id, town.id, Atlas.metresOutside(town.position, shape.polygons), acceptMoved))
                loses = true
            }
            if loses && !acceptMoved {
                // A city nested in its district can keep its drawn lines; a district cannot, beside
                // imported neighbours it would overlap or leave gaps with.
                guard builtIn[id]!.kind == .city else {
                    let m = moved.last!
                    throw ImportError(message: "the place '\(m.town)' lies \(Int(m.metres.rounded())) m outside the imported district '\(id)' (\(names.joined(separator: " + "))): a district cannot keep its drawn lines beside imported neighbours; check the file, or give --accept-moved to take it anyway")
                }
                continue
            }
            packFeatures.append(Feature(id: .string(id), geometry: shape, properties: JSONObject([
                ("name", .string(builtIn[id]!.name)),
                ("kind", .string(builtIn[id]!.kind.rawValue)),
                ("note", .string("imported: \(names.joined(separator: " + "))")),
            ])))
            let old = try Geometry(builtIn[id]!.shape, context: context)
            comparisons.append(ImportComparison(
                shapeID: id,
                builtInKm2: GeodesicMeasure.measures(of: builtIn[id]!.shape).area / 1e6,
                importedKm2: GeodesicMeasure.measures(of: shape).area / 1e6,
                differenceKm2: GeodesicMeasure.measures(of: try old.symmetricDifference(union).shape).area / 1e6))
        }
        var result = ImportResult(matches: matches, unmatched: unmatched, features: packFeatures, comparisons: comparisons)
        result.moved = moved
        return result
    }

    /// The pack file's text: a FeatureCollection with a `territory_pack` member saying what it is.
    public static func packDocument(_ result: ImportResult, name: String, source: String, licence: String, attribution: String) -> String {
        var out = "{\"type\":\"FeatureCollection\",\"territory_pack\":"
        JSONWriter.write(.object(JSONObject([
            ("name", .string(name)), ("source", .string(source)), ("licence", .string(licence)), ("attribution", .string(attribution)),
        ])), into: &out)
        out += ",\"features\":["
        for (i, f) in result.features.enumerated() {
            out += i == 0 ? "\n" : ",\n"
            GeoJSON.write(f, into: &out)
        }
        out += "\n]}\n"
        return out
    }

    /// How the grounds move from one atlas (the built-in lines) to another (with the imported
    /// pack): every statement whose ground's area changes by more than `threshold` km², and the
    /// drawn held ground that falls outside the new covered area (km², above 0.01).
    public static func movements(from before: Atlas, to after: Atlas, threshold: Double = 1) throws -> (moved: [(id: String, before: Double, after: Double)], cutOff: [(id: String, km2: Double)]) {
        var moved: [(id: String, before: Double, after: Double)] = []
        for statement in before.catalog.statements {
            let old = Atlas.areaKm2(before.ground(of: statement)), new = Atlas.areaKm2(after.ground(of: statement))
            if abs(new - old) > threshold { moved.append((statement.id, old, new)) }
        }
        var cutOff: [(id: String, km2: Double)] = []
        let covered = after.covered
        for shape in after.catalog.shapes.values.sorted(by: { $0.id < $1.id }) where shape.kind == .held {
            let outside = try Geometry(shape.shape, context: covered.context).difference(covered)
            let km2 = Atlas.areaKm2(outside)
            if km2 > 0.01 { cutOff.append((shape.id, km2)) }
        }
        return (moved, cutOff)
    }
}
