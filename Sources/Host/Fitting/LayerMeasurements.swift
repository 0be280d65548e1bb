import Foundation
import JouleJSON
import Network
import PolynomialModel

/// Per-layer measurements (`joule fit --per-layer`): one row per measured layer.
///
/// Columns (names are exact; order is free; other columns are ignored):
///
/// | column | layers | meaning |
/// |---|---|---|
/// | `layer_type` | all | convolution, fully_connected, pooling, elementwise, batch_norm, activation, concat |
/// | `batch` | all | samples per run |
/// | `in_channels`, `out_channels` | convolution | channels in and out |
/// | `input_size` | convolution, pooling | input height = width |
/// | `kernel_size` | convolution, pooling | window height = width |
/// | `stride` | convolution, pooling | optional; 1 for convolution, `kernel_size` for pooling |
/// | `padding` | convolution, pooling | optional; `same`, `valid`, or pixels per side (convolution only); default same for convolution, valid for pooling |
/// | `pool` | pooling | optional; `max` (default) or `avg` |
/// | `in_features`, `out_features` | fully_connected | |
/// | `channels`, `size` | elementwise, batch_norm, activation, concat | channels (of the output) and height = width |
/// | `inputs` | elementwise, concat | optional; tensors combined, default 2 |
/// | `runtime_seconds` | | measured forward time of the layer, seconds |
/// | `power_watts` | | measured average board power while it runs, watts |
///
/// Each row becomes a one-layer network read by the ordinary spec reader, so its FLOPs,
/// bytes and shapes are counted by the same rules as any network's.
public struct LayerMeasurements: Sendable {
    /// One configuration per row.
    public var layers: [LayerConfiguration]
    /// The file line of each row, for messages.
    public var lines: [Int]

