/// A problem found in data/: the file, the statement or shape at fault, and what is wrong.
public struct Problem: Error, Hashable, Sendable, CustomStringConvertible {
    public let file: String
    /// `statement 'id'`, `shape 'id'`, or nil for the file as a whole.
    public let subject: String?
    public let message: String
    /// For an overlap or a gap of a partition: its area in km².
    public let areaKm2: Double?

    public init(file: String, subject: String? = nil, _ message: String, areaKm2: Double? = nil) {
        self.file = file
        self.subject = subject
        self.message = message
        self.areaKm2 = areaKm2
    }

    public var description: String {
        [file, subject].compactMap { $0 }.joined(separator: ": ") + ": " + message
    }
}

/// Problems found together: validation reports every problem, not only the first.
public struct Problems: Error, CustomStringConvertible, Sendable {
    public let problems: [Problem]

    public init(problems: [Problem]) {
        self.problems = problems
    }

    public var description: String { problems.map(\.description).joined(separator: "\n") }
}

/// A failure any caller (the tool, the server) can sort by whose fault it is: the caller's bad
/// input, bad data in data/ or a pack, input that is missing, an output that cannot be written, or
/// a failure inside (a bug, or a library that failed). The message names the file, statement id,
/// argument or parameter at fault.
public struct TerritoryError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// The caller's fault: a bad argument or parameter (exit 64, HTTP 400).
        case badInput
        /// The data is not usable: problems in data/, a pack, an input file (exit 65).
        case badData
        /// A file or folder that does not exist or cannot be read (exit 66).
        case missingInput
        /// An output that cannot be written (exit 74).
        case io
        /// A failure inside: GEOS, PROJ, SQLite, or a bug (exit 70, HTTP 500).
        case internalFailure
    }

    public let kind: Kind
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }

    public static func badInput(_ message: String) -> TerritoryError { TerritoryError(.badInput, message) }
    public static func badData(_ message: String) -> TerritoryError { TerritoryError(.badData, message) }
    public static func missingInput(_ message: String) -> TerritoryError { TerritoryError(.missingInput, message) }
    public static func io(_ message: String) -> TerritoryError { TerritoryError(.io, message) }
    public static func internalFailure(_ message: String) -> TerritoryError { TerritoryError(.internalFailure, message) }
}
