import Foundation

/// How names of places are compared: one folding for the gazetteer (`--place`, data/towns.csv)
/// and for matching an authority's district names on import (data/names.csv), so that
/// transliterations meet: Agdam / Aghdam / Ağdam, Fuzuli / Füzuli / Fizuli, Şuşa / Shusha.
public enum PlaceNames {
    /// Words that say what kind of place a name is (Shusha city, Ağdam rayonu, Füzuli şəhəri),
    /// folded: dropped after the name on lookup, and from an authority's names on import.
    public static let kindWords: Set<String> = [
        "city", "town", "village", "district", "rayon", "rayonu", "region", "municipality",
        "seher", "seheri", "sahar", "sahari",
    ]

    /// Lower case, without diacritics (ə as `schwa`, ı as i, ş as s, ğ as g, ...), letters and
    /// digits only, words separated by single spaces: `Füzuli şəhəri` → `fuzuli seheri`.
    public static func fold(_ text: String, schwa: String = "e") -> String {
        let plain = text.replacingOccurrences(of: "ə", with: schwa).replacingOccurrences(of: "Ə", with: schwa)
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

    /// The folded forms a gazetteer name is indexed under: ə read as e (Xankendi) and as a
    /// (Xankandi, the usual transliteration).
    public static func keys(_ name: String) -> [String] {
        let e = fold(name), a = fold(name, schwa: "a")
        return e == a ? [e] : [e, a]
    }

    /// A folded query with a trailing kind word dropped: `shusha city` → `shusha`.
    public static func withoutKind(_ key: String) -> String {
        let words = key.split(separator: " ")
        guard words.count > 1, let last = words.last, kindWords.contains(String(last)) else { return key }
        return words.dropLast().joined(separator: " ")
    }

    /// The key an authority's district name is matched by on import: folded with ə as a, kind
    /// words and "of" dropped, ASCII letters only, no spaces (`Şuşa rayonu`, `Shusha District`
    /// and `District of Shusha` all give `susa`/`shusha`, as data/names.csv spells them).
    public static func importKey(_ name: String) -> String {
        fold(name, schwa: "a").split(separator: " ").filter { !kindWords.contains(String($0)) && $0 != "of" }
            .joined().filter { $0.isASCII && $0.isLetter }
    }

    /// True when the name says it is a city.
    public static func isCity(_ name: String) -> Bool {
        let s = name.lowercased()
        return s.contains("city") || s.contains("şəhəri") || s.contains("seheri")
    }
}
