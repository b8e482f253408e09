@testable import BrainCore
import Foundation
import Testing

struct TimeOrderedIDTests {
    @Test("New ids are lowercase version-7 UUIDs that any UUID parser accepts, as random ids were")
    func format() throws {
        let id = TimeOrderedID.make()
        #expect(id.count == 36)
        #expect(id == id.lowercased())
        let uuid = try #require(UUID(uuidString: id))
        #expect(uuid.uuidString.lowercased() == id)
        let bytes = uuid.uuid
        #expect(bytes.6 >> 4 == 7, "version 7")
        #expect(bytes.8 >> 6 == 0b10, "RFC 9562 variant")
        #expect(try OwnerReference(id) == .id(uuid), "an owner named by a new id resolves like an old one")
    }

    @Test("Ids sort in the order they were made, even thousands within one millisecond")
    func sortOrder() {
        let ids = (0..<10_000).map { _ in TimeOrderedID.make() }
        #expect(ids == ids.sorted())
        #expect(Set(ids).count == ids.count)
    }

    @Test("The text form puts the high word first, hyphens at 8-4-4-4-12")
    func text() {
        #expect(TimeOrderedID.format(high: 0x0123_4567_89AB_CDEF, low: 0xFEDC_BA98_7654_3210)
            == "01234567-89ab-cdef-fedc-ba9876543210")
    }
}
