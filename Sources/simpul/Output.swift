import SimpulConsole

/// Every line this tool prints goes through `Console.print`, which escapes control characters in
/// remote text (`FreeText.shown`); this `print` shadows the standard library's in this module.
func print(_ items: Any..., separator: String = " ", terminator: String = "\n") {
    Console.print(items.map { "\($0)" }.joined(separator: separator), terminator: terminator)
}
