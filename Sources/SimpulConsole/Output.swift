import Foundation
import SimpulDomain

/// Everything the console prints passes `FreeText.shown`: remote text (names, notes, reasons, a
/// hub's problem details) never reaches the terminal with a live control character. This `print`
/// shadows the standard library's in this module; the command line tools use `Console.print`.
func print(_ items: Any..., separator: String = " ", terminator: String = "\n") {
    Console.print(items.map { "\($0)" }.joined(separator: separator), terminator: terminator)
}

extension Console {
    /// Prints text on stdout with control characters escaped (line breaks kept).
    public static func print(_ text: String, terminator: String = "\n") {
        Swift.print(FreeText.shown(text, lines: true), terminator: terminator)
    }

    /// Writes text on stderr with control characters escaped (line breaks kept).
    public static func printError(_ text: String) {
        FileHandle.standardError.write(Data(FreeText.shown(text, lines: true).utf8))
    }
}
