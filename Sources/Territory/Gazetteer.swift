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

    public init(towns: [Town]) {
        self.towns = towns
        var index: [String: [Int]] = [:]
        for (i, town) in towns.enumerated() {
            for name in Set(town.allNames.map(Gazetteer.fold)) where !name.isEmpty { index[name, default: []].append(i) }
        }
        self.index = index
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
        let key = Gazetteer.fold(text)
        if let hits = index[key] {
            return hits.count == 1 ? .found(towns[hits[0]]) : .ambiguous(hits.map { towns[$0] })
        }
        let scored = index.map { (name: $0.key, towns: $0.value, d: EditDistance.osa(Array(key), Array($0.key))) }
        let limit = max(2, key.count / 3)
        let best = scored.filter { $0.d <= limit }.sorted { ($0.d, $0.name) < ($1.d, $1.name) }
        var seen = Set<String>(), suggestions: [Town] = []
        for hit in best { for i in hit.towns where seen.insert(towns[i].id).inserted { suggestions.append(towns[i]) } }
        return .unknown(suggestions: Array(suggestions.prefix(3)))
    }

    /// The message for a name that finds no single place, naming `argument`; nil when it finds one.
    public func problem(_ text: String, argument: String) -> String? {
        if text.trimmingCharacters(in: .whitespaces).isEmpty { return "\(argument): give a place name (see 'territory places')" }
        switch find(text) {
        case .found: return nil
        case .unknown(let near):
            let hint = near.isEmpty ? "" : "; did you mean \(near.map(\.name).joined(separator: " or "))?"
            return "\(argument): no place '\(text.prefix(60))'\(hint) (see 'territory places')"
        case .ambiguous(let choices):
            return "\(argument): '\(text.prefix(60))' names \(choices.count) places: \(choices.map { "\($0.name) in \($0.shape ?? "?") [\($0.id)]" }.joined(separator: ", ")); give the id"
        }
    }

    /// The towns by distance from `p` (geodesic km), nearest first.
    public func near(_ p: Position) -> [(town: Town, km: Double)] {
        towns.map { ($0, Geodesic.wgs84.distance(p, $0.position) / 1000) }.sorted { $0.1 < $1.1 }
    }

    /// Lower case, without diacritics (ə as e, ı as i), letters and digits only, single spaces.
    public static func fold(_ text: String) -> String {
        let plain = text.replacingOccurrences(of: "ə", with: "e").replacingOccurrences(of: "Ə", with: "e")
            .replacingOccurrences(of: "ı", with: "i")
            .folding(options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: Locale(identifier: "en_US_POSIX"))
        var out = "", space = false
        for scalar in plain.unicodeScalars {
            if CharacterSet.alphanumerics.contains(scalar) {
                if space, !out.isEmpty { out += " " }
                out.unicodeScalars.append(scalar)
                space = false
            } else {
                space = true
            }
        }
        return out
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
