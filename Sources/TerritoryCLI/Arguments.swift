import ArgumentParser
import Geodesy
import Geometry
import Territory
import TerritoryStore
import JSONText

/// A value the command line gives as text and a command checks in `validate()`: parsing always
/// succeeds, so that the check can say exactly what is wrong (`--date: day 30 does not exist in
/// February 2020`) rather than only that the value is invalid.
protocol ArgumentValue: Sendable {
    /// The value, or why the text is not one.
    static func parse(_ text: String) -> Result<Self, ArgumentProblem>
}

/// Why a text is not a value of some kind.
struct ArgumentProblem: Error, Sendable {
    let message: String
    init(_ message: String) { self.message = message }
}

/// A typed command-line value, checked in `validate()`.
struct Checked<Value: ArgumentValue>: ExpressibleByArgument, Sendable {
    let text: String
    let result: Result<Value, ArgumentProblem>

    init?(argument: String) {
        text = argument
        result = Value.parse(argument)
    }

    var defaultValueDescription: String { text }

    /// The value; throws a usage error naming `option` when the text is not one.
    func value(_ option: String) throws(ValidationError) -> Value {
        switch result {
        case .success(let v): return v
        case .failure(let problem): throw ValidationError("\(option): \(problem.message)")
        }
    }

    /// The value, once `validate()` has checked it.
    var checked: Value { try! result.get() }
}

extension Day: ArgumentValue {
    static func parse(_ text: String) -> Result<Day, ArgumentProblem> {
        do { return .success(try Day(parsing: text)) } catch { return .failure(ArgumentProblem(error.message)) }
    }
}

extension Length: ArgumentValue {
    static func parse(_ text: String) -> Result<Length, ArgumentProblem> {
        do { return .success(try Length(parsing: text)) } catch { return .failure(ArgumentProblem("\(error)")) }
    }
}

/// Degrees within ±`limit`: a longitude or a latitude.
protocol Degrees: ArgumentValue {
    static var limit: Double { get }
    var degrees: Double { get }
    init(degrees: Double)
}

extension Degrees {
    static func parse(_ text: String) -> Result<Self, ArgumentProblem> {
        guard let v = Double(text), v.isFinite else { return .failure(ArgumentProblem("'\(text)' is not a number of degrees")) }
        guard (-limit...limit).contains(v) else { return .failure(ArgumentProblem("\(text) is outside -\(Int(limit))..\(Int(limit))")) }
        return .success(Self(degrees: v))
    }
}

/// Degrees of longitude (east, -180..180).
struct Longitude: Degrees {
    static let limit = 180.0
    let degrees: Double
}

/// Degrees of latitude (north, -90..90).
struct Latitude: Degrees {
    static let limit = 90.0
    let degrees: Double
}

/// `--lon` and `--lat`: a place, both or neither.
struct PlaceOptions: ParsableArguments {
    @Option(parsing: .unconditional, help: ArgumentHelp("Longitude, degrees east (WGS 84), with --lat.", valueName: "X"))
    var lon: Checked<Longitude>?

    @Option(parsing: .unconditional, help: ArgumentHelp("Latitude, degrees north (WGS 84), with --lon.", valueName: "Y"))
    var lat: Checked<Latitude>?

    @Option(help: ArgumentHelp("A place by name instead of --lon/--lat, in any of its spellings, with or without diacritics (Shusha, Shushi, Şuşa); see 'territory places'.", valueName: "NAME"))
    var place: String?

    func validate() throws {
        guard (lon == nil) == (lat == nil) else { throw ValidationError("give both --lon and --lat, or neither") }
        if place != nil, lon != nil { throw ValidationError("give --place or --lon and --lat, not both") }
        _ = try lon?.value("--lon")
        _ = try lat?.value("--lat")
    }

    /// True when a place was given.
    var given: Bool { lon != nil || place != nil }

    /// The place: the coordinates given, or the named place's (with the town); nil when neither.
    func resolve(_ store: Store) throws(Failure) -> (position: Position, town: Town?)? {
        if let lon, let lat { return (Position(lon.checked.degrees, lat.checked.degrees), nil) }
        guard let place else { return nil }
        let gazetteer: Gazetteer
        do { gazetteer = try store.gazetteer() } catch { throw Failure(error) }
        switch gazetteer.lookup(place, argument: "--place") {
        case .success(let town): return (town.position, town)
        case .failure(let problem): throw .usage(problem.text)
        }
    }
}


/// One facet or all of them, case-insensitive.
struct FacetChoice: ArgumentValue {
    let facets: [Facet]
    static func parse(_ text: String) -> Result<FacetChoice, ArgumentProblem> {
        if text.lowercased() == "all" { return .success(FacetChoice(facets: Facet.allCases)) }
        guard let facet = Facet(parsing: text) else {
            return .failure(ArgumentProblem("'\(text)' is not a facet (one of \(Facet.names), all)"))
        }
        return .success(FacetChoice(facets: [facet]))
    }
}

/// The columns of `status --csv`, comma-separated.
struct ColumnList: ArgumentValue {
    let columns: [CSVColumn]
    static func parse(_ text: String) -> Result<ColumnList, ArgumentProblem> {
        do { return .success(ColumnList(columns: try CSVColumn.list(text))) } catch {
            return .failure(ArgumentProblem(error.message.replacingOccurrences(of: "--columns: ", with: "")))
        }
    }
}

extension MetricBuffer.Ends: ExpressibleByArgument {}

/// `51.1234°N, 46.5678°E`.
func coordinates(_ p: Position) -> String {
    String(format: "%.4f°%@, %.4f°%@", abs(p.y), p.y >= 0 ? "N" : "S", abs(p.x), p.x >= 0 ? "E" : "W")
}
