@testable import BrainCore
import Foundation
import BrainTestSupport
import Testing

struct OwnerImportTests {
    /// Good rows on lines 2 and 7; bad rows on lines 3 to 6 and 8. `12.345.678-K` fails its check digit.
    static let mixedCSV = """
        rut,business_name,tax_regime,start_of_activities,accounting_start_month
        76.123.456-0,Panadería El Trigal SpA,ProPyme General,2020-03-15,2021-01
        12.345.678-K,Mala SpA,ProPyme General,2020-03-15,2021-01
        77.654.321-7,,ProPyme General,2020-03-15,2021-01
        96.512.340-7,Constructora Ñuble S.A.,Régimen General,2023-02-29,2021-01
        78.901.234-2,Asesorías Valparaíso SpA,ProPyme General,2022-05-09,2022-13
        76.543.210-3,"Almacén ""Don Lucho"" EIRL",,,
        76123456-0,Panadería repetida,ProPyme General,2020-03-15,2021-01

        """

    static let expectedMixedErrors = [
        ImportRowError(line: 3, reason: "rut: RUT '12.345.678-K' has check digit 'k' but its body requires '5'"),
        ImportRowError(line: 4, reason: "business_name: is required"),
        ImportRowError(line: 5, reason: "start_of_activities: '2023-02-29' is not a date in YYYY-MM-DD form"),
        ImportRowError(line: 6, reason: "accounting_start_month: '2022-13' is not a month in YYYY-MM form"),
        ImportRowError(line: 8, reason: "rut: duplicate RUT 761234560, already on line 2"),
    ]

    @Test("CSV: each bad row is reported with its line and skipped; the good rows are imported")
    func csvMixed() async throws {
        let database = try await makeTestDatabase()
        let result = try await database.importCompanies(Data(Self.mixedCSV.utf8))

        #expect(result.format == .csv)
        #expect((result.imported, result.created, result.updated, result.unchanged, result.failed) == (2, 2, 0, 0, 5))
        #expect(result.errors == Self.expectedMixedErrors)
        let bakery = try await LoadFixtures.ownerRow(database, .company, rut: "76.123.456-0")
        #expect(bakery["business_name"] == "Panadería El Trigal SpA")
        #expect(bakery["start_of_activities"] == "2020-03-15")
        #expect(try await LoadFixtures.ownerRow(database, .company, rut: "76.543.210-3")["business_name"] == #"Almacén "Don Lucho" EIRL"#)
        #expect(try await LoadFixtures.ownerRow(database, .company, rut: "77.654.321-7").isEmpty)
    }