    public init(table: MeasurementTable) throws(MeasurementError) {
        let types = try table.strings("layer_type")
        func column(_ name: String) -> [String]? {
            guard table.columns.contains(name) else { return nil }
            return try? table.strings(name)
        }
        let cells = Dictionary(uniqueKeysWithValues: table.columns.map { ($0, column($0)!) })
        var layers: [LayerConfiguration] = []
        var lines: [Int] = []
        // Rows that repeat a layer (repeated runs, or a sweep of another column) share its
        // configuration: reading a spec costs far more than looking one up.
        var configurationBySpec: [String: LayerConfiguration] = [:]
        for row in 0..<table.rowCount {
            let line = table.lineNumber(ofRow: row)
            func value(_ name: String, default fallback: Int64? = nil) throws(MeasurementError) -> Int64 {
                guard let text = cells[name]?[row], !text.isEmpty else {
                    if let fallback { return fallback }
                    throw MeasurementError(file: table.file, line: line, column: name,
                                           "missing: \(types[row]) rows need \(name)" + (cells[name] == nil ? " (the file has no such column)" : ""))
                }
                guard let number = Int64(text.trimmingCharacters(in: .whitespaces)), number > 0, number <= 1 << 24 else {
                    throw MeasurementError(file: table.file, line: line, column: name, "'\(text)' is not a positive integer up to 16777216")
                }
                return number
            }
            func text(_ name: String) -> String? {
                guard let t = cells[name]?[row].trimmingCharacters(in: .whitespaces), !t.isEmpty else { return nil }
                return t.lowercased()
            }
            let typeName = types[row].trimmingCharacters(in: .whitespaces)
            guard let category = LayerCategory(rawValue: typeName) else {
                let suggestion = JSONObjectReader.closest(to: typeName, in: LayerCategory.allCases.map(\.rawValue))
                throw MeasurementError(file: table.file, line: line, column: "layer_type",
                                       "unknown layer type '\(typeName)'" + (suggestion.map { "; did you mean '\($0)'?" } ?? "")
                                       + " (types: \(LayerCategory.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            let batch = try value("batch")
            var layer: String
            var input: String
            switch category {
            case .convolution:
                let cin = try value("in_channels"), cout = try value("out_channels"), size = try value("input_size")
                let kernel = try value("kernel_size"), stride = try value("stride", default: 1)
                let padding: String
                switch text("padding") ?? "same" {
                case "same": padding = "\"SAME\""
                case "valid": padding = "\"VALID\""
                case let pixels:
                    guard let p = Int64(pixels), p >= 0, p <= 1 << 12 else {
                        throw MeasurementError(file: table.file, line: line, column: "padding", "'\(pixels)' is not same, valid or a number of pixels")
                    }
                    padding = "[\(p), \(p)]"
                }
                input = "[\(batch), \(size), \(size), \(cin)]"
                layer = "\"type\": \"Convolution\", \"filter\": [\(kernel), \(kernel), \(cin), \(cout)], \"strides\": [1, \(stride), \(stride), 1], \"padding\": \(padding)"
            case .fullyConnected:
                input = "[\(batch), \(try value("in_features"))]"
                layer = "\"type\": \"InnerProduct\", \"num_outputs\": \(try value("out_features"))"
            case .pooling:
                let channels = try value("channels"), size = try value("input_size"), kernel = try value("kernel_size")
                let stride = try value("stride", default: kernel)
                let padding: String
                switch text("padding") ?? "valid" {
                case "same": padding = "SAME"
                case "valid": padding = "VALID"
                case let other:
                    throw MeasurementError(file: table.file, line: line, column: "padding", "'\(other)': pooling takes same or valid")
                }
                let type: String
                switch text("pool") ?? "max" {
                case "max": type = "Pooling"
                case "avg", "average": type = "AvgPool"
                case let other:
                    throw MeasurementError(file: table.file, line: line, column: "pool", "'\(other)' is not max or avg")
                }
                input = "[\(batch), \(size), \(size), \(channels)]"
                layer = "\"type\": \"\(type)\", \"ksize\": [1, \(kernel), \(kernel), 1], \"strides\": [1, \(stride), \(stride), 1], \"padding\": \"\(padding)\""
            case .elementwise, .concat:
                let channels = try value("channels"), size = try value("size"), inputs = try value("inputs", default: 2)
                guard inputs <= 64 else {
                    throw MeasurementError(file: table.file, line: line, column: "inputs", "\(inputs) inputs; at most 64")
                }
                var each = channels
                if category == .concat {
                    guard channels % inputs == 0 else {
                        throw MeasurementError(file: table.file, line: line, column: "channels",
                                               "\(channels) output channels do not split evenly over \(inputs) inputs")
                    }
                    each = channels / inputs
                }
                input = "[\(batch), \(size), \(size), \(each)]"
                let parents = Array(repeating: "\"data\"", count: Int(inputs)).joined(separator: ", ")
                layer = category == .concat ? "\"type\": \"Concatenate\", \"dim\": 3, \"parents\": [\(parents)]"
                                            : "\"type\": \"Add\", \"parents\": [\(parents)]"
            case .batchNorm, .activation:
                input = "[\(batch), \(try value("size")), \(try value("size")), \(try value("channels"))]"
                layer = "\"type\": \"\(category == .batchNorm ? "BatchNorm" : "ReLU")\""
            }
            if !layer.contains("\"parents\"") { layer += ", \"parents\": [\"data\"]" }
            let spec = "{\"name\": \"row\", \"layers\": {\"data\": {\"parents\": [], \"type\": \"Input\", \"tensor\": \(input)}, \"layer\": {\(layer)}}}"
            if let known = configurationBySpec[spec] {
                layers.append(known)
                lines.append(line)
                continue
            }
            let network: Network
            do {
                network = try SpecReader.parse(Array(spec.utf8), file: nil)
            } catch {
                throw MeasurementError(file: table.file, line: line, "this \(typeName) layer is not valid: \(error.description)")
            }
            guard let configuration = NetworkConfigurations(network).layers.first else {
                throw MeasurementError(file: table.file, line: line, "no layer to fit in this row")
            }
            configurationBySpec[spec] = configuration
            layers.append(configuration)
            lines.append(line)
        }
        self.layers = layers
        self.lines = lines
    }
}

