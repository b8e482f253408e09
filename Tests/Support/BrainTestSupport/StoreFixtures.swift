import BrainCore
import Foundation

/// The owners and builders the store suites share.
public let companyRUT = "12.345.678-5"
public let userRUT = "11.111.111-1"

/// A memory to save, with optional category and metadata.
public func memory(_ slug: String, _ content: String, category: String? = nil, metadata: [String: JSONValue]? = nil) -> MemoryInput {
    MemoryInput(slug: slug, category: category, content: content, metadata: metadata.map(JSONValue.object))
}

/// An owner reference from a RUT or UUID text.
public func owner(_ text: String) throws -> OwnerReference {
    try OwnerReference(text)
}

/// A unique temporary directory, removed by the caller.
public func makeTemporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("braind-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}
