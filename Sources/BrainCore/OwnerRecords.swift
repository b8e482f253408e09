
/// A `companies` row: the data the company memory builders read.
public struct CompanyRecord: Sendable, Codable, Equatable {
    /// UUID of the row.
    public var id: String
    /// Normalized RUT.
    public var rut: String
    /// Razón social.
    public var businessName: String?
    /// Régimen tributario, e.g. `ProPyme General`.
    public var taxRegime: String?
    /// The SII economic activity's name and code (`471000`).
    public var siiActivityName: String?
    public var siiActivityCode: String?
    public var legalRepresentativeName: String?
    /// Normalized RUT of the legal representative.
    public var legalRepresentativeRUT: String?
    /// Inicio de actividades, `YYYY-MM-DD`.
    public var startOfActivities: String?
    /// First month of the company's accounting, `YYYY-MM`.
    public var accountingStartMonth: String?

    /// - Parameters:
    ///   - id: the row's UUID.
    ///   - rut: the normalized RUT; the other fields are optional, as in the table.
    public init(
        id: String, rut: String, businessName: String? = nil, taxRegime: String? = nil,
        siiActivityName: String? = nil, siiActivityCode: String? = nil, legalRepresentativeName: String? = nil,
        legalRepresentativeRUT: String? = nil, startOfActivities: String? = nil, accountingStartMonth: String? = nil
    ) {
        self.id = id
        self.rut = rut
        self.businessName = businessName
        self.taxRegime = taxRegime
        self.siiActivityName = siiActivityName
        self.siiActivityCode = siiActivityCode
        self.legalRepresentativeName = legalRepresentativeName
        self.legalRepresentativeRUT = legalRepresentativeRUT
        self.startOfActivities = startOfActivities
        self.accountingStartMonth = accountingStartMonth
    }

    enum CodingKeys: String, CodingKey {
        case id, rut
        case businessName = "business_name"
        case taxRegime = "tax_regime"
        case siiActivityName = "sii_activity_name"
        case siiActivityCode = "sii_activity_code"
        case legalRepresentativeName = "legal_representative_name"
        case legalRepresentativeRUT = "legal_representative_rut"
        case startOfActivities = "start_of_activities"
        case accountingStartMonth = "accounting_start_month"
    }
}

/// A `profiles` row: the data the user memory builders read.
public struct UserRecord: Sendable, Codable, Equatable {
    /// UUID of the row.
    public var id: String
    /// Normalized RUT.
    public var rut: String
    public var fullName: String?
    public var email: String?
    public var phone: String?
    /// Role or position, e.g. `Contador`.
    public var role: String?

    /// - Parameters:
    ///   - id: the row's UUID.
    ///   - rut: the normalized RUT; the other fields are optional, as in the table.
    public init(
        id: String, rut: String, fullName: String? = nil, email: String? = nil, phone: String? = nil, role: String? = nil
    ) {
        self.id = id
        self.rut = rut
        self.fullName = fullName
        self.email = email
        self.phone = phone
        self.role = role
    }

    enum CodingKeys: String, CodingKey {
        case id, rut, email, phone, role
        case fullName = "full_name"
    }
}

// MARK: - Loading

/// An owner row that memory builders turn into memories. The load code is written once against
/// this protocol; adding an owner kind means a record type, its builder table and a conformance.
public protocol LoadableOwner: Sendable {
    /// The brain its memories go to.
    static var brain: BrainKind { get }
    /// The builder table for this owner kind.
    static var builders: [MemoryBuilder<Self>] { get }
    var id: String { get }
    var rut: String { get }
}

extension CompanyRecord: LoadableOwner {
    public static var brain: BrainKind { .company }
    public static var builders: [MemoryBuilder<CompanyRecord>] { MemoryBuilders.company }
}

extension UserRecord: LoadableOwner {
    public static var brain: BrainKind { .user }
    public static var builders: [MemoryBuilder<UserRecord>] { MemoryBuilders.user }
}
