import ArgumentParser
import Foundation
import Estimation
import Fitting
import Network
import PolynomialModel
import Registry
import Search
import Reports

/// The one place that turns failures into what the user sees: a message on standard error
/// and an exit code that says whose fault it was.
///
/// Exit codes (stable, documented in the README):
/// - 0: success.
/// - 64: the command line is wrong (argument-parser's usage errors).
/// - 65: an input file or name is wrong (spec, profile, manifest, unknown GPU or model).
/// - 69: a plugin failed (returned an error or an invalid number).
/// - 70: a bug in Joule.
enum JouleFailure: Error, CustomStringConvertible {
    case badInput(String)
    case pluginFault(String)
    case internalError(String)

    var exitCode: ExitCode {
        switch self {
        case .badInput: ExitCode(65)
        case .pluginFault: ExitCode(69)
        case .internalError: ExitCode(70)
        }
    }

    var description: String {
        switch self {
        case .badInput(let message), .pluginFault(let message): message
        case .internalError(let message): "internal error (please report it): \(message)"
        }
    }

    /// Classifies an error thrown by the host's modules.
    init(_ error: any Error) {
        switch error {
        case let failure as JouleFailure: self = failure
        case let error as RegistryError: self = .badInput(error.description)
        case let error as SpecError: self = .badInput(error.description)
        case let error as MeasurementError: self = .badInput(error.description)
        case let error as FitError: self = .badInput(error.description)
        case let error as AtomicFileError: self = .badInput(error.description)
        case let error as SearchError: self = .badInput(error.description)
        case let error as PolynomialModelFileError: self = .badInput(error.description)
        case let error as EstimationError:
            switch error {
            case .model(let inner): self = JouleFailure(inner)
            case .unsupportedLayer, .pipelineNeedsBreakdown: self = .badInput(error.description)
            }
        case let error as CostModelError:
            switch error {
            case .unknownOption: self = .badInput(error.description)
            default: self = .pluginFault(error.description)
            }
        default: self = .internalError(String(describing: error))
        }
    }
}

extension ParsableCommand {
    /// Runs `body`; prints any failure as `joule: error: …` and exits with its code.
    func reportingFailures(_ body: () throws -> Void) throws {
        do {
            try body()
        } catch let error as ValidationError {
            throw error
        } catch let error as ExitCode {
            throw error
        } catch {
            let failure = JouleFailure(error)
            let lines = failure.description.split(separator: "\n", omittingEmptySubsequences: false)
            for line in lines { FileHandle.standardError.write(Data("joule: error: \(line)\n".utf8)) }
            throw failure.exitCode
        }
    }
}
