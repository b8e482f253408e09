import FakeMem0
import Foundation
import Testing

/// The Platform's webhook API as the reference describes it, and delivery of memory changes.
@Suite(.timeLimit(.minutes(1)))
struct FakeMem0WebhookTests {
    @Test("Create, list, update and delete a webhook; bad fields and other projects are refused")
    func webhookCRUD() async throws {
        try await withHarness { http in
            let path = "/api/v1/webhooks/projects/proj_fake/"
            let created = try await http.call(
                "POST", path, body: #"{"name":"braind","url":"http://127.0.0.1:9/hook","event_types":["memory_add","memory_delete"]}"#)
            #expect(created.status == 201)
            let id = try #require(created.json?["webhook_id"]?.stringValue)
            #expect(created.json?["is_active"] == true)
            #expect(try await http.call("GET", path).json?.arrayValue?.count == 1)
            #expect(try await http.call("PUT", "/api/v1/webhooks/\(id)/", body: #"{"name":"renamed"}"#).json?["message"] == "Webhook updated successfully")
            #expect(try await http.call("GET", path).json?.arrayValue?.first?["name"] == "renamed")
            #expect(try await http.call("DELETE", "/api/v1/webhooks/\(id)/").status == 200)
            #expect(try await http.call("DELETE", "/api/v1/webhooks/\(id)/").status == 404)

            let noName = try await http.call("POST", path, body: #"{"url":"http://x/h","event_types":["memory_add"]}"#)
            #expect(noName.status == 400)
            #expect(noName.json?["name"] == ["This field is required."])
            #expect(try await http.call("POST", path, body: #"{"name":"n","url":"http://x/h"}"#).status == 400, "event_types is required")
            #expect(try await http.call("GET", "/api/v1/webhooks/projects/proj_other/").status == 403)
            #expect(try await http.call("GET", path, key: "wrong").status == 401)
        }
    }

    @Test("Every add, update and delete is delivered to the webhooks that asked for it; dropped ones are recorded")
    func deliversChanges() async throws {
        let receiver = FakeMem0Server(configuration: .init(settings: FakeMem0Settings(apiKey: nil)))
        try await receiver.start()
        defer { Task { await receiver.stop() } }
        try await withHarness { http in
            // Any reachable URL answering something will do: deliveries are recorded with their status.
            let url = receiver.baseURL.absoluteString + "/hook"
            _ = try await http.call(
                "POST", "/api/v1/webhooks/projects/proj_fake/",
                body: #"{"name":"n","url":"\#(url)","event_types":["memory_add","memory_delete"]}"#)
            let memory = await http.server.insertMemory(FakeMemory(memory: "one", userID: "u"))
            _ = await http.server.editMemory(id: memory.id) { $0.memory = "two" }  // not subscribed
            _ = await http.server.deleteMemory(id: memory.id)
            var records: [FakeWebhookDeliveryRecord] = []
            for _ in 0..<100 where records.count < 2 {
                try await Task.sleep(for: .milliseconds(20))
                records = await http.server.webhookDeliveries()
            }
            // Delivery settings apply when an event goes out.
            await http.server.setWebhookDelivery(FakeWebhookDelivery(dropRate: 1))
            _ = await http.server.insertMemory(FakeMemory(memory: "dropped", userID: "u"))
            for _ in 0..<100 where records.count < 3 {
                try await Task.sleep(for: .milliseconds(20))
                records = await http.server.webhookDeliveries()
            }
            #expect(records.map(\.event.kind) == [.add, .delete, .add])
            #expect(records.map(\.event.text) == ["one", "two", "dropped"])
            #expect(records.last?.outcome == "dropped")
            #expect(records.prefix(2).allSatisfy { $0.status != nil }, "\(records)")
        }
    }
}
