import BrainCore
import BrainSync
import Foundation
import Testing

/// The error-body parser, Retry-After parsing and failure classes, without a server.
struct Mem0ErrorBodyTests {
    @Test(arguments: [
        (#"{"detail":"Invalid API key."}"#, "Invalid API key."),
        (#"{"error":"memory_id should be a valid UUID"}"#, "memory_id should be a valid UUID"),
        (#"{"message":"Webhook updated successfully"}"#, "Webhook updated successfully"),
        (#"{"error":"400 Bad Request","details":{"message":"Invalid input data."}}"#, "400 Bad Request: Invalid input data."),
        (#"{"details":{"message":"only nested"}}"#, "only nested"),
        (#"["a","b"]"#, "a; b"),
        (#"[{"message":"x"},{"error":"y"}]"#, "x; y"),
        (#"{"name":["required"],"url":["bad"]}"#, "name: required; url: bad"),
        (#""just a string""#, "just a string"),
        ("Service Unavailable", "Service Unavailable"),
        ("   ", "HTTP 503 with an empty body"),
        ("", "HTTP 503 with an empty body"),
        ("{}", "{}"),
        ("null", "null"),
    ])
    func parsesEveryBodyShape(body: String, expected: String) {
        #expect(Mem0ErrorBody.message(from: Data(body.utf8), status: 503) == expected)
    }

    @Test func truncatesHugeBodies() {
        let message = Mem0ErrorBody.message(from: Data(String(repeating: "x", count: 5000).utf8), status: 502)
        #expect(message.count == 501)
        #expect(message.hasSuffix("…"))
    }

    @Test(arguments: [("120", 120_000), ("0", 0), ("1.5", 1500), (" 3 ", 3000), ("-4", 0)])
    func retryAfterSeconds(value: String, milliseconds: Int) {
        #expect(Mem0RetryAfter.parse(value) == .milliseconds(milliseconds))
    }

    @Test(arguments: ["1e20", "1e400", "inf", "9999999999999999999"])
    func retryAfterOutOfRangeIsClampedNotFatal(value: String) {
        #expect(Mem0RetryAfter.parse(value) == Mem0RetryAfter.longest)
    }

    @Test func retryAfterHTTPDates() {
        let now = Date(timeIntervalSince1970: 1_445_412_480)  // Wed, 21 Oct 2015 07:28:00 GMT
        #expect(Mem0RetryAfter.parse("Wed, 21 Oct 2015 07:28:30 GMT", now: now) == .seconds(30))
        #expect(Mem0RetryAfter.parse("Wednesday, 21-Oct-15 07:29:00 GMT", now: now) == .seconds(60))
        #expect(Mem0RetryAfter.parse("Wed Oct 21 07:28:10 2015", now: now) == .seconds(10))
        #expect(Mem0RetryAfter.parse("Tue, 20 Oct 2015 07:28:00 GMT", now: now) == .zero)
        #expect(Mem0RetryAfter.parse("soon", now: now) == nil)
    }

    @Test(arguments: [
        (400, Mem0FailureClass.permanent), (401, .auth), (403, .auth), (404, .notFound), (408, .retryable(retryAfter: nil)),
        (409, .permanent), (413, .permanent), (422, .permanent), (429, .retryable(retryAfter: nil)),
        (500, .retryable(retryAfter: nil)), (503, .retryable(retryAfter: nil)), (599, .retryable(retryAfter: nil)),
    ])
    func classifiesStatuses(status: Int, expected: Mem0FailureClass) {
        #expect(Mem0FailureClass(httpStatus: status, retryAfter: nil) == expected)
    }

    @Test func classifiesTransportFailures() {
        #expect(Mem0Error.transport(.timeout, endpoint: "").failureClass == .retryable(retryAfter: nil))
        #expect(Mem0Error.transport(.connectionReset, endpoint: "").failureClass == .retryable(retryAfter: nil))
        #expect(Mem0Error.transport(.connectionRefused, endpoint: "").failureClass == .retryable(retryAfter: nil))
        #expect(Mem0Error.transport(.invalidURL, endpoint: "").failureClass == .permanent)
        #expect(Mem0Error.transport(.other("EHOSTUNREACH"), endpoint: "").failureClass == .retryable(retryAfter: nil))
        #expect(Mem0Error.http(status: 429, message: "", retryAfter: .seconds(2), endpoint: "").failureClass
            == .retryable(retryAfter: .seconds(2)))
    }

    @Test func settingsDescriptionRedactsTheKey() {
        let settings = Mem0Settings(apiKey: "m0-abcdefghijkl")
        #expect(!settings.description.contains("m0-abcdefghijkl"))
        #expect(settings.description.contains("<redacted 15 chars>"))
        #expect(settings.baseURL.absoluteString == "https://api.mem0.ai")
    }
}
