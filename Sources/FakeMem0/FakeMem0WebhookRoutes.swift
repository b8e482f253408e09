import Foundation
import Hummingbird

/// The Platform's webhook routes (`/api/v1/webhooks/...`), as the reference describes them.
extension FakeMem0PlatformRoutes {
    func registerWebhooks(on router: Router<FakeMem0Context>) {
        router.post("/api/v1/webhooks/projects/:project/", use: serve(.webhooks, createWebhook))
        router.get("/api/v1/webhooks/projects/:project/", use: serve(.webhooks, listWebhooks))
        router.put("/api/v1/webhooks/:id/", use: serve(.webhooks, updateWebhook))
        router.delete("/api/v1/webhooks/:id/", use: serve(.webhooks, deleteWebhook))
    }

    private func createWebhook(_ request: Request, _ context: FakeMem0Context) async throws -> Response {
        guard context.parameters.get("project") == FakeMem0Store.projectID else { return Self.noProjectAccess }
        guard case .success(let body?) = try await FakeMem0HTTP.body(of: request), let object = body.objectValue else {
            return FakeMem0HTTP.json(["non_field_errors": ["Invalid data. Expected a dictionary."]], status: .badRequest)
        }
        var fieldErrors: [String: FakeJSON] = [:]
        let name = object["name"]?.stringValue ?? ""
        let url = object["url"]?.stringValue ?? ""
        let eventTypes = object["event_types"]?.arrayValue?.compactMap(\.stringValue) ?? []
        if name.isEmpty { fieldErrors["name"] = ["This field is required."] }
        if URL(string: url)?.scheme.map({ ["http", "https"].contains($0) }) != true { fieldErrors["url"] = ["Enter a valid URL."] }
        if eventTypes.isEmpty || !Set(eventTypes).isSubset(of: FakeWebhook.knownEventTypes) {
            fieldErrors["event_types"] = ["A valid list of event types is required."]
        }
        guard fieldErrors.isEmpty else { return FakeMem0HTTP.json(.object(fieldErrors), status: .badRequest) }
        let webhook = await store.createWebhook(name: name, url: url, eventTypes: eventTypes, isActive: Self.bool(object["is_active"]) ?? true)
        return FakeMem0HTTP.json(webhook.json, status: .created)
    }

    private func listWebhooks(_ request: Request, _ context: FakeMem0Context) async throws -> Response {
        guard context.parameters.get("project") == FakeMem0Store.projectID else { return Self.noProjectAccess }
        let webhooks = await store.webhooks.values.sorted { $0.createdAt < $1.createdAt }
        return FakeMem0HTTP.json(.array(webhooks.map(\.json)))
    }

    private func updateWebhook(_ request: Request, _ context: FakeMem0Context) async throws -> Response {
        let id = context.parameters.get("id") ?? ""
        guard case .success(let body?) = try await FakeMem0HTTP.body(of: request), let object = body.objectValue else {
            return FakeMem0HTTP.json(["non_field_errors": ["Invalid data. Expected a dictionary."]], status: .badRequest)
        }
        let updated = await store.updateWebhook(id: id) { webhook in
            if let name = object["name"]?.stringValue { webhook.name = name }
            if let url = object["url"]?.stringValue { webhook.url = url }
            if let types = object["event_types"]?.arrayValue?.compactMap(\.stringValue) { webhook.eventTypes = types }
            if let active = Self.bool(object["is_active"]) { webhook.isActive = active }
        }
        guard updated != nil else { return Self.webhookNotFound }
        return FakeMem0HTTP.json(["message": "Webhook updated successfully"])
    }

    private func deleteWebhook(_ request: Request, _ context: FakeMem0Context) async throws -> Response {
        guard await store.deleteWebhook(id: context.parameters.get("id") ?? "") else { return Self.webhookNotFound }
        return FakeMem0HTTP.json(["message": "Webhook deleted successfully"])
    }

    private static func bool(_ json: FakeJSON?) -> Bool? {
        if case .bool(let value) = json { return value }
        return nil
    }

    private static var noProjectAccess: Response {
        FakeMem0HTTP.json(["error": "You don't have access to this project"], status: .forbidden)
    }

    private static var webhookNotFound: Response {
        FakeMem0HTTP.json(["error": "Webhook not found"], status: .notFound)
    }
}
