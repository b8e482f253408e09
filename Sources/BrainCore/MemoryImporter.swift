import Foundation

/// Imports export lines (`MemoryExportLine`) through the normal save path: consecutive lines of
/// one owner's brain are saved as one batch (an export is ordered that way), upserted by owner
/// and slug, so an import is idempotent and everything it creates or changes is pushed like any
/// save. A bad line fails alone and is reported with its line number.
///
/// Timestamps: a memory the import creates keeps the file's `created_at` and `updated_at`; one it
/// changes keeps the file's `updated_at`; one already identical keeps its own. So export, import
/// into an empty braind and export again gives the same file, byte for byte.
public struct MemoryImporter {
    /// Failures listed in the result; all are counted.
    public static let maxReportedErrors = 1_000
    /// Items per save (the API's batch limit).
    public static let batchSize = MemoryLimits.batchMaxItems
    /// Longest line read: far above the largest valid memory (32 KiB content, 8 KiB metadata, escaped).
    public static let maxLineBytes = 1 << 20

    private struct Pending {
        var line: Int
        var input: MemoryInput
        var createdAt: String?
        var updatedAt: String?
    }

    private let database: any MemoryStore & TransferStore
    private let verifyCheckDigit: Bool
    private var batch: Batch?
    public private(set) var result = MemoryImportResult()

    public init(database: any MemoryStore & TransferStore, verifyCheckDigit: Bool = true) {
        self.database = database
        self.verifyCheckDigit = verifyCheckDigit
    }

    /// Reads one line (without its newline). Saves the pending batch when this line starts
    /// another owner's or the batch is full; returns whether it saved, so callers can wake the push worker.
    @discardableResult
    public mutating func add(line bytes: some Collection<UInt8>, number: Int) async throws -> Bool {
        guard bytes.contains(where: { !($0 == 0x20 || $0 == 0x09 || $0 == 0x0D) }) else { return false }
        result.lines += 1
        guard bytes.count <= Self.maxLineBytes else {
            fail(line: number, slug: nil, "the line is longer than \(Self.maxLineBytes) bytes")
            return false
        }
        let parsed: (brain: BrainKind, owner: OwnerReference, item: Pending)
        do {
            parsed = try parse(Data(bytes), number: number)
        } catch let error as LineProblem {
            fail(line: number, slug: error.slug, error.message)
            return false
        }
        var saved = false
        if let batch, batch.brain != parsed.brain || batch.owner != parsed.owner || batch.items.count >= Self.batchSize {
            try await flush()
            saved = true
        }
        if batch == nil { batch = (parsed.brain, parsed.owner, []) }
        batch?.items.append(parsed.item)
        return saved
    }

    /// Saves what is pending and returns the summary.
    public mutating func finish() async throws -> MemoryImportResult {
        try await flush()
        try await drain(all: true)
        try await applyStamps()
        // A batch's failures are known when it is saved, after later lines that failed to parse.
        result.errors.sort { $0.line < $1.line }
        return result
    }

    // MARK: - Saving

    private typealias Batch = (brain: BrainKind, owner: OwnerReference, items: [Pending])
    /// A batch's save, or the error that failed all its lines.
    private typealias Saved = (batch: Batch, outcome: Result<SaveBatchResult, BrainError>)

    /// Owner batches saved at once. An export holds one batch per owner (100 memories each, say):
    /// saved one after another, every owner costs a commit and its fsync; saved side by side,
    /// group commit puts several owners in one transaction.
    static let savesInFlight = 4
    private var inFlight: [Task<Saved, any Error>] = []
    private var inFlightOwners: [(BrainKind, OwnerReference)] = []
    /// Timestamps to apply, gathered over batches so they cost one transaction per ~1,000 memories.
    private var stamps: [(brain: BrainKind, owner: OwnerReference, items: [ImportedTimestamps])] = []
    private var stampCount = 0

    private mutating func flush() async throws {
        guard let batch else { return }
        self.batch = nil
        // Two batches of one owner never run side by side: a later line must win over an earlier one.
        let sameOwner = inFlightOwners.contains { $0 == (batch.brain, batch.owner) }
        if sameOwner || inFlight.count >= Self.savesInFlight { try await drain(all: sameOwner) }
        let database = self.database
        inFlight.append(Task {
            do {
                return (batch, .success(try await database.save(batch.brain, owner: batch.owner, memories: batch.items.map(\.input))))
            } catch let error as BrainError {
                if case .storageUnavailable = error { throw error }
                return (batch, .failure(error))
            }
        })
        inFlightOwners.append((batch.brain, batch.owner))
    }

