import ArgumentParser
import Foundation
import Geodesy
import Geometry

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

/// Runs a command body, turning every failure into one line on standard error and its exit status.
func reporting(_ command: String, _ body: () throws -> Void) throws {
    do {
        try body()
    } catch let failure as Failure {
        printError("territory \(command): \(failure.message)")
        throw ExitCode(failure.kind.rawValue)
    } catch let error as GEOSError {
        printError("territory \(command): geometry library failure: \(error)")
        throw ExitCode(Failure.Kind.internalError.rawValue)
    } catch let error as PROJError {
        printError("territory \(command): projection library failure: \(error)")
        throw ExitCode(Failure.Kind.internalError.rawValue)
    }
}

/// Writes one line to standard error.
func printError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}
