import ArgumentParser
import Foundation
import Geodesy
import Geometry
import Territory

/// A failure the tool reports in one line on standard error, with its exit status.
struct Failure: Error, CustomStringConvertible {
    enum Kind: Int32 {
        case usage = 64
        case badData = 65
        case missingInput = 66
        case internalError = 70
        case io = 74
    }

    let kind: Kind
    let message: String

    var description: String { message }

    static func usage(_ message: String) -> Failure { Failure(kind: .usage, message: message) }
    static func badData(_ message: String) -> Failure { Failure(kind: .badData, message: message) }
    static func missingInput(_ message: String) -> Failure { Failure(kind: .missingInput, message: message) }
    static func io(_ message: String) -> Failure { Failure(kind: .io, message: message) }
    static func internalError(_ message: String) -> Failure { Failure(kind: .internalError, message: message) }
}

extension Failure {
    /// The exit status of a library's typed error.
    init(_ error: TerritoryError) {
        switch error.kind {
        case .badInput: kind = .usage
        case .badData: kind = .badData
        case .missingInput: kind = .missingInput
        case .io: kind = .io
        case .internalFailure: kind = .internalError
        }
        message = error.message
    }
}

/// Runs a command body, turning every failure into one line on standard error and its exit status.
func reporting(_ command: String, _ body: () throws -> Void) throws {
    func fail(_ failure: Failure) -> ExitCode {
        printError("territory \(command): \(failure.message)")
        return ExitCode(failure.kind.rawValue)
    }
    do {
        try body()
    } catch let failure as Failure {
        throw fail(failure)
    } catch let error as TerritoryError {
        throw fail(Failure(error))
    } catch let error as GEOSError {
        throw fail(.internalError("geometry library failure: \(error)"))
    } catch let error as PROJError {
        throw fail(.internalError("projection library failure: \(error)"))
    }
}

/// Writes one line to standard error.
func printError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}
