import SimpulDomain

/// What showing a permohonan needs from a store: the folded state, its history, the blobs of its
/// attachments, the working-day calendar its due date counts on, and the office it is shown at. A
/// kecamatan's `NodeStore` and every hub storage (SQLite or PostgreSQL) answer it, so the console
/// shows a permohonan the same way whichever holds it.
public protocol PermohonanReader {
    var info: NodeInfo { get }
    func permohonan(_ number: String) throws(SimpulError) -> Permohonan
    func list(_ filter: PermohonanFilter) throws(SimpulError) -> [Permohonan]
    func history(_ number: String) throws(SimpulError) -> [Event]
    func blob(_ sha: String) throws(SimpulError) -> StoredBlob?
    func calendar() throws(SimpulError) -> WorkingDayCalendar
}

extension NodeStore: PermohonanReader {}