    @Test("JSON array: bad items are reported with their index and starting line")
    func jsonArrayMixed() async throws {
        let json = """
            [
              {"rut": "15.234.567-4", "full_name": "María José Fernández", "email": "mj@eltrigal.cl"},
              {"rut": "15.234.567-5", "full_name": "RUT malo"},
              {"rut": "13.876.543-1"},
              {
                "rut": "16.345.678-8",
                "full_name": "Camila Ñancupil",
                "email": "sin-arroba"
              },
              {"rut": "152345674", "full_name": "María otra vez"},
              ["no", "es", "objeto"],
              {"rut": "11.111.111-1", "full_name": "Juan Pérez", "phone": 56912345678}
            ]
            """
        let database = try await makeTestDatabase()
        let result = try await database.importUsers(Data(json.utf8))

        #expect(result.format == .json)
        #expect((result.imported, result.failed) == (2, 5))
        #expect(result.errors == [
            ImportRowError(line: 3, item: 2, reason: "rut: RUT '15.234.567-5' has check digit '5' but its body requires '4'"),
            ImportRowError(line: 4, item: 3, reason: "full_name: is required"),
            ImportRowError(line: 5, item: 4, reason: "email: 'sin-arroba' is not an email address"),
            ImportRowError(line: 10, item: 5, reason: "rut: duplicate RUT 152345674, already on item 1 (line 2)"),
            ImportRowError(line: 11, item: 6, reason: "must be a JSON object"),
        ])
        // A JSON number is accepted where text is expected.
        #expect(try await LoadFixtures.ownerRow(database, .user, rut: "11.111.111-1")["phone"] == "56912345678")
        #expect(result.errors[3].description == "item 5 (line 10): rut: duplicate RUT 152345674, already on item 1 (line 2)")
    }

    @Test("JSON lines: bad lines are reported with their line; blank lines are skipped")
    func jsonLinesMixed() async throws {
        let lines = """
            {"rut": "76.123.456-0", "business_name": "Panadería El Trigal SpA", "start_of_activities": "2020-03-15"}
            {"rut": "76.123.456-9", "business_name": "Dígito malo"}

            {"rut": "77.654.321-7", "business_name": "Los Andes", "start_of_activities": "15-03-2020"}
            {"rut": "78.901.234-2", "business_name": "Sin cerrar"
            {"business_name": "Sin RUT"}
            {"rut": "76.123.456-0", "business_name": "Repetida"}
            {"rut": "96.512.340-7", "business_name": "Constructora Ñuble", "tax_regime": ["no", "texto"]}
            {"rut": "76.543.210-3", "business_name": "Almacén Don Lucho", "accounting_start_month": null}
            """
        let database = try await makeTestDatabase()
        let result = try await database.importCompanies(Data(lines.utf8))

        #expect(result.format == .jsonLines)
        #expect((result.imported, result.failed) == (2, 6))
        #expect(result.errors == [
            ImportRowError(line: 2, reason: "rut: RUT '76.123.456-9' has check digit '9' but its body requires '0'"),
            ImportRowError(line: 4, reason: "start_of_activities: '15-03-2020' is not a date in YYYY-MM-DD form"),
            ImportRowError(line: 5, reason: "is not valid JSON"),
            ImportRowError(line: 6, reason: "rut: is required"),
            ImportRowError(line: 7, reason: "rut: duplicate RUT 761234560, already on line 1"),
            ImportRowError(line: 8, reason: "tax_regime: must be a string"),
        ])
    }

    @Test("CSV: quoted fields with commas, line breaks and doubled quotes; later lines stay physical")
    func csvQuoting() async throws {
        let csv = """
            rut,full_name,role,phone
            15.234.567-4,"Fernández, María José","Gerenta
            general","+56 9 ""8765"" 4321"
            13.876.543-1,Joaquín Muñoz,Socio,
            12.345.678-K,Malo,x,y

            """
        let database = try await makeTestDatabase()
        let result = try await database.importUsers(Data(csv.utf8))

        #expect(result.imported == 2)
        #expect(result.errors.map(\.line) == [5])
        let maria = try await LoadFixtures.ownerRow(database, .user, rut: "15.234.567-4")
        #expect(maria["full_name"] == "Fernández, María José")
        #expect(maria["role"] == "Gerenta\ngeneral")
        #expect(maria["phone"] == #"+56 9 "8765" 4321"#)
        #expect(try await LoadFixtures.ownerRow(database, .user, rut: "13.876.543-1")["phone"] == .some(nil))
    }

    @Test("CSV: a byte order mark, CRLF line endings and a semicolon delimiter")
    func csvBOMAndCRLF() async throws {
        let csv = "\u{FEFF}RUT;Full_Name;Email\r\n" + "15.234.567-4;María José;\"mj@eltrigal.cl\"\r\n"
            + "16.345.678-8;\"Camila\r\nÑancupil\";\r\n" + "12.345.678-K;Malo;\r\n"
        let database = try await makeTestDatabase()
        let result = try await database.importUsers(Data(csv.utf8))

        #expect(result.format == .csv)
        #expect(result.imported == 2)
        #expect(result.errors.map(\.line) == [5])
        #expect(try await LoadFixtures.ownerRow(database, .user, rut: "15.234.567-4")["email"] == "mj@eltrigal.cl")
        #expect(try await LoadFixtures.ownerRow(database, .user, rut: "16.345.678-8")["full_name"] == "Camila\r\nÑancupil")
    }

    @Test("Upsert keeps the id of an owner a memory save created, fills its data, then is unchanged")
    func upsertKeepsID() async throws {
        // Given a company created by a memory save: only id and RUT
        let database = try await makeTestDatabase()
        _ = try await database.save(.company, owner: try owner(LoadFixtures.companyRUT), memories: [memory("nota", "Cliente antiguo")])
        let created = try await LoadFixtures.ownerRow(database, .company, rut: LoadFixtures.companyRUT)

        // When the company is imported, twice
        let first = try await database.importCompanies(Data(LoadFixtures.fullCompanyCSV.utf8))
        let afterFirst = try await LoadFixtures.ownerRow(database, .company, rut: LoadFixtures.companyRUT)
        let second = try await database.importCompanies(Data(LoadFixtures.fullCompanyCSV.utf8))

        // Then the row keeps its id and its memory, gains its data, and the repeat writes nothing
        #expect((first.created, first.updated) == (0, 1))
        #expect(afterFirst["id"] == created["id"])
        #expect(afterFirst["tax_regime"] == "ProPyme General")
        #expect(afterFirst["legal_representative_rut"] == "152345674")
        #expect((second.unchanged, second.updated) == (1, 0))
        #expect(try await LoadFixtures.ownerRow(database, .company, rut: LoadFixtures.companyRUT) == afterFirst)
        #expect(try await database.list(.company, owner: try owner(LoadFixtures.companyRUT)).memories.map(\.slug) == ["nota"])
    }

    @Test("A column the file leaves out is kept; an empty value clears it")
    func absentAndEmpty() async throws {
        let database = try await makeTestDatabase()
        _ = try await database.importUsers(Data(LoadFixtures.fullUserJSONL.utf8))

        let csv = "rut,full_name,email\n\(LoadFixtures.userRUT),Juan Pérez Soto,\n"
        let result = try await database.importUsers(Data(csv.utf8))

        #expect(result.updated == 1)
        let row = try await LoadFixtures.ownerRow(database, .user, rut: LoadFixtures.userRUT)
        #expect(row["full_name"] == "Juan Pérez Soto")
        #expect(row["email"] == .some(nil))
        #expect(row["phone"] == "+56 9 8765 4321")
    }

    @Test(
        "An unknown column rejects the whole file and names the column",
        arguments: [
            ("rut,busines_name\n76.123.456-0,X\n", "busines_name"),
            (#"[{"rut": "76.123.456-0", "business_name": "X", "regimen": "ProPyme"}]"#, "regimen"),
            ("{\"rut\": \"76.123.456-0\", \"business_name\": \"X\"}\n{\"rut\": \"77.654.321-7\", \"Business_Name\": \"Y\"}", "Business_Name"),
        ])
    func unknownColumn(file: String, column: String) async throws {
        let database = try await makeTestDatabase()
        do {
            _ = try await database.importCompanies(Data(file.utf8))
            Issue.record("the file was accepted")
        } catch let BrainError.invalid(field, reason) {
            #expect(field == column)
            #expect(reason.contains("unknown"))
            #expect(reason.contains("business_name, tax_regime"))
        }
        #expect(try await LoadFixtures.ownerRow(database, .company, rut: "76.123.456-0").isEmpty)
    }

    @Test(
        "Whole-file problems throw with a clear reason",
        arguments: [
            ("", "file: is empty: expected CSV with a header row, a JSON array or JSON lines"),
            ("rut,tax_regime\n76.123.456-0,ProPyme\n", "business_name: required column is missing from the header row"),
            ("rut,business_name\n76.123.456-0,\"Sin cerrar\n77.654.321-7,Y\n", "line 2: a quoted field opened on this line is never closed"),
            (
                "rut,business_name\n76.123.456-0,\"A\"B\n",
                "line 2: unexpected text after a closing quote; a quote inside a quoted field is written twice (\"\")"
            ),
            ("[\n{\"rut\": \"76.123.456-0\"}\n", "line 1: the JSON array opened on this line is never closed"),
            ("rut,business_name,rut\n", "rut: column appears twice in the header (line 1)"),
        ])
    func wholeFileProblems(file: String, message: String) async throws {
        let database = try await makeTestDatabase()
        let error = await #expect(throws: BrainError.self) { try await database.importCompanies(Data(file.utf8)) }
        #expect(error?.description == message)
    }

    @Test("Invalid UTF-8 is refused, with the fix in the message")
    func latin1() async throws {
        let database = try await makeTestDatabase()
        let latin1 = "rut,business_name\n76.123.456-0,Panader\u{ED}a\n".data(using: .isoLatin1)!
        await #expect(throws: BrainError.invalid(field: "file", reason: "is not valid UTF-8; save it as UTF-8")) {
            try await database.importCompanies(latin1)
        }
    }

    @Test("An explicit format overrides detection; verifyCheckDigit off accepts synthetic RUTs")
    func explicitFormatAndSynthetic() async throws {
        let database = try await makeTestDatabase()
        let line = #"{"rut": "12.345.678-K", "full_name": "Sintética"}"#
        let result = try await database.importUsers(Data(line.utf8), format: .jsonLines, verifyCheckDigit: false)
        #expect((result.format, result.imported) == (.jsonLines, 1))
        #expect(ImportFormat(name: "NDJSON") == .jsonLines)
        #expect(ImportFormat.detect(Array("  \n[".utf8)) == .json)
    }

    // MARK: - Sessions

    @Test("Sessions: unknown owners are reported; is_active defaults to true; a change is an update")
    func sessions() async throws {
        let database = try await makeTestDatabase()
        _ = try await database.importCompanies(Data(LoadFixtures.fullCompanyCSV.utf8))
        _ = try await database.importUsers(Data(LoadFixtures.fullUserJSONL.utf8))
        let csv = """
            user_rut,company_rut,is_active
            \(LoadFixtures.userRUT),\(LoadFixtures.companyRUT),
            15.234.567-4,\(LoadFixtures.companyRUT),true
            \(LoadFixtures.userRUT),77.654.321-7,sí
            \(LoadFixtures.userRUT),\(LoadFixtures.companyRUT),false
            \(LoadFixtures.userRUT),76.123.456-0,quizás

            """

        let first = try await database.importSessions(Data(csv.utf8))
        let toggle = #"[{"user_rut": "\#(LoadFixtures.userRUT)", "company_rut": "\#(LoadFixtures.companyRUT)", "is_active": false}]"#
        let second = try await database.importSessions(Data(toggle.utf8))
        let third = try await database.importSessions(Data(toggle.utf8))

        #expect((first.created, first.failed) == (1, 4))
        #expect(first.errors == [
            ImportRowError(line: 3, reason: "user_rut: no user with RUT 152345674; import users first"),
            ImportRowError(line: 4, reason: "company_rut: no company with RUT 776543217; import companies first"),
            ImportRowError(line: 5, reason: "user_rut, company_rut: duplicate session 111111111 / 761234560, already on line 2"),
            ImportRowError(line: 6, reason: "is_active: 'quizás' is not true or false"),
        ])
        #expect((second.updated, third.unchanged) == (1, 1))
        let active = try await sql(database).column("SELECT is_active FROM sessions")
        #expect(active == ["0"])
    }

    // MARK: - Results and examples

    @Test("The result encodes with snake_case keys")
    func resultJSON() throws {
        let result = ImportResult(format: .csv, created: 1, errors: [ImportRowError(line: 3, reason: "rut: is required")])
        let json = String(decoding: try JSONEncoder().encode(result), as: UTF8.self)
        for key in ["\"imported\":1", "\"created\":1", "\"updated\":0", "\"unchanged\":0", "\"failed\":1", "\"format\":\"csv\"", "\"line\":3"] {
            #expect(json.contains(key))
        }
        #expect(!json.contains("item"))
    }

    @Test("The example data set imports without a single error, check digits verified")
    func examples() async throws {
        let examples = URL(filePath: #filePath).deletingLastPathComponent().appending(path: "../../examples").standardized
        let database = try await makeTestDatabase()

        let companies = try await database.importCompanies(try Data(contentsOf: examples.appending(path: "companies.csv")))
        let users = try await database.importUsers(try Data(contentsOf: examples.appending(path: "users.jsonl")))
        let sessions = try await database.importSessions(try Data(contentsOf: examples.appending(path: "sessions.json")))

        #expect((companies.format, companies.created, companies.failed) == (.csv, 5, 0))
        #expect((users.format, users.created, users.failed) == (.jsonLines, 4, 0))
        #expect((sessions.format, sessions.created, sessions.failed) == (.json, 5, 0))
        #expect(companies.errors.isEmpty && users.errors.isEmpty && sessions.errors.isEmpty)
        let loaded = try await database.loadAllCompanies()
        #expect((loaded.loadedCompanies, loaded.totalMemoriesCreated) == (5, 4 * 5 + 1))
        let andes = try await database.memory(.company, owner: try owner("77.654.321-7"), slug: "company_activity")
        #expect(andes.content == "Actividad económica: Comercio al por menor (código SII 471000)")
    }
}
