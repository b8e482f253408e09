import BrainCore

extension SQLiteSynchronous {
    /// The value of `PRAGMA synchronous` for this mode.
    var pragmaValue: Int { self == .full ? 2 : 1 }
}
