import Foundation
import Hummingbird
import SimpulConsole
import SimpulDomain
import SimpulStore
import SimpulSync
import SimpulWeb

/// The Admin TI's page of kecamatan nodes: their keys, their last contact, enrolling and revoking.
extension BackOfficeApp {
    func nodesPage(
        request: Request, context: BackOfficeContext, flash: String? = nil, flashIsError: Bool = false,
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let session: StaffSession
        switch require(context, request: request) {
        case .success(let s): session = s
        case .failure(let r): return r
        }
        guard session.account.holds(.adminTI) else { return await adminOnly(session) }
        struct Report {
            var at, version, offset, size, waiting: String
            var offsetProblem: Bool
        }
        struct Row {
            var node, name, fingerprint, enrolled, state, contact, result, parked: String
            var olderKeys: String?
            var revoked, silent: Bool
            var confirm: String
            var report: Report?
            var unreported: String
        }
        struct View {
            var csrf: String
            var rows: [Row]
            var hasRows: Bool
        }
        let store = self.store
        let zona = self.zona
        let now = self.now()
        let stale = settings.staleDays
        let rows = try await blocking { () throws(SimpulError) -> [Row] in
            let keys = try store.keys().filter { $0.node != store.info.node.rawValue }
            let contacts = Dictionary(uniqueKeysWithValues: try store.contacts().map { ($0.node, $0) })
            let parked = Dictionary(uniqueKeysWithValues: try store.parkedPerWriter().map { ($0.node, $0) })
            let reports = Dictionary(uniqueKeysWithValues: try store.nodeReports().map { ($0.node, $0) })
            let nodes = Array(Set(keys.map(\.node))).sorted()
            var rows: [Row] = []
            for node in nodes {
                let mine = keys.filter { $0.node == node }.sorted { $0.enrolledAt > $1.enrolledAt }
                let current = mine.first { $0.state == .active } ?? mine[0]
                let contact = contacts[node]
                let silent =
                    contact.map { now.milliseconds - $0.lastContact.milliseconds > Int64(stale) * 86_400_000 } ?? true
                rows.append(
                    Row(
                        node: node, name: FreeText.shown(try store.wilayahName(node) ?? ""),
                        fingerprint: NodeIdentity.readable(current.fingerprint),
                        enrolled: WebPage.moment(current.enrolledAt, zona: zona),
                        state: current.state == .revoked
                            ? "DICABUT \(current.revokedAt.map { WebPage.moment($0, zona: zona) } ?? "")" : "aktif",
                        contact: contact.map { WebPage.moment($0.lastContact, zona: zona) } ?? "belum pernah sinkron",
                        result: contact.map {
                            FreeText.shown($0.lastResult)
                                + ($0.refusedInARow > 0 ? " (ditolak \($0.refusedInARow) kali berturut-turut)" : "")
                        } ?? "-",
                        parked: parked[node].map { "\($0.changeSets) change set" } ?? "0",
                        olderKeys: mine.count > 1
                            ? "\(mine.count - 1) kunci lama disimpan untuk memeriksa data lama" : nil,
                        revoked: current.state == .revoked, silent: silent,
                        confirm:
                            "Cabut node \(node)? Sinkron berikutnya dari node ini ditolak sampai kunci baru didaftarkan.",
                        report: reports[node].map {
                            Report(
                                at: WebPage.moment($0.reportedAt, zona: zona), version: $0.version,
                                offset: NodeReportText.offset($0.clockOffsetSeconds),
                                size: NodeReportText.size($0.storeBytes), waiting: "\($0.waitingEvents)",
                                offsetProblem: NodeReportText.offsetIsProblem($0.clockOffsetSeconds))
                        }, unreported: NodeReportText.unreported
                    ))
            }
            return rows
        }
        let body = renderer.render("node", View(csrf: session.csrf, rows: rows, hasRows: !rows.isEmpty))
        return await page(
            "Node kecamatan", section: .node, session: session, body: body, flash: flash, flashIsError: flashIsError,
            status: status, request: flash == nil ? request : nil)
    }

