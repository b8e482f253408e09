import Foundation

/// The Platform's v2 filter language, as far as the fake needs it.
///
/// Supported: `AND`/`OR`/`NOT`; entity fields (`user_id`, `agent_id`, `app_id`, `run_id`) with
/// equality, `*`, `in`, `ne`; `metadata` (exact top-level key/value match); `memory_ids`;
/// `categories` (`in`, `contains`); `keywords` (`contains`, `icontains`); `created_at` /
/// `updated_at` comparisons. An unknown key is rejected, as the Platform does (400).
indirect enum FakeMem0Filter: Sendable {
    case all([FakeMem0Filter])
    case any([FakeMem0Filter])
    case not(FakeMem0Filter)
    case entity(EntityField, EntityCondition)
    case metadata([String: FakeJSON])
    case memoryIDs(Set<String>)
    case categoriesIn(Set<String>)
    case categoriesContain(String)
    case keywords(String, caseSensitive: Bool)
    case date(DateField, Comparison, Date)

    /// The entity id fields.
    enum EntityField: String, CaseIterable, Sendable {
        case userID = "user_id", agentID = "agent_id", appID = "app_id", runID = "run_id"

        func value(of memory: FakeMemory) -> String? {
            switch self {
            case .userID: memory.userID
            case .agentID: memory.agentID
            case .appID: memory.appID
            case .runID: memory.runID
            }
        }
    }

    /// A condition on one entity field.
    enum EntityCondition: Sendable {
        case equals(String), notEquals(String), oneOf(Set<String>), present
    }

    /// The timestamp fields.
    enum DateField: String, Sendable {
        case createdAt = "created_at", updatedAt = "updated_at"
    }

    /// A comparison operator on dates.
    enum Comparison: String, CaseIterable, Sendable {
        case eq, ne, gt, gte, lt, lte
    }

    /// Why a filter was rejected; the text goes into the 400 body.
    struct Invalid: Error {
        var message: String
    }

    // MARK: - Evaluation

    /// Whether `memory` passes, including the Platform's implicit null-scoping: an entity field
    /// the filter never mentions must be null on the memory.
    func admits(_ memory: FakeMemory) -> Bool {
        let mentioned = mentionedEntities
        for field in EntityField.allCases where !mentioned.contains(field) && field.value(of: memory) != nil {
            return false
        }
        return evaluate(memory)
    }

    /// The entity fields named anywhere in the filter.
    var mentionedEntities: Set<EntityField> {
        switch self {
        case .all(let parts), .any(let parts): parts.reduce(into: []) { $0.formUnion($1.mentionedEntities) }
        case .not(let inner): inner.mentionedEntities
        case .entity(let field, _): [field]
        default: []
        }
    }

    private func evaluate(_ memory: FakeMemory) -> Bool {
        switch self {
        case .all(let parts): return parts.allSatisfy { $0.evaluate(memory) }
        case .any(let parts): return parts.contains { $0.evaluate(memory) }
        case .not(let inner): return !inner.evaluate(memory)
        case .entity(let field, let condition):
            let value = field.value(of: memory)
            switch condition {
            case .equals(let expected): return value == expected
            // `ne` includes nulls, as documented.
            case .notEquals(let unwanted): return value != unwanted
            case .oneOf(let allowed): return value.map(allowed.contains) ?? false
            case .present: return value != nil
            }
        case .metadata(let wanted):
            let stored = memory.metadata ?? [:]
            return wanted.allSatisfy { stored[$0.key] == $0.value }
        case .memoryIDs(let ids): return ids.contains(memory.id)
        case .categoriesIn(let wanted): return !wanted.isDisjoint(with: memory.categories)
        case .categoriesContain(let part): return memory.categories.contains { $0.contains(part) }
        case .keywords(let part, let caseSensitive):
            return caseSensitive ? memory.memory.contains(part) : memory.memory.lowercased().contains(part.lowercased())
        case .date(let field, let comparison, let bound):
            let value = field == .createdAt ? memory.createdAt : memory.updatedAt
            switch comparison {
            case .eq: return value == bound
            case .ne: return value != bound
            case .gt: return value > bound
            case .gte: return value >= bound
            case .lt: return value < bound
            case .lte: return value <= bound
            }
        }
    }
}

extension FakeMem0Filter {
    /// The one user id every admitted memory must have, when the filter pins it (`user_id` equality,
    /// alone or inside an AND): the store then looks at that user's memories only.
    var requiredUserID: String? {
        switch self {
        case .entity(.userID, .equals(let id)): id
        case .all(let parts): parts.lazy.compactMap(\.requiredUserID).first
        default: nil
        }
    }
}
