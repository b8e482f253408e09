import Foundation

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Refuses every HTTP redirect, so the 3xx answer reaches the client as an error.
///
/// FoundationNetworking on Linux follows 301/302/303/307 and re-sends all request headers,
/// `Authorization` included, to whatever host `Location` names (checked against a redirecting
/// server). The Platform does not redirect correct paths, so refusing costs nothing and keeps
/// the API key from leaving for another origin. It must be the *session's* delegate: the
/// per-task delegate of `data(for:delegate:)` is ignored there.
final class Mem0RedirectBlocker: NSObject, URLSessionTaskDelegate, @unchecked Sendable {
    // @unchecked: NSObject is not Sendable, but this class has no state at all.

    func urlSession(
        _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
        newRequest request: URLRequest, completionHandler: @escaping @Sendable (URLRequest?) -> Void
    ) {
        completionHandler(nil)
    }
}
