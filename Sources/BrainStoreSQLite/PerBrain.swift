import BrainCore

/// A value built once for each brain: the save path's SQL texts, which the statement cache is
/// keyed by, so building them per item cost a concatenation and a hash of a long string.
struct PerBrain<Value: Sendable>: Sendable {
    private let company: Value
    private let user: Value

    init(_ make: (BrainKind) -> Value) {
        company = make(.company)
        user = make(.user)
    }

    subscript(brain: BrainKind) -> Value {
        switch brain {
        case .company: company
        case .user: user
        }
    }
}
