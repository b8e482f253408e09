import BrainCore
import Foundation

/// Owner data files and database helpers shared by the import, builder and load tests.
public enum LoadFixtures {
    public static let companyRUT = "76.123.456-0"
    public static let userRUT = "11.111.111-1"

    public static let companyHeader =
        "rut,business_name,tax_regime,sii_activity_name,sii_activity_code,legal_representative_name,"
        + "legal_representative_rut,start_of_activities,accounting_start_month"

    /// One company with every field.
    public static let fullCompanyCSV = """
        \(companyHeader)
        \(companyRUT),Panadería El Trigal SpA,ProPyme General,Elaboración de productos de panadería y pastelería,107100,María José Fernández Rojas,15.234.567-4,2020-03-15,2021-01

        """

    /// One user with every field.
    public static let fullUserJSONL = """
        {"rut": "\(userRUT)", "full_name": "Juan Pérez", "email": "juan.perez@example.cl", "phone": "+56 9 8765 4321", "role": "Contador"}

        """

    /// A valid RUT with the given body, in display form (`76.000.001-K` style is not needed: plain).
    public static func rut(body: Int) -> String {
        "\(body)-\(RUT.checkDigit(forBody: String(body)))"
    }

    /// Whether generated company `index` has a legal representative and an accounting start.
    public static func companyHasLegal(_ index: Int) -> Bool { index % 4 != 0 }
    public static func companyHasAccounting(_ index: Int) -> Bool { index % 5 != 0 }

    /// `count` companies with valid RUTs; some lack the legal representative or accounting start.
    public static func companiesCSV(count: Int) -> String {
        var lines = [companyHeader]
        for index in 0..<count {
            let legal = companyHasLegal(index) ? "Representante \(index),\(rut(body: 10_000_000 + index))" : ","
            let accounting = companyHasAccounting(index) ? "2021-\(String(format: "%02d", index % 12 + 1))" : ""
            lines.append(
                "\(rut(body: 76_000_000 + index)),Empresa Ñandú \(index) SpA,ProPyme General,Comercio al por menor,471000,"
                    + "\(legal),2020-03-15,\(accounting)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// How many memories the generated companies yield.
    public static func companyMemories(count: Int) -> Int {
        (0..<count).reduce(0) { $0 + 3 + (companyHasLegal($1) ? 1 : 0) + (companyHasAccounting($1) ? 1 : 0) }
    }

    public static func userHasEmail(_ index: Int) -> Bool { index % 2 == 0 }
    public static func userHasPhone(_ index: Int) -> Bool { index % 3 == 0 }

    /// `count` users as JSON lines; some lack an email or a phone.
    public static func usersJSONL(count: Int) -> String {
        (0..<count).map { index in
            var fields = [#""rut": "\#(rut(body: 20_000_000 + index))""#, #""full_name": "Usuaria Núñez \#(index)""#, #""role": "Contadora""#]
            if userHasEmail(index) { fields.append(#""email": "usuaria\#(index)@example.cl""#) }
            if userHasPhone(index) { fields.append(#""phone": "+56 9 \#(10_000_000 + index)""#) }
            return "{" + fields.joined(separator: ", ") + "}"
        }.joined(separator: "\n")
    }

    public static func userMemories(count: Int) -> Int {
        (0..<count).reduce(0) { $0 + 2 + (userHasEmail($1) ? 1 : 0) + (userHasPhone($1) ? 1 : 0) }
    }

    /// Pretends the push worker delivered every live row, so deletes become tombstones.
    public static func markAllPushed(_ database: any BrainStore, brain: BrainKind) async throws {
        try await TestStores.probe(database).execute(
            "UPDATE \(brain.table) SET memory_id = 'mem-' || id, synced_version = version, sync_state = 'synced' WHERE NOT deleted")
    }

    public static func eventCount(_ database: any BrainStore) async throws -> Int {
        try await TestStores.probe(database).int("SELECT count(*) FROM events")
    }

    /// One owner row's columns as text.
    public static func ownerRow(_ database: any BrainStore, _ brain: BrainKind, rut: String) async throws -> [String: String?] {
        let normalized = try RUT(rut, verifyCheckDigit: false).normalized
        guard let row = try await TestStores.probe(database).rows("SELECT * FROM \(brain.ownerTable) WHERE rut = ?", [normalized]).first
        else { return [:] }
        return Dictionary(uniqueKeysWithValues: zip(row.columns, row.values))
    }
}
