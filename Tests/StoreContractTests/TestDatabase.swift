import BrainCore
import BrainTestSupport
import Foundation

/// A fresh, empty store of the kind under test (`BRAIND_TEST_STORE`).
func makeTestDatabase() async throws -> any BrainStore {
    try await TestStores.make().store
}

/// Raw SQL beside a store made by `makeTestDatabase`.
func sql(_ store: any BrainStore) -> any SQLProbe {
    TestStores.probe(store)
}
