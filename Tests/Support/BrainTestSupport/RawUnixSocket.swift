import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A deliberately dumb HTTP client for the daemon's Unix socket: POSIX `socket(AF_UNIX)`,
/// `connect`, `send` of raw bytes and `recv` until the answer is complete, the peer closes, or a
/// timeout passes. It shares no code with braind or AsyncHTTPClient, so it can send anything.
public enum RawUnixSocket {
    /// What came back for one request.
    public struct Exchange: Sendable {
        /// Bytes received.
        public var response: [UInt8] = []
        /// `connect` failed (errno); nothing was sent.
        public var connectError: Int32?
        /// The receive timeout passed before the answer was complete or the peer closed.
        public var timedOut = false
        /// The peer stopped reading before the whole request was written (EPIPE, ECONNRESET).
        public var sendInterrupted = false

        /// The status code of the first status line, if the answer starts with one.
        public var status: Int? {
            let prefix = Array(response.prefix(12))
            guard prefix.count >= 12, String(decoding: prefix[0..<5], as: UTF8.self) == "HTTP/" else { return nil }
            return Int(String(decoding: prefix[9..<12], as: UTF8.self))
        }

        /// The body after the header block (chunked bodies are returned as sent).
        public var body: [UInt8] {
            guard let end = RawUnixSocket.headerEnd(response) else { return [] }
            return Array(response[end...])
        }
    }

    /// Connects to `path`, sends `request`, optionally half-closes, and reads the answer.
    /// - Parameters:
    ///   - halfClose: `shutdown(SHUT_WR)` after sending, so the server sees end of input (for
    ///     truncated requests that would otherwise wait for more bytes).
    ///   - timeout: receive (and send) timeout per call.
    public static func exchange(path: String, request: [UInt8], halfClose: Bool = false, timeout: Duration = .seconds(5)) -> Exchange {
        var exchange = Exchange()
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else {
            exchange.connectError = errno
            return exchange
        }
        defer { close(fd) }
        var seconds = timeval(tv_sec: Int(timeout.components.seconds), tv_usec: Int(timeout.components.attoseconds / 1_000_000_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &seconds, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &seconds, socklen_t(MemoryLayout<timeval>.size))

        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let pathBytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard pathBytes.count < capacity else {
            exchange.connectError = ENAMETOOLONG
            return exchange
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: pathBytes)
            raw[pathBytes.count] = 0
        }
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else {
            exchange.connectError = errno
            return exchange
        }

        var sent = 0
        request.withUnsafeBytes { bytes in
            while sent < bytes.count {
                let n = send(fd, bytes.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL))
                if n > 0 {
                    sent += n
                } else if n < 0, errno == EINTR {
                    continue
                } else {
                    exchange.sendInterrupted = true
                    return
                }
            }
        }
        if halfClose { shutdown(fd, Int32(SHUT_WR)) }

        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while exchange.response.count < 8 << 20 {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n > 0 {
                exchange.response += buffer[0..<n]
                if isComplete(exchange.response) { break }
            } else if n == 0 {
                break
            } else if errno == EINTR {
                continue
            } else {
                if errno == EAGAIN || errno == EWOULDBLOCK { exchange.timedOut = true }
                break
            }
        }
        return exchange
    }

    /// ``exchange(path:request:halfClose:timeout:)`` on a Dispatch thread: its calls block, and
    /// a blocked thread of the cooperative pool (two here) can starve the rest of the test process,
    /// fake-mem0 included.
    public static func exchangeOffPool(
        path: String, request: [UInt8], halfClose: Bool = false, timeout: Duration = .seconds(5)
    ) async -> Exchange {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(returning: exchange(path: path, request: request, halfClose: halfClose, timeout: timeout))
            }
        }
    }

    /// A minimal HTTP/1.1 request.
    public static func request(
        _ method: String, _ target: String, headers: [(String, String)] = [], body: [UInt8]? = nil, connectionClose: Bool = true
    ) -> [UInt8] {
        var head = "\(method) \(target) HTTP/1.1\r\nHost: localhost\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if let body { head += "Content-Length: \(body.count)\r\n" }
        if connectionClose { head += "Connection: close\r\n" }
        head += "\r\n"
        return Array(head.utf8) + (body ?? [])
    }

    /// Index just past the `\r\n\r\n` that ends the header block.
    static func headerEnd(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for index in 0...(bytes.count - 4)
        where bytes[index] == 13 && bytes[index + 1] == 10 && bytes[index + 2] == 13 && bytes[index + 3] == 10 {
            return index + 4
        }
        return nil
    }

    /// Whether the bytes hold one whole answer (by `Content-Length`, or a chunked body's end).
    static func isComplete(_ bytes: [UInt8]) -> Bool {
        guard let end = headerEnd(bytes) else { return false }
        let head = String(decoding: bytes[0..<end], as: UTF8.self).lowercased()
        for line in head.split(separator: "\r\n") where line.hasPrefix("content-length:") {
            let value = line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)
            if let length = Int(value) { return bytes.count - end >= length }
        }
        if head.contains("transfer-encoding: chunked") {
            return bytes.count >= 5 && Array(bytes.suffix(5)) == Array("0\r\n\r\n".utf8)
        }
        return false
    }
}
