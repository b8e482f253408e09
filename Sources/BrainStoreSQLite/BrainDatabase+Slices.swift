import BrainCore
import GRDB

extension BrainDatabase {
    /// How long one slice of bulk work may hold the writer. Agents' saves queue behind at most
    /// one slice: a 100,000-row import in one transaction held a one-row save for 6.25 s.
    static let bulkSliceDuration: Duration = .milliseconds(20)

    /// Writes `rows` in transactions of about `bulkSliceDuration` each (at least one row), so
    /// saves waiting for the writer get it between slices. Each slice commits on its own: a
    /// failure or a stop keeps the slices before it.
    /// - Parameters:
    ///   - work: what is written, for a stop's message (`import of companies`).
    ///   - stop: checked between slices; once requested, throws `BulkWorkStopped`.
    ///   - advice: what to do after a stop.
    ///   - write: writes one row inside the slice's transaction.
    func writeInSlices<Input: Sendable, Output: Sendable>(
        _ rows: [Input], work: String, stop: StopSignal?, advice: String,
        _ write: @escaping @Sendable (Input, Database) throws -> Output
    ) async throws -> [Output] {
        var outputs: [Output] = []
        outputs.reserveCapacity(rows.count)
        while outputs.count < rows.count {
            if stop?.isRequested == true {
                throw BulkWorkStopped(work: work, done: outputs.count, total: rows.count, advice: advice)
            }
            let start = outputs.count
            outputs += try await storageWrite { db in
                let clock = ContinuousClock()
                let deadline = clock.now + Self.bulkSliceDuration
                var written: [Output] = []
                var index = start
                repeat {
                    written.append(try write(rows[index], db))
                    index += 1
                } while index < rows.count && clock.now < deadline
                return written
            }
        }
        return outputs
    }
}
