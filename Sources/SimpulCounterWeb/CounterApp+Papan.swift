import Hummingbird
import SimpulDomain
import SimpulStore
import SimpulWeb

extension CounterApp {
    /// The papan informasi: every service of the catalog in force with its requirements, time, fee and
    /// flow of officers, for the waiting room's wall or TV. It is rendered from the catalog at each
    /// request, so a new catalog from the hub shows at the next reload. It shows only what is public,
    /// so it needs no login.
    func boardPage(request: Request) async throws -> Response {
        struct Service {
            var name, kind, duration, fee: String
            var requirements, flow: [String]
        }
        struct Board {
            var office, sheet, complaint: String
            var version: Int
            var services: [Service]
        }
        let store = self.store
        let catalog = try await blocking { () throws(SimpulError) in try store.catalog() }
        let sheet = request.uri.queryParameters.get("kertas") == "a3" ? "papan-a3.css" : "papan-a4.css"
        let board = Board(
            office: store.info.name, sheet: sheet,
            complaint:
                "Bila pelayanan tidak sesuai standar ini, sampaikan kepada petugas informasi atau langsung kepada Camat di kantor ini; setiap pengaduan dicatat dan dijawab.",
            version: catalog.version,
            services: catalog.services.map { l in
                Service(
                    name: "\(l.name) (\(l.code))", kind: l.kind.label,
                    duration: l.durationWorkingDays.map { $0 == 0 ? "selesai hari itu juga" : "\($0) hari kerja" }
                        ?? "ditetapkan \(l.forwardTo ?? "PTSP")",
                    fee: Self.feeInWords(l.fee), requirements: l.requirements.map(\.name), flow: Self.flow(of: l))
            })
        return WebPage.html(printRenderer.render("papan", board))
    }

    /// A fee as a citizen reads it on the board.
    static func feeInWords(_ fee: Fee) -> String {
        switch fee {
        case .fixed(let amount): amount == 0 ? "Gratis (Rp 0)" : Rupiah.format(amount)
        case .formula(let rate, let inputs, let unit):
            "\(Rupiah.format(rate)) per \(unit), dihitung dari \(inputs.map { $0.replacingOccurrences(of: "_", with: " ") }.joined(separator: " x "))"
        case .setByPTSP: "Ditetapkan oleh PTSP, dibayar di kasir kecamatan sebelum dokumen diserahkan"
        }
    }

    /// The officers a service's file passes, in order, as the workflow runs it.
    static func flow(of layanan: Layanan) -> [String] {
        var steps = [OfficerRole.loket.label + " (pendaftaran)"]
        if layanan.isDelegated {
            var tahap: Tahap? = .verifikasi
            while let t = tahap, t != .penyerahan {
                steps.append(OfficerRole.taking(t).label + (t == .cekLapangan ? " (cek lapangan)" : ""))
                tahap = Workflow.step(after: t, layanan: layanan)
            }
        } else {
            steps.append("Diteruskan ke \(layanan.forwardTo ?? "PTSP"), keputusannya kembali ke loket")
        }
        if layanan.fee != .fixed(amount: 0) { steps.append(OfficerRole.kasir.label + " (pembayaran dengan kuitansi)") }
        steps.append(OfficerRole.penyerahan.label)
        return steps
    }
}
