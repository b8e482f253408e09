import HTTPTypes
import Hummingbird

/// The router's routes by path, to tell "no such path" (404) from "no such method on this path"
/// (405 with `Allow`), which Hummingbird's router answers alike.
struct RouteTable: Sendable {
    private struct Route: Sendable {
        /// Literal segments, or nil where the route captures a parameter.
        var segments: [String?]
        var methods: Set<HTTPRequest.Method>
    }

    private let routes: [Route]

    init(_ descriptions: [Router<some RequestContext>.RouteDescription]) {
        var byPath: [String: Route] = [:]
        for description in descriptions {
            let key = description.path.description
            var route = byPath[key] ?? Route(
                segments: description.path.components.map { component in
                    let text = component.description
                    return text.hasPrefix("{") ? nil : text
                },
                methods: [])
            route.methods.insert(description.method)
            byPath[key] = route
        }
        routes = Array(byPath.values)
    }

    /// The methods of the route a request path resolves to, or nil when no route matches it.
    /// Like the router, a literal segment wins over a capture at the first place they differ.
    func methods(forPath path: String) -> Set<HTTPRequest.Method>? {
        let segments = path.split(separator: "/").map(String.init)
        let matching = routes.filter { route in
            route.segments.count == segments.count
                && zip(route.segments, segments).allSatisfy { literal, segment in literal == nil || literal == segment }
        }
        let best = matching.max { lhs, rhs in
            // A literal (non-nil) sorts above a capture at the first segment where they differ.
            guard let index = lhs.segments.indices.first(where: { (lhs.segments[$0] == nil) != (rhs.segments[$0] == nil) }) else {
                return false
            }
            return lhs.segments[index] == nil
        }
        return best?.methods
    }
}
