/// A complaint about the service (pengaduan), as UU 25/2009 on public services has every provider
/// register and answer them: received at the office, followed up, closed.
public enum Pengaduan {
    /// How the complaint came in.
    public enum Channel: String, Sendable, Codable, CaseIterable {
        case langsung
        case telepon
        case surat
        case sms
        case email
        case mediaSosial = "media-sosial"
        case kotakSaran = "kotak-saran"

        public var label: String {
            switch self {
            case .langsung: "Langsung di kantor"
            case .telepon: "Telepon"
            case .surat: "Surat"
            case .sms: "SMS/WhatsApp"
            case .email: "Email"
            case .mediaSosial: "Media sosial"
            case .kotakSaran: "Kotak saran"
            }
        }
    }

    /// UU 25/2009 Pasal 50: the provider answers a written complaint at the latest 14 days after
    /// receiving it.
    public static let responseDays = 14
    /// UU 25/2009 Pasal 50: the provider decides on a complaint at the latest 60 days after its file
    /// is complete; counted here from receipt, as the counter does not record when a file became
    /// complete.
    public static let closingDays = 60

    /// The deadline `days` (calendar) days after `received`, moved to the next working day when it
    /// falls on a weekend or holiday: the law counts days, and an office cannot answer on a day it is
    /// closed.
    public static func deadline(received: LocalDate, days: Int, calendar: WorkingDayCalendar) -> LocalDate {
        var day = received.adding(days: days)
        while !calendar.isWorkingDay(day) { day = day.adding(days: 1) }
        return day
    }

    public static let maxTextLength = 2_000
    public static let maxNoteLength = 1_000
}

/// A complaint as the officer who received it recorded it (`pengaduan.received`).
public struct ComplaintReceived: Sendable, Equatable, Codable {
    public var channel: Pengaduan.Channel
    /// The service it is about, by catalog code, when it is about one.
    public var layanan: String?
    /// The permohonan it is about, when the complainant gave the number.
    public var number: String?
    public var text: String
    /// The complainant's name and how to reach them (phone, address, email); both optional, as a
    /// complaint may be anonymous.
    public var name: String?
    public var contact: String?
    public var receivedOn: LocalDate
    /// The deadlines computed with the receiving node's calendar, carried in the event so that every
    /// replica (the hub included) shows the same ones without needing the same calendar.
    public var respondBy: LocalDate
    public var closeBy: LocalDate

    public init(
        channel: Pengaduan.Channel, layanan: String?, number: String?, text: String, name: String?, contact: String?,
        receivedOn: LocalDate, respondBy: LocalDate, closeBy: LocalDate
    ) {
        self.channel = channel
        self.layanan = layanan
        self.number = number
        self.text = text
        self.name = name
        self.contact = contact
        self.receivedOn = receivedOn
        self.respondBy = respondBy
        self.closeBy = closeBy
    }

    /// What is wrong with a complaint's data, or nil.
    public var problem: String? {
        guard Self.clean(text, max: Pengaduan.maxTextLength) else {
            return "pengaduan: isi aduan harus 1 sampai \(Pengaduan.maxTextLength) karakter tanpa karakter kendali"
        }
        if let layanan, !Layanan.isCode(layanan) { return "pengaduan: kode layanan tidak sah" }
        if let number, number.utf8.count > 40 || (try? RegistrationNumber(parsing: number)) == nil {
            return "pengaduan: nomor permohonan tidak sah"
        }
        if let name, !Self.clean(name, max: 100) { return "pengaduan: nama pengadu paling banyak 100 karakter" }
        if let contact, !Self.clean(contact, max: 200) {
            return "pengaduan: kontak pengadu paling banyak 200 karakter"
        }
        guard respondBy >= receivedOn, closeBy >= respondBy, closeBy <= receivedOn.adding(days: 366) else {
            return "pengaduan: tenggat harus sesudah tanggal diterima"
        }
        return nil
    }

    static func clean(_ text: String, max: Int) -> Bool {
        (1...max).contains(text.count) && (try? FreeText.clean(text, field: "")) == text
    }
}

/// A follow-up (`pengaduan.followed-up`) or the closing (`pengaduan.closed`) of a complaint: what was
/// done, or how it ended.
public struct ComplaintNote: Sendable, Equatable, Codable {
    public var note: String

    public init(note: String) { self.note = note }

    public var problem: String? {
        ComplaintReceived.clean(note, max: Pengaduan.maxNoteLength)
            ? nil : "pengaduan: catatan harus 1 sampai \(Pengaduan.maxNoteLength) karakter tanpa karakter kendali"
    }
}
