import Foundation

/// A pipe whose ends are close-on-exec, for `ChildProcess`: a child spawned by another thread
/// never inherits them, so a reader sees end-of-file as soon as its own child exits. (Swift's
/// Glibc module lacks `pipe2`; the moment between `pipe` and `fcntl` is covered by
/// `ChildProcess` closing every descriptor above 2 in its children.)
public final class CloseOnExecPipe: @unchecked Sendable {
    public let read: Int32
    public let write: Int32
    private var readOpen = true
    private var writeOpen = true

    public init() throws {
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        _ = fcntl(ends[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(ends[1], F_SETFD, FD_CLOEXEC)
        read = ends[0]
        write = ends[1]
    }

    public func closeRead() {
        if readOpen { close(read); readOpen = false }
    }

    public func closeWrite() {
        if writeOpen { close(write); writeOpen = false }
    }

    /// Reads until every writer has closed its end.
    public func readToEnd() -> Data {
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(read, $0.baseAddress, $0.count) }
            if count > 0 { data.append(contentsOf: buffer[0..<count]) } else if count == 0 || errno != EINTR { break }
        }
        return data
    }

    /// Writes all of `data`; a reader that went away (EPIPE) ends the write quietly.
    public func writeAll(_ data: Data) {
        data.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = Glibc.write(write, bytes.baseAddress! + offset, bytes.count - offset)
                if written > 0 { offset += written } else if written < 0 && errno == EINTR { continue } else { break }
            }
        }
    }

    deinit {
        closeRead()
        closeWrite()
    }
}
