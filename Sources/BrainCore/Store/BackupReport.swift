/// The outcome of `brain backup`: where the copy is, how long it took, and what it holds.
public struct BackupReport: Sendable, Codable, Equatable {
    public var path: String
    public var seconds: Double
    public var inspection: DatabaseInspection

    public init(path: String, seconds: Double, inspection: DatabaseInspection) {
        self.path = path
        self.seconds = seconds
        self.inspection = inspection
    }
}
