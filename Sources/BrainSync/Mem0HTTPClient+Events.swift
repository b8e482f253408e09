extension Mem0HTTPClient {
    /// Turns an add answer into an outcome, polling the event when the add is still pending.
    func outcome(of response: Mem0AddResponse, endpoint: String) async throws -> Mem0AddOutcome {
        let status = response.status.map(Mem0Event.Status.init)
        if status == .failed {
            throw Mem0Error.eventFailed(eventID: response.eventID ?? "", message: response.message.map(transport.redact))
        }
        // `results` present means the add finished synchronously (infer: false).
        if let results = response.results, status == nil || status == .succeeded || !results.isEmpty {
            let ids = results.compactMap(\.id)
            return ids.isEmpty ? .nothingStored(eventID: response.eventID) : .stored(ids: ids, eventID: response.eventID)
        }
        guard let eventID = response.eventID, !eventID.isEmpty else {
            throw Mem0Error.invalidResponse(endpoint: endpoint, reason: "add answered with neither results nor an event_id")
        }
        return try await waitForEvent(eventID)
    }

    /// Polls `GET /v1/event/{id}/` until the event completes or the poll budget is spent.
    ///
    /// Retryable errors while polling do not end the wait: the add was already accepted, and
    /// surfacing a retryable error would make the caller add the memory a second time.
    func waitForEvent(_ eventID: String) async throws -> Mem0AddOutcome {
        let clock = ContinuousClock()
        let deadline = clock.now + settings.eventPollMaxDuration
        var lastStatus = Mem0Event.Status.pending.name
        for _ in 0..<max(1, settings.eventPollMaxAttempts) {
            try await Task.sleep(for: settings.eventPollInterval)
            do {
                let event = try await event(id: eventID)
                switch event.status {
                case .succeeded:
                    return event.memoryIDs.isEmpty
                        ? .nothingStored(eventID: eventID)
                        : .stored(ids: event.memoryIDs, eventID: eventID)
                case .failed:
                    throw Mem0Error.eventFailed(eventID: eventID, message: event.errorMessage.map(transport.redact))
                case .pending, .running, .other:
                    lastStatus = event.status.name
                }
            } catch let error as Mem0Error where error.failureClass.isRetryable {
                logger.debug(
                    "mem0 event poll failed, polling on",
                    metadata: ["braind.mem0.event": "\(eventID)", "braind.mem0.error": "\(error)"]
                )
            }
            if clock.now >= deadline { break }
        }
        throw Mem0Error.eventPollTimedOut(eventID: eventID, lastStatus: lastStatus)
    }
}
