import Foundation
import Hummingbird

extension FakeMem0PlatformRoutes {
    /// Default and largest `page_size` of list, as documented.
    static let defaultPageSize = 100
    static let maxPageSize = 200

    /// `POST /v3/memories/?page=&page_size=`: the DRF page-number envelope `{count, next, previous, results}`.
    func list(_ request: Request, _ context: FakeMem0Context) async throws -> Response {
        guard case .success(let body) = try await FakeMem0HTTP.body(of: request), body == nil || body?.objectValue != nil else {
            return FakeMem0HTTP.filterValidation("Invalid JSON body.")
        }
        let filter: FakeMem0Filter
        do {
            filter = try FakeMem0Filter.parseScoped(body?["filters"])
        } catch {
            return FakeMem0HTTP.filterValidation(error.message)
        }
        // Query parameters take precedence over the body, as documented.
        let query = request.uri.queryParameters
        let page = query.get("page", as: Int.self) ?? body?["page"]?.intValue ?? 1
        let requestedSize = query.get("page_size", as: Int.self) ?? body?["page_size"]?.intValue ?? Self.defaultPageSize
        // DRF caps an oversized page_size silently rather than rejecting it.
        let pageSize = min(max(requestedSize, 1), Self.maxPageSize)

        return Self.pageResponse(await store.memories(matching: filter), page: page, pageSize: pageSize, request: request) {
            $0.platformJSON
        }
    }

    /// One page of `items` in DRF's page-number envelope `{count, next, previous, results}` with
    /// absolute links, plus `extra` members; 404 "Invalid page." outside the pages.
    static func pageResponse<Item>(
        _ items: [Item], page: Int, pageSize: Int, request: Request, extra: [String: FakeJSON] = [:], render: (Item) -> FakeJSON
    ) -> Response {
        let pageCount = max(1, (items.count + pageSize - 1) / pageSize)
        guard page >= 1, page <= pageCount else {
            return FakeMem0HTTP.json(["detail": "Invalid page."], status: .notFound)
        }
        let base = "http://\(request.head.authority ?? "127.0.0.1")\(request.uri.path)"
        func link(_ target: Int) -> FakeJSON { .string("\(base)?page=\(target)&page_size=\(pageSize)") }
        var envelope: [String: FakeJSON] = [
            "count": .int(Int64(items.count)),
            "next": page < pageCount ? link(page + 1) : nil,
            "previous": page > 1 ? link(page - 1) : nil,
            "results": .array(items.dropFirst((page - 1) * pageSize).prefix(pageSize).map(render)),
        ]
        envelope.merge(extra) { current, _ in current }
        return FakeMem0HTTP.json(.object(envelope))
    }

    /// `GET /v1/entities/`: the users that hold memories, in the list envelope plus the totals
    /// the Platform adds. Pages by `page` and `page_size` like list.
    func entities(_ request: Request, _ context: FakeMem0Context) async throws -> Response {
        let query = request.uri.queryParameters
        let page = query.get("page", as: Int.self) ?? 1
        let pageSize = min(max(query.get("page_size", as: Int.self) ?? Self.defaultPageSize, 1), Self.maxPageSize)
        let users = await store.userEntities()
        let totals: [String: FakeJSON] = ["total_users": .int(Int64(users.count)), "total_agents": 0, "total_apps": 0, "total_runs": 0]
        return Self.pageResponse(users, page: page, pageSize: pageSize, request: request, extra: totals) { user in
            [
                "id": .string(Self.entityID(user.name)), "name": .string(user.name), "type": "user",
                "owner": "fake", "metadata": nil, "created_at": .string(FakeTimestamp.string(user.createdAt)),
                "updated_at": .string(FakeTimestamp.string(user.updatedAt)),
            ]
        }
    }

    /// A UUID that stays the same for one entity name across pages and runs.
    static func entityID(_ name: String) -> String {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325  // FNV-1a
        for byte in name.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0100_0000_01B3 }
        var generator = SplitMix64(seed: hash)
        let bytes = withUnsafeBytes(of: (generator.next(), generator.next())) { Array($0) }
        return UUID(uuid: (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                           bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
            .uuidString.lowercased()
    }

    /// `POST /v3/memories/search/`: word-overlap scoring within the filter's scope.
    func search(_ request: Request, _ context: FakeMem0Context) async throws -> Response {
        guard case .success(let body?) = try await FakeMem0HTTP.body(of: request), body.objectValue != nil else {
            return FakeMem0HTTP.filterValidation("Invalid JSON body.")
        }
        guard let query = body["query"]?.stringValue?.trimmingCharacters(in: .whitespacesAndNewlines), !query.isEmpty else {
            return FakeMem0HTTP.filterValidation("query is required.")
        }
        let filter: FakeMem0Filter
        do {
            filter = try FakeMem0Filter.parseScoped(body["filters"])
        } catch {
            return FakeMem0HTTP.filterValidation(error.message)
        }
        let topK = body["top_k"].map { $0.intValue ?? 0 } ?? 10
        guard (1...1000).contains(topK) else {
            return FakeMem0HTTP.filterValidation("top_k must be between 1 and 1000.")
        }
        let threshold = body["threshold"]?.doubleValue ?? 0.1
        let hits = await store.memories(matching: filter)
            .map { ($0, FakeMem0Scoring.score(query: query, text: $0.memory)) }
            .filter { $0.1 > 0 && $0.1 >= threshold }
            .sorted { $0.1 > $1.1 }
            .prefix(topK)
        return FakeMem0HTTP.json(["results": .array(hits.map { $0.0.searchJSON(score: $0.1) })])
    }
}

/// The fake's stand-in for semantic search: how much of the query the text covers.
enum FakeMem0Scoring {
    /// 1 when the text contains the whole query (ignoring case), otherwise the share of
    /// distinct query words that occur in the text.
    static func score(query: String, text: String) -> Double {
        let loweredQuery = query.lowercased()
        let loweredText = text.lowercased()
        if loweredText.contains(loweredQuery) { return 1 }
        let queryWords = words(loweredQuery)
        guard !queryWords.isEmpty else { return 0 }
        return Double(queryWords.intersection(words(loweredText)).count) / Double(queryWords.count)
    }

    private static func words(_ text: String) -> Set<String> {
        Set(text.split { !$0.isLetter && !$0.isNumber }.map(String.init))
    }
}