    /// Enrolls a key (`POST /node`) or revokes a node (`POST /node/:node/cabut`).
    func changeNodes(request: Request, context: BackOfficeContext) async throws -> Response {
        let session: StaffSession
        switch require(context, request: request) {
        case .success(let s): session = s
        case .failure(let r): return r
        }
        let form: FormBody
        switch try await self.form(request, session: session) {
        case .success(let f): form = f
        case .failure(let r): return r
        }
        guard session.account.holds(.adminTI) else { return await adminOnly(session) }
        let store = self.store
        let by = session.account.username
        do throws(SimpulError) {
            if let node = context.parameters.get("node") {
                guard let id = NodeID(node), !id.isHub else {
                    throw SimpulError(
                        .invalidData, "node: '\(FreeText.shown(String(node.prefix(40))))' bukan kode node")
                }
                try await blocking { () throws(SimpulError) in try store.revoke(node: id) }
                logger.notice("node revoked", metadata: ["node": "\(id)", "by": "\(by)"])
                return redirect("/node", flash: "Node \(id) dicabut; sinkron berikutnya dari node ini ditolak.")
            }
            let node = form["node"] ?? ""
            let key = (form["kunci"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            let readBack = form["sidik"] ?? ""
            guard !readBack.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw SimpulError(.invalidData, "sidik jari: tulis sidik jari yang dibacakan petugas kecamatan")
            }
            let enrolled = try await blocking { () throws(SimpulError) in
                try NodeEnrollment.enroll(node, publicKey: key, readBack: readBack, store: store)
            }
            logger.notice("node enrolled", metadata: ["node": "\(enrolled.node)", "by": "\(by)"])
            return redirect(
                "/node",
                flash: "Node \(enrolled.node) terdaftar, sidik jari \(NodeIdentity.readable(enrolled.fingerprint)).")
        } catch {
            return try await nodesPage(
                request: request, context: context, flash: error.message, flashIsError: true,
                status: .unprocessableContent)
        }
    }

    static let nodeTemplates: [String: String] = [
        "node": """
        <h1>Node kecamatan</h1>
        {{^hasRows}}<div class="card"><p>Belum ada node terdaftar.</p></div>{{/hasRows}}
        {{#hasRows}}
        <table class="queue">
          <thead><tr><th scope="col">Node</th><th scope="col">Sidik jari kunci</th><th scope="col">Keadaan</th><th scope="col">Kontak terakhir</th><th scope="col">Tertahan di hub</th><th scope="col">Laporan sinkron terakhir</th><th scope="col">Tindakan</th></tr></thead>
          <tbody>
          {{#rows}}
            <tr{{#silent}} class="stale"{{/silent}}><td><strong>{{node}}</strong><br>{{name}}</td>
              <td><code>{{fingerprint}}</code><br><span class="muted">didaftarkan {{enrolled}}{{#olderKeys}}; {{olderKeys}}{{/olderKeys}}</span></td>
              <td>{{state}}</td>
              <td>{{contact}}{{#silent}} <span class="tag warn">DIAM</span>{{/silent}}<br><span class="muted">{{result}}</span></td>
              <td>{{parked}}</td>
              <td>{{#report}}<dl>
                <dt>Versi agen</dt><dd>{{version}}</dd>
                <dt>Selisih jam</dt><dd>{{offset}}{{#offsetProblem}} <span class="tag warn" role="alert">JAM SALAH: betulkan jam komputer node</span>{{/offsetProblem}}</dd>
                <dt>Ukuran penyimpanan</dt><dd>{{size}}</dd>
                <dt>Event menunggu</dt><dd>{{waiting}}</dd>
              </dl><span class="muted">dilaporkan {{at}}</span>{{/report}}{{^report}}<span class="muted">{{unreported}}</span>{{/report}}</td>
              <td>{{^revoked}}<form method="post" action="/node/{{node}}/cabut" data-confirm="{{confirm}}"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit" class="danger">Cabut</button></form>{{/revoked}}</td></tr>
          {{/rows}}
          </tbody>
        </table>
        {{/hasRows}}
        <h2>Daftarkan kunci node</h2>
        <form class="card stack" method="post" action="/node">
          <input type="hidden" name="csrf" value="{{csrf}}">
          <label for="node-kode">Kode node (kecamatan, mis. 33.74.01)</label>
          <input id="node-kode" name="node" type="text" required maxlength="12" autocomplete="off">
          <label for="node-kunci">Kunci publik yang dicetak <code>simpul init</code> di kecamatan</label>
          <textarea id="node-kunci" name="kunci" rows="2" required></textarea>
          <label for="node-sidik">Sidik jari yang dibacakan petugas kecamatan lewat telepon</label>
          <input id="node-sidik" name="sidik" type="text" required autocomplete="off" placeholder="mis. d48a 5679 41a1 ...">
          <p class="muted">Kunci hanya didaftarkan bila sidik jari ini cocok dengan kunci yang ditempel. Kunci baru menggantikan yang lama; kunci lama tetap dipakai untuk memeriksa data lama.</p>
          <p><button type="submit">Daftarkan</button></p>
        </form>
        """
    ]
}