    /// Waits for the oldest save in flight, or for all of them, and counts their outcomes. On a
    /// storage failure the others are still awaited, so nothing is left running behind the error.
    private mutating func drain(all: Bool) async throws {
        while !inFlight.isEmpty {
            let task = inFlight.removeFirst()
            inFlightOwners.removeFirst()
            let saved: Saved
            do {
                saved = try await task.value
            } catch {
                for other in inFlight { _ = try? await other.value }
                inFlight.removeAll()
                inFlightOwners.removeAll()
                throw error
            }
            record(saved)
            if !all { break }
        }
        if stampCount >= Self.batchSize { try await applyStamps() }
    }

    private mutating func record(_ saved: Saved) {
        let batch = saved.batch
        let outcome: SaveBatchResult
        switch saved.outcome {
        case .success(let result): outcome = result
        case .failure(let error):
            for item in batch.items { fail(line: item.line, slug: item.input.slug, error.description) }
            return
        }
        var batchStamps: [ImportedTimestamps] = []
        for (item, itemOutcome) in zip(batch.items, outcome.items) {
            switch itemOutcome.status {
            case .created: result.created += 1
            case .updated: result.updated += 1
            case .unchanged: result.unchanged += 1
            case .failed: fail(line: item.line, slug: item.input.slug, Self.itemMessage(itemOutcome.error ?? "not saved"))
            }
            guard itemOutcome.status == .created || itemOutcome.status == .updated, item.createdAt != nil || item.updatedAt != nil,
                let memory = try? item.input.validated()
            else { continue }
            batchStamps.append(ImportedTimestamps(
                memory: memory, createdAt: itemOutcome.status == .created ? item.createdAt : nil, updatedAt: item.updatedAt))
        }
        if !batchStamps.isEmpty {
            stamps.append((batch.brain, batch.owner, batchStamps))
            stampCount += batchStamps.count
        }
    }

    private mutating func applyStamps() async throws {
        guard !stamps.isEmpty else { return }
        try await database.applyImportedTimestamps(stamps)
        stamps.removeAll(keepingCapacity: true)
        stampCount = 0
    }

    private mutating func fail(line: Int, slug: String?, _ message: String) {
        result.failed += 1
        if result.errors.count < Self.maxReportedErrors {
            result.errors.append(.init(line: line, slug: slug, error: message))
        }
    }

    /// The save path names items by their batch position (`memories[3].content: ...`), which
    /// means nothing to someone reading a file by line numbers.
    private static func itemMessage(_ message: String) -> String {
        guard message.hasPrefix("memories["), let end = message.firstIndex(of: "]") else { return message }
        let rest = message[message.index(after: end)...]
        return String(rest.hasPrefix(".") ? rest.dropFirst() : rest)
    }

    // MARK: - Parsing

    private struct LineProblem: Error {
        var slug: String?
        var message: String
    }

    private func parse(_ data: Data, number: Int) throws -> (brain: BrainKind, owner: OwnerReference, item: Pending) {
        let object: [String: JSONValue]
        do {
            object = try JSONDecoder().decode([String: JSONValue].self, from: data)
        } catch {
            throw LineProblem(message: "not a JSON object: \((error as NSError).localizedDescription)")
        }
        let slug = object["slug"]?.stringValue
        func problem(_ message: String) -> LineProblem { LineProblem(slug: slug, message: message) }
        if let unknown = object.keys.sorted().first(where: { !MemoryExportLine.fields.contains($0) }) {
            throw problem("\(unknown): unknown field; expected \(MemoryExportLine.fields.sorted().joined(separator: ", "))")
        }
        func string(_ key: String, required: Bool = false) throws -> String? {
            switch object[key] {
            case nil, .null?:
                if required { throw problem("\(key): is required") }
                return nil
            case .string(let value)?: return value
            default: throw problem("\(key): must be a string")
            }
        }
        guard let brain = BrainKind(name: try string("brain", required: true)!) else {
            throw problem("brain: must be company or user")
        }
        let ownerText = try string("owner", required: true)!
        let owner: OwnerReference
        do {
            owner = try OwnerReference(ownerText, verifyCheckDigit: verifyCheckDigit)
        } catch {
            throw problem(error.description)
        }
        var stamps: [String?] = []
        for key in ["created_at", "updated_at"] {
            let text = try string(key)
            if let text, Timestamp.date(from: text) == nil {
                throw problem("\(key): '\(text)' is not an ISO-8601 UTC time such as 2025-01-31T12:00:00.000Z")
            }
            stamps.append(text)
        }
        let input = MemoryInput(
            slug: try string("slug"), category: try string("category"), content: try string("content"), metadata: object["metadata"])
        return (brain, owner, Pending(line: number, input: input, createdAt: stamps[0], updatedAt: stamps[1]))
    }
}
