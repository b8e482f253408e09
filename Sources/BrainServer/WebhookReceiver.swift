import BrainCore
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Metrics

/// Where Mem0 delivers webhooks: a TCP listener that serves one route,
/// `POST /v1/webhooks/mem0/{secret}`, and nothing of the memory API (that stays on the socket).
/// Mem0 signs nothing, so the secret in the URL is the only proof a delivery is Mem0's: it is
/// compared in constant time and never logged, and a wrong one gets the same 404 as any path.
public struct WebhookReceiverSettings: Sendable {
    public var address: WebhookAddress
    public var secret: Secret
    public var maxBodyBytes: Int

    public init(address: WebhookAddress, secret: Secret, maxBodyBytes: Int = 65_536) {
        self.address = address
        self.secret = secret
        self.maxBodyBytes = maxBodyBytes
    }
}

/// Builds the webhook listener's application.
/// - Parameter onReady: called with the bound port once the listener accepts connections.
public func buildWebhookReceiver(
    settings: WebhookReceiverSettings, sink: any WebhookSink, logger: Logger, onReady: @escaping @Sendable (Int) async -> Void = { _ in }
) -> some ApplicationProtocol {
    let router = Router(context: BasicRequestContext.self)
    router.post("/v1/webhooks/mem0/:secret") { request, context -> Response in
        let secret = context.parameters.get("secret") ?? ""
        guard settings.secret.matches(secret) else {
            deliveries("unknown", "bad_secret")
            return errorResponse(.notFound, "route_not_found", "no such route")
        }
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: settings.maxBodyBytes)
        } catch {
            deliveries("unknown", "too_large")
            return errorResponse(.contentTooLarge, "body_too_large", "delivery exceeds \(settings.maxBodyBytes) bytes")
        }
        let event: Mem0WebhookEvent
        do {
            event = try Mem0WebhookEvent(json: Data(buffer: body))
        } catch {
            deliveries("unknown", "malformed")
            return errorResponse(.badRequest, "malformed_webhook", "\(error)")
        }
        let queued = sink.accept(event)
        deliveries(event.kind.label, queued ? "queued" : "overflow")
        return JSONResponse.make(["queued": queued], status: .accepted)
    }
    // Hummingbird logs request paths at debug level; the path holds the secret.
    var quiet = logger
    quiet.logLevel = max(logger.logLevel, .notice)
    return Application(
        router: router,
        configuration: .init(address: .hostname(settings.address.host, port: settings.address.port), serverName: "braind-webhooks"),
        onServerRunning: { channel in await onReady(channel.localAddress?.port ?? settings.address.port) },
        logger: quiet)
}

private func deliveries(_ event: String, _ outcome: String) {
    Counter(label: "braind_webhook_deliveries_total", dimensions: [("event", event), ("outcome", outcome)]).increment()
}

private func errorResponse(_ status: HTTPResponse.Status, _ code: String, _ message: String) -> Response {
    JSONResponse.make(ErrorBody(code: code, message: message), status: status)
}
