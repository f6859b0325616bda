import TOMLKit

/// A parsed TOML value as plain Swift data.
///
/// The loader converts TOMLKit's tree (a wrapper over C++ nodes) into this value once, so that
/// decoding can report what it found precisely, sweeps can substitute values by key path
/// without mutating shared C++ state, and nothing after parsing depends on TOMLKit.
/// Table entries are kept sorted by key: TOMLKit does not preserve file order, and a sorted
/// order is the same on every machine.
indirect enum TOMLNode: Equatable, Sendable {
    case table([String: TOMLNode])
    case array([TOMLNode])
    case string(String)
    case int(Int)
    case double(Double)
    case bool(Bool)
    /// Dates and times, which no scenario key takes; kept so the error can name the type.
    case other(String)

    init(_ value: TOMLValueConvertible) {
        switch value.type {
        case .table:
            var entries: [String: TOMLNode] = [:]
            for (key, child) in value.table! { entries[key] = TOMLNode(child) }
            self = .table(entries)
        case .array: self = .array(value.array!.map { TOMLNode($0) })
        case .string: self = .string(value.string!)
        case .int: self = .int(value.int!)
        case .double: self = .double(value.double!)
        case .bool: self = .bool(value.bool!)
        case .date, .time, .dateTime: self = .other(value.type.description)
        }
    }

    /// "a string", "an integer", ...: the type as an error message names it.
    var typeName: String {
        switch self {
        case .table: "a table"
        case .array: "an array"
        case .string: "a string"
        case .int: "an integer"
        case .double: "a float"
        case .bool: "a boolean"
        case .other(let type): "a \(type)"
        }
    }

    /// The value in TOML syntax, on one line (tables as inline tables with sorted keys), as
    /// error messages quote it and manifests record overrides.
    var tomlText: String {
        switch self {
        case .table(let entries):
            if entries.isEmpty { return "{}" }
            return "{ " + entries.keys.sorted().map { "\(KeyPath.quoted($0)) = \(entries[$0]!.tomlText)" }.joined(separator: ", ") + " }"
        case .array(let items): return "[" + items.map(\.tomlText).joined(separator: ", ") + "]"
        case .string(let s): return TOMLNode.quote(s)
        case .int(let i): return String(i)
        case .double(let d):
            if d.isNaN { return "nan" }
            if d.isInfinite { return d > 0 ? "inf" : "-inf" }
            return String(d)
        case .bool(let b): return String(b)
        case .other(let type): return "<\(type)>"
        }
    }

    /// "got -3", "got \"abc\" (a string)": how an error shows what it found.
    var found: String {
        switch self {
        case .int, .double: tomlText
        case .array(let items) where items.isEmpty: "an empty array"
        case .table, .array, .other: typeName
        case .string, .bool: "\(tomlText) (\(typeName))"
        }
    }

    /// A TOML basic string literal for `s`.
    static func quote(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7f {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
