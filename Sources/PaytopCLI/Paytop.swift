import ArgumentParser
public struct PaytopCommand: ParsableCommand { public init() {}; public func run() {} }
