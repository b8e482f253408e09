import BrainCore
import Foundation
import Testing

struct WebhookEventTests {
    @Test("Mem0's documented payloads parse; unknown events are kept as other; malformed bodies throw")
    func parsesPayloads() throws {
        let add = try Mem0WebhookEvent(json: Data(#"{"event_details":{"id":"m1","data":{"memory":"Name is Alex"},"event":"ADD"}}"#.utf8))
        #expect(add == Mem0WebhookEvent(kind: .add, memoryID: "m1", text: "Name is Alex"))
        let categorize = try Mem0WebhookEvent(
            json: Data(#"{"event_details":{"event":"CATEGORIZE","memory_id":"m2","categories":["hobbies"]}}"#.utf8))
        #expect(categorize == Mem0WebhookEvent(kind: .categorize, memoryID: "m2", text: nil))
        #expect(try Mem0WebhookEvent(json: Data(#"{"event_details":{"event":"ingest_job_failed"}}"#.utf8)).kind == .other("ingest_job_failed"))
        for bad in ["", "[]", "{}", #"{"event_details":[]}"#, #"{"event_details":{"id":"x"}}"#, #"{"event_details":{"event":7}}"#] {
            #expect(throws: Mem0WebhookEvent.Malformed.self) { try Mem0WebhookEvent(json: Data(bad.utf8)) }
        }
    }

    @Test("A secret prints redacted and matches only itself")
    func secretRedactsAndMatches() {
        let secret = Secret("s3cret-value")
        #expect("\(secret)" == "<redacted>")
        #expect(String(reflecting: secret) == "<redacted>")
        #expect(secret.matches("s3cret-value"))
        for wrong in ["", "s3cret-valu", "s3cret-value!", "S3cret-value", "x"] { #expect(!secret.matches(wrong)) }
        #expect(!Secret("").matches(""))
    }

    @Test("Listener addresses: host and port, IPv6 in brackets; anything else is refused")
    func addresses() {
        #expect(WebhookAddress("127.0.0.1:8787") == WebhookAddress("127.0.0.1:8787"))
        #expect(WebhookAddress("[::1]:80")?.host == "::1")
        #expect(WebhookAddress("0.0.0.0:0")?.port == 0)
        for bad in ["8787", ":8787", "host:", "host:99999", "host:x"] { #expect(WebhookAddress(bad) == nil) }
    }
}
