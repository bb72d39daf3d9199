/// A length on the ground in metres, as written by people: `5km`, `2.5 km`, `300m`.
public struct Length: Hashable, Sendable, CustomStringConvertible {
    /// The length in metres.
    public let meters: Double

    /// The units understood, with their size in metres.
    public static let units: [(name: String, meters: Double)] = [("km", 1_000), ("m", 1)]

    public init(meters: Double) {
        self.meters = meters
    }

    /// Why a text is not a length.
    public struct ParseError: Error, CustomStringConvertible, Sendable, Equatable {
        public let message: String
        public var description: String { message }
    }

    /// Reads a positive, finite length with a unit: a number, optional spaces, then `m` or `km`.
    public init(parsing text: String) throws(ParseError) {
        let trimmed = text.trimmingSpaces()
        guard !trimmed.isEmpty else { throw ParseError(message: "a length is needed, e.g. 5km or 300m") }
        guard let unit = Length.units.first(where: { trimmed.lowercased().hasSuffix($0.name) }) else {
            if Double(trimmed) != nil {
                throw ParseError(message: "'\(text)' has no unit: write it in m or km, e.g. \(trimmed)m or \(trimmed)km")
            }
            throw ParseError(message: "'\(text)' is not a length: write a number and a unit (m or km), e.g. 5km or 300m")
        }
        let number = String(trimmed.dropLast(unit.name.count)).trimmingSpaces()
        let allowed = Set("0123456789.eE+-")
        guard !number.isEmpty, number.allSatisfy(allowed.contains), let value = Double(number) else {
            throw ParseError(message: "'\(text)' is not a length: '\(number)' is not a number (write e.g. 5km or 300m)")
        }
        guard value.isFinite else { throw ParseError(message: "'\(text)' is not a finite length") }
        guard value > 0 else { throw ParseError(message: "'\(text)' must be greater than zero") }
        let meters = value * unit.meters
        guard meters.isFinite else { throw ParseError(message: "'\(text)' is not a finite length") }
        self.meters = meters
    }

    /// The length in the largest unit that writes it without a long fraction: `5 km`, `300 m`.
    public var description: String {
        if meters >= 1_000 { return "\(Length.trim(meters / 1_000)) km" }
        return "\(Length.trim(meters)) m"
    }

    private static func trim(_ v: Double) -> String {
        if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
        return String(v)
    }
}

extension String {
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while let c = s.first, c.isWhitespace { s.removeFirst() }
        while let c = s.last, c.isWhitespace { s.removeLast() }
        return String(s)
    }
}
