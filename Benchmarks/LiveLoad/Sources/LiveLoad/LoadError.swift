/// A failure that ends a scenario, with a message naming what went wrong.
struct LoadError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) { self.description = description }
}
