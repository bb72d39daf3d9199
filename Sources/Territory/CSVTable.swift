import CSV
import Foundation

/// A small CSV table (an id map, official areas, name variants) read whole with yaslab/CSV.swift:
/// quoted fields (commas and newlines inside quotes), a header row naming the columns, blank lines
/// skipped. Millions of dated points go through the streaming `DatedPointCSV` instead.
public struct CSVTable: Sendable {
    /// One row: its fields by column name, and its line number in the file (the header is line 1).
    public struct Row: Sendable {
        public let line: Int
        public let fields: [String: String]

        public subscript(column: String) -> String { fields[column] ?? "" }
    }

    /// The name used in messages (the file's path).
    public let name: String
    public let header: [String]
    public let rows: [Row]

    /// Reads `text`, whose header must hold every column of `required` (others are kept too).
    public init(text: String, name: String, required: [String]) throws(TerritoryError) {
        self.name = name
        let reader: CSVReader
        do { reader = try CSVReader(string: text, hasHeaderRow: true, trimFields: true) } catch {
            throw .badData("\(name): line 1: expected a header row naming the columns \(required.joined(separator: ","))")
        }
        let header = (reader.headerRow ?? []).map { $0.hasPrefix("\u{FEFF}") ? String($0.dropFirst()) : $0 }
        let missing = required.filter { !header.contains($0) }
        guard missing.isEmpty else {
            throw .badData("\(name): line 1: the header '\(header.joined(separator: ","))' lacks \(missing.joined(separator: ", ")) (expected \(required.joined(separator: ",")))")
        }
        var rows: [Row] = []
        var line = 2
        while let fields = reader.next() {
            defer { line += 1 + fields.reduce(0) { $0 + $1.filter { $0 == "\n" }.count } }
            if fields.allSatisfy(\.isEmpty) { continue }
            guard fields.count == header.count else {
                throw .badData("\(name): line \(line): expected \(header.count) fields (\(header.joined(separator: ","))), found \(fields.count)")
            }
            rows.append(Row(line: line, fields: Dictionary(zip(header, fields), uniquingKeysWith: { a, _ in a })))
        }
        if let error = reader.error { throw .badData("\(name): line \(line): not readable as CSV (\(error))") }
        self.header = header
        self.rows = rows
    }

    /// Reads the file at `url` (UTF-8).
    public init(contentsOf url: URL, required: [String]) throws(TerritoryError) {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw .missingInput("\(url.path): \(FileManager.default.fileExists(atPath: url.path) ? "cannot be read" : "no such file")")
        }
        guard let text = String(data: data, encoding: .utf8) else { throw .badData("\(url.path): not UTF-8 text") }
        try self.init(text: text, name: url.path, required: required)
    }
}
