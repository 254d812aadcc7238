import Foundation
import PaytopStore

/// How simulated buyers' order amounts are drawn (`[settings.order_amounts]`). The seed's
/// traffic script sends orders of 10–100; real baskets have a long right tail. By default
/// each order's amount is log-normal: half the orders below `median` (40.00), the log's
/// standard deviation `sigma` (0.9: 90 % of orders below ~127, 99 % below ~325), kept
/// within `min`…`max`. `shape = "uniform"` draws evenly over `min`…`max` instead (what
/// paytop did before, over 10.00–10,000.00). Amounts are whole cents; the draw's doubles
/// never touch money beyond choosing the cent.
public struct OrderAmounts: Codable, Equatable, Sendable {
    public enum Shape: String, Codable, Sendable { case lognormal, uniform }

    public var shape = Shape.lognormal
    public var median = "40.00"
    public var sigma = 0.9
    public var min = "1.00"
    public var max = "10000.00"

    public init() {}

    /// The distribution in cents, or why the settings do not make one.
    func draw() throws -> OrderAmountDraw {
        func cents(_ key: String, _ text: String) throws -> Int64 {
            guard let m = Money(decimalString: text), m.minorUnits > 0 else {
                throw Scenario.LoadError(description: "settings.order_amounts.\(key) must be a positive decimal amount such as \"40.00\", not \"\(text)\"")
            }
            return m.minorUnits
        }
        let low = try cents("min", min), high = try cents("max", max), mid = try cents("median", median)
        guard low <= high else { throw Scenario.LoadError(description: "settings.order_amounts.min must not exceed max") }
        guard shape == .uniform || (low...high).contains(mid) else {
            throw Scenario.LoadError(description: "settings.order_amounts.median must lie within min…max")
        }
        guard sigma >= 0 && sigma <= 5 else { throw Scenario.LoadError(description: "settings.order_amounts.sigma must be 0–5") }
        return OrderAmountDraw(shape: shape, medianCents: Double(mid), sigma: sigma, range: low...high)
    }
}

/// `OrderAmounts` ready to draw from, in cents.
struct OrderAmountDraw: Equatable {
    let shape: OrderAmounts.Shape
    let medianCents: Double
    let sigma: Double
    let range: ClosedRange<Int64>

    func next(_ random: inout SeededRandom) -> Int64 {
        switch shape {
        case .uniform:
            return random.int(in: range)
        case .lognormal:
            // Box–Muller: a standard normal from two uniforms (1 − u keeps the log finite).
            let u1 = 1 - random.unit(), u2 = random.unit()
            let z = (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
            let cents = (medianCents * exp(sigma * z)).rounded()
            return Swift.min(range.upperBound, Swift.max(range.lowerBound, Int64(Swift.min(cents, 1e15))))
        }
    }
}
