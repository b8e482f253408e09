import BrainTestSupport
import Foundation
import Testing

@Suite(.timeLimit(.minutes(2)))
struct ForeignDatabaseTests {
    @Test("braind pointed at a file that is not its database exits at start with one line naming it and a hint, and leaves it as it was")
    func refusedAtStart() async throws {
        let directory = try makeShortTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/companies.csv"
        let content = "rut,business_name\n76.086.428-5,Comercial Andes SpA\n"
        try content.write(toFile: path, atomically: true, encoding: .utf8)
        let result = try await runRefusedBraind(["--socket", directory + "/run/braind.sock", "--db", path])
        #expect(result.status == 1)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 2 && lines[0].hasPrefix("braind: error: \(path) is not a SQLite database"), "\(result.stderr)")
        #expect(lines.last?.hasPrefix("Try: ") == true, "\(result.stderr)")
        #expect(try String(contentsOfFile: path, encoding: .utf8) == content)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).sorted() == ["companies.csv", "run"], "nothing left beside it")
    }
}
