import BrainCore
import BrainServer
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

struct InputLimitTests {
    @Test(
        "Input limits answer 4xx with a code and a message naming the problem",
        arguments: [
            ("/v1/companies/12.345.678-5/memories", String(repeating: "[", count: 40) + String(repeating: "]", count: 40), "body"),
            ("/v1/companies/12.345.678-5/memories", #"{"memories":[{"slug":"a","content":"x","metadata":"#
                + String(repeating: #"{"a":"#, count: 40) + "1" + String(repeating: "}", count: 40) + "}]}", "body"),
            ("/v1/search", #"{"q":"x","owner":"123456785","brain":"company","colour":"red"}"#, "colour"),
            ("/v1/reconcile", #"{"dryrun":true}"#, "dryrun"),
            ("/v1/tokens", #"{"user":"11.111.111-1","readonly":true}"#, "readonly"),
        ])
    func refused(uri: String, body: String, field: String) async throws {
        try await withTestApp { client, _, _ in
            let response = try await client.execute(uri: uri, method: .post, body: jsonBody(body))
            #expect((400..<500).contains(response.status.code), "\(uri): \(response.status)")
            let error = try response.json(ErrorBody.self)
            #expect(error.error.message.hasPrefix(field) || error.error.message.contains(field), "\(error.error.message)")
        }
    }

    @Test("A batch over 1,000 items is refused as a whole")
    func batchLimit() async throws {
        try await withTestApp { client, database, _ in
            let items = (0...1_000).map { #"{"slug":"s\#($0)","content":"x"}"# }.joined(separator: ",")
            let response = try await client.execute(uri: "/v1/users/11.111.111-1/memories", method: .post, body: jsonBody(#"{"memories":[\#(items)]}"#))
            try response.expectError(.unprocessableContent, code: "validation_failed")
            #expect(try await database.counts(.user).live == 0)
        }
    }
}
