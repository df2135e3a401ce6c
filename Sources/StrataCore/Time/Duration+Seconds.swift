extension Duration {
    /// The duration as fractional seconds, for reports and rate arithmetic.
    public var seconds: Double {
        let (whole, attoseconds) = components
        return Double(whole) + Double(attoseconds) / 1e18
    }
}
