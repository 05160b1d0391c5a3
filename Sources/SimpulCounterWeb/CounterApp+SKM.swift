import Hummingbird
import SimpulDomain
import SimpulStore
import SimpulWeb

/// The survey of public satisfaction on the counter's tablet: after handover the officer opens it for
/// the applicant, who answers the nine questions alone. The page shows nothing of the officer or the
/// file, and the thank-you page nothing of the answers.
extension CounterApp {
    func surveyPage(request: Request, context: CounterContext) async throws -> Response {
        let session: WebSession
        switch require(context, request: request) {
        case .success(let s): session = s
        case .failure(let r): return r
        }
        let number: String
        switch await surveyGate(context: context, session: session) {
        case .success(let n): number = n
        case .failure(let r): return r
        }
        let paper = request.uri.queryParameters.get("saluran") == SKM.Channel.kertas.rawValue
        return WebPage.html(
            printRenderer.render("survei", SurveyView(number: number, csrf: session.csrf, paper: paper)))
    }

    func takeSurvey(request: Request, context: CounterContext) async throws -> Response {
        let session: WebSession
        switch require(context, request: request) {
        case .success(let s): session = s
        case .failure(let r): return r
        }
        let form: FormBody
        switch try await self.form(request, session: session) {
        case .success(let f): form = f
        case .failure(let r): return r
        }
        let number: String
        switch await surveyGate(context: context, session: session) {
        case .success(let n): number = n
        case .failure(let r): return r
        }
        let channel = form["saluran"] == SKM.Channel.kertas.rawValue ? SKM.Channel.kertas : .tablet
        let answers = SKM.elements.indices.map { Int(form["u\($0 + 1)"] ?? "") ?? 0 }
        guard answers.allSatisfy(SKM.scale.contains) else {
            var view = SurveyView(number: number, csrf: session.csrf, paper: channel == .kertas)
            view.problem = "Mohon pilih satu jawaban untuk setiap pertanyaan."
            view.mark(answers)
            return WebPage.html(printRenderer.render("survei", view), status: .unprocessableContent)
        }
        let store = self.store
        let actor = Actor.account(session.account, substitution: nil)
        do {
            try await blocking { () throws(SimpulError) in
                try store.recordSurvey(number: number, answers: answers, channel: channel, by: actor)
            }
        } catch {
            return await message(
                "Survei tidak dicatat", error.message, session: session, status: .conflict,
                back: "/permohonan/\(number)", backLabel: "Kembali ke berkas")
        }
        // Neither the number nor the officer: the log line says only that a response came in.
        logger.info("survey taken on the web", metadata: ["channel": "\(channel.rawValue)"])
        struct Thanks {
            var office: String
            var paper: Bool
        }
        return WebPage.html(
            printRenderer.render("survei-selesai", Thanks(office: store.info.name, paper: channel == .kertas)))
    }

    /// The file's number when the session's officer may open its survey now: an account holding
    /// `penyerahan`, and a file handed over that has not answered.
    private func surveyGate(context: CounterContext, session: WebSession) async -> Gate<String> {
        guard session.account.holds(.penyerahan) else {
            return .failure(
                await message(
                    "Tidak diizinkan", "Survei dibuka oleh \(OfficerRole.penyerahan.label) sesudah dokumen diserahkan.",
                    session: session, status: .forbidden))
        }
        let number: String
        do throws(SimpulError) {
            number = try RegistrationNumber(parsing: context.parameters.get("nomor") ?? "").text
        } catch {
            return .failure(await message("Nomor tidak sah", error.message, session: session, status: .notFound))
        }
        let store = self.store
        let eligibility: SurveyEligibility
        do {
            eligibility = try await blocking { () throws(SimpulError) in try store.surveyEligibility(number) }
        } catch {
            return .failure(
                await message("Survei tidak bisa dibuka", error.message, session: session, status: .notFound))
        }
        switch eligibility {
        case .open: return .success(number)
        case .taken:
            return .failure(
                await message(
                    "Survei sudah diisi", "Permohonan \(number) sudah mengisi survei; satu survei per permohonan.",
                    session: session, status: .conflict, back: "/permohonan/\(number)", backLabel: "Kembali ke berkas"))
        case .notHandedOver:
            return .failure(
                await message(
                    "Belum diserahkan", "Survei diisi sesudah dokumen permohonan \(number) diserahkan.",
                    session: session, status: .conflict, back: "/permohonan/\(number)", backLabel: "Kembali ke berkas"))
        }
    }
}

/// The tablet's questionnaire: one element per row, four labelled answers.
struct SurveyView {
    struct Answer {
        var value: Int
        var label: String
        var checked: Bool
    }
    struct Question {
        var name, code, label, question: String
        var answers: [Answer]
    }

    var number, csrf: String
    var channel: String
    var paper: Bool
    var problem: String?
    var questions: [Question]

    init(number: String, csrf: String, paper: Bool) {
        self.number = number
        self.csrf = csrf
        self.paper = paper
        channel = paper ? SKM.Channel.kertas.rawValue : SKM.Channel.tablet.rawValue
        questions = SKM.elements.enumerated().map { i, e in
            Question(
                name: "u\(i + 1)", code: e.code, label: e.label, question: e.question,
                answers: e.answers.enumerated().map { Answer(value: $0.offset + 1, label: $0.element, checked: false) })
        }
    }

    /// Keeps the answers already chosen when the form comes back for a missing one.
    mutating func mark(_ answers: [Int]) {
        for (q, a) in zip(questions.indices, answers) {
            for i in questions[q].answers.indices {
                questions[q].answers[i].checked = questions[q].answers[i].value == a
            }
        }
    }
}
