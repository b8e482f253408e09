import BrainCore
import GRDB

/// Owner records decoded from a `SELECT *` row of their owner table.
protocol RowDecodableOwner: LoadableOwner {
    init(row: Row)
}

extension CompanyRecord: RowDecodableOwner {
    init(row: Row) {
        self.init(
            id: row["id"], rut: row["rut"], businessName: row["business_name"], taxRegime: row["tax_regime"],
            siiActivityName: row["sii_activity_name"], siiActivityCode: row["sii_activity_code"],
            legalRepresentativeName: row["legal_representative_name"],
            legalRepresentativeRUT: row["legal_representative_rut"], startOfActivities: row["start_of_activities"],
            accountingStartMonth: row["accounting_start_month"])
    }
}

extension UserRecord: RowDecodableOwner {
    init(row: Row) {
        self.init(
            id: row["id"], rut: row["rut"], fullName: row["full_name"], email: row["email"], phone: row["phone"],
            role: row["role"])
    }
}
