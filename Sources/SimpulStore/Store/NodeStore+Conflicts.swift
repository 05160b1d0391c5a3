import Foundation
import GRDB
import SimpulDomain

extension NodeStore {
    /// Settles one open conflict with a `permohonan.settled` event on its permohonan, naming the state
    /// it continues from. The one operation behind `simpul-hub conflicts resolve` and the back office's
    /// form. The conflict is read in the write transaction that records the settlement, so of two
    /// people settling the same conflict at once the second is refused rather than writing a second
    /// settlement over the first.
    @discardableResult
    public func settle(
        conflict id: String, status: Status, tahap: Tahap?, note: String, by actor: Actor
    ) throws(SimpulError) -> Event {
        if case .typed(let name) = actor { _ = try Self.officerName(name) }
        let shownID = FreeText.shown(String(id.prefix(80)))
        let at = now()
        let event = try writeDB("menyelesaikan konflik") { db -> Event in
            guard let body = try String.fetchOne(db, sql: "SELECT body FROM conflict WHERE id = ?", arguments: [id])
            else {
                throw SimpulError(.notFound, "konflik \(shownID) tidak ada di hub ini")
            }
            let conflict = try JSONDecoder().decode(Conflict.self, from: Data(body.utf8))
            if let settlement = conflict.resolvedBy {
                let officer = try String.fetchOne(
                    db, sql: "SELECT officer FROM event WHERE partition = ? AND node = ? AND seq = ?",
                    arguments: [conflict.partition, settlement.node, Int64(settlement.seq)])
                throw SimpulError(
                    .invalidData,
                    "konflik \(shownID) sudah diselesaikan oleh \(FreeText.shown(officer ?? settlement.node)) (\(settlement))"
                )
            }
            return try self.perform(
                .settle(conflicts: [id], status: status, tahap: tahap, note: note), on: conflict.record, by: actor,
                at: at, db: db)
        }
        logger.info("conflict settled", metadata: ["conflict": "\(shownID)", "number": "\(event.record)"])
        return event
    }
}
