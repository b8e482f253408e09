/// What a local search looks for, the same on both stores: the query's runs of letters and
/// digits, at most 16, so user text never becomes FTS5 or tsquery syntax.
public struct SearchTerms: Sendable, Equatable {
    public let words: [String]
    public let limit: Int

    /// - Throws: `BrainError.invalid` for a limit outside 1...`StoreLimits.maxSearchLimit` or a
    ///   query without a word.
    public init(query: String, limit: Int) throws(BrainError) {
        try StoreLimits.checkSearchLimit(limit)
        let words = query.split(whereSeparator: { !$0.isLetter && !$0.isNumber }).prefix(16).map(String.init)
        guard !words.isEmpty else { throw BrainError.invalid(field: "q", reason: "must contain at least one word") }
        self.words = words
        self.limit = limit
    }
}
