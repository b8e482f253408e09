import Foundation

/// One entry of a builder table: the slug and category of a memory, and how to word it from an
/// owner record.
public struct MemoryBuilder<Record: Sendable>: Sendable {
    /// The memory's slug. A load only ever creates, updates or deletes the slugs of its table.
    public let slug: String
    public let category: String
    /// The memory's content in Spanish, or nil when the record has nothing to say; then the memory
    /// must not exist, and a load deletes it if an earlier load made it.
    public let content: @Sendable (Record) -> String?

    /// - Parameters:
    ///   - slug: the memory's slug (`company_tax_regime`).
    ///   - category: the memory's category (`company_tax`).
    ///   - content: the wording, or nil when the record lacks the field.
    public init(slug: String, category: String, content: @escaping @Sendable (Record) -> String?) {
        self.slug = slug
        self.category = category
        self.content = content
    }
}

/// The builder tables: which memories a company or a user record yields, and their wording.
///
/// To add a memory, add one row here (and the column to `OwnerImport` if it is new). Contents are
/// Spanish, `Etiqueta: valor`, because the agents that read them answer Chilean users; dates stay
/// ISO (`2020-03-15`, `2021-01`) so that a model never misreads day and month.
public enum MemoryBuilders {
    public static let company: [MemoryBuilder<CompanyRecord>] = [
        MemoryBuilder(slug: "company_tax_regime", category: "company_tax") { company in
            present(company.taxRegime).map { "Régimen tributario: \($0)" }
        },
        MemoryBuilder(slug: "company_activity", category: "company_tax") { company in
            switch (present(company.siiActivityName), present(company.siiActivityCode)) {
            case let (name?, code?): "Actividad económica: \(name) (código SII \(code))"
            case let (name?, nil): "Actividad económica: \(name)"
            case let (nil, code?): "Actividad económica: código SII \(code)"
            case (nil, nil): nil
            }
        },
        MemoryBuilder(slug: "company_legal_representative", category: "company_legal") { company in
            let rut = present(company.legalRepresentativeRUT).map(displayRUT)
            switch (present(company.legalRepresentativeName), rut) {
            case let (name?, rut?): return "Representante legal: \(name) (RUT \(rut))"
            case let (name?, nil): return "Representante legal: \(name)"
            case let (nil, rut?): return "Representante legal: RUT \(rut)"
            case (nil, nil): return nil
            }
        },
        MemoryBuilder(slug: "company_start_date", category: "company_dates") { company in
            present(company.startOfActivities).map { "Inicio de actividades: \($0)" }
        },
        MemoryBuilder(slug: "company_accounting_start", category: "company_dates") { company in
            present(company.accountingStartMonth).map { "Inicio de contabilidad: \($0)" }
        },
    ]

    public static let user: [MemoryBuilder<UserRecord>] = [
        MemoryBuilder(slug: "user_full_name", category: "user_profile") { user in
            present(user.fullName).map { "Nombre completo: \($0)" }
        },
        MemoryBuilder(slug: "user_email", category: "user_contact") { user in
            present(user.email).map { "Correo electrónico: \($0)" }
        },
        MemoryBuilder(slug: "user_phone", category: "user_contact") { user in
            present(user.phone).map { "Teléfono: \($0)" }
        },
        MemoryBuilder(slug: "user_role", category: "user_profile") { user in
            present(user.role).map { "Cargo: \($0)" }
        },
    ]

    /// What a load writes for one record: the memories of the fields it has, and the builder slugs
    /// whose field is empty (their memories, if any, are stale and must go).
    public static func plan<Record>(_ builders: [MemoryBuilder<Record>], for record: Record) -> MemoryPlan {
        var plan = MemoryPlan(memories: [], emptySlugs: [])
        for builder in builders {
            if let content = builder.content(record) {
                plan.memories.append(MemoryInput(slug: builder.slug, category: builder.category, content: content))
            } else {
                plan.emptySlugs.append(builder.slug)
            }
        }
        return plan
    }

    /// The plan for a company.
    public static func plan(for company: CompanyRecord) -> MemoryPlan { plan(Self.company, for: company) }

    /// The plan for a user.
    public static func plan(for user: UserRecord) -> MemoryPlan { plan(Self.user, for: user) }

    /// The field's text without surrounding whitespace, or nil when nothing is left.
    private static func present(_ text: String?) -> String? {
        guard let trimmed = text?.trimmingCharacters(in: .whitespacesAndNewlines), !trimmed.isEmpty else { return nil }
        return trimmed
    }

    /// `12.345.678-5` for a parsable RUT; the stored text otherwise (data written by other tools).
    private static func displayRUT(_ text: String) -> String {
        (try? RUT(text, verifyCheckDigit: false))?.formatted ?? text
    }
}

/// The memories a load saves for one owner and the builder slugs it removes.
public struct MemoryPlan: Sendable, Equatable {
    /// One memory per builder whose field is present, in table order.
    public var memories: [MemoryInput]
    /// Builder slugs whose field is empty.
    public var emptySlugs: [String]
}
