internal import CGEOS

/// A GEOS context handle (`GEOS_init_r`) with a message handler that collects what GEOS says.
///
/// A context belongs to one call or one task and is never shared between threads: the type is
/// not `Sendable`, so the compiler keeps it where it was made. Geometries made in a context keep
/// it alive, and every operation on them runs in it.
public final class GEOSContext {
    /// The raw handle, for code inside this module only.
    let handle: GEOSContextHandle_t
    /// Messages GEOS reported since the last `reset()`.
    private(set) var messages: [String] = []

    /// Creates a context (`GEOS_init_r`) and installs the error message handler
    /// (`GEOSContext_setErrorMessageHandler_r`).
    public init() {
        // GEOS_init_r returns NULL only when it cannot allocate: nothing sensible remains then.
        guard let handle = GEOS_init_r() else { fatalError("GEOS_init_r: out of memory") }
        self.handle = handle
        let handler: GEOSMessageHandler_r = { message, userdata in
            guard let message, let userdata else { return }
            let context = Unmanaged<GEOSContext>.fromOpaque(userdata).takeUnretainedValue()
            context.messages.append(String(cString: message))
        }
        _ = GEOSContext_setErrorMessageHandler_r(handle, handler, Unmanaged.passUnretained(self).toOpaque())
    }

    deinit {
        GEOS_finish_r(handle)
    }

    /// Clears the message buffer: every call starts with an empty one.
    func reset() {
        messages.removeAll(keepingCapacity: true)
    }

    /// The error to throw when `operation` failed, carrying GEOS's own message.
    func failure(_ operation: String) -> GEOSError {
        let message = messages.last ?? "GEOS reported a failure without a message"
        return GEOSError(operation: operation, message: message)
    }

    /// The version of the GEOS library in use (`GEOSversion`).
    public static var libraryVersion: String {
        String(cString: GEOSversion())
    }
}

/// A failure inside the GEOS library, with the operation and GEOS's own message.
public struct GEOSError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The GEOS call or operation that failed, e.g. `GEOSBuffer_r`.
    public let operation: String
    /// What GEOS said.
    public let message: String

    public var description: String { "\(operation) failed: \(message)" }
}
