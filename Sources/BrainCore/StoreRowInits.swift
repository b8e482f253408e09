// Initialisers for the domain types a store outside BrainCore builds from its rows
// (the PostgreSQL store). Kept apart from the types so that moving a type does not move them.

extension ReconcileRow {
    /// A row as a store outside BrainCore read it. A factory, not an init: an extension may not
    /// redeclare the memberwise initialiser, and the type itself is being moved.
    public static func make(task: PushTask, syncState: SyncState, syncedVersion: Int) -> ReconcileRow {
        ReconcileRow(task: task, syncState: syncState, syncedVersion: syncedVersion)
    }
}
