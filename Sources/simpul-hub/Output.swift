import SimpulConsole
import SimpulStore

/// Every line this tool prints goes through `Console.print`, which escapes control characters in
/// remote text (`FreeText.shown`); this `print` shadows the standard library's in this module.
func print(_ items: Any..., separator: String = " ", terminator: String = "\n") {
    Console.print(items.map { "\($0)" }.joined(separator: separator), terminator: terminator)
}

/// A key's state as `node list` and `key list` show it, with the date it changed.
func keyState(_ k: NodeKey) -> String {
    switch k.state {
    case .active: "aktif"
    case .retired: "diganti \(k.retiredAt.map(\.description) ?? "-")"
    case .revoked: "DICABUT \(k.revokedAt.map(\.description) ?? "-")"
    }
}
