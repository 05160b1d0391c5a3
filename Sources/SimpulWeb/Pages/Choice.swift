/// One option of a select, a checkbox group or a radio group in a template.
public struct Choice: Sendable {
    public var value: String
    public var label: String
    public var selected: Bool

    public init(value: String, label: String, selected: Bool = false) {
        self.value = value
        self.label = label
        self.selected = selected
    }
}
