import Dispatch
import Foundation

/// Waits for SIGINT or SIGTERM.
enum TerminationSignal {
    /// Returns the first of SIGINT and SIGTERM to arrive; their default actions are disabled meanwhile.
    static func wait() async -> Int32 {
        let (signals, continuation) = AsyncStream<Int32>.makeStream()
        let queue = DispatchQueue(label: "fake-mem0.signals")
        let sources = [SIGINT, SIGTERM].map { number in
            // Ignore the default action, or the process would die before the source fires.
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { continuation.yield(number) }
            source.resume()
            return source
        }
        var iterator = signals.makeAsyncIterator()
        let received = await iterator.next() ?? SIGTERM
        sources.forEach { $0.cancel() }
        return received
    }
}
