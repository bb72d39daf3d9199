import Foundation
import Geometry
import JSONText
import TerritoryStore

/// Where input comes from: a file, or standard input for `-` or no argument.
struct InputSource {
    let path: String?

    init(_ argument: String?) {
        path = (argument == nil || argument == "-") ? nil : argument
    }

    /// The name used in messages.
    var name: String { path ?? "<stdin>" }

    /// All bytes of the input. A missing or unreadable file is a `missingInput` failure; a terminal
    /// on standard input with no file named is a usage failure rather than a silent wait.
    func read() throws(Failure) -> [UInt8] {
        guard let path else {
            if isatty(STDIN_FILENO) != 0 {
                throw .usage("no input: name a GeoJSON file, or pipe one to standard input (use '-' to read it explicitly)")
            }
            return Array(FileHandle.standardInput.readDataToEndOfFile())
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw .missingInput("\(path): no such file")
        }
        guard !isDirectory.boolValue else { throw .missingInput("\(path): is a directory, not a file") }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .missingInput("\(path): cannot be read (permissions?)")
        }
        return Array(data)
    }

    /// The input's features, read as GeoJSON; a problem names the input and where in it.
    func features() throws(Failure) -> [Feature] {
        let bytes = try read()
        do {
            return try GeoJSON.features(from: bytes)
        } catch {
            throw .badData("\(name): \(error)")
        }
    }
}

/// Writes the whole of a command's output at once, through the one atomic writer: to standard
/// output, or to a file through a temporary file in the same folder renamed into place.
func writeOutput(_ text: String, to path: String?) throws(Failure) {
    do { try AtomicFile.write(text, to: path) } catch { throw Failure(error) }
}

/// True when standard error is a terminal, where progress is shown.
var stderrIsTerminal: Bool { isatty(STDERR_FILENO) != 0 }

/// Rounds to `places` decimals, for numbers shown to people and written to files.
func rounded(_ value: Double, _ places: Int) -> Double {
    let scale = pow(10, Double(places))
    return (value * scale).rounded() / scale
}

/// A feature's label for messages and tables: its `name` property, else its id, else its position.
func label(_ feature: Feature, index: Int) -> String {
    if case .string(let name)? = feature.properties["name"] { return name }
    switch feature.id {
    case .string(let s)?: return s
    case .number(let n)?: return JSONWriter.number(n)
    default: return "feature \(index)"
    }
}

/// Where a feature stands in its input, for messages: `features[3]`, or the whole input.
func location(_ index: Int, of count: Int) -> String {
    count == 1 ? "" : "features[\(index)]: "
}
