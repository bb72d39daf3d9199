import Foundation
import Geodesy
import Geometry
import JSONText

/// Places by name: the towns of data/towns.csv with every name they go by (the name shown, the
/// names in its parentheses, and the `names` column's variants), matched without regard to case
/// or diacritics (Şuşa, Shushi and SHUSHA all name Shusha).
public struct Gazetteer: Sendable {
    public let towns: [Town]
    /// Each folded name, with the towns it names.
    private let index: [String: [Int]]
    /// Each id, folded: an id always names its own place.
    private let ids: [String: Int]
    /// Names longer than this are refused before any matching (suggestions cost a comparison
    /// with every name).
    public static let longestName = 100

    public init(towns: [Town]) {
        self.towns = towns
        var index: [String: [Int]] = [:]
        for (i, town) in towns.enumerated() {
            for name in Set(town.allNames.flatMap(PlaceNames.keys)) where !name.isEmpty {
                if !(index[name]?.contains(i) ?? false) { index[name, default: []].append(i) }
            }
        }
        self.index = index
        ids = Dictionary(towns.enumerated().map { (PlaceNames.fold($1.id), $0) }, uniquingKeysWith: { a, _ in a })
    }


    /// What a name finds.
    public enum Match: Sendable, Equatable {
        case found(Town)
        /// No place has the name: the nearest names, if any are close.
        case unknown(suggestions: [Town])
        /// Several places have it.
        case ambiguous([Town])
    }

    /// The place named `text` (any case, with or without diacritics, any of its names).
    public func find(_ text: String) -> Match {
        guard text.count <= Gazetteer.longestName else { return .unknown(suggestions: []) }
        let key = PlaceNames.fold(text)
        if let i = ids[key] { return .found(towns[i]) }
        for k in [key, PlaceNames.withoutKind(key)] {
            guard let hits = index[k] else { continue }
            if hits.count == 1 { return .found(towns[hits[0]]) }
            // A city or town shares its name with villages (Aghdam, and Hakaku, Ağdam in
            // Azerbaijani): the one city or town, as a gazetteer ranks them; several: ambiguous.
            let major = hits.filter { ["city", "town"].contains(towns[$0].kind) }
            return major.count == 1 ? .found(towns[major[0]]) : .ambiguous(hits.map { towns[$0] })
        }
        let scored = index.map { (name: $0.key, towns: $0.value, d: EditDistance.osa(Array(key), Array($0.key))) }
        // About one edit in four letters: Stepanakret finds Stepanakert, Lachn finds Lachin, but
        // Paris does not find Talish (two letters of five) among the villages.
        let limit = max(1, (key.count + 1) / 4)
        let best = scored.filter { $0.d <= limit }.sorted { ($0.d, $0.name) < ($1.d, $1.name) }
        var seen = Set<String>(), suggestions: [Town] = []
        for hit in best { for i in hit.towns where seen.insert(towns[i].id).inserted { suggestions.append(towns[i]) } }
        return .unknown(suggestions: Array(suggestions.prefix(3)))
    }

    /// The message for a name that finds no single place, naming `argument`; nil when it finds one.
    public func problem(_ text: String, argument: String) -> String? {
        if case .failure(let message) = lookup(text, argument: argument) { return message.text }
        return nil
    }

    /// Why a name finds no single place.
    public struct Problem: Error, Sendable { public let text: String }

    /// The one place `text` names, or the message saying why not (naming `argument`).
    public func lookup(_ text: String, argument: String) -> Result<Town, Problem> {
        if PlaceNames.fold(text).isEmpty { return .failure(Problem(text: "\(argument): give a place name (see 'territory places')")) }
        if text.count > Gazetteer.longestName {
            return .failure(Problem(text: "\(argument): a place name of \(text.count) characters is longer than any (\(Gazetteer.longestName) at most)"))
        }
        switch find(text) {
        case .found(let town): return .success(town)
        case .unknown(let near):
            let named = Dictionary(grouping: near, by: \.name)
            let hint = near.isEmpty ? "" : "; did you mean \(near.map { named[$0.name]!.count > 1 ? "\($0.name) in \($0.shape ?? "?") [\($0.id)]" : $0.name }.joined(separator: " or "))?"
            return .failure(Problem(text: "\(argument): no place '\(text.prefix(60))'\(hint) (see 'territory places')"))
        case .ambiguous(let choices):
            return .failure(Problem(text: "\(argument): '\(text.prefix(60))' names \(choices.count) places: \(choices.map { "\($0.name) in \($0.shape ?? "?") [\($0.id)]" }.joined(separator: ", ")); give the id"))
        }
    }

    /// The towns by distance from `p` (geodesic km), nearest first.
    public func near(_ p: Position) -> [(town: Town, km: Double)] {
        towns.map { ($0, Geodesic.wgs84.distance(p, $0.position) / 1000) }.sorted { $0.1 < $1.1 }
    }
}

extension Town {
    /// `{"id", "name", "lon", "lat", "kind", "shape", "source"}`: the place an answer names.
    public var json: JSONValue {
        .object(JSONObject([
            ("id", .string(id)), ("name", .string(name)), ("lon", .number(position.x)), ("lat", .number(position.y)),
            ("kind", .string(kind)), ("shape", shape.map { .string($0) } ?? .null), ("source", .string(source)),
        ]))
    }

    /// Every name it goes by: its id, the name shown and the names in its parentheses
    /// (`Stepanakert (Khankendi)`: Stepanakert, Khankendi), then its variants.
    public var allNames: [String] {
        var out = [id, name]
        if let open = name.firstIndex(of: "("), let close = name.lastIndex(of: ")"), open < close {
            out.append(String(name[..<open]).trimmingCharacters(in: .whitespaces))
            out += name[name.index(after: open)..<close].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        }
        return out + variants
    }
}

/// Edit distances for suggestions.
public enum EditDistance {
    /// Optimal string alignment distance (adjacent swaps count one).
    public static func osa(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var d = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { d[i][0] = i }
        for j in 0...b.count { d[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] { d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1) }
            }
        }
        return d[a.count][b.count]
    }
}
