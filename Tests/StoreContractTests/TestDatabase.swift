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

/// A unique temporary directory, removed by the caller.
func makeTemporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("braind-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

let companyRUT = "12.345.678-5"
let userRUT = "11.111.111-1"

func memory(_ slug: String, _ content: String, category: String? = nil, metadata: [String: JSONValue]? = nil) -> MemoryInput {
    MemoryInput(slug: slug, category: category, content: content, metadata: metadata.map(JSONValue.object))
}

func owner(_ text: String) throws -> OwnerReference {
    try OwnerReference(text)
}
