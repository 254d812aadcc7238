import PaytopStore
import PaytopVocabulary

/// Adyen's Settlement Details Report as CSV: writing a batch's lines in its header and
/// column order, and reading a report a user gives (columns found by header name, extra
/// columns ignored). Creation Date is "YYYY-MM-DD HH:MM:SS" in the zone the TimeZone
/// column names; paytop writes UTC.
public enum SettlementReport {
    public static let companyAccount = "PaytopCompany"
    public static let merchantAccount = "PaytopMarketplace"
    static let zoneOffsets: [String: Int64] = [
        "UTC": 0, "GMT": 0, "WET": 0, "BST": 3600, "WEST": 3600, "CET": 3600, "CEST": 7200, "EET": 7200, "EEST": 10800,
        "MSK": 10800, "IST": 19800, "SGT": 28800, "HKT": 28800, "JST": 32400, "AEST": 36000, "AEDT": 39600,
        "EST": -18000, "EDT": -14400, "CST": -21600, "CDT": -18000, "MST": -25200, "MDT": -21600, "PST": -28800, "PDT": -25200,
    ]

    public static var header: String { SettlementReportColumn.allCases.map { field($0.rawValue) }.joined(separator: ",") }

    /// One line of the report, without its newline.
    public static func csv(_ l: SettlementLineRow) -> String {
        var out = ""
        append(l, to: &out)
        return out
    }

    /// Appends one line of the report, in the header's column order, without its newline.
    /// (Written field by field: a report holds a million lines.)
    public static func append(_ l: SettlementLineRow, to out: inout String) {
        let settled = l.type == .settled
        func put(_ s: String) { out += field(s); out += "," }
        func put(_ m: Money?) { if let m { out += m.description }; out += "," }
        put(companyAccount); put(merchantAccount); put(l.pspReference); put(l.merchantReference ?? "")
        put(l.paymentMethod ?? ""); put(creationDate(l.createdAt)); put("UTC"); put(l.type.rawValue)
        put(settled ? l.pspReference : ""); put(settled ? (l.grossCurrency ?? "") : ""); put(nil as Money?)
        put(settled ? l.grossCredit : nil); put(settled ? "1" : ""); put(l.netCurrency); put(l.netDebit); put(l.netCredit)
        put(settled ? l.fees.commission : nil); put(settled ? l.fees.markup : nil); put(settled ? l.fees.schemeFees : nil)
        put(settled ? l.fees.interchange : nil); put(settled ? (l.paymentMethod ?? "") : ""); put("")
        out += String(l.batchNo)
        out += ",,,,,,,"  // Reserved4 … Reserved10
    }

