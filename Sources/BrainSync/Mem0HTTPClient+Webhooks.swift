import BrainCore
import Foundation

/// The Platform's webhook routes (`/api/v1/webhooks/...`). Webhooks belong to a project; the
/// project comes from `/v1/ping/`, as the key's own.
extension Mem0HTTPClient: WebhookControl {
    /// The event types braind acts on.
    public static let webhookEventTypes = ["memory_add", "memory_update", "memory_delete"]

    public func registerWebhook(url: String, name: String) async throws -> WebhookInfo {
        let project = try await projectID()
        let body = try transport.encode(CreateWebhook(name: name, url: url, eventTypes: Self.webhookEventTypes))
        let path = "/api/v1/webhooks/projects/\(Mem0Transport.pathSegment(project))/"
        let data = try await transport.perform(.POST, path, body: body)
        return try transport.decode(PlatformWebhook.self, from: data, endpoint: "POST \(path)").info
    }

    public func webhooks() async throws -> [WebhookInfo] {
        let project = try await projectID()
        let path = "/api/v1/webhooks/projects/\(Mem0Transport.pathSegment(project))/"
        let data = try await transport.perform(.GET, path)
        return try transport.decode([PlatformWebhook].self, from: data, endpoint: "GET \(path)").map(\.info)
    }

    public func removeWebhook(id: String) async throws {
        _ = try await transport.perform(.DELETE, "/api/v1/webhooks/\(Mem0Transport.pathSegment(id))/")
    }

    private func projectID() async throws -> String {
        guard let project = try await ping().projectID, !project.isEmpty else {
            throw Mem0Error.invalidResponse(endpoint: "GET /v1/ping/", reason: "no project_id, which webhooks need")
        }
        return project
    }

    private struct CreateWebhook: Encodable {
        var name: String
        var url: String
        var eventTypes: [String]

        enum CodingKeys: String, CodingKey {
            case name, url
            case eventTypes = "event_types"
        }
    }

    private struct PlatformWebhook: Decodable {
        var webhookID: String
        var name: String?
        var url: String
        var eventTypes: [String]?
        var isActive: Bool?

        enum CodingKeys: String, CodingKey {
            case name, url
            case webhookID = "webhook_id"
            case eventTypes = "event_types"
            case isActive = "is_active"
        }

        var info: WebhookInfo {
            WebhookInfo(id: webhookID, name: name ?? "", url: url, eventTypes: eventTypes ?? [], active: isActive ?? true)
        }
    }
}
