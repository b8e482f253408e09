import BrainCore

/// The row-level calls the push worker and the reconciler share.
extension Mem0Client {
    /// Adds a row's latest state verbatim and returns the new memory's id.
    func addRow(_ task: PushTask) async throws -> String {
        switch try await add(text: task.content, userID: task.entityID, metadata: task.mem0Metadata) {
        case .stored(let ids, _):
            guard let id = ids.first else { throw PushError.nothingStored }
            return id
        case .nothingStored:
            throw PushError.nothingStored
        }
    }

    /// Deletes a memory; one already gone (404) is what a delete wants.
    func deleteIfPresent(id: String) async throws {
        do {
            try await delete(id: id)
        } catch let error as Mem0Error where error.failureClass == .notFound {}
    }
}
