import Foundation

extension SweepReport {
    /// RFC 4180 CSV, one row per sweep point in the report's order: one column per `by` key path
    /// (headed by the key path), then `n`, `mean`, `sd`, `ci95_low`, `ci95_high`. Numbers are in
    /// their shortest round-trip form; an undefined value (sd and interval of a single run) is an
    /// empty field. Ends with a newline.
    public func csv() -> String {
        var lines = [(by + ["n", "mean", "sd", "ci95_low", "ci95_high"]).map(csvField).joined(separator: ",")]
        for p in points {
            let s = p.summary
            lines.append((p.values.map(csvField) + [String(s.n), number(s.mean), number(s.sd), number(s.ci95Low), number(s.ci95High)])
                .joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// JSON with keys in a fixed order: `metric`, `by`, `points` (each: `values` keyed by key path,
    /// `n`, `mean`, `sd`, `ci95_low`, `ci95_high`, `runs`) and `differences` (each: `baseline`,
    /// `point`, `paired` with the statistics of per-pair differences or null, and `unpaired` with
    /// `mean_difference`, `df`, `ci95_low`, `ci95_high`). Undefined numbers are `null`.
    public func json() -> String {
        func values(_ v: [String]) -> String {
            "{" + zip(by, v).map { "\(jsonString($0)): \(jsonString($1))" }.joined(separator: ", ") + "}"
        }
        func stats(_ s: Summary) -> String {
            "\"n\": \(s.n), \"mean\": \(jsonNumber(s.mean)), \"sd\": \(jsonNumber(s.sd)), "
                + "\"ci95_low\": \(jsonNumber(s.ci95Low)), \"ci95_high\": \(jsonNumber(s.ci95High))"
        }
        var out = "{\n  \"metric\": \(jsonString(metric)),\n  \"by\": [" + by.map(jsonString).joined(separator: ", ") + "],\n"
        out += "  \"points\": [\n"
        out += points.map { p in
            "    {\"values\": \(values(p.values)), \(stats(p.summary)), \"runs\": [" + p.runIDs.map(jsonString).joined(separator: ", ") + "]}"
        }.joined(separator: ",\n")
        out += (points.isEmpty ? "" : "\n") + "  ],\n  \"differences\": [\n"
        out += differences.map { d in
            let u = d.unpaired
            return "    {\"baseline\": \(values(d.baseline)), \"point\": \(values(d.point)), "
                + "\"paired\": \(d.paired.map { "{" + stats($0) + "}" } ?? "null"), "
                + "\"unpaired\": {\"mean_difference\": \(jsonNumber(u.meanDifference)), \"df\": \(jsonNumber(u.degreesOfFreedom)), "
                + "\"ci95_low\": \(jsonNumber(u.ci95Low)), \"ci95_high\": \(jsonNumber(u.ci95High))}}"
        }.joined(separator: ",\n")
        out += (differences.isEmpty ? "" : "\n") + "  ]\n}\n"
        return out
    }

    /// A table for the terminal: the points, then each point's difference from the first
    /// (paired over shared seeds, and unpaired). Numbers have six significant digits.
    public func table() -> String {
        func f(_ x: Double?) -> String { x.map { String(format: "%.6g", $0) } ?? "-" }
        func ci(_ lo: Double?, _ hi: Double?) -> String { lo == nil ? "-" : "[\(f(lo)), \(f(hi))]" }
        func label(_ v: [String]) -> String { v.isEmpty ? "all runs" : zip(by, v).map { "\($0)=\($1)" }.joined(separator: " ") }

        var rows = [by + ["n", "mean", "sd", "95% CI"]]
        for p in points {
            let s = p.summary
            rows.append(p.values + [String(s.n), f(s.mean), f(s.sd), ci(s.ci95Low, s.ci95High)])
        }
        var out = "metric: \(metric)\n" + layout(rows)
        if let base = differences.first?.baseline {
            out += "\ndifference from \(label(base)) (paired: runs sharing a seed; unpaired: Welch)\n"
            var d = [by + ["pairs", "paired mean", "paired 95% CI", "unpaired 95% CI"]]
            for x in differences {
                d.append(x.point + [String(x.paired?.n ?? 0), f(x.paired?.mean),
                                    ci(x.paired?.ci95Low, x.paired?.ci95High), ci(x.unpaired.ci95Low, x.unpaired.ci95High)])
            }
            out += layout(d)
        }
        return out
    }
}

/// Left-aligned columns separated by two spaces, a rule under the header row.
private func layout(_ rows: [[String]]) -> String {
    guard let header = rows.first else { return "" }
    var width = header.map(\.count)
    for r in rows { for (i, c) in r.enumerated() where i < width.count { width[i] = max(width[i], c.count) } }
    func line(_ r: [String]) -> String {
        r.enumerated().map { i, c in c + String(repeating: " ", count: width[i] - c.count) }.joined(separator: "  ")
            .replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
    }
    var out = line(header) + "\n" + line(width.map { String(repeating: "-", count: $0) }) + "\n"
    for r in rows.dropFirst() { out += line(r) + "\n" }
    return out
}

private func number(_ x: Double?) -> String { x.map { "\($0)" } ?? "" }

private func jsonNumber(_ x: Double?) -> String {
    guard let x, x.isFinite else { return "null" }
    return "\(x)"
}

private func csvField(_ s: String) -> String {
    guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return s }
    return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
}

/// `s` as a JSON string literal, quotes included (RFC 8259 escapes; other control characters
/// as `\u00XX`). Shared by the report's JSON and the `runs.parameters_json` column.
public func jsonString(_ s: String) -> String {
    var out = "\""
    for c in s.unicodeScalars {
        switch c {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        default:
            if c.value < 0x20 {
                let hex = String(c.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            } else {
                out.unicodeScalars.append(c)
            }
        }
    }
    return out + "\""
}