    /// A field quoted when it holds a comma, a quote or a line break (RFC 4180).
    static func field(_ s: String) -> String {
        guard s.utf8.contains(where: { $0 == 44 || $0 == 34 || $0 == 10 || $0 == 13 }) else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// "YYYY-MM-DD HH:MM:SS" in UTC, written into the string's storage (a million a report).
    static func creationDate(_ nanos: Int64) -> String {
        let secs = nanos >= 0 ? nanos / 1_000_000_000 : (nanos - 999_999_999) / 1_000_000_000
        var days = secs / 86_400
        var rem = secs - days * 86_400
        if rem < 0 { rem += 86_400; days -= 1 }
        let (y, m, d) = ISO8601.civil(fromDays: days)
        return String(unsafeUninitializedCapacity: 19) { b in
            func put(_ v: Int, _ at: Int, _ width: Int) {
                var v = v
                for i in stride(from: at + width - 1, through: at, by: -1) { b[i] = UInt8(v % 10) + 48; v /= 10 }
            }
            put(y, 0, 4); b[4] = 45; put(m, 5, 2); b[7] = 45; put(d, 8, 2); b[10] = 32
            put(Int(rem / 3600), 11, 2); b[13] = 58; put(Int(rem % 3600 / 60), 14, 2); b[16] = 58; put(Int(rem % 60), 17, 2)
            return 19
        }
    }

    // MARK: Reading

    public struct ParseError: Error, CustomStringConvertible, Equatable {
        public let line: Int
        public let column: String?
        public let message: String
        public var description: String {
            "line \(line)" + (column.map { ", column \"\($0)\"" } ?? "") + ": " + message
        }
    }

    /// The report's Settled lines (other types are skipped), numbered by their line in
    /// the file. Throws the first problem, naming its line and column.
    public static func parse(_ text: String) throws -> [SettlementLineRow] {
        var rows = try records(text)
        guard !rows.isEmpty else { throw ParseError(line: 1, column: nil, message: "the file is empty; expected a header line") }
        let header = rows.removeFirst().fields.map(trimmed)
        var byName: [String: Int] = [:]
        for (i, h) in header.enumerated() where byName[h] == nil { byName[h] = i }
        // Each known column's position, looked up once.
        var index: [SettlementReportColumn: Int] = [:]
        for c in SettlementReportColumn.allCases { index[c] = byName[c.rawValue] }
        let required: [SettlementReportColumn] = [.pspReference, .merchantReference, .creationDate, .type, .grossCurrency,
                                                   .grossCredit, .netCurrency, .netCredit]
        for c in required where index[c] == nil {
            throw ParseError(line: 1, column: c.rawValue, message: "missing column (the header must name it)")
        }
        var out: [SettlementLineRow] = []
        for r in rows {
            if r.fields.count == 1 && r.fields[0].isEmpty { continue }
            func value(_ c: SettlementReportColumn) -> String {
                guard let i = index[c], i < r.fields.count else { return "" }
                return trimmed(r.fields[i])
            }
            func amount(_ c: SettlementReportColumn, required: Bool) throws -> Money? {
                let s = value(c)
                if s.isEmpty {
                    if required { throw ParseError(line: r.line, column: c.rawValue, message: "an amount is required") }
                    return nil
                }
                guard let m = Money(decimalString: s) else {
                    throw ParseError(line: r.line, column: c.rawValue, message: "\"\(s)\" is not an amount (digits, at most two decimals)")
                }
                return m
            }
            guard value(.type) == SettlementLineType.settled.rawValue else { continue }
            let zoneText = value(.timeZone).isEmpty ? "UTC" : value(.timeZone)
            guard let offset = zoneOffsets[zoneText.uppercased()] else {
                throw ParseError(line: r.line, column: SettlementReportColumn.timeZone.rawValue, message: "unknown time zone \"\(zoneText)\"")
            }
            guard let local = parseDate(value(.creationDate)) else {
                throw ParseError(line: r.line, column: SettlementReportColumn.creationDate.rawValue,
                                 message: "\"\(value(.creationDate))\" is not a date \"YYYY-MM-DD HH:MM:SS\"")
            }
            let currency = value(.grossCurrency)
            guard currency.count == 3, currency.allSatisfy({ $0.isUppercase && $0.isASCII }) else {
                throw ParseError(line: r.line, column: SettlementReportColumn.grossCurrency.rawValue,
                                 message: "\"\(currency)\" is not a currency code such as EUR")
            }
            let batchText = value(.batchNumber)
            guard batchText.isEmpty || Int64(batchText) != nil else {
                throw ParseError(line: r.line, column: SettlementReportColumn.batchNumber.rawValue, message: "\"\(batchText)\" is not a number")
            }
            let fees = SettlementFees(commission: try amount(.commission, required: false) ?? .zero,
                                      markup: try amount(.markup, required: false) ?? .zero,
                                      schemeFees: try amount(.schemeFees, required: false) ?? .zero,
                                      interchange: try amount(.interchange, required: false) ?? .zero)
            let ref = value(.merchantReference)
            out.append(SettlementLineRow(
                batchNo: Int64(batchText) ?? 0, lineNo: Int64(r.line), type: .settled, pspReference: value(.pspReference),
                merchantReference: ref.isEmpty ? nil : ref, paymentMethod: value(.paymentMethod),
                createdAt: (local - offset) * 1_000_000_000, grossCurrency: currency,
                grossCredit: try amount(.grossCredit, required: true), netCurrency: value(.netCurrency),
                netDebit: try amount(.netDebit, required: false), netCredit: try amount(.netCredit, required: true), fees: fees))
        }
        return out
    }

    struct Record { let line: Int; let fields: [String] }

    /// A field without surrounding spaces and tabs (most have none: nothing is copied).
    static func trimmed(_ s: String) -> String {
        let u = s.utf8
        guard let first = u.first, let last = u.last, first == 32 || first == 9 || last == 32 || last == 9 else { return s }
        let bytes = Array(u)
        var a = 0, b = bytes.count
        while a < b && (bytes[a] == 32 || bytes[a] == 9) { a += 1 }
        while b > a && (bytes[b - 1] == 32 || bytes[b - 1] == 9) { b -= 1 }
        return String(decoding: bytes[a..<b], as: UTF8.self)
    }

    /// RFC 4180 records: quoted fields may hold commas, doubled quotes and line breaks.
    /// Read as UTF-8 bytes (a report holds a million lines; every delimiter is ASCII).
    static func records(_ text: String) throws -> [Record] {
        var out: [Record] = []
        var fields: [String] = []
        var field: [UInt8] = []
        var quoted = false, afterQuote = false, fieldStarted = false
        var line = 1, start = 1
        func endField() {
            fields.append(String(decoding: field, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
            fieldStarted = false
            afterQuote = false
        }
        func endRecord() {
            endField()
            out.append(Record(line: start, fields: fields))
            fields = []
        }
        let bytes = Array(text.utf8)
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            i += 1
            if quoted {
                if b == 34 {
                    if i < bytes.count && bytes[i] == 34 { field.append(34); i += 1 } else { quoted = false; afterQuote = true }
                } else {
                    if b == 10 { line += 1 }
                    field.append(b)
                }
                continue
            }
            switch b {
            case 44: endField()
            case 13 where i < bytes.count && bytes[i] == 10: continue  // CRLF: the LF ends the record
            case 10, 13:
                endRecord()
                line += 1
                start = line
            case 34 where !fieldStarted && !afterQuote:
                quoted = true
                fieldStarted = true
            default:
                if afterQuote { throw ParseError(line: line, column: nil, message: "text after a closing quote") }
                field.append(b)
                fieldStarted = true
            }
        }
        if quoted { throw ParseError(line: start, column: nil, message: "a quoted field is not closed") }
        if !field.isEmpty || !fields.isEmpty || fieldStarted { endRecord() }
        return out
    }

    /// "YYYY-MM-DD HH:MM:SS" as seconds since the epoch, in the zone it was written in.
    public static func parseDate(_ s: String) -> Int64? {
        let b = Array(s.utf8)
        guard b.count == 19, b[4] == 45, b[7] == 45, b[10] == 32, b[13] == 58, b[16] == 58 else { return nil }
        func n(_ r: Range<Int>) -> Int64? {
            var v: Int64 = 0
            for i in r { guard (48...57).contains(b[i]) else { return nil }; v = v * 10 + Int64(b[i] - 48) }
            return v
        }
        guard let y = n(0..<4), let m = n(5..<7), let d = n(8..<10), let hh = n(11..<13), let mm = n(14..<16), let ss = n(17..<19),
              (1...12).contains(m), (1...31).contains(d), hh < 24, mm < 60, ss < 60 else { return nil }
        // Howard Hinnant's days-from-civil.
        let yy = m <= 2 ? y - 1 : y
        let era = (yy >= 0 ? yy : yy - 399) / 400
        let yoe = yy - era * 400
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146_097 + doe - 719_468
        return days * 86_400 + hh * 3600 + mm * 60 + ss
    }
}
