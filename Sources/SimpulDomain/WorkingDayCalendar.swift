/// Working days (hari kerja): Monday to Friday, minus the national holidays and cuti bersama of a
/// published calendar.
///
/// The holidays are data (a TSV file per the SKB 3 Menteri of each year), never code; a calendar
/// knows which years it covers so that a due date in an unpublished year is flagged, not trusted.
public struct WorkingDayCalendar: Sendable, Equatable {
    /// One non-working weekday or weekend date from the calendar file.
    public struct Holiday: Sendable, Equatable, Codable {
        public var date: LocalDate
        /// `libur` (national holiday) or `cuti-bersama`.
        public var kind: String
        public var name: String

        public init(date: LocalDate, kind: String, name: String) {
            self.date = date
            self.kind = kind
            self.name = name
        }
    }

    public private(set) var holidays: [LocalDate: Holiday]
    /// The years whose holidays the calendar lists.
    public private(set) var years: Set<Int>

    public init(holidays: [Holiday]) {
        self.holidays = Dictionary(holidays.map { ($0.date, $0) }, uniquingKeysWith: { a, _ in a })
        self.years = Set(holidays.map(\.date.year))
    }

    /// Parses the `tanggal<TAB>jenis<TAB>keterangan` format of `conf/hari-libur-*.tsv`.
    /// - Parameter source: the file name, used in error messages.
    public static func parse(tsv: String, source: String) throws(SimpulError) -> WorkingDayCalendar {
        var result: [Holiday] = []
        var lineNumber = 0
        // "\r\n" is one Character in Swift, so files saved on Windows need their own separator.
        for line in tsv.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            lineNumber += 1
            if line.isEmpty || line.hasPrefix("#") { continue }
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            if lineNumber == 1 || (result.isEmpty && fields.first == "tanggal") {
                guard fields.first == "tanggal" else {
                    throw SimpulError(
                        .configuration, "\(source):\(lineNumber): header harus 'tanggal<TAB>jenis<TAB>keterangan'")
                }
                continue
            }
            guard fields.count == 3 else {
                throw SimpulError(
                    .configuration, "\(source):\(lineNumber): harus 3 kolom dipisah TAB, ada \(fields.count)")
            }
            guard let date = LocalDate(iso: fields[0]) else {
                throw SimpulError(
                    .configuration, "\(source):\(lineNumber): tanggal '\(fields[0])' bukan tanggal YYYY-MM-DD yang sah")
            }
            guard fields[1] == "libur" || fields[1] == "cuti-bersama" else {
                throw SimpulError(
                    .configuration,
                    "\(source):\(lineNumber): jenis harus 'libur' atau 'cuti-bersama', bukan '\(fields[1])'")
            }
            guard !fields[2].trimmingWhitespace.isEmpty else {
                throw SimpulError(.configuration, "\(source):\(lineNumber): keterangan kosong")
            }
            result.append(Holiday(date: date, kind: fields[1], name: fields[2]))
        }
        guard !result.isEmpty else {
            throw SimpulError(.configuration, "\(source): tidak ada satu pun hari libur")
        }
        return WorkingDayCalendar(holidays: result)
    }

    public func isWorkingDay(_ date: LocalDate) -> Bool { !date.isWeekend && holidays[date] == nil }

    /// The due date of a service that takes `workingDays` from acceptance on `date`: the n-th working
    /// day after it, or for a same-day service the acceptance day itself (the next working day when
    /// the counter accepted it on a day off).
    public func dueDate(acceptedOn date: LocalDate, workingDays: Int) -> LocalDate {
        var day = date
        if workingDays == 0 {
            while !isWorkingDay(day) { day = day.adding(days: 1) }
            return day
        }
        var left = workingDays
        while left > 0 {
            day = day.adding(days: 1)
            if isWorkingDay(day) { left -= 1 }
        }
        return day
    }

    /// Working days from `today` until `due`: positive while time is left, 0 on the due day,
    /// negative (the working days overdue) after it.
    public func workingDaysLeft(from today: LocalDate, until due: LocalDate) -> Int {
        if today == due { return 0 }
        let (lo, hi, sign) = today < due ? (today, due, 1) : (due, today, -1)
        var count = 0
        var day = lo
        while day < hi {
            day = day.adding(days: 1)
            if isWorkingDay(day) { count += 1 }
        }
        return sign * count
    }

    /// Whether every year between the two dates has its holidays in this calendar.
    public func covers(from start: LocalDate, to end: LocalDate) -> Bool {
        (min(start.year, end.year)...max(start.year, end.year)).allSatisfy(years.contains)
    }
}

extension StringProtocol {
    var trimmingWhitespace: String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return String(s)
    }
}

extension WorkingDayCalendar {
    /// The calendar that published calendars make, in the order the log folds them: each one's years
    /// replace the same years published before, other years stay, as loading a calendar file does.
    public static func folding(_ publications: [CalendarPublication]) -> WorkingDayCalendar {
        var calendar = WorkingDayCalendar(holidays: [])
        for publication in publications {
            let replaced = Set(publication.years)
            calendar.holidays = calendar.holidays.filter { !replaced.contains($0.key.year) }
            for holiday in publication.holidays { calendar.holidays[holiday.date] = holiday }
            calendar.years.formUnion(replaced)
        }
        return calendar
    }
}
