import Foundation
import Territory

/// The one atomic writer: an output is written whole or not at all.
///
/// Bytes go to a temporary file in the target's own folder, `.<name>.<pid>.<token>.tmp` (the
/// token tells apart two writers of one target in one process); `commit()`
/// flushes it to disk (fsync) and renames it over the target in one step (rename(2)); `discard()`,
/// a thrown error or the object's end before a commit remove it, and the target stays as it was.
/// What a killed writer left behind is removed by the next writer of the same target (its process
/// is gone). For standard output (`nil` or `-`), the bytes are spooled to an unnamed temporary
/// file (unlinked as soon as it is open, so nothing is left however the process ends) and copied
/// out on commit, so that a failure never leaves half an output on standard output either.
public final class AtomicFile {
    /// The target's path, or nil for standard output.
    public let target: String?
    /// The temporary file's path (nil for standard output).
    public let temporaryPath: String?
    private var fd: Int32 = -1
    private var done = false

    /// The name used in messages.
    public var name: String { target ?? "standard output" }

    /// Starts an output to `path` (`nil` or `-`: standard output). With `open: false`, only the
    /// temporary path is chosen, for a writer that makes the file itself (SQLite).
    public init(path: String?, open: Bool = true) throws(TerritoryError) {
        target = (path == nil || path == "-") ? nil : path
        guard let target else {
            temporaryPath = nil
            var template = Array(FileManager.default.temporaryDirectory.appendingPathComponent("territory-XXXXXX").path.utf8CString)
            fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
            guard fd >= 0 else { throw .io("standard output: cannot make a temporary file: \(String(cString: strerror(errno)))") }
            template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
            return
        }
        let url = URL(fileURLWithPath: target)
        let folder = url.deletingLastPathComponent()
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw .io("\(target): cannot write: the folder \(folder.path) does not exist")
        }
        AtomicFile.removeAbandoned(of: url)
        let token = String(UInt32.random(in: 0...UInt32.max), radix: 16)
        let name = folder.appendingPathComponent(".\(url.lastPathComponent).\(getpid()).\(token).tmp").path
        temporaryPath = name
        if open {
            fd = Foundation.open(name, O_WRONLY | O_CREAT | O_TRUNC | O_EXCL, 0o644)
            guard fd >= 0 else { throw .io("\(target): cannot write: \(String(cString: strerror(errno)))") }
        }
    }

    deinit { discard() }

    /// Removes `.<name>.<pid>.<token>.tmp` files (and SQLite journals of them) beside `target`
    /// whose process is gone. Only names of exactly that form count: the temporary file of
    /// another target (`.<name>.5.<pid>.<token>.tmp`, of a target called `<name>.5`) is left alone.
    public static func removeAbandoned(of target: URL) {
        let folder = target.deletingLastPathComponent()
        let prefix = ".\(target.lastPathComponent)."
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return }
        for name in names where name.hasPrefix(prefix) {
            var rest = Substring(name.dropFirst(prefix.count))
            if rest.hasSuffix(".tmp-journal") { rest = rest.dropLast(12) } else if rest.hasSuffix(".tmp") { rest = rest.dropLast(4) } else { continue }
            let parts = rest.split(separator: ".", omittingEmptySubsequences: false)
            guard parts.count == 2, let pid = Int32(parts[0]), !parts[1].isEmpty, parts[1].allSatisfy(\.isHexDigit), pid != getpid() else { continue }
            // kill(pid, 0) fails with ESRCH when no such process runs.
            if kill(pid, 0) != 0 && errno == ESRCH { unlink(folder.appendingPathComponent(name).path) }
        }
    }

    /// Appends bytes.
    public func write(_ bytes: [UInt8]) throws(TerritoryError) {
        try AtomicFile.write(bytes, to: fd, name: name)
        // A file's bytes start on their way to the disk every 8 MiB (asynchronously: POSIX_FADV_DONTNEED), so that the
        // fsync of the commit has little left to wait for.
        guard temporaryPath != nil else { return }
        written += bytes.count
        if written - flushed >= 8 << 20 {
            // Linux starts the writeback of a range's dirty pages on POSIX_FADV_DONTNEED.
            _ = posix_fadvise(fd, off_t(flushed), off_t(written - flushed), POSIX_FADV_DONTNEED)
            flushed = written
        }
    }

    /// Bytes written, and where the last writeback started.
    private var written = 0, flushed = 0

    /// Appends text as UTF-8.
    public func write(_ text: String) throws(TerritoryError) { try write(Array(text.utf8)) }

    private static func write(_ bytes: [UInt8], to descriptor: Int32, name: String) throws(TerritoryError) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .io("\(name): write failed: \(String(cString: strerror(errno)))")
            }
            offset += n
        }
    }

    /// Flushes the output and puts it in place: renames the temporary file over the target, or
    /// copies the spooled bytes to standard output.
    public func commit() throws(TerritoryError) {
        guard !done else { return }
        if let target, let temporaryPath {
            if fd < 0 { fd = Foundation.open(temporaryPath, O_RDWR) }
            guard fd >= 0 else { throw .io("\(target): cannot write: \(String(cString: strerror(errno)))") }
            guard fsync(fd) == 0 || errno == EINVAL else { throw .io("\(temporaryPath): fsync failed: \(String(cString: strerror(errno)))") }
            close(fd)
            fd = -1
            // rename(2) replaces the target in one step.
            guard rename(temporaryPath, target) == 0 else { throw .io("\(target): cannot write: \(String(cString: strerror(errno)))") }
        } else {
            guard lseek(fd, 0, SEEK_SET) == 0 else { throw .io("standard output: cannot read back the output: \(String(cString: strerror(errno)))") }
            var chunk = [UInt8](repeating: 0, count: 1 << 20)
            while true {
                let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if n < 0 && errno == EINTR { continue }
                if n < 0 { throw .io("standard output: cannot read back the output: \(String(cString: strerror(errno)))") }
                if n == 0 { break }
                try AtomicFile.write(Array(chunk[0..<n]), to: STDOUT_FILENO, name: "standard output")
            }
            close(fd)
            fd = -1
        }
        done = true
    }

    /// Abandons the output: the temporary file is removed and the target stays as it was.
    public func discard() {
        if fd >= 0 { close(fd) }
        fd = -1
        if !done, let temporaryPath {
            unlink(temporaryPath)
            unlink(temporaryPath + "-journal")
        }
        done = true
    }

    /// Writes `text` whole to `path` (`nil` or `-`: standard output, straight out).
    public static func write(_ text: String, to path: String?) throws(TerritoryError) {
        guard let path, path != "-" else {
            try write(Array(text.utf8), to: STDOUT_FILENO, name: "standard output")
            return
        }
        let file = try AtomicFile(path: path)
        do {
            try file.write(text)
            try file.commit()
        } catch {
            file.discard()
            throw error
        }
    }
}
